package encounters

import (
	"bytes"
	"encoding/json"
	"sort"

	polybill "github.com/polybill/polybill-go"
)

// feathersError is HapiHub's error JSON.
type feathersError struct {
	Name      string          `json:"name"`
	Message   string          `json:"message"`
	ClassName string          `json:"className"`
	Type      string          `json:"type"`
	Data      json.RawMessage `json:"data"`
	Errors    json.RawMessage `json:"errors"`
}

// decodeError maps Feathers error JSON {name,message,code,className,data,errors}
// onto *polybill.Error: Code is the Feathers name (BadRequest, NotFound…),
// every entry of errors becomes a detail (keyed errors name their field), and
// a non-empty data object is kept as a detail with Code "data". The HTTP
// status decides the errors.Is class; the name is only the fallback code.
func decodeError(body []byte, e *polybill.Error) {
	var fe feathersError
	if err := json.Unmarshal(body, &fe); err != nil {
		return
	}
	e.Code = fe.Name
	if e.Code == "" {
		e.Code = fe.ClassName
	}
	e.Message = fe.Message
	var fields []string
	switch errs := bytes.TrimSpace(fe.Errors); {
	case len(errs) > 0 && errs[0] == '{':
		var m map[string]json.RawMessage
		if json.Unmarshal(errs, &m) == nil {
			keys := make([]string, 0, len(m))
			for k := range m {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				e.Details = append(e.Details, polybill.ErrorDetail{Code: fe.Name, Field: k, Message: detailMessage(m[k]), Raw: m[k]})
				fields = append(fields, k)
			}
		}
	case len(errs) > 0 && errs[0] == '[':
		var list []json.RawMessage
		if json.Unmarshal(errs, &list) == nil {
			for _, raw := range list {
				var d struct {
					Field   string `json:"field"`
					Path    string `json:"path"`
					Message string `json:"message"`
				}
				_ = json.Unmarshal(raw, &d)
				if d.Field == "" {
					d.Field = d.Path
				}
				if d.Message == "" {
					d.Message = detailMessage(raw)
				}
				e.Details = append(e.Details, polybill.ErrorDetail{Code: fe.Name, Field: d.Field, Message: d.Message, Raw: raw})
				if d.Field != "" {
					fields = append(fields, d.Field)
				}
			}
		}
	}
	if data := bytes.TrimSpace(fe.Data); len(data) > 0 && !bytes.Equal(data, []byte("{}")) && !bytes.Equal(data, []byte("null")) {
		e.Details = append(e.Details, polybill.ErrorDetail{Code: "data", Raw: data})
	}
	if len(fields) == 1 {
		e.Param = fields[0]
	}
}

func detailMessage(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var m struct {
		Message string `json:"message"`
	}
	if json.Unmarshal(raw, &m) == nil {
		return m.Message
	}
	return ""
}

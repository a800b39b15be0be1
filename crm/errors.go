package crm

import (
	"encoding/json"
	"sort"
	"strings"

	polybill "github.com/polybill/polybill-go"
)

// decodeError fills e from a crm error body. The documented envelope is JSON:API
// `{"errors":[{status,code,title,detail,source}]}` (status a string); the official SDK also
// handles `errors` as a list of strings, `{success:false, errors}` and `{error, message}`, and
// Rails servers send `errors` as a field → messages map. Every variant is read; every entry
// becomes a Detail. When no code is sent, the transport derives one from the HTTP status
// (the SDK's "validation_error even on a 404" is not repeated).
func decodeError(body []byte, e *polybill.Error) {
	var env struct {
		Errors  json.RawMessage `json:"errors"`
		Error   json.RawMessage `json:"error"`
		Message json.RawMessage `json:"message"`
	}
	if json.Unmarshal(body, &env) != nil {
		return
	}
	if raw := strings.TrimSpace(string(env.Errors)); raw != "" && raw != "null" {
		switch raw[0] {
		case '[':
			decodeErrorList(env.Errors, e)
		case '{':
			decodeErrorMap(env.Errors, e)
		case '"':
			var s string
			if json.Unmarshal(env.Errors, &s) == nil {
				e.Message = s
			}
		}
	}
	if e.Code == "" {
		e.Code = jsonString(env.Error)
	}
	if e.Message == "" {
		e.Message = jsonString(env.Message)
	}
	if e.Message == "" && e.Code == "" {
		// {"error": {"code": …, "message": …}}
		var nested struct{ Code, Message string }
		if json.Unmarshal(env.Error, &nested) == nil {
			e.Code, e.Message = nested.Code, nested.Message
		}
	}
}

func decodeErrorList(raw json.RawMessage, e *polybill.Error) {
	var items []json.RawMessage
	if json.Unmarshal(raw, &items) != nil {
		return
	}
	var texts []string
	for _, item := range items {
		var s string
		if json.Unmarshal(item, &s) == nil {
			texts = append(texts, s)
			e.Details = append(e.Details, polybill.ErrorDetail{Message: s, Raw: item})
			continue
		}
		var obj struct {
			Code   json.RawMessage `json:"code"`
			Title  json.RawMessage `json:"title"`
			Detail json.RawMessage `json:"detail"`
			Source struct {
				Pointer   string `json:"pointer"`
				Parameter string `json:"parameter"`
			} `json:"source"`
		}
		if json.Unmarshal(item, &obj) != nil {
			e.Details = append(e.Details, polybill.ErrorDetail{Raw: item})
			continue
		}
		d := polybill.ErrorDetail{
			Code:    jsonString(obj.Code),
			Title:   jsonString(obj.Title),
			Message: jsonString(obj.Detail),
			Field:   firstNonEmpty(obj.Source.Pointer, obj.Source.Parameter),
			Raw:     item,
		}
		if d.Message == "" {
			d.Message = d.Title
		}
		e.Details = append(e.Details, d)
	}
	if len(texts) > 0 {
		e.Code = "validation_error"
		e.Message = strings.Join(texts, ", ")
		return
	}
	if len(e.Details) > 0 {
		first := e.Details[0]
		e.Code, e.Message, e.Param = first.Code, first.Message, fieldName(first.Field)
	}
}

func decodeErrorMap(raw json.RawMessage, e *polybill.Error) {
	var fields map[string]json.RawMessage
	if json.Unmarshal(raw, &fields) != nil {
		return
	}
	names := make([]string, 0, len(fields))
	for k := range fields {
		names = append(names, k)
	}
	sort.Strings(names)
	var texts []string
	for _, name := range names {
		var msgs []string
		if json.Unmarshal(fields[name], &msgs) != nil {
			msgs = []string{jsonString(fields[name])}
		}
		for _, m := range msgs {
			texts = append(texts, name+" "+m)
			e.Details = append(e.Details, polybill.ErrorDetail{Field: name, Message: m, Raw: fields[name]})
		}
	}
	if len(names) > 0 {
		e.Code = "validation_error"
		e.Param = names[0]
		e.Message = strings.Join(texts, ", ")
	}
}

// fieldName turns a JSON pointer (/data/attributes/payer_email) into the field name.
func fieldName(pointer string) string {
	if i := strings.LastIndexByte(pointer, '/'); i >= 0 {
		return pointer[i+1:]
	}
	return pointer
}

// jsonString reads a JSON string; a number (some servers send "code": 404) is kept as text.
func jsonString(raw json.RawMessage) string {
	s := strings.TrimSpace(string(raw))
	if s == "" || s == "null" {
		return ""
	}
	var v string
	if json.Unmarshal(raw, &v) == nil {
		return v
	}
	if s[0] != '{' && s[0] != '[' {
		return s
	}
	return ""
}

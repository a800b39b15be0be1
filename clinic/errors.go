package clinic

import (
	"encoding/json"
	"slices"
	"strings"

	polybill "github.com/polybill/polybill-go"
)

// decodeError reads Bio Ecko's error body. The vendor documents none (ASSUMPTION, apis.md
// §4.9.4), so every plausible shape is accepted: {error, message, code, details},
// {error: {code, message}}, RFC 6749 {error, error_description}, details as a list of objects or
// strings, or as a map of field to message(s).
func decodeError(body []byte, e *polybill.Error) {
	var env map[string]json.RawMessage
	if json.Unmarshal(body, &env) != nil {
		return
	}
	str := func(raw json.RawMessage) string {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
		var n json.Number
		if json.Unmarshal(raw, &n) == nil {
			return n.String()
		}
		return ""
	}
	if raw, ok := env["error"]; ok {
		var nested map[string]json.RawMessage
		if json.Unmarshal(raw, &nested) == nil {
			e.Code = str(nested["code"])
			e.Message = str(nested["message"])
			if d, ok := nested["details"]; ok {
				env["details"] = d
			}
		} else {
			e.Code = str(raw)
		}
	}
	if c := str(env["code"]); c != "" {
		if e.Code == "" {
			e.Code = c
		}
	}
	for _, k := range []string{"message", "error_description", "detail"} {
		if m := str(env[k]); m != "" && e.Message == "" {
			e.Message = m
		}
	}
	raw := env["details"]
	if raw == nil {
		raw = env["errors"]
	}
	e.Details = decodeDetails(raw, str)
	for _, d := range e.Details {
		if d.Field != "" {
			e.Param = d.Field
			break
		}
	}
	if e.Message == "" && len(e.Details) > 0 {
		e.Message = e.Details[0].Message
	}
}

func decodeDetails(raw json.RawMessage, str func(json.RawMessage) string) []polybill.ErrorDetail {
	if len(raw) == 0 {
		return nil
	}
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) == nil {
		out := make([]polybill.ErrorDetail, 0, len(list))
		for _, item := range list {
			d := polybill.ErrorDetail{Raw: append(json.RawMessage(nil), item...)}
			var obj map[string]json.RawMessage
			if json.Unmarshal(item, &obj) == nil {
				d.Field = str(obj["field"])
				if d.Field == "" {
					d.Field = str(obj["param"])
				}
				d.Message = str(obj["message"])
				d.Code = str(obj["code"])
				d.Title = str(obj["title"])
			} else {
				d.Message = str(item)
			}
			out = append(out, d)
		}
		return out
	}
	// {"amount": ["must be positive"], "payment_mode": "unknown"}: Rails/Laravel style.
	var byField map[string]json.RawMessage
	if json.Unmarshal(raw, &byField) != nil {
		return nil
	}
	out := make([]polybill.ErrorDetail, 0, len(byField))
	for field, v := range byField {
		d := polybill.ErrorDetail{Field: field, Raw: append(json.RawMessage(nil), v...)}
		var msgs []string
		if json.Unmarshal(v, &msgs) == nil {
			d.Message = strings.Join(msgs, "; ")
		} else {
			d.Message = str(v)
		}
		out = append(out, d)
	}
	// Map order is random; sort so Param and Details are stable.
	slices.SortFunc(out, func(a, b polybill.ErrorDetail) int { return strings.Compare(a.Field, b.Field) })
	return out
}

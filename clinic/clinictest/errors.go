package clinictest

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"

	"github.com/polybill/polybill-go/clinic"
)

// errorBody is the error shape the fake answers with. ASSUMPTION: Bio Ecko documents no error
// body; this is the {error, message, details} shape the spec assumes.
type errorBody struct {
	Error   string        `json:"error"`
	Message string        `json:"message"`
	Details []errorDetail `json:"details,omitempty"`
}

type errorDetail struct {
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, code, message string, details ...errorDetail) {
	writeJSON(w, status, errorBody{Error: code, Message: message, Details: details})
}

// validationError writes what the spec validator refused: RFC 6749 errors on the token
// endpoint, the API's error body (with the offending fields as details) elsewhere.
func (s *Server) validationError(w http.ResponseWriter, r *http.Request, status int, err error) {
	if r.URL.Path == clinic.TokenPath {
		code, desc := "invalid_request", firstLine(err.Error())
		for _, d := range fieldErrors(err) {
			desc = d.Field + ": " + d.Message
			if d.Field == "grant_type" {
				code = "unsupported_grant_type"
				break
			}
		}
		writeJSON(w, status, map[string]string{"error": code, "error_description": desc})
		return
	}
	code := "validation_error"
	switch status {
	case http.StatusNotFound:
		code = "not_found"
	case http.StatusMethodNotAllowed:
		code = "method_not_allowed"
	}
	details := fieldErrors(err)
	msg := "Invalid input."
	if len(details) > 0 {
		msg = details[0].Field + ": " + details[0].Message
	} else if status != http.StatusBadRequest {
		msg = http.StatusText(status)
	}
	writeError(w, status, code, msg, details...)
}

// fieldErrors names the field behind each validation failure, as a vendor would.
func fieldErrors(err error) []errorDetail {
	var out []errorDetail
	var walk func(error)
	walk = func(err error) {
		// Only a MultiError at this level is split: errors.As would reach through a
		// RequestError into its own MultiError and lose the parameter's name.
		if multi, ok := err.(openapi3.MultiError); ok {
			for _, e := range multi {
				walk(e)
			}
			return
		}
		var reqErr *openapi3filter.RequestError
		var schemaErr *openapi3.SchemaError
		switch {
		case errors.As(err, &reqErr) && reqErr.Parameter != nil:
			reason := reqErr.Reason
			if errors.As(err, &schemaErr) {
				reason = schemaErr.Reason
			}
			out = append(out, errorDetail{Field: reqErr.Parameter.Name, Message: firstLine(reason)})
		case errors.As(err, &schemaErr) && len(schemaErr.JSONPointer()) > 0:
			out = append(out, errorDetail{Field: strings.Join(schemaErr.JSONPointer(), "."), Message: firstLine(schemaErr.Reason)})
		case errors.As(err, &reqErr) && reqErr.Err != nil:
			walk(reqErr.Err)
		default:
			out = append(out, errorDetail{Message: firstLine(err.Error())})
		}
	}
	walk(err)
	return out
}

// firstLine drops kin-openapi's schema and value dumps, which are noise in an API error.
func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

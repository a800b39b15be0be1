package epilot

import (
	"encoding/json"

	polybill "github.com/polybill/polybill-go"
)

// errorEnvelope is the API's error body {error, message}: error is the HTTP reason phrase
// ("Not Found"), message is prose. AWS API Gateway, in front of the service, answers auth
// failures with {"message": "Unauthorized"} alone, so both fields are optional here.
type errorEnvelope struct {
	Error   string `json:"error"`
	Message string `json:"message"`
}

// decodeError fills the message and one detail from {error, message}. The API has no
// machine code beyond the status, so Code is left to the status-derived default. Bodies
// that are not that JSON (an HTML 502 from a gateway) leave the error as the transport made it.
func decodeError(body []byte, e *polybill.Error) {
	var env errorEnvelope
	if err := json.Unmarshal(body, &env); err != nil {
		return
	}
	if env.Error == "" && env.Message == "" {
		return
	}
	e.Message = env.Message
	if e.Message == "" {
		e.Message = env.Error
	}
	e.Details = append(e.Details, polybill.ErrorDetail{Title: env.Error, Message: env.Message, Raw: append(json.RawMessage(nil), body...)})
}

package encounters

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rawCase reads one record type both ways and returns the two Raws.
type rawCase struct {
	name string
	// read returns the Raw of a record read from body as the transport hands it over, and
	// the Raw of one read by json.Unmarshal (UnmarshalJSON) from the same bytes.
	read func(body []byte) (handedOver, unmarshaled json.RawMessage, err error)
}

func rawCaseOf[T any](name string, rawOf func(*T) json.RawMessage) rawCase {
	return rawCase{name: name, read: func(body []byte) (json.RawMessage, json.RawMessage, error) {
		var a, b T
		if err := (record[T]{&a}).DecodeBody(body); err != nil {
			return nil, nil, err
		}
		if err := json.Unmarshal(body, &b); err != nil {
			return nil, nil, err
		}
		return rawOf(&a), rawOf(&b), nil
	}}
}

// Every record type read from a one-record answer keeps the body as its Raw instead of a copy
// (wire.DecodeBody), and still copies what its UnmarshalJSON is given.
func TestRecordsShareTheBodyTheTransportHandsOver(t *testing.T) {
	tests := []rawCase{
		rawCaseOf("Invoice", func(v *Invoice) json.RawMessage { return v.Raw }),
		rawCaseOf("Item", func(v *Item) json.RawMessage { return v.Raw }),
		rawCaseOf("Encounter", func(v *Encounter) json.RawMessage { return v.Raw }),
		rawCaseOf("Payment", func(v *Payment) json.RawMessage { return v.Raw }),
		rawCaseOf("PaymentIntent", func(v *PaymentIntent) json.RawMessage { return v.Raw }),
		rawCaseOf("Customer", func(v *Customer) json.RawMessage { return v.Raw }),
		rawCaseOf("Card", func(v *Card) json.RawMessage { return v.Raw }),
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			body := []byte(`{"id":"r1"}`)
			shared, copied, err := tc.read(body)
			require.NoError(t, err)
			require.Equal(t, string(body), string(shared))
			require.Equal(t, string(body), string(copied))
			assert.Same(t, &body[0], &shared[0], "the Raw is the body handed over")
			assert.NotSame(t, &body[0], &copied[0], "UnmarshalJSON copies")
		})
	}
}

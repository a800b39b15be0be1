package clinic

import "github.com/polybill/polybill-go/internal/wire"

// decode reads one JSON document into a response value with the SDK's one reader.
func decode[T any](b []byte, v *T) error {
	*v = *new(T)
	return wire.Decode(b, v)
}

package epilot

import (
	"encoding/json"

	"github.com/polybill/polybill-go/internal/wire"
)

// Entities in epilot are open (`additionalProperties: true` on BaseEntity): orgs add their own
// attributes to contracts and billing events. The SDK keeps every property it does not model in
// an Extra map of raw JSON values (read by internal/wire's `,extra` field, at every level: events,
// contracts, relations and relation items), so a read-modify-write never loses them and each value
// round-trips byte for byte: the client writes request bodies with internal/wire.Encode, which
// writes the stored bytes verbatim after the typed fields, at every level (a key the SDK models
// is never taken from Extra: the typed field wins). A caller's own json.Marshal of a public
// type goes through its MarshalJSON, the same encoder, but encoding/json then compacts the
// result and escapes <, > and &.

// Relation is an epilot entity link: on the wire {"$relation": [{"entity_id": "…"}]}. Billing
// events link to their contract this way (`contract`), and contracts to their customer and
// billing account.
type Relation struct {
	Items []RelationItem `json:"$relation,omitempty"`
	// Extra keeps the other properties of the relation object (next to `$relation`), raw; they
	// are sent back as they came.
	Extra map[string]json.RawMessage `json:"-" wire:",extra"`
}

type relationWire Relation

// MarshalJSON writes the relation with its Extra properties.
func (r Relation) MarshalJSON() ([]byte, error) { return wire.Encode(relationWire(r)) }

// UnmarshalJSON reads a relation as the client does, keeping unknown properties in Extra.
func (r *Relation) UnmarshalJSON(data []byte) error {
	*r = Relation{}
	return wire.Decode(data, (*relationWire)(r))
}

// RelationItem is one linked entity.
type RelationItem struct {
	EntityID string   `json:"entity_id,omitempty"`
	Tags     []string `json:"_tags,omitempty"`
	// Extra keeps other properties of the link (epilot relation items are open), raw.
	Extra map[string]json.RawMessage `json:"-" wire:",extra"`
}

type relationItemWire RelationItem

// MarshalJSON writes the item with its Extra properties.
func (it RelationItem) MarshalJSON() ([]byte, error) { return wire.Encode(relationItemWire(it)) }

// UnmarshalJSON reads an item, keeping unknown properties in Extra.
func (it *RelationItem) UnmarshalJSON(data []byte) error {
	*it = RelationItem{}
	return wire.Decode(data, (*relationItemWire)(it))
}

// Link returns a Relation to the given entity ids, e.g. Contract: epilot.Link(contractID).
func Link(entityIDs ...string) Relation {
	r := Relation{Items: make([]RelationItem, 0, len(entityIDs))}
	for _, id := range entityIDs {
		r.Items = append(r.Items, RelationItem{EntityID: id})
	}
	return r
}

// IDs returns the linked entity ids, skipping items without one.
func (r Relation) IDs() []string {
	ids := make([]string, 0, len(r.Items))
	for _, it := range r.Items {
		if it.EntityID != "" {
			ids = append(ids, it.EntityID)
		}
	}
	return ids
}

// IsZero reports whether the relation links nothing and carries no other property.
func (r Relation) IsZero() bool { return len(r.Items) == 0 && len(r.Extra) == 0 }

// Contains reports whether id is linked.
func (r Relation) Contains(id string) bool {
	for _, it := range r.Items {
		if it.EntityID == id {
			return true
		}
	}
	return false
}

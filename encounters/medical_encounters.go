package encounters

import (
	"context"
	"encoding/json"
	"iter"
	"time"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/internal/transport"
)

// EncounterType is the kind of visit.
type EncounterType string

// Encounter types documented by the apiDoc.
const (
	EncounterInpatient  EncounterType = "inpatient"
	EncounterOutpatient EncounterType = "outpatient"
	EncounterER         EncounterType = "er"
)

// IsKnown reports whether t is a documented value.
func (t EncounterType) IsKnown() bool {
	return t == EncounterInpatient || t == EncounterOutpatient || t == EncounterER
}

// Encounter is a MedicalEncounter: one patient visit. When created with an
// invoice, the invoice's id is the encounter's id.
type Encounter struct {
	polybill.FieldProblems `json:"-"`
	ID                     string          `json:"id"`
	Facility               string          `json:"facility"`
	Patient                string          `json:"patient"`
	Type                   EncounterType   `json:"type"`
	EncounterType          string          `json:"encounterType"`
	Doctors                []string        `json:"doctors"`
	Tags                   []string        `json:"tags"`
	FinishedAt             time.Time       `json:"-" wire:"finishedAt,millis"`
	FinishedBy             string          `json:"finishedBy"`
	CreatedAt              time.Time       `json:"-" wire:"createdAt,millis"`
	CreatedBy              string          `json:"createdBy"`
	Populated              Populated       `json:"$populated"`
	Raw                    json.RawMessage `json:"-" wire:",raw"`
}

// UnmarshalJSON reads the record as the client does (see the package doc).
func (e *Encounter) UnmarshalJSON(b []byte) error { return decode(b, e) }

// CreateEncounterParams are the fields of a new encounter. Facility and
// Patient are required. Invoice also creates the encounter's BillingInvoice.
type CreateEncounterParams struct {
	Facility      string
	Patient       string
	Type          EncounterType
	EncounterType string // "new" or "follow-up"
	Doctors       []string
	Tags          []string
	Invoice       bool
}

// PatchEncounterParams changes an encounter's doctors or tags.
type PatchEncounterParams struct {
	Doctors []string
	Tags    []string
	Unset   Unset
}

// encounterCreate and encounterPatch are the request bodies (EncounterCreate and EncounterPatch
// in openapi/encounters.yaml), keys in the spec's alphabetical order; unset fields are omitted.
type encounterCreate struct {
	Doctors       []string      `json:"doctors,omitempty"`
	EncounterType string        `json:"encounterType,omitempty"`
	Facility      string        `json:"facility"`
	Invoice       bool          `json:"invoice,omitempty"`
	Patient       string        `json:"patient"`
	Tags          []string      `json:"tags,omitempty"`
	Type          EncounterType `json:"type,omitempty"`
}

type encounterPatch struct {
	Unset    map[string]int `json:"$unset,omitempty"`
	Doctors  []string       `json:"doctors,omitempty"`
	Finalize bool           `json:"finalize,omitempty"`
	Finish   bool           `json:"finish,omitempty"`
	Tags     []string       `json:"tags,omitempty"`
}

// EncounterService is the medical-encounters service.
type EncounterService struct{ c *Client }

var encountersService = serviceOps{
	find:   transport.Op("findEncounters", "/medical-encounters"),
	get:    transport.Op("getEncounter", "/medical-encounters/{id}"),
	create: transport.Op("createEncounter", "/medical-encounters"),
	patch:  transport.Op("patchEncounter", "/medical-encounters/{id}"),
	remove: transport.Op("removeEncounter", "/medical-encounters/{id}"),
}

// List returns every encounter matching q, fetching pages lazily over $skip.
func (s *EncounterService) List(ctx context.Context, q *Query, opts ...polybill.RequestOption) iter.Seq2[Encounter, error] {
	return listAll[Encounter](ctx, s.c, encountersService, q, opts)
}

// Find returns one page of encounters.
func (s *EncounterService) Find(ctx context.Context, q *Query, opts ...polybill.RequestOption) (*polybill.Page[Encounter], error) {
	return findPage[Encounter](ctx, s.c, encountersService, q, opts)
}

// Get returns one encounter.
func (s *EncounterService) Get(ctx context.Context, id string, q *Query, opts ...polybill.RequestOption) (*Encounter, error) {
	return getOne[Encounter](ctx, s.c, encountersService, id, q, opts)
}

// Create starts an encounter (and its invoice when p.Invoice is set).
func (s *EncounterService) Create(ctx context.Context, p CreateEncounterParams, opts ...polybill.RequestOption) (*Encounter, error) {
	switch {
	case p.Facility == "":
		return nil, transport.InvalidParam(API, "facility", "required")
	case p.Patient == "":
		return nil, transport.InvalidParam(API, "patient", "required")
	case p.Type != "" && !p.Type.IsKnown():
		return nil, transport.InvalidParam(API, "type", "unknown encounter type %q", p.Type)
	case p.EncounterType != "" && p.EncounterType != "new" && p.EncounterType != "follow-up":
		return nil, transport.InvalidParam(API, "encounterType", "must be \"new\" or \"follow-up\", got %q", p.EncounterType)
	}
	body := encounterCreate{Facility: p.Facility, Patient: p.Patient, Doctors: p.Doctors, Tags: p.Tags, Invoice: p.Invoice, Type: p.Type, EncounterType: p.EncounterType}
	return createOne[Encounter](ctx, s.c, encountersService, body, transport.UnsafeWrite, opts)
}

// Patch changes an encounter's doctors or tags.
func (s *EncounterService) Patch(ctx context.Context, id string, p PatchEncounterParams, opts ...polybill.RequestOption) (*Encounter, error) {
	if err := p.Unset.validate(); err != nil {
		return nil, err
	}
	body := encounterPatch{Doctors: p.Doctors, Tags: p.Tags, Unset: p.Unset.wire()}
	return patchOne[Encounter](ctx, s.c, encountersService, id, body, opts)
}

// Finalize finalizes the encounter's invoice, cascading to its items
// (PATCH {finalize: true}, the operator the MyCure billing guide documents).
// Call it at the end of the visit.
func (s *EncounterService) Finalize(ctx context.Context, id string, opts ...polybill.RequestOption) (*Encounter, error) {
	t := true
	return patchOne[Encounter](ctx, s.c, encountersService, id, encounterPatch{Finalize: t}, opts)
}

// Finish marks the encounter finished (PATCH {finish: true}).
func (s *EncounterService) Finish(ctx context.Context, id string, opts ...polybill.RequestOption) (*Encounter, error) {
	t := true
	return patchOne[Encounter](ctx, s.c, encountersService, id, encounterPatch{Finish: t}, opts)
}

// Delete removes an encounter.
//
// A retried delete whose retry finds the record already gone (404) succeeded: the first
// attempt removed it and its answer was lost. It returns nil, nil (not ErrNotFound).
func (s *EncounterService) Delete(ctx context.Context, id string, opts ...polybill.RequestOption) (*Encounter, error) {
	return removeOne[Encounter](ctx, s.c, encountersService, id, opts)
}

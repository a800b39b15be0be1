package clinic

import (
	"bytes"
	"context"
	"encoding/json"
	"iter"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/internal/paging"
	"github.com/polybill/polybill-go/internal/transport"
	"github.com/polybill/polybill-go/internal/wire"
)

// InvoiceStatus is an invoice's state. Unknown values decode as they are; [InvoiceStatus.IsKnown]
// tells them apart.
type InvoiceStatus string

// The statuses documented on docs.bioecko.com/api/billing.
const (
	InvoiceStatusDraft         InvoiceStatus = "draft"
	InvoiceStatusFinalized     InvoiceStatus = "finalized"
	InvoiceStatusPaid          InvoiceStatus = "paid"
	InvoiceStatusPartiallyPaid InvoiceStatus = "partially_paid"
	InvoiceStatusCancelled     InvoiceStatus = "cancelled"
)

// IsKnown reports whether s is one of the documented statuses (the spec's enum, which
// TestEnumsMatchSpec holds these constants to).
func (s InvoiceStatus) IsKnown() bool {
	switch s {
	case InvoiceStatusDraft, InvoiceStatusFinalized, InvoiceStatusPaid, InvoiceStatusPartiallyPaid, InvoiceStatusCancelled:
		return true
	}
	return false
}

// Currency is the currency of every Bio Ecko amount. ASSUMPTION: the API never states one; the
// product is Indian (GST, lakh/crore formatting), so amounts are INR.
const Currency polybill.Currency = "INR"

// InvoiceSummary is one row of [Client.ListInvoices].
type InvoiceSummary struct {
	polybill.FieldProblems `json:"-"`
	ID                     string           `json:"id"`
	InvoiceNumber          string           `json:"invoice_number"`
	PatientID              string           `json:"patient_id,omitempty"` // ASSUMPTION: not in the documented field list
	PatientName            string           `json:"patient_name"`
	BranchID               string           `json:"branch_id,omitempty"` // ASSUMPTION: not in the documented field list
	Total                  polybill.Decimal `json:"total"`
	Paid                   polybill.Decimal `json:"paid"`
	Balance                polybill.Decimal `json:"balance"`
	Status                 InvoiceStatus    `json:"status"`
	Date                   Date             `json:"date"`

	// Raw is the object as received, so fields this SDK does not know stay reachable.
	Raw json.RawMessage `json:"-" wire:",raw"`
}

// UnmarshalJSON reads the object as the client does (see the package doc's decoding rules).
func (s *InvoiceSummary) UnmarshalJSON(b []byte) error { return decode(b, s) }

// Party is a patient or branch reference.
type Party struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
}

// LineItem is one billed service. ASSUMPTION: key names are guesses from the vendor's field list
// (service name, department, quantity, rate, discount, tax, amount).
type LineItem struct {
	polybill.FieldProblems `json:"-"`
	ServiceName            string           `json:"service_name"`
	Department             string           `json:"department,omitempty"`
	Quantity               polybill.Decimal `json:"quantity"`
	Rate                   polybill.Decimal `json:"rate"`
	Discount               polybill.Decimal `json:"discount"`
	Tax                    polybill.Decimal `json:"tax"`
	Amount                 polybill.Decimal `json:"amount"`

	Raw json.RawMessage `json:"-" wire:",raw"`
}

// UnmarshalJSON reads the object as the client does.
func (l *LineItem) UnmarshalJSON(b []byte) error { return decode(b, l) }

// TaxBreakdown is the GST split: CGST + SGST for a sale within a state, IGST across states.
type TaxBreakdown struct {
	CGST  polybill.Decimal `json:"cgst"`
	SGST  polybill.Decimal `json:"sgst"`
	IGST  polybill.Decimal `json:"igst"`
	Total polybill.Decimal `json:"total"`
}

// Invoice is the full invoice of [Client.GetInvoice]. ASSUMPTION: the vendor lists the contents
// but not the JSON keys; see openapi/clinic.yaml. Raw keeps the body as received.
type Invoice struct {
	polybill.FieldProblems `json:"-"`
	ID                     string            `json:"id"`
	InvoiceNumber          string            `json:"invoice_number"`
	Date                   Date              `json:"date"`
	Status                 InvoiceStatus     `json:"status"`
	Currency               polybill.Currency `json:"currency,omitempty"`
	Patient                Party             `json:"patient"`
	Branch                 Party             `json:"branch"`
	LineItems              []LineItem        `json:"line_items"`
	SubTotal               polybill.Decimal  `json:"sub_total"`
	Discount               polybill.Decimal  `json:"discount"`
	Tax                    TaxBreakdown      `json:"tax"`
	// Total is the grand total: `grand_total`, or `total` as some responses (and the list's
	// InvoiceSummary) name it.
	Total    polybill.Decimal `json:"grand_total" wire:"grand_total,total"`
	Paid     polybill.Decimal `json:"paid"`
	Balance  polybill.Decimal `json:"balance"`
	Payments []Payment        `json:"payments"`

	Raw json.RawMessage `json:"-" wire:",raw"`
}

// UnmarshalJSON reads the object as the client does: the known fields, the whole object in Raw,
// and the gaps filled from the variants a real response may use (flat patient_id/patient_name
// and branch_id keys, no currency: INR).
func (inv *Invoice) UnmarshalJSON(b []byte) error { return inv.read(b, wire.Decode) }

// read is UnmarshalJSON with the reader to use: wire.DecodeBody for a body the transport
// hands over (Raw then shares it), wire.Decode for bytes that are not ours to keep.
func (inv *Invoice) read(b []byte, decodeWith func([]byte, any) error) error {
	var w invoiceWire
	if err := decodeWith(b, &w); err != nil {
		return err
	}
	*inv = w.Invoice
	if inv.Patient.ID == "" {
		inv.Patient = Party{ID: w.PatientID, Name: w.PatientName}
	}
	if inv.Branch.ID == "" {
		inv.Branch.ID = w.BranchID
	}
	if inv.Currency == "" {
		inv.Currency = Currency
	}
	return nil
}

// invoiceWire is an Invoice with the flat spellings of its parties, which a nested Party cannot
// declare.
type invoiceWire struct {
	Invoice
	PatientID   string `wire:"patient_id"`
	PatientName string `wire:"patient_name"`
	BranchID    string `wire:"branch_id"`
}

// PaymentByReference returns the invoice's payment carrying reference, if any.
func (inv *Invoice) PaymentByReference(reference string) (*Payment, bool) {
	if reference == "" {
		return nil, false
	}
	for i := range inv.Payments {
		if inv.Payments[i].Reference == reference {
			return &inv.Payments[i], true
		}
	}
	return nil, false
}

// ListInvoicesParams filters and pages [Client.ListInvoices]. Zero fields are not sent.
type ListInvoicesParams struct {
	PatientID string
	Status    InvoiceStatus // one of the documented statuses
	DateFrom  Date          // invoices dated on or after
	DateTo    Date          // invoices dated on or before
	BranchID  string
	// Page is the 1-based page to start from (default 1).
	Page int
	// PerPage is the page size, 1 to 100 (default 20). ASSUMPTION: limits copied from the
	// Patients API; billing documents none.
	PerPage int
}

const (
	defaultPerPage = 20
	maxPerPage     = 100
)

func (p *ListInvoicesParams) query() (url.Values, int, int, error) {
	var lp ListInvoicesParams
	if p != nil {
		lp = *p
	}
	page, perPage := lp.Page, lp.PerPage
	switch {
	case page < 0:
		return nil, 0, 0, transport.InvalidParam(API, "page", "page must be 1 or more, got %d", page)
	case page == 0:
		page = 1
	}
	switch {
	case perPage < 0 || perPage > maxPerPage:
		return nil, 0, 0, transport.InvalidParam(API, "per_page", "per_page must be between 1 and %d, got %d", maxPerPage, perPage)
	case perPage == 0:
		perPage = defaultPerPage
	}
	if lp.Status != "" && !lp.Status.IsKnown() {
		return nil, 0, 0, transport.InvalidParam(API, "status", "unknown invoice status %q", lp.Status)
	}
	q := url.Values{}
	if err := dateRange(q, lp.DateFrom, lp.DateTo); err != nil {
		return nil, 0, 0, err
	}
	set(q, "patient_id", lp.PatientID)
	set(q, "status", string(lp.Status))
	set(q, "branch_id", lp.BranchID)
	// per_page is always sent so a short page reliably means the last one.
	q.Set("per_page", strconv.Itoa(perPage))
	return q, page, perPage, nil
}

func set(q url.Values, k, v string) {
	if v != "" {
		q.Set(k, v)
	}
}

func dateRange(q url.Values, from, to Date) error {
	if !from.IsZero() {
		if !from.Valid() {
			return transport.InvalidParam(API, "date_from", "invalid date %s", from)
		}
		q.Set("date_from", from.String())
	}
	if !to.IsZero() {
		if !to.Valid() {
			return transport.InvalidParam(API, "date_to", "invalid date %s", to)
		}
		q.Set("date_to", to.String())
	}
	if !from.IsZero() && !to.IsZero() && from.Compare(to) > 0 {
		return transport.InvalidParam(API, "date_from", "date_from %s is after date_to %s", from, to)
	}
	return nil
}

// ListInvoices returns every invoice matching params, fetching pages lazily (nothing happens
// until the sequence is ranged; breaking out stops all I/O). Requires billing:read. params
// (read into the query now) and opts are copied now: changing them while ranging changes nothing.
func (c *Client) ListInvoices(ctx context.Context, params *ListInvoicesParams, opts ...polybill.RequestOption) iter.Seq2[InvoiceSummary, error] {
	opts = slices.Clone(opts)
	q, page, perPage, err := params.query()
	if err != nil {
		return func(yield func(InvoiceSummary, error) bool) { yield(InvoiceSummary{}, err) }
	}
	return paging.Iterate(page, func(page int) (*polybill.Page[InvoiceSummary], error) {
		return c.listInvoicesPage(ctx, q, page, perPage, opts)
	})
}

// ListInvoicesPage returns the one page params.Page (default 1) for callers who page themselves;
// Next and HasMore tell whether to ask for another.
func (c *Client) ListInvoicesPage(ctx context.Context, params *ListInvoicesParams, opts ...polybill.RequestOption) (*polybill.Page[InvoiceSummary], error) {
	q, page, perPage, err := params.query()
	if err != nil {
		return nil, err
	}
	return c.listInvoicesPage(ctx, q, page, perPage, opts)
}

func (c *Client) listInvoicesPage(ctx context.Context, base url.Values, page, perPage int, opts []polybill.RequestOption) (*polybill.Page[InvoiceSummary], error) {
	q := url.Values{}
	for k, v := range base {
		q[k] = v
	}
	q.Set("page", strconv.Itoa(page))
	dec := invoicePageBody{page: page, perPage: perPage}
	call := transport.Call{Method: http.MethodGet, Op: transport.Op("listInvoices", "/api/v1/billing/invoices"), Query: q}
	if err := c.do(ctx, call, &dec, opts); err != nil {
		return nil, err
	}
	return dec.out, nil
}

// invoicePageBody reads a list body as the transport hands it over (a transport.BodyDecoder).
// ASSUMPTION (apis.md §4.9.2): the vendor says only "Array of invoice summaries", so a bare
// array, {data, meta} and {data, pagination} all decode, with the common key spellings for
// totals.
type invoicePageBody struct {
	page, perPage int
	out           *polybill.Page[InvoiceSummary]
}

// DecodeBody implements transport.BodyDecoder.
func (d *invoicePageBody) DecodeBody(body []byte) error {
	var env invoicePage
	if t := bytes.TrimLeft(body, " \t\r\n"); len(t) > 0 && t[0] == '[' {
		if err := wire.Decode(body, &env.Data); err != nil {
			return err
		}
	} else if err := wire.Decode(body, &env); err != nil {
		return err
	}
	meta := env.Meta
	if meta == nil {
		meta = env.Pagination
	}
	d.out = invoicePageOf(env.Data, meta, d.page, d.perPage)
	return nil
}

type invoicePage struct {
	Data       []InvoiceSummary `wire:"data,items,invoices"`
	Meta       *listMeta        `wire:"meta"`
	Pagination *listMeta        `wire:"pagination"`
}

type listMeta struct {
	Total      *int `wire:"total,total_count"`
	TotalPages *int `wire:"total_pages,last_page"`
}

// invoicePageOf is the page of items, with what meta says about the pages after it.
func invoicePageOf(items []InvoiceSummary, meta *listMeta, page, perPage int) *polybill.Page[InvoiceSummary] {
	out := &polybill.Page[InvoiceSummary]{Items: items, Total: -1}
	if out.Items == nil {
		out.Items = []InvoiceSummary{}
	}
	// A page shorter than asked for is the last one, whatever the metadata says.
	out.HasMore = len(out.Items) >= perPage
	if meta != nil {
		if total := meta.Total; total != nil && *total >= 0 {
			out.Total = *total
			out.HasMore = out.HasMore && page*perPage < *total
		}
		if pages := meta.TotalPages; pages != nil {
			out.HasMore = out.HasMore && page < *pages
		}
	}
	if out.HasMore {
		out.Next = page + 1
	}
	return out
}

// GetInvoice returns the full invoice: line items, GST breakdown, payments and balance.
// Requires billing:read.
func (c *Client) GetInvoice(ctx context.Context, id string, opts ...polybill.RequestOption) (*Invoice, error) {
	if id == "" {
		return nil, transport.InvalidParam(API, "id", "invoice id is required")
	}
	var inv Invoice
	call := transport.Call{Method: http.MethodGet, Op: transport.Op("getInvoice", "/api/v1/billing/invoices/{id}"), Params: []string{id}}
	if err := c.do(ctx, call, (*invoiceBody)(&inv), opts); err != nil {
		return nil, err
	}
	return &inv, nil
}

var (
	_ transport.BodyDecoder = (*invoiceBody)(nil)
	_ transport.BodyDecoder = (*invoicePageBody)(nil)
)

// invoiceBody reads an invoice body as the transport hands it over (a transport.BodyDecoder).
type invoiceBody Invoice

// DecodeBody implements transport.BodyDecoder.
func (b *invoiceBody) DecodeBody(body []byte) error { return (*Invoice)(b).read(body, wire.DecodeBody) }

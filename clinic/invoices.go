package clinic

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strconv"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/clinic/internal/oapi"
	"github.com/polybill/polybill-go/internal/jsonscan"
	"github.com/polybill/polybill-go/internal/transport"
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

// IsKnown reports whether s is one of the documented statuses (the spec's enum).
func (s InvoiceStatus) IsKnown() bool { return oapi.InvoiceStatus(s).Valid() }

// Currency is the currency of every Bio Ecko amount. ASSUMPTION: the API never states one; the
// product is Indian (GST, lakh/crore formatting), so amounts are INR.
const Currency polybill.Currency = "INR"

// InvoiceSummary is one row of [Client.ListInvoices].
type InvoiceSummary struct {
	ID            string           `json:"id"`
	InvoiceNumber string           `json:"invoice_number"`
	PatientID     string           `json:"patient_id,omitempty"` // ASSUMPTION: not in the documented field list
	PatientName   string           `json:"patient_name"`
	BranchID      string           `json:"branch_id,omitempty"` // ASSUMPTION: not in the documented field list
	Total         polybill.Decimal `json:"total"`
	Paid          polybill.Decimal `json:"paid"`
	Balance       polybill.Decimal `json:"balance"`
	Status        InvoiceStatus    `json:"status"`
	Date          Date             `json:"date"`

	// Raw is the object as received, so fields this SDK does not know stay reachable.
	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes the known fields and keeps the whole object in Raw.
func (s *InvoiceSummary) UnmarshalJSON(b []byte) error {
	type plain InvoiceSummary
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	*s = InvoiceSummary(p)
	s.Raw = append(json.RawMessage(nil), b...)
	return nil
}

// Party is a patient or branch reference.
type Party struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
}

// LineItem is one billed service. ASSUMPTION: key names are guesses from the vendor's field list
// (service name, department, quantity, rate, discount, tax, amount).
type LineItem struct {
	ServiceName string           `json:"service_name"`
	Department  string           `json:"department,omitempty"`
	Quantity    polybill.Decimal `json:"quantity"`
	Rate        polybill.Decimal `json:"rate"`
	Discount    polybill.Decimal `json:"discount"`
	Tax         polybill.Decimal `json:"tax"`
	Amount      polybill.Decimal `json:"amount"`

	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes the known fields and keeps the whole object in Raw.
func (l *LineItem) UnmarshalJSON(b []byte) error {
	type plain LineItem
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	*l = LineItem(p)
	l.Raw = append(json.RawMessage(nil), b...)
	return nil
}

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
	ID            string            `json:"id"`
	InvoiceNumber string            `json:"invoice_number"`
	Date          Date              `json:"date"`
	Status        InvoiceStatus     `json:"status"`
	Currency      polybill.Currency `json:"currency,omitempty"`
	Patient       Party             `json:"patient"`
	Branch        Party             `json:"branch"`
	LineItems     []LineItem        `json:"line_items"`
	SubTotal      polybill.Decimal  `json:"sub_total"`
	Discount      polybill.Decimal  `json:"discount"`
	Tax           TaxBreakdown      `json:"tax"`
	GrandTotal    polybill.Decimal  `json:"grand_total"`
	Paid          polybill.Decimal  `json:"paid"`
	Balance       polybill.Decimal  `json:"balance"`
	Payments      []Payment         `json:"payments"`

	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes the known fields, keeps the whole object in Raw and fills gaps from the
// variants a real response may use: "total" for the grand total, flat patient_id/patient_name
// and branch_id keys, and no currency (INR).
func (inv *Invoice) UnmarshalJSON(b []byte) error {
	if v, err := invoiceFast(b); err == nil {
		*inv = v
		return nil
	}
	return inv.unmarshalSlow(b)
}

// unmarshalSlow is UnmarshalJSON with encoding/json, for every shape invoiceFast declines.
func (inv *Invoice) unmarshalSlow(b []byte) error {
	type plain Invoice
	// The variants' fields are spelled out, not an embedded variants: encoding/json names an
	// embedded struct in its error messages, and those must not change.
	var p struct {
		plain
		Total       *polybill.Decimal `json:"total"`
		PatientID   string            `json:"patient_id"`
		PatientName string            `json:"patient_name"`
		BranchID    string            `json:"branch_id"`
	}
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	*inv = Invoice(p.plain)
	v := variants{Total: p.Total, PatientID: p.PatientID, PatientName: p.PatientName, BranchID: p.BranchID}
	v.apply(inv)
	inv.Raw = append(json.RawMessage(nil), b...)
	return nil
}

// variants are the values of an invoice's other spellings, read besides Invoice's own keys.
type variants struct {
	Total                            *polybill.Decimal
	PatientID, PatientName, BranchID string
}

// apply fills the gaps of inv, decoded from the same object as v, from the variants.
func (v *variants) apply(inv *Invoice) {
	if v.Total != nil && !v.Total.IsZero() && inv.GrandTotal.IsZero() {
		inv.GrandTotal = *v.Total
	}
	if inv.Patient.ID == "" {
		inv.Patient = Party{ID: v.PatientID, Name: v.PatientName}
	}
	if inv.Branch.ID == "" {
		inv.Branch.ID = v.BranchID
	}
	if inv.Currency == "" {
		inv.Currency = Currency
	}
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
		return nil, 0, 0, polybill.InvalidParam(api, "page", "page must be 1 or more, got %d", page)
	case page == 0:
		page = 1
	}
	switch {
	case perPage < 0 || perPage > maxPerPage:
		return nil, 0, 0, polybill.InvalidParam(api, "per_page", "per_page must be between 1 and %d, got %d", maxPerPage, perPage)
	case perPage == 0:
		perPage = defaultPerPage
	}
	if lp.Status != "" && !lp.Status.IsKnown() {
		return nil, 0, 0, polybill.InvalidParam(api, "status", "unknown invoice status %q", lp.Status)
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
			return polybill.InvalidParam(api, "date_from", "invalid date %s", from)
		}
		q.Set("date_from", from.String())
	}
	if !to.IsZero() {
		if !to.Valid() {
			return polybill.InvalidParam(api, "date_to", "invalid date %s", to)
		}
		q.Set("date_to", to.String())
	}
	if !from.IsZero() && !to.IsZero() && from.Compare(to) > 0 {
		return polybill.InvalidParam(api, "date_from", "date_from %s is after date_to %s", from, to)
	}
	return nil
}

// ListInvoices returns every invoice matching params, fetching pages lazily (nothing happens
// until the sequence is ranged; breaking out stops all I/O). Requires billing:read.
func (c *Client) ListInvoices(ctx context.Context, params *ListInvoicesParams, opts ...polybill.RequestOption) iter.Seq2[InvoiceSummary, error] {
	q, page, perPage, err := params.query()
	if err != nil {
		return func(yield func(InvoiceSummary, error) bool) { yield(InvoiceSummary{}, err) }
	}
	return polybill.Iterate(page, func(page int) (*polybill.Page[InvoiceSummary], error) {
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
	if dec.err != nil {
		return nil, c.t.InvalidResponse(dec.raw, fmt.Errorf("invoice list: %w", dec.err))
	}
	return dec.out, nil
}

// invoicePageBody reads a list body as the transport hands it over (a transport.BodyDecoder):
// the fast path straight from the body, else the steps this package took before, with their
// errors: json.Unmarshal into a json.RawMessage (a body that is not JSON is the transport's
// error), then decodeInvoicePageSlow (JSON that is no invoice page is kept in err, for
// listInvoicesPage to report).
type invoicePageBody struct {
	page, perPage int
	out           *polybill.Page[InvoiceSummary]
	raw           json.RawMessage // the body, when it did not decode as a page
	err           error           // why
}

// DecodeBody implements transport.BodyDecoder.
func (d *invoicePageBody) DecodeBody(body []byte) error {
	if items, meta, err := decodeInvoicePageFast(jsonscan.TrimSpace(body), d.perPage); err == nil {
		d.out = invoicePageOf(items, meta, d.page, d.perPage)
		return nil
	}
	if err := json.Unmarshal(body, &d.raw); err != nil {
		return err
	}
	items, meta, err := decodeInvoicePageSlow(jsonscan.TrimSpace(d.raw))
	if err != nil {
		d.err = err
		return nil
	}
	d.out = invoicePageOf(items, meta, d.page, d.perPage)
	return nil
}

// invoicePage is every list shape we accept. ASSUMPTION (apis.md §4.9.2): the vendor says only
// "Array of invoice summaries", so a bare array, {data, meta} and {data, pagination} all decode,
// with the common key spellings for totals.
type invoicePage struct {
	Data       []InvoiceSummary `json:"data"`
	Items      []InvoiceSummary `json:"items"`
	Invoices   []InvoiceSummary `json:"invoices"`
	Meta       *listMeta        `json:"meta"`
	Pagination *listMeta        `json:"pagination"`
}

type listMeta struct {
	Total       *int `json:"total"`
	TotalCount  *int `json:"total_count"`
	TotalPages  *int `json:"total_pages"`
	LastPage    *int `json:"last_page"`
	Page        *int `json:"page"`
	CurrentPage *int `json:"current_page"`
}

// decodeInvoicePageSlow reads every list shape with encoding/json.
func decodeInvoicePageSlow(trimmed []byte) ([]InvoiceSummary, *listMeta, error) {
	if len(trimmed) > 0 && trimmed[0] == '[' {
		var items []InvoiceSummary
		if err := json.Unmarshal(trimmed, &items); err != nil {
			return nil, nil, err
		}
		return items, nil, nil
	}
	var env invoicePage
	if err := json.Unmarshal(trimmed, &env); err != nil {
		return nil, nil, err
	}
	items := env.Invoices
	switch {
	case env.Data != nil:
		items = env.Data
	case env.Items != nil:
		items = env.Items
	}
	meta := env.Meta
	if meta == nil {
		meta = env.Pagination
	}
	return items, meta, nil
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
		total := first(meta.Total, meta.TotalCount)
		if total != nil && *total >= 0 {
			out.Total = *total
			out.HasMore = out.HasMore && page*perPage < *total
		}
		if pages := first(meta.TotalPages, meta.LastPage); pages != nil {
			out.HasMore = out.HasMore && page < *pages
		}
	}
	if out.HasMore {
		out.Next = page + 1
	}
	return out
}

func first(ps ...*int) *int {
	for _, p := range ps {
		if p != nil {
			return p
		}
	}
	return nil
}

// GetInvoice returns the full invoice: line items, GST breakdown, payments and balance.
// Requires billing:read.
func (c *Client) GetInvoice(ctx context.Context, id string, opts ...polybill.RequestOption) (*Invoice, error) {
	if id == "" {
		return nil, polybill.InvalidParam(api, "id", "invoice id is required")
	}
	var inv Invoice
	call := transport.Call{Method: http.MethodGet, Op: transport.Op("getInvoice", "/api/v1/billing/invoices/{id}"), Params: []string{id}}
	if err := c.do(ctx, call, (*invoiceBody)(&inv), opts); err != nil {
		return nil, err
	}
	return &inv, nil
}

// Without DecodeBody the transport would json.Unmarshal into invoiceBody, which lacks
// Invoice's UnmarshalJSON: these fail the build instead.
var (
	_ transport.BodyDecoder = (*invoiceBody)(nil)
	_ transport.BodyDecoder = (*invoicePageBody)(nil)
)

// invoiceBody reads an invoice body as the transport hands it over (a transport.BodyDecoder),
// sparing json.Unmarshal's validation and skip passes: the fast path straight from the body,
// else exactly what json.Unmarshal into an Invoice did.
type invoiceBody Invoice

// DecodeBody implements transport.BodyDecoder.
func (b *invoiceBody) DecodeBody(body []byte) error {
	if v, err := invoiceFast(jsonscan.TrimSpace(body)); err == nil {
		*b = invoiceBody(v)
		return nil
	}
	return json.Unmarshal(body, (*slowInvoice)(b))
}

// slowInvoice is an Invoice read by unmarshalSlow alone: invoiceBody's fallback once the fast
// path has declined, so the body is not offered to the fast path a second time.
type slowInvoice Invoice

func (s *slowInvoice) UnmarshalJSON(b []byte) error { return (*Invoice)(s).unmarshalSlow(b) }

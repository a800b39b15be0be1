package crmtest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/mail"
	"strconv"
	"strings"
	"time"

	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/polybill/polybill-go/crm/internal/oapiserver"
)

// handlers implements the generated strict server; the build breaks when the spec gains an
// operation the fake does not serve.
type handlers struct {
	store       *store
	pageIgnored bool // WithPageIgnored
}

var _ oapiserver.StrictServerInterface = (*handlers)(nil)

const defaultRecords = 15 // the vendor's meetings API default page size

func (h *handlers) GetMeetingBilling(_ context.Context, req oapiserver.GetMeetingBillingRequestObject) (oapiserver.GetMeetingBillingResponseObject, error) {
	p := req.Params
	all := h.store.all(func(b *Billing) bool { return b.MeetingID == req.MeetingUniqueID })
	listing := p.Page != nil || p.Records != nil || p.Status != nil || p.BillingStatus != nil ||
		p.PayerName != nil || p.Search != nil || p.Sort != nil
	if !listing {
		// The vendor document's form: the meeting's billing as one resource (the latest).
		if len(all) == 0 {
			return oapiserver.GetMeetingBilling404JSONResponse{NotFoundJSONResponse: oapiserver.NotFoundJSONResponse(
				errorDoc(http.StatusNotFound, "not_found", "Billing Not Found", "The meeting has no billing."))}, nil
		}
		var data oapiserver.MeetingBillingDocument_Data
		if err := data.FromBillingResource(resourceOf(all[len(all)-1])); err != nil {
			return nil, err
		}
		return oapiserver.GetMeetingBilling200JSONResponse{Data: data}, nil
	}
	var matched []Billing
	for _, b := range all {
		switch {
		case p.Status != nil && b.Status != *p.Status:
		case p.BillingStatus != nil && paymentState(&b) != *p.BillingStatus:
		case p.PayerName != nil && b.PayerName != *p.PayerName:
		case p.Search != nil && !matches(&b, *p.Search):
		default:
			matched = append(matched, b)
		}
	}
	if p.Sort != nil {
		if err := sortBillings(matched, *p.Sort); err != nil {
			return badParam("sort", err.Error()), nil
		}
	}
	page, records := 1, defaultRecords
	if p.Page != nil && !h.pageIgnored {
		page = *p.Page
	}
	if p.Records != nil {
		records = *p.Records
	}
	from := min((page-1)*records, len(matched))
	to := min(from+records, len(matched))
	items := make(oapiserver.BillingResourceList, 0, to-from)
	for _, b := range matched[from:to] {
		items = append(items, resourceOf(b))
	}
	var data oapiserver.MeetingBillingDocument_Data
	if err := data.FromBillingResourceList(items); err != nil {
		return nil, err
	}
	total := len(matched)
	totalPages := (total + records - 1) / records
	return oapiserver.GetMeetingBilling200JSONResponse{Data: data, Meta: &oapiserver.PageMeta{
		CurrentPage: &page, TotalPages: &totalPages, TotalCount: &total, PerPage: &records,
	}}, nil
}

// badParam is a 400 for a query parameter the spec allows but the fake cannot honour.
func badParam(name, detail string) oapiserver.GetMeetingBilling400JSONResponse {
	d := errorDoc(http.StatusBadRequest, "bad_request", "Bad Request", detail)
	d.Errors[0].Source = &oapiserver.ErrorSource{Parameter: &name}
	return oapiserver.GetMeetingBilling400JSONResponse{BadRequestJSONResponse: oapiserver.BadRequestJSONResponse(d)}
}

func matches(b *Billing, q string) bool {
	q = strings.ToLower(q)
	for _, f := range []string{b.PayerName, b.PayerEmail, b.BillingType} {
		if strings.Contains(strings.ToLower(f), q) {
			return true
		}
	}
	return false
}

func (h *handlers) CreateMeetingBilling(_ context.Context, req oapiserver.CreateMeetingBillingRequestObject) (oapiserver.CreateMeetingBillingResponseObject, error) {
	f := req.Body.Billing
	// Like a Rails permit list, the generated body type keeps only the declared names
	// (fee_currency, invoice_due_date, billing_notes: the official SDK's); anything else, the
	// older currency, due_at and notes included, is dropped without an error.
	b := Billing{
		MeetingID:        req.MeetingUniqueID,
		Amount:           f.Amount,
		Currency:         deref(f.FeeCurrency, ""),
		PayerName:        f.PayerName,
		PayerEmail:       f.PayerEmail,
		BillingType:      deref(f.BillingType, ""),
		ParticipantEmail: deref(f.ParticipantEmail, ""),
		Notes:            deref(f.BillingNotes, ""),
		DueAt:            utcTime(f.InvoiceDueDate),
	}
	if f.Status != nil {
		b.Status = string(*f.Status)
	}
	if field, detail := checkBilling(&b); field != "" {
		return oapiserver.CreateMeetingBilling422JSONResponse{UnprocessableJSONResponse: oapiserver.UnprocessableJSONResponse(invalid(field, detail))}, nil
	}
	id, err := h.store.add(b)
	if err != nil {
		return nil, err
	}
	stored, _ := h.store.get(id)
	return oapiserver.CreateMeetingBilling201JSONResponse{Data: resourceOf(stored)}, nil
}

// checkBilling enforces what a Rails model would validate beyond the spec's shape.
func checkBilling(b *Billing) (field, detail string) {
	switch {
	case b.Amount.Sign() <= 0:
		return "amount", "amount must be greater than 0"
	case strings.TrimSpace(b.PayerName) == "":
		return "payer_name", "payer_name can't be blank"
	case !validEmail(b.PayerEmail):
		return "payer_email", "payer_email is invalid"
	case b.ParticipantEmail != "" && !validEmail(b.ParticipantEmail):
		return "participant_email", "participant_email is invalid"
	}
	return "", ""
}

func validEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s
}

func invalid(field, detail string) oapiserver.ErrorDocument {
	d := errorDoc(http.StatusUnprocessableEntity, "validation_error", "Validation Failed", detail)
	pointer := "/data/attributes/" + field
	d.Errors[0].Source = &oapiserver.ErrorSource{Pointer: &pointer}
	return d
}

func (h *handlers) GetBilling(_ context.Context, req oapiserver.GetBillingRequestObject) (oapiserver.GetBillingResponseObject, error) {
	b, ok := h.store.get(req.UniqueID)
	if !ok {
		return oapiserver.GetBilling404JSONResponse{NotFoundJSONResponse: notFound()}, nil
	}
	return oapiserver.GetBilling200JSONResponse{Data: resourceOf(b)}, nil
}

func (h *handlers) UpdateBilling(_ context.Context, req oapiserver.UpdateBillingRequestObject) (oapiserver.UpdateBillingResponseObject, error) {
	f := req.Body.Billing
	current, ok := h.store.get(req.UniqueID)
	if !ok {
		return oapiserver.UpdateBilling404JSONResponse{NotFoundJSONResponse: notFound()}, nil
	}
	next := current
	apply(&next, f)
	if field, detail := checkBilling(&next); field != "" {
		return oapiserver.UpdateBilling422JSONResponse{UnprocessableJSONResponse: oapiserver.UnprocessableJSONResponse(invalid(field, detail))}, nil
	}
	now := h.store.clock.Now().UTC()
	b, ok := h.store.update(req.UniqueID, func(b *Billing) {
		apply(b, f)
		if b.Status == "paid" && b.PaidAt == nil {
			b.PaidAt = &now // the server records when a billing was marked paid
		}
	})
	if !ok {
		return oapiserver.UpdateBilling404JSONResponse{NotFoundJSONResponse: notFound()}, nil
	}
	return oapiserver.UpdateBilling200JSONResponse{Data: resourceOf(b)}, nil
}

func apply(b *Billing, f oapiserver.UpdateBillingFields) {
	if f.Amount != nil {
		b.Amount = *f.Amount
	}
	if f.Status != nil {
		b.Status = string(*f.Status)
	}
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&b.PayerName, f.PayerName)
	set(&b.PayerEmail, f.PayerEmail)
	set(&b.BillingType, f.BillingType)
	set(&b.ParticipantEmail, f.ParticipantEmail)
	set(&b.Currency, f.FeeCurrency)
	set(&b.Notes, f.BillingNotes)
	if f.InvoiceDueDate != nil {
		b.DueAt = utcTime(f.InvoiceDueDate)
	}
	if f.PaidAt != nil {
		t := f.PaidAt.UTC()
		b.PaidAt = &t
	}
}

func (h *handlers) DeleteBilling(_ context.Context, req oapiserver.DeleteBillingRequestObject) (oapiserver.DeleteBillingResponseObject, error) {
	if !h.store.remove(req.UniqueID) {
		return oapiserver.DeleteBilling404JSONResponse{NotFoundJSONResponse: notFound()}, nil
	}
	return oapiserver.DeleteBilling204Response{}, nil
}

func (h *handlers) GetPaymentSplit(_ context.Context, req oapiserver.GetPaymentSplitRequestObject) (oapiserver.GetPaymentSplitResponseObject, error) {
	b, ok := h.store.get(req.UniqueID)
	if !ok {
		return oapiserver.GetPaymentSplit404JSONResponse{NotFoundJSONResponse: notFound()}, nil
	}
	entries, _ := h.store.split(req.UniqueID)
	splits := make([]oapiserver.PaymentSplitEntry, 0, len(entries))
	for _, e := range entries {
		splits = append(splits, oapiserver.PaymentSplitEntry{
			RecipientName:  optional(e.RecipientName),
			RecipientEmail: optional(e.RecipientEmail),
			Amount:         e.Amount.Unquoted(),
			Percentage:     ptr(e.Percentage.Unquoted()),
		})
	}
	return oapiserver.GetPaymentSplit200JSONResponse{Data: oapiserver.PaymentSplit{
		BillingID: b.UniqueID, TotalAmount: b.Amount.Unquoted(), Splits: splits,
	}}, nil
}

func (h *handlers) GetOutstandingByPayer(_ context.Context, _ oapiserver.GetOutstandingByPayerRequestObject) (oapiserver.GetOutstandingByPayerResponseObject, error) {
	type key struct{ name, email string }
	type acc struct {
		total sum
		count int
	}
	var keys []key
	groups := map[key]*acc{}
	for _, b := range h.store.all(outstanding) {
		k := key{b.PayerName, b.PayerEmail}
		g, ok := groups[k]
		if !ok {
			g = &acc{}
			groups[k] = g
			keys = append(keys, k)
		}
		g.total.add(b.Amount)
		g.count++
	}
	rows := make([]oapiserver.PayerOutstanding, 0, len(keys))
	for _, k := range keys {
		g := groups[k]
		if g.total.err != nil {
			return nil, g.total.err
		}
		rows = append(rows, oapiserver.PayerOutstanding{
			PayerName: k.name, PayerEmail: optional(k.email), TotalOutstanding: g.total.money(), BillingCount: g.count,
		})
	}
	return oapiserver.GetOutstandingByPayer200JSONResponse{Data: rows}, nil
}

func (h *handlers) GetEapSessions(_ context.Context, req oapiserver.GetEapSessionsRequestObject) (oapiserver.GetEapSessionsResponseObject, error) {
	sessions := h.store.all(func(b *Billing) bool {
		return strings.EqualFold(b.ParticipantEmail, req.ParticipantEmail) && b.PayerName == req.PayerName
	})
	var total sum
	data := make(oapiserver.BillingResourceList, 0, len(sessions))
	for _, b := range sessions {
		total.add(b.Amount)
		r := resourceOf(b)
		// A session's day is its billing's creation day: the fake has no meeting calendar.
		r.Attributes.SessionDate = &openapi_types.Date{Time: b.CreatedAt}
		data = append(data, r)
	}
	if total.err != nil {
		return nil, total.err
	}
	n := len(sessions)
	amount := total.money()
	return oapiserver.GetEapSessions200JSONResponse{Data: data, Meta: &oapiserver.EapMeta{TotalSessions: &n, TotalAmount: &amount}}, nil
}

func (h *handlers) GetRevenueReport(_ context.Context, req oapiserver.GetRevenueReportRequestObject) (oapiserver.GetRevenueReportResponseObject, error) {
	p := req.Params
	if p.StartDate != nil && p.EndDate != nil && p.EndDate.Before(p.StartDate.Time) {
		name := "end_date"
		d := errorDoc(http.StatusBadRequest, "bad_request", "Bad Request", "end_date is before start_date")
		d.Errors[0].Source = &oapiserver.ErrorSource{Parameter: &name}
		return oapiserver.GetRevenueReport400JSONResponse{BadRequestJSONResponse: oapiserver.BadRequestJSONResponse(d)}, nil
	}
	inPeriod := func(b *Billing) bool {
		day := b.CreatedAt.UTC().Format(time.DateOnly)
		if p.StartDate != nil && day < p.StartDate.Format(time.DateOnly) {
			return false
		}
		if p.EndDate != nil && day > p.EndDate.Format(time.DateOnly) {
			return false
		}
		return true
	}
	var revenue, paid, pending sum
	billings := h.store.all(inPeriod)
	for _, b := range billings {
		revenue.add(b.Amount)
		if b.Status == "paid" {
			paid.add(b.Amount)
		} else {
			pending.add(b.Amount)
		}
	}
	for _, s := range []*sum{&revenue, &paid, &pending} {
		if s.err != nil {
			return nil, s.err
		}
	}
	report := oapiserver.RevenueReport{
		TotalRevenue: revenue.money(), TotalPaid: paid.money(), TotalPending: pending.money(), BillingCount: len(billings),
	}
	if p.StartDate != nil || p.EndDate != nil {
		report.Period = &oapiserver.ReportPeriod{StartDate: p.StartDate, EndDate: p.EndDate}
	}
	return oapiserver.GetRevenueReport200JSONResponse{Data: report}, nil
}

func (h *handlers) GetAgingReport(_ context.Context, _ oapiserver.GetAgingReportRequestObject) (oapiserver.GetAgingReportResponseObject, error) {
	now := h.store.clock.Now()
	var current, d30, d60, d90, over, total sum
	for _, b := range h.store.all(outstanding) {
		ref := b.CreatedAt
		if b.DueAt != nil {
			ref = *b.DueAt
		}
		total.add(b.Amount)
		switch days := daysPast(ref, now); {
		case days <= 0:
			current.add(b.Amount)
		case days <= 30:
			d30.add(b.Amount)
		case days <= 60:
			d60.add(b.Amount)
		case days <= 90:
			d90.add(b.Amount)
		default:
			over.add(b.Amount)
		}
	}
	for _, s := range []*sum{&current, &d30, &d60, &d90, &over, &total} {
		if s.err != nil {
			return nil, s.err
		}
	}
	return oapiserver.GetAgingReport200JSONResponse{Data: oapiserver.AgingReport{
		Current: current.money(), Days30: d30.money(), Days60: d60.money(), Days90: d90.money(),
		DaysOver90: over.money(), TotalOutstanding: total.money(),
	}}, nil
}

// daysPast counts whole days from ref to now; a billing due later today is not yet late.
func daysPast(ref, now time.Time) int {
	if !now.After(ref) {
		return 0
	}
	return int(now.Sub(ref) / (24 * time.Hour))
}

func (h *handlers) GetParticipantReport(_ context.Context, req oapiserver.GetParticipantReportRequestObject) (oapiserver.GetParticipantReportResponseObject, error) {
	mine := h.store.all(func(b *Billing) bool { return strings.EqualFold(b.ParticipantEmail, req.ParticipantEmail) })
	var billed, paid sum
	rows := make([]oapiserver.ParticipantBilling, 0, len(mine))
	for _, b := range mine {
		billed.add(b.Amount)
		if b.Status == "paid" {
			paid.add(b.Amount)
		}
		created := b.CreatedAt
		rows = append(rows, oapiserver.ParticipantBilling{ID: b.UniqueID, Amount: ptr(b.Amount.Unquoted()), Status: optional(b.Status), CreatedAt: &created})
	}
	if billed.err != nil || paid.err != nil {
		return nil, fmt.Errorf("crmtest: sum overflow")
	}
	outstandingAmount, err := billed.money().Sub(paid.money())
	if err != nil {
		return nil, err
	}
	return oapiserver.GetParticipantReport200JSONResponse{Data: oapiserver.ParticipantReport{
		ParticipantEmail: req.ParticipantEmail, TotalBilled: billed.money(), TotalPaid: paid.money(),
		TotalOutstanding: outstandingAmount, SessionsCount: len(mine), Billings: rows,
	}}, nil
}

// resourceOf renders a stored billing as the vendor's JSON:API resource.
func resourceOf(b Billing) oapiserver.BillingResource {
	created, updated := b.CreatedAt.UTC(), b.UpdatedAt.UTC()
	return oapiserver.BillingResource{
		ID:   b.UniqueID,
		Type: "billing",
		Attributes: oapiserver.BillingAttributes{
			UniqueID:         optional(b.UniqueID),
			MeetingID:        optional(b.MeetingID),
			Amount:           ptr(b.Amount.Unquoted()),
			Currency:         optional(b.Currency),
			PayerName:        optional(b.PayerName),
			PayerEmail:       optional(b.PayerEmail),
			BillingType:      optional(b.BillingType),
			ParticipantEmail: optional(b.ParticipantEmail),
			Status:           optional(b.Status),
			BillingStatus:    optional(paymentState(&b)),
			Notes:            optional(b.Notes),
			DueAt:            b.DueAt,
			PaidAt:           b.PaidAt,
			CreatedAt:        &created,
			UpdatedAt:        &updated,
		},
	}
}

func notFound() oapiserver.NotFoundJSONResponse {
	return oapiserver.NotFoundJSONResponse(errorDoc(http.StatusNotFound, "not_found", "Billing Not Found", "The requested billing record could not be found."))
}

func errorDoc(status int, code, title, detail string) oapiserver.ErrorDocument {
	s := strconv.Itoa(status)
	return oapiserver.ErrorDocument{Errors: []oapiserver.ErrorObject{{Status: &s, Code: &code, Title: &title, Detail: &detail}}}
}

// writeError answers in the vendor's error envelope.
func writeError(w http.ResponseWriter, _ *http.Request, status int, code, title, detail string, src *oapiserver.ErrorSource) {
	d := errorDoc(status, code, title, detail)
	d.Errors[0].Source = src
	_ = writeJSON(w, status, d)
}

func writeJSON(w http.ResponseWriter, status int, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, err = w.Write(body)
	return err
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func ptr[T any](v T) *T { return &v }

func deref(p *string, fallback string) string {
	if p != nil && *p != "" {
		return *p
	}
	return fallback
}

func utcTime(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

package clinictest

import (
	"context"
	"crypto/subtle"
	"fmt"
	"strings"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/clinic"
	"github.com/polybill/polybill-go/clinic/internal/oapiserver"
	"github.com/polybill/polybill-go/clinic/webhook"
)

// handlers implements the generated strict server; the build breaks here when the spec gains an
// operation the fake does not serve.
type handlers struct{ s *Server }

var _ oapiserver.StrictServerInterface = (*handlers)(nil)

func ptr[T any](v T) *T { return &v }

func tokenError(code, desc string) oapiserver.TokenError {
	return oapiserver.TokenError{Error: code, ErrorDescription: &desc}
}

func apiError(code, msg string, details ...errorDetail) oapiserver.Error {
	e := oapiserver.Error{Error: &code, Message: &msg}
	if len(details) > 0 {
		ds := make([]oapiserver.ErrorDetail, len(details))
		for i, d := range details {
			ds[i] = oapiserver.ErrorDetail{Field: nonEmpty(d.Field), Message: ptr(d.Message)}
		}
		e.Details = &ds
	}
	return e
}

// IssueToken implements the client-credentials grant: credentials in the form body, a token
// that expires after the TTL on the fake's clock, scopes narrowed by the optional scope
// parameter (RFC 6749 §3.3).
func (h *handlers) IssueToken(_ context.Context, req oapiserver.IssueTokenRequestObject) (oapiserver.IssueTokenResponseObject, error) {
	s := h.s
	b := req.Body
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.clients[b.ClientID]
	if c == nil || subtle.ConstantTimeCompare([]byte(c.secret), []byte(b.ClientSecret)) != 1 {
		return oapiserver.IssueToken401JSONResponse(tokenError("invalid_client", "Client authentication failed.")), nil
	}
	granted := c.scopes
	if b.Scope != nil && strings.TrimSpace(*b.Scope) != "" {
		granted = nil
		for _, sc := range strings.Fields(*b.Scope) {
			if !contains(c.scopes, sc) {
				return oapiserver.IssueToken400JSONResponse(tokenError("invalid_scope", "Scope "+sc+" is not assigned to this client.")), nil
			}
			granted = append(granted, sc)
		}
	}
	tok := newToken()
	s.tokens[tok] = &token{scopes: granted, expires: s.clock.Now().Add(s.ttl)}
	s.tokensIssue++
	return oapiserver.IssueToken200JSONResponse{
		AccessToken: tok, TokenType: "Bearer", ExpiresIn: int(s.ttl.Seconds()), Scope: ptr(strings.Join(granted, " ")),
	}, nil
}

func (h *handlers) ListInvoices(_ context.Context, req oapiserver.ListInvoicesRequestObject) (oapiserver.ListInvoicesResponseObject, error) {
	s := h.s
	p := req.Params
	page, perPage := 1, 20
	if p.Page != nil {
		page = *p.Page
	}
	if p.PerPage != nil {
		perPage = *p.PerPage
	}
	s.mu.Lock()
	var match []oapiserver.InvoiceSummary
	for _, id := range s.order {
		inv := s.invoices[id]
		switch {
		case p.PatientID != nil && inv.patientID != *p.PatientID,
			p.BranchID != nil && inv.branchID != *p.BranchID,
			p.Status != nil && string(inv.status) != string(*p.Status),
			p.DateFrom != nil && inv.date.Compare(polybill.DateOf(p.DateFrom.Time)) < 0,
			p.DateTo != nil && inv.date.Compare(polybill.DateOf(p.DateTo.Time)) > 0:
			continue
		}
		match = append(match, inv.summary())
	}
	bare := s.bare
	s.mu.Unlock()

	total := len(match)
	start := min((page-1)*perPage, total)
	end := min(start+perPage, total)
	items := append([]oapiserver.InvoiceSummary{}, match[start:end]...)
	var out oapiserver.InvoiceList
	var err error
	if bare {
		err = out.FromInvoiceSummaryArray(items)
	} else {
		pages := (total + perPage - 1) / perPage
		err = out.FromInvoiceListEnvelope(oapiserver.InvoiceListEnvelope{
			Data: items,
			Meta: &oapiserver.ListMeta{Page: &page, PerPage: &perPage, Total: &total, TotalPages: &pages},
		})
	}
	if err != nil {
		return nil, err
	}
	return oapiserver.ListInvoices200JSONResponse(out), nil
}

func (h *handlers) GetInvoice(_ context.Context, req oapiserver.GetInvoiceRequestObject) (oapiserver.GetInvoiceResponseObject, error) {
	s := h.s
	s.mu.Lock()
	defer s.mu.Unlock()
	inv := s.invoices[req.ID]
	if inv == nil {
		return oapiserver.GetInvoice404JSONResponse{NotFoundJSONResponse: oapiserver.NotFoundJSONResponse(apiError("not_found", "Invoice "+req.ID+" not found."))}, nil
	}
	return oapiserver.GetInvoice200JSONResponse(inv.detail()), nil
}

// RecordPayment enforces the vendor's rules: only finalized or partially paid invoices take
// payments, never above the balance; the status becomes paid when the balance reaches zero.
func (h *handlers) RecordPayment(ctx context.Context, req oapiserver.RecordPaymentRequestObject) (oapiserver.RecordPaymentResponseObject, error) {
	s := h.s
	b := req.Body
	s.mu.Lock()
	inv := s.invoices[req.ID]
	if inv == nil {
		s.mu.Unlock()
		return oapiserver.RecordPayment404JSONResponse{NotFoundJSONResponse: oapiserver.NotFoundJSONResponse(apiError("not_found", "Invoice "+req.ID+" not found."))}, nil
	}
	if inv.status != clinic.InvoiceStatusFinalized && inv.status != clinic.InvoiceStatusPartiallyPaid {
		s.mu.Unlock()
		return oapiserver.RecordPayment409JSONResponse(apiError("invoice_not_payable", fmt.Sprintf("Invoice %s is %s.", inv.id, inv.status))), nil
	}
	amount := b.Amount
	if amount.Round(2).Cmp(amount) != 0 {
		s.mu.Unlock()
		return oapiserver.RecordPayment400JSONResponse{BadRequestJSONResponse: oapiserver.BadRequestJSONResponse(apiError("validation_error", "amount has more than 2 decimal places", errorDetail{Field: "amount", Message: "at most 2 decimal places"}))}, nil
	}
	if bal := inv.balance(); amount.Cmp(bal) > 0 {
		s.mu.Unlock()
		return oapiserver.RecordPayment422JSONResponse(apiError("amount_exceeds_balance",
			fmt.Sprintf("Amount %s exceeds the outstanding balance %s.", money(amount), money(bal)),
			errorDetail{Field: "amount", Message: "must not exceed " + money(bal).String()})), nil
	}
	now := s.now()
	s.paySeq++
	p := oapiserver.Payment{
		ID: fmt.Sprintf("PAY-%d-%05d", now.Year(), s.paySeq), InvoiceID: ptr(inv.id),
		Amount: money(amount), PaymentMode: b.PaymentMode, Reference: b.Reference,
		RecordedAt: ptr(now.Truncate(1e9)),
	}
	if b.PaymentDate != nil {
		p.PaymentDate = *b.PaymentDate
	} else {
		p.PaymentDate = apiDate(polybill.DateOf(now))
	}
	inv.payments = append(inv.payments, p)
	inv.paid = mustAdd(inv.paid, amount)
	if inv.balance().Sign() == 0 {
		inv.status = clinic.InvoiceStatusPaid
	} else {
		inv.status = clinic.InvoiceStatusPartiallyPaid
	}
	events := []pendingEvent{{webhook.PaymentReceived, paymentData(p)}}
	if inv.status == clinic.InvoiceStatusPaid {
		events = append(events, pendingEvent{webhook.InvoicePaid, invoiceData(inv)})
	}
	s.mu.Unlock()
	// Delivered after the commit and outside the lock, so a receiver may call back into the fake.
	s.deliver(context.WithoutCancel(ctx), events)
	return oapiserver.RecordPayment201JSONResponse(p), nil
}

func (h *handlers) GetSummary(_ context.Context, req oapiserver.GetSummaryRequestObject) (oapiserver.GetSummaryResponseObject, error) {
	s := h.s
	p := req.Params
	out := oapiserver.Summary{
		TotalBilled: zero, TotalCollected: zero, TotalOutstanding: zero,
		CollectionByMode: map[string]polybill.Decimal{}, RevenueByDepartment: map[string]polybill.Decimal{},
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range s.order {
		inv := s.invoices[id]
		switch {
		// Drafts are not bills yet and cancelled invoices are void (ASSUMPTION).
		case inv.status == clinic.InvoiceStatusDraft, inv.status == clinic.InvoiceStatusCancelled,
			p.BranchID != nil && inv.branchID != *p.BranchID,
			p.DateFrom != nil && inv.date.Compare(polybill.DateOf(p.DateFrom.Time)) < 0,
			p.DateTo != nil && inv.date.Compare(polybill.DateOf(p.DateTo.Time)) > 0:
			continue
		}
		out.TotalBilled = mustAdd(out.TotalBilled, inv.grandTotal)
		out.TotalCollected = mustAdd(out.TotalCollected, inv.paid)
		out.TotalOutstanding = mustAdd(out.TotalOutstanding, inv.balance())
		for _, pay := range inv.payments {
			mode := string(pay.PaymentMode)
			out.CollectionByMode[mode] = mustAdd(orZero(out.CollectionByMode[mode]), pay.Amount)
		}
		for _, it := range inv.items {
			dept := "Other"
			if it.Department != nil {
				dept = *it.Department
			}
			out.RevenueByDepartment[dept] = mustAdd(orZero(out.RevenueByDepartment[dept]), it.Amount)
		}
	}
	out.TotalBilled, out.TotalCollected, out.TotalOutstanding = money(out.TotalBilled), money(out.TotalCollected), money(out.TotalOutstanding)
	return oapiserver.GetSummary200JSONResponse(out), nil
}

func orZero(d polybill.Decimal) polybill.Decimal {
	if d == (polybill.Decimal{}) {
		return zero
	}
	return d
}

package clinic_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/clinic"
	"github.com/polybill/polybill-go/clinic/clinictest"
	"github.com/polybill/polybill-go/clinic/internal/oapiserver"
	"github.com/polybill/polybill-go/internal/recordtest"
)

// seedMany adds n invoices: branch MUM-01 for even i and DEL-02 for odd i, dated March 1 + i%20,
// patient PAT-<i%3>, and every fifth one cancelled.
func seedMany(srv *clinictest.Server, n int) {
	for i := range n {
		branch := "MUM-01"
		if i%2 == 1 {
			branch = "DEL-02"
		}
		status := clinic.InvoiceStatusFinalized
		if i%5 == 0 {
			status = clinic.InvoiceStatusCancelled
		}
		seedConsultation(srv, clinictest.InvoiceSeed{
			BranchID: branch, Status: status, PatientID: fmt.Sprintf("PAT-%d", i%3),
			Date: polybill.NewDate(2026, time.March, 1+i%20),
		})
	}
}

func collect(t *testing.T, seq func(func(clinic.InvoiceSummary, error) bool)) []clinic.InvoiceSummary {
	t.Helper()
	var out []clinic.InvoiceSummary
	for inv, err := range seq {
		require.NoError(t, err)
		out = append(out, inv)
	}
	return out
}

func TestListInvoicesPagesAndFilters(t *testing.T) {
	for _, bare := range []bool{false, true} {
		t.Run(fmt.Sprintf("bare array %v", bare), func(t *testing.T) {
			var opts []clinictest.Option
			if bare {
				opts = append(opts, clinictest.WithBareArrayLists())
			}
			f := newFixture(t, opts)
			seedMany(f.srv, 45)
			ctx := context.Background()

			tests := []struct {
				name   string
				params *clinic.ListInvoicesParams
				want   int
				check  func(clinic.InvoiceSummary) bool
			}{
				{"all", nil, 45, func(clinic.InvoiceSummary) bool { return true }},
				{"status", &clinic.ListInvoicesParams{Status: clinic.InvoiceStatusCancelled, PerPage: 4}, 9,
					func(s clinic.InvoiceSummary) bool { return s.Status == clinic.InvoiceStatusCancelled }},
				{"branch", &clinic.ListInvoicesParams{BranchID: "DEL-02", PerPage: 7}, 22,
					func(s clinic.InvoiceSummary) bool { return s.BranchID == "DEL-02" }},
				{"patient", &clinic.ListInvoicesParams{PatientID: "PAT-1"}, 15,
					func(s clinic.InvoiceSummary) bool { return s.PatientID == "PAT-1" }},
				{"date range", &clinic.ListInvoicesParams{DateFrom: polybill.NewDate(2026, 3, 5), DateTo: polybill.NewDate(2026, 3, 6), PerPage: 100}, 5,
					func(s clinic.InvoiceSummary) bool {
						return s.Date.Compare(polybill.NewDate(2026, 3, 5)) >= 0 && s.Date.Compare(polybill.NewDate(2026, 3, 6)) <= 0
					}},
				{"start page", &clinic.ListInvoicesParams{Page: 3, PerPage: 20}, 5, func(clinic.InvoiceSummary) bool { return true }},
			}
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					got := collect(t, f.client.ListInvoices(ctx, tc.params))
					require.Equal(t, tc.want, len(got))
					seen := map[string]bool{}
					for _, s := range got {
						assert.True(t, tc.check(s), "%+v", s)
						assert.False(t, seen[s.ID], "duplicate %s", s.ID)
						seen[s.ID] = true
						assert.Equal(t, "2360.00", s.Total.String())
						assert.NotEmpty(t, s.Raw)
					}
				})
			}
		})
	}
}

func TestListInvoicesIsLazyAndStopsOnShortPage(t *testing.T) {
	f := newFixture(t, nil)
	seedMany(f.srv, 45)
	ctx := context.Background()

	seq := f.client.ListInvoices(ctx, &clinic.ListInvoicesParams{PerPage: 10})
	_, err := f.client.GetSummary(ctx, nil) // obtain the token outside the counts below
	require.NoError(t, err)
	before := f.srv.Requests()
	assert.Equal(t, before, f.srv.Requests(), "nothing is fetched before ranging")

	n := 0
	for _, err := range seq {
		require.NoError(t, err)
		n++
		if n == 12 {
			break
		}
	}
	assert.Equal(t, int64(2), f.srv.Requests()-before, "breaking in page 2 fetches no page 3")

	before = f.srv.Requests()
	all := collect(t, seq)
	assert.Len(t, all, 45)
	assert.Equal(t, int64(5), f.srv.Requests()-before, "pages of 10,10,10,10,5: the short page ends it")

	page, err := f.client.ListInvoicesPage(ctx, &clinic.ListInvoicesParams{Page: 2, PerPage: 20})
	require.NoError(t, err)
	assert.Len(t, page.Items, 20)
	assert.True(t, page.HasMore)
	assert.Equal(t, 3, page.Next)
	assert.Equal(t, 45, page.Total)
	page, err = f.client.ListInvoicesPage(ctx, &clinic.ListInvoicesParams{Page: 3, PerPage: 15})
	require.NoError(t, err)
	assert.Len(t, page.Items, 15)
	assert.False(t, page.HasMore, "meta says 3 pages even though the page is full")
}

func TestListInvoicesBareArrayExactMultiple(t *testing.T) {
	f := newFixture(t, []clinictest.Option{clinictest.WithBareArrayLists()})
	seedMany(f.srv, 20)
	page, err := f.client.ListInvoicesPage(context.Background(), &clinic.ListInvoicesParams{PerPage: 10, Page: 2})
	require.NoError(t, err)
	assert.Equal(t, -1, page.Total, "a bare array carries no total")
	assert.True(t, page.HasMore, "a full page without metadata may have a successor")
	got := collect(t, f.client.ListInvoices(context.Background(), &clinic.ListInvoicesParams{PerPage: 10}))
	assert.Len(t, got, 20, "the empty third page ends the sequence")
}

func TestGetInvoiceGST(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	local := seedConsultation(f.srv, clinictest.InvoiceSeed{PatientName: "Asha Rao", BranchName: "Mumbai Andheri"})
	inter := seedConsultation(f.srv, clinictest.InvoiceSeed{Interstate: true})

	inv, err := f.client.GetInvoice(ctx, local)
	require.NoError(t, err)
	assert.Equal(t, local, inv.ID)
	assert.Equal(t, clinic.InvoiceStatusFinalized, inv.Status)
	assert.Equal(t, clinic.Currency, inv.Currency)
	assert.Equal(t, "Asha Rao", inv.Patient.Name)
	assert.Equal(t, "MUM-01", inv.Branch.ID)
	require.Len(t, inv.LineItems, 2)
	lab := inv.LineItems[1]
	assert.Equal(t, "Laboratory", lab.Department)
	assert.Equal(t, "2", lab.Quantity.String())
	assert.Equal(t, "100.00", lab.Discount.String())
	assert.Equal(t, "180.00", lab.Tax.String(), "18% of 2×550−100")
	assert.Equal(t, "1180.00", lab.Amount.String())
	assert.Equal(t, "2100.00", inv.SubTotal.String())
	assert.Equal(t, "100.00", inv.Discount.String())
	assert.Equal(t, "180.00", inv.Tax.CGST.String())
	assert.Equal(t, "180.00", inv.Tax.SGST.String())
	assert.True(t, inv.Tax.IGST.IsZero())
	assert.Equal(t, "360.00", inv.Tax.Total.String())
	assert.Equal(t, "2360.00", inv.Total.String())
	assert.Equal(t, "2360.00", inv.Balance.String())
	assert.Empty(t, inv.Payments)
	assert.Contains(t, string(inv.Raw), `"line_items"`)

	inv, err = f.client.GetInvoice(ctx, inter)
	require.NoError(t, err)
	assert.Equal(t, "360.00", inv.Tax.IGST.String())
	assert.True(t, inv.Tax.CGST.IsZero())

	for _, id := range []string{"INV-404", "..", "../summary", "a/b", "x?y=1"} {
		_, err := f.client.GetInvoice(ctx, id)
		require.ErrorIs(t, err, polybill.ErrNotFound, "id %q must stay one path segment", id)
	}
}

// TestTolerantReader proves unknown enum values and unknown fields survive decoding, and that
// the documented shape variants decode.
func TestTolerantReader(t *testing.T) {
	f := newFixture(t, nil)
	f.offSpec = true // the bodies below are deliberately off the spec
	ctx := context.Background()
	onInvoice := func(r *http.Request) bool { return r.URL.Path == "/api/v1/billing/invoices/INV-9" }
	f.srv.Faults().Add(clinictest.Fault{Match: onInvoice, Status: 200, Body: `{
		"id":"INV-9","invoice_number":"N-9","date":"2026-03-15T09:00:00+05:30","status":"on_hold",
		"patient_id":"PAT-9","patient_name":"Ravi","branch_id":"BLR-03","total":"118.00","paid":0,"balance":118,
		"line_items":[{"service_name":"X-ray","quantity":0.5,"rate":"200","amount":118,"hsn_code":"9993"}],
		"payments":[{"id":"P1","amount":1,"payment_mode":"wallet","payment_date":"2026-03-15","recorded_at":"not a time"}],
		"insurer":{"name":"Star Health"}}`})
	inv, err := f.client.GetInvoice(ctx, "INV-9")
	require.NoError(t, err)
	assert.Equal(t, clinic.InvoiceStatus("on_hold"), inv.Status)
	assert.False(t, inv.Status.IsKnown())
	assert.Equal(t, polybill.NewDate(2026, 3, 15), inv.Date)
	assert.Equal(t, "118.00", inv.Total.String(), "total stands in for grand_total")
	assert.Equal(t, clinic.Party{ID: "PAT-9", Name: "Ravi"}, inv.Patient)
	assert.Equal(t, "BLR-03", inv.Branch.ID)
	assert.Contains(t, string(inv.Raw), "Star Health")
	assert.Contains(t, string(inv.LineItems[0].Raw), "hsn_code")
	assert.Equal(t, clinic.PaymentMode("wallet"), inv.Payments[0].Mode)
	assert.False(t, inv.Payments[0].Mode.IsKnown())
	assert.True(t, inv.Payments[0].RecordedAt.IsZero())
	assert.Contains(t, string(inv.Payments[0].Raw), "not a time")
	require.Len(t, inv.Payments[0].Problems(), 1, "the unreadable time is reported on its payment")
	assert.Equal(t, "recorded_at", inv.Payments[0].Problems()[0].Path)
	assert.Equal(t, `"not a time"`, string(inv.Payments[0].Problems()[0].Raw))
	assert.Empty(t, inv.Problems())

	f.srv.Faults().Add(clinictest.Fault{Match: func(r *http.Request) bool { return r.URL.Path == "/api/v1/billing/invoices" },
		Status: 200, Body: `{"items":[{"id":"A","total":1,"paid":0,"balance":1,"status":"paid","date":"2026-03-01"}],"pagination":{"total_count":1}}`})
	page, err := f.client.ListInvoicesPage(ctx, nil)
	require.NoError(t, err)
	require.Len(t, page.Items, 1)
	assert.Equal(t, 1, page.Total)
	assert.False(t, page.HasMore)

	f.srv.Faults().Add(clinictest.Fault{Match: func(r *http.Request) bool { return r.URL.Path == "/api/v1/billing/summary" },
		Status: 200, Body: `{"total_billed":450000.00,"total_collected":"380000.00","total_outstanding":70000,"collection_by_mode":{"cash":120000,"crypto":5},"revenue_by_department":{"Surgery":120000}}`})
	s, err := f.client.GetSummary(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, "450000.00", s.TotalBilled.String())
	assert.Equal(t, "380000.00", s.TotalCollected.String())
	assert.Equal(t, "5", s.CollectionByMode["crypto"].String())
	assert.Equal(t, "120000", s.RevenueByDepartment["Surgery"].String())

	f.srv.Faults().Add(clinictest.Fault{Match: func(r *http.Request) bool { return r.URL.Path == "/api/v1/billing/invoices" },
		Status: 200, Body: `{"data":[{"id":"A","total":"one","status":"paid"},{"id":"B","total":"2.00"}]}`})
	page, err = f.client.ListInvoicesPage(ctx, nil)
	require.NoError(t, err, "one unreadable amount does not fail the page")
	require.Len(t, page.Items, 2)
	assert.Equal(t, clinic.InvoiceStatusPaid, page.Items[0].Status)
	assert.True(t, page.Items[0].Total.IsZero())
	require.Len(t, page.Items[0].Problems(), 1)
	assert.Equal(t, "total", page.Items[0].Problems()[0].Path)
	assert.Equal(t, `"one"`, string(page.Items[0].Problems()[0].Raw))
	assert.Equal(t, "2.00", page.Items[1].Total.String())

	f.srv.Faults().Add(clinictest.Fault{Match: func(r *http.Request) bool { return r.URL.Path == "/api/v1/billing/invoices" },
		Status: 200, Body: `<html>`})
	_, err = f.client.ListInvoicesPage(ctx, nil)
	var pe *polybill.Error
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, polybill.CodeInvalidResponse, pe.Code)
}

// Bad leaves of a full invoice (an empty amount, a float residue, a line's amount of the wrong
// type) fail neither the call nor the other fields; each is reported with its path.
func TestInvoiceBadLeaves(t *testing.T) {
	f := newFixture(t, nil)
	f.offSpec = true
	f.srv.Faults().Add(clinictest.Fault{Match: func(r *http.Request) bool { return r.URL.Path == "/api/v1/billing/invoices/INV-8" },
		Status: 200, Body: `{"id":"INV-8","grand_total":"","paid":"3.30","balance":4.440892098500626e-16,
		"line_items":[{"service_name":"A","amount":[1]},{"service_name":"B","amount":"1.10"}]}`})
	inv, err := f.client.GetInvoice(context.Background(), "INV-8")
	require.NoError(t, err)
	assert.Equal(t, "3.30", inv.Paid.String())
	assert.True(t, inv.Total.IsZero())
	assert.True(t, inv.Balance.IsZero(), "a float residue is never rounded into an amount")
	var paths, raws []string
	for _, p := range inv.Problems() {
		paths, raws = append(paths, p.Path), append(raws, string(p.Raw))
	}
	assert.Equal(t, []string{"grand_total", "balance"}, paths)
	assert.Equal(t, []string{`""`, `4.440892098500626e-16`}, raws)
	require.Len(t, inv.LineItems, 2)
	require.Len(t, inv.LineItems[0].Problems(), 1)
	assert.Equal(t, "amount", inv.LineItems[0].Problems()[0].Path)
	assert.Equal(t, "1.10", inv.LineItems[1].Amount.String())
}

// The typed constants and the spec's enums must not drift apart.
func TestEnumsMatchTheSpec(t *testing.T) {
	spec, err := oapiserver.GetSpec()
	require.NoError(t, err)
	enum := func(name string) []string {
		var out []string
		for _, v := range spec.Components.Schemas[name].Value.Enum {
			out = append(out, v.(string))
		}
		return out
	}
	statuses := []clinic.InvoiceStatus{clinic.InvoiceStatusDraft, clinic.InvoiceStatusFinalized, clinic.InvoiceStatusPaid, clinic.InvoiceStatusPartiallyPaid, clinic.InvoiceStatusCancelled}
	var gotStatuses []string
	for _, s := range statuses {
		assert.True(t, s.IsKnown())
		gotStatuses = append(gotStatuses, string(s))
	}
	assert.ElementsMatch(t, enum("InvoiceStatus"), gotStatuses)
	modes := []clinic.PaymentMode{clinic.PaymentModeCash, clinic.PaymentModeCard, clinic.PaymentModeUPI, clinic.PaymentModeNEFT, clinic.PaymentModeCheque, clinic.PaymentModeOnline, clinic.PaymentModeInsurance}
	var gotModes []string
	for _, m := range modes {
		assert.True(t, m.IsKnown())
		gotModes = append(gotModes, string(m))
	}
	assert.ElementsMatch(t, enum("PaymentMode"), gotModes)
	assert.False(t, clinic.InvoiceStatus("").IsKnown())
	assert.False(t, clinic.PaymentMode("UPI").IsKnown(), "enums are case-sensitive on the wire")
}

// A fetched invoice's Raw is the record as sent, and stays so (see recordtest).
func TestInvoiceRawIsTheRecordAsSentAndStaysSo(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	recordtest.RawIsTheRecordAsSent(t,
		func(opts ...polybill.RequestOption) (json.RawMessage, error) {
			inv, err := f.client.GetInvoice(ctx, seedConsultation(f.srv, clinictest.InvoiceSeed{PatientName: "Asha Rao"}), opts...)
			if err != nil {
				return nil, err
			}
			return inv.Raw, nil
		},
		func() error {
			_, err := f.client.GetInvoice(ctx, seedConsultation(f.srv, clinictest.InvoiceSeed{Interstate: true}))
			return err
		},
		func(b []byte) (json.RawMessage, error) {
			var inv clinic.Invoice
			err := json.Unmarshal(b, &inv)
			return inv.Raw, err
		})
}

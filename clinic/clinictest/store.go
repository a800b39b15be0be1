package clinictest

import (
	"fmt"
	"time"

	openapi_types "github.com/oapi-codegen/runtime/types"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/clinic"
	"github.com/polybill/polybill-go/clinic/internal/oapiserver"
)

// InvoiceSeed describes an invoice to put in the fake. Zero fields get defaults.
type InvoiceSeed struct {
	// ID defaults to INV-<year>-<sequence>.
	ID          string
	Number      string // defaults to <branch>/<year>/<sequence>
	PatientID   string // defaults to PAT-<year>-00001
	PatientName string // defaults to "Test Patient"
	BranchID    string // defaults to MUM-01
	BranchName  string
	// Date defaults to today on the fake's clock (IST).
	Date clinic.Date
	// Status defaults to finalized; draft and cancelled invoices refuse payments.
	Status clinic.InvoiceStatus
	// Interstate bills IGST instead of CGST + SGST.
	Interstate bool
	Items      []ItemSeed
}

// ItemSeed is one line item. Its amount is Quantity × Rate − Discount + tax, where tax is
// TaxPercent of (Quantity × Rate − Discount), rounded to paise.
type ItemSeed struct {
	Service    string
	Department string
	Quantity   polybill.Decimal
	Rate       polybill.Decimal
	Discount   polybill.Decimal
	TaxPercent polybill.Decimal
}

type invoice struct {
	id, number             string
	patientID, patientName string
	branchID, branchName   string
	date                   clinic.Date
	status                 clinic.InvoiceStatus
	interstate             bool
	items                  []oapiserver.LineItem
	subTotal, discount     polybill.Decimal
	cgst, sgst, igst, tax  polybill.Decimal
	grandTotal, paid       polybill.Decimal
	payments               []oapiserver.Payment
}

func (inv *invoice) balance() polybill.Decimal { return mustSub(inv.grandTotal, inv.paid) }

var (
	zero    = polybill.MustDecimal("0.00")
	percent = polybill.MustDecimal("0.01")
	half    = polybill.MustDecimal("0.5")
)

func mustAdd(a, b polybill.Decimal) polybill.Decimal {
	d, err := a.Add(b)
	if err != nil {
		panic("clinictest: amount overflow: " + err.Error())
	}
	return d
}

func mustSub(a, b polybill.Decimal) polybill.Decimal {
	d, err := a.Sub(b)
	if err != nil {
		panic("clinictest: amount overflow: " + err.Error())
	}
	return d
}

func mustMul(a, b polybill.Decimal) polybill.Decimal {
	d, err := a.Mul(b)
	if err != nil {
		panic("clinictest: amount overflow: " + err.Error())
	}
	return d
}

func money(d polybill.Decimal) polybill.Decimal { return d.Round(2).Unquoted() }

// AddInvoice stores an invoice built from seed and returns its id. GST is computed per line and
// split CGST/SGST half and half (IGST when Interstate).
func (s *Server) AddInvoice(seed InvoiceSeed) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	now := s.now()
	inv := &invoice{
		id: seed.ID, number: seed.Number, patientID: seed.PatientID, patientName: seed.PatientName,
		branchID: seed.BranchID, branchName: seed.BranchName, date: seed.Date, status: seed.Status,
		interstate: seed.Interstate,
		subTotal:   zero, discount: zero, cgst: zero, sgst: zero, igst: zero, tax: zero, paid: zero,
	}
	if inv.id == "" {
		inv.id = fmt.Sprintf("INV-%d-%05d", now.Year(), s.seq)
	}
	if inv.branchID == "" {
		inv.branchID = "MUM-01"
	}
	if inv.number == "" {
		inv.number = fmt.Sprintf("%s/%d/%05d", inv.branchID, now.Year(), s.seq)
	}
	if inv.patientID == "" {
		inv.patientID = fmt.Sprintf("PAT-%d-00001", now.Year())
	}
	if inv.patientName == "" {
		inv.patientName = "Test Patient"
	}
	if inv.date.IsZero() {
		inv.date = polybill.DateOf(now)
	}
	if inv.status == "" {
		inv.status = clinic.InvoiceStatusFinalized
	}
	if _, dup := s.invoices[inv.id]; dup {
		panic("clinictest: duplicate invoice id " + inv.id)
	}
	for _, it := range seed.Items {
		gross := money(mustMul(it.Quantity, it.Rate))
		disc := money(it.Discount)
		taxable := mustSub(gross, disc)
		tax := money(mustMul(mustMul(taxable, it.TaxPercent), percent))
		if inv.interstate {
			inv.igst = mustAdd(inv.igst, tax)
		} else {
			c := money(mustMul(tax, half))
			inv.cgst = mustAdd(inv.cgst, c)
			inv.sgst = mustAdd(inv.sgst, mustSub(tax, c))
		}
		amount := money(mustAdd(taxable, tax))
		dept := it.Department
		item := oapiserver.LineItem{
			ServiceName: it.Service, Quantity: it.Quantity.Unquoted(), Rate: money(it.Rate),
			Discount: &disc, Tax: &tax, Amount: amount,
		}
		if dept != "" {
			item.Department = &dept
		}
		inv.items = append(inv.items, item)
		inv.subTotal = mustAdd(inv.subTotal, gross)
		inv.discount = mustAdd(inv.discount, disc)
		inv.tax = mustAdd(inv.tax, tax)
	}
	inv.grandTotal = money(mustAdd(mustSub(inv.subTotal, inv.discount), inv.tax))
	s.invoices[inv.id] = inv
	s.order = append(s.order, inv.id)
	return inv.id
}

// PaymentCount reports how many payments the invoice has (0 for an unknown invoice): the check
// that an irreversible payment was not recorded twice.
func (s *Server) PaymentCount(invoiceID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if inv := s.invoices[invoiceID]; inv != nil {
		return len(inv.payments)
	}
	return 0
}

// InvoiceStatus reports the invoice's status ("" for an unknown invoice).
func (s *Server) InvoiceStatus(invoiceID string) clinic.InvoiceStatus {
	s.mu.Lock()
	defer s.mu.Unlock()
	if inv := s.invoices[invoiceID]; inv != nil {
		return inv.status
	}
	return ""
}

func apiDate(d clinic.Date) openapi_types.Date {
	return openapi_types.Date{Time: d.Time(time.UTC)}
}

func (inv *invoice) summary() oapiserver.InvoiceSummary {
	pid, bid := inv.patientID, inv.branchID
	return oapiserver.InvoiceSummary{
		ID: inv.id, InvoiceNumber: inv.number, PatientID: &pid, PatientName: inv.patientName,
		BranchID: &bid, Total: inv.grandTotal, Paid: money(inv.paid), Balance: money(inv.balance()),
		Status: oapiserver.InvoiceStatus(inv.status), Date: apiDate(inv.date),
	}
}

func (inv *invoice) detail() oapiserver.Invoice {
	cur := string(clinic.Currency)
	sub, disc, total := money(inv.subTotal), money(inv.discount), inv.grandTotal
	cgst, sgst, igst, tax := money(inv.cgst), money(inv.sgst), money(inv.igst), money(inv.tax)
	items := append([]oapiserver.LineItem{}, inv.items...)
	payments := append([]oapiserver.Payment{}, inv.payments...)
	return oapiserver.Invoice{
		ID: inv.id, InvoiceNumber: inv.number, Date: apiDate(inv.date),
		Status: oapiserver.InvoiceStatus(inv.status), Currency: &cur,
		Patient:   &oapiserver.Party{ID: inv.patientID, Name: &inv.patientName},
		Branch:    &oapiserver.Party{ID: inv.branchID, Name: nonEmpty(inv.branchName)},
		LineItems: items, SubTotal: &sub, Discount: &disc,
		Tax:        &oapiserver.TaxBreakdown{Cgst: &cgst, Sgst: &sgst, Igst: &igst, Total: &tax},
		GrandTotal: total, Total: &total, Paid: money(inv.paid), Balance: money(inv.balance()),
		Payments: payments,
	}
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

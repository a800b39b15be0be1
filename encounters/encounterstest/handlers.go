package encounterstest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strconv"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/encounters/internal/oapiserver"
	"github.com/polybill/polybill-go/encounters/internal/qs"
)

const (
	svcInvoices   = "billing-invoices"
	svcItems      = "billing-items"
	svcPayments   = "billing-payments"
	svcEncounters = "medical-encounters"
	svcCustomers  = "billing/customers"
	svcIntents    = "billing-payment-intents"
)

// handlers implements every operation of the spec; the build breaks when the
// spec gains one the fake does not serve.
type handlers struct{ s *Server }

var _ oapiserver.StrictServerInterface = (*handlers)(nil)

func (s *Server) now() json.Number {
	return json.Number(strconv.FormatInt(s.clock.Now().UnixMilli(), 10))
}

func (s *Server) newID(prefix string) string {
	s.seq++
	return fmt.Sprintf("%s-%d", prefix, s.seq)
}

// --- computed fields -------------------------------------------------------

func (s *Server) itemPayable(item doc) polybill.Decimal {
	qty := polybill.DecimalFromInt(1)
	if q, ok := item["quantity"].(json.Number); ok {
		qty = dec(q)
	}
	p, err := dec(item["price"]).Mul(qty)
	if err != nil {
		return dec(item["price"])
	}
	return p
}

func (s *Server) itemPaid(id string) polybill.Decimal {
	sum := polybill.DecimalFromInt(0)
	for _, p := range s.st.coll(svcPayments).all() {
		if p["item"] == id && p["voidedAt"] == nil {
			sum, _ = sum.Add(dec(p["amount"]))
		}
	}
	return sum
}

func (s *Server) itemsOf(invoice string) []doc {
	var out []doc
	for _, it := range s.st.coll(svcItems).all() {
		if it["invoice"] == invoice {
			out = append(out, it)
		}
	}
	return out
}

// render adds the virtual fields HapiHub computes.
func (s *Server) render(svc string, d doc) doc {
	out := clone(d)
	switch svc {
	case svcItems:
		if d["voidedAt"] == nil {
			paid := s.itemPaid(d["id"].(string))
			bal, _ := s.itemPayable(d).Sub(paid)
			out["paid"], out["balance"] = num(paid), num(bal)
		}
	case svcInvoices:
		total, paid := polybill.DecimalFromInt(0), polybill.DecimalFromInt(0)
		for _, it := range s.itemsOf(d["id"].(string)) {
			if it["voidedAt"] != nil {
				continue
			}
			total, _ = total.Add(s.itemPayable(it))
			paid, _ = paid.Add(s.itemPaid(it["id"].(string)))
		}
		bal, _ := total.Sub(paid)
		status := "unpaid"
		if total.Sign() > 0 && bal.Sign() <= 0 {
			status = "paid"
		}
		out["total"], out["paid"], out["balance"], out["status"] = num(total), num(paid), num(bal), status
	case svcCustomers:
		delete(out, "cards")
	}
	return out
}

// --- generic Feathers methods ---------------------------------------------

func (h *handlers) query(ctx context.Context) (*qs.Object, *reply) {
	q, err := qs.Decode(rawQuery(ctx))
	if err != nil {
		r := badRequest("", err.Error())
		return nil, &r
	}
	return q, nil
}

func queryFail(err error) reply {
	var qe *queryError
	if errors.As(err, &qe) {
		return badRequest("", qe.msg)
	}
	return fail(500, "GeneralError", err.Error(), nil)
}

// filter returns the rendered documents of svc matching q. Call with s.mu held.
func (s *Server) filter(svc string, q *qs.Object) ([]doc, error) {
	var out []doc
	for _, d := range s.st.coll(svc).all() {
		r := s.render(svc, d)
		ok, err := matches(r, q)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, r)
		}
	}
	return out, nil
}

func (h *handlers) find(ctx context.Context, svc string) reply {
	q, bad := h.query(ctx)
	if bad != nil {
		return *bad
	}
	s := h.s
	s.mu.Lock()
	defer s.mu.Unlock()
	docs, err := s.filter(svc, q)
	if err != nil {
		return queryFail(err)
	}
	if err := sortDocs(docs, q); err != nil {
		return queryFail(err)
	}
	limit, err := intParam(q, "$limit", s.defLimit)
	if err != nil {
		return queryFail(err)
	}
	skip, err := intParam(q, "$skip", 0)
	if err != nil {
		return queryFail(err)
	}
	limit = min(limit, s.maxLimit)
	total := len(docs)
	lo, hi := min(skip, total), min(skip+limit, total)
	data := make([]doc, 0, hi-lo)
	for _, d := range docs[lo:hi] {
		d, err := s.finish(d, q)
		if err != nil {
			return queryFail(err)
		}
		data = append(data, d)
	}
	if PageShape(s.shape.Load()) == PageArray {
		return reply{200, data}
	}
	return reply{200, map[string]any{"total": total, "limit": limit, "skip": skip, "data": data}}
}

// finish applies $populate and $select to one rendered record.
func (s *Server) finish(d doc, q *qs.Object) (doc, error) {
	if err := s.populate(d, q); err != nil {
		return nil, err
	}
	return selectFields(d, q)
}

func (s *Server) populate(d doc, q *qs.Object) error {
	v, ok := q.Get("$populate")
	if !ok {
		return nil
	}
	spec, ok := v.(*qs.Object)
	if !ok {
		return &queryError{"$populate must be an object"}
	}
	populated := map[string]any{}
	for _, alias := range spec.Keys() {
		ev, _ := spec.Get(alias)
		entry, ok := ev.(*qs.Object)
		if !ok {
			return &queryError{"$populate[" + alias + "] must be an object"}
		}
		str := func(k string) string { v, _ := entry.Get(k); s, _ := v.(string); return s }
		svc, method, localKey, foreignKey := str("service"), str("method"), str("localKey"), str("foreignKey")
		if svc == "" || localKey == "" {
			return &queryError{"$populate[" + alias + "] needs service and localKey"}
		}
		local, _ := lookup(d, localKey)
		switch method {
		case "get":
			id, _ := local.(string)
			if t := s.st.coll(svc).get(id); t != nil {
				populated[alias] = s.render(svc, t)
			} else {
				populated[alias] = nil
			}
		case "find", "findOne":
			sub := qs.NewObject()
			for _, k := range entry.Keys() {
				switch k {
				case "service", "method", "localKey", "foreignKey":
				default:
					v, _ := entry.Get(k)
					sub.Set(k, v)
				}
			}
			sub.Set(foreignKey, local)
			found, err := s.filter(svc, sub)
			if err != nil {
				return err
			}
			if err := sortDocs(found, sub); err != nil {
				return err
			}
			if method == "findOne" {
				if len(found) > 0 {
					populated[alias] = found[0]
				} else {
					populated[alias] = nil
				}
			} else {
				if found == nil {
					found = []doc{}
				}
				populated[alias] = found
			}
		default:
			return &queryError{"$populate[" + alias + "][method] must be get, find or findOne"}
		}
	}
	d["$populated"] = populated
	return nil
}

func (h *handlers) get(ctx context.Context, svc, id string) reply {
	q, bad := h.query(ctx)
	if bad != nil {
		return *bad
	}
	s := h.s
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.st.coll(svc).get(id)
	if d == nil {
		return notFound(id)
	}
	out, err := s.finish(s.render(svc, d), q)
	if err != nil {
		return queryFail(err)
	}
	return reply{200, out}
}

// applyPatch sets plain fields and clears $unset paths (top-level fields).
func applyPatch(d doc, body doc, operators ...string) {
	skip := map[string]bool{"$unset": true}
	for _, o := range operators {
		skip[o] = true
	}
	for k, v := range body {
		if !skip[k] {
			d[k] = v
		}
	}
	if un, ok := body["$unset"].(map[string]any); ok {
		for k := range un {
			delete(d, k)
		}
	}
}

// --- invoices ---------------------------------------------------------------

func (h *handlers) FindInvoices(ctx context.Context, _ oapiserver.FindInvoicesRequestObject) (oapiserver.FindInvoicesResponseObject, error) {
	return h.find(ctx, svcInvoices), nil
}

func (h *handlers) GetInvoice(ctx context.Context, r oapiserver.GetInvoiceRequestObject) (oapiserver.GetInvoiceResponseObject, error) {
	return h.get(ctx, svcInvoices, r.ID), nil
}

func (h *handlers) CreateInvoice(_ context.Context, r oapiserver.CreateInvoiceRequestObject) (oapiserver.CreateInvoiceResponseObject, error) {
	s := h.s
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.createInvoice(toDoc(r.Body)), nil
}

func (s *Server) createInvoice(d doc) reply {
	id, _ := d["id"].(string)
	if id == "" {
		// Skip ids a caller chose (Invoices.Create with ID "inv-1"), so a generated
		// id never overwrites an invoice.
		for id = s.newID("inv"); s.st.coll(svcInvoices).get(id) != nil; id = s.newID("inv") {
		}
	} else if s.st.coll(svcInvoices).get(id) != nil {
		return fail(409, "Conflict", fmt.Sprintf("id '%s' already exists", id), map[string]any{"id": "already exists"})
	}
	d["id"] = id
	if d["createdAt"] == nil {
		d["createdAt"] = s.now()
	}
	d["createdBy"] = "uid-fake"
	s.st.coll(svcInvoices).put(id, d)
	return reply{201, s.render(svcInvoices, d)}
}

func (s *Server) finalizeInvoice(d doc) {
	if d["finalizedAt"] == nil {
		d["finalizedAt"], d["finalizedBy"] = s.now(), "uid-fake"
	}
	for _, it := range s.itemsOf(d["id"].(string)) {
		if it["finalizedAt"] == nil {
			it["finalizedAt"], it["finalizedBy"] = s.now(), "uid-fake"
		}
	}
}

func (h *handlers) PatchInvoice(_ context.Context, r oapiserver.PatchInvoiceRequestObject) (oapiserver.PatchInvoiceResponseObject, error) {
	s := h.s
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.st.coll(svcInvoices).get(r.ID)
	if d == nil {
		return notFound(r.ID), nil
	}
	body := toDoc(r.Body)
	applyPatch(d, body, "finalize")
	if body["finalize"] == true {
		s.finalizeInvoice(d)
	}
	return reply{200, s.render(svcInvoices, d)}, nil
}

func (h *handlers) RemoveInvoice(_ context.Context, r oapiserver.RemoveInvoiceRequestObject) (oapiserver.RemoveInvoiceResponseObject, error) {
	s := h.s
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.st.coll(svcInvoices).get(r.ID)
	if d == nil {
		return notFound(r.ID), nil
	}
	if d["finalizedAt"] != nil {
		return badRequest("id", "Cannot remove a finalized invoice"), nil
	}
	out := s.render(svcInvoices, d)
	for _, it := range s.itemsOf(r.ID) {
		s.removeItem(it["id"].(string))
	}
	s.st.coll(svcInvoices).remove(r.ID)
	return reply{200, out}, nil
}

// --- items ------------------------------------------------------------------

func (h *handlers) FindItems(ctx context.Context, _ oapiserver.FindItemsRequestObject) (oapiserver.FindItemsResponseObject, error) {
	return h.find(ctx, svcItems), nil
}

func (h *handlers) GetItem(ctx context.Context, r oapiserver.GetItemRequestObject) (oapiserver.GetItemResponseObject, error) {
	return h.get(ctx, svcItems, r.ID), nil
}

func (h *handlers) CreateItem(_ context.Context, r oapiserver.CreateItemRequestObject) (oapiserver.CreateItemResponseObject, error) {
	s := h.s
	s.mu.Lock()
	defer s.mu.Unlock()
	d := toDoc(r.Body)
	inv := s.st.coll(svcInvoices).get(r.Body.Invoice)
	switch {
	case inv == nil:
		return badRequest("invoice", fmt.Sprintf("Invoice '%s' not found", r.Body.Invoice)), nil
	case inv["finalizedAt"] != nil:
		return badRequest("invoice", "Cannot add items to a finalized invoice"), nil
	case r.Body.Price.Sign() < 0:
		return badRequest("price", "price must not be negative"), nil
	}
	if d["quantity"] == nil {
		d["quantity"] = json.Number("1")
	}
	id := s.newID("itm")
	d["id"] = id
	for from, to := range map[string]string{"facility": "facility", "type": "invoiceType", "subject": "invoiceSubject", "createdAt": "invoiceCreatedAt"} {
		if v, ok := inv[from]; ok && v != nil {
			d[to] = v
		}
	}
	d["createdAt"], d["createdBy"] = s.now(), "uid-fake"
	s.st.coll(svcItems).put(id, d)
	return reply{201, s.render(svcItems, d)}, nil
}

func (h *handlers) PatchItem(_ context.Context, r oapiserver.PatchItemRequestObject) (oapiserver.PatchItemResponseObject, error) {
	s := h.s
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.st.coll(svcItems).get(r.ID)
	if d == nil {
		return notFound(r.ID), nil
	}
	body := toDoc(r.Body)
	if d["finalizedAt"] != nil && (body["price"] != nil || body["quantity"] != nil) {
		return badRequest("price", "Cannot change the price or quantity of a finalized item"), nil
	}
	next := clone(d)
	applyPatch(next, body, "finalize")
	if s.itemPayable(next).Cmp(s.itemPaid(r.ID)) < 0 {
		return badRequest("price", "The item's payments would exceed its payable amount"), nil
	}
	applyPatch(d, body, "finalize")
	if body["finalize"] == true && d["finalizedAt"] == nil {
		d["finalizedAt"], d["finalizedBy"] = s.now(), "uid-fake"
	}
	return reply{200, s.render(svcItems, d)}, nil
}

func (s *Server) removeItem(id string) {
	for _, p := range s.st.coll(svcPayments).all() {
		if p["item"] == id {
			s.removePayment(p["id"].(string))
		}
	}
	s.st.coll(svcItems).remove(id)
}

func (h *handlers) RemoveItem(_ context.Context, r oapiserver.RemoveItemRequestObject) (oapiserver.RemoveItemResponseObject, error) {
	s := h.s
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.st.coll(svcItems).get(r.ID)
	if d == nil {
		return notFound(r.ID), nil
	}
	if d["finalizedAt"] != nil {
		return badRequest("id", "Cannot remove a finalized item"), nil
	}
	out := s.render(svcItems, d)
	s.removeItem(r.ID)
	return reply{200, out}, nil
}

// --- payments ---------------------------------------------------------------

func (h *handlers) FindPayments(ctx context.Context, _ oapiserver.FindPaymentsRequestObject) (oapiserver.FindPaymentsResponseObject, error) {
	return h.find(ctx, svcPayments), nil
}

func (h *handlers) GetPayment(ctx context.Context, r oapiserver.GetPaymentRequestObject) (oapiserver.GetPaymentResponseObject, error) {
	return h.get(ctx, svcPayments, r.ID), nil
}

func (h *handlers) CreatePayment(_ context.Context, r oapiserver.CreatePaymentRequestObject) (oapiserver.CreatePaymentResponseObject, error) {
	s := h.s
	s.mu.Lock()
	defer s.mu.Unlock()
	b := r.Body
	req := toDoc(b)
	// A repeated idemp with the same request is the same payment: answer with
	// the first one. With a different request the key is refused, as Stripe
	// does, rather than answering with a payment the caller did not ask for.
	key := ""
	if b.Idemp != nil {
		key = *b.Idemp
	}
	if first, ok := s.idemp[key]; ok && key != "" {
		if p := s.st.coll(svcPayments).get(first.payment); p != nil {
			if field, same := sameRequest(first.request, req); !same {
				msg := fmt.Sprintf("Idempotency key '%s' was already used for a different payment request (%s differs); use a new key for a new payment", key, field)
				return fail(409, "Conflict", msg, map[string]any{"idemp": msg}), nil
			}
			return reply{201, clone(p)}, nil
		}
		delete(s.idemp, key) // the payment was removed: the key is free again
	}
	item := s.st.coll(svcItems).get(b.Item)
	if item == nil {
		return badRequest("item", fmt.Sprintf("Item '%s' not found", b.Item)), nil
	}
	if b.Amount.Sign() <= 0 {
		return badRequest("amount", "amount must be positive"), nil
	}
	paid, _ := s.itemPaid(b.Item).Add(b.Amount)
	if paid.Cmp(s.itemPayable(item)) > 0 {
		bal, _ := s.itemPayable(item).Sub(s.itemPaid(b.Item))
		return badRequest("amount", fmt.Sprintf("Payment of %s exceeds the item's balance of %s", b.Amount, bal)), nil
	}
	d := clone(req)
	id := s.newID("pay")
	d["id"], d["invoice"], d["createdAt"], d["createdBy"] = id, item["invoice"], s.now(), "uid-fake"
	if f, ok := item["facility"]; ok && f != nil {
		d["facility"] = f
	}
	s.st.coll(svcPayments).put(id, d)
	if key != "" {
		s.idemp[key] = idempEntry{payment: id, request: req}
	}
	return reply{201, clone(d)}, nil
}

// idempEntry is the payment an idemp key created and the request that
// created it.
type idempEntry struct {
	payment string
	request doc
}

// sameRequest reports whether two payment create bodies ask for the same
// payment (amounts compared as decimals, so 100 and 100.00 are equal), and
// otherwise the first field that differs.
func sameRequest(a, b doc) (string, bool) {
	keys := map[string]bool{}
	for k := range a {
		keys[k] = true
	}
	for k := range b {
		keys[k] = true
	}
	sorted := make([]string, 0, len(keys))
	for k := range keys {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	for _, k := range sorted {
		x, y := a[k], b[k]
		if nx, ok := x.(json.Number); ok {
			if ny, ok := y.(json.Number); ok && dec(nx).Cmp(dec(ny)) == 0 {
				continue
			}
			return k, false
		}
		if !reflect.DeepEqual(x, y) {
			return k, false
		}
	}
	return "", true
}

func (h *handlers) PatchPayment(_ context.Context, r oapiserver.PatchPaymentRequestObject) (oapiserver.PatchPaymentResponseObject, error) {
	s := h.s
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.st.coll(svcPayments).get(r.ID)
	if d == nil {
		return notFound(r.ID), nil
	}
	applyPatch(d, toDoc(r.Body))
	return reply{200, clone(d)}, nil
}

func (s *Server) removePayment(id string) { s.st.coll(svcPayments).remove(id) }

func (h *handlers) RemovePayment(_ context.Context, r oapiserver.RemovePaymentRequestObject) (oapiserver.RemovePaymentResponseObject, error) {
	s := h.s
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.st.coll(svcPayments).get(r.ID)
	if d == nil {
		return notFound(r.ID), nil
	}
	s.removePayment(r.ID)
	return reply{200, d}, nil
}

// --- encounters -------------------------------------------------------------

func (h *handlers) FindEncounters(ctx context.Context, _ oapiserver.FindEncountersRequestObject) (oapiserver.FindEncountersResponseObject, error) {
	return h.find(ctx, svcEncounters), nil
}

func (h *handlers) GetEncounter(ctx context.Context, r oapiserver.GetEncounterRequestObject) (oapiserver.GetEncounterResponseObject, error) {
	return h.get(ctx, svcEncounters, r.ID), nil
}

func (h *handlers) CreateEncounter(_ context.Context, r oapiserver.CreateEncounterRequestObject) (oapiserver.CreateEncounterResponseObject, error) {
	s := h.s
	s.mu.Lock()
	defer s.mu.Unlock()
	d := toDoc(r.Body)
	delete(d, "invoice")
	id := s.newID("enc")
	d["id"], d["createdAt"], d["createdBy"] = id, s.now(), "uid-fake"
	s.st.coll(svcEncounters).put(id, d)
	if r.Body.Invoice != nil && *r.Body.Invoice {
		// For medical billing the invoice id is the encounter id.
		s.createInvoice(doc{"id": id, "facility": r.Body.Facility, "type": "medical-encounter", "subject": r.Body.Patient, "subjectType": "medical-patient"})
	}
	return reply{201, clone(d)}, nil
}

func (h *handlers) PatchEncounter(_ context.Context, r oapiserver.PatchEncounterRequestObject) (oapiserver.PatchEncounterResponseObject, error) {
	s := h.s
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.st.coll(svcEncounters).get(r.ID)
	if d == nil {
		return notFound(r.ID), nil
	}
	body := toDoc(r.Body)
	if body["finalize"] == true {
		inv := s.st.coll(svcInvoices).get(r.ID)
		if inv == nil {
			return badRequest("finalize", "The encounter has no invoice"), nil
		}
		s.finalizeInvoice(inv)
	}
	applyPatch(d, body, "finalize", "finish")
	if body["finish"] == true && d["finishedAt"] == nil {
		d["finishedAt"], d["finishedBy"] = s.now(), "uid-fake"
	}
	return reply{200, clone(d)}, nil
}

func (h *handlers) RemoveEncounter(_ context.Context, r oapiserver.RemoveEncounterRequestObject) (oapiserver.RemoveEncounterResponseObject, error) {
	s := h.s
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.st.coll(svcEncounters).get(r.ID)
	if d == nil {
		return notFound(r.ID), nil
	}
	s.st.coll(svcEncounters).remove(r.ID)
	return reply{200, d}, nil
}

// --- customers (vendor guide only) -----------------------------------------

func (h *handlers) FindCustomers(ctx context.Context, _ oapiserver.FindCustomersRequestObject) (oapiserver.FindCustomersResponseObject, error) {
	return h.find(ctx, svcCustomers), nil
}

func (h *handlers) GetCustomer(ctx context.Context, r oapiserver.GetCustomerRequestObject) (oapiserver.GetCustomerResponseObject, error) {
	s := h.s
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.st.coll(svcCustomers).get(r.ID)
	if d == nil {
		return notFound(r.ID), nil
	}
	out := s.render(svcCustomers, d)
	if p := r.Params.PopulateStripeCards; p != nil && (*p == "true" || *p == "#true") {
		cards, _ := d["cards"].([]any)
		if cards == nil {
			cards = []any{}
		}
		out["stripeCustomerCards"] = map[string]any{"data": cards}
	}
	return reply{200, out}, nil
}

func (s *Server) addCard(d doc, token string) {
	s.seq++
	card := map[string]any{"id": fmt.Sprintf("card_%d", s.seq), "object": "card", "brand": "Visa", "last4": fmt.Sprintf("%04d", 4242+s.seq), "exp_month": json.Number("12"), "exp_year": json.Number("2030"), "fingerprint": token}
	cards, _ := d["cards"].([]any)
	d["cards"] = append(cards, card)
	d["defaultCard"] = card["id"]
	if d["stripeCustomer"] == nil {
		d["stripeCustomer"] = fmt.Sprintf("cus_%d", s.seq)
	}
}

func (h *handlers) CreateCustomer(_ context.Context, r oapiserver.CreateCustomerRequestObject) (oapiserver.CreateCustomerResponseObject, error) {
	s := h.s
	s.mu.Lock()
	defer s.mu.Unlock()
	o := r.Body.Owner
	if (o.Account == nil || *o.Account == "") == (o.Organization == nil || *o.Organization == "") {
		return badRequest("owner", "owner needs exactly one of account or organization"), nil
	}
	d := toDoc(r.Body)
	delete(d, "stripeToken")
	delete(d, "stripeEmail")
	id := s.newID("cus")
	d["id"], d["createdAt"], d["createdBy"] = id, s.now(), "uid-fake"
	if r.Body.StripeToken != nil {
		s.addCard(d, *r.Body.StripeToken)
	}
	s.st.coll(svcCustomers).put(id, d)
	return reply{201, s.render(svcCustomers, d)}, nil
}

func (h *handlers) PatchCustomer(_ context.Context, r oapiserver.PatchCustomerRequestObject) (oapiserver.PatchCustomerResponseObject, error) {
	s := h.s
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.st.coll(svcCustomers).get(r.ID)
	if d == nil {
		return notFound(r.ID), nil
	}
	cards, _ := d["cards"].([]any)
	find := func(id string) int {
		for i, c := range cards {
			if c.(map[string]any)["id"] == id {
				return i
			}
		}
		return -1
	}
	b := r.Body
	switch {
	case b.StripeToken != nil:
		s.addCard(d, *b.StripeToken)
	case b.DeleteStripeCard != nil:
		i := find(*b.DeleteStripeCard)
		if i < 0 {
			return badRequest("$deleteStripeCard", fmt.Sprintf("No such card: %s", *b.DeleteStripeCard)), nil
		}
		cards = append(cards[:i:i], cards[i+1:]...)
		d["cards"] = cards
		if d["defaultCard"] == *b.DeleteStripeCard {
			delete(d, "defaultCard")
			if len(cards) > 0 {
				d["defaultCard"] = cards[0].(map[string]any)["id"]
			}
		}
	case b.SetDefaultStripeCard != nil:
		if find(*b.SetDefaultStripeCard) < 0 {
			return badRequest("$setDefaultStripeCard", fmt.Sprintf("No such card: %s", *b.SetDefaultStripeCard)), nil
		}
		d["defaultCard"] = *b.SetDefaultStripeCard
	}
	return reply{200, s.render(svcCustomers, d)}, nil
}

func (h *handlers) RemoveCustomer(_ context.Context, r oapiserver.RemoveCustomerRequestObject) (oapiserver.RemoveCustomerResponseObject, error) {
	s := h.s
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.st.coll(svcCustomers).get(r.ID)
	if d == nil {
		return notFound(r.ID), nil
	}
	s.st.coll(svcCustomers).remove(r.ID)
	return reply{200, s.render(svcCustomers, d)}, nil
}

// --- payment intents (vendor guide only) ------------------------------------

func (h *handlers) FindPaymentIntents(ctx context.Context, _ oapiserver.FindPaymentIntentsRequestObject) (oapiserver.FindPaymentIntentsResponseObject, error) {
	return h.find(ctx, svcIntents), nil
}

func (h *handlers) GetPaymentIntent(ctx context.Context, r oapiserver.GetPaymentIntentRequestObject) (oapiserver.GetPaymentIntentResponseObject, error) {
	return h.get(ctx, svcIntents, r.ID), nil
}

func (h *handlers) CreatePaymentIntent(_ context.Context, r oapiserver.CreatePaymentIntentRequestObject) (oapiserver.CreatePaymentIntentResponseObject, error) {
	s := h.s
	s.mu.Lock()
	defer s.mu.Unlock()
	net := polybill.DecimalFromInt(0)
	for i, it := range r.Body.Items {
		var each polybill.Decimal
		switch {
		case it.AmountPerItem != nil:
			each = *it.AmountPerItem
		case it.Ref != nil:
			p, ok := s.catalog[*it.Ref]
			if !ok {
				return badRequest(fmt.Sprintf("items[%d].ref", i), fmt.Sprintf("Unknown %s '%s'", deref(it.Type), *it.Ref)), nil
			}
			each = p
		default:
			return badRequest(fmt.Sprintf("items[%d]", i), "An item needs a ref or a name and amountPerItem"), nil
		}
		line, _ := each.Mul(polybill.DecimalFromInt(int64(it.Quantity)))
		net, _ = net.Add(line)
	}
	d := toDoc(r.Body)
	id := s.newID("pi")
	d["id"], d["status"], d["netAmount"], d["createdAt"] = id, "pending", num(net), s.now()
	d["receivables"] = map[string]any{"facility": num(net)}
	d["checkout"] = map[string]any{"approvalURL": s.URL() + "/checkout/" + id}
	s.st.coll(svcIntents).put(id, d)
	return reply{201, clone(d)}, nil
}

func deref(p *string) string {
	if p == nil {
		return "item"
	}
	return *p
}

func (h *handlers) PatchPaymentIntent(_ context.Context, r oapiserver.PatchPaymentIntentRequestObject) (oapiserver.PatchPaymentIntentResponseObject, error) {
	s := h.s
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.st.coll(svcIntents).get(r.ID)
	if d == nil {
		return notFound(r.ID), nil
	}
	if r.Body.Capture != nil && *r.Body.Capture {
		if d["status"] != "approved" {
			return badRequest("capture", fmt.Sprintf("Payment intent is %v; only an approved intent can be captured", d["status"])), nil
		}
		d["status"], d["capturedAt"] = "captured", s.now()
	}
	return reply{200, clone(d)}, nil
}

func (h *handlers) RemovePaymentIntent(_ context.Context, r oapiserver.RemovePaymentIntentRequestObject) (oapiserver.RemovePaymentIntentResponseObject, error) {
	s := h.s
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.st.coll(svcIntents).get(r.ID)
	if d == nil {
		return notFound(r.ID), nil
	}
	s.st.coll(svcIntents).remove(r.ID)
	return reply{200, d}, nil
}

// --- analytics (assumed shape) ----------------------------------------------

func (h *handlers) selectedIntents(ctx context.Context) ([]doc, *reply) {
	q, bad := h.query(ctx)
	if bad != nil {
		return nil, bad
	}
	docs, err := h.s.filter(svcIntents, q)
	if err != nil {
		r := queryFail(err)
		return nil, &r
	}
	return docs, nil
}

func (h *handlers) GetNetAmountTotal(ctx context.Context, _ oapiserver.GetNetAmountTotalRequestObject) (oapiserver.GetNetAmountTotalResponseObject, error) {
	h.s.mu.Lock()
	defer h.s.mu.Unlock()
	docs, bad := h.selectedIntents(ctx)
	if bad != nil {
		return *bad, nil
	}
	sum := polybill.DecimalFromInt(0)
	for _, d := range docs {
		sum, _ = sum.Add(dec(d["netAmount"]))
	}
	return reply{200, map[string]any{"type": "net-amount-total", "netAmount": num(sum)}}, nil
}

func (h *handlers) GetReceivablesTotal(ctx context.Context, _ oapiserver.GetReceivablesTotalRequestObject) (oapiserver.GetReceivablesTotalResponseObject, error) {
	h.s.mu.Lock()
	defer h.s.mu.Unlock()
	docs, bad := h.selectedIntents(ctx)
	if bad != nil {
		return *bad, nil
	}
	sums := map[string]polybill.Decimal{}
	for _, d := range docs {
		rec, _ := d["receivables"].(map[string]any)
		for k, v := range rec {
			cur, ok := sums[k]
			if !ok {
				cur = polybill.DecimalFromInt(0)
			}
			sums[k], _ = cur.Add(dec(v))
		}
	}
	out := map[string]any{}
	for k, v := range sums {
		out[k] = num(v)
	}
	return reply{200, map[string]any{"type": "receivables-total", "receivables": out}}, nil
}

// --- authentication ---------------------------------------------------------

func (h *handlers) Authenticate(_ context.Context, r oapiserver.AuthenticateRequestObject) (oapiserver.AuthenticateResponseObject, error) {
	s := h.s
	s.mu.Lock()
	defer s.mu.Unlock()
	b := r.Body
	switch {
	case b.Action != nil && *b.Action == "refreshAccessToken":
		rt := ""
		if b.RefreshToken != nil {
			rt = *b.RefreshToken
		}
		email, ok := s.refresh[rt]
		if !ok {
			return fail(401, "NotAuthenticated", "Invalid refresh token", nil), nil
		}
		delete(s.refresh, rt) // refresh tokens rotate: each works once
		s.refreshes++
		return reply{201, s.issue(email)}, nil
	case b.Strategy != nil && *b.Strategy == "local":
		email, pw := "", ""
		if b.Email != nil {
			email = *b.Email
		}
		if b.Password != nil {
			pw = *b.Password
		}
		if want, ok := s.users[email]; !ok || want != pw {
			return fail(401, "NotAuthenticated", "Invalid login", nil), nil
		}
		s.logins++
		return reply{201, s.issue(email)}, nil
	case b.Strategy != nil && *b.Strategy == "jwt":
		tok := ""
		if b.AccessToken != nil {
			tok = *b.AccessToken
		}
		exp, ok := s.access[tok]
		if !ok || !s.clock.Now().Before(exp) {
			return fail(401, "NotAuthenticated", "jwt expired", nil), nil
		}
		return reply{201, map[string]any{"uid": "uid-fake", "accessToken": tok}}, nil
	}
	return badRequest("strategy", "Invalid authentication information (no `strategy` set)"), nil
}

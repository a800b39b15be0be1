package epilottest

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/epilot/internal/oapiserver"
)

// handlers implements the generated strict server over the Server's state. Every response
// is a jsonResponse: the generated response types would drop the entities' unknown
// properties (oapi-codegen pitfall 3), the fake writes the stored JSON instead.
type handlers struct{ s *Server }

// jsonResponse is any answer of any operation.
type jsonResponse struct {
	status int
	body   any // nil: no body
}

func (j jsonResponse) visit(w http.ResponseWriter) error {
	if j.body == nil {
		w.WriteHeader(j.status)
		return nil
	}
	b, err := marshalVerbatim(j.body)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(j.status)
	_, err = w.Write(b)
	return err
}

func apiError(status int, message string) jsonResponse {
	return jsonResponse{status, map[string]string{"error": http.StatusText(status), "message": message}}
}

func (j jsonResponse) VisitGetBillingAccountConfigurationHistoryResponse(w http.ResponseWriter) error {
	return j.visit(w)
}
func (j jsonResponse) VisitGetBillingAccountPricingInformationResponse(w http.ResponseWriter) error {
	return j.visit(w)
}
func (j jsonResponse) VisitCreateContractEntityResponse(w http.ResponseWriter) error {
	return j.visit(w)
}
func (j jsonResponse) VisitDeleteContractEntityResponse(w http.ResponseWriter) error {
	return j.visit(w)
}
func (j jsonResponse) VisitUpdateContractEntityResponse(w http.ResponseWriter) error {
	return j.visit(w)
}
func (j jsonResponse) VisitGetContractConfigurationHistoryResponse(w http.ResponseWriter) error {
	return j.visit(w)
}
func (j jsonResponse) VisitGetContractPricingInformationResponse(w http.ResponseWriter) error {
	return j.visit(w)
}
func (j jsonResponse) VisitGetCustomerBalanceResponse(w http.ResponseWriter) error { return j.visit(w) }
func (j jsonResponse) VisitGetBillingEventsResponse(w http.ResponseWriter) error   { return j.visit(w) }
func (j jsonResponse) VisitCreateBillingEventResponse(w http.ResponseWriter) error { return j.visit(w) }
func (j jsonResponse) VisitDeleteBillingEventResponse(w http.ResponseWriter) error { return j.visit(w) }
func (j jsonResponse) VisitGetBillingEventResponse(w http.ResponseWriter) error    { return j.visit(w) }
func (j jsonResponse) VisitUpdateBillingEventResponse(w http.ResponseWriter) error { return j.visit(w) }
func (j jsonResponse) VisitGetBillingEventByExternalIDResponse(w http.ResponseWriter) error {
	return j.visit(w)
}

// direction infers an event's direction from its type, as the API does when it is omitted.
func direction(typ string) string {
	switch typ {
	case "payment", "reimbursement", "bonus", "correction":
		return "credit"
	}
	return "debit"
}

// ---- billing events ----

func (h *handlers) GetBillingEvents(ctx context.Context, req oapiserver.GetBillingEventsRequestObject) (oapiserver.GetBillingEventsResponseObject, error) {
	p := req.Params
	from, size := 0, 100
	if p.From != nil {
		from = *p.From
	}
	if p.Size != nil {
		size = *p.Size
	}
	// The JS SDK sends entity_id[]=…; the spec says entity_id=…. Accept both.
	var entityIDs []string
	if p.EntityID != nil {
		entityIDs = append(entityIDs, *p.EntityID...)
	}
	if rr := requestFrom(ctx); rr != nil {
		entityIDs = append(entityIDs, rr.r.URL.Query()["entity_id[]"]...)
	}
	s := h.s
	s.mu.Lock()
	defer s.mu.Unlock()
	var contactContracts []string
	if p.ContactID != nil {
		contactContracts = s.contractsOf(*p.ContactID)
	}
	var matched []json.RawMessage
	for _, e := range s.events {
		links := e.relationIDs("contract")
		if len(entityIDs) > 0 && !intersects(links, entityIDs) {
			continue
		}
		if p.ContactID != nil && !intersects(links, contactContracts) {
			continue
		}
		if p.EventType != nil && e.str("type") != string(*p.EventType) {
			continue
		}
		if p.DateAfter != nil || p.DateBefore != nil {
			booked, ok := parseDay(e.str("booking_date"))
			if !ok || (p.DateAfter != nil && booked.Before(*p.DateAfter)) || (p.DateBefore != nil && booked.After(*p.DateBefore)) {
				continue
			}
		}
		matched = append(matched, e.json())
	}
	page := []json.RawMessage{}
	if from < len(matched) {
		page = matched[from:min(from+size, len(matched))]
	}
	return jsonResponse{http.StatusOK, map[string]any{"hits": len(matched), "results": page}}, nil
}

func (h *handlers) CreateBillingEvent(ctx context.Context, _ oapiserver.CreateBillingEventRequestObject) (oapiserver.CreateBillingEventResponseObject, error) {
	e, err := parseEntity(requestFrom(ctx).body)
	if err != nil {
		return apiError(http.StatusUnprocessableEntity, err.Error()), nil
	}
	// The API sets these; a client cannot choose them.
	for _, k := range []string{"_id", "_org", "_created_at", "_updated_at"} {
		delete(e, k)
	}
	if _, ok := e["direction"]; !ok {
		e.set("direction", direction(e.str("type")))
	}
	if _, ok := e["status"]; !ok {
		e.set("status", "closed")
	}
	dropLinkURL(e)
	s := h.s
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stamp(e, "billing_event")
	s.events = append(s.events, e)
	return jsonResponse{http.StatusCreated, e.json()}, nil
}

func (h *handlers) GetBillingEvent(_ context.Context, req oapiserver.GetBillingEventRequestObject) (oapiserver.GetBillingEventResponseObject, error) {
	s := h.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if i := find(s.events, "_id", req.ID); i >= 0 {
		return jsonResponse{http.StatusOK, s.events[i].json()}, nil
	}
	return apiError(http.StatusNotFound, "Billing event not found."), nil
}

func (h *handlers) GetBillingEventByExternalID(_ context.Context, req oapiserver.GetBillingEventByExternalIDRequestObject) (oapiserver.GetBillingEventByExternalIDResponseObject, error) {
	s := h.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if i := find(s.events, "external_id", req.ExternalID); i >= 0 {
		return jsonResponse{http.StatusOK, s.events[i].json()}, nil
	}
	return apiError(http.StatusNotFound, "Billing event not found."), nil
}

func (h *handlers) UpdateBillingEvent(ctx context.Context, req oapiserver.UpdateBillingEventRequestObject) (oapiserver.UpdateBillingEventResponseObject, error) {
	patch, err := parseEntity(requestFrom(ctx).body)
	if err != nil {
		return apiError(http.StatusUnprocessableEntity, err.Error()), nil
	}
	s := h.s
	s.mu.Lock()
	defer s.mu.Unlock()
	i := find(s.events, "_id", req.ID)
	if i < 0 {
		return apiError(http.StatusNotFound, "Billing event not found."), nil
	}
	next := s.events[i].clone()
	for k, v := range patch {
		if !strings.HasPrefix(k, "_") {
			next[k] = v
		}
	}
	dropLinkURL(next)
	// The merged event must still be a valid BillingEvent (e.g. an installment keeps its due date).
	if msg := s.checkSchema("BillingEvent", next); msg != "" {
		return apiError(http.StatusUnprocessableEntity, "Validation failed: "+msg), nil
	}
	next.set("_updated_at", s.clock.Now().UTC().Format(time.RFC3339Nano))
	s.events[i] = next
	return jsonResponse{http.StatusOK, next.json()}, nil
}

func (h *handlers) DeleteBillingEvent(_ context.Context, req oapiserver.DeleteBillingEventRequestObject) (oapiserver.DeleteBillingEventResponseObject, error) {
	s := h.s
	s.mu.Lock()
	defer s.mu.Unlock()
	i := find(s.events, "_id", req.ID)
	if i < 0 {
		return apiError(http.StatusNotFound, "Billing event not found."), nil
	}
	s.events = slices.Delete(s.events, i, i+1)
	return jsonResponse{status: http.StatusNoContent}, nil
}

// ---- contracts ----

func (h *handlers) CreateContractEntity(ctx context.Context, _ oapiserver.CreateContractEntityRequestObject) (oapiserver.CreateContractEntityResponseObject, error) {
	e, err := parseEntity(requestFrom(ctx).body)
	if err != nil {
		return apiError(http.StatusUnprocessableEntity, err.Error()), nil
	}
	for _, k := range []string{"_id", "_org", "_created_at", "_updated_at"} {
		delete(e, k)
	}
	s := h.s
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stamp(e, "contract")
	if e.str("_title") == "" {
		title := e.str("contract_name")
		if title == "" {
			title = "Contract " + e.str("_id")
		}
		e.set("_title", title)
	}
	s.contracts = append(s.contracts, e)
	return jsonResponse{http.StatusCreated, e.json()}, nil
}

func (h *handlers) UpdateContractEntity(ctx context.Context, req oapiserver.UpdateContractEntityRequestObject) (oapiserver.UpdateContractEntityResponseObject, error) {
	patch, err := parseEntity(requestFrom(ctx).body)
	if err != nil {
		return apiError(http.StatusUnprocessableEntity, err.Error()), nil
	}
	s := h.s
	s.mu.Lock()
	defer s.mu.Unlock()
	i := find(s.contracts, "_id", req.ID)
	if i < 0 {
		return apiError(http.StatusNotFound, "Contract not found."), nil
	}
	prev := s.contracts[i]
	next := prev.clone()
	for k, v := range patch {
		if !strings.HasPrefix(k, "_") {
			next[k] = v
		}
	}
	now := s.clock.Now().UTC()
	next.set("_updated_at", now.Format(time.RFC3339Nano))
	s.contracts[i] = next
	oldAmount, hadOld := prev.int64("installment_amount")
	newAmount, hasNew := next.int64("installment_amount")
	if hasNew && (!hadOld || oldAmount != newAmount) {
		row := entity{}
		row.set("event_id", newID())
		row.set("org_id", s.org)
		row.set("entity_type", "contract")
		row.set("entity_id", req.ID)
		row.set("change_type", "installment_amount_changed")
		row.set("schema_version", 1)
		row.set("changed_at", now.Format(time.RFC3339Nano))
		row.set("created_at", now.Format(time.RFC3339Nano))
		row.set("source", "api")
		cur := currencyOf(next)
		if hadOld {
			row.set("previous_value", amountValue(oldAmount, cur))
		} else {
			row["previous_value"] = json.RawMessage("null")
		}
		row.set("new_value", amountValue(newAmount, cur))
		s.history = append(s.history, row)
	}
	return jsonResponse{http.StatusOK, next.json()}, nil
}

func (h *handlers) DeleteContractEntity(_ context.Context, req oapiserver.DeleteContractEntityRequestObject) (oapiserver.DeleteContractEntityResponseObject, error) {
	s := h.s
	s.mu.Lock()
	defer s.mu.Unlock()
	i := find(s.contracts, "_id", req.ID)
	if i < 0 {
		return apiError(http.StatusNotFound, "Contract not found."), nil
	}
	s.contracts = slices.Delete(s.contracts, i, i+1)
	return jsonResponse{status: http.StatusNoContent}, nil
}

// ---- balance ----

func (h *handlers) GetCustomerBalance(_ context.Context, req oapiserver.GetCustomerBalanceRequestObject) (oapiserver.GetCustomerBalanceResponseObject, error) {
	s := h.s
	s.mu.Lock()
	defer s.mu.Unlock()
	contracts := s.contractsOf(req.ID)
	if len(contracts) == 0 {
		return apiError(http.StatusNotFound, "Customer not found."), nil
	}
	units, cur := s.balance(contracts)
	return jsonResponse{http.StatusOK, map[string]any{
		"balance": units, "balance_decimal": decimalString(units, cur), "balance_currency": cur,
	}}, nil
}

// contractsOf returns the ids of the contracts whose customer or billing account is id.
// Called with s.mu held.
func (s *Server) contractsOf(id string) []string {
	var out []string
	for _, c := range s.contracts {
		if slices.Contains(c.relationIDs("customer"), id) || slices.Contains(c.relationIDs("billing_account"), id) {
			out = append(out, c.str("_id"))
		}
	}
	return out
}

// balance sums the events linked to any of the contracts: debits minus credits, in minor
// units. The currency is the events' (the first one seen), else the contracts', else EUR.
// Called with s.mu held.
func (s *Server) balance(contracts []string) (int64, string) {
	var total int64
	cur := ""
	for _, e := range s.events {
		if !intersects(e.relationIDs("contract"), contracts) {
			continue
		}
		amount, _ := e.int64("billing_amount")
		dir := e.str("direction")
		if dir == "" {
			dir = direction(e.str("type"))
		}
		if dir == "credit" {
			amount = -amount
		}
		total += amount
		if cur == "" {
			cur = e.str("billing_currency")
		}
	}
	if cur == "" {
		for _, id := range contracts {
			if i := find(s.contracts, "_id", id); i >= 0 {
				if c := currencyOf(s.contracts[i]); c != "" {
					cur = c
					break
				}
			}
		}
	}
	if cur == "" {
		cur = "EUR"
	}
	return total, cur
}

func currencyOf(contract entity) string {
	if c := contract.str("balance_currency"); c != "" {
		return c
	}
	return "EUR"
}

// ---- pricing information and history ----

func (h *handlers) GetContractPricingInformation(_ context.Context, req oapiserver.GetContractPricingInformationRequestObject) (oapiserver.GetContractPricingInformationResponseObject, error) {
	s := h.s
	s.mu.Lock()
	defer s.mu.Unlock()
	i := find(s.contracts, "_id", req.ID)
	if i < 0 {
		return apiError(http.StatusNotFound, "Contract not found."), nil
	}
	include := req.Params.IncludeHistory == nil || *req.Params.IncludeHistory
	return jsonResponse{http.StatusOK, s.contractPricing(s.contracts[i], include, historyTypes(nil, req.Params.HistoryChangeTypes))}, nil
}

func (h *handlers) GetBillingAccountPricingInformation(_ context.Context, req oapiserver.GetBillingAccountPricingInformationRequestObject) (oapiserver.GetBillingAccountPricingInformationResponseObject, error) {
	s := h.s
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := s.accountContracts(req.ID)
	if len(ids) == 0 {
		return apiError(http.StatusNotFound, "Billing account not found."), nil
	}
	include := req.Params.IncludeHistory == nil || *req.Params.IncludeHistory
	types := historyTypes(nil, req.Params.HistoryChangeTypes)
	contracts := make([]map[string]any, 0, len(ids))
	for _, id := range ids {
		contracts = append(contracts, s.contractPricing(s.contracts[find(s.contracts, "_id", id)], include, types))
	}
	units, cur := s.balance(ids)
	return jsonResponse{http.StatusOK, map[string]any{
		"entity_type": "billing_account", "entity_id": req.ID,
		"balance":   amountValue(units, cur),
		"contracts": contracts,
	}}, nil
}

func (h *handlers) GetContractConfigurationHistory(_ context.Context, req oapiserver.GetContractConfigurationHistoryRequestObject) (oapiserver.GetContractConfigurationHistoryResponseObject, error) {
	s := h.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if find(s.contracts, "_id", req.ID) < 0 {
		return apiError(http.StatusNotFound, "Contract not found."), nil
	}
	p := req.Params
	return jsonResponse{http.StatusOK, s.historyPage([]string{req.ID}, historyTypes(p.ChangeType, p.HistoryChangeTypes), p.From, p.Size)}, nil
}

func (h *handlers) GetBillingAccountConfigurationHistory(_ context.Context, req oapiserver.GetBillingAccountConfigurationHistoryRequestObject) (oapiserver.GetBillingAccountConfigurationHistoryResponseObject, error) {
	s := h.s
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := s.accountContracts(req.ID)
	if len(ids) == 0 {
		return apiError(http.StatusNotFound, "Billing account not found."), nil
	}
	p := req.Params
	return jsonResponse{http.StatusOK, s.historyPage(ids, historyTypes(p.ChangeType, p.HistoryChangeTypes), p.From, p.Size)}, nil
}

// accountContracts returns the contracts of a billing account. Called with s.mu held.
func (s *Server) accountContracts(account string) []string {
	var out []string
	for _, c := range s.contracts {
		if slices.Contains(c.relationIDs("billing_account"), account) {
			out = append(out, c.str("_id"))
		}
	}
	return out
}

// historyTypes resolves the change types asked for: history_change_types when given, else
// change_type, else installment_amount_changed (the API's default).
func historyTypes(changeType *oapiserver.ConfigurationHistoryChangeType, csv *string) []string {
	if csv != nil && *csv != "" {
		return strings.Split(*csv, ",")
	}
	if changeType != nil {
		return []string{string(*changeType)}
	}
	return []string{"installment_amount_changed"}
}

// rows returns the history of the contracts, newest first. Called with s.mu held.
func (s *Server) rows(contracts []string, types []string) []entity {
	var out []entity
	for _, r := range s.history {
		if slices.Contains(contracts, r.str("entity_id")) && slices.Contains(types, r.str("change_type")) {
			out = append(out, r)
		}
	}
	slices.SortStableFunc(out, func(a, b entity) int { return strings.Compare(b.str("changed_at"), a.str("changed_at")) })
	return out
}

func (s *Server) historyPage(contracts, types []string, fromP, sizeP *int) map[string]any {
	from, size := 0, 25
	if fromP != nil {
		from = *fromP
	}
	if sizeP != nil {
		size = *sizeP
	}
	all := s.rows(contracts, types)
	page := []json.RawMessage{}
	for i := from; i < len(all) && i < from+size; i++ {
		page = append(page, all[i].json())
	}
	return map[string]any{"total": len(all), "history": page}
}

func (s *Server) contractPricing(c entity, includeHistory bool, types []string) map[string]any {
	id := c.str("_id")
	cur := currencyOf(c)
	out := map[string]any{"entity_type": "contract", "entity_id": id, "title": c.str("_title")}
	if amount, ok := c.int64("installment_amount"); ok {
		out["current_installment_amount"] = amountValue(amount, cur)
	}
	units, bcur := s.balance([]string{id})
	out["balance"] = amountValue(units, bcur)
	schedule := map[string]any{"inferred": true}
	if period := c.str("billing_period"); period != "" {
		schedule["inferred"] = false
		schedule["billing_period"] = period
		schedule["installments_per_year"] = map[string]int{"weekly": 52, "monthly": 12, "every_quarter": 4, "every_6_months": 2, "yearly": 1}[period]
	}
	if day, ok := c.int64("billing_due_day"); ok {
		schedule["billing_due_day"] = day
	}
	out["schedule"] = schedule
	out["pending_installment_change"] = false
	history := []json.RawMessage{}
	if includeHistory {
		for _, r := range s.rows([]string{id}, types) {
			history = append(history, r.json())
		}
	}
	out["history"] = history
	return out
}

// ---- helpers ----

// checkSchema validates e against a component schema of the spec; "" means valid.
func (s *Server) checkSchema(name string, e entity) string {
	ref, ok := s.spec.Components.Schemas[name]
	if !ok || ref.Value == nil {
		return "no schema " + name
	}
	var v any
	if err := json.Unmarshal(e.json(), &v); err != nil {
		return err.Error()
	}
	// The event as it will be stored and served: write-only properties (external_link.url)
	// are not required of it.
	if err := ref.Value.VisitJSON(v, openapi3.MultiErrors(), openapi3.VisitAsResponse()); err != nil {
		return err.Error()
	}
	return ""
}

func amountValue(units int64, cur string) map[string]any {
	return map[string]any{"amount": units, "amount_decimal": decimalString(units, cur), "currency": cur}
}

// decimalString renders minor units as the API's decimal string, with the currency's
// ISO 4217 exponent.
func decimalString(units int64, cur string) string {
	d, err := polybill.DecimalFromMinorUnits(units, polybill.Currency(cur).Exponent())
	if err != nil {
		return "0"
	}
	return d.String()
}

func find(list []entity, key, value string) int {
	for i, e := range list {
		if e.str(key) == value {
			return i
		}
	}
	return -1
}

func intersects(a, b []string) bool {
	for _, x := range a {
		if slices.Contains(b, x) {
			return true
		}
	}
	return false
}

// parseDay reads a booking date ("2025-06-01", or a timestamp) as midnight UTC of that day.
func parseDay(s string) (time.Time, bool) {
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, true
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		y, m, d := t.Date()
		return time.Date(y, m, d, 0, 0, 0, 0, time.UTC), true
	}
	return time.Time{}, false
}

// dropLinkURL removes external_link.url before an event is stored. The create schema requires
// `url` (as epilot's own spec does, see CreateExternalLink in openapi/epilot.yaml) but it is
// write-only: the link is read back as href and title.
func dropLinkURL(e entity) {
	raw, ok := e["external_link"]
	if !ok {
		return
	}
	var link map[string]json.RawMessage
	if json.Unmarshal(raw, &link) != nil || link["url"] == nil {
		return
	}
	delete(link, "url")
	if b, err := marshalVerbatim(link); err == nil {
		e["external_link"] = b
	}
}

// Code written once from the strict server's operation list: reply answers every
// operation, so each handler can return any status in the Feathers shape.

package encounterstest

import "net/http"

func (r reply) VisitAuthenticateResponse(w http.ResponseWriter) error        { return r.write(w) }
func (r reply) VisitGetNetAmountTotalResponse(w http.ResponseWriter) error   { return r.write(w) }
func (r reply) VisitGetReceivablesTotalResponse(w http.ResponseWriter) error { return r.write(w) }
func (r reply) VisitFindInvoicesResponse(w http.ResponseWriter) error        { return r.write(w) }
func (r reply) VisitCreateInvoiceResponse(w http.ResponseWriter) error       { return r.write(w) }
func (r reply) VisitRemoveInvoiceResponse(w http.ResponseWriter) error       { return r.write(w) }
func (r reply) VisitGetInvoiceResponse(w http.ResponseWriter) error          { return r.write(w) }
func (r reply) VisitPatchInvoiceResponse(w http.ResponseWriter) error        { return r.write(w) }
func (r reply) VisitFindItemsResponse(w http.ResponseWriter) error           { return r.write(w) }
func (r reply) VisitCreateItemResponse(w http.ResponseWriter) error          { return r.write(w) }
func (r reply) VisitRemoveItemResponse(w http.ResponseWriter) error          { return r.write(w) }
func (r reply) VisitGetItemResponse(w http.ResponseWriter) error             { return r.write(w) }
func (r reply) VisitPatchItemResponse(w http.ResponseWriter) error           { return r.write(w) }
func (r reply) VisitFindPaymentIntentsResponse(w http.ResponseWriter) error  { return r.write(w) }
func (r reply) VisitCreatePaymentIntentResponse(w http.ResponseWriter) error { return r.write(w) }
func (r reply) VisitRemovePaymentIntentResponse(w http.ResponseWriter) error { return r.write(w) }
func (r reply) VisitGetPaymentIntentResponse(w http.ResponseWriter) error    { return r.write(w) }
func (r reply) VisitPatchPaymentIntentResponse(w http.ResponseWriter) error  { return r.write(w) }
func (r reply) VisitFindPaymentsResponse(w http.ResponseWriter) error        { return r.write(w) }
func (r reply) VisitCreatePaymentResponse(w http.ResponseWriter) error       { return r.write(w) }
func (r reply) VisitRemovePaymentResponse(w http.ResponseWriter) error       { return r.write(w) }
func (r reply) VisitGetPaymentResponse(w http.ResponseWriter) error          { return r.write(w) }
func (r reply) VisitPatchPaymentResponse(w http.ResponseWriter) error        { return r.write(w) }
func (r reply) VisitFindCustomersResponse(w http.ResponseWriter) error       { return r.write(w) }
func (r reply) VisitCreateCustomerResponse(w http.ResponseWriter) error      { return r.write(w) }
func (r reply) VisitRemoveCustomerResponse(w http.ResponseWriter) error      { return r.write(w) }
func (r reply) VisitGetCustomerResponse(w http.ResponseWriter) error         { return r.write(w) }
func (r reply) VisitPatchCustomerResponse(w http.ResponseWriter) error       { return r.write(w) }
func (r reply) VisitFindEncountersResponse(w http.ResponseWriter) error      { return r.write(w) }
func (r reply) VisitCreateEncounterResponse(w http.ResponseWriter) error     { return r.write(w) }
func (r reply) VisitRemoveEncounterResponse(w http.ResponseWriter) error     { return r.write(w) }
func (r reply) VisitGetEncounterResponse(w http.ResponseWriter) error        { return r.write(w) }
func (r reply) VisitPatchEncounterResponse(w http.ResponseWriter) error      { return r.write(w) }

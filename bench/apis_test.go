package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/clinic"
	"github.com/polybill/polybill-go/crm"
	"github.com/polybill/polybill-go/encounters"
	"github.com/polybill/polybill-go/epilot"
	"github.com/polybill/polybill-go/internal/benchdata"
)

// side is one way of calling an API: the SDK or the raw baseline.
type side struct {
	// get fetches the API's record once.
	get func(ctx context.Context) error
	// walk iterates every item of the list and returns how many it saw.
	walk func(ctx context.Context) (int, error)
}

// api is one API's loopback server and its two clients.
type api struct {
	name string
	// pageSize is the largest page the API documents; both sides ask for it.
	pageSize int
	// pageBytes is the size of one full page body (for the heap figures).
	pageBytes int
	handler   func(items int) http.Handler
	sdk, raw  func(tb testing.TB, base string) side
}

var apis = []api{crmAPI(), epilotAPI(), encountersAPI(), clinicAPI()}

func checkAuth(w http.ResponseWriter, r *http.Request, header, want string) bool {
	if r.Header.Get(header) != want {
		http.Error(w, `{"message":"Unauthorized"}`, http.StatusUnauthorized)
		return false
	}
	return true
}

// ---- crm: GET /billings/{id}, GET /meetings/{id}/billing?page&records ----

const (
	crmKey    = "app-key-5f0c3b1e9a7d"
	crmToken  = "crm-token-2b7e151628aed2a6"
	crmID     = "billing-uuid-123"
	crmMeetID = "meeting-uuid-123"
)

func crmAPI() api {
	record := benchdata.Record("crm_billing.json")
	var doc struct{ Data json.RawMessage }
	if err := json.Unmarshal(record, &doc); err != nil {
		panic(err)
	}
	const pageSize = 100 // the vendor's maximum `records`
	a := api{name: "crm", pageSize: pageSize}
	a.pageBytes = pageSize * (len(doc.Data) + 1)
	a.handler = func(items int) http.Handler {
		p := newPager(doc.Data, items)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !checkAuth(w, r, "Authorization", "Bearer "+crmToken) || !checkAuth(w, r, "AppId", crmKey) {
				return
			}
			switch {
			case strings.HasPrefix(r.URL.Path, "/billings/"):
				writeJSON(w, record)
			case strings.HasPrefix(r.URL.Path, "/meetings/"):
				page, per := intQuery(r, "page", 1), intQuery(r, "records", 15)
				_, items := p.window((page-1)*per, per)
				pages := (p.total + per - 1) / per
				// The pager repeats one recorded billing; each page gets its own ids, as a real
				// server's pages do (the client stops on a page whose ids repeat the previous one).
				items = bytes.ReplaceAll(items, []byte(`"billing-uuid-123"`), fmt.Appendf(nil, `"billing-uuid-123-p%d"`, page))
				writeJSON(w, []byte(`{"data":[`), items,
					fmt.Appendf(nil, `],"meta":{"current_page":%d,"total_pages":%d,"total_count":%d,"per_page":%d}}`, page, pages, p.total, per))
			default:
				http.NotFound(w, r)
			}
		})
	}
	a.sdk = func(tb testing.TB, base string) side {
		c, err := crm.New(polybill.WithBaseURL(base), crm.WithAPIKey(crmKey), crm.WithToken(crmToken))
		if err != nil {
			tb.Fatal(err)
		}
		return side{
			get: func(ctx context.Context) error {
				b, err := c.GetBilling(ctx, crmID)
				if err == nil && b.UniqueID != crmID {
					err = errors.New("crm: wrong billing")
				}
				return err
			},
			walk: func(ctx context.Context) (int, error) {
				return countWithID(c.ListMeetingBillings(ctx, crmMeetID, &crm.ListMeetingBillingsParams{Records: pageSize}), func(b crm.Billing) string { return b.ID })
			},
		}
	}
	a.raw = func(tb testing.TB, base string) side {
		hc := rawClient(tb)
		// The SDK sends the key under both names the vendor's material uses, and a request
		// id per call (see crm's package doc): the baseline sends the same request.
		h := sameRequest(http.Header{"Authorization": {"Bearer " + crmToken}, "AppId": {crmKey}, "X-Api-Key": {crmKey}, "X-Request-Id": {rawRequestID}})
		return side{
			get: func(ctx context.Context) error {
				var doc struct {
					Data benchdata.CRMBilling `json:"data"`
				}
				err := rawGet(ctx, hc, base+"/billings/"+url.PathEscape(crmID), h, &doc)
				if err == nil && doc.Data.Attributes.UniqueID != crmID {
					err = errors.New("crm: wrong billing")
				}
				return err
			},
			walk: func(ctx context.Context) (int, error) {
				n := 0
				for page := 1; ; page++ {
					var doc struct {
						Data []benchdata.CRMBilling `json:"data"`
						Meta struct {
							CurrentPage int `json:"current_page"`
							TotalPages  int `json:"total_pages"`
						} `json:"meta"`
					}
					u := base + "/meetings/" + url.PathEscape(crmMeetID) + "/billing?page=" + strconv.Itoa(page) + "&records=" + strconv.Itoa(pageSize)
					if err := rawGet(ctx, hc, u, h, &doc); err != nil {
						return n, err
					}
					for _, b := range doc.Data {
						n += min(len(b.ID), 1)
					}
					if len(doc.Data) == 0 || page >= doc.Meta.TotalPages {
						return n, nil
					}
				}
			},
		}
	}
	return a
}

// ---- epilot: GET /v1/billing/events/{id}, GET /v1/billing/events?from&size ----

const (
	epilotToken = "epilot-token-9c4f1d2e8b3a"
	epilotID    = "5da0a718-c822-403d-9f5d-20d4584e0528"
)

func epilotAPI() api {
	record := benchdata.Record("epilot_event.json")
	const pageSize = epilot.MaxEventsPageSize
	a := api{name: "epilot", pageSize: pageSize, pageBytes: pageSize * (len(record) + 1)}
	a.handler = func(items int) http.Handler {
		p := newPager(record, items)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !checkAuth(w, r, "Authorization", "Bearer "+epilotToken) {
				return
			}
			switch {
			case strings.HasPrefix(r.URL.Path, "/v1/billing/events/"):
				writeJSON(w, record)
			case r.URL.Path == "/v1/billing/events":
				_, items := p.window(intQuery(r, "from", 0), intQuery(r, "size", 100))
				writeJSON(w, fmt.Appendf(nil, `{"hits":%d,"results":[`, p.total), items, []byte(`]}`))
			default:
				http.NotFound(w, r)
			}
		})
	}
	a.sdk = func(tb testing.TB, base string) side {
		c, err := epilot.New(polybill.WithBaseURL(base), epilot.WithToken(epilotToken))
		if err != nil {
			tb.Fatal(err)
		}
		return side{
			get: func(ctx context.Context) error {
				ev, err := c.GetBillingEvent(ctx, epilotID)
				if err == nil && ev.Fields().ID != epilotID {
					err = errors.New("epilot: wrong event")
				}
				return err
			},
			walk: func(ctx context.Context) (int, error) {
				return countWithID(c.ListBillingEvents(ctx, &epilot.ListBillingEventsParams{Size: pageSize}), func(ev epilot.BillingEvent) string { return ev.Fields().ID })
			},
		}
	}
	a.raw = func(tb testing.TB, base string) side {
		hc := rawClient(tb)
		h := sameRequest(http.Header{"Authorization": {"Bearer " + epilotToken}})
		return side{
			get: func(ctx context.Context) error {
				var ev benchdata.EpilotEvent
				err := rawGet(ctx, hc, base+"/v1/billing/events/"+url.PathEscape(epilotID), h, &ev)
				if err == nil && ev.ID != epilotID {
					err = errors.New("epilot: wrong event")
				}
				return err
			},
			walk: func(ctx context.Context) (int, error) {
				n := 0
				for from := 0; ; {
					var doc struct {
						Hits    int                     `json:"hits"`
						Results []benchdata.EpilotEvent `json:"results"`
					}
					u := base + "/v1/billing/events?size=" + strconv.Itoa(pageSize)
					if from > 0 { // as the SDK, which leaves the default out
						u = base + "/v1/billing/events?from=" + strconv.Itoa(from) + "&size=" + strconv.Itoa(pageSize)
					}
					if err := rawGet(ctx, hc, u, h, &doc); err != nil {
						return n, err
					}
					for _, ev := range doc.Results {
						n += min(len(ev.ID), 1)
					}
					from += len(doc.Results)
					if len(doc.Results) == 0 || from >= doc.Hits {
						return n, nil
					}
				}
			},
		}
	}
	return a
}

// ---- encounters: GET /billing-invoices/{id}, GET /billing-invoices?$limit=#n&$skip=#n ----

const (
	encountersToken = "hapihub-jwt-4e8a1c7f2d9b"
	encountersID    = "enc-7f3a2c9e41b0"
)

func encountersAPI() api {
	record := benchdata.Record("encounters_invoice.json")
	const pageSize = 100
	a := api{name: "encounters", pageSize: pageSize, pageBytes: pageSize * (len(record) + 1)}
	a.handler = func(items int) http.Handler {
		p := newPager(record, items)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !checkAuth(w, r, "Authorization", "Bearer "+encountersToken) {
				return
			}
			switch {
			case strings.HasPrefix(r.URL.Path, "/billing-invoices/"):
				writeJSON(w, record)
			case r.URL.Path == "/billing-invoices":
				skip, limit := intQuery(r, "$skip", 0), intQuery(r, "$limit", 10)
				_, items := p.window(skip, limit)
				writeJSON(w, fmt.Appendf(nil, `{"total":%d,"limit":%d,"skip":%d,"data":[`, p.total, limit, skip), items, []byte(`]}`))
			default:
				http.NotFound(w, r)
			}
		})
	}
	a.sdk = func(tb testing.TB, base string) side {
		c, err := encounters.New(polybill.WithBaseURL(base), encounters.WithToken(encountersToken))
		if err != nil {
			tb.Fatal(err)
		}
		return side{
			get: func(ctx context.Context) error {
				inv, err := c.Invoices.Get(ctx, encountersID, nil)
				if err == nil && inv.ID != encountersID {
					err = errors.New("encounters: wrong invoice")
				}
				return err
			},
			walk: func(ctx context.Context) (int, error) {
				return countWithID(c.Invoices.List(ctx, encounters.NewQuery().Limit(pageSize)), func(inv encounters.Invoice) string { return inv.ID })
			},
		}
	}
	a.raw = func(tb testing.TB, base string) side {
		hc := rawClient(tb)
		h := sameRequest(http.Header{"Authorization": {"Bearer " + encountersToken}})
		return side{
			get: func(ctx context.Context) error {
				var inv benchdata.EncountersInvoice
				err := rawGet(ctx, hc, base+"/billing-invoices/"+url.PathEscape(encountersID), h, &inv)
				if err == nil && inv.ID != encountersID {
					err = errors.New("encounters: wrong invoice")
				}
				return err
			},
			walk: func(ctx context.Context) (int, error) {
				n := 0
				for skip := 0; ; {
					var doc struct {
						Total int                           `json:"total"`
						Skip  int                           `json:"skip"`
						Data  []benchdata.EncountersInvoice `json:"data"`
					}
					q := url.Values{"$limit": {"#" + strconv.Itoa(pageSize)}, "$skip": {"#" + strconv.Itoa(skip)}}
					if err := rawGet(ctx, hc, base+"/billing-invoices?"+q.Encode(), h, &doc); err != nil {
						return n, err
					}
					for _, inv := range doc.Data {
						n += min(len(inv.ID), 1)
					}
					skip = doc.Skip + len(doc.Data)
					if len(doc.Data) == 0 || skip >= doc.Total {
						return n, nil
					}
				}
			},
		}
	}
	return a
}

// ---- clinic: POST /api/v1/auth/token, GET /api/v1/billing/invoices/{id}, GET …/invoices?page&per_page ----

const (
	clinicClientID = "bioecko-client-7a1f"
	clinicSecret   = "bioecko-secret-3c9d8e2f4b6a"
	clinicToken    = "eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl"
	clinicID       = "INV-2026-00042"
)

func clinicAPI() api {
	record := benchdata.Record("clinic_invoice.json")
	item := benchdata.Record("clinic_summary.json")
	token := []byte(`{"access_token":"` + clinicToken + `","token_type":"Bearer","expires_in":3600,"scope":"billing:read billing:write"}`)
	const pageSize = 100 // the documented maximum per_page
	a := api{name: "clinic", pageSize: pageSize, pageBytes: pageSize * (len(item) + 1)}
	a.handler = func(items int) http.Handler {
		p := newPager(item, items)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == clinic.TokenPath {
				writeJSON(w, token)
				return
			}
			if !checkAuth(w, r, "Authorization", "Bearer "+clinicToken) {
				return
			}
			switch {
			case strings.HasPrefix(r.URL.Path, "/api/v1/billing/invoices/"):
				writeJSON(w, record)
			case r.URL.Path == "/api/v1/billing/invoices":
				page, per := intQuery(r, "page", 1), intQuery(r, "per_page", 20)
				_, items := p.window((page-1)*per, per)
				pages := (p.total + per - 1) / per
				writeJSON(w, []byte(`{"data":[`), items,
					fmt.Appendf(nil, `],"meta":{"page":%d,"per_page":%d,"total":%d,"total_pages":%d}}`, page, per, p.total, pages))
			default:
				http.NotFound(w, r)
			}
		})
	}
	a.sdk = func(tb testing.TB, base string) side {
		c, err := clinic.New(polybill.WithBaseURL(base), clinic.WithClientCredentials(clinicClientID, clinicSecret))
		if err != nil {
			tb.Fatal(err)
		}
		return side{
			get: func(ctx context.Context) error {
				inv, err := c.GetInvoice(ctx, clinicID)
				if err == nil && inv.ID != clinicID {
					err = errors.New("clinic: wrong invoice")
				}
				return err
			},
			walk: func(ctx context.Context) (int, error) {
				return countWithID(c.ListInvoices(ctx, &clinic.ListInvoicesParams{PerPage: pageSize}), func(inv clinic.InvoiceSummary) string { return inv.ID })
			},
		}
	}
	a.raw = func(tb testing.TB, base string) side {
		hc := rawClient(tb)
		// A careful caller fetches the client-credentials token once and reuses it, as the
		// SDK does; this happens before the timed loop on both sides.
		tok, err := rawClinicToken(hc, base)
		if err != nil {
			tb.Fatal(err)
		}
		h := sameRequest(http.Header{"Authorization": {"Bearer " + tok}})
		return side{
			get: func(ctx context.Context) error {
				var inv benchdata.ClinicInvoice
				err := rawGet(ctx, hc, base+"/api/v1/billing/invoices/"+url.PathEscape(clinicID), h, &inv)
				if err == nil && inv.ID != clinicID {
					err = errors.New("clinic: wrong invoice")
				}
				return err
			},
			walk: func(ctx context.Context) (int, error) {
				n := 0
				for page := 1; ; page++ {
					var doc struct {
						Data []benchdata.ClinicSummary `json:"data"`
						Meta struct {
							TotalPages int `json:"total_pages"`
						} `json:"meta"`
					}
					u := base + "/api/v1/billing/invoices?page=" + strconv.Itoa(page) + "&per_page=" + strconv.Itoa(pageSize)
					if err := rawGet(ctx, hc, u, h, &doc); err != nil {
						return n, err
					}
					for _, inv := range doc.Data {
						n += min(len(inv.ID), 1)
					}
					if len(doc.Data) < pageSize || page >= doc.Meta.TotalPages {
						return n, nil
					}
				}
			},
		}
	}
	return a
}

func rawClinicToken(hc *http.Client, base string) (string, error) {
	form := url.Values{"grant_type": {"client_credentials"}}
	req, err := http.NewRequest(http.MethodPost, base+clinic.TokenPath, strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.SetBasicAuth(clinicClientID, clinicSecret)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := hc.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil {
		return "", err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	return tok.AccessToken, nil
}

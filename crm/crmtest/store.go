package crmtest

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	polybill "github.com/polybill/polybill-go"
)

// Billing is a billing as the fake stores it; use it to seed state (AddBilling) and to
// inspect it (Billing, Billings).
type Billing struct {
	// UniqueID is assigned by the fake when empty.
	UniqueID  string
	MeetingID string
	Amount    polybill.Decimal
	// Currency is optional; the vendor model has none.
	Currency         string
	PayerName        string
	PayerEmail       string
	BillingType      string
	ParticipantEmail string
	// Status defaults to "pending". Any string is stored, so tests can seed states the
	// vendor does not document.
	Status string
	Notes  string
	// DueAt drives the aging report; without it the creation time does.
	DueAt  *time.Time
	PaidAt *time.Time
	// CreatedAt defaults to the fake's clock.
	CreatedAt time.Time
	UpdatedAt time.Time
}

// SplitEntry is one recipient's share of a billing's payment split.
type SplitEntry struct {
	RecipientName  string
	RecipientEmail string
	Amount         polybill.Decimal
	Percentage     polybill.Decimal
}

type store struct {
	clock Clock

	mu       sync.Mutex
	billings map[string]*Billing
	order    []string // creation order, for stable listings
	splits   map[string][]SplitEntry
	seq      int
}

func newStore(c Clock) *store {
	return &store{clock: c, billings: map[string]*Billing{}, splits: map[string][]SplitEntry{}}
}

// AddBilling stores b as if it had been created through the API and returns its unique id.
// It refuses a duplicate unique id.
func (s *Server) AddBilling(b Billing) (string, error) { return s.store.add(b) }

// Billing returns a stored billing.
func (s *Server) Billing(uniqueID string) (Billing, bool) {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	b, ok := s.store.billings[uniqueID]
	if !ok {
		return Billing{}, false
	}
	return *b, true
}

// Billings returns every stored billing in creation order.
func (s *Server) Billings() []Billing {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	out := make([]Billing, 0, len(s.store.order))
	for _, id := range s.store.order {
		out = append(out, *s.store.billings[id])
	}
	return out
}

// SetPaymentSplit stores the payment split of a billing (the API has no write route for
// splits; they are set up by the vendor's back office).
func (s *Server) SetPaymentSplit(uniqueID string, entries []SplitEntry) error {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	if _, ok := s.store.billings[uniqueID]; !ok {
		return fmt.Errorf("crmtest: no billing %q", uniqueID)
	}
	s.store.splits[uniqueID] = append([]SplitEntry(nil), entries...)
	return nil
}

func (st *store) add(b Billing) (string, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.seq++
	if b.UniqueID == "" {
		b.UniqueID = fmt.Sprintf("billing-%04d", st.seq)
	}
	if _, dup := st.billings[b.UniqueID]; dup {
		return "", fmt.Errorf("crmtest: billing %q already exists", b.UniqueID)
	}
	now := st.clock.Now().UTC()
	if b.CreatedAt.IsZero() {
		b.CreatedAt = now
	}
	if b.UpdatedAt.IsZero() {
		b.UpdatedAt = b.CreatedAt
	}
	if b.Status == "" {
		b.Status = "pending"
	}
	st.billings[b.UniqueID] = &b
	st.order = append(st.order, b.UniqueID)
	return b.UniqueID, nil
}

func (st *store) get(id string) (Billing, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	b, ok := st.billings[id]
	if !ok {
		return Billing{}, false
	}
	return *b, true
}

func (st *store) update(id string, change func(b *Billing)) (Billing, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	b, ok := st.billings[id]
	if !ok {
		return Billing{}, false
	}
	change(b)
	b.UpdatedAt = st.clock.Now().UTC()
	return *b, true
}

func (st *store) remove(id string) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	if _, ok := st.billings[id]; !ok {
		return false
	}
	delete(st.billings, id)
	delete(st.splits, id)
	st.order = slices.DeleteFunc(st.order, func(v string) bool { return v == id })
	return true
}

func (st *store) split(id string) ([]SplitEntry, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if _, ok := st.billings[id]; !ok {
		return nil, false
	}
	return append([]SplitEntry(nil), st.splits[id]...), true
}

// all returns the billings matching keep, in creation order.
func (st *store) all(keep func(b *Billing) bool) []Billing {
	st.mu.Lock()
	defer st.mu.Unlock()
	var out []Billing
	for _, id := range st.order {
		if b := st.billings[id]; keep(b) {
			out = append(out, *b)
		}
	}
	return out
}

func outstanding(b *Billing) bool { return b.Status == "pending" || b.Status == "overdue" }

// paymentState is the SDK's separate billing_status, derived from the vendor status.
func paymentState(b *Billing) string {
	if b.Status == "paid" {
		return "paid"
	}
	return "unpaid"
}

// sortBillings orders bs by a JSON:API sort list ("-created_at,payer_name"): earlier fields
// first, "-" for descending. A field the fake does not keep (a related resource's, such as
// meeting.start_time: the fake has no meetings) is an error the handler answers with 400.
// Ties keep creation order.
func sortBillings(bs []Billing, sortBy string) error {
	type key struct {
		desc bool
		cmp  func(a, b *Billing) int
	}
	var keys []key
	for field := range strings.SplitSeq(sortBy, ",") {
		k := key{desc: strings.HasPrefix(field, "-")}
		switch name := strings.TrimPrefix(field, "-"); name {
		case "created_at":
			k.cmp = func(a, b *Billing) int { return a.CreatedAt.Compare(b.CreatedAt) }
		case "updated_at":
			k.cmp = func(a, b *Billing) int { return a.UpdatedAt.Compare(b.UpdatedAt) }
		case "amount":
			k.cmp = func(a, b *Billing) int { return a.Amount.Cmp(b.Amount) }
		case "payer_name":
			k.cmp = func(a, b *Billing) int { return cmp.Compare(a.PayerName, b.PayerName) }
		case "status":
			k.cmp = func(a, b *Billing) int { return cmp.Compare(a.Status, b.Status) }
		default:
			return fmt.Errorf("cannot sort by %q", name)
		}
		keys = append(keys, k)
	}
	slices.SortStableFunc(bs, func(a, b Billing) int {
		for _, k := range keys {
			c := k.cmp(&a, &b)
			if k.desc {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return 0
	})
	return nil
}

// sum adds amounts exactly; an overflow (more than 19 digits) is reported, not wrapped.
type sum struct {
	total polybill.Decimal
	err   error
}

func (s *sum) add(d polybill.Decimal) {
	if s.err != nil {
		return
	}
	s.total, s.err = s.total.Add(d)
}

// money gives sums the vendor's two decimals (1500.00) without rounding finer amounts.
func (s *sum) money() polybill.Decimal {
	d := s.total.Unquoted()
	if d.Scale() < 2 {
		d = d.Round(2)
	}
	return d
}

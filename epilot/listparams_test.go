package epilot_test

import (
	"context"
	"iter"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/epilot"
	"github.com/polybill/polybill-go/internal/probe"
)

// rangeMutating ranges seq to the end, calling mutate after the first item, and returns how
// many items came and the requests made.
func rangeMutating[T any](t *testing.T, pr *probe.Recorder, seq iter.Seq2[T, error], mutate func()) (int, []string) {
	t.Helper()
	pr.Take()
	n := 0
	for _, err := range seq {
		require.NoError(t, err)
		if n++; n == 1 {
			mutate()
		}
	}
	return n, pr.Take()
}

// TestListCopiesParams: every List method copies its params, slices included, and its
// request options when it is called (docs/architecture.md, package template), so a caller who
// changes them while ranging changes nothing.
func TestListCopiesParams(t *testing.T) {
	e, c := pricingEnv(t, 5)
	contracts := seedEvents(t, e)
	var pr probe.Recorder
	client, err := epilot.New(append(e.srv.ClientOptions(), pr.Option())...)
	require.NoError(t, err)
	ctx := context.Background()

	tests := []struct {
		name string
		// list returns a sequence over fresh params and options, and a function that changes
		// both in every way the caller could.
		list func() (iter.Seq2[any, error], func())
	}{
		{"ListBillingEvents", func() (iter.Seq2[any, error], func()) {
			p := &epilot.ListBillingEventsParams{Size: 2, EntityIDs: []string{contracts[0], contracts[1]}}
			opts := []polybill.RequestOption{polybill.WithHeader(probe.Header, "asked")}
			return anySeq(client.ListBillingEvents(ctx, p, opts...)), func() {
				p.EntityIDs[0] = contracts[2]
				p.Size, p.ContactID = 1, "nobody"
				opts[0] = polybill.WithHeader(probe.Header, "changed")
			}
		}},
		{"ListContractConfigurationHistory", func() (iter.Seq2[any, error], func()) {
			p := &epilot.ConfigurationHistoryParams{Size: 2, HistoryChangeTypes: []epilot.ChangeType{epilot.ChangeInstallmentAmount}}
			opts := []polybill.RequestOption{polybill.WithHeader(probe.Header, "asked")}
			return anySeq(client.ListContractConfigurationHistory(ctx, c.ID, p, opts...)), func() {
				p.HistoryChangeTypes[0] = epilot.ChangeContractPricing
				p.Size = 1
				opts[0] = polybill.WithHeader(probe.Header, "changed")
			}
		}},
		{"ListBillingAccountConfigurationHistory", func() (iter.Seq2[any, error], func()) {
			p := &epilot.ConfigurationHistoryParams{Size: 2, HistoryChangeTypes: []epilot.ChangeType{epilot.ChangeInstallmentAmount}}
			opts := []polybill.RequestOption{polybill.WithHeader(probe.Header, "asked")}
			return anySeq(client.ListBillingAccountConfigurationHistory(ctx, "acct-1", p, opts...)), func() {
				p.HistoryChangeTypes[0] = epilot.ChangeContractPricing
				p.Size = 1
				opts[0] = polybill.WithHeader(probe.Header, "changed")
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seq, _ := tt.list()
			wantN, wantRequests := rangeMutating(t, &pr, seq, func() {})
			require.GreaterOrEqual(t, len(wantRequests), 3, "several pages")
			seq, mutate := tt.list()
			n, requests := rangeMutating(t, &pr, seq, mutate)
			assert.Equal(t, wantN, n)
			assert.Equal(t, wantRequests, requests)
		})
	}
}

func anySeq[T any](seq iter.Seq2[T, error]) iter.Seq2[any, error] {
	return func(yield func(any, error) bool) {
		for v, err := range seq {
			if !yield(v, err) {
				return
			}
		}
	}
}

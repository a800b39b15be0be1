package encounters_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/polybill/polybill-go/encounters"
	"github.com/polybill/polybill-go/encounters/encounterstest"
)

func seedInvoices(t *testing.T, c *encounters.Client, n int) {
	t.Helper()
	for i := range n {
		_, err := c.Invoices.Create(context.Background(), encounters.CreateInvoiceParams{
			Facility: fmt.Sprintf("fac-%d", i%2), Type: encounters.InvoiceTypeMedicalEncounter, Subject: fmt.Sprintf("px-%02d", i),
		})
		require.NoError(t, err)
	}
}

func TestListIteratesPagesInBothShapes(t *testing.T) {
	for _, shape := range []struct {
		name  string
		shape encounterstest.PageShape
	}{{"envelope", encounterstest.PageEnvelope}, {"bare array", encounterstest.PageArray}} {
		t.Run(shape.name, func(t *testing.T) {
			c, srv := setup(t, []encounterstest.Option{encounterstest.WithPageShape(shape.shape)})
			seedInvoices(t, c, 11)
			before := srv.Requests()
			var subjects []string
			q := encounters.NewQuery().Where("facility", "fac-0").Sort("subject", encounters.Descending).Limit(2)
			for inv, err := range c.Invoices.List(context.Background(), q) {
				require.NoError(t, err)
				subjects = append(subjects, inv.Subject)
			}
			assert.Equal(t, []string{"px-10", "px-08", "px-06", "px-04", "px-02", "px-00"}, subjects)
			// 3 full pages; a bare array needs one more (empty) page to know it ended.
			want := int64(3)
			if shape.shape == encounterstest.PageArray {
				want = 4
			}
			assert.Equal(t, want, srv.Requests()-before)
		})
	}
}

func TestListIsLazyAndStopsOnBreak(t *testing.T) {
	c, srv := setup(t, nil)
	seedInvoices(t, c, 9)
	before := srv.Requests()
	seq := c.Invoices.List(context.Background(), encounters.NewQuery().Limit(3))
	assert.Equal(t, before, srv.Requests(), "nothing is fetched until ranged")
	n := 0
	for _, err := range seq {
		require.NoError(t, err)
		if n++; n == 4 {
			break
		}
	}
	assert.Equal(t, before+2, srv.Requests(), "break stops after the page in hand")
}

func TestFindPageFields(t *testing.T) {
	c, _ := setup(t, nil)
	seedInvoices(t, c, 5)
	page, err := c.Invoices.Find(context.Background(), encounters.NewQuery().Limit(2).Skip(2))
	require.NoError(t, err)
	assert.Equal(t, 5, page.Total)
	assert.Equal(t, 4, page.Next)
	assert.True(t, page.HasMore)
	assert.Len(t, page.Items, 2)

	count, err := c.Invoices.Find(context.Background(), encounters.NewQuery().Limit(0))
	require.NoError(t, err)
	assert.Equal(t, 5, count.Total, "$limit=#0 counts")
	assert.Empty(t, count.Items)
}

func TestFakeEvaluatesOperators(t *testing.T) {
	ctx := context.Background()
	c, _ := setup(t, nil)
	inv, err := c.Invoices.Create(ctx, encounters.CreateInvoiceParams{Facility: "fac-1", Type: encounters.InvoiceTypeMedicalEncounter, Tags: []string{"vip"}})
	require.NoError(t, err)
	var items []*encounters.Item
	for _, price := range []string{"100", "250.50", "999.99", "1000"} {
		it, err := c.Items.Create(ctx, encounters.CreateItemParams{Invoice: inv.ID, Type: "service", Ref: "svc-" + price, Price: dec(price)})
		require.NoError(t, err)
		items = append(items, it)
	}
	_, err = c.Items.Finalize(ctx, items[0].ID)
	require.NoError(t, err)

	ids := func(q *encounters.Query) []string {
		var out []string
		for it, err := range c.Items.List(ctx, q) {
			require.NoError(t, err)
			out = append(out, it.Ref)
		}
		return out
	}
	cases := []struct {
		name string
		q    *encounters.Query
		want []string
	}{
		{"gt number", encounters.NewQuery().Gt("price", dec("250.50")), []string{"svc-999.99", "svc-1000"}},
		{"gte number", encounters.NewQuery().Gte("price", dec("250.5")), []string{"svc-250.50", "svc-999.99", "svc-1000"}},
		{"lt and lte", encounters.NewQuery().Lt("price", 1000).Gte("price", 250), []string{"svc-250.50", "svc-999.99"}},
		{"in", encounters.NewQuery().In("ref", "svc-100", "svc-1000", "nope"), []string{"svc-100", "svc-1000"}},
		{"nin", encounters.NewQuery().NotIn("ref", "svc-100", "svc-1000"), []string{"svc-250.50", "svc-999.99"}},
		{"ne", encounters.NewQuery().Ne("ref", "svc-100"), []string{"svc-250.50", "svc-999.99", "svc-1000"}},
		{"exists true", encounters.NewQuery().Exists("finalizedAt", true), []string{"svc-100"}},
		{"exists false", encounters.NewQuery().Exists("finalizedAt", false).Sort("price", encounters.Descending), []string{"svc-1000", "svc-999.99", "svc-250.50"}},
		{"null", encounters.NewQuery().Where("finalizedAt", nil), []string{"svc-250.50", "svc-999.99", "svc-1000"}},
		{"or", encounters.NewQuery().Or(encounters.NewQuery().Where("ref", "svc-100"), encounters.NewQuery().Gt("price", 999)), []string{"svc-100", "svc-999.99", "svc-1000"}},
		{"number equality", encounters.NewQuery().Where("quantity", 1).Where("price", 1000), []string{"svc-1000"}},
		{"virtual field", encounters.NewQuery().Where("balance", 100), []string{"svc-100"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { assert.Equal(t, tc.want, ids(tc.q)) })
	}

	// $populate and $select on get.
	got, err := c.Invoices.Get(ctx, inv.ID, encounters.NewQuery().
		Select("id", "tags").
		Populate("items", encounters.Populate{Service: "billing-items", Method: encounters.PopulateFind, LocalKey: "id", ForeignKey: "invoice",
			Query: encounters.NewQuery().Gt("price", 500)}))
	require.NoError(t, err)
	assert.Equal(t, []string{"vip"}, got.Tags)
	assert.Empty(t, got.Facility, "$select dropped facility")
	assert.Contains(t, string(got.Raw), `"$populated"`)

	// Unknown operators are a Feathers BadRequest.
	_, err = c.Items.Find(ctx, encounters.NewQuery().Set(1, "price", "$bogus"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "$bogus")
}

package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const snippetSrc = `package snippets

import (
	"context"
	"errors"
	"time"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/crm"
	"github.com/polybill/polybill-go/examples/internal/exampleenv"
	"github.com/polybill/polybill-go/examples/internal/snippets/example"
)

// GetBilling has a doc comment, which is not copied.
func GetBilling(ctx context.Context, env *exampleenv.CRMEnv) {
	// Pages of {{param "records"}}; "time" and errors are named only here and in a string.
	p := &crm.ListMeetingBillingsParams{Records: example.Param[int]("records"), Status: crm.Status(example.Param[string]("status"))}
	amount := polybill.MustDecimal(example.Money("billing.amount", 2))
	exampleenv.Print(p, amount, example.BodyString("billing.amount"), example.Body[string]("billing.payer"), "errors.New")
}

func unexported() { _ = errors.New; _ = time.Now }
`

func TestSnippetRendersWithExampleValues(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "crm.go"), []byte(snippetSrc), 0o644))
	snippets, err := loadSnippets(dir)
	require.NoError(t, err)
	require.Len(t, snippets, 1, "only exported functions are snippets")
	op := operation{API: "crm", ID: "getBilling", Method: "GET", Path: "/billings/{id}", Dir: "get-billing",
		params: map[string]any{"records": 15.0, "status": "pending"},
		body:   map[string]any{"billing": map[string]any{"amount": 250.0, "payer": "Acme"}}}
	src, err := render(op, snippets["getBilling"], "CRM", "openapi/crm.yaml")
	require.NoError(t, err)
	got := string(src)
	assert.Contains(t, got, `// Pages of 15; "time" and errors are named only here and in a string.`)
	assert.Contains(t, got, `p := &crm.ListMeetingBillingsParams{Records: 15, Status: crm.Status("pending")}`)
	assert.Contains(t, got, `amount := polybill.MustDecimal("250.00")`)
	assert.Contains(t, got, `exampleenv.Print(p, amount, "250", "Acme", "errors.New")`)
	assert.Contains(t, got, "import (\n\t\"context\"\n\t\"log\"\n\n\tpolybill \"github.com/polybill/polybill-go\"\n\t\"github.com/polybill/polybill-go/crm\"\n\t\"github.com/polybill/polybill-go/examples/internal/exampleenv\"\n)",
		"only the imports the body uses; package example never")
	assert.NotContains(t, got, "doc comment")
	assert.NotContains(t, got, "example.")

	op.params = map[string]any{}
	_, err = render(op, snippets["getBilling"], "CRM", "openapi/crm.yaml")
	assert.ErrorContains(t, err, `parameter "records" has no example`)
}

func TestLiteralsAndLookup(t *testing.T) {
	body := map[string]any{"billing": map[string]any{"amount": 250.0, "payer": "Acme"}, "items": []any{map[string]any{"q": 2.0}}}
	v, err := lookup(body, "billing.amount")
	require.NoError(t, err)
	assert.Equal(t, "250", literal(v, false))
	assert.Equal(t, `"250"`, literal(v, true))
	v, err = lookup(body, "items.0.q")
	require.NoError(t, err)
	assert.Equal(t, 2.0, v)
	_, err = lookup(body, "billing.missing")
	assert.Error(t, err)
	_, err = lookup(body, "items.7")
	assert.Error(t, err)
	assert.Equal(t, `"Acme"`, literal("Acme", false))
	assert.Equal(t, "get-billing-event-by-external-id", kebab("getBillingEventByExternalId"))
}

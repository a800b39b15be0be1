package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestUsesPackageIgnoresCommentsAndStrings(t *testing.T) {
	assert.True(t, usesPackage(`x := epilot.Link("a")`, "epilot"))
	assert.False(t, usesPackage(`// returns *epilot.InstallmentEvent`+"\n"+`x := 1`, "epilot"))
	assert.False(t, usesPackage(`s := "epilot.Link"`, "epilot"))
	assert.False(t, usesPackage(`myepilot.X()`, "epilot"))
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

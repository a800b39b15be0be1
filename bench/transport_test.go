package bench

import (
	"context"
	"errors"
	"net/http"
	"testing"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/internal/benchdata"
	"github.com/polybill/polybill-go/internal/transport"
)

// transportGet is crm's GetBilling minus crm's decoder: the call goes through the shared
// transport configured as crm configures it, and decodes into the raw side's struct.
func transportGet(tb testing.TB, base string) func(ctx context.Context) error {
	cfg, err := transport.NewConfig("test", nil, []polybill.Option{polybill.WithBaseURL(base)})
	if err != nil {
		tb.Fatal(err)
	}
	tc, err := transport.New(transport.Settings{
		API:    "crm",
		Config: cfg,
		Auth: transport.StaticHeaders(http.Header{
			"AppId":         {crmKey},
			"X-Api-Key":     {crmKey},
			"Authorization": {"Bearer " + crmToken},
		}),
		Secrets:         []string{crmKey, crmToken},
		RequestIDHeader: "X-Request-ID",
	})
	if err != nil {
		tb.Fatal(err)
	}
	return func(ctx context.Context) error {
		var doc struct {
			Data benchdata.CRMBilling `json:"data"`
		}
		err := tc.Do(ctx, transport.Call{
			Method: http.MethodGet,
			Op:     transport.Op("getBilling", "/billings/{unique_id}"),
			Params: []string{crmID},
		}, &doc)
		if err == nil && doc.Data.Attributes.UniqueID != crmID {
			err = errors.New("transport: wrong billing")
		}
		return err
	}
}

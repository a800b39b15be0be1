package encounters_test

import (
	"context"
	"errors"
	"fmt"

	polybill "github.com/polybill/polybill-go"
	"github.com/polybill/polybill-go/encounters"
	"github.com/polybill/polybill-go/encounters/encounterstest"
)

// Sign in at start-up, so wrong credentials fail there rather than on the
// first invoice. Later calls reuse the token; with WithToken, Authenticate has
// nothing to do and returns nil.
func ExampleClient_Authenticate() {
	srv := encounterstest.New(encounterstest.WithUser("cashier@example.com", "s3cret"))
	defer srv.Close()
	bg := context.Background()

	good, err := encounters.New(polybill.WithBaseURL(srv.URL()), encounters.WithCredentials("cashier@example.com", "s3cret"))
	if err != nil {
		panic(err)
	}
	fmt.Println(good.Authenticate(bg), srv.Logins())
	_, err = good.Invoices.Find(bg, nil)
	fmt.Println(err, srv.Logins())

	bad, err := encounters.New(polybill.WithBaseURL(srv.URL()), encounters.WithCredentials("cashier@example.com", "wrong"))
	if err != nil {
		panic(err)
	}
	fmt.Println(errors.Is(bad.Authenticate(bg), polybill.ErrUnauthorized))

	static, err := encounters.New(polybill.WithBaseURL(srv.URL()), encounters.WithToken(srv.Token()))
	if err != nil {
		panic(err)
	}
	fmt.Println(static.Authenticate(bg))
	// Output:
	// <nil> 1
	// <nil> 1
	// true
	// <nil>
}

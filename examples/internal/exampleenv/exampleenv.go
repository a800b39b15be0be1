// Package exampleenv gives every example program its client: the API's in-process fake,
// seeded on demand with what the operation needs, unless the user asks for the real API
// with the -live flag (and the vendor's environment variables).
//
// The vendor variables alone never switch a program to the real API (DESIGN rule 10): the
// quickstart writes billings and records an irreversible payment, and a variable left set in
// a shell for other work must not point that at production. Every program prints first, on
// stderr, where each API it uses points: "crm: in-process fake at http://127.0.0.1:…" or
// "crm: LIVE https://…".
package exampleenv

import (
	"cmp"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"slices"
	"strings"
	"sync"

	polybill "github.com/polybill/polybill-go"
)

// Must returns v, or ends the program with the error's details.
func Must[T any](v T, err error) T {
	Check(err)
	return v
}

// Check ends the program with the error's details when err is not nil.
func Check(err error) {
	if err == nil {
		return
	}
	var pe *polybill.Error
	if errors.As(err, &pe) {
		log.Fatalf("%v (status %d, code %q, param %q, retryable %v, ambiguous %v)", pe, pe.StatusCode, pe.Code, pe.Param, pe.Retryable, pe.Ambiguous)
	}
	log.Fatal(err)
}

// Print writes v as indented JSON to stdout.
func Print(v any) {
	b, err := json.MarshalIndent(v, "", "  ")
	Check(err)
	fmt.Println(string(b))
}

// vendor is what an example needs to know of one API's configuration.
type vendor struct {
	api        string   // the package name, as -live=<api> spells it
	urlVar     string   // the base URL variable
	defaultURL string   // the client's default base URL; "" when the API has none
	required   []string // the variables -live cannot do without
	vars       []string // every variable the client's NewFromEnv reads
}

var vendors = map[string]vendor{}

func register(v vendor) vendor {
	vendors[v.api] = v
	return v
}

// liveAPIs is the -live flag: "-live" alone selects every API a program uses, "-live=crm,clinic"
// only those.
type liveAPIs struct {
	all   bool
	names []string
}

func (l *liveAPIs) IsBoolFlag() bool { return true }

func (l *liveAPIs) String() string {
	if l.all {
		return "true"
	}
	return strings.Join(l.names, ",")
}

func (l *liveAPIs) Set(s string) error {
	switch s {
	case "true":
		l.all, l.names = true, nil
		return nil
	case "false", "":
		l.all, l.names = false, nil
		return nil
	}
	l.all, l.names = false, nil
	for name := range strings.SplitSeq(s, ",") {
		if _, ok := vendors[name]; !ok {
			return fmt.Errorf("unknown API %q (want crm, epilot, encounters or clinic)", name)
		}
		l.names = append(l.names, name)
	}
	return nil
}

var (
	live      liveAPIs
	parseOnce sync.Once
)

func init() {
	flag.Var(&live, "live", "call the real APIs (all the program uses, or a comma-separated list: crm,epilot,encounters,clinic), configured by the vendors' environment variables; without it the program runs on in-process fakes")
}

// isLive reports whether the user asked for this API's real service. The programs have no
// flags of their own, so the command line is parsed here, on first use.
func (v vendor) isLive() bool {
	parseOnce.Do(func() {
		if !flag.Parsed() {
			flag.Parse()
		}
	})
	return live.all || slices.Contains(live.names, v.api)
}

// goLive checks that the variables -live needs are set and prints where the API points.
func (v vendor) goLive() error {
	var missing []string
	for _, name := range v.required {
		if os.Getenv(name) == "" {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("-live: %s needs %s set (without -live the program runs on the in-process fake)", v.api, strings.Join(missing, ", "))
	}
	fmt.Fprintf(os.Stderr, "%s: LIVE %s\n", v.api, cmp.Or(os.Getenv(v.urlVar), v.defaultURL))
	return nil
}

// liveError explains a client the vendor variables could not configure.
func (v vendor) liveError(err error) error {
	return fmt.Errorf("-live: %s: %w (set %s, or drop -live to use the in-process fake)", v.api, err, strings.Join(v.vars, ", "))
}

// announceFake prints where the API points when it is the fake, and names the vendor
// variables that are set but ignored, so nobody believes they ran against the real service.
func (v vendor) announceFake(url string) {
	var set []string
	for _, name := range v.vars {
		if os.Getenv(name) != "" {
			set = append(set, name)
		}
	}
	line := fmt.Sprintf("%s: in-process fake at %s", v.api, url)
	if len(set) > 0 {
		line += fmt.Sprintf(" (%s set but ignored: pass -live to call the real API)", strings.Join(set, ", "))
	}
	fmt.Fprintln(os.Stderr, line)
}

package fake_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/polybill/polybill-go/internal/fake"
)

const miniSpec = `
openapi: 3.0.3
info: {title: mini, version: "1"}
servers: [{url: "https://vendor.example.com"}]
paths:
  /items/{id}:
    get:
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
        - {name: size, in: query, schema: {type: integer, minimum: 1, maximum: 10}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                required: [id, amount]
                properties:
                  id: {type: string}
                  amount: {type: string, pattern: '^[0-9]+\.[0-9]{2}$'}
  /items:
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [amount]
              properties:
                amount: {type: string}
      responses:
        "201": {description: created}
`

func loadSpec(t *testing.T) *openapi3.T {
	t.Helper()
	spec, err := openapi3.NewLoader().LoadFromData([]byte(miniSpec))
	require.NoError(t, err)
	require.NoError(t, spec.Validate(context.Background()))
	return spec
}

func TestFaultsInjectAndCount(t *testing.T) {
	var handled atomic.Int64
	srv := fake.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		handled.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"id":"1","amount":"10.00","padding":"`+strings.Repeat("x", 200)+`"}`)
	}))
	defer srv.Close()
	// A fresh connection per request: net/http silently re-sends a GET whose reused
	// keep-alive connection breaks, which would consume the next queued fault.
	hc := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	get := func() (*http.Response, []byte, error) {
		resp, err := hc.Get(srv.URL() + "/items/1")
		if err != nil {
			return nil, nil, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return resp, b, err
	}

	srv.Faults().Add(fake.Fault{Status: 503, RetryAfter: "2", Body: `{"error":"down"}`})
	resp, body, err := get()
	require.NoError(t, err)
	assert.Equal(t, 503, resp.StatusCode)
	assert.Equal(t, "2", resp.Header.Get("Retry-After"))
	assert.JSONEq(t, `{"error":"down"}`, string(body))
	assert.Equal(t, int64(0), handled.Load(), "a status fault commits nothing")

	srv.Faults().Add(fake.Fault{ResetBeforeHandler: true})
	_, _, err = get()
	require.Error(t, err)
	assert.Equal(t, int64(0), handled.Load())

	srv.Faults().Add(fake.Fault{ResetAfterHandler: true})
	_, _, err = get()
	require.Error(t, err)
	assert.Equal(t, int64(1), handled.Load(), "the handler ran: the write committed")

	srv.Faults().Add(fake.Fault{TruncateBody: true})
	_, _, err = get()
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)

	srv.Faults().Add(fake.Fault{MalformedBody: true})
	_, body, err = get()
	require.NoError(t, err)
	assert.Equal(t, `{"data": [{"id": 1,`, string(body))

	srv.Faults().Add(fake.Fault{SlowBody: 5 * time.Millisecond})
	start := time.Now()
	_, body, err = get()
	require.NoError(t, err)
	assert.Contains(t, string(body), `"amount":"10.00"`)
	assert.GreaterOrEqual(t, time.Since(start), 15*time.Millisecond)

	srv.Faults().Add(fake.Fault{Status: 500, Times: 2, Match: func(r *http.Request) bool { return r.Method == http.MethodPost }})
	resp, _, err = get()
	require.NoError(t, err)
	assert.Equal(t, 200, resp.StatusCode, "the fault matches POST only")

	assert.Equal(t, map[string]int{"status_503": 1, "reset_before": 1, "reset_after": 1, "truncated_body": 1,
		"malformed_body": 1, "slow_body": 1}, srv.Faults().Injected())
	assert.Equal(t, int64(7), srv.Requests())
}

func TestRandomFaults(t *testing.T) {
	srv := fake.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(200) }))
	defer srv.Close()
	var n atomic.Int64
	srv.Faults().SetRandom(func(r *http.Request) *fake.Fault {
		if n.Add(1)%2 == 0 {
			return &fake.Fault{Status: 502}
		}
		return nil
	})
	codes := map[int]int{}
	for range 10 {
		resp, err := http.Get(srv.URL())
		require.NoError(t, err)
		resp.Body.Close()
		codes[resp.StatusCode]++
	}
	assert.Equal(t, map[int]int{200: 5, 502: 5}, codes)
	srv.Faults().Clear()
	resp, err := http.Get(srv.URL())
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode)
}

func TestRequestValidation(t *testing.T) {
	spec := loadSpec(t)
	var gotStatus int
	validate, err := fake.NewValidator(spec, func(w http.ResponseWriter, r *http.Request, status int, err error) {
		gotStatus = status
		w.WriteHeader(status)
	})
	require.NoError(t, err)
	srv := fake.NewServer(validate(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(201) })))
	defer srv.Close()
	tests := []struct {
		method, path, body string
		want               int
	}{
		{http.MethodPost, "/items", `{"amount":"1.00"}`, 201},
		{http.MethodPost, "/items", `{}`, 400},
		{http.MethodPost, "/items", `{"amount":1}`, 400},
		{http.MethodGet, "/items/1?size=11", ``, 400},
		{http.MethodGet, "/nowhere", ``, 404},
		{http.MethodDelete, "/items/1", ``, 405},
	}
	for _, tt := range tests {
		gotStatus = 0
		req, _ := http.NewRequest(tt.method, srv.URL()+tt.path, strings.NewReader(tt.body))
		if tt.body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, tt.want, resp.StatusCode, "%s %s %s", tt.method, tt.path, tt.body)
		if tt.want != 201 {
			assert.Equal(t, tt.want, gotStatus)
		}
	}
	assert.Len(t, spec.Servers, 1, "the caller's spec keeps its servers")
}

func TestResponseValidation(t *testing.T) {
	spec := loadSpec(t)
	var body atomic.Value
	srv := fake.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, body.Load().(string))
	}))
	defer srv.Close()
	rv, err := fake.NewResponseValidator(spec, nil)
	require.NoError(t, err)
	hc := &http.Client{Transport: rv}
	for _, b := range []string{`{"id":"1","amount":"10.00"}`, `{"id":"1","amount":10}`, `{"id":"1"}`} {
		body.Store(b)
		resp, err := hc.Get(srv.URL() + "/items/1")
		require.NoError(t, err)
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		assert.Equal(t, b, string(got), "the body stays readable after validation")
	}
	assert.Equal(t, 3, rv.Validated())
	assert.Len(t, rv.Errors(), 2)
}

func TestManualClock(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := fake.NewManualClock(start)
	assert.Equal(t, start, c.Now())
	c.Advance(90 * 24 * time.Hour)
	assert.Equal(t, start.AddDate(0, 0, 90), c.Now())
	c.Set(start)
	assert.Equal(t, start, c.Now())
	assert.WithinDuration(t, time.Now(), fake.RealClock{}.Now(), time.Second)
}

func TestResponseValidatorSkipsInjectedFaults(t *testing.T) {
	spec := loadSpec(t)
	srv := fake.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"id":"1","amount":"10.00"}`)
	}))
	defer srv.Close()
	rv, err := fake.NewResponseValidator(spec, nil)
	require.NoError(t, err)
	srv.Faults().Add(fake.Fault{Status: 503})
	hc := &http.Client{Transport: rv}
	for range 2 {
		resp, err := hc.Get(srv.URL() + "/items/1")
		require.NoError(t, err)
		resp.Body.Close()
	}
	assert.Empty(t, rv.Errors())
	assert.Equal(t, 1, rv.Validated(), "the 503 was skipped, the real answer checked")
}

func TestLateCommit(t *testing.T) {
	var stored atomic.Int64
	srv := fake.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			b, _ := io.ReadAll(r.Body)
			if string(b) == "write" {
				stored.Add(1)
			}
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	get := func() {
		resp, err := srv.Client().Get(srv.URL() + "/x")
		require.NoError(t, err)
		resp.Body.Close()
	}
	post := func() int {
		resp, err := srv.Client().Post(srv.URL()+"/x", "text/plain", strings.NewReader("write"))
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}

	t.Run("after the next request", func(t *testing.T) {
		stored.Store(0)
		srv.Faults().Add(fake.Fault{LateCommit: true, LateCommitAfter: 1})
		assert.Equal(t, http.StatusGatewayTimeout, post(), "the client is told the request failed")
		assert.Zero(t, stored.Load())
		get() // handled before the write commits
		assert.Zero(t, stored.Load(), "the next request does not see the write yet")
		get()
		assert.EqualValues(t, 1, stored.Load(), "the request after it does: the body was kept")
		assert.Equal(t, 1, srv.Faults().Injected()["late_commit"])
	})
	t.Run("CommitLate settles pending writes", func(t *testing.T) {
		stored.Store(0)
		srv.Faults().Add(fake.Fault{LateCommit: true, LateCommitAfter: 5, Status: http.StatusBadGateway})
		srv.Faults().Add(fake.Fault{LateCommit: true, LateCommitDelay: 20 * time.Millisecond})
		assert.Equal(t, http.StatusBadGateway, post())
		assert.Equal(t, http.StatusGatewayTimeout, post())
		srv.Faults().CommitLate()
		assert.EqualValues(t, 2, stored.Load())
		get()
		assert.EqualValues(t, 2, stored.Load(), "each late write commits once")
	})
}

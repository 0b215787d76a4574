package kora

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// testKey is recognisable so any leak of it is easy to spot.
const testKey = "sk_test_SECRETCANARY123"

// seedSuccessBody is the seed page's charge response, verbatim.
const seedSuccessBody = `{
"status": true,
"message": "Charge Successful",
"data": {
"currency": "ZAR",
"amount": 10,
"fee": 0,
"vat": 0,
"transaction_reference": "KPY-CA-qFNr4bXheKr6",
"payment_reference": "unique-payment-reference",
"status": "success",
"voucher": {
"serial_number": "20251024103152983020",
"balance": 10,
"pin": "1234252526252525",
"expiry_date": "2028-10-24 10:31:26"
},
"customer": {
"name": "John Doe",
"email": "[email protected]"
}
}
}`

const testPIN = "0012345678901234"

func sampleCharge() VoucherCharge {
	return VoucherCharge{
		Amount:            MustAmount("100.5"),
		Currency:          "ZAR",
		MerchantBearsCost: false,
		Description:       "Voucher payment at Demo Spaza",
		Reference:         "T1-20250101120000-ab12",
		PIN:               testPIN,
		PhoneNumber:       "+27576847568",
		ProviderCode:      "0001",
		CustomerName:      "John Doe",
		CustomerEmail:     "till@example.com",
		Metadata:          map[string]string{"terminal_id": "T1", "app_version": "1.0.0"},
	}
}

func newTestClient(t *testing.T, base string, opts ...Option) *Client {
	t.Helper()
	c, err := New(base, testKey, opts...)
	if err != nil {
		t.Fatalf("New(%q): %v", base, err)
	}
	return c
}

// serve starts a loopback server whose handler answers every request.
func serve(t *testing.T, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// answer is a handler that replies with status and body as JSON.
func answer(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

// assertNoSecret fails when s shows the secret key.
func assertNoSecret(t *testing.T, what, s string) {
	t.Helper()
	if strings.Contains(s, testKey) || strings.Contains(s, "SECRETCANARY") {
		t.Errorf("%s shows the secret key: %s", what, s)
	}
}

// assertErrorHidesSecret renders err every way a caller might.
func assertErrorHidesSecret(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	assertNoSecret(t, "Error()", err.Error())
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
		assertNoSecret(t, "error "+verb, fmt.Sprintf(verb, err))
	}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Error("charge failed", "err", err)
	assertNoSecret(t, "slog of error", buf.String())
}

type capturedRequest struct {
	method, uri, path string
	header            http.Header
	body              []byte
}

func TestChargeVoucher_SendsTheDocumentedRequest(t *testing.T) {
	t.Parallel()
	got := make(chan capturedRequest, 1)
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got <- capturedRequest{r.Method, r.RequestURI, r.URL.Path, r.Header.Clone(), body}
		answer(200, seedSuccessBody)(w, r)
	})
	c := newTestClient(t, srv.URL+"/merchant/", WithUserAgent("voucherpos-test/1"))
	if _, err := c.ChargeVoucher(context.Background(), sampleCharge()); err != nil {
		t.Fatalf("ChargeVoucher: %v", err)
	}
	req := <-got

	if req.method != http.MethodPost {
		t.Errorf("method = %s, want POST", req.method)
	}
	if req.uri != "/merchant/api/v1/charge/voucher" {
		t.Errorf("request URI = %s, want /merchant/api/v1/charge/voucher", req.uri)
	}
	for name, want := range map[string]string{
		"Authorization": "Bearer " + testKey,
		"Content-Type":  "application/json",
		"Accept":        "application/json",
		"User-Agent":    "voucherpos-test/1",
	} {
		if v := req.header.Get(name); v != want {
			t.Errorf("header %s = %q, want %q", name, v, want)
		}
	}
	assertNoSecret(t, "request body", string(req.body))

	var top map[string]json.RawMessage
	if err := json.Unmarshal(req.body, &top); err != nil {
		t.Fatalf("body is not a JSON object: %v\n%s", err, req.body)
	}
	// Raw text of each value: numbers as exact text, codes as strings.
	for key, want := range map[string]string{
		"amount":              `100.5`,
		"currency":            `"ZAR"`,
		"merchant_bears_cost": `false`,
		"reference":           `"T1-20250101120000-ab12"`,
		"description":         `"Voucher payment at Demo Spaza"`,
	} {
		if v, ok := top[key]; !ok || string(v) != want {
			t.Errorf("body %s = %s (present %v), want %s", key, v, ok, want)
		}
	}
	if _, ok := top["notification_url"]; ok {
		t.Errorf("empty notification_url was sent: %s", req.body)
	}

	var voucher, customer map[string]json.RawMessage
	var metadata map[string]string
	if err := json.Unmarshal(top["voucher"], &voucher); err != nil {
		t.Fatalf("voucher: %v", err)
	}
	if err := json.Unmarshal(top["customer"], &customer); err != nil {
		t.Fatalf("customer: %v", err)
	}
	if err := json.Unmarshal(top["metadata"], &metadata); err != nil {
		t.Fatalf("metadata: %v", err)
	}
	for key, want := range map[string]string{
		"pin":           `"0012345678901234"`, // a string: leading zeros survive
		"provider_code": `"0001"`,
		"phone_number":  `"+27576847568"`,
	} {
		if string(voucher[key]) != want {
			t.Errorf("voucher.%s = %s, want %s", key, voucher[key], want)
		}
	}
	if string(customer["email"]) != `"till@example.com"` || string(customer["name"]) != `"John Doe"` {
		t.Errorf("customer = %s", top["customer"])
	}
	if metadata["terminal_id"] != "T1" || metadata["app_version"] != "1.0.0" || len(metadata) != 2 {
		t.Errorf("metadata = %v", metadata)
	}
}

func TestChargeVoucher_WritesAmountsAsExactNumberText(t *testing.T) {
	t.Parallel()
	tests := []struct{ amount, want string }{
		{"100", `100`},
		{"100.50", `100.5`},
		{"0.01", `0.01`},
		{"9007199254740993.01", `9007199254740993.01`},
	}
	for _, tt := range tests {
		t.Run(tt.amount, func(t *testing.T) {
			t.Parallel()
			got := make(chan []byte, 1)
			srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				got <- body
				answer(200, seedSuccessBody)(w, r)
			})
			ch := sampleCharge()
			ch.Amount = MustAmount(tt.amount)
			ch.MerchantBearsCost = true
			ch.Metadata = nil
			if _, err := newTestClient(t, srv.URL).ChargeVoucher(context.Background(), ch); err != nil {
				t.Fatalf("ChargeVoucher: %v", err)
			}
			var top map[string]json.RawMessage
			body := <-got
			if err := json.Unmarshal(body, &top); err != nil {
				t.Fatal(err)
			}
			if string(top["amount"]) != tt.want || string(top["merchant_bears_cost"]) != "true" {
				t.Errorf("amount = %s merchant_bears_cost = %s, want %s true", top["amount"], top["merchant_bears_cost"], tt.want)
			}
			if _, ok := top["metadata"]; ok {
				t.Errorf("nil metadata was sent: %s", body)
			}
		})
	}
}

func TestChargeVoucher_DecodesTheSeedSuccessResponse(t *testing.T) {
	t.Parallel()
	srv := serve(t, answer(200, seedSuccessBody))
	res, err := newTestClient(t, srv.URL+"/merchant").ChargeVoucher(context.Background(), sampleCharge())
	if err != nil {
		t.Fatalf("ChargeVoucher: %v", err)
	}
	if res.Message != "Charge Successful" || res.Status != StatusSuccess || !res.Status.Final() {
		t.Errorf("Message/Status = %q %q", res.Message, res.Status)
	}
	if res.Reference != "unique-payment-reference" || res.TransactionReference != "KPY-CA-qFNr4bXheKr6" {
		t.Errorf("references = %q %q", res.Reference, res.TransactionReference)
	}
	if res.Currency != "ZAR" || res.Amount.Cmp(MustAmount("10")) != 0 || !res.Fee.IsZero() || !res.VAT.IsZero() {
		t.Errorf("money = %s %s fee %s vat %s", res.Currency, res.Amount, res.Fee, res.VAT)
	}
	v := res.Voucher
	if v == nil {
		t.Fatal("Voucher is nil")
	}
	if v.SerialNumber != "20251024103152983020" || v.Balance.Cmp(MustAmount("10")) != 0 || v.PIN != "1234252526252525" {
		t.Errorf("voucher = %q %s %q", v.SerialNumber, v.Balance, v.PIN)
	}
	if want := time.Date(2028, 10, 24, 10, 31, 26, 0, time.UTC); !v.ExpiryDate.Equal(want) {
		t.Errorf("expiry = %v, want %v", v.ExpiryDate, want)
	}
	if res.Customer.Name != "John Doe" || res.Customer.Email != "[email protected]" {
		t.Errorf("customer = %+v", res.Customer)
	}
}

func TestChargeVoucher_DecodesTolerantly(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		data  string
		check func(t *testing.T, r *VoucherResult)
	}{
		{"amounts as strings", `{"amount":"10.00","fee":"0.50","vat":"0.08","status":"success","voucher":{"balance":"90.00"}}`,
			func(t *testing.T, r *VoucherResult) {
				if r.Amount.String() != "10" || r.Fee.String() != "0.5" || r.VAT.String() != "0.08" || r.Voucher.Balance.String() != "90" {
					t.Errorf("amounts = %s %s %s %s", r.Amount, r.Fee, r.VAT, r.Voucher.Balance)
				}
			}},
		{"expiry in RFC 3339 UTC", `{"status":"success","amount":10,"voucher":{"expiry_date":"2028-10-24T10:31:26Z"}}`,
			func(t *testing.T, r *VoucherResult) {
				if want := time.Date(2028, 10, 24, 10, 31, 26, 0, time.UTC); !r.Voucher.ExpiryDate.Equal(want) {
					t.Errorf("expiry = %v", r.Voucher.ExpiryDate)
				}
			}},
		{"expiry in RFC 3339 with offset", `{"status":"success","amount":10,"voucher":{"expiry_date":"2028-10-24T12:31:26+02:00"}}`,
			func(t *testing.T, r *VoucherResult) {
				if want := time.Date(2028, 10, 24, 10, 31, 26, 0, time.UTC); !r.Voucher.ExpiryDate.Equal(want) {
					t.Errorf("expiry = %v", r.Voucher.ExpiryDate)
				}
			}},
		{"expiry unreadable keeps the charge", `{"status":"success","amount":10,"voucher":{"serial_number":"S1","expiry_date":"soon"}}`,
			func(t *testing.T, r *VoucherResult) {
				if !r.Voucher.ExpiryDate.IsZero() || r.Voucher.SerialNumber != "S1" {
					t.Errorf("voucher = %v", r.Voucher)
				}
			}},
		{"voucher absent", `{"amount":10,"status":"success"}`,
			func(t *testing.T, r *VoucherResult) {
				if r.Voucher != nil {
					t.Errorf("Voucher = %v, want nil", r.Voucher)
				}
			}},
		{"voucher null", `{"status":"success","amount":10,"voucher":null}`,
			func(t *testing.T, r *VoucherResult) {
				if r.Voucher != nil {
					t.Errorf("Voucher = %v, want nil", r.Voucher)
				}
			}},
		{"voucher without pin", `{"status":"success","amount":10,"voucher":{"serial_number":"S1","balance":0}}`,
			func(t *testing.T, r *VoucherResult) {
				if r.Voucher == nil || r.Voucher.PIN != "" || r.Voucher.SerialNumber != "S1" || !r.Voucher.Balance.IsZero() {
					t.Errorf("Voucher = %v", r.Voucher)
				}
			}},
		{"pin and serial as numbers keep every digit", `{"status":"success","amount":10,"voucher":{"serial_number":20251024103152983020,"pin":1234252526252525}}`,
			func(t *testing.T, r *VoucherResult) {
				if r.Voucher.SerialNumber != "20251024103152983020" || r.Voucher.PIN != "1234252526252525" {
					t.Errorf("Voucher serial/pin = %q %q", r.Voucher.SerialNumber, r.Voucher.PIN)
				}
			}},
		{"unknown fields ignored", `{"status":"success","amount":10,"new_thing":{"a":[1,2]},"payment_method":"voucher","voucher":{"pin":"1","provider":{"x":1}},"customer":{"name":"A","phone":"+27"}}`,
			func(t *testing.T, r *VoucherResult) {
				if r.Amount.String() != "10" || r.Customer.Name != "A" {
					t.Errorf("result = %v", r)
				}
			}},
		{"partly paid", `{"amount":60.00,"status":"success","payment_reference":"T1-20250101120000-ab12"}`,
			func(t *testing.T, r *VoucherResult) {
				if r.Amount.Cmp(MustAmount("100.5")) >= 0 || r.Amount.String() != "60" {
					t.Errorf("amount = %s", r.Amount)
				}
			}},
		{"no references falls back to the request's", `{"status":"success","amount":10}`,
			func(t *testing.T, r *VoucherResult) {
				if r.Reference != "T1-20250101120000-ab12" || r.Status != StatusSuccess {
					t.Errorf("Reference/Status = %q %q", r.Reference, r.Status)
				}
			}},
		{"status processing, upper case", `{"amount":10,"status":" PROCESSING "}`,
			func(t *testing.T, r *VoucherResult) {
				if r.Status != StatusProcessing || r.Status.Final() {
					t.Errorf("Status = %q", r.Status)
				}
			}},
		{"failure reason", `{"amount":10,"status":"failed","failure_reason":"Voucher expired"}`,
			func(t *testing.T, r *VoucherResult) {
				if r.Status != StatusFailed || r.Charge.Message != "Voucher expired" || r.Message != "Charge Successful" {
					t.Errorf("Status/Charge.Message/Message = %q %q %q", r.Status, r.Charge.Message, r.Message)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			body := `{"status":true,"message":"Charge Successful","data":` + tt.data + `}`
			srv := serve(t, answer(200, body))
			res, err := newTestClient(t, srv.URL).ChargeVoucher(context.Background(), sampleCharge())
			if err != nil {
				t.Fatalf("ChargeVoucher: %v", err)
			}
			tt.check(t, res)
		})
	}
}

func TestChargeVoucher_DeclinesAreDefiniteErrors(t *testing.T) {
	t.Parallel()
	for _, tt := range seedErrorTable {
		if tt.status >= 500 {
			continue
		}
		t.Run(tt.message, func(t *testing.T) {
			t.Parallel()
			srv := serve(t, answer(tt.status, errorBody(tt.message)))
			res, err := newTestClient(t, srv.URL).ChargeVoucher(context.Background(), sampleCharge())
			if err == nil {
				t.Fatalf("ChargeVoucher = %v, want an error", res)
			}
			var e *Error
			if !errors.As(err, &e) || e.StatusCode != tt.status || e.Message != tt.message {
				t.Fatalf("error = %#v", err)
			}
			if !errors.Is(err, tt.want) || !e.Declined() || errors.Is(err, ErrOutcomeUnknown) || errors.Is(err, ErrNotSent) {
				t.Fatalf("error %v: want definite %v", err, tt.want)
			}
			assertErrorHidesSecret(t, err)
		})
	}
}

func TestQueryCharge_EscapesReferenceAndDecodes(t *testing.T) {
	t.Parallel()
	const ref = "T1/2025 01?x=1#frag%"
	got := make(chan capturedRequest, 1)
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got <- capturedRequest{r.Method, r.RequestURI, r.URL.Path, r.Header.Clone(), body}
		answer(200, `{"status":true,"message":"Charge retrieved successfully","data":{"reference":"T1/2025 01?x=1#frag%","status":"success","amount":"100.50","fee":1.5,"currency":"ZAR"}}`)(w, r)
	})
	ch, err := newTestClient(t, srv.URL+"/merchant").QueryCharge(context.Background(), ref)
	if err != nil {
		t.Fatalf("QueryCharge: %v", err)
	}
	req := <-got
	if req.method != http.MethodGet {
		t.Errorf("method = %s, want GET", req.method)
	}
	if want := "/merchant/api/v1/charges/" + url.PathEscape(ref); req.uri != want {
		t.Errorf("request URI = %s, want %s", req.uri, want)
	}
	if want := "/merchant/api/v1/charges/" + ref; req.path != want {
		t.Errorf("decoded path = %q, want %q", req.path, want)
	}
	if req.header.Get("Authorization") != "Bearer "+testKey || req.header.Get("Content-Type") != "" || len(req.body) != 0 {
		t.Errorf("headers %v body %q", req.header, req.body)
	}
	if ch.Reference != ref || ch.Status != StatusSuccess || ch.Amount.String() != "100.5" || ch.Fee.String() != "1.5" || ch.Currency != "ZAR" {
		t.Errorf("charge = %+v", ch)
	}
}

func TestQueryCharge_FallsBackToTheQueriedReference(t *testing.T) {
	t.Parallel()
	srv := serve(t, answer(200, `{"status":true,"message":"ok","data":{"status":"pending"}}`))
	ch, err := newTestClient(t, srv.URL).QueryCharge(context.Background(), "R-1")
	if err != nil {
		t.Fatalf("QueryCharge: %v", err)
	}
	if ch.Reference != "R-1" || ch.Status != StatusPending || ch.Status.Final() {
		t.Errorf("charge = %+v", ch)
	}
}

func TestQueryCharge_NotFoundIsErrChargeNotFound(t *testing.T) {
	t.Parallel()
	srv := serve(t, answer(404, errorBody("Charge not found")))
	_, err := newTestClient(t, srv.URL).QueryCharge(context.Background(), "R-404")
	var e *Error
	if !errors.Is(err, ErrChargeNotFound) || errors.Is(err, ErrOutcomeUnknown) || !errors.As(err, &e) || !e.Declined() || e.StatusCode != 404 {
		t.Fatalf("QueryCharge error = %v", err)
	}
	assertErrorHidesSecret(t, err)
}

func TestQueryCharge_EmptyReferenceIsNotSent(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) { hits.Add(1) })
	_, err := newTestClient(t, srv.URL).QueryCharge(context.Background(), "")
	if !errors.Is(err, ErrNotSent) || hits.Load() != 0 {
		t.Fatalf("QueryCharge(\"\") = %v with %d requests", err, hits.Load())
	}
}

// deadAddr returns a loopback address nothing listens on.
func deadAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}

// hijack takes the connection from the server, after the request was read.
func hijack(t *testing.T, w http.ResponseWriter, r *http.Request) net.Conn {
	_, _ = io.Copy(io.Discard, r.Body)
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		t.Errorf("hijack: %v", err)
		return nil
	}
	return conn
}

type faultCase struct {
	name string
	// setup returns the client, the context to call with and the counter
	// of requests the server saw (nil when there is no server).
	setup   func(t *testing.T) (*Client, context.Context, *atomic.Int32)
	class   error // ErrNotSent or ErrOutcomeUnknown
	also    error // another sentinel the error must match, or nil
	hits    int32 // requests the server must have seen; -1 = any
	maxTime time.Duration
}

// countingServer wraps h with a request counter.
func countingServer(t *testing.T, h http.HandlerFunc) (*httptest.Server, *atomic.Int32) {
	var hits atomic.Int32
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		h(w, r)
	})
	return srv, &hits
}

// faultCases are the transport and answer faults a till must survive.
func faultCases() []faultCase {
	bg := context.Background()
	withServer := func(h http.HandlerFunc, opts ...Option) func(t *testing.T) (*Client, context.Context, *atomic.Int32) {
		return func(t *testing.T) (*Client, context.Context, *atomic.Int32) {
			srv, hits := countingServer(t, h)
			return newTestClient(t, srv.URL+"/merchant", opts...), bg, hits
		}
	}
	return []faultCase{
		{name: "connection refused", class: ErrNotSent, hits: -1,
			setup: func(t *testing.T) (*Client, context.Context, *atomic.Int32) {
				return newTestClient(t, "http://"+deadAddr(t)), bg, nil
			}},
		{name: "DNS name that cannot resolve", class: ErrNotSent, hits: -1, maxTime: 10 * time.Second,
			setup: func(t *testing.T) (*Client, context.Context, *atomic.Int32) {
				// .invalid never resolves (RFC 6761). No proxy, so nothing
				// leaves the machine whatever the environment says.
				h := &http.Client{Transport: &http.Transport{Proxy: nil}}
				return newTestClient(t, "https://nonexistent.invalid/merchant", WithHTTPClient(h), WithTimeout(5*time.Second)), bg, nil
			}},
		{name: "TLS certificate not trusted", class: ErrNotSent, hits: 0,
			setup: func(t *testing.T) (*Client, context.Context, *atomic.Int32) {
				var hits atomic.Int32
				srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
				srv.Config.ErrorLog = discardLog()
				srv.StartTLS()
				t.Cleanup(srv.Close)
				return newTestClient(t, srv.URL), bg, &hits
			}},
		{name: "context canceled before sending", class: ErrNotSent, hits: 0,
			setup: func(t *testing.T) (*Client, context.Context, *atomic.Int32) {
				srv, hits := countingServer(t, answer(200, seedSuccessBody))
				ctx, cancel := context.WithCancel(bg)
				cancel()
				return newTestClient(t, srv.URL), ctx, hits
			}},
		{name: "server slower than the client's timeout", class: ErrOutcomeUnknown, hits: 1, maxTime: 5 * time.Second,
			setup: func(t *testing.T) (*Client, context.Context, *atomic.Int32) {
				release := make(chan struct{})
				srv, hits := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
					_, _ = io.Copy(io.Discard, r.Body) // lets the server notice the client hanging up
					select {
					case <-r.Context().Done():
					case <-release:
					}
				})
				t.Cleanup(func() { close(release) }) // runs before srv.Close
				return newTestClient(t, srv.URL, WithTimeout(150*time.Millisecond)), bg, hits
			}},
		{name: "caller's deadline passes while waiting", class: ErrOutcomeUnknown, hits: 1, maxTime: 5 * time.Second,
			setup: func(t *testing.T) (*Client, context.Context, *atomic.Int32) {
				release := make(chan struct{})
				srv, hits := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
					_, _ = io.Copy(io.Discard, r.Body) // lets the server notice the client hanging up
					select {
					case <-r.Context().Done():
					case <-release:
					}
				})
				t.Cleanup(func() { close(release) })
				ctx, cancel := context.WithTimeout(bg, 150*time.Millisecond)
				t.Cleanup(cancel)
				return newTestClient(t, srv.URL), ctx, hits
			}},
		{name: "body drips slower than the timeout", class: ErrOutcomeUnknown, hits: 1, maxTime: 5 * time.Second,
			setup: withServer(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(200)
				for _, b := range []byte(seedSuccessBody) {
					if _, err := w.Write([]byte{b}); err != nil {
						return
					}
					w.(http.Flusher).Flush()
					select {
					case <-r.Context().Done():
						return
					case <-time.After(50 * time.Millisecond):
					}
				}
			}, WithTimeout(200*time.Millisecond))},
		{name: "connection closed after the request was read", class: ErrOutcomeUnknown, hits: 1,
			setup: func(t *testing.T) (*Client, context.Context, *atomic.Int32) {
				srv, hits := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
					if conn := hijack(t, w, r); conn != nil {
						_ = conn.Close()
					}
				})
				return newTestClient(t, srv.URL), bg, hits
			}},
		{name: "500 JSON", class: ErrOutcomeUnknown, also: ErrSystem, hits: 1,
			setup: withServer(answer(500, errorBody("An unexpected system error occurred.")))},
		{name: "HTML 502 from a proxy", class: ErrOutcomeUnknown, hits: 1,
			setup: withServer(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html")
				w.WriteHeader(502)
				_, _ = io.WriteString(w, "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>")
			})},
		{name: "truncated JSON then close", class: ErrOutcomeUnknown, hits: 1,
			setup: func(t *testing.T) (*Client, context.Context, *atomic.Int32) {
				srv, hits := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
					conn := hijack(t, w, r)
					if conn == nil {
						return
					}
					defer conn.Close()
					half := seedSuccessBody[:len(seedSuccessBody)/2]
					fmt.Fprintf(conn, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(seedSuccessBody), half)
				})
				return newTestClient(t, srv.URL), bg, hits
			}},
		{name: "body larger than 1 MiB", class: ErrOutcomeUnknown, hits: 1,
			setup: withServer(answer(200, `{"status":true,"message":"`+strings.Repeat("a", MaxBodyBytes)+`","data":{"amount":10}}`))},
		{name: "success without data", class: ErrOutcomeUnknown, hits: 1,
			setup: withServer(answer(200, `{"status":true,"message":"ok","data":null}`))},
		{name: "success with data that is not a charge", class: ErrOutcomeUnknown, hits: 1,
			setup: withServer(answer(200, `{"status":true,"message":"ok","data":"done"}`))},
		{name: "success with an unreadable amount", class: ErrOutcomeUnknown, hits: 1,
			setup: withServer(answer(200, `{"status":true,"message":"ok","data":{"status":"success","amount":"ten rand"}}`))},
		{name: "empty 200", class: ErrOutcomeUnknown, hits: 1,
			setup: withServer(answer(200, ""))},
	}
}

// discardLog silences the TLS server's handshake-error log lines.
func discardLog() *log.Logger { return log.New(io.Discard, "", 0) }

func TestChargeVoucher_FaultsFallIntoTheRightClass(t *testing.T) {
	t.Parallel()
	for _, tt := range faultCases() {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, ctx, hits := tt.setup(t)
			start := time.Now()
			res, err := c.ChargeVoucher(ctx, sampleCharge())
			elapsed := time.Since(start)
			t.Logf("error after %v: %v", elapsed.Round(time.Millisecond), err)
			if err == nil {
				t.Fatalf("ChargeVoucher = %+v, want an error", res)
			}
			if !errors.Is(err, tt.class) {
				t.Fatalf("error %v: want errors.Is %v", err, tt.class)
			}
			other := ErrOutcomeUnknown
			if tt.class == ErrOutcomeUnknown {
				other = ErrNotSent
			}
			if errors.Is(err, other) {
				t.Fatalf("error %v matches both ErrNotSent and ErrOutcomeUnknown", err)
			}
			if tt.also != nil && !errors.Is(err, tt.also) {
				t.Errorf("error %v: want errors.Is %v too", err, tt.also)
			}
			var e *Error
			if errors.As(err, &e) && e.Declined() {
				t.Errorf("error %v reports Declined()", err)
			}
			if hits != nil && tt.hits >= 0 && hits.Load() != tt.hits {
				t.Errorf("server saw %d requests, want %d (a POST must never be repeated)", hits.Load(), tt.hits)
			}
			maxTime := tt.maxTime
			if maxTime == 0 {
				maxTime = 3 * time.Second
			}
			if elapsed > maxTime {
				t.Errorf("took %v, want under %v", elapsed, maxTime)
			}
			assertErrorHidesSecret(t, err)
		})
	}
}

func TestQueryCharge_FaultsFallIntoTheRightClass(t *testing.T) {
	t.Parallel()
	for _, tt := range faultCases() {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, ctx, _ := tt.setup(t)
			_, err := c.QueryCharge(ctx, "R-1")
			if !errors.Is(err, tt.class) {
				t.Fatalf("QueryCharge error %v: want errors.Is %v", err, tt.class)
			}
			assertErrorHidesSecret(t, err)
		})
	}
}

func TestChargeVoucher_DoesNotFollowRedirects(t *testing.T) {
	t.Parallel()
	for _, code := range []int{301, 302, 303, 307, 308} {
		t.Run(http.StatusText(code), func(t *testing.T) {
			t.Parallel()
			var followed atomic.Int32
			mux := http.NewServeMux()
			mux.HandleFunc("/elsewhere/", func(w http.ResponseWriter, r *http.Request) {
				followed.Add(1)
				answer(200, seedSuccessBody)(w, r)
			})
			mux.HandleFunc("/merchant/", func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, "/elsewhere/api/v1/charge/voucher", code)
			})
			srv := serve(t, mux.ServeHTTP)
			res, err := newTestClient(t, srv.URL+"/merchant").ChargeVoucher(context.Background(), sampleCharge())
			if err == nil {
				t.Fatalf("ChargeVoucher followed the redirect: %+v", res)
			}
			if followed.Load() != 0 {
				t.Fatalf("redirect target was requested %d times", followed.Load())
			}
			var e *Error
			if !errors.As(err, &e) || e.StatusCode != code || !errors.Is(err, ErrOutcomeUnknown) {
				t.Fatalf("error = %v, want an unknown-outcome *Error with status %d", err, code)
			}
		})
	}
}

func TestNew_BaseURLRules(t *testing.T) {
	t.Parallel()
	tests := []struct {
		base string
		ok   bool
		want string // BaseURL() when ok
	}{
		{"", true, DefaultBaseURL},
		{"https://api.korapay.com/merchant", true, "https://api.korapay.com/merchant"},
		{"https://api.korapay.com/merchant/", true, "https://api.korapay.com/merchant"},
		{"HTTPS://api.korapay.com", true, "https://api.korapay.com"},
		{"http://127.0.0.1:8080", true, "http://127.0.0.1:8080"},
		{"http://127.0.0.2:8080/x", true, "http://127.0.0.2:8080/x"},
		{"http://localhost:1", true, "http://localhost:1"},
		{"http://LOCALHOST", true, "http://LOCALHOST"},
		{"http://[::1]:9000", true, "http://[::1]:9000"},
		{"http://api.korapay.com/merchant", false, ""},
		{"http://10.0.0.1", false, ""},
		{"http://192.168.1.10:8080", false, ""},
		{"http://localhost.example.com", false, ""},
		{"http://127.0.0.1.nip.io", false, ""},
		{"http://0.0.0.0:80", false, ""},
		{"ftp://api.korapay.com", false, ""},
		{"ws://localhost", false, ""},
		{"file:///etc/passwd", false, ""},
		{"javascript:alert(1)", false, ""},
		{"api.korapay.com/merchant", false, ""},
		{"https://", false, ""},
		{"https:///merchant", false, ""},
		{"https://user:pass@api.korapay.com", false, ""},
		{"://missing-scheme", false, ""},
		{"http://[::1", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.base, func(t *testing.T) {
			t.Parallel()
			c, err := New(tt.base, testKey)
			if !tt.ok {
				if err == nil {
					t.Fatalf("New(%q) accepted; want refused", tt.base)
				}
				assertNoSecret(t, "New error", err.Error())
				if strings.Contains(err.Error(), "pass@") {
					t.Errorf("New error shows URL credentials: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("New(%q): %v", tt.base, err)
			}
			if got := c.BaseURL(); got != tt.want {
				t.Errorf("BaseURL() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestNew_RefusesUnusableKeys(t *testing.T) {
	t.Parallel()
	for _, key := range []string{"", "   ", "\t", "sk_test_a b", "sk_test_a\n", "\r\nsk_test_a"} {
		if _, err := New("http://127.0.0.1:1", key); err == nil {
			t.Errorf("New with key %q accepted", key)
		} else if key != "" && strings.Contains(err.Error(), strings.TrimSpace(key)) && strings.TrimSpace(key) != "" {
			t.Errorf("New error shows the key: %v", err)
		}
	}
}

func TestNew_WithHTTPClientTrustsTestTLSWithoutChangingCaller(t *testing.T) {
	t.Parallel()
	srv := httptest.NewTLSServer(answer(200, seedSuccessBody))
	t.Cleanup(srv.Close)
	h := srv.Client()
	c := newTestClient(t, srv.URL, WithHTTPClient(h))
	if h.CheckRedirect != nil {
		t.Error("WithHTTPClient changed the caller's http.Client")
	}
	res, err := c.ChargeVoucher(context.Background(), sampleCharge())
	if err != nil || res.Status != StatusSuccess {
		t.Fatalf("ChargeVoucher over trusted TLS = %v, %v", res, err)
	}
}

func TestClient_FormattingAndLogsHideTheSecret(t *testing.T) {
	t.Parallel()
	c := newTestClient(t, "http://127.0.0.1:1/merchant")
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
		assertNoSecret(t, "pointer "+verb, fmt.Sprintf(verb, c))
		assertNoSecret(t, "value "+verb, fmt.Sprintf(verb, *c))
		assertNoSecret(t, "nested "+verb, fmt.Sprintf(verb, struct{ C *Client }{c}))
	}
	if s := fmt.Sprint(c); !strings.Contains(s, "127.0.0.1:1/merchant") || !strings.Contains(s, "redacted") {
		t.Errorf("fmt of client = %q, want the base URL and [redacted]", s)
	}
	for name, h := range map[string]func(io.Writer) slog.Handler{
		"json": func(w io.Writer) slog.Handler { return slog.NewJSONHandler(w, nil) },
		"text": func(w io.Writer) slog.Handler { return slog.NewTextHandler(w, nil) },
	} {
		var buf bytes.Buffer
		slog.New(h(&buf)).Info("client", "client", c, "value", *c, slog.Group("g", "c", c))
		assertNoSecret(t, "slog "+name, buf.String())
	}
}

func TestVoucherCharge_FormattingAndLogsHideThePIN(t *testing.T) {
	t.Parallel()
	ch := sampleCharge()
	masked := MaskPIN(testPIN)
	if masked != "************1234" {
		t.Fatalf("MaskPIN = %q", masked)
	}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		for name, arg := range map[string]any{"value": ch, "pointer": &ch, "nested": struct{ C VoucherCharge }{ch}} {
			s := fmt.Sprintf(verb, arg)
			if strings.Contains(s, testPIN) {
				t.Errorf("%s %s shows the PIN: %s", name, verb, s)
			}
		}
	}
	if s := fmt.Sprint(ch); !strings.Contains(s, masked) || !strings.Contains(s, ch.Reference) {
		t.Errorf("fmt of charge = %q, want the masked PIN and the reference", s)
	}
	for name, h := range map[string]func(io.Writer) slog.Handler{
		"json": func(w io.Writer) slog.Handler { return slog.NewJSONHandler(w, nil) },
		"text": func(w io.Writer) slog.Handler { return slog.NewTextHandler(w, nil) },
	} {
		var buf bytes.Buffer
		slog.New(h(&buf)).Info("charging", "charge", ch, "ptr", &ch, slog.Group("sale", "charge", ch))
		if strings.Contains(buf.String(), testPIN) {
			t.Errorf("slog %s shows the PIN: %s", name, buf.String())
		}
		if !strings.Contains(buf.String(), masked) {
			t.Errorf("slog %s lacks the masked PIN: %s", name, buf.String())
		}
	}
}

func TestChargeResult_FormattingAndLogsHideTheChangePIN(t *testing.T) {
	t.Parallel()
	srv := serve(t, answer(200, seedSuccessBody))
	res, err := newTestClient(t, srv.URL).ChargeVoucher(context.Background(), sampleCharge())
	if err != nil {
		t.Fatal(err)
	}
	const changePIN = "1234252526252525"
	if res.Voucher.PIN != changePIN {
		t.Fatalf("change PIN = %q", res.Voucher.PIN)
	}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		for name, arg := range map[string]any{"result": res, "result value": *res, "charge": res.Charge, "voucher": res.Voucher, "voucher value": *res.Voucher} {
			if s := fmt.Sprintf(verb, arg); strings.Contains(s, changePIN) {
				t.Errorf("%s %s shows the change PIN: %s", name, verb, s)
			}
		}
	}
	for name, h := range map[string]func(io.Writer) slog.Handler{
		"json": func(w io.Writer) slog.Handler { return slog.NewJSONHandler(w, nil) },
		"text": func(w io.Writer) slog.Handler { return slog.NewTextHandler(w, nil) },
	} {
		var buf bytes.Buffer
		slog.New(h(&buf)).Info("charged", "result", res, "charge", res.Charge, "voucher", res.Voucher)
		if strings.Contains(buf.String(), changePIN) {
			t.Errorf("slog %s shows the change PIN: %s", name, buf.String())
		}
		for _, want := range []string{"KPY-CA-qFNr4bXheKr6", "20251024103152983020"} {
			if !strings.Contains(buf.String(), want) {
				t.Errorf("slog %s lacks %s: %s", name, want, buf.String())
			}
		}
	}
}

func TestChargeVoucher_ChargeWithoutStatusIsUnknown(t *testing.T) {
	t.Parallel()
	srv := serve(t, answer(200, `{"status":true,"message":"Charge Successful","data":{"amount":10}}`))
	_, err := newTestClient(t, srv.URL).ChargeVoucher(context.Background(), sampleCharge())
	if !errors.Is(err, ErrOutcomeUnknown) {
		t.Fatalf("err = %v, want ErrOutcomeUnknown", err)
	}
}

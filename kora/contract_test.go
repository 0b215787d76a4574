package kora

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The JSON examples the seed page and PRODUCT.md quote, kept under
// testdata/: the seed's charge request, charge answer and error format are
// verbatim; the query answer, general errors, webhooks and pay-ins page are
// built from the fields and messages PRODUCT.md lists from Kora's pages.
func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestContract_EveryFixtureIsJSON(t *testing.T) {
	t.Parallel()
	names, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	if len(names) < 10 {
		t.Fatalf("only %d fixtures", len(names))
	}
	for _, n := range names {
		b, _ := os.ReadFile(n)
		if !json.Valid(b) {
			t.Errorf("%s is not JSON", n)
		}
	}
}

// The seed's request example has every field our wire type writes, under
// the same names: what we send is what Kora documents.
func TestContract_ChargeRequestHasTheSeedsShape(t *testing.T) {
	t.Parallel()
	var seed, ours map[string]any
	if err := json.Unmarshal(fixture(t, "charge_request.json"), &seed); err != nil {
		t.Fatal(err)
	}
	ch := sampleCharge()
	ch.NotificationURL, ch.Metadata = "https://secure.example.com/hook", map[string]string{"terminal-id": "T1"}
	b, _ := json.Marshal(ch.wire())
	if err := json.Unmarshal(b, &ours); err != nil {
		t.Fatal(err)
	}
	var walk func(path string, seed, ours map[string]any)
	walk = func(path string, seed, ours map[string]any) {
		for k, v := range seed {
			o, ok := ours[k]
			if !ok {
				t.Errorf("we send no %s%s", path, k)
				continue
			}
			if sub, ok := v.(map[string]any); ok && k != "metadata" {
				walk(path+k+".", sub, o.(map[string]any))
			}
		}
		for k := range ours {
			if _, ok := seed[k]; !ok {
				t.Errorf("we send %s%s, which the seed does not document", path, k)
			}
		}
	}
	walk("", seed, ours)
	if _, isString := ours["voucher"].(map[string]any)["pin"].(string); !isString {
		t.Error("voucher.pin is not a JSON string")
	}
}

func TestContract_ChargeResponse(t *testing.T) {
	t.Parallel()
	env, _, err := decodeResponse(200, fixture(t, "charge_response.json"))
	if err != nil {
		t.Fatal(err)
	}
	var w wireChargeOut
	if err := json.Unmarshal(env.Data, &w); err != nil {
		t.Fatal(err)
	}
	ch := w.charge()
	got, ok := ch.Charged()
	if ch.Reference != "unique-payment-reference" || ch.TransactionReference != "KPY-CA-qFNr4bXheKr6" ||
		ch.Status.Verdict() != VerdictApproved || !ok || got.String() != "10" || !ch.HasFee || !ch.Fee.IsZero() ||
		ch.Voucher == nil || ch.Voucher.PIN != "1234252526252525" || ch.Customer.Name != "John Doe" {
		t.Fatalf("charge = %+v", ch)
	}
}

func TestContract_QueryResponse(t *testing.T) {
	t.Parallel()
	srv := serve(t, answer(200, string(fixture(t, "query_response.json"))))
	ch, err := newTestClient(t, srv.URL).QueryCharge(context.Background(), "unique-payment-reference")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := ch.Charged()
	if ch.Reference != "unique-payment-reference" || ch.TransactionReference != "KPY-CA-qFNr4bXheKr6" ||
		got.String() != "5000" || ch.Fee.String() != "26.88" || ch.HasVAT || !ch.HasAmountExpected {
		t.Fatalf("charge = %+v", ch)
	}
}

func TestContract_ErrorBodies(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file    string
		status  int
		kind    error
		unknown bool
	}{
		{"error.json", 400, nil, false},
		{"error_invalid_authorization_key.json", 401, ErrUnauthorized, false},
		{"error_invalid_request_data.json", 400, ErrInvalidRequest, false},
		{"error_charge_not_found.json", 404, ErrChargeNotFound, false},
		{"error_route_not_found.json", 404, ErrRouteNotFound, false},
		{"error_duplicate_reference.json", 400, ErrDuplicateReference, false},
		{"error_internal_server_error.json", 500, ErrSystem, true},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			_, _, err := decodeResponse(tt.status, fixture(t, tt.file))
			var e *Error
			if !errors.As(err, &e) || e.Kind() != tt.kind || errors.Is(err, ErrOutcomeUnknown) != tt.unknown {
				t.Fatalf("error %v: kind %v, want %v unknown=%v", err, e.Kind(), tt.kind, tt.unknown)
			}
			if tt.kind == ErrInvalidRequest && (e.Fields["metadata"] == "" || e.Fields["reference"] == "") {
				t.Errorf("fields = %v", e.Fields)
			}
		})
	}
}

func TestContract_Webhooks(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		file, event, ref, koraRef string
		verdict                   Verdict
	}{
		{"webhook_charge_success.json", EventChargeSuccess, "unique-payment-reference", "KPY-CA-qFNr4bXheKr6", VerdictApproved},
		{"webhook_charge_failed.json", EventChargeFailed, "unique-payment-reference-2", "KPY-CA-r2D2c3POxx11", VerdictDeclined},
	} {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			body := fixture(t, tt.file)
			var w struct{ Data json.RawMessage }
			_ = json.Unmarshal(body, &w)
			// Kora signs JSON.stringify(data), not the pretty bytes.
			var compact bytes.Buffer
			_ = json.Compact(&compact, w.Data)
			wh, err := verifyWebhook(testKey, body, Sign(testKey, compact.Bytes()))
			if err != nil {
				t.Fatal(err)
			}
			if wh.Event != tt.event || wh.Charge.Reference != tt.ref || wh.Charge.TransactionReference != tt.koraRef ||
				wh.Charge.Status.Verdict() != tt.verdict || wh.Charge.PaymentMethod != "voucher" {
				t.Fatalf("webhook = %+v", wh)
			}
			if tt.verdict == VerdictDeclined && !errors.Is(FailureKind(wh.Charge.Message), ErrInvalidPIN) {
				t.Errorf("%q is not an invalid voucher", wh.Charge.Message)
			}
		})
	}
}

func TestContract_PayInsPage(t *testing.T) {
	t.Parallel()
	body := fixture(t, "pay_ins_page.json")
	last := []byte(`{"status":true,"message":"Pay-ins retrieved successfully","data":{"has_more":false,"data":[]}}`)
	var queries []string
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		queries = append(queries, r.URL.RawQuery)
		if r.URL.Query().Get("starting_after") == "" {
			answer(200, string(body))(w, r)
			return
		}
		answer(200, string(last))(w, r)
	})
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	items, err := newTestClient(t, srv.URL).ListPayIns(context.Background(),
		PayInQuery{Currency: "ZAR", From: from, To: from.Add(24*time.Hour - time.Second)})
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 2 || len(queries) != 2 {
		t.Fatalf("%d items in %d pages", len(items), len(queries))
	}
	if want := "currency=ZAR&date_from=2026-01-01-00-00-00&date_to=2026-01-01-23-59-59"; queries[0] != want {
		t.Errorf("first query %q, want %q", queries[0], want)
	}
	if want := "currency=ZAR&date_from=2026-01-01-00-00-00&date_to=2026-01-01-23-59-59&starting_after=1"; queries[1] != want {
		t.Errorf("second query %q, want %q", queries[1], want)
	}
	ok, exp := items[0], items[1]
	if ok.TransactionReference != "KPY-CA-qFNr4bXheKr6" || ok.Reference != "" || ok.Status.Verdict() != VerdictApproved ||
		ok.Fee.String() != "26.88" || ok.Pointer != "2" || ok.DateCompleted.IsZero() || ok.PaymentMethod != "voucher" {
		t.Errorf("first = %+v", ok)
	}
	if exp.Status != StatusExpired || exp.Status.Verdict() != VerdictDeclined || exp.HasFee || !exp.DateCompleted.IsZero() ||
		exp.Description != "till-1-20260101115900-cd34 voucher sale at Demo Spaza" || exp.Message != "Transaction expired" {
		t.Errorf("second = %+v", exp)
	}
}

func TestListPayIns_IsBounded(t *testing.T) {
	t.Parallel()
	page := `{"status":true,"message":"ok","data":{"has_more":true,"data":[{"pointer":"P","reference":"KPY-1","status":"success","amount":1}]}}`
	hits := 0
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		hits++
		answer(200, strings.Replace(page, `"P"`, `"`+strconv.Itoa(hits)+`"`, 1))(w, r)
	})
	items, err := newTestClient(t, srv.URL).ListPayIns(context.Background(), PayInQuery{MaxPages: 3})
	if !errors.Is(err, ErrPayInsTruncated) || len(items) != 3 || hits != 3 {
		t.Fatalf("%d items, %d pages, %v", len(items), hits, err)
	}
	// A has_more that cannot go on (same pointer) stops at once.
	stuck := serve(t, answer(200, page))
	items, err = newTestClient(t, stuck.URL).ListPayIns(context.Background(), PayInQuery{})
	if !errors.Is(err, ErrPayInsTruncated) || len(items) != 2 {
		t.Fatalf("stuck: %d items, %v", len(items), err)
	}
	// A context that ends stops it too.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := newTestClient(t, srv.URL).ListPayIns(ctx, PayInQuery{}); !errors.Is(err, ErrNotSent) {
		t.Fatalf("cancelled: %v", err)
	}
}

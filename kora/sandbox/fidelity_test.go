package sandbox_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"voucherpos/kora"
	"voucherpos/kora/sandbox"
)

func get(t *testing.T, url, key string) rawResp {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return rawResp{resp.StatusCode, resp.Header.Get("Content-Type"), string(b)}
}

// Kora's routes live under /merchant only; anything else is Kora's own 404.
func TestRoutesUnderOnePrefix(t *testing.T) {
	t.Parallel()
	srv, c := start(t)
	if !strings.HasSuffix(srv.URL, sandbox.BasePath) {
		t.Fatalf("URL %s lacks %s", srv.URL, sandbox.BasePath)
	}
	root := strings.TrimSuffix(srv.URL, sandbox.BasePath)
	const notFound = `{"status":false,"message":"Route not found","data":null}`
	for _, path := range []string{"/api/v1/charges/abcdefgh", "/api/v1/charge/voucher", "/merchant/merchant/api/v1/charges/abcdefgh",
		"/merchant/api/v2/charges/abcdefgh", "/merchant/api/v1/charges/", "/", "/merchant"} {
		if r := get(t, root+path, sandbox.DefaultSecretKey); r.status != 404 || r.body != notFound {
			t.Errorf("GET %s: %d %s", path, r.status, r.body)
		}
	}
	if _, err := c.QueryCharge(context.Background(), "abcdefgh"); !errors.Is(err, kora.ErrChargeNotFound) {
		t.Fatalf("under the prefix: %v", err)
	}
	wrong, _ := kora.New(root, sandbox.DefaultSecretKey)
	if _, err := wrong.QueryCharge(context.Background(), "abcdefgh"); !errors.Is(err, kora.ErrRouteNotFound) || errors.Is(err, kora.ErrChargeNotFound) {
		t.Fatalf("without the prefix: %v", err)
	}
}

func TestKorasRequestRules(t *testing.T) {
	t.Parallel()
	_, c := start(t)
	ctx := context.Background()
	tests := []struct {
		name  string
		edit  func(*kora.VoucherCharge)
		field string // "" = accepted
	}{
		{"underscore metadata keys", func(ch *kora.VoucherCharge) {
			ch.Metadata = map[string]string{"terminal_id": "t", "app_version": "1"}
		}, "metadata"},
		{"six metadata keys", func(ch *kora.VoucherCharge) {
			ch.Metadata = map[string]string{"a": "1", "b": "2", "c": "3", "d": "4", "e": "5", "f": "6"}
		}, "metadata"},
		{"a 21-character key", func(ch *kora.VoucherCharge) {
			ch.Metadata = map[string]string{strings.Repeat("k", 21): "v"}
		}, "metadata"},
		{"a key with a space", func(ch *kora.VoucherCharge) { ch.Metadata = map[string]string{"terminal id": "v"} }, "metadata"},
		{"Kora's keys", func(ch *kora.VoucherCharge) {
			ch.Metadata = map[string]string{"terminal-id": "till-1", "app-version": "1.0", "A-b-9": "x", "d": "", strings.Repeat("k", 20): "v"}
		}, ""},
		{"http notification URL", func(ch *kora.VoucherCharge) { ch.NotificationURL = "http://example.com/hook" }, "notification_url"},
		{"ftp notification URL", func(ch *kora.VoucherCharge) { ch.NotificationURL = "ftp://example.com/hook" }, "notification_url"},
		{"https notification URL", func(ch *kora.VoucherCharge) { ch.NotificationURL = "https://example.com/hook" }, ""},
		{"loopback http notification URL", func(ch *kora.VoucherCharge) { ch.NotificationURL = "http://127.0.0.1:1/hook" }, ""},
		{"7-character reference", func(ch *kora.VoucherCharge) { ch.Reference = "abcdefg" }, "reference"},
		{"8-character reference", func(ch *kora.VoucherCharge) { ch.Reference = "abcdefg8" }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ch := charge("1", sandbox.PINOTT, "0002")
			tt.edit(&ch)
			_, err := c.ChargeVoucher(ctx, ch)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var ke *kora.Error
			if !errors.Is(err, kora.ErrInvalidRequest) || !errors.As(err, &ke) || ke.StatusCode != 400 ||
				ke.Message != "Invalid request data" || ke.Fields[tt.field] == "" {
				t.Fatalf("err = %v, want Invalid request data on %s", err, tt.field)
			}
		})
	}
	// An empty metadata object, which the client never writes, over HTTP.
	srv, _ := start(t)
	r := post(t, srv.URL+"/api/v1/charge/voucher", sandbox.DefaultSecretKey,
		`{"amount":1,"currency":"ZAR","merchant_bears_cost":true,"reference":"empty-meta","metadata":{},"voucher":{"pin":"200000000300","phone_number":"+27821234567","provider_code":"0002"},"customer":{"email":"a@b.co"}}`)
	if r.status != 400 || !strings.Contains(r.body, `"metadata":"metadata must not be an empty object"`) {
		t.Fatalf("empty metadata: %d %s", r.status, r.body)
	}
}

// Each seeded status voucher answers its status, in the charge answer and
// in queries, and takes nothing.
func TestStatusVouchers(t *testing.T) {
	t.Parallel()
	srv, c := start(t)
	ctx := context.Background()
	want := map[string]kora.ChargeStatus{
		sandbox.PINFailed: kora.StatusFailed, sandbox.PINExpired: kora.StatusExpired,
		sandbox.PINCancelled: kora.StatusCancelled, sandbox.PINAbandoned: kora.StatusAbandoned,
		sandbox.PINPending: kora.StatusPending, sandbox.PINUnseenStatus: sandbox.UnseenStatus,
	}
	for pin, st := range want {
		req := charge("10", pin, "0001")
		res, err := c.ChargeVoucher(ctx, req)
		if err != nil || res.Status != st {
			t.Fatalf("%s: %+v %v", pin, res, err)
		}
		declined := st.Verdict() == kora.VerdictDeclined
		if declined != (res.Charge.Message != "") {
			t.Errorf("%s: message %q", pin, res.Charge.Message)
		}
		q, err := c.QueryCharge(ctx, req.Reference)
		if err != nil || q.Status != st || q.Reference != req.Reference {
			t.Fatalf("%s query: %+v %v", pin, q, err)
		}
		if bal, _ := srv.VoucherState(pin); bal.Balance != 5000000 {
			t.Errorf("%s: balance %d", pin, bal.Balance)
		}
	}
	var lines string
	for _, l := range srv.DemoLines() {
		lines += l + "\n"
	}
	for _, st := range want {
		if !strings.Contains(lines, `"`+string(st)+`"`) {
			t.Errorf("demo lines do not name %q:\n%s", st, lines)
		}
	}
}

// 401 "Invalid authorization key" on a charge, before and after applying.
func TestUnauthorisedFaults(t *testing.T) {
	t.Parallel()
	_, c := start(t)
	ctx := context.Background()
	after := charge("10", sandbox.PIN401After, "0001")
	_, err := c.ChargeVoucher(ctx, after)
	if !errors.Is(err, kora.ErrUnauthorized) || !errors.Is(err, kora.ErrOutcomeUnknown) {
		t.Fatalf("after applying: %v", err)
	}
	if q, err := c.QueryCharge(ctx, after.Reference); err != nil || q.Status != kora.StatusSuccess {
		t.Fatalf("requery after a 401: %+v %v", q, err)
	}
	before := charge("10", sandbox.PIN401Before, "0001")
	if _, err := c.ChargeVoucher(ctx, before); !errors.Is(err, kora.ErrUnauthorized) || !errors.Is(err, kora.ErrOutcomeUnknown) {
		t.Fatalf("before applying: %v", err)
	}
	if _, err := c.QueryCharge(ctx, before.Reference); !errors.Is(err, kora.ErrChargeNotFound) {
		t.Fatalf("requery after a refused 401: %v", err)
	}
}

// reference is Kora's (KPY-…) and payment_reference the merchant's, in the
// charge answer, queries and webhooks alike.
func TestReferencesAsKoraSendsThem(t *testing.T) {
	t.Parallel()
	type hook struct{ ref, pref string }
	hooks := make(chan hook, 1)
	mux := http.NewServeMux()
	mux.HandleFunc("/hook", func(w http.ResponseWriter, r *http.Request) {
		var b struct {
			Data struct {
				Reference        string `json:"reference"`
				PaymentReference string `json:"payment_reference"`
			} `json:"data"`
		}
		json.NewDecoder(r.Body).Decode(&b)
		hooks <- hook{b.Data.Reference, b.Data.PaymentReference}
	})
	hs := &http.Server{Handler: mux}
	ln := listen(t)
	go hs.Serve(ln)
	t.Cleanup(func() { hs.Close() })

	srv, c := start(t)
	req := charge("5", sandbox.PINOTT, "0002")
	req.NotificationURL = "http://" + ln.Addr().String() + "/hook"
	res, err := c.ChargeVoucher(context.Background(), req)
	if err != nil || res.Reference != req.Reference || !strings.HasPrefix(res.TransactionReference, "KPY-") {
		t.Fatalf("%+v %v", res, err)
	}
	raw := get(t, srv.URL+"/api/v1/charges/"+req.Reference, sandbox.DefaultSecretKey)
	var q struct {
		Data struct {
			Reference        string `json:"reference"`
			PaymentReference string `json:"payment_reference"`
		} `json:"data"`
	}
	json.Unmarshal([]byte(raw.body), &q)
	if q.Data.Reference != res.TransactionReference || q.Data.PaymentReference != req.Reference {
		t.Fatalf("query answer %s", raw.body)
	}
	select {
	case h := <-hooks:
		if h.ref != res.TransactionReference || h.pref != req.Reference {
			t.Fatalf("webhook references %+v", h)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no webhook")
	}
}

// Pay-ins History: newest first, filtered, paged with pointers.
func TestPayInsHistory(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	srv, c := start(t, sandbox.WithClock(clock))
	srv.AddVoucher(sandbox.Voucher{PIN: "200000000777", Provider: "0002", Balance: 1 << 40})
	ctx := context.Background()
	var refs []string
	for i := range 25 {
		req := charge("1", "200000000777", "0002")
		req.Description = req.Reference + " voucher sale"
		if i == 24 {
			req.PIN = sandbox.InvalidPIN[:12] // a decline is a pay-in too
		}
		c.ChargeVoucher(ctx, req)
		refs = append(refs, req.Reference)
		mu.Lock()
		now = now.Add(time.Minute)
		mu.Unlock()
	}

	// Default page: 10, has_more.
	r := get(t, srv.URL+"/api/v1/pay-ins", sandbox.DefaultSecretKey)
	var page struct {
		Status bool `json:"status"`
		Data   struct {
			HasMore bool             `json:"has_more"`
			Data    []map[string]any `json:"data"`
		} `json:"data"`
	}
	if err := json.Unmarshal([]byte(r.body), &page); err != nil || !page.Status || !page.Data.HasMore || len(page.Data.Data) != 10 {
		t.Fatalf("default page: %d %s", r.status, r.body[:min(len(r.body), 300)])
	}
	first := page.Data.Data[0]
	for _, k := range []string{"reference", "status", "amount", "amount_paid", "amount_expected", "fee", "currency",
		"description", "payment_method", "message", "date_created", "date_completed", "pointer"} {
		if _, ok := first[k]; !ok {
			t.Errorf("item lacks %s: %v", k, first)
		}
	}
	if first["status"] != "failed" || !strings.HasPrefix(first["reference"].(string), "KPY-") {
		t.Errorf("newest first: %v", first)
	}

	// The client reads every page.
	all, err := c.ListPayIns(ctx, kora.PayInQuery{Currency: "ZAR", Limit: 7})
	if err != nil || len(all) != 25 {
		t.Fatalf("%d pay-ins, %v", len(all), err)
	}
	for i, p := range all {
		if want := refs[24-i]; !strings.HasPrefix(p.Description, want+" ") {
			t.Fatalf("item %d: %q, want %s", i, p.Description, want)
		}
	}

	// ending_before pages back towards the newest.
	r = get(t, srv.URL+"/api/v1/pay-ins?limit=3&ending_before="+all[10].Pointer, sandbox.DefaultSecretKey)
	json.Unmarshal([]byte(r.body), &page)
	if len(page.Data.Data) != 3 || page.Data.Data[2]["pointer"] != all[9].Pointer || !page.Data.HasMore {
		t.Fatalf("ending_before: %s", r.body)
	}

	// date_from/date_to, YYYY-MM-DD-HH-MM-SS.
	some, err := c.ListPayIns(ctx, kora.PayInQuery{
		From: time.Date(2026, 3, 1, 9, 5, 0, 0, time.UTC), To: time.Date(2026, 3, 1, 9, 9, 59, 0, time.UTC)})
	if err != nil || len(some) != 5 {
		t.Fatalf("09:05–09:09: %d, %v", len(some), err)
	}
	if none, err := c.ListPayIns(ctx, kora.PayInQuery{Currency: "NGN"}); err != nil || len(none) != 0 {
		t.Fatalf("NGN: %d, %v", len(none), err)
	}
	for _, bad := range []string{"limit=0", "limit=x", "date_from=2026-03-01", "starting_after=x", "starting_after=1&ending_before=2"} {
		if r := get(t, srv.URL+"/api/v1/pay-ins?"+bad, sandbox.DefaultSecretKey); r.status != 400 || !strings.Contains(r.body, "Invalid request data") {
			t.Errorf("%s: %d %s", bad, r.status, r.body)
		}
	}
	if r := get(t, srv.URL+"/api/v1/pay-ins", "sk_test_wrong"); r.status != 401 {
		t.Errorf("wrong key: %d", r.status)
	}
}

package store

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"voucherpos/syncwire"
)

func newTestServer(t testing.TB, l *Ledger) *httptest.Server {
	t.Helper()
	ts := httptest.NewServer(NewServer(l, ServerOptions{Now: fixedNow, Location: time.UTC}).Handler())
	t.Cleanup(ts.Close)
	return ts
}

func do(t testing.TB, method, url, token string, body []byte) (int, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctxT(t), method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, b
}

func post(t testing.TB, url, token string, b syncwire.Batch) (int, syncwire.Ack) {
	t.Helper()
	body, _ := json.Marshal(b)
	code, out := do(t, "POST", url+"/v1/events", token, body)
	var ack syncwire.Ack
	json.Unmarshal(out, &ack)
	return code, ack
}

func TestHTTPEventsAndLookups(t *testing.T) {
	l, _ := newTestLedger(t)
	ts := newTestServer(t, l)
	ctx := ctxT(t)
	tokA, _ := l.AddTill(ctx, "till-a")
	tokB, _ := l.AddTill(ctx, "till-b")
	a := &chain{till: "till-a"}
	a.sale(t, 1, "pending", 10000)
	a.sale(t, 1, "approved", 10000)
	a.sale(t, 2, "pending", 500)

	if code, _ := post(t, ts.URL, "", a.batch(1, 2)); code != http.StatusUnauthorized {
		t.Fatalf("no token: %d", code)
	}
	if code, _ := post(t, ts.URL, "vpt_not-a-real-one", a.batch(1, 2)); code != http.StatusUnauthorized {
		t.Fatalf("bad token: %d", code)
	}
	if code, _ := post(t, ts.URL, tokB, a.batch(1, 2)); code != http.StatusForbidden {
		t.Fatalf("till-b posting till-a's events: %d", code)
	}
	if code, ack := post(t, ts.URL, tokA, a.batch(1, 2)); code != 200 || ack.LastSeq != 2 {
		t.Fatalf("post: %d %+v", code, ack)
	}
	if code, ack := post(t, ts.URL, tokA, a.batch(1, 2)); code != 200 || ack.LastSeq != 2 {
		t.Fatalf("replay: %d %+v", code, ack)
	}
	a.sale(t, 3, "pending", 500)
	if code, ack := post(t, ts.URL, tokA, a.batch(4, 4)); code != http.StatusConflict || ack.LastSeq != 2 || ack.Conflict {
		t.Fatalf("gap: %d %+v", code, ack)
	}

	// Any till may look up the store's sales, read-only.
	ref := "till-a-20260310-0001"
	code, body := do(t, "GET", ts.URL+"/v1/sales/"+ref, tokB, nil)
	var got syncwire.Lookup
	if err := json.Unmarshal(body, &got); code != 200 || err != nil || got.Sale.Status != "approved" || len(got.Events) != 2 {
		t.Fatalf("lookup: %d %s", code, body)
	}
	code, body = do(t, "GET", ts.URL+"/v1/sales?pin_last4=2943&amount=100.00", tokB, nil)
	var found struct{ Sales []syncwire.Sale }
	if err := json.Unmarshal(body, &found); code != 200 || err != nil || len(found.Sales) != 1 || found.Sales[0].Reference != ref {
		t.Fatalf("find: %d %s", code, body)
	}
	if code, _ := do(t, "GET", ts.URL+"/v1/sales?pin_last4=29&amount=100", tokB, nil); code != 400 {
		t.Fatalf("bad find: %d", code)
	}
	if code, _ := do(t, "GET", ts.URL+"/v1/sales/nope", tokB, nil); code != 404 {
		t.Fatalf("missing sale: %d", code)
	}
	if code, _ := do(t, "GET", ts.URL+"/v1/sales/"+ref, "", nil); code != 401 {
		t.Fatalf("lookup without a token: %d", code)
	}
	// Tills cannot write anything but events.
	if code, _ := do(t, "DELETE", ts.URL+"/v1/sales/"+ref, tokB, nil); code != http.StatusMethodNotAllowed {
		t.Fatalf("DELETE a sale: %d", code)
	}

	// A revoked token is refused on its very next request.
	if err := l.RemoveTill(ctx, "till-a"); err != nil {
		t.Fatal(err)
	}
	if code, _ := post(t, ts.URL, tokA, a.batch(3, 4)); code != http.StatusUnauthorized {
		t.Fatalf("revoked: %d", code)
	}
	if code, _ := do(t, "GET", ts.URL+"/v1/sales/"+ref, tokA, nil); code != http.StatusUnauthorized {
		t.Fatalf("revoked lookup: %d", code)
	}
}

func TestHTTPRefusesABodyOverTheLimit(t *testing.T) {
	l, _ := newTestLedger(t)
	ts := newTestServer(t, l)
	tok, _ := l.AddTill(ctxT(t), "till-a")
	body := []byte(`{"version":1,"terminal_id":"till-a","events":[{"seq":1,"payload":"` + strings.Repeat("x", MaxBodyBytes) + `"}]}`)
	if code, _ := do(t, "POST", ts.URL+"/v1/events", tok, body); code != http.StatusRequestEntityTooLarge {
		t.Fatalf("big body: %d", code)
	}
	if code, _ := do(t, "POST", ts.URL+"/v1/events", tok, []byte(`{"version":1,"terminal_id":"till-a","extra":1}`)); code != 400 {
		t.Fatalf("unknown field: %d", code)
	}
}

func TestHealthzAndMetrics(t *testing.T) {
	l, _ := newTestLedger(t)
	ts := newTestServer(t, l)
	ctx := ctxT(t)
	tok, _ := l.AddTill(ctx, "till-a")
	a := &chain{till: "till-a"}
	a.sale(t, 1, "pending", 100)
	a.sale(t, 2, "pending", 100)
	post(t, ts.URL, tok, a.batch(1, 1))
	// A conflict to count.
	b := &chain{till: "till-a"}
	b.sale(t, 9, "approved", 100)
	post(t, ts.URL, tok, b.batch(1, 1))
	post(t, ts.URL, tok, a.batch(1, 1)) // a replay that says the till holds 2

	if code, body := do(t, "GET", ts.URL+"/healthz", "", nil); code != 200 || !strings.Contains(string(body), "ok") {
		t.Fatalf("healthz: %d %s", code, body)
	}
	code, body := do(t, "GET", ts.URL+"/metrics", "", nil)
	if code != 200 {
		t.Fatalf("metrics: %d", code)
	}
	for _, want := range []string{
		`voucherpos_store_sales_today{provider_code="0001",status="pending",terminal_id="till-a"} 1`,
		`voucherpos_store_unresolved_sales{terminal_id="till-a"} 1`,
		`voucherpos_store_till_lag_events{terminal_id="till-a"} 1`,
		`voucherpos_store_till_last_seq{terminal_id="till-a"} 1`,
		`voucherpos_store_chain_conflicts{terminal_id="till-a"} 1`,
		`voucherpos_store_chain_conflicts_detected_total 1`,
		`voucherpos_store_batches_total{result="stored"} 1`,
		`voucherpos_store_batches_total{result="replay"} 1`,
		`voucherpos_store_batches_total{result="conflict"} 1`,
		`voucherpos_store_events_ingested_total{terminal_id="till-a"} 1`,
		`voucherpos_store_till_last_seen_timestamp_seconds{terminal_id="till-a"} 1.773144e+09`,
		`voucherpos_store_database_up 1`,
		`voucherpos_store_ingest_duration_seconds_count 2`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

func TestHealthzWithTheDatabaseDown(t *testing.T) {
	// A port nobody listens on: the database is "down".
	ln := httptest.NewServer(http.NotFoundHandler())
	dead := strings.TrimPrefix(ln.URL, "http://")
	ln.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	pool, err := Connect(ctx, "postgres://postgres@"+dead+"/nothing?sslmode=disable&connect_timeout=2")
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	ts := newTestServer(t, NewLedger(pool, fixedNow))
	if code, _ := do(t, "GET", ts.URL+"/healthz", "", nil); code != http.StatusServiceUnavailable {
		t.Fatalf("healthz with the database down: %d", code)
	}
	if code, _ := do(t, "POST", ts.URL+"/v1/events", "vpt_x", []byte(`{}`)); code != http.StatusServiceUnavailable {
		t.Fatalf("events with the database down: %d", code)
	}
	_, body := do(t, "GET", ts.URL+"/metrics", "", nil)
	if !strings.Contains(string(body), "voucherpos_store_database_up 0") {
		t.Fatalf("metrics with the database down lack database_up 0")
	}
}

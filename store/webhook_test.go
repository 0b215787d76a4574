package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"voucherpos/kora"
	"voucherpos/syncwire"
)

const testKoraKey = "sk_test_webhooks"

// webhookBody is a charge webhook as Kora sends it: the data object
// compact, signed with key.
func webhookBody(event, ref, koraRef, status, amount, changePIN string) []byte {
	data := fmt.Sprintf(`{"reference":%q,"payment_reference":%q,"status":%q,"currency":"ZAR","amount":%q,"fee":"1.50","vat":"0.23"`,
		koraRef, ref, status, amount)
	if changePIN != "" {
		data += fmt.Sprintf(`,"voucher":{"serial_number":"S-1","balance":"376.55","pin":%q,"expiry_date":"2029-03-10 00:00:00"}`, changePIN)
	}
	data += "}"
	return []byte(fmt.Sprintf(`{"event":%q,"data":%s}`, event, data))
}

func signBody(t testing.TB, key string, body []byte) string {
	t.Helper()
	var w struct{ Data json.RawMessage }
	if err := json.Unmarshal(body, &w); err != nil {
		t.Fatal(err)
	}
	return kora.Sign(key, w.Data)
}

func newHookServer(t testing.TB) (*Ledger, *Webhooks, *httptest.Server) {
	t.Helper()
	l, _ := newTestLedger(t)
	hooks, err := NewWebhooks(l, testKoraKey)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(NewServer(l, ServerOptions{Now: fixedNow, Location: time.UTC, Webhooks: hooks}).Handler())
	t.Cleanup(ts.Close)
	return l, hooks, ts
}

func deliver(t testing.TB, url string, body []byte, sig string) int {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctxT(t), "POST", url+"/kora/webhook", bytes.NewReader(body))
	req.Header.Set(kora.SignatureHeader, sig)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// The receiver: a verified webhook is stored (its change PIN only sealed),
// a retry is 200 and ignored, a forgery is 401 and kept only as a reject,
// an oversized body is refused, and each is counted in /metrics.
func TestWebhookReceiver(t *testing.T) {
	l, _, ts := newHookServer(t)
	const pin = "5555444433332222"
	body := webhookBody("charge.success", "T1-20260310-0001", "KPY-1", "success", "123.45", pin)
	sig := signBody(t, testKoraKey, body)
	if code := deliver(t, ts.URL, body, sig); code != 200 {
		t.Fatalf("webhook: %d", code)
	}
	if code := deliver(t, ts.URL, body, sig); code != 200 {
		t.Fatalf("retry: %d", code)
	}
	forged := webhookBody("charge.success", "T1-20260310-0002", "KPY-2", "success", "9.00", "")
	if code := deliver(t, ts.URL, forged, signBody(t, "sk_test_someone_else", forged)); code != 401 {
		t.Fatalf("forged: %d", code)
	}
	if code := deliver(t, ts.URL, []byte(`{"event":"charge.success","data":{"reference":"`+strings.Repeat("x", MaxWebhookBytes)+`"}}`), sig); code != 413 {
		t.Fatalf("oversized: %d", code)
	}
	if n := countRows(t, l, `SELECT count(*) FROM kora_webhooks`); n != 1 {
		t.Fatalf("%d webhooks stored, want 1", n)
	}
	if n := countRows(t, l, `SELECT count(*) FROM kora_webhooks WHERE payment_reference = 'T1-20260310-0002'`); n != 0 {
		t.Fatal("a forged webhook was stored")
	}
	if n := countRows(t, l, `SELECT count(*) FROM kora_webhook_rejects`); n != 2 {
		t.Fatalf("%d rejects, want 2", n)
	}
	var dump string
	if err := l.pool.QueryRowContext(ctxT(t), `SELECT string_agg(k::text, '') FROM kora_webhooks k`).Scan(&dump); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(dump, pin) || !strings.Contains(dump, kora.MaskPIN(pin)) {
		t.Fatalf("the stored webhook holds the change PIN in clear (or no masked copy): %s", dump)
	}
	code, metrics := do(t, "GET", ts.URL+"/metrics", "", nil)
	for _, want := range []string{`voucherpos_store_kora_webhooks_total{result="stored"} 1`, `voucherpos_store_kora_webhooks_total{result="duplicate"} 1`,
		`voucherpos_store_kora_webhooks_total{result="bad_signature"} 1`, `voucherpos_store_kora_webhooks_total{result="too_large"} 1`} {
		if code != 200 || !strings.Contains(string(metrics), want) {
			t.Fatalf("/metrics lacks %s", want)
		}
	}
}

// A webhook that came before the sale is matched when the sale arrives;
// only the till that made the sale is given the change voucher; a failure
// after the success changes nothing.
func TestWebhookMatchedWhateverTheOrder(t *testing.T) {
	l, _, ts := newHookServer(t)
	const pin = "5555444433332222"
	c := &chain{till: "T1"}
	ref := "T1-20260310-0001"
	ok := webhookBody("charge.success", ref, "KPY-1", "success", "123.45", pin)
	if code := deliver(t, ts.URL, ok, signBody(t, testKoraKey, ok)); code != 200 {
		t.Fatal(code)
	}
	late := webhookBody("charge.failed", ref, "KPY-1", "failed", "123.45", "")
	if code := deliver(t, ts.URL, late, signBody(t, testKoraKey, late)); code != 200 {
		t.Fatal(code)
	}
	own, _ := l.AddTill(ctxT(t), "T1")
	other, _ := l.AddTill(ctxT(t), "T2")
	c.sale(t, 1, "unknown", 12345)
	if code, ack := post(t, ts.URL, own, c.batch(1, 1)); code != 200 {
		t.Fatalf("ingest %d %+v", code, ack)
	}
	get := func(token string) syncwire.Lookup {
		code, b := do(t, "GET", ts.URL+"/v1/sales/"+ref, token, nil)
		var out syncwire.Lookup
		if code != 200 || json.Unmarshal(b, &out) != nil {
			t.Fatalf("GET sale %d %s", code, b)
		}
		return out
	}
	mine := get(own)
	if k := mine.Kora; k == nil || k.Status != "success" || k.Amount == nil || *k.Amount != 12345 || *k.Fee != 150 || *k.VAT != 23 ||
		k.ChangeVoucher == nil || k.ChangeVoucher.PIN != pin || k.ChangeVoucher.Value != 37655 {
		t.Fatalf("owner's answer: %+v", mine.Kora)
	}
	if theirs := get(other); theirs.Kora == nil || theirs.Kora.ChangeVoucher != nil || theirs.Kora.Status != "success" {
		t.Fatalf("another till's answer: %+v", theirs.Kora)
	}
}

// FuzzWebhookDecoder: whatever the body and signature, Decode never
// panics, never accepts a body not signed with the key, and what it
// accepts can be stored (references and text fields are text).
func FuzzWebhookDecoder(f *testing.F) {
	hooks, err := NewWebhooks(nil, testKoraKey)
	if err != nil {
		f.Fatal(err)
	}
	good := webhookBody("charge.success", "T1-1", "KPY-1", "success", "1.00", "1234123412341234")
	f.Add(good, "", true)
	f.Add([]byte(`{"event":"charge.failed","data":{"reference":"KPY-9","status":"failed"}}`), "", true)
	f.Add([]byte(`{"event":"x","data":{}}`), "00", false)
	f.Add([]byte(`{"data":  {"payment_reference" : "a\u00e9"}}`), "", true)
	f.Add([]byte(`nope`), "", false)
	f.Fuzz(func(t *testing.T, body []byte, sig string, signIt bool) {
		if signIt {
			var w struct{ Data json.RawMessage }
			if json.Unmarshal(body, &w) == nil {
				sig = kora.Sign(testKoraKey, w.Data)
			}
		}
		ev, err := hooks.Decode(body, sig)
		if err != nil {
			if !errors.Is(err, kora.ErrBadBody) && !errors.Is(err, kora.ErrBadSignature) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if !signIt {
			t.Fatalf("accepted an unsigned body: %q", body)
		}
		if ev.PaymentReference == "" && ev.KoraReference == "" || ev.Event == "" {
			t.Fatalf("accepted without references: %+v", ev)
		}
		if s := fmt.Sprintf("%v %+v", ev, ev); ev.ChangePIN != "" && len(ev.ChangePIN) > 4 && strings.Contains(s, ev.ChangePIN) {
			t.Fatalf("rendering shows the PIN: %s", s)
		}
	})
}

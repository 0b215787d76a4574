package kora

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

// webhookData is a charge.success data object with a change voucher,
// deliberately not in Go's compact encoding.
const webhookData = `{"reference": "T1-20250101120000-ab12", "transaction_reference":"KPY-CA-qFNr4bXheKr6",
  "status":"success","amount":"60.00","fee":0.5,"currency":"ZAR","payment_method":"voucher",
  "voucher":{"serial_number":"20251024103152983020","balance":40,"pin":"1234252526252525","expiry_date":"2028-10-24 10:31:26"}}`

func webhookBody(event, data string) []byte {
	return []byte(`{"event":"` + event + `","data":` + data + `}`)
}

// webhookClient is a client built the ordinary way; no server is needed to
// verify a webhook.
func webhookClient(t *testing.T) *Client {
	t.Helper()
	return newTestClient(t, "http://127.0.0.1:1")
}

func TestVerifyWebhook_SignedBodyRoundTrips(t *testing.T) {
	t.Parallel()
	c := webhookClient(t)
	body := webhookBody(EventChargeSuccess, webhookData)
	sig := Sign(testKey, []byte(webhookData))
	if len(sig) != 64 || strings.Trim(sig, "0123456789abcdef") != "" {
		t.Fatalf("Sign = %q, want 64 lower-case hex digits", sig)
	}
	for name, s := range map[string]string{"as signed": sig, "upper case": strings.ToUpper(sig), "padded": "  " + sig + "\n"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			wh, err := c.VerifyWebhook(body, s)
			if err != nil {
				t.Fatalf("VerifyWebhook: %v", err)
			}
			if wh.Event != EventChargeSuccess || string(wh.Data) != webhookData {
				t.Errorf("Event/Data = %q %s", wh.Event, wh.Data)
			}
			ch := wh.Charge
			if ch.Reference != "T1-20250101120000-ab12" || ch.TransactionReference != "KPY-CA-qFNr4bXheKr6" ||
				ch.Status != StatusSuccess || ch.Amount.String() != "60" || ch.Fee.String() != "0.5" || ch.Currency != "ZAR" {
				t.Errorf("charge = %+v", ch)
			}
			v := ch.Voucher
			if v == nil || v.PIN != "1234252526252525" || v.Balance.String() != "40" ||
				!v.ExpiryDate.Equal(time.Date(2028, 10, 24, 10, 31, 26, 0, time.UTC)) {
				t.Errorf("voucher = %+v", v)
			}
		})
	}
}

func TestVerifyWebhook_FailedEventCarriesTheReason(t *testing.T) {
	t.Parallel()
	data := `{"reference":"R-9","status":"failed","amount":100,"message":"The voucher has already been used."}`
	wh, err := webhookClient(t).VerifyWebhook(webhookBody(EventChargeFailed, data), Sign(testKey, []byte(data)))
	if err != nil {
		t.Fatalf("VerifyWebhook: %v", err)
	}
	if wh.Event != EventChargeFailed || wh.Charge.Status != StatusFailed || wh.Charge.Message != "The voucher has already been used." || wh.Charge.Reference != "R-9" {
		t.Errorf("webhook = %+v", wh)
	}
}

func TestVerifyWebhook_RejectsBadSignaturesAndBodies(t *testing.T) {
	t.Parallel()
	good := Sign(testKey, []byte(webhookData))
	tampered := strings.Replace(webhookData, `"60.00"`, `"600.00"`, 1)
	if tampered == webhookData {
		t.Fatal("tampering did not change the data")
	}
	tests := []struct {
		name    string
		body    []byte
		sig     string
		wantSig bool // the error must be ErrBadSignature
	}{
		{"tampered data", webhookBody(EventChargeSuccess, tampered), good, true},
		{"wrong key", webhookBody(EventChargeSuccess, webhookData), Sign("sk_test_other", []byte(webhookData)), true},
		{"non-hex signature", webhookBody(EventChargeSuccess, webhookData), strings.Repeat("zz", 32), true},
		{"truncated signature", webhookBody(EventChargeSuccess, webhookData), good[:32], true},
		{"odd-length signature", webhookBody(EventChargeSuccess, webhookData), good[:63], true},
		{"signature too long", webhookBody(EventChargeSuccess, webhookData), good + "00", true},
		{"empty signature", webhookBody(EventChargeSuccess, webhookData), "", true},
		{"signature over the whole body", webhookBody(EventChargeSuccess, webhookData), Sign(testKey, webhookBody(EventChargeSuccess, webhookData)), true},
		{"signature over Go's HTML-escaping encoding", webhookBody(EventChargeSuccess, `{"reference":"R-1","description":"a<b&c"}`), Sign(testKey, []byte(`{"reference":"R-1","description":"a\u003cb\u0026c"}`)), true},
		{"signature over sorted keys", webhookBody(EventChargeSuccess, `{"status":"success","reference":"R-1"}`), Sign(testKey, []byte(`{"reference":"R-1","status":"success"}`)), true},
		{"missing data", []byte(`{"event":"charge.success"}`), good, false},
		{"data not an object", webhookBody(EventChargeSuccess, `[1]`), Sign(testKey, []byte(`[1]`)), false},
		{"body not JSON", []byte(`event=charge.success`), good, false},
		{"empty body", nil, good, false},
		{"body larger than the limit", webhookBody(EventChargeSuccess, `"`+strings.Repeat("a", MaxBodyBytes)+`"`), good, false},
	}
	c := webhookClient(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			wh, err := c.VerifyWebhook(tt.body, tt.sig)
			if err == nil {
				t.Fatalf("VerifyWebhook accepted: %+v", wh)
			}
			if wh != nil {
				t.Errorf("VerifyWebhook returned a webhook with error %v", err)
			}
			if tt.wantSig && !errors.Is(err, ErrBadSignature) {
				t.Errorf("error = %v, want ErrBadSignature", err)
			}
			if !tt.wantSig && !errors.Is(err, ErrBadBody) {
				t.Errorf("error = %v, want ErrBadBody", err)
			}
			assertErrorHidesSecret(t, err)
		})
	}
}

func TestVerifyWebhook_SignatureCoversRawDataBytes(t *testing.T) {
	t.Parallel()
	c := webhookClient(t)
	tests := []struct{ name, data string }{
		{"spaces inside", `{ "reference" : "R-1", "status" : "success", "amount" : 10 }`},
		{"newlines and tabs", "{\n\t\"reference\": \"R-1\",\n\t\"status\": \"success\"\n}"},
		{"escaped unicode", `{"reference":"R-\u0031","status":"success","customer":{"name":"Zo\u00eb"}}`},
		{"number text", `{"reference":"R-1","amount":10.50,"fee":1e0}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// Whitespace around the data object is not part of it.
			body := []byte(`{"event":"charge.success", "data":  ` + tt.data + ` , "extra":1}`)
			wh, err := c.VerifyWebhook(body, Sign(testKey, []byte(tt.data)))
			if err != nil {
				t.Fatalf("signature over the exact bytes refused: %v", err)
			}
			if string(wh.Data) != tt.data {
				t.Errorf("Data = %q, want the bytes as sent %q", wh.Data, tt.data)
			}
			if wh.Charge.Reference != "R-1" {
				t.Errorf("Reference = %q", wh.Charge.Reference)
			}
			compact := compactJSON(t, tt.data)
			if compact == tt.data {
				return
			}
			// Kora signs JSON.stringify(data): compact, here with the same
			// escapes decoded.
			js, err := StringifyJS([]byte(tt.data))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.VerifyWebhook(body, Sign(testKey, js)); err != nil {
				t.Errorf("signature over JSON.stringify(data) %s: %v", js, err)
			}
		})
	}
}

func TestVerifyWebhook_UsesTheClientsKey(t *testing.T) {
	t.Parallel()
	other, err := New("http://127.0.0.1:1", "sk_test_another_key")
	if err != nil {
		t.Fatal(err)
	}
	body := webhookBody(EventChargeSuccess, webhookData)
	sig := Sign(testKey, []byte(webhookData))
	if _, err := other.VerifyWebhook(body, sig); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("a client with another key accepted the webhook: %v", err)
	}
	if _, err := webhookClient(t).VerifyWebhook(body, sig); err != nil {
		t.Fatalf("the signing key's client refused it: %v", err)
	}
}

// compactJSON is data re-encoded without insignificant whitespace.
func compactJSON(t *testing.T, data string) string {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Compact(&buf, []byte(data)); err != nil {
		t.Fatalf("compact %s: %v", data, err)
	}
	return buf.String()
}

// Kora signs JSON.stringify(data) of the object it sends. A body that
// reaches us pretty-printed, or with escapes JSON.stringify would not
// write, still verifies against that form; a wrong secret never does.
func TestVerifyWebhook_AcceptsTheJSONStringifyForm(t *testing.T) {
	t.Parallel()
	c := webhookClient(t)
	tests := []struct {
		name, sent, signed string
	}{
		{"pretty-printed", "{\n  \"reference\": \"KPY-CA-1\",\n  \"payment_reference\": \"till-1-x\",\n  \"status\": \"success\",\n  \"amount\": 10.50\n}",
			`{"reference":"KPY-CA-1","payment_reference":"till-1-x","status":"success","amount":10.50}`},
		{"< and & raw", `{"payment_reference":"till-1-x","description":"R<5 & more>","status":"success"}`,
			`{"payment_reference":"till-1-x","description":"R<5 & more>","status":"success"}`},
		{"< and & escaped by the sender", `{"payment_reference":"till-1-x","description":"R\u003c5 \u0026 more\u003e"}`,
			`{"payment_reference":"till-1-x","description":"R<5 & more>"}`},
		{"unicode escaped", `{"payment_reference":"till-1-x","customer":{"name":"Zo\u00eb \u00c5ngstr\u00f6m"}}`,
			`{"payment_reference":"till-1-x","customer":{"name":"Zoë Ångström"}}`},
		{"unicode raw", `{"payment_reference":"till-1-x", "customer":{"name":"Zoë 日本"}}`,
			`{"payment_reference":"till-1-x","customer":{"name":"Zoë 日本"}}`},
		{"line separator written raw", `{"payment_reference":"till-1-x","description":"a\u2028b"}`,
			"{\"payment_reference\":\"till-1-x\",\"description\":\"a\u2028b\"}"},
		{"escaped slash", `{"payment_reference":"till-1-x","description":"a\/b"}`,
			`{"payment_reference":"till-1-x","description":"a/b"}`},
		{"control characters", `{"payment_reference":"till-1-x","description":"a\u0001\tb"}`,
			`{"payment_reference":"till-1-x","description":"a\u0001\tb"}`},
		{"numbers as sent", `{"payment_reference":"till-1-x","amount": 1e2, "fee": 26.880}`,
			`{"payment_reference":"till-1-x","amount":1e2,"fee":26.880}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			js, err := StringifyJS([]byte(tt.sent))
			if err != nil || string(js) != tt.signed {
				t.Fatalf("StringifyJS = %s, %v\nwant %s", js, err, tt.signed)
			}
			body := webhookBody(EventChargeSuccess, tt.sent)
			wh, err := c.VerifyWebhook(body, Sign(testKey, []byte(tt.signed)))
			if err != nil {
				t.Fatalf("VerifyWebhook: %v", err)
			}
			if wh.Charge.Reference != "till-1-x" || string(wh.Data) != tt.sent {
				t.Errorf("Reference %q, Data %s", wh.Charge.Reference, wh.Data)
			}
			if _, err := c.VerifyWebhook(body, Sign("sk_test_wrong", []byte(tt.signed))); !errors.Is(err, ErrBadSignature) {
				t.Errorf("wrong secret: %v, want ErrBadSignature", err)
			}
			if _, err := c.VerifyWebhook(body, Sign("sk_test_wrong", []byte(tt.sent))); !errors.Is(err, ErrBadSignature) {
				t.Errorf("wrong secret over the raw bytes: %v, want ErrBadSignature", err)
			}
		})
	}
}

// In Kora's webhooks reference is Kora's and payment_reference the merchant's.
func TestVerifyWebhook_KoraAndMerchantReferences(t *testing.T) {
	t.Parallel()
	data := `{"reference":"KPY-CA-qFNr4bXheKr6","payment_reference":"till-1-20260101-ab12","status":"success","amount":"100.00","amount_paid":"60.00"}`
	wh, err := webhookClient(t).VerifyWebhook(webhookBody(EventChargeSuccess, data), Sign(testKey, []byte(data)))
	if err != nil {
		t.Fatal(err)
	}
	ch := wh.Charge
	if ch.Reference != "till-1-20260101-ab12" || ch.TransactionReference != "KPY-CA-qFNr4bXheKr6" {
		t.Errorf("references = %q / %q", ch.Reference, ch.TransactionReference)
	}
	if got, ok := ch.Charged(); !ok || got.String() != "60" || ch.HasFee {
		t.Errorf("Charged = %s %v, HasFee %v", got, ok, ch.HasFee)
	}
}

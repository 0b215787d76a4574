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
		{"signature over compacted data", webhookBody(EventChargeSuccess, webhookData), Sign(testKey, []byte(compactJSON(t, webhookData))), true},
		{"missing data", []byte(`{"event":"charge.success"}`), good, false},
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
			if _, err := c.VerifyWebhook(body, Sign(testKey, []byte(compact))); !errors.Is(err, ErrBadSignature) {
				t.Errorf("signature over re-encoded data: error %v, want ErrBadSignature", err)
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

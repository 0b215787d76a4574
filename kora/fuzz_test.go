package kora

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// FuzzDecodeResponse feeds any status and body to the one place answers are
// classified. It must never panic, a nil error must mean a 2xx with data,
// and every error must be an *Error that is either an unknown outcome or a
// definite decline, never both and never "not sent".
func FuzzDecodeResponse(f *testing.F) {
	f.Add(200, []byte(seedSuccessBody))
	f.Add(201, []byte(`{"status":true,"message":"Charge retrieved successfully","data":{"reference":"R-1","status":"processing","amount":"100.50","fee":"1.50","currency":"ZAR"}}`))
	f.Add(200, []byte(`{"status":true,"message":"ok","data":{"amount":10,"voucher":{"serial_number":20251024103152983020,"pin":1234252526252525,"expiry_date":"2028-10-24T10:31:26Z"}}}`))
	for _, row := range seedErrorTable {
		f.Add(row.status, []byte(errorBody(row.message)))
	}
	f.Add(401, []byte(errorBody("Invalid authorization key")))
	f.Add(400, []byte(`{"status":false,"message":"Invalid request data","data":{"amount":"amount must be a number","voucher.pin":["is required",{"message":"digits only"}]}}`))
	f.Add(409, []byte(errorBody("Duplicate payment reference")))
	f.Add(404, []byte(errorBody("Charge not found")))
	f.Add(429, []byte(errorBody("Rate limit exceeded")))
	f.Add(502, []byte("<html><head><title>502 Bad Gateway</title></head></html>"))
	f.Add(200, []byte(`{"status":true,"message":"ok","data":null}`))
	f.Add(200, []byte(`{"status":"true","message":12,"data":"x"}`))
	f.Add(200, []byte(seedSuccessBody[:len(seedSuccessBody)/2]))
	f.Add(302, []byte{})
	f.Add(0, []byte(`{"status":1}`))
	f.Add(404, []byte(`{"status":false,"message":"Route not found","data":null}`))
	f.Add(404, []byte("<html><body>404 Not Found</body></html>"))
	f.Add(200, []byte(`{"status":true,"message":"ok","data":{"status":"success","amount":"5000.00","fee":"5,000.00","voucher":"","customer":[]}}`))
	f.Add(200, []byte(`{"status":true,"message":"ok","data":{"status":"expired","amount_paid":"0.00","amount_expected":"100.00"}}`))

	f.Fuzz(func(t *testing.T, status int, body []byte) {
		env, gotStatus, err := decodeResponse(status, body)
		if gotStatus != status {
			t.Fatalf("status %d came back as %d", status, gotStatus)
		}
		if err == nil {
			if status < 200 || status > 299 {
				t.Fatalf("status %d accepted as a success", status)
			}
			if !env.hasData() {
				t.Fatalf("success without data accepted: %q", body)
			}
			var w wireChargeOut
			if json.Unmarshal(env.Data, &w) == nil {
				ch := w.charge()
				_ = fmt.Sprintf("%v %+v %s", ch, ch, ch.Amount)
				if ch.Voucher != nil {
					_ = fmt.Sprint(*ch.Voucher)
				}
			}
			return
		}
		var e *Error
		if !errors.As(err, &e) {
			t.Fatalf("error %T %v is not *Error", err, err)
		}
		if errors.Is(err, ErrNotSent) {
			t.Fatalf("an answer was classified as not sent: %v", err)
		}
		unknown := errors.Is(err, ErrOutcomeUnknown)
		if unknown == e.Declined() {
			t.Fatalf("unknown = %v and Declined() = %v for %v", unknown, e.Declined(), err)
		}
		if status >= 500 && !unknown {
			t.Fatalf("a %d is a definite decline: %v", status, err)
		}
		if e.StatusCode != status {
			t.Fatalf("StatusCode = %d, want %d", e.StatusCode, status)
		}
		if k := e.Kind(); k != nil && !errors.Is(err, k) {
			t.Fatalf("error does not match its own Kind %v", k)
		}
		if e.Fields != nil && e.Kind() != ErrInvalidRequest {
			t.Fatalf("Fields set on a %v", e.Kind())
		}
		if strings.Contains(e.Error(), "\n") {
			t.Fatalf("Error() spans lines: %q", e.Error())
		}
	})
}

// FuzzAmountUnmarshal checks that whatever UnmarshalJSON accepts,
// MarshalJSON writes as valid JSON that reads back to the same value.
func FuzzAmountUnmarshal(f *testing.F) {
	for _, s := range []string{
		`100`, `10.50`, `"10.50"`, `null`, `1e2`, `1.5E+1`, `1e-9`, `-0`, `-0.01`,
		`12345678901234567`, `9223372036854775807`, `-9223372036854775807`, `0.000000001`,
		`"  7 "`, `1e18`, `9e18`, `92233720368547758.07`, `"1e2"`, `0`, `10`, `60.00`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var a Amount
		if err := a.UnmarshalJSON(b); err != nil {
			return
		}
		out, err := a.MarshalJSON()
		if err != nil {
			t.Fatalf("MarshalJSON of %s (from %q): %v", a, b, err)
		}
		if !json.Valid(out) {
			t.Fatalf("MarshalJSON of %q wrote invalid JSON %q", b, out)
		}
		var back Amount
		if err := back.UnmarshalJSON(out); err != nil {
			t.Fatalf("re-reading %q (from %q): %v", out, b, err)
		}
		if back.Cmp(a) != 0 || a.Cmp(back) != 0 {
			t.Fatalf("%q → %q → %s: not equal to %s", b, out, back, a)
		}
		if back.String() != string(out) {
			t.Fatalf("%q: String %q differs from JSON %q", b, back.String(), out)
		}
		if p, err := ParseAmount(string(out)); err != nil || p.Cmp(a) != 0 {
			t.Fatalf("ParseAmount(%q) = %s, %v; want %s", out, p, err, a)
		}
		// The decoder hands UnmarshalJSON the same text.
		if json.Valid(b) {
			var doc Amount
			if err := json.Unmarshal(b, &doc); err != nil || doc.Cmp(a) != 0 {
				t.Fatalf("json.Unmarshal(%q) = %s, %v; direct gave %s", b, doc, err, a)
			}
		}
		_, _ = a.Minor(2)
		_ = a.Fixed(2)
		if sum, err := a.Add(a); err == nil {
			if diff, err := sum.Sub(a); err != nil || diff.Cmp(a) != 0 {
				t.Fatalf("(%s+%s)-%s = %s, %v", a, a, a, diff, err)
			}
		}
	})
}

// FuzzVerifyWebhook: random bodies and signatures never panic and never
// verify by accident; a body whose data was signed with Sign always
// verifies when its data is a charge object.
func FuzzVerifyWebhook(f *testing.F) {
	f.Add(webhookBody(EventChargeSuccess, webhookData), Sign(testKey, []byte(webhookData)), []byte(webhookData))
	failed := `{"reference":"R-9","status":"failed","amount":100,"message":"The voucher has already been used."}`
	f.Add(webhookBody(EventChargeFailed, failed), Sign(testKey, []byte(failed)), []byte(failed))
	f.Add([]byte(seedSuccessBody), "", []byte(`{ "reference" : "R-1" }`))
	f.Add([]byte(`{"event":"charge.success","data":null}`), Sign(testKey, []byte("null")), []byte("null"))
	f.Add([]byte(`{"event":1,"data":[1,2]}`), "zz", []byte(`[1,2]`))
	f.Add([]byte(`not json`), strings.Repeat("0", 64), []byte(`{"amount":"1e2"}`))
	pretty := "{\n  \"reference\": \"KPY-CA-1\",\n  \"payment_reference\": \"till-1-a\\/b\",\n  \"status\": \"success\",\n  \"amount\": 10.50,\n  \"customer\": {\"name\": \"Zo\\u00eb <&> \u2028\"}\n}"
	f.Add(webhookBody(EventChargeSuccess, pretty), Sign(testKey, []byte(`{"reference":"KPY-CA-1","payment_reference":"till-1-a/b","status":"success","amount":10.50,"customer":{"name":"Zoë <&> \u2028"}}`)), []byte(pretty))

	f.Fuzz(func(t *testing.T, body []byte, sig string, data []byte) {
		wh, err := verifyWebhook(testKey, body, sig)
		if err == nil && !strings.EqualFold(strings.TrimSpace(sig), Sign(testKey, wh.Data)) {
			js, jerr := StringifyJS(wh.Data)
			if jerr != nil || !strings.EqualFold(strings.TrimSpace(sig), Sign(testKey, js)) {
				t.Fatalf("verified with a signature %q that is over neither its data %q nor its JSON.stringify form", sig, wh.Data)
			}
		}
		if err != nil && !errors.Is(err, ErrBadSignature) && !errors.Is(err, ErrBadBody) {
			t.Fatalf("error %v is neither ErrBadSignature nor ErrBadBody", err)
		}
		if err != nil && strings.Contains(err.Error(), testKey) {
			t.Fatalf("error shows the key: %v", err)
		}

		if !json.Valid(data) {
			return
		}
		raw := bytes.Trim(data, " \t\r\n") // the data value as the decoder sees it
		signed := append(append([]byte(`{"event":"charge.success","data":`), data...), '}')
		if len(signed) > MaxBodyBytes {
			return
		}
		good := Sign(testKey, raw)
		wh, err = verifyWebhook(testKey, signed, good)
		var w wireChargeOut
		decodable := json.Unmarshal(raw, &w) == nil
		switch {
		case decodable && err != nil:
			t.Fatalf("signed webhook with data %q refused: %v", raw, err)
		case errors.Is(err, ErrBadSignature):
			t.Fatalf("signed webhook with data %q: bad signature", raw)
		case err == nil && !bytes.Equal(wh.Data, raw):
			t.Fatalf("Data = %q, want %q", wh.Data, raw)
		}
		// What JSON.stringify would have signed verifies too.
		if js, jerr := StringifyJS(raw); jerr == nil && decodable {
			if _, err := verifyWebhook(testKey, signed, Sign(testKey, js)); err != nil {
				t.Fatalf("data %q signed in its JSON.stringify form %q refused: %v", raw, js, err)
			}
			if again, err := StringifyJS(js); err != nil || !bytes.Equal(again, js) {
				t.Fatalf("StringifyJS is not stable: %q → %q (%v)", js, again, err)
			}
		}
		flip := "1"
		if good[0] == '1' {
			flip = "2"
		}
		if _, err := verifyWebhook(testKey, signed, flip+good[1:]); !errors.Is(err, ErrBadSignature) {
			t.Fatalf("a wrong signature over %q: error %v, want ErrBadSignature", raw, err)
		}
	})
}

// FuzzDecodeCharge feeds charge data of any shape, seeded with the
// malformed optional fields Kora has been seen to send. Decoding never
// panics and never fails on an object; an optional field never changes
// the verdict; the charged amount is amount_paid when readable, else
// amount; a fee that is not readable is "not given", never zero-by-guess.
func FuzzDecodeCharge(f *testing.F) {
	for _, s := range []string{
		`{"status":"success","amount":"10.00","fee":""}`,
		`{"status":"success","amount":"5000.00","fee":"5,000.00"}`,
		`{"status":"success","amount":10,"voucher":""}`,
		`{"status":"success","amount":10,"customer":[]}`,
		`{"status":"success","amount":10,"fee":0.15}`,
		`{"status":"success","amount":"100.00","amount_paid":"60.00","amount_expected":"100.00"}`,
		`{"status":"expired","amount":"","message":"Transaction expired"}`,
		`{"status":"on-hold","amount":1}`,
		`{"reference":"KPY-CA-1","payment_reference":"till-1-x","status":"pending"}`,
		`{"status":["success"],"amount":{"v":1},"voucher":{"pin":[1],"balance":"x","expiry_date":{}}}`,
		`{"status":"success","amount":"1e400","fee":null,"vat":"-0"}`,
		seedSuccessBody[strings.Index(seedSuccessBody, `"data": `)+8 : len(seedSuccessBody)-1],
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var w wireChargeOut
		err := json.Unmarshal(data, &w)
		var obj map[string]json.RawMessage
		isObject := json.Unmarshal(data, &obj) == nil && obj != nil
		if isObject && err != nil {
			t.Fatalf("object %q refused: %v", data, err)
		}
		if err != nil {
			return
		}
		ch := w.charge()
		_ = fmt.Sprintf("%v %+v", ch, ch)
		// The verdict rests on status alone.
		if got, want := ch.Status.Verdict(), ChargeStatus(optString(obj["status"])).Verdict(); got != want {
			t.Fatalf("verdict %v, want %v for %q", got, want, data)
		}
		paid, amount := readAmount(obj["amount_paid"]), readAmount(obj["amount"])
		got, ok := ch.Charged()
		switch {
		case paid.ok:
			if !ok || got.Cmp(paid.v) != 0 {
				t.Fatalf("Charged = %s %v, want amount_paid %s", got, ok, paid.v)
			}
		case amount.ok:
			if !ok || got.Cmp(amount.v) != 0 {
				t.Fatalf("Charged = %s %v, want amount %s", got, ok, amount.v)
			}
		case ok:
			t.Fatalf("Charged = %s from %q with neither amount readable", got, data)
		}
		if !ch.HasFee && !ch.Fee.IsZero() {
			t.Fatalf("fee %s without HasFee", ch.Fee)
		}
		// Through the client's envelope the same holds: an unreadable
		// success is unknown, anything else decodes.
		body := append(append([]byte(`{"status":true,"message":"ok","data":`), data...), '}')
		env, _, derr := decodeResponse(200, body)
		if derr != nil {
			return
		}
		var again wireChargeOut
		if json.Unmarshal(env.Data, &again) != nil {
			t.Fatalf("data decoded once but not twice: %q", data)
		}
		if rerr := readable(200, again.charge()); rerr != nil && !errors.Is(rerr, ErrOutcomeUnknown) {
			t.Fatalf("readable: %v is not an unknown outcome", rerr)
		}
	})
}

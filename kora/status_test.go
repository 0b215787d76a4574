package kora

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
)

func TestStatusTable_DecidesEveryStatus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status ChargeStatus
		want   Verdict
		known  bool
	}{
		{"success", VerdictApproved, true},
		{"failed", VerdictDeclined, true},
		{"expired", VerdictDeclined, true},
		{"cancelled", VerdictDeclined, true},
		{"abandoned", VerdictDeclined, true},
		{"processing", VerdictUnknown, true},
		{"pending", VerdictUnknown, true},
		{" Expired ", VerdictDeclined, true},
		{"SUCCESS", VerdictApproved, true},
		{"on-hold", VerdictUnknown, false},
		{"reversed", VerdictUnknown, false},
		{"", VerdictUnknown, false},
	}
	for _, tt := range tests {
		if got := tt.status.Verdict(); got != tt.want {
			t.Errorf("%q.Verdict() = %v, want %v", tt.status, got, tt.want)
		}
		if got := tt.status.Known(); got != tt.known {
			t.Errorf("%q.Known() = %v", tt.status, got)
		}
		if got := tt.status.Final(); got != (tt.want != VerdictUnknown) {
			t.Errorf("%q.Final() = %v", tt.status, got)
		}
	}
}

// A status never seen is unknown, kept as sent for "Kora says: …", and
// logged once however often it comes back.
func TestClient_UnseenStatusIsUnknownAndLoggedOnce(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	srv := serve(t, answer(200, `{"status":true,"message":"ok","data":{"status":"On-Hold","amount":"10.00"}}`))
	c := newTestClient(t, srv.URL, WithLogger(log))
	for range 3 {
		res, err := c.ChargeVoucher(context.Background(), sampleCharge())
		if err != nil {
			t.Fatal(err)
		}
		if res.Status.Final() || res.Status.Known() || res.RawStatus != "On-Hold" {
			t.Fatalf("Status %q RawStatus %q", res.Status, res.RawStatus)
		}
		if _, err := c.QueryCharge(context.Background(), "R-12345678"); err != nil {
			t.Fatal(err)
		}
	}
	if n := strings.Count(buf.String(), "never seen"); n != 1 {
		t.Fatalf("logged %d times:\n%s", n, buf.String())
	}
	assertNoSecret(t, "log", buf.String())
}

// Kora's errors page: "Invalid authorization key" "does not indicate any
// error with your request. Requery the transaction". On a charge POST it
// is an unknown outcome; on a query it is a definite refusal of the key.
func TestChargeVoucher_401IsOutcomeUnknown(t *testing.T) {
	t.Parallel()
	for _, body := range []string{errorBody("Invalid authorization key"), "<html>401</html>", ""} {
		srv := serve(t, answer(401, body))
		c := newTestClient(t, srv.URL)
		_, err := c.ChargeVoucher(context.Background(), sampleCharge())
		var e *Error
		if !errors.Is(err, ErrOutcomeUnknown) || !errors.Is(err, ErrUnauthorized) || errors.Is(err, ErrNotSent) ||
			!errors.As(err, &e) || e.Declined() || e.StatusCode != 401 {
			t.Errorf("charge with %q: %v", body, err)
		}
		_, err = c.QueryCharge(context.Background(), "R-12345678")
		if !errors.Is(err, ErrUnauthorized) || errors.Is(err, ErrOutcomeUnknown) {
			t.Errorf("query with %q: %v", body, err)
		}
		assertErrorHidesSecret(t, err)
	}
}

// Kora Checkout's words, and the seed's sentences, in every case and with
// trailing punctuation, land on the right decline.
func TestFailureKind_KorasWords(t *testing.T) {
	t.Parallel()
	base := []struct {
		message string
		want    error // nil: a decline of no particular kind ("other")
	}{
		{"Invalid voucher", ErrInvalidPIN},
		{"Invalid Voucher", ErrInvalidPIN},
		{"Insufficient balance", ErrInsufficientFunds},
		{"Insufficient Balance", ErrInsufficientFunds},
		{"Transaction failed. Please try again", nil},
		{"The voucher pin you have entered is invalid", ErrInvalidPIN},
		{"The voucher has already been used", ErrVoucherUsed},
		{"Voucher funds are lower than the transaction amount", ErrInsufficientFunds},
		{"The amount provided exceeds the required amount", ErrAmountExceeds},
		{"The voucher provider is not active for this merchant", ErrProviderNotActive},
		{"The selected provider code is not supported", ErrProviderNotSupported},
		{"An unexpected system error occurred", ErrSystem},
	}
	for _, b := range base {
		for _, m := range []string{b.message, strings.ToUpper(b.message), strings.ToLower(b.message),
			b.message + ".", b.message + "!", b.message + ". ", " " + b.message + "?"} {
			if got := FailureKind(m); got != b.want {
				t.Errorf("FailureKind(%q) = %v, want %v", m, got, b.want)
			}
			// The same words as a 400 answer to a charge.
			if b.want == ErrSystem {
				continue
			}
			if got := classify(400, m); got != b.want {
				t.Errorf("classify(400, %q) = %v, want %v", m, got, b.want)
			}
		}
	}
}

// Optional fields of the wrong shape are dropped one by one; the outcome
// rests on status and the charged amount.
func TestDecode_MalformedOptionalFieldsKeepTheOutcome(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, data     string
		charged        string
		hasFee, hasVAT bool
		fee            string
	}{
		{"fee empty", `{"status":"success","amount":"10.00","fee":"","vat":"0.02"}`, "10", false, true, "0"},
		{"fee with a thousands separator", `{"status":"success","amount":"5000.00","fee":"5,000.00"}`, "5000", false, false, "0"},
		{"fee an object", `{"status":"success","amount":10,"fee":{"v":1}}`, "10", false, false, "0"},
		{"voucher empty string", `{"status":"success","amount":10,"fee":"0.15","voucher":""}`, "10", true, false, "0.15"},
		{"customer an array", `{"status":"success","amount":10,"fee":0,"customer":[]}`, "10", true, false, "0"},
		{"vat missing", `{"status":"success","amount":10,"fee":"0.15"}`, "10", true, false, "0.15"},
		{"reference a number", `{"status":"success","amount":10,"fee":1,"payment_reference":12345678}`, "10", true, false, "1"},
		{"references of the wrong shape", `{"status":"success","amount":10,"payment_reference":{},"transaction_reference":[1]}`, "10", false, false, "0"},
		{"amount_paid wins", `{"status":"success","amount":"100.00","amount_paid":"60.00","amount_expected":"100.00"}`, "60", false, false, "0"},
		{"amount_paid unreadable falls back to amount", `{"status":"success","amount":"100.00","amount_paid":""}`, "100", false, false, "0"},
		{"expiry a number", `{"status":"success","amount":10,"voucher":{"serial_number":"S","expiry_date":20281024}}`, "10", false, false, "0"},
		{"balance unreadable", `{"status":"success","amount":10,"voucher":{"serial_number":"S","balance":"lots"}}`, "10", false, false, "0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := serve(t, answer(200, `{"status":true,"message":"Charge Successful","data":`+tt.data+`}`))
			res, err := newTestClient(t, srv.URL).ChargeVoucher(context.Background(), sampleCharge())
			if err != nil {
				t.Fatalf("ChargeVoucher: %v", err)
			}
			got, ok := res.Charged()
			if !ok || got.String() != tt.charged || res.Status.Verdict() != VerdictApproved {
				t.Errorf("Charged = %s %v, status %q", got, ok, res.Status)
			}
			if res.HasFee != tt.hasFee || res.Fee.String() != tt.fee || res.HasVAT != tt.hasVAT {
				t.Errorf("fee %s has %v, vat has %v", res.Fee, res.HasFee, res.HasVAT)
			}
		})
	}
	// Without a readable charged amount a success is not an answer.
	for _, data := range []string{`{"status":"success"}`, `{"status":"success","amount":"5,000.00"}`, `{"status":"success","amount":""}`} {
		srv := serve(t, answer(200, `{"status":true,"message":"ok","data":`+data+`}`))
		_, err := newTestClient(t, srv.URL).ChargeVoucher(context.Background(), sampleCharge())
		if !errors.Is(err, ErrOutcomeUnknown) {
			t.Errorf("%s: %v, want ErrOutcomeUnknown", data, err)
		}
	}
	// A failed charge needs no amount.
	srv := serve(t, answer(200, `{"status":true,"message":"ok","data":{"status":"expired","amount":"","message":"Transaction expired"}}`))
	res, err := newTestClient(t, srv.URL).ChargeVoucher(context.Background(), sampleCharge())
	if err != nil || res.Status.Verdict() != VerdictDeclined || res.Charge.Message != "Transaction expired" {
		t.Fatalf("%+v %v", res, err)
	}
}

// Only Kora's "Charge not found" names a charge; any other 404 is a route
// Kora does not serve.
func TestQueryCharge_RouteNotFoundIsNotChargeNotFound(t *testing.T) {
	t.Parallel()
	for _, body := range []string{errorBody("Route not found"), "<html><body>404 Not Found</body></html>", errorBody("Not Found"), ""} {
		srv := serve(t, answer(404, body))
		_, err := newTestClient(t, srv.URL).QueryCharge(context.Background(), "R-12345678")
		if !errors.Is(err, ErrRouteNotFound) || errors.Is(err, ErrChargeNotFound) {
			t.Errorf("404 %q: %v", body, err)
		}
	}
}

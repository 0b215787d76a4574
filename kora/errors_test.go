package kora

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// errorBody is Kora's standard error envelope around message.
func errorBody(message string) string {
	return fmt.Sprintf(`{"status":false,"message":%q,"data":null}`, message)
}

// The seed page's "Voucher-Specific Error Codes" table, verbatim.
var seedErrorTable = []struct {
	status  int
	message string
	want    error
}{
	{400, "The voucher pin you have entered is invalid.", ErrInvalidPIN},
	{400, "The voucher has already been used.", ErrVoucherUsed},
	{402, "Voucher funds are lower than the transaction amount.", ErrInsufficientFunds},
	{400, "The amount provided exceeds the required amount.", ErrAmountExceeds},
	{403, "The voucher provider is not active for this merchant.", ErrProviderNotActive},
	{400, "The selected provider code is not supported.", ErrProviderNotSupported},
	{500, "An unexpected system error occurred.", ErrSystem},
}

func TestClassify_SeedErrorTable(t *testing.T) {
	t.Parallel()
	for _, tt := range seedErrorTable {
		t.Run(fmt.Sprintf("%d %s", tt.status, tt.message), func(t *testing.T) {
			t.Parallel()
			if got := classify(tt.status, tt.message); got != tt.want {
				t.Fatalf("classify(%d, %q) = %v, want %v", tt.status, tt.message, got, tt.want)
			}
		})
	}
}

func TestClassify_GeneralErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status  int
		message string
		want    error
	}{
		{401, "Invalid authorization key", ErrUnauthorized},
		{401, "", ErrUnauthorized},
		{400, "Invalid request data", ErrInvalidRequest},
		{400, "Duplicate payment reference", ErrDuplicateReference},
		{409, "Duplicate payment reference", ErrDuplicateReference},
		{404, "Charge not found", ErrChargeNotFound},
		{404, "Not Found", ErrRouteNotFound},
		{404, "Route not found", ErrRouteNotFound},
		{404, "route NOT found.", ErrRouteNotFound},
		{400, "Transaction not found", ErrChargeNotFound},
		{500, "Internal Server Error", ErrSystem},
		{503, "Service Unavailable", ErrSystem},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d %s", tt.status, tt.message), func(t *testing.T) {
			t.Parallel()
			if got := classify(tt.status, tt.message); got != tt.want {
				t.Fatalf("classify(%d, %q) = %v, want %v", tt.status, tt.message, got, tt.want)
			}
		})
	}
}

func TestClassify_RewordedAndRecasedMessages(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status  int
		message string
		want    error
	}{
		{400, "VOUCHER PIN IS INCORRECT", ErrInvalidPIN},
		{400, "Invalid voucher PIN", ErrInvalidPIN},
		{400, "the pin entered is not valid", ErrInvalidPIN},
		{400, "Wrong PIN", ErrInvalidPIN},
		{400, "This voucher was already redeemed", ErrVoucherUsed},
		{400, "VOUCHER ALREADY USED", ErrVoucherUsed},
		{402, "Insufficient voucher balance", ErrInsufficientFunds},
		{402, "Payment required", ErrInsufficientFunds},
		{400, "Voucher balance is lower than the amount", ErrInsufficientFunds},
		{400, "Not enough funds on voucher", ErrInsufficientFunds},
		{400, "Amount exceeds the voucher value", ErrAmountExceeds},
		{400, "The amount is more than the required amount", ErrAmountExceeds},
		{403, "Provider is inactive", ErrProviderNotActive},
		{403, "This voucher provider is not enabled for your account", ErrProviderNotActive},
		{403, "Provider disabled", ErrProviderNotActive},
		{403, "provider unavailable", ErrProviderNotActive},
		{400, "Unsupported provider code", ErrProviderNotSupported},
		{400, "Unknown provider", ErrProviderNotSupported},
		{401, "Unauthorized", ErrUnauthorized},
		{403, "Invalid API key", ErrUnauthorized},
		{400, "invalid authorisation key", ErrUnauthorized},
		{422, "Validation failed", ErrInvalidRequest},
		{400, "INVALID REQUEST DATA", ErrInvalidRequest},
		{400, "duplicate reference", ErrDuplicateReference},
		{404, "charge NOT FOUND", ErrChargeNotFound},
		{500, "unexpected system error", ErrSystem},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d %s", tt.status, tt.message), func(t *testing.T) {
			t.Parallel()
			if got := classify(tt.status, tt.message); got != tt.want {
				t.Fatalf("classify(%d, %q) = %v, want %v", tt.status, tt.message, got, tt.want)
			}
		})
	}
}

func TestClassify_OtherAnswersStayUnclassified(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status  int
		message string
	}{
		{400, "Something else went wrong"},
		{400, ""},
		{429, "Too many requests"},
		// A rate limit is not "the amount provided exceeds the required amount".
		{429, "Rate limit exceeded"},
		{429, "You have made more than 60 requests this minute"},
		{422, "Currency not allowed"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d %s", tt.status, tt.message), func(t *testing.T) {
			t.Parallel()
			if got := classify(tt.status, tt.message); got != nil {
				t.Fatalf("classify(%d, %q) = %v, want nil", tt.status, tt.message, got)
			}
		})
	}
}

// decoded returns the *Error decodeResponse makes of an answer.
func decoded(t *testing.T, status int, body string) *Error {
	t.Helper()
	_, _, err := decodeResponse(status, []byte(body))
	if err == nil {
		t.Fatalf("decodeResponse(%d, %s) = nil error", status, body)
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("decodeResponse(%d) error %T %v is not *Error", status, err, err)
	}
	return e
}

func TestDecodeResponse_SeedDeclinesAreDefinite(t *testing.T) {
	t.Parallel()
	for _, tt := range seedErrorTable {
		t.Run(fmt.Sprintf("%d %s", tt.status, tt.message), func(t *testing.T) {
			t.Parallel()
			e := decoded(t, tt.status, errorBody(tt.message))
			if !errors.Is(e, tt.want) {
				t.Errorf("errors.Is(%v, %v) = false", e, tt.want)
			}
			if e.Kind() != tt.want {
				t.Errorf("Kind() = %v, want %v", e.Kind(), tt.want)
			}
			if e.StatusCode != tt.status || e.Message != tt.message {
				t.Errorf("StatusCode/Message = %d %q, want %d %q", e.StatusCode, e.Message, tt.status, tt.message)
			}
			unknown := tt.status >= 500
			if got := errors.Is(e, ErrOutcomeUnknown); got != unknown {
				t.Errorf("errors.Is(ErrOutcomeUnknown) = %v, want %v", got, unknown)
			}
			if e.Declined() == unknown {
				t.Errorf("Declined() = %v with unknown = %v", e.Declined(), unknown)
			}
			if errors.Is(e, ErrNotSent) {
				t.Error("an answer from Kora matches ErrNotSent")
			}
		})
	}
}

func TestError_AsGivesStatusAndMessage(t *testing.T) {
	t.Parallel()
	_, _, err := decodeResponse(402, []byte(errorBody("Voucher funds are lower than the transaction amount.")))
	wrapped := fmt.Errorf("sale S-1: %w", err)
	var e *Error
	if !errors.As(wrapped, &e) {
		t.Fatalf("errors.As(%v) to *Error failed", wrapped)
	}
	if e.StatusCode != 402 || e.Message != "Voucher funds are lower than the transaction amount." {
		t.Fatalf("got %d %q", e.StatusCode, e.Message)
	}
	if !errors.Is(wrapped, ErrInsufficientFunds) || errors.Is(wrapped, ErrOutcomeUnknown) || errors.Is(wrapped, ErrVoucherUsed) {
		t.Fatalf("wrapped error matches the wrong sentinels: %v", wrapped)
	}
	if got, want := e.Error(), "kora: HTTP 402: Voucher funds are lower than the transaction amount."; got != want {
		t.Fatalf("Error() = %q, want %q", got, want)
	}
}

func TestDecodeResponse_InvalidRequestCarriesFieldErrors(t *testing.T) {
	t.Parallel()
	body := `{"status":false,"message":"Invalid request data","data":{` +
		`"amount":"amount must be a number",` +
		`"voucher.pin":["pin is required","pin must be digits"],` +
		`"customer":{"message":"customer.email is required"},` +
		`"currency":{"msg":"unsupported currency"},` +
		`"reference":42}}`
	e := decoded(t, 400, body)
	if !errors.Is(e, ErrInvalidRequest) || !e.Declined() || errors.Is(e, ErrOutcomeUnknown) {
		t.Fatalf("classification of %v: Kind=%v Declined=%v", e, e.Kind(), e.Declined())
	}
	want := map[string]string{
		"amount":      "amount must be a number",
		"voucher.pin": "pin is required; pin must be digits",
		"customer":    "customer.email is required",
		"currency":    "unsupported currency",
		"reference":   "42",
	}
	if len(e.Fields) != len(want) {
		t.Fatalf("Fields = %v, want %v", e.Fields, want)
	}
	for k, v := range want {
		if e.Fields[k] != v {
			t.Errorf("Fields[%q] = %q, want %q", k, e.Fields[k], v)
		}
	}
	msg := e.Error()
	for _, part := range []string{"HTTP 400", "Invalid request data", "amount: amount must be a number", "voucher.pin: pin is required; pin must be digits"} {
		if !strings.Contains(msg, part) {
			t.Errorf("Error() = %q, missing %q", msg, part)
		}
	}
	// Keys are listed in a stable order.
	if strings.Index(msg, "amount:") > strings.Index(msg, "voucher.pin:") {
		t.Errorf("Error() fields not sorted: %q", msg)
	}

	if e := decoded(t, 400, errorBody("Invalid request data")); e.Fields != nil {
		t.Errorf("Fields with data null = %v, want nil", e.Fields)
	}
}

func TestDecodeResponse_ClassifiesEveryAnswer(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		status   int
		body     string
		kind     error // expected Kind(); nil = unclassified
		unknown  bool
		wantText string // substring of Error()
	}{
		{"500 JSON", 500, errorBody("An unexpected system error occurred."), ErrSystem, true, "HTTP 500"},
		{"500 other message", 500, errorBody("Something broke"), ErrSystem, true, "Something broke"},
		{"502 JSON", 502, errorBody("Bad gateway"), ErrSystem, true, "HTTP 502"},
		{"503 empty body", 503, "", nil, true, "unreadable response: (empty)"},
		{"502 HTML", 502, "<html><body><h1>502 Bad Gateway</h1></body></html>", nil, true, "502 Bad Gateway"},
		{"500 voucher decline text is still unknown", 500, errorBody("The voucher has already been used."), ErrVoucherUsed, true, "already"},
		{"401 JSON", 401, errorBody("Invalid authorization key"), ErrUnauthorized, false, "Invalid authorization key"},
		{"401 HTML is still a refused key", 401, "<html>401 Authorization Required</html>", ErrUnauthorized, false, "HTTP 401"},
		{"404 charge not found", 404, errorBody("Charge not found"), ErrChargeNotFound, false, "Charge not found"},
		{"409 duplicate", 409, errorBody("Duplicate payment reference"), ErrDuplicateReference, false, "Duplicate"},
		{"404 HTML from a proxy is a wrong base URL, fate open", 404, "<html>Not Found</html>", ErrRouteNotFound, true, "unreadable"},
		{"404 Route not found is a wrong base URL", 404, `{"status":false,"message":"Route not found","data":null}`, ErrRouteNotFound, false, "Route not found"},
		{"400 other message", 400, errorBody("Currency not allowed"), nil, false, "Currency not allowed"},
		{"429 rate limited", 429, errorBody("Rate limit exceeded"), nil, false, "Rate limit exceeded"},
		{"200 success without data", 200, `{"status":true,"message":"ok","data":null}`, nil, true, "success without data"},
		{"200 success with no data key", 200, `{"status":true,"message":"ok"}`, nil, true, "success without data"},
		{"200 status false unknown text", 200, errorBody("Processing"), nil, true, "Processing"},
		{"200 status false with a decline", 200, errorBody("The voucher has already been used."), ErrVoucherUsed, false, "already"},
		{"200 garbage", 200, "not json", nil, true, "unreadable response: not json"},
		{"200 truncated", 200, `{"status":true,"message":"Charge Successful","data":{"amount":`, nil, true, "unreadable"},
		{"302 empty", 302, "", nil, true, "HTTP 302"},
		{"200 status as string false", 200, `{"status":"false","message":"Wrong PIN"}`, ErrInvalidPIN, false, "Wrong PIN"},
		{"400 status true", 400, `{"status":true,"message":"The voucher pin you have entered is invalid."}`, ErrInvalidPIN, false, "invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := decoded(t, tt.status, tt.body)
			if e.Kind() != tt.kind {
				t.Errorf("Kind() = %v, want %v", e.Kind(), tt.kind)
			}
			if tt.kind != nil && !errors.Is(e, tt.kind) {
				t.Errorf("errors.Is(%v) = false", tt.kind)
			}
			if got := errors.Is(e, ErrOutcomeUnknown); got != tt.unknown {
				t.Errorf("errors.Is(ErrOutcomeUnknown) = %v, want %v", got, tt.unknown)
			}
			if e.Declined() == tt.unknown {
				t.Errorf("Declined() = %v, unknown = %v", e.Declined(), tt.unknown)
			}
			if e.StatusCode != tt.status {
				t.Errorf("StatusCode = %d, want %d", e.StatusCode, tt.status)
			}
			if !strings.Contains(e.Error(), tt.wantText) {
				t.Errorf("Error() = %q, want it to contain %q", e.Error(), tt.wantText)
			}
		})
	}
}

func TestDecodeResponse_AcceptsSuccessWithData(t *testing.T) {
	t.Parallel()
	for _, status := range []int{200, 201} {
		env, got, err := decodeResponse(status, []byte(seedSuccessBody))
		if err != nil {
			t.Fatalf("decodeResponse(%d, seed success): %v", status, err)
		}
		if got != status || !env.hasData() || string(env.Message) != "Charge Successful" {
			t.Fatalf("decodeResponse(%d) = status %d, hasData %v, message %q", status, got, env.hasData(), env.Message)
		}
	}
}

func TestError_SnippetOfHugeOrBinaryBodyIsShortAndPrintable(t *testing.T) {
	t.Parallel()
	body := "\x00\x01<html>" + strings.Repeat("x", 5000) + "\n\t</html>"
	e := decoded(t, 502, body)
	if len(e.Message) > 200 {
		t.Errorf("Message is %d bytes long; want a short snippet", len(e.Message))
	}
	for _, r := range e.Message {
		if r < 0x20 || r == 0x7f {
			t.Fatalf("Message contains control character %q: %q", r, e.Message)
		}
	}
}

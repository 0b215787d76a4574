package kora

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// VoucherCharge is one redemption request. PIN is the customer's voucher
// PIN; it is sent as a JSON string and redacted from every fmt and slog
// rendering of the value.
type VoucherCharge struct {
	Amount            Amount
	Currency          string
	MerchantBearsCost bool
	NotificationURL   string
	Description       string
	Reference         string
	PIN               string
	PhoneNumber       string
	ProviderCode      string
	CustomerName      string
	CustomerEmail     string
	Metadata          map[string]string
}

// Format renders the charge without its PIN, whatever the verb.
func (c VoucherCharge) Format(f fmt.State, _ rune) {
	fmt.Fprintf(f, "kora.VoucherCharge{Reference:%q Amount:%s %s Provider:%q PIN:%s Phone:%q}",
		c.Reference, c.Amount, c.Currency, c.ProviderCode, MaskPIN(c.PIN), c.PhoneNumber)
}

// LogValue keeps the PIN out of structured logs.
func (c VoucherCharge) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("reference", c.Reference),
		slog.String("amount", c.Amount.String()),
		slog.String("currency", c.Currency),
		slog.String("provider_code", c.ProviderCode),
		slog.String("pin", MaskPIN(c.PIN)),
	)
}

// MaskPIN shows only the last four digits of a PIN: "••••2943" → "****2943".
func MaskPIN(pin string) string {
	if len(pin) <= 4 {
		return strings.Repeat("*", len(pin))
	}
	return strings.Repeat("*", len(pin)-4) + pin[len(pin)-4:]
}

// wireCharge is the JSON body of POST /api/v1/charge/voucher.
type wireCharge struct {
	Amount            Amount            `json:"amount"`
	Currency          string            `json:"currency"`
	MerchantBearsCost bool              `json:"merchant_bears_cost"`
	NotificationURL   string            `json:"notification_url,omitempty"`
	Description       string            `json:"description,omitempty"`
	Reference         string            `json:"reference"`
	Voucher           wireVoucherIn     `json:"voucher"`
	Customer          wireCustomer      `json:"customer"`
	Metadata          map[string]string `json:"metadata,omitempty"`
}

type wireVoucherIn struct {
	PIN          string `json:"pin"`
	PhoneNumber  string `json:"phone_number"`
	ProviderCode string `json:"provider_code"`
}

type wireCustomer struct {
	Name  string `json:"name,omitempty"`
	Email string `json:"email"`
}

func (c VoucherCharge) wire() wireCharge {
	return wireCharge{
		Amount:            c.Amount,
		Currency:          c.Currency,
		MerchantBearsCost: c.MerchantBearsCost,
		NotificationURL:   c.NotificationURL,
		Description:       c.Description,
		Reference:         c.Reference,
		Voucher:           wireVoucherIn{PIN: c.PIN, PhoneNumber: c.PhoneNumber, ProviderCode: c.ProviderCode},
		Customer:          wireCustomer{Name: c.CustomerName, Email: c.CustomerEmail},
		Metadata:          c.Metadata,
	}
}

// ChargeStatus is Kora's status of a charge.
type ChargeStatus string

// Charge is a charge as Kora reports it, from a charge response, a query or
// a webhook. Every optional field is decoded on its own: a malformed one is
// left unset (its Has… flag false) and never makes the charge unreadable.
type Charge struct {
	// Reference is the merchant's reference (payment_reference; in a query
	// answer without it, the reference queried).
	Reference string
	// TransactionReference is Kora's own reference (KPY-…): its
	// transaction_reference, or its reference beside a payment_reference.
	TransactionReference string
	// Status is Kora's status, trimmed and in lower case; RawStatus is the
	// text as Kora sent it, for "Kora says: …" when the status is unknown.
	Status    ChargeStatus
	RawStatus string
	Currency  string
	// Amount is Kora's "amount". Use Charged for what was taken.
	Amount    Amount
	HasAmount bool
	// AmountPaid and AmountExpected are Kora's pay-in fields, when sent.
	AmountPaid        Amount
	HasAmountPaid     bool
	AmountExpected    Amount
	HasAmountExpected bool
	// Fee and VAT are zero with HasFee/HasVAT false when Kora sent none (or
	// sent one that cannot be read): unknown, not free.
	Fee    Amount
	HasFee bool
	VAT    Amount
	HasVAT bool
	// Voucher describes the voucher after the charge; nil when Kora sent
	// none. Its PIN is set only when a change voucher was issued.
	Voucher  *IssuedVoucher
	Customer Customer
	// Message is Kora's reason for a failed charge, when it gives one.
	Message string
	// Description and PaymentMethod, when Kora echoes them.
	Description   string
	PaymentMethod string
}

// Charged is what Kora took: amount_paid when given, else amount. ok is
// false when neither could be read.
func (c Charge) Charged() (a Amount, ok bool) {
	if c.HasAmountPaid {
		return c.AmountPaid, true
	}
	return c.Amount, c.HasAmount
}

// IssuedVoucher is the voucher's state after a charge.
type IssuedVoucher struct {
	SerialNumber string
	Balance      Amount
	// PIN is a newly issued change-voucher PIN ("" when none). It is the
	// customer's money: it is redacted from fmt and slog renderings too.
	PIN        string
	ExpiryDate time.Time
}

// Format renders the voucher without its PIN.
func (v IssuedVoucher) Format(f fmt.State, _ rune) {
	fmt.Fprintf(f, "kora.IssuedVoucher{Serial:%q Balance:%s PIN:%s Expiry:%s}",
		v.SerialNumber, v.Balance, MaskPIN(v.PIN), v.ExpiryDate.Format(time.RFC3339))
}

// LogValue keeps the change PIN out of structured logs.
func (v IssuedVoucher) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("serial", v.SerialNumber),
		slog.String("balance", v.Balance.String()),
		slog.String("pin", MaskPIN(v.PIN)),
	)
}

// LogValue keeps a change voucher's PIN out of structured logs: without it
// a JSON handler marshals the Charge, Voucher.PIN included. VoucherResult
// inherits it.
func (c Charge) LogValue() slog.Value {
	attrs := []slog.Attr{
		slog.String("reference", c.Reference),
		slog.String("transaction_reference", c.TransactionReference),
		slog.String("status", string(c.Status)),
		slog.String("currency", c.Currency),
		slog.String("amount", c.Amount.String()),
		slog.String("fee", c.Fee.String()),
		slog.String("vat", c.VAT.String()),
	}
	if c.Voucher != nil {
		attrs = append(attrs, slog.Any("voucher", *c.Voucher))
	}
	if c.Message != "" {
		attrs = append(attrs, slog.String("message", c.Message))
	}
	return slog.GroupValue(attrs...)
}

// Customer is who paid, as Kora echoes it.
type Customer struct {
	Name  string
	Email string
}

// VoucherResult is Kora's answer to a voucher charge.
type VoucherResult struct {
	// Message is Kora's top-level message ("Charge Successful").
	Message string
	Charge
}

// wireChargeOut is a charge as Kora sends it, decoded field by field: only
// a data value that is not a JSON object fails; any field of the wrong shape
// is dropped on its own.
type wireChargeOut struct {
	Reference, PaymentReference, TransactionReference string
	Status, Currency, Message, FailureReason          string
	Description, PaymentMethod                        string
	Amount, AmountPaid, AmountExpected, Fee, VAT      optAmount
	Voucher                                           *wireVoucher
	Customer                                          *Customer
}

type wireVoucher struct {
	SerialNumber string
	Balance      Amount
	PIN          string
	ExpiryDate   time.Time
}

func (w *wireChargeOut) UnmarshalJSON(b []byte) error {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(b, &obj); err != nil {
		return fmt.Errorf("charge data: %w", err)
	}
	*w = wireChargeOut{
		Reference: optString(obj["reference"]), PaymentReference: optString(obj["payment_reference"]),
		TransactionReference: optString(obj["transaction_reference"]),
		Status:               optString(obj["status"]), Currency: optString(obj["currency"]),
		Message: optString(obj["message"]), FailureReason: optString(obj["failure_reason"]),
		Description: optString(obj["description"]), PaymentMethod: optString(obj["payment_method"]),
		Amount: readAmount(obj["amount"]), AmountPaid: readAmount(obj["amount_paid"]),
		AmountExpected: readAmount(obj["amount_expected"]), Fee: readAmount(obj["fee"]), VAT: readAmount(obj["vat"]),
	}
	var v map[string]json.RawMessage
	if raw, ok := obj["voucher"]; ok && json.Unmarshal(raw, &v) == nil && v != nil {
		var exp flexTime
		_ = exp.UnmarshalJSON(v["expiry_date"]) // never fails: an unreadable expiry is zero
		w.Voucher = &wireVoucher{
			SerialNumber: optString(v["serial_number"]), Balance: readAmount(v["balance"]).v,
			PIN: optString(v["pin"]), ExpiryDate: time.Time(exp),
		}
	}
	var c map[string]json.RawMessage
	if raw, ok := obj["customer"]; ok && json.Unmarshal(raw, &c) == nil && c != nil {
		w.Customer = &Customer{Name: optString(c["name"]), Email: optString(c["email"])}
	}
	return nil
}

// optAmount is an amount that may be absent or unreadable.
type optAmount struct {
	v  Amount
	ok bool
}

// readAmount reads an optional amount; null, "", "5,000.00" and any other
// unreadable value are "not given".
func readAmount(raw json.RawMessage) optAmount {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 || bytes.Equal(t, []byte("null")) || bytes.Equal(t, []byte(`""`)) {
		return optAmount{}
	}
	var a Amount
	if a.UnmarshalJSON(t) != nil {
		return optAmount{}
	}
	return optAmount{a, true}
}

// optString reads an optional string (or number, as its text); any other
// shape is "".
func optString(raw json.RawMessage) string {
	var s flexString
	if len(raw) == 0 || s.UnmarshalJSON(raw) != nil {
		return ""
	}
	return string(s)
}

// isKoraReference reports whether ref looks like Kora's own (KPY-…).
func isKoraReference(ref string) bool { return strings.HasPrefix(strings.ToUpper(ref), "KPY-") }

func (w wireChargeOut) charge() Charge {
	c := Charge{
		Reference:            w.PaymentReference,
		TransactionReference: w.TransactionReference,
		Status:               normalStatus(w.Status),
		RawStatus:            strings.TrimSpace(w.Status),
		Currency:             w.Currency,
		Amount:               w.Amount.v, HasAmount: w.Amount.ok,
		AmountPaid: w.AmountPaid.v, HasAmountPaid: w.AmountPaid.ok,
		AmountExpected: w.AmountExpected.v, HasAmountExpected: w.AmountExpected.ok,
		Fee: w.Fee.v, HasFee: w.Fee.ok,
		VAT: w.VAT.v, HasVAT: w.VAT.ok,
		Message:       w.Message,
		Description:   w.Description,
		PaymentMethod: w.PaymentMethod,
	}
	// Kora's "reference" is its own beside a payment_reference (queries,
	// webhooks, pay-ins). Alone it is read as Kora's when it looks like one
	// (KPY-…) and as the merchant's otherwise: a guess, since Kora's pages
	// use both.
	switch ref := w.Reference; {
	case ref == "":
	case c.Reference != "" || isKoraReference(ref):
		if c.TransactionReference == "" && ref != c.Reference {
			c.TransactionReference = ref
		}
	default:
		c.Reference = ref
	}
	if c.Message == "" {
		c.Message = w.FailureReason
	}
	if w.Voucher != nil {
		c.Voucher = &IssuedVoucher{
			SerialNumber: w.Voucher.SerialNumber,
			Balance:      w.Voucher.Balance,
			PIN:          w.Voucher.PIN,
			ExpiryDate:   w.Voucher.ExpiryDate,
		}
	}
	if w.Customer != nil {
		c.Customer = *w.Customer
	}
	return c
}

// envelope is Kora's {status, message, data} wrapper.
type envelope struct {
	Status  flexBool        `json:"status"`
	Message flexString      `json:"message"`
	Data    json.RawMessage `json:"data"`
}

// hasData reports whether data is present and not null.
func (e envelope) hasData() bool {
	d := bytes.TrimSpace(e.Data)
	return len(d) > 0 && !bytes.Equal(d, []byte("null"))
}

// flexString accepts a JSON string, number or bool as its text, and null as "".
// A PIN or serial sent as a number keeps every digit.
type flexString string

func (s *flexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || bytes.Equal(b, []byte("null")):
		*s = ""
	case b[0] == '"':
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*s = flexString(v)
	case b[0] == '{' || b[0] == '[':
		return fmt.Errorf("expected a string, got %c", b[0])
	default:
		*s = flexString(b)
	}
	return nil
}

// flexBool accepts true/false, "true"/"false" and 1/0.
type flexBool bool

func (v *flexBool) UnmarshalJSON(b []byte) error {
	switch strings.ToLower(strings.Trim(string(bytes.TrimSpace(b)), `"`)) {
	case "true", "1":
		*v = true
	case "false", "0", "null", "":
		*v = false
	default:
		return fmt.Errorf("expected a boolean, got %.20s", b)
	}
	return nil
}

// flexTime accepts "2006-01-02 15:04:05", RFC 3339 and a bare date.
type flexTime time.Time

var timeLayouts = []string{"2006-01-02 15:04:05", time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"}

func (t *flexTime) UnmarshalJSON(b []byte) error {
	var s flexString
	if err := s.UnmarshalJSON(b); err != nil {
		return err
	}
	text := strings.TrimSpace(string(s))
	if text == "" {
		*t = flexTime{}
		return nil
	}
	for _, layout := range timeLayouts {
		if v, err := time.Parse(layout, text); err == nil {
			*t = flexTime(v)
			return nil
		}
	}
	// An unreadable expiry must not lose the charge it belongs to.
	*t = flexTime{}
	return nil
}

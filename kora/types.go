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

// Statuses Kora reports for a charge.
const (
	StatusSuccess    ChargeStatus = "success"
	StatusFailed     ChargeStatus = "failed"
	StatusProcessing ChargeStatus = "processing"
	StatusPending    ChargeStatus = "pending"
)

// Final reports whether the status can no longer change.
func (s ChargeStatus) Final() bool { return s == StatusSuccess || s == StatusFailed }

// Charge is a charge as Kora reports it, from a charge response, a query or
// a webhook.
type Charge struct {
	// Reference is the merchant's reference (payment_reference in a charge
	// response, reference in a query).
	Reference            string
	TransactionReference string
	Status               ChargeStatus
	Currency             string
	Amount               Amount
	Fee                  Amount
	VAT                  Amount
	// Voucher describes the voucher after the charge; nil when Kora sent
	// none. Its PIN is set only when a change voucher was issued.
	Voucher  *IssuedVoucher
	Customer Customer
	// Message is Kora's reason for a failed charge, when it gives one.
	Message string
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

// wireChargeOut is a charge as Kora sends it; every field tolerant.
type wireChargeOut struct {
	Reference            flexString   `json:"reference"`
	PaymentReference     flexString   `json:"payment_reference"`
	TransactionReference flexString   `json:"transaction_reference"`
	Status               flexString   `json:"status"`
	Currency             flexString   `json:"currency"`
	Amount               Amount       `json:"amount"`
	Fee                  Amount       `json:"fee"`
	VAT                  Amount       `json:"vat"`
	Voucher              *wireVoucher `json:"voucher"`
	Customer             *struct {
		Name  flexString `json:"name"`
		Email flexString `json:"email"`
	} `json:"customer"`
	Message       flexString `json:"message"`
	FailureReason flexString `json:"failure_reason"`
}

type wireVoucher struct {
	SerialNumber flexString `json:"serial_number"`
	Balance      Amount     `json:"balance"`
	PIN          flexString `json:"pin"`
	ExpiryDate   flexTime   `json:"expiry_date"`
}

func (w wireChargeOut) charge() Charge {
	c := Charge{
		Reference:            string(w.PaymentReference),
		TransactionReference: string(w.TransactionReference),
		Status:               ChargeStatus(strings.ToLower(strings.TrimSpace(string(w.Status)))),
		Currency:             string(w.Currency),
		Amount:               w.Amount,
		Fee:                  w.Fee,
		VAT:                  w.VAT,
		Message:              string(w.Message),
	}
	if c.Reference == "" {
		c.Reference = string(w.Reference)
	}
	if c.Message == "" {
		c.Message = string(w.FailureReason)
	}
	if w.Voucher != nil {
		c.Voucher = &IssuedVoucher{
			SerialNumber: string(w.Voucher.SerialNumber),
			Balance:      w.Voucher.Balance,
			PIN:          string(w.Voucher.PIN),
			ExpiryDate:   time.Time(w.Voucher.ExpiryDate),
		}
	}
	if w.Customer != nil {
		c.Customer = Customer{Name: string(w.Customer.Name), Email: string(w.Customer.Email)}
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

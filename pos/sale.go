package pos

import (
	"errors"
	"time"

	"voucherpos/kora"
	"voucherpos/pos/journal"
)

// Status is where a sale stands.
type Status = journal.Status

// Sale statuses.
const (
	Pending  = journal.Pending
	Approved = journal.Approved
	Declined = journal.Declined
	Unknown  = journal.Unknown
)

// DeclineKind says why a sale was declined, so the screens can say what to
// do next. Stored in the journal as text.
type DeclineKind string

// Decline kinds: Kora's voucher errors, its general errors, and the till's own.
const (
	DeclineInvalidPIN           DeclineKind = "invalid_pin"
	DeclineVoucherUsed          DeclineKind = "voucher_used"
	DeclineInsufficientFunds    DeclineKind = "insufficient_funds"
	DeclineAmountExceeds        DeclineKind = "amount_exceeds"
	DeclineProviderNotActive    DeclineKind = "provider_not_active"
	DeclineProviderNotSupported DeclineKind = "provider_not_supported"
	DeclineUnauthorized         DeclineKind = "unauthorized"
	DeclineInvalidRequest       DeclineKind = "invalid_request"
	// DeclineNotSent: the charge never reached Kora; nothing was charged and
	// the same sale may be sent again.
	DeclineNotSent DeclineKind = "not_sent"
	// DeclineNotFound: Kora still had no record of the charge well after it
	// was sent; nothing was charged.
	DeclineNotFound DeclineKind = "not_found"
	// DeclineOther: any other refusal; Kora's message says why.
	DeclineOther DeclineKind = "other"
)

var declineKinds = []struct {
	sentinel error
	kind     DeclineKind
}{
	{kora.ErrInvalidPIN, DeclineInvalidPIN},
	{kora.ErrVoucherUsed, DeclineVoucherUsed},
	{kora.ErrInsufficientFunds, DeclineInsufficientFunds},
	{kora.ErrAmountExceeds, DeclineAmountExceeds},
	{kora.ErrProviderNotActive, DeclineProviderNotActive},
	{kora.ErrProviderNotSupported, DeclineProviderNotSupported},
	{kora.ErrUnauthorized, DeclineUnauthorized},
	{kora.ErrInvalidRequest, DeclineInvalidRequest},
	{kora.ErrChargeNotFound, DeclineNotFound},
}

// declineKindOf maps a Kora decline error to its kind.
func declineKindOf(err error) DeclineKind {
	for _, d := range declineKinds {
		if errors.Is(err, d.sentinel) {
			return d.kind
		}
	}
	return DeclineOther
}

// Sale is a sale as the screens and reports see it. Money is in minor units
// of Currency.
type Sale struct {
	Reference     string
	CreatedAt     time.Time
	UpdatedAt     time.Time
	TerminalID    string
	Status        Status
	Currency      Currency
	Requested     Money
	Charged       Money // what Kora actually charged
	Fee           Money
	VAT           Money
	ProviderCode  string
	ProviderName  string
	PINLast4      string
	Phone         string
	Email         string
	KoraReference string // Kora's transaction reference
	VoucherSerial string
	Balance       Money // the voucher's remaining balance
	HasBalance    bool
	Expiry        time.Time
	// HasChangePIN: a change voucher was issued. ChangePIN holds its PIN
	// only in a fresh result; otherwise ask Service.ChangePIN.
	HasChangePIN   bool
	ChangePIN      string
	DeclineKind    DeclineKind
	DeclineMessage string // Kora's own words, or the till's for its own declines
	Checks         int
	// FeeUnknown: an approved sale whose fee Kora did not report (or sent
	// unreadable); Fee is 0 but not known to be 0 — show "—".
	FeeUnknown bool
	// KeyRefused: an unresolved sale whose last query Kora refused with 401
	// "Invalid authorization key". It stays unresolved, never declined by
	// guess, and is checked again with the reconciler.
	KeyRefused bool
	// KoraStatus is, for an unresolved sale, the charge status Kora last
	// reported, as it sent it ("processing", "pending", or one the till
	// has never seen: see UnseenStatus); "" when Kora has reported none.
	KoraStatus string
}

// UnseenStatus reports an unresolved sale whose KoraStatus is one Kora's
// status table does not know: show it as Kora's own word.
func (s Sale) UnseenStatus() bool {
	return s.KoraStatus != "" && !kora.ChargeStatus(s.KoraStatus).Known()
}

// PartlyPaid reports an approved sale where Kora charged less than asked.
func (s Sale) PartlyPaid() bool { return s.Status == Approved && s.Charged < s.Requested }

// Outstanding is what is still to collect by other means.
func (s Sale) Outstanding() Money {
	if !s.PartlyPaid() {
		return 0
	}
	return s.Requested - s.Charged
}

// Final reports whether the sale can no longer change.
func (s Sale) Final() bool { return s.Status == Approved || s.Status == Declined }

func saleFrom(j journal.Sale, cur Currency) Sale {
	return Sale{
		Reference: j.Reference, CreatedAt: j.CreatedAt, UpdatedAt: j.UpdatedAt, TerminalID: j.TerminalID,
		Status: j.Status, Currency: cur, Requested: Money(j.AmountRequested), Charged: Money(j.AmountCharged),
		Fee: Money(j.Fee), VAT: Money(j.VAT), ProviderCode: j.ProviderCode, ProviderName: j.ProviderName,
		PINLast4: j.PINLast4, Phone: j.Phone, Email: j.Email, KoraReference: j.KoraReference,
		VoucherSerial: j.VoucherSerial, Balance: Money(j.VoucherBalance), HasBalance: j.HasBalance,
		Expiry: j.VoucherExpiry, HasChangePIN: j.HasChangePIN, DeclineKind: DeclineKind(j.DeclineKind),
		DeclineMessage: j.DeclineMessage, Checks: j.Checks,
	}
}

// Order is what the cashier entered for one sale.
type Order struct {
	Amount       Money
	ProviderCode string
	PIN          string
	Phone        string
	Email        string // "" → the store's customer_email
	// Retry names the sale this order sends again after it never reached
	// Kora; "" for a new sale.
	Retry string
}

// Field names an Order field, for errors that send the cashier back to it.
type Field string

// Order fields.
const (
	FieldAmount   Field = "amount"
	FieldProvider Field = "provider"
	FieldPIN      Field = "pin"
	FieldPhone    Field = "phone"
	FieldEmail    Field = "email"
)

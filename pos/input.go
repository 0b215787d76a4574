package pos

import (
	"errors"
	"strconv"
)

// InputError is something typed at the till that cannot be used: which
// field, why (a reason to match with errors.Is), and for a length or a
// limit what would do and what came. Its text is for logs and the command
// line; the screens say it in words of their own (ui/words.go).
type InputError struct {
	Field  Field
	Reason error  // one of the Err… reasons below
	Want   string // what would do: "16" digits, "2" decimals, "R 5 000.00", the region "ZA"
	Got    string // what came: "15" digits
	err    error  // a library's own error, for logs
}

func (e *InputError) Error() string {
	msg := string(e.Field) + ": " + e.Reason.Error()
	switch {
	case e.Want != "" && e.Got != "":
		msg += " (want " + e.Want + ", got " + e.Got + ")"
	case e.Want != "":
		msg += " (want " + e.Want + ")"
	}
	return msg
}

// Is makes errors.Is(err, ErrPINLength) and the like work.
func (e *InputError) Is(target error) bool { return target == e.Reason }

// Unwrap gives a library's own error, if any.
func (e *InputError) Unwrap() error { return e.err }

func inputError(f Field, reason error) *InputError { return &InputError{Field: f, Reason: reason} }

// Why an amount was refused (Want: the currency's decimals for
// ErrAmountDecimals, the till's limit for ErrAmountTooLarge).
var (
	ErrAmountEmpty    = errors.New("no amount")
	ErrAmountZero     = errors.New("amount is zero")
	ErrAmountNegative = errors.New("amount is negative")
	ErrAmountDecimals = errors.New("too many decimals")
	ErrAmountTooLarge = errors.New("amount too large")
	ErrAmountSyntax   = errors.New("not an amount")
)

// Why a PIN was refused (Want and Got: digits, for ErrPINLength).
var (
	ErrPINEmpty  = errors.New("no PIN")
	ErrPINDigits = errors.New("PIN has a character that is not a digit")
	ErrPINLength = errors.New("PIN has the wrong number of digits")
)

// Why a phone number was refused (Want: the region, for ErrPhoneInvalid).
var (
	ErrPhoneEmpty       = errors.New("no phone number")
	ErrPhoneSyntax      = errors.New("not a phone number")
	ErrPhoneTooShort    = errors.New("phone number too short")
	ErrPhoneTooLong     = errors.New("phone number too long")
	ErrPhoneCountryCode = errors.New("unknown country code")
	ErrPhoneInvalid     = errors.New("invalid phone number")
)

// ErrEmailInvalid: not a plain email address.
var ErrEmailInvalid = errors.New("invalid email address")

// ErrProviderUnknown: a provider code this till is not set up for.
var ErrProviderUnknown = errors.New("provider not configured on this till")

func itoa(n int) string { return strconv.Itoa(n) }

package pos

import (
	"errors"
	"net/mail"
	"strconv"
	"strings"
	"unicode"

	"github.com/nyaruka/phonenumbers"
)

// maxPhoneInput bounds what is handed to the phone library; no real number,
// however spaced, comes near it.
const maxPhoneInput = 64

// NormalizePhone reads a customer's phone number in any local or
// international form ("082 123 4567", "+27 82 123 4567", "0027821234567")
// and returns it in E.164 ("+27821234567"). region is the ISO country whose
// numbering applies when the number has no country code ("ZA"). The number
// must be both possible and valid for its country; a national trunk 0 after
// the country code ("+270576847568") is dropped, as dialling would.
func NormalizePhone(input, region string) (string, error) {
	input = strings.TrimSpace(input)
	region = strings.ToUpper(strings.TrimSpace(region))
	if input == "" {
		return "", inputError(FieldPhone, ErrPhoneEmpty)
	}
	if len(input) > maxPhoneInput {
		return "", inputError(FieldPhone, ErrPhoneTooLong)
	}
	input, ok := cleanPhone(input)
	if !ok {
		return "", inputError(FieldPhone, ErrPhoneSyntax)
	}
	n, err := phonenumbers.Parse(input, region)
	if err != nil {
		return "", &InputError{Field: FieldPhone, Reason: parseReason(err), err: err}
	}
	if n.GetExtension() != "" {
		return "", inputError(FieldPhone, ErrPhoneSyntax)
	}
	numberRegion := phonenumbers.GetRegionCodeForCountryCode(int(n.GetCountryCode()))
	switch phonenumbers.IsPossibleNumberWithReason(n) {
	case phonenumbers.IS_POSSIBLE:
	case phonenumbers.TOO_SHORT:
		return "", inputError(FieldPhone, ErrPhoneTooShort)
	case phonenumbers.TOO_LONG:
		return "", inputError(FieldPhone, ErrPhoneTooLong)
	case phonenumbers.INVALID_COUNTRY_CODE:
		return "", inputError(FieldPhone, ErrPhoneCountryCode)
	default: // a length no number there has, or one only dialled locally
		return "", &InputError{Field: FieldPhone, Reason: ErrPhoneInvalid, Want: numberRegion}
	}
	if !phonenumbers.IsValidNumber(n) {
		return "", &InputError{Field: FieldPhone, Reason: ErrPhoneInvalid, Want: numberRegion}
	}
	return phonenumbers.Format(n, phonenumbers.E164), nil
}

// cleanPhone accepts digits, spaces, one leading "+" and the punctuation
// numbers are commonly written or pasted with: "-", ".", "/", "(", ")".
// Letters are refused here because the phone library would quietly drop
// some of them ("0821234567x") or read them as an extension. Every kind of
// space becomes a plain one, which is all the library knows.
func cleanPhone(s string) (string, bool) {
	var b strings.Builder
	for i, r := range s {
		switch {
		case unicode.IsSpace(r):
			r = ' '
		case r >= '0' && r <= '9', r == '+' && i == 0, strings.ContainsRune("-./()", r):
		default:
			return "", false
		}
		b.WriteRune(r)
	}
	return b.String(), true
}

func parseReason(err error) error {
	switch {
	case errors.Is(err, phonenumbers.ErrInvalidCountryCode):
		return ErrPhoneCountryCode
	case errors.Is(err, phonenumbers.ErrTooShortNSN), errors.Is(err, phonenumbers.ErrTooShortAfterIDD):
		return ErrPhoneTooShort
	case errors.Is(err, phonenumbers.ErrNumTooLong):
		return ErrPhoneTooLong
	}
	return ErrPhoneSyntax
}

// NormalizeEmail returns the customer's email address, or fallback (the
// store's address) when none was given. Kora requires one. Only a bare
// address is taken ("thabo@example.co.za", not "Thabo <thabo@…>"), and its
// domain must have a dot, which catches "thabo@gmail" before Kora does.
func NormalizeEmail(input, fallback string) (string, error) {
	addr := strings.TrimSpace(input)
	if addr == "" {
		addr = strings.TrimSpace(fallback)
		if !validEmail(addr) {
			return "", &InputError{Field: FieldEmail, Reason: ErrEmailInvalid, Got: "store.customer_email " + strconv.Quote(addr)}
		}
		return addr, nil
	}
	if !validEmail(addr) {
		return "", inputError(FieldEmail, ErrEmailInvalid)
	}
	return addr, nil
}

func validEmail(s string) bool {
	if s == "" || len(s) > 254 {
		return false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return false
	}
	host := s[strings.LastIndexByte(s, '@')+1:]
	return strings.Contains(host, ".")
}

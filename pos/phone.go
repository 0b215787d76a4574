package pos

import (
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"unicode"

	"github.com/nyaruka/phonenumbers"
)

// Why NormalizePhone refused a number. Each *PhoneError matches one of these
// with errors.Is; its Error() is a sentence for the cashier.
var (
	ErrPhoneEmpty       = errors.New("Type the customer's phone number.")
	ErrPhoneSyntax      = errors.New("A phone number has digits, spaces and an optional +.")
	ErrPhoneTooShort    = errors.New("That number is too short.")
	ErrPhoneTooLong     = errors.New("That number is too long.")
	ErrPhoneCountryCode = errors.New("That country code isn't recognised.")
	ErrPhoneInvalid     = errors.New("That isn't a valid phone number.")
)

// maxPhoneInput bounds what is handed to the phone library; no real number,
// however spaced, comes near it.
const maxPhoneInput = 64

// PhoneError is a phone number NormalizePhone refused.
type PhoneError struct {
	Reason error  // one of the ErrPhone sentinels
	Region string // for ErrPhoneInvalid: the region whose numbering it broke ("ZA")
	err    error  // the phone library's own error, if any
}

func (e *PhoneError) Error() string {
	if e.Reason == ErrPhoneInvalid {
		if name, ok := regionAdjectives[e.Region]; ok {
			return fmt.Sprintf("That isn't a valid %s number.", name)
		}
		if len(e.Region) == 2 && e.Region != phonenumbers.UNKNOWN_REGION {
			return fmt.Sprintf("That isn't a valid %s number.", e.Region)
		}
	}
	return e.Reason.Error()
}

// Is makes errors.Is(err, ErrPhoneTooShort) and friends work.
func (e *PhoneError) Is(target error) bool { return target == e.Reason }

// Unwrap gives the phone library's error, for logs.
func (e *PhoneError) Unwrap() error { return e.err }

// regionAdjectives name the regions a till is likely to see in a sentence:
// "That isn't a valid South African number." Others show their code.
var regionAdjectives = map[string]string{
	"ZA": "South African",
	"NG": "Nigerian",
	"KE": "Kenyan",
	"GH": "Ghanaian",
	"UG": "Ugandan",
	"TZ": "Tanzanian",
	"RW": "Rwandan",
	"ZW": "Zimbabwean",
	"NA": "Namibian",
	"BW": "Botswana",
	"LS": "Lesotho",
	"SZ": "Eswatini",
	"MZ": "Mozambican",
	"CI": "Ivorian",
	"SN": "Senegalese",
	"GB": "UK",
	"US": "US",
}

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
		return "", &PhoneError{Reason: ErrPhoneEmpty}
	}
	if len(input) > maxPhoneInput {
		return "", &PhoneError{Reason: ErrPhoneTooLong}
	}
	input, ok := cleanPhone(input)
	if !ok {
		return "", &PhoneError{Reason: ErrPhoneSyntax}
	}
	n, err := phonenumbers.Parse(input, region)
	if err != nil {
		return "", &PhoneError{Reason: parseReason(err), err: err}
	}
	if n.GetExtension() != "" {
		return "", &PhoneError{Reason: ErrPhoneSyntax}
	}
	numberRegion := phonenumbers.GetRegionCodeForCountryCode(int(n.GetCountryCode()))
	switch phonenumbers.IsPossibleNumberWithReason(n) {
	case phonenumbers.IS_POSSIBLE:
	case phonenumbers.TOO_SHORT:
		return "", &PhoneError{Reason: ErrPhoneTooShort}
	case phonenumbers.TOO_LONG:
		return "", &PhoneError{Reason: ErrPhoneTooLong}
	case phonenumbers.INVALID_COUNTRY_CODE:
		return "", &PhoneError{Reason: ErrPhoneCountryCode}
	default: // a length no number there has, or one only dialled locally
		return "", &PhoneError{Reason: ErrPhoneInvalid, Region: numberRegion}
	}
	if !phonenumbers.IsValidNumber(n) {
		return "", &PhoneError{Reason: ErrPhoneInvalid, Region: numberRegion}
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

// ErrEmailInvalid is NormalizeEmail's answer to something that is not a
// plain email address.
var ErrEmailInvalid = errors.New("That email address doesn't look right.")

// NormalizeEmail returns the customer's email address, or fallback (the
// store's address) when none was given. Kora requires one. Only a bare
// address is taken ("thabo@example.co.za", not "Thabo <thabo@…>"), and its
// domain must have a dot, which catches "thabo@gmail" before Kora does.
func NormalizeEmail(input, fallback string) (string, error) {
	addr := strings.TrimSpace(input)
	if addr == "" {
		addr = strings.TrimSpace(fallback)
		if !validEmail(addr) {
			return "", fmt.Errorf("store customer email %q: %w", addr, ErrEmailInvalid)
		}
		return addr, nil
	}
	if !validEmail(addr) {
		return "", ErrEmailInvalid
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

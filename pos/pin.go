package pos

import (
	"strings"
	"unicode"
)

// NormalizePIN turns a typed or pasted voucher PIN into its digits. Spaces,
// "-", "." and "/" are dropped (PINs are printed grouped); anything else
// that is not an ASCII digit is refused. length > 0 is the number of digits
// the provider's PINs have.
func NormalizePIN(input string, length int) (string, error) {
	var b strings.Builder
	for _, r := range input {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case unicode.IsSpace(r) || r == '-' || r == '.' || r == '/':
		default:
			return "", inputError(FieldPIN, ErrPINDigits)
		}
	}
	pin := b.String()
	if pin == "" {
		return "", inputError(FieldPIN, ErrPINEmpty)
	}
	if length > 0 && len(pin) != length {
		return "", &InputError{Field: FieldPIN, Reason: ErrPINLength, Want: itoa(length), Got: itoa(len(pin))}
	}
	return pin, nil
}

// GroupPIN shows a PIN in groups of four from the left, as printed on
// vouchers: "1168 6480 9679 2943".
func GroupPIN(pin string) string {
	return groupFours([]rune(pin))
}

func groupFours(r []rune) string {
	var b strings.Builder
	for i, c := range r {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// PINLast4 is the part of a PIN that may be stored and shown: its last four
// digits, or all of it if shorter.
func PINLast4(pin string) string {
	r := []rune(pin)
	return string(r[max(len(r)-4, 0):])
}

// MaskedPIN is GroupPIN with every digit but the last four hidden:
// "•••• •••• •••• 2943", or "**** **** **** 2943" when ascii is set. A PIN
// of four digits or fewer is hidden entirely, since its last four would be
// the whole PIN.
func MaskedPIN(pin string, ascii bool) string {
	mask := '•'
	if ascii {
		mask = '*'
	}
	r := []rune(pin)
	shown := 4
	if len(r) <= 4 {
		shown = 0
	}
	for i := range len(r) - shown {
		r[i] = mask
	}
	return groupFours(r)
}

package kora

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// maxScale bounds the digits after the point an Amount keeps. Kora's amounts
// have two; fees computed as a percentage may have a few more.
const maxScale = 9

// Amount is an exact decimal money value in major units (R 12.50 is 1250
// with scale 2). It is read from and written to JSON as the number's own
// text, so no float64 ever touches money. The zero value is 0.
type Amount struct {
	units int64 // value × 10^scale
	scale uint8 // digits after the decimal point
}

var errAmountSyntax = errors.New("not a decimal number")

// NewAmount returns units × 10^-scale, e.g. NewAmount(1250, 2) is 12.50.
func NewAmount(units int64, scale int) Amount {
	if scale < 0 {
		scale = 0
	}
	if scale > maxScale {
		scale = maxScale
	}
	return Amount{units: units, scale: uint8(scale)}
}

// ParseAmount reads a plain decimal such as "100", "-3", "12.5" or "0.015".
// Exponents, thousands separators and currency symbols are refused: this is
// the wire format, not what a cashier types.
func ParseAmount(s string) (Amount, error) {
	if s == "" {
		return Amount{}, fmt.Errorf("amount %q: %w", s, errAmountSyntax)
	}
	neg := false
	body := s
	if body[0] == '-' || body[0] == '+' {
		neg = body[0] == '-'
		body = body[1:]
	}
	intPart, frac, hasDot := strings.Cut(body, ".")
	if intPart == "" && (!hasDot || frac == "") {
		return Amount{}, fmt.Errorf("amount %q: %w", s, errAmountSyntax)
	}
	if hasDot && frac == "" {
		return Amount{}, fmt.Errorf("amount %q: %w", s, errAmountSyntax)
	}
	// Trailing zeros after the point carry no value; dropping them lets
	// "10.000000000000" parse although it has more than maxScale digits.
	frac = strings.TrimRight(frac, "0")
	if len(frac) > maxScale {
		return Amount{}, fmt.Errorf("amount %q: more than %d decimal places", s, maxScale)
	}
	var units int64
	for _, part := range []string{intPart, frac} {
		for i := 0; i < len(part); i++ {
			c := part[i]
			if c < '0' || c > '9' {
				return Amount{}, fmt.Errorf("amount %q: %w", s, errAmountSyntax)
			}
			if units > (math.MaxInt64-int64(c-'0'))/10 {
				return Amount{}, fmt.Errorf("amount %q: too large", s)
			}
			units = units*10 + int64(c-'0')
		}
	}
	if neg {
		units = -units
	}
	return Amount{units: units, scale: uint8(len(frac))}, nil
}

// MustAmount is ParseAmount for constants in code and tests; it panics on a
// malformed literal, which is a programming error.
func MustAmount(s string) Amount {
	a, err := ParseAmount(s)
	if err != nil {
		panic(err)
	}
	return a
}

// Minor returns the amount in minor units of a currency with the given
// number of decimal digits (2 for ZAR: 12.50 → 1250). It fails when the
// amount has more precision than that or does not fit.
func (a Amount) Minor(digits int) (int64, error) {
	n := a.normal()
	if int(n.scale) > digits {
		return 0, fmt.Errorf("amount %s has more than %d decimal places", a, digits)
	}
	v := n.units
	for i := int(n.scale); i < digits; i++ {
		if v > math.MaxInt64/10 || v < math.MinInt64/10 {
			return 0, fmt.Errorf("amount %s is too large", a)
		}
		v *= 10
	}
	return v, nil
}

// normal drops trailing zeros after the point: 12.50 → 12.5.
func (a Amount) normal() Amount {
	for a.scale > 0 && a.units%10 == 0 {
		a.units /= 10
		a.scale--
	}
	return a
}

// align brings a and b to the same scale; ok is false on overflow.
func align(a, b Amount) (x, y int64, scale uint8, ok bool) {
	a, b = a.normal(), b.normal()
	for a.scale < b.scale {
		if a.units > math.MaxInt64/10 || a.units < math.MinInt64/10 {
			return 0, 0, 0, false
		}
		a.units *= 10
		a.scale++
	}
	for b.scale < a.scale {
		if b.units > math.MaxInt64/10 || b.units < math.MinInt64/10 {
			return 0, 0, 0, false
		}
		b.units *= 10
		b.scale++
	}
	return a.units, b.units, a.scale, true
}

// Cmp compares a and b: -1, 0 or +1.
func (a Amount) Cmp(b Amount) int {
	x, y, _, ok := align(a, b)
	if !ok {
		// Only values near the int64 limit get here: compare the integer
		// parts, then the fractions (each below 10^maxScale, so bringing
		// them to maxScale cannot overflow). Truncated division keeps a
		// fraction's sign equal to its value's, so the order is exact.
		if c := cmpInt(a.units/pow10(a.scale), b.units/pow10(b.scale)); c != 0 {
			return c
		}
		return cmpInt(a.units%pow10(a.scale)*pow10(maxScale-a.scale),
			b.units%pow10(b.scale)*pow10(maxScale-b.scale))
	}
	return cmpInt(x, y)
}

func cmpInt(x, y int64) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

func pow10(n uint8) int64 {
	p := int64(1)
	for range n {
		p *= 10
	}
	return p
}

// Add returns a+b, or an error when the sum does not fit.
func (a Amount) Add(b Amount) (Amount, error) {
	x, y, scale, ok := align(a, b)
	if !ok || (y > 0 && x > math.MaxInt64-y) || (y < 0 && x < math.MinInt64-y) {
		return Amount{}, fmt.Errorf("amount %s + %s overflows", a, b)
	}
	return Amount{units: x + y, scale: scale}, nil
}

// Sub returns a-b, or an error when the difference does not fit.
func (a Amount) Sub(b Amount) (Amount, error) {
	if b.units == math.MinInt64 {
		return Amount{}, fmt.Errorf("amount %s - %s overflows", a, b)
	}
	return a.Add(Amount{units: -b.units, scale: b.scale})
}

// Sign is -1, 0 or +1.
func (a Amount) Sign() int { return cmpInt(a.units, 0) }

// IsZero reports whether the amount is 0.
func (a Amount) IsZero() bool { return a.units == 0 }

// String is the plain decimal text with no trailing zeros after the point:
// "100", "12.5", "-0.01".
func (a Amount) String() string {
	n := a.normal()
	s := strconv.FormatInt(n.units, 10)
	if n.scale == 0 {
		return s
	}
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	if len(s) <= int(n.scale) {
		s = strings.Repeat("0", int(n.scale)-len(s)+1) + s
	}
	point := len(s) - int(n.scale)
	s = s[:point] + "." + s[point:]
	if neg {
		s = "-" + s
	}
	return s
}

// Fixed is the decimal text with exactly digits places after the point,
// padding with zeros ("12.50"); extra precision is shown, never rounded away.
func (a Amount) Fixed(digits int) string {
	s := a.String()
	intPart, frac, _ := strings.Cut(s, ".")
	if len(frac) < digits {
		frac += strings.Repeat("0", digits-len(frac))
	}
	if frac == "" {
		return intPart
	}
	return intPart + "." + frac
}

// MarshalJSON writes the amount as a JSON number built from its decimal text.
func (a Amount) MarshalJSON() ([]byte, error) {
	return []byte(a.String()), nil
}

// UnmarshalJSON accepts a JSON number (read from its raw text, never through
// float64), a string holding a number, or null (zero). Exponent forms such as
// 1e2 are accepted when they denote an exact value within range.
func (a *Amount) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		*a = Amount{}
		return nil
	}
	text := string(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return fmt.Errorf("amount: %w", err)
		}
		text = strings.TrimSpace(s)
	}
	v, err := parseNumberText(text)
	if err != nil {
		return err
	}
	*a = v
	return nil
}

// parseNumberText reads a JSON-style number, including an exponent.
func parseNumberText(s string) (Amount, error) {
	mant, exp, hasExp := strings.Cut(strings.ToLower(s), "e")
	if !hasExp {
		return ParseAmount(s)
	}
	v, err := ParseAmount(mant)
	if err != nil {
		return Amount{}, err
	}
	e, err := strconv.Atoi(exp)
	if err != nil || e > 18 || e < -maxScale {
		return Amount{}, fmt.Errorf("amount %q: %w", s, errAmountSyntax)
	}
	for ; e > 0; e-- {
		if v.scale > 0 {
			v.scale--
			continue
		}
		if v.units > math.MaxInt64/10 || v.units < math.MinInt64/10 {
			return Amount{}, fmt.Errorf("amount %q: too large", s)
		}
		v.units *= 10
	}
	for ; e < 0; e++ {
		if v.scale >= maxScale {
			return Amount{}, fmt.Errorf("amount %q: more than %d decimal places", s, maxScale)
		}
		v.scale++
	}
	return v.normal(), nil
}

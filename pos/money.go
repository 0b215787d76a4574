// Package pos is the till's domain: money, sale validation, references, the
// journal, reconciliation, receipts, reports.
package pos

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"voucherpos/kora"
	"voucherpos/pos/config"
)

// Currency says how a till shows and reads money.
type Currency struct {
	Code   string // ISO 4217, upper case: "ZAR"
	Digits int    // minor-unit digits: 2 for ZAR (cents), 0 for XOF
	Symbol string // shown before the amount: "R"
}

// symbols are the signs shown for the currencies tills are known to use;
// any other ISO 4217 currency shows its code ("JPY 500"). A symbol is shown
// before the amount with a space, whatever the local habit, so that every
// screen, receipt and report reads the same way.
var symbols = map[string]string{
	"ZAR": "R", "NGN": "₦", "KES": "KSh", "GHS": "GH₵", "USD": "$", "EUR": "€", "XOF": "CFA",
}

// ErrUnknownCurrency is returned by LookupCurrency for a code it does not know.
var ErrUnknownCurrency = errors.New("unknown currency")

// LookupCurrency finds a currency by its ISO 4217 code, in any case, with
// its minor-unit digits from the maintained table (config.CurrencyDigits:
// 2 for ZAR, 0 for JPY, 3 for KWD).
func LookupCurrency(code string) (Currency, error) {
	c := strings.ToUpper(strings.TrimSpace(code))
	digits, err := config.CurrencyDigits(c)
	if err != nil {
		return Currency{}, fmt.Errorf("currency %q: %w", code, ErrUnknownCurrency)
	}
	return Currency{Code: c, Digits: digits, Symbol: symbols[c]}, nil
}

// Money is an amount in a currency's minor units (cents for ZAR). It carries
// no currency of its own: the till has exactly one.
type Money int64

// digits keeps a hand-built Currency within what kora.Amount can represent.
func (c Currency) digits() int {
	return min(max(c.Digits, 0), 9)
}

func (c Currency) symbol() string {
	if c.Symbol == "" {
		return c.Code
	}
	return c.Symbol
}

// Format is the one way money is shown to people: the symbol, a space,
// thousands grouped with spaces and exactly Digits decimals — "R 1 234.50",
// "R 0.05", "-R 3.00".
func (c Currency) Format(m Money) string {
	intPart, frac := c.split(m)
	var b strings.Builder
	if m < 0 {
		b.WriteByte('-')
	}
	b.WriteString(c.symbol())
	b.WriteByte(' ')
	for i := range len(intPart) {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(' ')
		}
		b.WriteByte(intPart[i])
	}
	if frac != "" {
		b.WriteByte('.')
		b.WriteString(frac)
	}
	return b.String()
}

// Plain is the amount for machines (CSV, JSON): no symbol, no grouping,
// exactly Digits decimals — "1234.50", "-3.00".
func (c Currency) Plain(m Money) string {
	intPart, frac := c.split(m)
	s := intPart
	if frac != "" {
		s += "." + frac
	}
	if m < 0 {
		s = "-" + s
	}
	return s
}

// split returns the digits of |m| before and after the point.
func (c Currency) split(m Money) (intPart, frac string) {
	abs := uint64(m)
	if m < 0 {
		abs = -abs // exact for math.MinInt64 too
	}
	d := c.digits()
	s := strconv.FormatUint(abs, 10)
	if len(s) <= d {
		s = strings.Repeat("0", d-len(s)+1) + s
	}
	return s[:len(s)-d], s[len(s)-d:]
}

// Amount is m as the exact decimal Kora's wire uses.
func (c Currency) Amount(m Money) kora.Amount {
	return kora.NewAmount(int64(m), c.digits())
}

// FromAmount converts a decimal from Kora into minor units, failing when it
// has more precision than the currency (R 1.005) or does not fit.
func (c Currency) FromAmount(a kora.Amount) (Money, error) {
	v, err := a.Minor(c.digits())
	if err != nil {
		return 0, fmt.Errorf("%s amount: %w", c.Code, err)
	}
	return Money(v), nil
}

// ParseInput reads an amount as a cashier types or pastes it: "100", "100.5",
// "1 234,50", "R100", "zar 12.30", "1234.", ".5", "1,234.50", "1.234,50".
//
// A leading currency symbol or code is allowed. Spaces, ' and _ group
// thousands. There is at most one decimal separator, "." or ","; when both
// appear, the last is the decimal separator and the other may only group
// thousands. Any grouping must sit at thousands positions, so "12 34" is
// refused rather than guessed at. More digits after the point than the
// currency has are refused too, even zeros: "12.500" may have meant twelve
// thousand five hundred. A limit of zero or less means no limit.
func (c Currency) ParseInput(s string, limit Money) (Money, error) {
	s = strings.TrimSpace(s)
	s, neg := cutMinus(s)
	s = strings.TrimSpace(c.cutPrefix(s))
	if !neg {
		s, neg = cutMinus(s)
		s = strings.TrimSpace(s)
	}
	if s == "" {
		return 0, inputError(FieldAmount, ErrAmountEmpty)
	}
	intDigits, frac, ok := splitInput(s)
	if !ok {
		return 0, inputError(FieldAmount, ErrAmountSyntax)
	}
	d := c.digits()
	if len(frac) > d {
		return 0, c.decimalsError()
	}
	digits := strings.TrimLeft(intDigits+frac+strings.Repeat("0", d-len(frac)), "0")
	var v int64
	overflow := len(digits) > 19
	if !overflow && digits != "" {
		var err error
		v, err = strconv.ParseInt(digits, 10, 64)
		overflow = err != nil
	}
	switch {
	case !overflow && v == 0:
		return 0, inputError(FieldAmount, ErrAmountZero)
	case neg:
		return 0, inputError(FieldAmount, ErrAmountNegative)
	case overflow || (limit > 0 && Money(v) > limit):
		return 0, c.tooLargeError(limit)
	}
	return Money(v), nil
}

func (c Currency) decimalsError() error {
	return &InputError{Field: FieldAmount, Reason: ErrAmountDecimals, Want: itoa(c.digits())}
}

// tooLargeError names the till's limit, when it has one.
func (c Currency) tooLargeError(limit Money) error {
	e := inputError(FieldAmount, ErrAmountTooLarge)
	if limit > 0 {
		e.Want = c.Format(limit)
	}
	return e
}

// cutMinus removes a leading minus sign (ASCII or U+2212).
func cutMinus(s string) (string, bool) {
	for _, m := range []string{"-", "\u2212"} {
		if rest, ok := strings.CutPrefix(s, m); ok {
			return rest, true
		}
	}
	return s, false
}

// cutPrefix removes the currency's code or symbol, in any case, from the
// front of s. The longer is tried first so "KSh" is not read as "KES"'s K.
func (c Currency) cutPrefix(s string) string {
	prefixes := []string{c.Code, c.Symbol}
	if len(prefixes[1]) > len(prefixes[0]) {
		prefixes[0], prefixes[1] = prefixes[1], prefixes[0]
	}
	for _, p := range prefixes {
		if p != "" && len(s) >= len(p) && strings.EqualFold(s[:len(p)], p) {
			return s[len(p):]
		}
	}
	return s
}

// splitInput separates the digits before and after the decimal separator,
// dropping thousands grouping. ok is false for anything that is not a
// well-formed number.
func splitInput(s string) (intDigits, frac string, ok bool) {
	dots, commas := strings.Count(s, "."), strings.Count(s, ",")
	var group byte // "." or "," when it groups thousands
	sep := -1      // index of the decimal separator
	switch {
	case dots > 0 && commas > 0:
		sep = max(strings.LastIndexByte(s, '.'), strings.LastIndexByte(s, ','))
		if s[sep] == '.' {
			group = ','
		} else {
			group = '.'
		}
		if strings.Count(s, s[sep:sep+1]) != 1 {
			return "", "", false
		}
	case dots+commas > 1:
		return "", "", false
	case dots == 1:
		sep = strings.IndexByte(s, '.')
	case commas == 1:
		sep = strings.IndexByte(s, ',')
	}
	intPart := s
	if sep >= 0 {
		intPart, frac = s[:sep], s[sep+1:]
	}
	if intPart == "" && frac == "" {
		return "", "", false
	}
	if !allDigits(frac) {
		return "", "", false
	}
	intDigits, ok = ungroup(intPart, group)
	return intDigits, frac, ok
}

// ungroup checks that an integer part is digits, optionally in thousands
// groups ("1 234 567", "1,234"), and returns the digits alone.
func ungroup(s string, group byte) (string, bool) {
	var groups []string
	start := 0
	for i, r := range s {
		if r >= '0' && r <= '9' {
			continue
		}
		if !isGrouping(r, group) {
			return "", false
		}
		groups = append(groups, s[start:i])
		start = i + len(string(r))
	}
	groups = append(groups, s[start:])
	if len(groups) == 1 {
		return s, true
	}
	for i, g := range groups {
		if (i == 0 && (len(g) < 1 || len(g) > 3)) || (i > 0 && len(g) != 3) {
			return "", false
		}
	}
	return strings.Join(groups, ""), true
}

func isGrouping(r rune, group byte) bool {
	return unicode.IsSpace(r) || r == '\'' || r == '_' || (group != 0 && r == rune(group))
}

func allDigits(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

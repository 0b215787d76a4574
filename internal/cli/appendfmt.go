package cli

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"voucherpos/pos"
)

// Append-style formatting for the stream writers: a day of 100 000 sales
// is written through a few buffers reused from row to row, not a string
// per value (fmt, encoding/json and encoding/csv made two dozen objects a
// row, and that garbage is what grew the commands' resident set). Each
// helper makes, byte for byte, what the function it stands for makes;
// appendfmt_test.go holds them to it.

// appendPlain appends c.Plain(m).
func appendPlain(b []byte, c pos.Currency, m pos.Money) []byte {
	if m < 0 {
		b = append(b, '-')
	}
	return appendDigits(b, c, m, false)
}

// appendFormat appends c.Format(m).
func appendFormat(b []byte, c pos.Currency, m pos.Money) []byte {
	if m < 0 {
		b = append(b, '-')
	}
	if c.Symbol == "" {
		b = append(b, c.Code...)
	} else {
		b = append(b, c.Symbol...)
	}
	b = append(b, ' ')
	return appendDigits(b, c, m, true)
}

// appendDigits appends |m| in major units with exactly c's digits (kept
// within 0–9, as Currency does), its integer part grouped by threes with
// spaces when group is set.
func appendDigits(b []byte, c pos.Currency, m pos.Money, group bool) []byte {
	abs := uint64(m)
	if m < 0 {
		abs = -abs // exact for math.MinInt64 too
	}
	d := min(max(c.Digits, 0), 9)
	var tmp [24]byte
	s := strconv.AppendUint(tmp[:0], abs, 10)
	zeros := 0
	if len(s) <= d {
		zeros = d - len(s) + 1
	}
	// The digits are s after zeros leading zeros: n before the point, d after.
	digit := func(i int) byte {
		if i < zeros {
			return '0'
		}
		return s[i-zeros]
	}
	n := zeros + len(s) - d
	for i := range n {
		if group && i > 0 && (n-i)%3 == 0 {
			b = append(b, ' ')
		}
		b = append(b, digit(i))
	}
	if d > 0 {
		b = append(b, '.')
		for i := n; i < n+d; i++ {
			b = append(b, digit(i))
		}
	}
	return b
}

// appendMaskedPhone appends journal.MaskPhone(phone).
func appendMaskedPhone(b []byte, phone string) []byte {
	if len(phone) <= 4 {
		return append(b, phone...)
	}
	for range len(phone) - 4 {
		b = append(b, '*')
	}
	return append(b, phone[len(phone)-4:]...)
}

// appendUpper appends strings.ToUpper(s).
func appendUpper(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return append(b, strings.ToUpper(s)...)
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		b = append(b, c)
	}
	return b
}

// appendOrDash appends OrDash(s).
func appendOrDash(b []byte, s string) []byte {
	if s == "" {
		return append(b, '-')
	}
	return append(b, s...)
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as encoding/json writes a string (with its
// default HTML escaping): quoted; ", \ and control characters escaped;
// <, > and & as \u003c, \u003e, \u0026; U+2028 and U+2029 escaped; each
// byte of invalid UTF-8 as \ufffd.
func appendJSONString[T string | []byte](b []byte, s T) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= ' ' && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		n := min(len(s)-i, utf8.UTFMax)
		r, size := utf8.DecodeRuneInString(string(s[i : i+n]))
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// appendCSVField appends one field as encoding/csv's Writer (comma ',',
// no CRLF) writes it: quoted, with "" for ", when it holds a comma, a
// quote, CR or LF, begins with a space, or is `\.`; else as it is.
func appendCSVField[T string | []byte](b []byte, field T) []byte {
	if !csvNeedsQuotes(field) {
		return append(b, field...)
	}
	b = append(b, '"')
	for i := 0; i < len(field); i++ {
		if field[i] == '"' {
			b = append(b, '"', '"')
		} else {
			b = append(b, field[i])
		}
	}
	return append(b, '"')
}

func csvNeedsQuotes[T string | []byte](field T) bool {
	if len(field) == 0 {
		return false
	}
	if string(field) == `\.` {
		return true
	}
	for i := 0; i < len(field); i++ {
		if c := field[i]; c == '\n' || c == '\r' || c == '"' || c == ',' {
			return true
		}
	}
	n := min(len(field), utf8.UTFMax)
	r, _ := utf8.DecodeRuneInString(string(field[:n]))
	return unicode.IsSpace(r)
}

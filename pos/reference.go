package pos

import (
	"crypto/rand"
	"fmt"
	"strings"
	"time"
)

// maxReference is the longest reference NewReference makes or ValidReference
// accepts. Kora's limit is not published; 64 leaves room.
const maxReference = 64

// maxTerminalPart bounds the terminal id inside a reference, so the whole
// stays within maxReference: 24 + 1 + 17 + 1 + 10 = 53.
const maxTerminalPart = 24

// crockford is Crockford's base32 alphabet, lower case: no i, l, o or u, so
// a reference read aloud or copied by hand survives.
const crockford = "0123456789abcdefghjkmnpqrstvwxyz"

// NewReference makes the reference of one charge attempt:
// "<terminal>-<UTC yyyymmddhhmmssSSS>-<10 random base32 chars>", for
// example "till-1-20251024103152983-7k2m9q4x1d". The time part makes a
// terminal's references sort in the order they were made (to the
// millisecond); the 50 random bits make them unique without coordination,
// across restarts and tills sharing an id.
func NewReference(terminalID string, now time.Time) string {
	var b strings.Builder
	b.Grow(maxReference)
	b.WriteString(referenceTerminal(terminalID))
	b.WriteByte('-')
	b.WriteString(referenceTime(now))
	b.WriteByte('-')
	var random [10]byte
	rand.Read(random[:]) // never fails; see crypto/rand.Read
	for _, r := range random {
		b.WriteByte(crockford[r&31])
	}
	return b.String()
}

// referenceTerminal makes a terminal id safe for a reference: lower case
// [a-z0-9_-], every other rune a single "-", no "-" at either end, at most
// 24 characters, "till" when nothing is left.
func referenceTerminal(id string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(id) {
		if !(r >= 'a' && r <= 'z') && !(r >= '0' && r <= '9') && r != '_' {
			dash = true // "-" itself and anything unsafe
			continue
		}
		if dash && b.Len() > 0 {
			if b.Len()+2 > maxTerminalPart {
				break
			}
			b.WriteByte('-')
		}
		dash = false
		b.WriteRune(r)
		if b.Len() == maxTerminalPart {
			break
		}
	}
	if b.Len() == 0 {
		return "till"
	}
	return b.String()
}

// referenceTime is the UTC time to the millisecond as 17 digits. Years
// outside 0–9999 are clamped so the width, and so the sort order, holds.
func referenceTime(t time.Time) string {
	t = t.UTC()
	year := min(max(t.Year(), 0), 9999)
	return fmt.Sprintf("%04d%02d%02d%02d%02d%02d%03d",
		year, int(t.Month()), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond()/int(time.Millisecond))
}

// ValidReference reports whether s can be sent to Kora as a reference: 1 to
// 64 characters from [A-Za-z0-9_-]. It accepts any such reference, not only
// the ones NewReference makes, so older or imported sales still pass.
func ValidReference(s string) bool {
	if s == "" || len(s) > maxReference {
		return false
	}
	for i := range len(s) {
		c := s[i]
		if !(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') && !(c >= '0' && c <= '9') && c != '_' && c != '-' {
			return false
		}
	}
	return true
}

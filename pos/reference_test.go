package pos

import (
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

var referenceShape = regexp.MustCompile(`^[a-z0-9_-]{1,24}-[0-9]{17}-[0-9a-hjkmnp-tv-z]{10}$`)

func TestNewReferenceHasTerminalUTCMillisecondsAndRandom(t *testing.T) {
	t.Parallel()
	johannesburg := time.FixedZone("SAST", 2*60*60)
	now := time.Date(2025, 10, 24, 12, 31, 52, 983_456_789, johannesburg)
	ref := NewReference("till-1", now)
	if !strings.HasPrefix(ref, "till-1-20251024103152983-") {
		t.Errorf("NewReference = %q; want prefix till-1-20251024103152983-", ref)
	}
	if !referenceShape.MatchString(ref) || !ValidReference(ref) || len(ref) > 64 {
		t.Errorf("NewReference = %q; not a valid reference", ref)
	}
}

func TestNewReferenceStaysValidForAnyTerminalAndTime(t *testing.T) {
	t.Parallel()
	times := []time.Time{
		{},
		time.Date(9999, 12, 31, 23, 59, 59, 999_999_999, time.UTC),
		time.Date(12000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(-50, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Unix(0, 0),
	}
	ids := []string{"", "till-1", strings.Repeat("Ω", 100), strings.Repeat("a", 100), "Kiosk #3 (Soweto)"}
	for _, now := range times {
		for _, id := range ids {
			ref := NewReference(id, now)
			if !referenceShape.MatchString(ref) || !ValidReference(ref) {
				t.Errorf("NewReference(%q, %v) = %q; not a valid reference", id, now, ref)
			}
		}
	}
}

func TestReferencesAreDistinctAcrossGoroutines(t *testing.T) {
	t.Parallel()
	const workers, each = 8, 12_500
	now := time.Date(2025, 10, 24, 10, 31, 52, 0, time.UTC)
	refs := make([][]string, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			refs[w] = make([]string, each)
			for i := range each {
				refs[w][i] = NewReference("till-1", now)
			}
		})
	}
	wg.Wait()
	seen := make(map[string]bool, workers*each)
	for _, batch := range refs {
		for _, ref := range batch {
			if seen[ref] {
				t.Fatalf("reference %q made twice", ref)
			}
			seen[ref] = true
		}
	}
	if len(seen) != 100_000 {
		t.Fatalf("got %d distinct references; want 100000", len(seen))
	}
}

func TestLaterReferencesSortAfterEarlierOnes(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	var times []time.Time
	for range 2000 {
		// Spread over ~3 years, down to the millisecond; also near-neighbours.
		d := time.Duration(rng.Int64N(int64(3 * 365 * 24 * time.Hour)))
		times = append(times, start.Add(d.Truncate(time.Millisecond)))
	}
	times = append(times,
		start, start.Add(time.Millisecond), start.Add(999*time.Millisecond),
		start.Add(time.Second), start.Add(59*time.Second+999*time.Millisecond),
		time.Date(2025, 12, 31, 23, 59, 59, 999_000_000, time.UTC),
		time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
	times = slices.CompactFunc(times, func(a, b time.Time) bool { return a.Equal(b) })
	refs := make([]string, len(times))
	for i, tm := range times {
		// Local zones must not disturb the order: the stamp is UTC.
		zone := time.FixedZone("z", (i%27-13)*60*60)
		refs[i] = NewReference("till-1", tm.In(zone))
	}
	for i := 1; i < len(refs); i++ {
		if refs[i-1] >= refs[i] {
			t.Fatalf("reference at %v (%s) does not sort after the one at %v (%s)", times[i], refs[i], times[i-1], refs[i-1])
		}
	}
}

func TestReferenceTerminalSanitises(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"till-1", "till-1"},
		{"TILL-1", "till-1"},
		{"Till 1", "till-1"},
		{"kiosk_3", "kiosk_3"},
		{"  Kiosk #3 (Soweto) ", "kiosk-3-soweto"},
		{"a--b", "a-b"},
		{"a - b", "a-b"},
		{"-a-", "a"},
		{"---", "till"},
		{"", "till"},
		{"ÉÀ", "till"},
		{"café-2", "caf-2"},
		{"till/1.2", "till-1-2"},
		{"_x_", "_x_"},
		{strings.Repeat("a", 30), strings.Repeat("a", 24)},
		{strings.Repeat("a", 23) + "-bc", strings.Repeat("a", 23)},
		{strings.Repeat("a", 22) + "-bc", strings.Repeat("a", 22) + "-b"},
		{"\u212a", "k"}, // the Kelvin sign lowercases to an ASCII k
	}
	for _, tt := range tests {
		if got := referenceTerminal(tt.in); got != tt.want {
			t.Errorf("referenceTerminal(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestValidReferenceAcceptsKorasCharactersOnly(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want bool
	}{
		{"till-1-20251024103152983-7k2m9q4x1d", true},
		{"example-unique-reference", true},
		{"ABC_123", true},
		{strings.Repeat("a", 64), true},
		{strings.Repeat("a", 65), false},
		{"", false},
		{"has space", false},
		{"dot.ted", false},
		{"slash/ed", false},
		{"ünï", false},
	}
	for _, tt := range tests {
		if got := ValidReference(tt.in); got != tt.want {
			t.Errorf("ValidReference(%q) = %v; want %v", tt.in, got, tt.want)
		}
	}
}

func FuzzReferenceTerminal(f *testing.F) {
	for _, s := range []string{"till-1", "", "---", "Kiosk #3 (Soweto)", "ÉÀ", "\u212a", strings.Repeat("a-", 20), "\xff\xfe"} {
		f.Add(s)
	}
	terminal := regexp.MustCompile(`^[a-z0-9_]([a-z0-9_-]{0,22}[a-z0-9_])?$`)
	f.Fuzz(func(t *testing.T, id string) {
		got := referenceTerminal(id)
		if !terminal.MatchString(got) || strings.Contains(got, "--") {
			t.Fatalf("referenceTerminal(%q) = %q; not a clean terminal part", id, got)
		}
		if again := referenceTerminal(got); again != got {
			t.Fatalf("referenceTerminal(%q) = %q, but again gives %q", id, got, again)
		}
		if ref := NewReference(id, time.Now()); !referenceShape.MatchString(ref) || !ValidReference(ref) {
			t.Fatalf("NewReference(%q) = %q; not a valid reference", id, ref)
		}
	})
}

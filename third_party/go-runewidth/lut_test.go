package runewidth

// voucherpos fork: widths above U+0300 come from the interval tables, and
// looking them up never fills the 2 × 1.1 MB table (FORK.md).

import (
	"os"
	"os/exec"
	"testing"
	"unicode/utf8"
)

// TestLookupsDoNotBuildTheTable runs in a fresh process (TestStrictWidthLUT
// builds the table on purpose): every rune's width, in both conditions the
// table serves, is runeWidthNoLUT's, and afterwards the table above U+0300
// is still unbuilt and unwritten.
func TestLookupsDoNotBuildTheTable(t *testing.T) {
	if os.Getenv("RUNEWIDTH_LUT_CHILD") != "1" {
		cmd := exec.Command(os.Args[0], "-test.run=^TestLookupsDoNotBuildTheTable$", "-test.count=1")
		cmd.Env = append(os.Environ(), "RUNEWIDTH_LUT_CHILD=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("child: %v\n%s", err, out)
		}
		return
	}
	for _, ea := range []bool{false, true} {
		c := &Condition{EastAsianWidth: ea, StrictEmojiNeutral: true}
		for r := rune(0); r <= utf8.MaxRune; r++ {
			if got, want := c.RuneWidth(r), runeWidthNoLUT(r, ea, true); got != want {
				t.Fatalf("RuneWidth(%U) east asian %v = %d, want %d", r, ea, got, want)
			}
		}
	}
	if got := StringWidth("•›▏✔…"); got != 5 {
		t.Fatalf("StringWidth of the till's glyphs = %d, want 5", got)
	}
	if limit := strictWidthLUTLimit.Load(); limit != 0x300 {
		t.Fatalf("the table was built up to %#x", limit)
	}
	for plane := range strictWidthLUT {
		for r := 0x300; r < len(strictWidthLUT[plane]); r++ {
			if strictWidthLUT[plane][r] != 0 {
				t.Fatalf("strictWidthLUT[%d][%U] written", plane, r)
			}
		}
	}
}

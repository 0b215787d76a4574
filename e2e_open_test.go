package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"voucherpos/internal/ptytest"
)

// TestE2ESecondTillOnTheSameJournal: the screens start while the journal
// opens (main_opening.go); a journal another till holds ends them before a
// sale can begin, with the reason on a restored terminal and exit status 1,
// and the first till sells on.
func TestE2ESecondTillOnTheSameJournal(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test: runs the real binary in a pty")
	}
	bin := e2eBinary(t)
	home := t.TempDir()
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + home,
		"XDG_DATA_HOME=" + filepath.Join(home, "data"),
		"XDG_CONFIG_HOME=" + filepath.Join(home, "config"),
		"XDG_CACHE_HOME=" + filepath.Join(home, "cache"),
		"TMPDIR=" + home,
		"TERM=xterm-256color",
	}
	first := ptytest.Start(t, bin, ptytest.Options{Dir: t.TempDir(), Env: env, Cols: 80, Rows: 24})
	waitAmount(t, first)

	second := ptytest.Start(t, bin, ptytest.Options{Dir: t.TempDir(), Env: env, Cols: 80, Rows: 24})
	if code := second.WaitExit(screenWait); code != 1 {
		t.Fatalf("second till exited %d, want 1\n%s", code, second.Report())
	}
	screen := second.Screen()
	if !strings.Contains(strings.ReplaceAll(screen, "\n", ""), "in use by another voucherpos process") {
		t.Fatalf("second till's screen lacks the reason\n%s", second.Report())
	}
	if strings.Contains(screen, amountTitle) {
		t.Fatalf("second till left its Amount screen on the terminal\n%s", second.Report())
	}

	sell(t, first, "25", "1", "1000000000000010", "0821234567")
}

package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"voucherpos/internal/ptytest"
	"voucherpos/kora/sandbox"
	"voucherpos/pos/journal"
)

// startKiosk runs the till as a kiosk on the Linux console's terms:
// TERM=linux, 40×12, demo mode with a config of short idle timeout.
func startKiosk(t *testing.T) (*ptytest.Term, string) {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test: runs the real binary in a pty")
	}
	bin := e2eBinary(t)
	home := t.TempDir()
	cfg := filepath.Join(home, "kiosk.toml")
	os.WriteFile(cfg, []byte("[kiosk]\nenabled = true\nidle_timeout = \"10s\"\n"), 0o600)
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "XDG_DATA_HOME=" + filepath.Join(home, "data"),
		"XDG_CONFIG_HOME=" + filepath.Join(home, "config"), "TERM=linux"}
	term := ptytest.Start(t, bin, ptytest.Options{Args: []string{"--demo", "--config", cfg}, Dir: home, Env: env, Cols: 40, Rows: 12})
	term.WaitText(screenWait, "Pay with a voucher")
	return term, filepath.Join(home, "data", "voucherpos", "demo-journal.db")
}

func TestE2EKioskOnTheLinuxConsole(t *testing.T) {
	term, _ := startKiosk(t)
	// The keys that leave an ordinary program do nothing here.
	for _, k := range []string{"\x03", "q", "\x1a", "\x1c", "\x04"} {
		term.Send(k)
	}
	stays(t, term, 300*time.Millisecond, "Pay with a voucher")
	if _, exited := term.ExitCode(); exited {
		t.Fatalf("the kiosk left\n%s", term.Report())
	}
	screen := term.Screen()
	if strings.Contains(screen, "quit") || strings.Contains(screen, "history") || strings.Contains(screen, "•") {
		t.Fatalf("staff keys or non-ASCII glyphs on the kiosk\n%s", term.Report())
	}

	// A whole sale, customer's words, PIN masked, within 40×12.
	term.Type("100")
	term.Send("\r")
	term.WaitText(screenWait, "Which voucher")
	term.Send("1")
	term.WaitText(screenWait, "Type your 1Voucher PIN")
	term.Send(sandbox.PINFull)
	s := term.WaitText(screenWait, "**** **** **** ****")
	if strings.Contains(s, "1000") {
		t.Fatalf("PIN digits on the kiosk\n%s", term.Report())
	}
	term.Send("\r")
	term.WaitText(screenWait, "Your phone number")
	term.Type("0821234567")
	term.Send("\r")
	term.WaitText(screenWait, "Check and pay")
	term.Send("\r")
	term.WaitText(screenWait, "OK APPROVED", "R 100.00")

	// A half-typed sale is wiped after the idle timeout (10 s here).
	time.Sleep(grace)
	term.Send("\r")
	term.WaitText(screenWait, "Pay with a voucher")
	term.Type("55")
	term.Send("\r")
	term.WaitText(screenWait, "Which voucher")
	term.Send("1")
	term.WaitText(screenWait, "Type your 1Voucher PIN")
	term.Send("11686480")
	term.WaitText(screenWait, "**** ****")
	term.WaitText(15*time.Second, "Pay with a voucher", "Type the amount to pay")
	if strings.Contains(term.Screen(), "55") {
		t.Fatalf("the last customer's amount is still there\n%s", term.Report())
	}

	// The supervisor: *** then the PIN (demo: 1234), then 1 exits.
	term.Send("***")
	term.WaitText(screenWait, "Supervisor")
	term.Send("1234\r")
	term.WaitText(screenWait, "Supervisor menu")
	term.Send("1")
	if code := term.WaitExit(exitWait); code != 0 {
		t.Fatalf("supervisor exit: status %d", code)
	}
}

// SIGTERM (systemd stopping the unit) and SIGHUP (the console hung up)
// close the kiosk cleanly, with the journal whole; a resize redraws.
func TestE2EKioskSignalsAndResize(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGHUP} {
		t.Run(sig.String(), func(t *testing.T) {
			term, journalPath := startKiosk(t)
			term.Resize(60, 20)
			term.WaitText(screenWait, "Pay with a voucher")
			term.Resize(40, 12)
			term.Type("100")
			term.Send("\r")
			term.Send("1")
			term.WaitText(screenWait, "Type your 1Voucher PIN")
			term.Send(sandbox.PINFull + "\r")
			term.WaitText(screenWait, "Your phone number")
			term.Type("0821234567")
			term.Send("\r")
			term.WaitText(screenWait, "Check and pay")
			term.Send("\r")
			term.WaitText(screenWait, "APPROVED")
			term.Signal(syscall.SIGINT) // ignored by a kiosk
			stays(t, term, 300*time.Millisecond, "APPROVED")
			term.Signal(sig)
			if code := term.WaitExit(exitWait); code != 0 {
				t.Fatalf("exit status %d after %v", code, sig)
			}
			j, err := journal.Open(journalPath, journal.Options{})
			if err != nil {
				t.Fatalf("journal after %v: %v", sig, err)
			}
			defer j.Close()
			if n, _ := j.CountUnresolved(t.Context()); n != 0 {
				t.Fatalf("%d unresolved sales after %v", n, sig)
			}
		})
	}
}

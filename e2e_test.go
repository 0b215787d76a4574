package main

// End-to-end tests: the real voucherpos binary in a pseudo-terminal, driven
// by keystrokes and checked by what is on the screen, as a cashier sees it.
// No config file is found (fresh HOME, XDG dirs and an empty cwd), so the
// till runs in DEMO mode on its embedded Kora sandbox.

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"voucherpos/internal/ptytest"
	"voucherpos/kora/sandbox"
)

var (
	e2eOnce sync.Once
	e2eDir  string // holds the built binary; removed by TestMain
	e2eBin  string
	e2eErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if e2eDir != "" {
		os.RemoveAll(e2eDir)
	}
	os.Exit(code)
}

// e2eBinary builds the till once per test process, on first use, so that
// tests which do not need it pay nothing.
func e2eBinary(t *testing.T) string {
	t.Helper()
	e2eOnce.Do(func() {
		e2eDir, e2eErr = os.MkdirTemp("", "voucherpos-e2e-")
		if e2eErr != nil {
			return
		}
		goTool, err := exec.LookPath("go")
		if err != nil {
			e2eErr = err
			return
		}
		e2eBin = filepath.Join(e2eDir, "voucherpos")
		cmd := exec.Command(goTool, "build", "-o", e2eBin, ".")
		out, err := cmd.CombinedOutput()
		if err != nil {
			e2eErr = &buildError{err, string(out)}
		}
	})
	if e2eErr != nil {
		t.Fatalf("building voucherpos: %v", e2eErr)
	}
	return e2eBin
}

type buildError struct {
	err error
	out string
}

func (e *buildError) Error() string { return e.err.Error() + "\n" + e.out }

// Timeouts: generous enough for a loaded 2-core machine, short enough that a
// hung till fails fast.
const (
	screenWait = 10 * time.Second
	exitWait   = 5 * time.Second
	// grace is a little more than the 0.5 s during which a result screen
	// ignores Enter.
	grace = 600 * time.Millisecond
)

// Screen texts the tests look for.
const (
	amountTitle  = "New sale • amount"
	confirmTitle = "Check and charge"
	demoBadge    = "DEMO"
)

// startTill runs the till in a cols×rows pty with a fresh home, data and
// config directory and an empty working directory, and waits for the
// Amount screen.
func startTill(t *testing.T, cols, rows int) *ptytest.Term {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test: runs the real binary in a pty")
	}
	bin := e2eBinary(t)
	cwd := t.TempDir()
	term := ptytest.Start(t, bin, ptytest.Options{Dir: cwd, Env: demoEnv(t.TempDir()), Cols: cols, Rows: rows})
	term.WaitText(screenWait, demoBadge)
	return term
}

// demoEnv is a clean environment with no config and no key: a fresh home
// and XDG directories under home, so the till runs in demo mode.
func demoEnv(home string) []string {
	return []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + home,
		"XDG_DATA_HOME=" + filepath.Join(home, "data"),
		"XDG_CONFIG_HOME=" + filepath.Join(home, "config"),
		"XDG_CACHE_HOME=" + filepath.Join(home, "cache"),
		"TMPDIR=" + home,
		"TERM=xterm-256color",
	}
}

// waitAmount waits for the Amount screen of a new sale.
func waitAmount(t *testing.T, term *ptytest.Term) string {
	t.Helper()
	return term.WaitText(screenWait, amountTitle)
}

// sell types one sale up to the confirm screen: amount, provider digit,
// PIN and phone, each confirmed with Enter once its screen is up.
func sell(t *testing.T, term *ptytest.Term, amount, provider, pin, phone string) {
	t.Helper()
	waitAmount(t, term)
	term.Type(amount)
	term.Send("\r")
	term.WaitText(screenWait, "Voucher provider")
	term.Send(provider)
	term.WaitText(screenWait, "voucher PIN")
	term.Send(pin + "\r")
	term.WaitText(screenWait, "Customer's phone number")
	term.Type(phone)
	term.Send("\r")
	term.WaitText(screenWait, confirmTitle)
}

// stays checks for d that the screen keeps showing want.
func stays(t *testing.T, term *ptytest.Term, d time.Duration, want string) {
	t.Helper()
	end := time.Now().Add(d)
	for time.Now().Before(end) {
		if s := term.Screen(); !strings.Contains(s, want) {
			t.Fatalf("screen left %q\n%s", want, term.Report())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

var groupedPIN16 = regexp.MustCompile(`\d{4} \d{4} \d{4} \d{4}`)

func TestE2EDemoPartialRedemption(t *testing.T) {
	term := startTill(t, 80, 24)

	waitAmount(t, term)
	term.Type("120.50")
	term.WaitText(screenWait, "R 120.50")
	term.Send("\r")
	term.WaitText(screenWait, "Voucher provider", "1Voucher", "OTT")
	term.Send("1")
	term.WaitText(screenWait, "1Voucher voucher PIN")
	// A barcode scanner: the 16 digits and Enter arrive in one burst.
	term.Send(sandbox.PINChange + "\r")
	term.WaitText(screenWait, "Customer's phone number")
	term.Type("0821234567")
	term.WaitText(screenWait, "+27821234567")
	term.Send("\r")
	s := term.WaitText(screenWait, confirmTitle, "R 120.50", "1Voucher", "+27821234567")
	if strings.Contains(s, "1168 6480 9679 2943") || strings.Contains(s, sandbox.PINChange) {
		t.Errorf("confirm screen shows the whole PIN\n%s", term.Report())
	}
	if !strings.Contains(s, "2943") {
		t.Errorf("confirm screen does not show the PIN's last 4\n%s", term.Report())
	}
	term.Send("\r")

	term.WaitText(screenWait, "APPROVED")
	appeared := time.Now()
	// An extra Enter right after the result must not start the next sale:
	// the result stays until the half second of grace is over.
	term.Send("\r")
	stays(t, term, grace-time.Since(appeared), "APPROVED")
	s = term.WaitText(screenWait, "APPROVED", "R 120.50", "R 379.50", "NEW VOUCHER PIN", "Give this to the customer")
	newPIN := ""
	for _, l := range strings.Split(s, "\n") {
		if i := strings.Index(l, "NEW VOUCHER PIN"); i >= 0 {
			newPIN = groupedPIN16.FindString(l[i:])
		}
	}
	switch newPIN {
	case "":
		t.Errorf("no 16-digit PIN grouped in fours on the NEW VOUCHER PIN line\n%s", term.Report())
	case "1168 6480 9679 2943":
		t.Errorf("the change voucher's PIN is the old PIN\n%s", term.Report())
	}

	term.Send("\r")
	s = waitAmount(t, term)
	if strings.Contains(s, "APPROVED") || (newPIN != "" && strings.Contains(s, newPIN)) {
		t.Errorf("the new sale still shows the last result\n%s", term.Report())
	}
}

func TestE2EDeclineAndRecovery(t *testing.T) {
	term := startTill(t, 80, 24)

	// 400 invalid PIN: Enter goes to the PIN, cleared, and back to confirm.
	sell(t, term, "10", "1", sandbox.InvalidPIN, "0821234567")
	term.Send("\r")
	term.WaitText(screenWait, "Voucher PIN not accepted")
	time.Sleep(grace)
	term.Send("\r")
	s := term.WaitText(screenWait, "1Voucher voucher PIN")
	if !strings.Contains(s, "0 of 16 digits") || strings.Contains(s, "1234") {
		t.Errorf("the PIN field is not empty after an invalid PIN\n%s", term.Report())
	}
	term.Send(sandbox.PINFull + "\r")
	term.WaitText(screenWait, confirmTitle, "R 10.00", "+27821234567", "0100")
	term.Send("\r")
	term.WaitText(screenWait, "APPROVED", "R 10.00")
	time.Sleep(grace)
	term.Send("\r")

	// 402 funds lower than the amount: Enter goes to the Amount.
	sell(t, term, "20", "1", sandbox.PINLow, "0821234567")
	term.Send("\r")
	term.WaitText(screenWait, "Not enough on the voucher")
	time.Sleep(grace)
	term.Send("\r")
	s = waitAmount(t, term)
	if !strings.Contains(s, "R 20▏") {
		t.Errorf("the Amount screen after a 402 does not keep the amount typed (R 20)\n%s", term.Report())
	}
}

func TestE2ESmallWindow(t *testing.T) {
	term := startTill(t, 40, 12)

	sell(t, term, "80", "2", sandbox.PINOTTPartly, "0821234567")
	term.Send("\r")
	s := term.WaitText(screenWait, "APPROVED", "PARTLY PAID")
	// A line wider than 40 cells would wrap in the terminal and push the
	// status bar off the top: the bars must stay on the first and last rows.
	lines := strings.Split(s, "\n")
	if !strings.Contains(lines[0], "Demo Spaza") || !strings.Contains(lines[0], demoBadge) {
		t.Errorf("the status bar is not on the first row\n%s", term.Report())
	}
	if !strings.Contains(lines[len(lines)-1], "new sale") {
		t.Errorf("the help bar is not on the last row\n%s", term.Report())
	}
	if !strings.Contains(s, "R 50.00") {
		t.Errorf("the amount actually charged (R 50.00) is not shown\n%s", term.Report())
	}
	if !strings.Contains(s, "R 30.00") {
		t.Errorf("the amount to collect (R 30.00) is not shown\n%s", term.Report())
	}
}

func TestE2ECtrlCAsksDuringSale(t *testing.T) {
	t.Run("during a sale", func(t *testing.T) {
		term := startTill(t, 80, 24)
		waitAmount(t, term)
		term.Type("25")
		term.WaitText(screenWait, "R 25▏")
		term.Send("\x03")
		term.WaitText(screenWait, "Quit voucherpos?")
		term.Send("n")
		s := term.WaitFor("the Amount screen again", screenWait, func(s string) bool {
			return strings.Contains(s, amountTitle) && !strings.Contains(s, "Quit voucherpos?")
		})
		if !strings.Contains(s, "R 25▏") {
			t.Errorf("n lost the amount typed\n%s", term.Report())
		}
		if _, done := term.ExitCode(); done {
			t.Fatalf("the till exited after n\n%s", term.Report())
		}
		term.Send("\x03")
		term.WaitText(screenWait, "Quit voucherpos?")
		term.Send("y")
		if code := term.WaitExit(exitWait); code != 0 {
			t.Errorf("exit status %d after Ctrl+C, y; want 0\n%s", code, term.Report())
		}
	})
	t.Run("empty amount", func(t *testing.T) {
		term := startTill(t, 80, 24)
		waitAmount(t, term)
		term.Send("\x03")
		if code := term.WaitExit(exitWait); code != 0 {
			t.Errorf("exit status %d after Ctrl+C on an empty sale; want 0\n%s", code, term.Report())
		}
	})
}

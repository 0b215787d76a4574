package main

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"voucherpos/internal/ptytest"
	"voucherpos/kora/sandbox"
)

// A partial redemption in demo mode with receipt.printer set to a file
// writes a slip with the change voucher's PIN and the remaining balance
// within the configured width; `report --csv` lists the sale.
func TestE2EReceiptToAFileAndReport(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test: runs the real binary in a pty")
	}
	bin := e2eBinary(t)
	home := t.TempDir()
	slips := filepath.Join(home, "slips.txt")
	cfg := filepath.Join(home, "voucherpos.toml")
	os.WriteFile(cfg, []byte("[store]\nname = \"Corner Shop\"\nterminal_id = \"till-7\"\n[receipt]\nwidth = 32\nprinter = \""+slips+"\"\n"), 0o600)
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "XDG_DATA_HOME=" + filepath.Join(home, "data"),
		"XDG_CONFIG_HOME=" + filepath.Join(home, "config"), "TERM=xterm-256color"}
	term := ptytest.Start(t, bin, ptytest.Options{Args: []string{"--demo", "--config", cfg}, Dir: home, Env: env, Cols: 80, Rows: 24})
	term.WaitText(screenWait, demoBadge, "Corner Shop")
	sell(t, term, "120.50", "1", sandbox.PINChange, "0821234567")
	term.Send("\r")
	screen := term.WaitText(screenWait, "APPROVED", "Slip printed")
	pin := groupedPIN16.FindString(screen)
	if pin == "" {
		t.Fatalf("no change PIN on screen\n%s", term.Report())
	}
	term.Send("\x03") // Ctrl+C on a result screen quits at once
	term.WaitExit(exitWait)

	b, err := os.ReadFile(slips)
	if err != nil {
		t.Fatal(err)
	}
	slip := string(b)
	for _, want := range []string{"Corner Shop", "CHANGE VOUCHER", "New PIN   " + pin, "R 379.50", "**** 2943", "Keep this slip - it is money."} {
		if !strings.Contains(slip, want) {
			t.Errorf("slip lacks %q:\n%s", want, slip)
		}
	}
	for _, line := range strings.Split(strings.TrimRight(slip, "\n"), "\n") {
		if utf8.RuneCountInString(line) > 32 {
			t.Errorf("slip line wider than 32: %q", line)
		}
	}
	if strings.Contains(slip, sandbox.PINChange) || strings.Contains(slip, "1168 6480") {
		t.Fatal("the customer's PIN is on the slip")
	}

	// report --csv, on the same (demo) journal, lists the sale.
	t.Setenv("HOME", home)
	t.Setenv("XDG_DATA_HOME", filepath.Join(home, "data"))
	code, out, errOut := runCmd("report", "--demo", "--config", cfg, "--csv")
	if code != 0 {
		t.Fatalf("report: %d %s", code, errOut)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil || len(rows) != 2 {
		t.Fatalf("csv %v:\n%s", err, out)
	}
	row := map[string]string{}
	for i, h := range rows[0] {
		row[h] = rows[1][i]
	}
	if row["status"] != "approved" || row["amount_charged"] != "120.50" || row["change_voucher"] != "true" ||
		row["pin_last4"] != "2943" || row["terminal_id"] != "till-7" || !strings.HasPrefix(row["kora_reference"], "KPY-CA-") {
		t.Fatalf("csv row %v", row)
	}
	// receipt REFERENCE shows the slip again, marked REPRINT.
	code, out, _ = runCmd("receipt", row["reference"], "--demo", "--config", cfg)
	if code != 0 || !strings.Contains(out, "REPRINT") || !strings.Contains(out, pin) {
		t.Fatalf("receipt: %d\n%s", code, out)
	}
}

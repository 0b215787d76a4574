package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"voucherpos/internal/testkit"
	"voucherpos/kora/sandbox"
	"voucherpos/pos"
	"voucherpos/pos/config"
)

// env points every lookup at a temp home and returns a config file for a
// sandbox on 127.0.0.1.
func env(t *testing.T) (sb *sandbox.Server, cfgPath string) {
	t.Helper()
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_DATA_HOME", filepath.Join(home, "data"))
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, "config"))
	t.Setenv("VOUCHERPOS_CONFIG", "")
	t.Setenv("KORA_SECRET_KEY", sandbox.DefaultSecretKey)
	t.Chdir(home)
	sb, err := sandbox.Start("")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	cfgPath = filepath.Join(home, "till.toml")
	if err := (testkit.Till{Store: "Test Shop", TerminalID: "till-9", BaseURL: sb.URL, Timeout: 2 * time.Second}).Write(cfgPath); err != nil {
		t.Fatal(err)
	}
	return sb, cfgPath
}

func runCmd(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestHistoryJSONShowsEverySale(t *testing.T) {
	_, cfgPath := env(t)
	cfg, err := config.Load(cfgPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := pos.Open(cfg, pos.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	orders := []pos.Order{
		{Amount: 12050, ProviderCode: "0001", PIN: sandbox.PINChange, Phone: "0821234567"},
		{Amount: 8000, ProviderCode: "0002", PIN: sandbox.PINOTTPartly, Phone: "0821234567"},
		{Amount: 100, ProviderCode: "0001", PIN: sandbox.InvalidPIN, Phone: "0821234567"},
	}
	for _, o := range orders {
		if _, err := svc.Submit(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	svc.Close()

	code, out, errOut := runCmd("history", "--config", cfgPath, "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var rows []map[string]any
	if err := json.Unmarshal([]byte(out), &rows); err != nil || len(rows) != 3 {
		t.Fatalf("%v: %s", err, out)
	}
	want := []struct{ status, requested, charged, last4 string }{
		{"approved", "120.50", "120.50", "2943"},
		{"approved", "80.00", "50.00", "0050"},
		{"declined", "1.00", "0.00", "1234"},
	}
	for i, w := range want {
		r := rows[i]
		if r["status"] != w.status || r["amount_requested"] != w.requested || r["amount_charged"] != w.charged || r["pin_last4"] != w.last4 {
			t.Errorf("row %d: %v", i, r)
		}
		if !strings.HasPrefix(r["reference"].(string), "till-9-") {
			t.Errorf("row %d reference %v", i, r["reference"])
		}
		if w.status == "approved" && !strings.HasPrefix(r["kora_reference"].(string), "KPY-CA-") {
			t.Errorf("row %d kora reference %v", i, r["kora_reference"])
		}
	}
	if rows[0]["change_voucher"] != true || rows[0]["voucher_balance"] != "379.50" || rows[1]["partly_paid"] != true {
		t.Errorf("change voucher / partly paid: %v %v", rows[0], rows[1])
	}
	if strings.Contains(out, sandbox.PINChange) {
		t.Fatal("history shows a full PIN")
	}
	code, out, _ = runCmd("history", "--config", cfgPath)
	if code != 0 || !strings.Contains(out, "APPROVED") || !strings.Contains(out, "partly paid: collect R 30.00") {
		t.Fatalf("table: %d\n%s", code, out)
	}
}

func TestCheck(t *testing.T) {
	_, cfgPath := env(t)
	code, out, _ := runCmd("check", "--config", cfgPath)
	if code != 0 || !strings.Contains(out, "key accepted") || strings.Contains(out, sandbox.DefaultSecretKey) {
		t.Fatalf("%d\n%s", code, out)
	}
	t.Setenv("KORA_SECRET_KEY", "sk_test_WRONGKEY")
	code, out, _ = runCmd("check", "--config", cfgPath)
	if code != 1 || !strings.Contains(out, "key refused") || strings.Contains(out, "WRONGKEY") {
		t.Fatalf("%d\n%s", code, out)
	}
	t.Setenv("KORA_SECRET_KEY", "")
	code, _, errOut := runCmd("check", "--config", cfgPath)
	if code != 2 || !strings.Contains(errOut, "till.toml:") || !strings.Contains(errOut, "KORA_SECRET_KEY") {
		t.Fatalf("%d\n%s", code, errOut)
	}
}

func TestReconcileResolvesUnknownSales(t *testing.T) {
	sb, cfgPath := env(t)
	cfg, _ := config.Load(cfgPath, nil)
	svc, err := pos.Open(cfg, pos.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s, _ := svc.Submit(context.Background(), pos.Order{Amount: 1000, ProviderCode: "0001", PIN: sandbox.PINDropped, Phone: "0821234567"})
	svc.Close()
	if s.Status != pos.Unknown {
		t.Fatalf("status %s", s.Status)
	}
	code, out, errOut := runCmd("reconcile", "--config", cfgPath)
	if code != 0 || !strings.Contains(out, s.Reference+"  approved  R 10.00") {
		t.Fatalf("%d\n%s\n%s", code, out, errOut)
	}
	if n := len(sb.Charges()); n != 1 {
		t.Fatalf("%d charges", n)
	}
}

func TestCommandLineMistakes(t *testing.T) {
	env(t)
	bad := filepath.Join(t.TempDir(), "bad.toml")
	os.WriteFile(bad, []byte("[kora]\ntimeout = \"soon\"\n"), 0o600)
	cases := [][]string{
		{"frobnicate"},
		{"history", "--date", "27/11/2026"},
		{"history", "--config", bad},
		{"check", "--config", "/nonexistent/voucherpos.toml"},
		{"--no-such-flag"},
	}
	for _, args := range cases {
		if code, _, errOut := runCmd(args...); code != 2 || errOut == "" {
			t.Errorf("%v: exit %d, stderr %q", args, code, errOut)
		}
	}
	if code, out, _ := runCmd("version"); code != 0 || !strings.HasPrefix(out, "voucherpos ") {
		t.Errorf("version: %d %q", code, out)
	}
}

func TestCheckInDemoMode(t *testing.T) {
	env(t)
	code, out, _ := runCmd("check")
	if code != 0 || !strings.Contains(out, "demo mode") {
		t.Fatalf("%d\n%s", code, out)
	}
}

func TestReportAndReceiptCommands(t *testing.T) {
	_, cfgPath := env(t)
	slips := filepath.Join(t.TempDir(), "slips.txt")
	b, _ := os.ReadFile(cfgPath)
	os.WriteFile(cfgPath, append(b, []byte("[receipt]\nwidth = 48\nprinter = \""+slips+"\"\n")...), 0o600)
	cfg, err := config.Load(cfgPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := pos.Open(cfg, pos.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	change, _ := svc.Submit(ctx, pos.Order{Amount: 12050, ProviderCode: "0001", PIN: sandbox.PINChange, Phone: "0821234567"})
	svc.Submit(ctx, pos.Order{Amount: 100, ProviderCode: "0001", PIN: sandbox.InvalidPIN, Phone: "0821234567"})
	svc.Close()

	code, out, errOut := runCmd("report", "--config", cfgPath)
	if code != 0 || !strings.Contains(out, "Z-report") || !strings.Contains(out, "1 change voucher issued") || !strings.Contains(out, "R 120.50") {
		t.Fatalf("report %d %s\n%s", code, errOut, out)
	}
	code, out, _ = runCmd("report", "--config", cfgPath, "--csv")
	if code != 0 || len(strings.Split(strings.TrimSpace(out), "\n")) != 3 {
		t.Fatalf("csv %d\n%s", code, out)
	}
	code, out, _ = runCmd("receipt", change.Reference, "--config", cfgPath)
	if code != 0 || !strings.Contains(out, pos.GroupPIN(change.ChangePIN)) || !strings.Contains(out, "REPRINT") {
		t.Fatalf("receipt %d\n%s", code, out)
	}
	code, _, errOut = runCmd("receipt", "--config", cfgPath, "--print", change.Reference)
	slip, _ := os.ReadFile(slips)
	if code != 0 || !strings.Contains(string(slip), pos.GroupPIN(change.ChangePIN)) {
		t.Fatalf("receipt --print %d %s\n%s", code, errOut, slip)
	}
	if code, _, _ := runCmd("receipt", "no-such-ref", "--config", cfgPath); code != 1 {
		t.Fatalf("unknown reference: exit %d", code)
	}
	if code, _, _ := runCmd("receipt", "--config", cfgPath); code != 2 {
		t.Fatalf("no reference: exit %d", code)
	}
}

func TestCheckReportsThePrinter(t *testing.T) {
	_, cfgPath := env(t)
	b, _ := os.ReadFile(cfgPath)
	os.WriteFile(cfgPath, append(b, []byte("[receipt]\nprinter = \"/dev/usb/lp9\"\n")...), 0o600)
	code, out, _ := runCmd("check", "--config", cfgPath)
	if code != 0 || !strings.Contains(out, "printer  WARN printer /dev/usb/lp9 is not connected") {
		t.Fatalf("%d\n%s", code, out)
	}
}

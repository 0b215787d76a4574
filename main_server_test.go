//go:build !noserver

package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"voucherpos/kora"
	"voucherpos/kora/sandbox"
	"voucherpos/store/pgtest"
)

// server discrepancies and reconcile-kora as a person runs them: the
// server's config with [kora], exit 0 when all agrees, 1 with a Kora-only
// charge (table and CSV), 2 without --date.
func TestServerDiscrepanciesAndReconcileKoraCommands(t *testing.T) {
	day := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	old := clock
	clock = func() time.Time { return day }
	t.Cleanup(func() { clock = old })
	sb, err := sandbox.Start("", sandbox.WithClock(func() time.Time { return day }))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	dbURL := pgtest.New(t)
	cfg := filepath.Join(t.TempDir(), "server.toml")
	text := "[server]\ndatabase_url = \"" + dbURL + "\"\n[kora]\nsecret_key = \"" + sandbox.DefaultSecretKey + "\"\nbase_url = \"" + sb.URL + "\"\n"
	if err := os.WriteFile(cfg, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) (int, string) {
		var out, errb bytes.Buffer
		code := runServer(append(args, "--config", cfg), &out, &errb)
		return code, out.String() + errb.String()
	}
	if code, out := run("migrate"); code != exitOK {
		t.Fatalf("migrate: %d %s", code, out)
	}
	if code, out := run("discrepancies", "--date", "2026-03-10"); code != exitOK || !strings.Contains(out, "No discrepancies") {
		t.Fatalf("discrepancies: %d %s", code, out)
	}
	if code, out := run("reconcile-kora", "--date", "2026-03-10"); code != exitOK || !strings.Contains(out, "matched 0, kora_only 0") {
		t.Fatalf("reconcile-kora, nothing at Kora: %d %s", code, out)
	}
	k, _ := kora.New(sb.URL, sandbox.DefaultSecretKey)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := k.ChargeVoucher(ctx, kora.VoucherCharge{Amount: kora.MustAmount("100.00"), Currency: "ZAR", Reference: "PLANTED-0001",
		PIN: sandbox.PINFull, PhoneNumber: "+27821234567", ProviderCode: "0001", CustomerEmail: "x@example.com"}); err != nil {
		t.Fatal(err)
	}
	if code, out := run("reconcile-kora", "--date", "2026-03-10"); code != exitFailed || !strings.Contains(out, "kora_only 1") || !strings.Contains(out, "money Kora took") {
		t.Fatalf("reconcile-kora, a Kora-only charge: %d %s", code, out)
	}
	if code, out := run("reconcile-kora", "--date", "2026-03-10", "--csv"); code != exitFailed || !strings.HasPrefix(out, "result,terminal_id,") || !strings.Contains(out, "kora_only,,,KPY-") {
		t.Fatalf("reconcile-kora --csv: %d %s", code, out)
	}
	if code, _ := run("reconcile-kora"); code != exitUsage {
		t.Fatalf("reconcile-kora without --date: %d", code)
	}
}

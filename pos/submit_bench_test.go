package pos

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"voucherpos/kora/sandbox"
)

// BenchmarkSubmitNoFsync is BenchmarkSubmit with the journal on tmpfs
// (/dev/shm), where fsync costs nothing: beside BenchmarkSubmit and
// BenchmarkBareCharge it splits Submit's overhead into the fsyncs and
// everything else (validation, SQL, encryption, the outbox's hash chain).
func BenchmarkSubmitNoFsync(b *testing.B) {
	dir, err := os.MkdirTemp("/dev/shm", "voucherpos-bench-")
	if err != nil {
		b.Skip("no tmpfs at /dev/shm: ", err)
	}
	defer os.RemoveAll(dir)
	sb, err := sandbox.Start("")
	if err != nil {
		b.Fatal(err)
	}
	defer sb.Close()
	sb.AddVoucher(sandbox.Voucher{PIN: "200000000999", Provider: "0002", Balance: 1 << 60})
	cfg := testConfig(b, sb.URL)
	cfg.Journal.Path = filepath.Join(dir, "journal.db")
	svc, err := Open(cfg, Options{Policy: testPolicy})
	if err != nil {
		b.Fatal(err)
	}
	defer svc.Close()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if s, err := svc.Submit(ctx, order(100, "0002", "200000000999")); err != nil || s.Status != Approved {
			b.Fatal(s.Status, err)
		}
	}
}

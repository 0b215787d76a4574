package main

import (
	"context"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"voucherpos/internal/ptytest"
	"voucherpos/internal/testkit"
	"voucherpos/pos/journal"
)

// TestE2ESecondTillOnTheSameJournal: the screens start while the journal
// opens (pos.Opening); a journal another till holds ends them before a
// sale can begin, with the reason on a restored terminal and exit status 1,
// and the first till sells on.
func TestE2ESecondTillOnTheSameJournal(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test: runs the real binary in a pty")
	}
	bin := e2eBinary(t)
	env := demoEnv(t.TempDir())
	first := ptytest.Start(t, bin, ptytest.Options{Dir: t.TempDir(), Env: env, Cols: 80, Rows: 24})
	waitAmount(t, first)

	second := ptytest.Start(t, bin, ptytest.Options{Dir: t.TempDir(), Env: env, Cols: 80, Rows: 24})
	if code := second.WaitExit(screenWait); code != 1 {
		t.Fatalf("second till exited %d, want 1\n%s", code, second.Report())
	}
	screen := second.Screen()
	// The reason may wrap at any space of the 80 columns.
	if flat := strings.Join(strings.Fields(screen), ""); !strings.Contains(flat, "inusebyanothervoucherposprocess") {
		t.Fatalf("second till's screen lacks the reason\n%s", second.Report())
	}
	if strings.Contains(screen, amountTitle) {
		t.Fatalf("second till left its Amount screen on the terminal\n%s", second.Report())
	}

	sell(t, first, "25", "1", "1000000000000010", "0821234567")
}

// TestE2EQuitWhileKoraHangs: a till whose Kora accepts and never answers,
// with a sale a crash left pending, so the reconciler's question hangs.
// Quitting does not wait for Kora's 30 s timeout (the reconciler is
// stopped before the service closes), and the sale stays in the journal,
// still to be resolved.
func TestE2EQuitWhileKoraHangs(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test: runs the real binary in a pty")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	asked := make(chan struct{}, 1)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			select {
			case asked <- struct{}{}:
			default:
			}
			defer c.Close()
			go io.Copy(io.Discard, c)
		}
	}()
	dir := t.TempDir()
	jpath := filepath.Join(dir, "data", "journal.db")
	if err := os.MkdirAll(filepath.Dir(jpath), 0o700); err != nil {
		t.Fatal(err)
	}
	j, err := journal.Open(jpath, journal.Options{Secret: rigKey})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Now().Add(-time.Hour).UTC()
	ref := "till-h-" + at.Format("20060102150405000") + "-hang00001"
	if err := j.Create(context.Background(), journal.Sale{Reference: ref, CreatedAt: at, TerminalID: "till-h", Currency: "ZAR",
		AmountRequested: 1000, ProviderCode: "0001", ProviderName: "1Voucher", PINLast4: "0100",
		Phone: "+27821234567", Email: "till@example.com"}); err != nil {
		t.Fatal(err)
	}
	j.Close()
	cfg := filepath.Join(dir, "voucherpos.toml")
	till := testkit.Till{Store: "Hang Spaza", TerminalID: "till-h", BaseURL: "http://" + ln.Addr().String(), Timeout: 30 * time.Second, Journal: jpath}
	if err := till.Write(cfg); err != nil {
		t.Fatal(err)
	}
	term := ptytest.Start(t, e2eBinary(t), ptytest.Options{Args: []string{"--config", cfg}, Dir: dir, Env: tillEnv(dir, rigKey)})
	term.WaitText(screenWait, "TEST", amountTitle)
	select {
	case <-asked:
	case <-time.After(screenWait):
		t.Fatalf("the reconciler never asked Kora\n%s", term.Report())
	}
	// Kora's timeout is 30 s; the till is gone well before, with status 0.
	start := time.Now()
	quit(t, term)
	if took := time.Since(start); took > exitWait {
		t.Fatalf("the till took %v to quit while Kora was silent", took.Round(time.Millisecond))
	}
	j, err = journal.Open(jpath, journal.Options{ReadOnly: true, Secret: rigKey})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	s, err := j.Get(context.Background(), ref)
	if err != nil {
		t.Fatal(err)
	}
	if s.Status != journal.Pending && s.Status != journal.Unknown {
		t.Fatalf("the hung sale is %s, want still pending or unknown", s.Status)
	}
}

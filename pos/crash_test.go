package pos

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"voucherpos/kora/sandbox"
)

// The till is a real child process (this test binary, re-run) killed with
// SIGKILL at each step of a sale. The next start must reconcile the journal
// to the truth, with exactly the charges Kora's ledger holds.
func TestCrashAtEveryStep(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns child processes")
	}
	t.Parallel()
	cases := []struct {
		step     string // where the child stops
		pin      string
		provider string
		charges  int    // in Kora's ledger after the kill
		final    Status // after reconciliation
	}{
		// The pending row is written; the POST never leaves.
		{"pending", sandbox.PINOTT, "0002", 0, Declined},
		// The POST reached Kora, which charged; the answer never came back.
		{"sent", sandbox.PINSlow, "0001", 1, Approved},
		// Kora answered; the till died before writing the outcome.
		{"answered", sandbox.PINOTT, "0002", 1, Approved},
	}
	for _, tc := range cases {
		t.Run(tc.step, func(t *testing.T) {
			t.Parallel()
			sb, err := sandbox.Start("", sandbox.WithSlowDelay(time.Minute))
			if err != nil {
				t.Fatal(err)
			}
			defer sb.Close()
			journalPath := filepath.Join(t.TempDir(), "journal.db")

			cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.v")
			cmd.Env = append(os.Environ(),
				"VOUCHERPOS_CRASH_STEP="+tc.step, "VOUCHERPOS_CRASH_URL="+sb.URL,
				"VOUCHERPOS_CRASH_JOURNAL="+journalPath, "VOUCHERPOS_CRASH_PIN="+tc.pin,
				"VOUCHERPOS_CRASH_PROVIDER="+tc.provider,
				// The child is killed before its t.TempDir cleanup can run:
				// its temp folders go inside ours, which this test removes.
				"TMPDIR="+t.TempDir())
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			cmd.Stderr = os.Stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			ref := waitForChild(t, out, tc.step, sb)
			cmd.Process.Kill() // SIGKILL: no deferred code, no flush
			cmd.Wait()

			if n := chargesFor(sb, ref); n != tc.charges {
				t.Fatalf("%d charges in the ledger after the kill, want %d", n, tc.charges)
			}
			// The next start: the lock is free, the sale is there, unresolved.
			cfg := testConfig(t, sb.URL)
			cfg.Journal.Path = journalPath
			svc, err := Open(cfg, Options{Policy: testPolicy})
			if err != nil {
				t.Fatalf("reopen after SIGKILL: %v", err)
			}
			defer svc.Close()
			clock := &fakeClock{t: time.Now()}
			svc.now = clock.Now
			ctx := context.Background()
			s, err := svc.Get(ctx, ref)
			if err != nil || s.Status != Pending {
				t.Fatalf("after the kill: %+v %v", s, err)
			}
			for i := 0; i < 5 && !s.Final(); i++ {
				if _, err := svc.Reconcile(ctx, true); err != nil {
					t.Fatal(err)
				}
				clock.Add(cfg.Kora.Timeout + time.Second)
				s, _ = svc.Get(ctx, ref)
			}
			if s.Status != tc.final {
				t.Fatalf("reconciled to %s (%s), want %s", s.Status, s.DeclineKind, tc.final)
			}
			if n := chargesFor(sb, ref); n != tc.charges {
				t.Fatalf("%d charges after reconciling, want %d", n, tc.charges)
			}
			if tc.final == Approved && s.Charged == 0 {
				t.Fatalf("approved without the charged amount: %+v", s)
			}
		})
	}
}

// waitForChild reads the child's lines until it reaches the step, and
// returns the sale's reference.
func waitForChild(t *testing.T, out interface{ Read([]byte) (int, error) }, step string, sb *sandbox.Server) string {
	t.Helper()
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	ref := ""
	deadline := time.After(30 * time.Second)
	for {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatal("the child ended before its step")
			}
			if r, found := strings.CutPrefix(line, "REF "); found {
				ref = r
				if step == "sent" {
					// Wait until Kora has applied the charge; its answer is slow.
					for chargesFor(sb, ref) == 0 {
						select {
						case <-deadline:
							t.Fatal("the charge never reached the sandbox")
						case <-time.After(5 * time.Millisecond):
						}
					}
					return ref
				}
			}
			if line == "STEP "+step {
				return ref
			}
		case <-deadline:
			t.Fatal("the child never reached its step")
		}
	}
}

// TestCrashChild is the till that TestCrashAtEveryStep kills. It only runs
// as that child.
func TestCrashChild(t *testing.T) {
	step := os.Getenv("VOUCHERPOS_CRASH_STEP")
	if step == "" {
		t.Skip("runs only as the crash test's child")
	}
	cfg := testConfig(t, os.Getenv("VOUCHERPOS_CRASH_URL"))
	cfg.Journal.Path = os.Getenv("VOUCHERPOS_CRASH_JOURNAL")
	cfg.Kora.Timeout = 5 * time.Minute
	svc, err := Open(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	block := func() { select {} }
	svc.hooks.afterPending = func(ref string) {
		fmt.Printf("REF %s\n", ref)
		if step == "pending" {
			fmt.Println("STEP pending")
			block()
		}
	}
	svc.hooks.beforeRecord = func(string) {
		if step == "answered" {
			fmt.Println("STEP answered")
			block()
		}
	}
	_, err = svc.Submit(context.Background(), order(1000, os.Getenv("VOUCHERPOS_CRASH_PROVIDER"), os.Getenv("VOUCHERPOS_CRASH_PIN")))
	t.Fatalf("the child finished its sale (%v): it should have been killed", err)
}

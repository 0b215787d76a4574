package main

// Fault injection end to end: the real till in a pseudo-terminal against a
// Kora that misbehaves in each way the README's fault table lists. For each
// fault the test checks what the cashier sees, the sale's final state in the
// journal, and the charges in the sandbox's ledger: exactly one for a charge
// that reached Kora, none for one that could not.
//
// kora.timeout is 2 s in these configs, so "slower than the timeout" takes
// seconds, not the 30 s of a real till. "Unreachable for several minutes"
// is 5 s by default; VOUCHERPOS_OUTAGE=3m runs it at full length (the till
// behaves the same: queries fail and back off, the Checking screen keeps
// asking every 3 s, and the first answer after Kora returns settles it).

import (
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"voucherpos/kora/sandbox"
	"voucherpos/pos/journal"
)

// noteFault logs one line per fault for the run's summary (go test -v).
func noteFault(t *testing.T, format string, args ...any) {
	t.Helper()
	t.Logf("FAULT "+format, args...)
}

// The charge reached Kora and was applied, but its answer was lost or
// unreadable. The cashier sees Checking ("do not hand over goods") while
// the till asks Kora by reference — queries are held at Kora's door until
// the Checking screen has been seen — and then the true outcome.
func TestE2EFaultsUnknownOutcome(t *testing.T) {
	cases := []struct {
		name       string
		pin        string
		opts       []sandbox.Option
		reset      bool   // the rig resets the connection after applying
		submitting bool   // the Charging screen lasts the whole timeout
		final      string // the final screen's headline
		status     journal.Status
		charges    int // successful charges in the ledger
	}{
		{"slower than the timeout", sandbox.PINSlow, []sandbox.Option{sandbox.WithSlowDelay(30 * time.Second)}, false, true, "APPROVED", journal.Approved, 1},
		{"500 after the charge", sandbox.PIN500, nil, false, false, "APPROVED", journal.Approved, 1},
		{"connection dropped after sending", sandbox.PINDropped, nil, false, false, "APPROVED", journal.Approved, 1},
		{"connection reset (RST) after sending", sandbox.PINFull, nil, true, false, "APPROVED", journal.Approved, 1},
		{"HTML 502 from a proxy", sandbox.PINHTML502, nil, false, false, "APPROVED", journal.Approved, 1},
		{"truncated JSON", sandbox.PINTruncated, nil, false, false, "APPROVED", journal.Approved, 1},
		{"body drips slowly", sandbox.PINDrip, []sandbox.Option{sandbox.WithDripInterval(50 * time.Millisecond)}, false, true, "APPROVED", journal.Approved, 1},
		{"500, nothing charged", sandbox.PINSystemError, nil, false, false, "Declined", journal.Declined, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			k := newKoraRig(t, tc.opts...)
			k.holdQueries()
			k.set(func(k *koraRig) { k.resetPOST = tc.reset })
			rt := newRigTill(t, k.URL)
			term := rt.start(t)

			sell(t, term, "25", "1", tc.pin, "0821234567")
			sent := time.Now()
			term.Send("\r")
			if tc.submitting {
				s := term.WaitText(screenWait, "Charging R 25.00", "Waiting for Kora")
				t.Logf("submitting: %s", body(s))
			}
			checking := term.WaitText(screenWait+rigTimeout, "Checking payment status", "Do not hand over goods.")
			if tc.submitting && time.Since(sent) < rigTimeout-200*time.Millisecond {
				t.Errorf("Checking after %v, before the %v timeout ran out", time.Since(sent), rigTimeout)
			}
			mid := rt.only(t)
			if mid.Status != journal.Unknown {
				t.Errorf("journal while checking: %s, want unknown", mid.Status)
			}
			if _, mine := successes(k.sb, mid.Reference); mine != tc.charges {
				t.Errorf("%d charges in the ledger while checking, want %d", mine, tc.charges)
			}

			k.releaseQueries()
			want := []string{tc.final}
			if tc.status == journal.Approved {
				want = append(want, "R 25.00")
			} else {
				want = append(want, "An unexpected system error occurred.")
			}
			final := term.WaitText(screenWait, want...)
			s := rt.waitSale(t, screenWait, string(tc.status), func(s journal.Sale) bool { return s.Status == tc.status })
			all, mine := successes(k.sb, s.Reference)
			if all != tc.charges || mine != tc.charges {
				t.Errorf("ledger: %d successful charges (%d for the sale), want %d", all, mine, tc.charges)
			}
			if tc.status == journal.Approved && (s.AmountCharged != 2500 || s.KoraReference == "") {
				t.Errorf("approved sale %+v", s)
			}
			if tc.status == journal.Declined && s.DeclineKind != "other" {
				t.Errorf("declined sale %+v", s)
			}
			quit(t, term)
			noteFault(t, "%s | screen: %s → %s | journal: unknown → %s %s (checks %d) | ledger: %d charge(s)",
				tc.name, body(checking), body(final), s.Status, s.DeclineKind, s.Checks, mine)
		})
	}
}

// Kora says "processing"; a query says success once it settles.
func TestE2EFaultProcessing(t *testing.T) {
	t.Parallel()
	k := newKoraRig(t, sandbox.WithSettleDelay(3*time.Second))
	rt := newRigTill(t, k.URL)
	term := rt.start(t)
	sell(t, term, "25", "1", sandbox.PINProcessing, "0821234567")
	term.Send("\r")
	checking := term.WaitText(screenWait, "Checking payment status", "Do not hand over goods.")
	final := term.WaitText(3*screenWait, "APPROVED", "R 25.00")
	s := rt.waitSale(t, screenWait, "approved", func(s journal.Sale) bool { return s.Status == journal.Approved })
	all, mine := successes(k.sb, s.Reference)
	if all != 1 || mine != 1 {
		t.Errorf("ledger: %d successful charges (%d for the sale), want 1", all, mine)
	}
	quit(t, term)
	noteFault(t, "processing, settles 3 s later | screen: %s → %s | journal: unknown → %s (checks %d) | ledger: %d charge(s)",
		body(checking), body(final), s.Status, s.Checks, mine)
}

// Nothing reached Kora: the cashier is told nothing was charged, the sale is
// declined as not sent, and the cashier's retry re-uses its reference.
func TestE2EFaultsNotSent(t *testing.T) {
	t.Run("DNS failure", func(t *testing.T) {
		t.Parallel()
		// .invalid never resolves (RFC 6761): one lookup, answered "no such
		// host" by the resolver, or failing on its own with no resolver.
		notSent(t, "https://nonexistent.invalid", nil)
	})
	t.Run("TLS failure", func(t *testing.T) {
		t.Parallel()
		// A self-signed certificate: the till refuses it before the request
		// is written, so the server never sees a request.
		sb := sandbox.New()
		var mu sync.Mutex
		requests := 0
		srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			requests++
			mu.Unlock()
			sb.ServeHTTP(w, r)
		}))
		srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the handshake errors are the point
		srv.StartTLS()
		t.Cleanup(func() { srv.Close(); sb.Close() })
		notSent(t, srv.URL, func() int {
			mu.Lock()
			defer mu.Unlock()
			if requests != 0 {
				t.Errorf("%d requests reached Kora through a refused certificate", requests)
			}
			all, _ := successes(sb, "")
			return all
		})
	})
}

func notSent(t *testing.T, baseURL string, ledger func() int) {
	t.Helper()
	rt, term := chargeR100(t, baseURL)
	first := term.WaitText(screenWait, "Can't reach Kora", "nothing was charged")
	s := rt.only(t)
	if s.Status != journal.Declined || s.DeclineKind != "not_sent" {
		t.Fatalf("journal: %s %s, want declined not_sent", s.Status, s.DeclineKind)
	}
	// The cashier tries again: the same sale, the same reference.
	time.Sleep(grace)
	term.Send("\r")
	term.WaitText(screenWait, confirmTitle, "Sending again with the same reference.")
	term.Send("\r")
	term.WaitText(screenWait, "Can't reach Kora")
	again := rt.only(t)
	if again.Reference != s.Reference || again.Status != journal.Declined || again.DeclineKind != "not_sent" {
		t.Fatalf("after the retry: %+v", again)
	}
	charges := 0
	if ledger != nil {
		charges = ledger()
	}
	if charges != 0 {
		t.Errorf("%d charges in the ledger, want 0", charges)
	}
	quit(t, term)
	noteFault(t, "%s | screen: %s | journal: %s %s, same reference on retry | ledger: %d charge(s)",
		t.Name(), body(first), again.Status, again.DeclineKind, charges)
}

// outage is how long Kora stays away ("several minutes", scaled down).
func outage() time.Duration {
	if d, err := time.ParseDuration(os.Getenv("VOUCHERPOS_OUTAGE")); err == nil && d > 0 {
		return d
	}
	return 5 * time.Second
}

// Kora is unreachable for a while, then back on the same address.
func TestE2EKoraUnreachableThenBack(t *testing.T) {
	t.Run("before the charge", func(t *testing.T) {
		t.Parallel()
		k := newDownKoraRig(t)
		rt, term := chargeR100(t, k.URL)
		down := term.WaitText(screenWait, "Can't reach Kora", "nothing was charged")
		ref := rt.only(t).Reference
		// The cashier keeps trying while Kora is away: nothing changes.
		end := time.Now().Add(outage())
		tries := 1
		for time.Now().Before(end) {
			time.Sleep(grace + time.Second)
			term.Send("\r")
			term.WaitText(screenWait, "Sending again with the same reference.")
			term.Send("\r")
			term.WaitText(screenWait, "Can't reach Kora")
			tries++
		}
		if s := rt.only(t); s.Status != journal.Declined || s.DeclineKind != "not_sent" || s.Reference != ref {
			t.Fatalf("while Kora is away: %+v", s)
		}
		k.up()
		time.Sleep(grace)
		term.Send("\r")
		term.WaitText(screenWait, "Sending again with the same reference.")
		term.Send("\r")
		final := term.WaitText(screenWait, "APPROVED", "R 100.00")
		s := rt.waitSale(t, screenWait, "approved", func(s journal.Sale) bool { return s.Status == journal.Approved })
		all, mine := successes(k.sb, ref)
		if s.Reference != ref || all != 1 || mine != 1 {
			t.Fatalf("ledger %d charges (%d for %s), journal %+v", all, mine, ref, s)
		}
		quit(t, term)
		noteFault(t, "unreachable %v before the charge (%d tries) | screen: %s → %s | journal: declined not_sent → %s, same reference | ledger: %d charge(s) | events: %s",
			outage(), tries, body(down), body(final), s.Status, mine, strings.Join(rt.events(t, ref), "; "))
	})
	t.Run("after the charge", func(t *testing.T) {
		t.Parallel()
		// Kora takes the charge, answers 500 and falls off the network: every
		// query is refused until it is back.
		k := newKoraRig(t)
		k.set(func(k *koraRig) { k.downOnPOST = true })
		rt := newRigTill(t, k.URL)
		term := rt.start(t)
		sell(t, term, "25", "1", sandbox.PIN500, "0821234567")
		term.Send("\r")
		checking := term.WaitText(screenWait, "Checking payment status", "Do not hand over goods.")
		ref := rt.only(t).Reference
		if _, mine := successes(k.sb, ref); mine != 1 {
			t.Fatalf("%d charges in the ledger, want 1", mine)
		}
		mid := rt.waitSale(t, screenWait+outage(), "checked twice", func(s journal.Sale) bool { return s.Checks >= 2 })
		stays(t, term, outage(), "Do not hand over goods.")
		stillUnknown := rt.only(t)
		if stillUnknown.Status != journal.Unknown {
			t.Fatalf("while Kora is away: %s", stillUnknown.Status)
		}
		k.set(func(k *koraRig) { k.downOnPOST = false })
		k.up()
		final := term.WaitText(screenWait, "APPROVED", "R 25.00")
		s := rt.waitSale(t, screenWait, "approved", func(s journal.Sale) bool { return s.Status == journal.Approved })
		all, mine := successes(k.sb, ref)
		if all != 1 || mine != 1 {
			t.Fatalf("ledger %d charges (%d for the sale)", all, mine)
		}
		quit(t, term)
		noteFault(t, "unreachable %v after the charge | screen: %s → %s | journal: unknown (%d failed checks) → %s | ledger: %d charge(s)",
			outage(), body(checking), body(final), max(mid.Checks, stillUnknown.Checks), s.Status, mine)
	})
}

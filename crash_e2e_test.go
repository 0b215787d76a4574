package main

// Crash tests through the cashier's path: the real till in a pty is killed
// with SIGKILL at points of a sale typed on its keyboard, then started
// again (a second real run, or `voucherpos reconcile`). The journal must
// open, the sale must be there (or, killed before it was written, nothing
// may have been charged), and it must reach its true final state with
// exactly the charges Kora's ledger holds.

import (
	"context"
	"strings"
	"testing"
	"time"

	"voucherpos/kora/sandbox"
	"voucherpos/pos"
	"voucherpos/pos/config"
	"voucherpos/pos/journal"
)

func TestE2ECrashDuringSale(t *testing.T) {
	t.Run("right after Enter on confirm", func(t *testing.T) {
		t.Parallel()
		k := newKoraRig(t)
		rt, term := chargeR100(t, k.URL)
		term.Kill()
		rows := rt.sales(t)
		all, _ := successes(k.sb, "")
		switch {
		case len(rows) == 0:
			// Killed before the sale was written: then nothing was sent.
			if all != 0 {
				t.Fatalf("no sale in the journal but %d charges in the ledger", all)
			}
			term := rt.start(t)
			quit(t, term)
			noteFault(t, "crash right after Enter | journal after kill: no row | ledger: %d charge(s) | restart: opens, nothing to resolve", all)
			return
		case len(rows) > 1:
			t.Fatalf("%d sales in the journal for one Enter", len(rows))
		}
		killed := rows[0]
		s := settle(t, rt, k)
		noteFault(t, "crash right after Enter | journal after kill: %s | restart → %s %s | ledger: %d charge(s)",
			killed.Status, s.Status, s.DeclineKind, mustCharges(t, k, s))
	})
	t.Run("as the pending row is written", func(t *testing.T) {
		t.Parallel()
		// Killed the moment the journal shows the sale: the POST may be on
		// its way, answered, or not yet sent. Whatever it caught, the
		// restart must agree with the ledger.
		k := newKoraRig(t)
		rt, term := chargeR100(t, k.URL)
		deadline := time.Now().Add(screenWait)
		for len(rt.sales(t)) == 0 {
			if time.Now().After(deadline) {
				t.Fatalf("the sale never reached the journal\n%s", term.Report())
			}
			time.Sleep(time.Millisecond)
		}
		term.Kill()
		killed := rt.only(t)
		all, _ := successes(k.sb, "")
		s := settle(t, rt, k)
		noteFault(t, "crash as the pending row is written | journal after kill: %s, ledger %d | restart → %s %s | ledger: %d charge(s)",
			killed.Status, all, s.Status, s.DeclineKind, mustCharges(t, k, s))
	})
	t.Run("charge held at Kora's door", func(t *testing.T) {
		t.Parallel()
		// The POST is on the wire but Kora never applies it: the truth is
		// "nothing charged", which Kora can only say by not finding it.
		k := newKoraRig(t)
		k.set(func(k *koraRig) { k.holdPOST = true })
		rt, term := chargeR100(t, k.URL)
		k.waitPOST(screenWait)
		screen := term.WaitText(screenWait, "Charging R 100.00")
		term.Kill()
		killed := rt.only(t)
		if killed.Status != journal.Pending {
			t.Fatalf("journal after the kill: %s, want pending", killed.Status)
		}
		s := settle(t, rt, k)
		if s.Status != journal.Declined || s.DeclineKind != "not_found" {
			t.Fatalf("settled as %s %s, want declined not_found", s.Status, s.DeclineKind)
		}
		noteFault(t, "crash while Submitting, charge not applied | screen at kill: %s | journal after kill: %s | restart → %s %s | ledger: %d charge(s)",
			body(screen), killed.Status, s.Status, s.DeclineKind, mustCharges(t, k, s))
	})
	t.Run("Submitting after Kora charged", func(t *testing.T) {
		t.Parallel()
		k := newKoraRig(t, sandbox.WithSlowDelay(time.Minute))
		rt := newRigTill(t, k.URL)
		term := rt.start(t)
		sell(t, term, "25", "1", sandbox.PINSlow, "0821234567")
		term.Send("\r")
		waitCharged(t, k)
		screen := term.WaitText(screenWait, "Charging R 25.00")
		term.Kill()
		killed := rt.only(t)
		if killed.Status != journal.Pending {
			t.Fatalf("journal after the kill: %s, want pending", killed.Status)
		}
		s := settle(t, rt, k)
		if s.Status != journal.Approved || s.AmountCharged != 2500 {
			t.Fatalf("settled as %+v, want approved R 25.00", s)
		}
		noteFault(t, "crash while Submitting, Kora charged | screen at kill: %s | journal after kill: %s | restart → %s | ledger: %d charge(s)",
			body(screen), killed.Status, s.Status, mustCharges(t, k, s))
	})
	t.Run("on the Checking screen", func(t *testing.T) {
		t.Parallel()
		k := newKoraRig(t)
		k.holdQueries()
		rt := newRigTill(t, k.URL)
		term := rt.start(t)
		sell(t, term, "25", "1", sandbox.PIN500, "0821234567")
		term.Send("\r")
		screen := term.WaitText(screenWait, "Checking payment status")
		term.Kill()
		killed := rt.only(t)
		k.releaseQueries()
		// This time `voucherpos reconcile` settles it.
		out, errOut, code := rt.run(t, "reconcile")
		if code != 0 || !strings.Contains(out, killed.Reference+"  approved  R 25.00") {
			t.Fatalf("reconcile: status %d\n%s%s", code, out, errOut)
		}
		s := rt.only(t)
		if s.Status != journal.Approved {
			t.Fatalf("after reconcile: %s", s.Status)
		}
		noteFault(t, "crash on the Checking screen | screen at kill: %s | journal after kill: %s | `voucherpos reconcile`: %q → %s | ledger: %d charge(s)",
			body(screen), killed.Status, strings.TrimSpace(out), s.Status, mustCharges(t, k, s))
	})
	t.Run("on the result screen", func(t *testing.T) {
		t.Parallel()
		k := newKoraRig(t)
		rt, term := chargeR100(t, k.URL)
		screen := term.WaitText(screenWait, "APPROVED", "R 100.00")
		term.Kill()
		killed := rt.only(t)
		if killed.Status != journal.Approved {
			t.Fatalf("journal after the kill: %s, want approved", killed.Status)
		}
		s := settle(t, rt, k)
		noteFault(t, "crash on the result screen | screen at kill: %s | journal after kill: %s | restart → %s | ledger: %d charge(s)",
			body(screen), killed.Status, s.Status, mustCharges(t, k, s))
	})
}

// waitCharged waits until Kora's ledger holds a successful charge.
func waitCharged(t *testing.T, k *koraRig) {
	t.Helper()
	deadline := time.Now().Add(screenWait)
	for {
		if all, _ := successes(k.sb, ""); all > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the charge never reached the ledger")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// settle starts the till again after a kill: its journal must open, and its
// reconciler must take the one sale to its true state. A sale Kora has no
// record of is declined only after Kora has said so for a minute
// (pos.DefaultPolicy.NotFoundGrace); the test moves the till's clock past
// that minute rather than waiting it out.
func settle(t *testing.T, rt *rigTill, k *koraRig) journal.Sale {
	t.Helper()
	term := rt.start(t)
	s := rt.waitSale(t, 3*screenWait, "final, or not found by Kora", func(s journal.Sale) bool {
		return !s.Status.Unresolved() || !s.NotFoundAt.IsZero()
	})
	quit(t, term)
	if !s.Status.Unresolved() {
		return s
	}
	// Still unknown: `voucherpos reconcile` says so, and fails.
	out, errOut, code := rt.run(t, "reconcile")
	if code != 1 || !strings.Contains(out, "still unknown") {
		t.Fatalf("reconcile of a sale inside its not-found grace: status %d\n%s%s", code, out, errOut)
	}
	cfg, err := config.Load(rt.cfg, func(key string) string {
		if key == "KORA_SECRET_KEY" {
			return rt.key
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	later := func() time.Time {
		return time.Now().Add(pos.DefaultPolicy.NotFoundGrace + cfg.Kora.Timeout + time.Second)
	}
	svc, err := pos.Open(cfg, pos.Options{Now: later})
	if err != nil {
		t.Fatalf("opening the till a minute later: %v", err)
	}
	defer svc.Close()
	if _, err := svc.Reconcile(context.Background(), true); err != nil {
		t.Fatal(err)
	}
	return rt.only(t)
}

// mustCharges checks the ledger against a settled sale: one charge for an
// approved sale, none otherwise, and no other charge at all.
func mustCharges(t *testing.T, k *koraRig, s journal.Sale) int {
	t.Helper()
	all, mine := successes(k.sb, s.Reference)
	want := 0
	if s.Status == journal.Approved {
		want = 1
	}
	if all != want || mine != want {
		t.Fatalf("%s sale: %d successful charges in the ledger (%d for it), want %d", s.Status, all, mine, want)
	}
	return mine
}

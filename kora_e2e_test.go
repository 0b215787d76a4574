package main

// Kora as it really is, end to end: the real till in a pseudo-terminal
// against the sandbox answering a status Kora calls final ("expired") and
// refusing the till's key (401 "Invalid authorization key") on the charge
// and on every query.

import (
	"strings"
	"testing"
	"time"

	"voucherpos/kora/sandbox"
	"voucherpos/pos/journal"
)

// Kora answers "expired": the sale is declined with Kora's message, and
// nothing is charged.
func TestE2EKoraExpiredCharge(t *testing.T) {
	t.Parallel()
	k := newKoraRig(t)
	rt := newRigTill(t, k.URL)
	term := rt.start(t)
	sell(t, term, "25", "1", sandbox.PINExpired, "0821234567")
	term.Send("\r")
	final := term.WaitText(screenWait, "Declined", "Transaction expired")
	s := rt.waitSale(t, screenWait, "declined", func(s journal.Sale) bool { return s.Status == journal.Declined })
	if s.DeclineKind != "other" || s.DeclineMessage != "Transaction expired" || s.AmountCharged != 0 {
		t.Errorf("declined sale %+v", s)
	}
	if all, _ := successes(k.sb, s.Reference); all != 0 {
		t.Errorf("%d successful charges in the ledger, want 0", all)
	}
	quit(t, term)
	noteFault(t, "Kora says expired | screen: %s | journal: %s %s %q", body(final), s.Status, s.DeclineKind, s.DeclineMessage)
}

// Kora refuses the till's key on the charge (an unknown outcome, Kora
// says: requery) and on the query that follows: the sale is held, never
// declined by guess, and the cashier is kept from handing over goods.
func TestE2EKoraRefusesTheKey(t *testing.T) {
	t.Parallel()
	k := newKoraRig(t)
	rt := newRigTillWith(t, k.URL, "sk_test_not_this_tills", "")
	term := rt.start(t)
	sell(t, term, "25", "1", sandbox.PINFull, "0821234567")
	term.Send("\r")
	// The sale is held, never declined by guess, and the cashier is told why.
	held := term.WaitText(screenWait, "Do not hand over goods.", "Kora refused this till's key — the sale is held until it can be checked.")
	s := rt.waitSale(t, screenWait, "unknown and checked", func(s journal.Sale) bool {
		return s.Status == journal.Unknown && s.Checks >= 2
	})
	if s.DeclineKind != "" || s.AmountCharged != 0 {
		t.Errorf("held sale %+v", s)
	}
	refused := 0
	for _, e := range rt.events(t, s.Reference) {
		if strings.HasPrefix(e, "checked: key refused: ") {
			refused++
		}
	}
	if refused < 2 {
		t.Errorf("events %v: want the refused queries noted", rt.events(t, s.Reference))
	}
	if strings.Contains(term.Screen(), "Declined") || strings.Contains(string(rt.transcript.Bytes()), "sk_test_not_this_tills") {
		t.Errorf("screen:\n%s", term.Screen())
	}
	if len(k.sb.Charges()) != 0 {
		t.Errorf("ledger %+v: a refused key charges nothing", k.sb.Charges())
	}
	// Still held a while later.
	time.Sleep(time.Second)
	if s := rt.only(t); s.Status != journal.Unknown {
		t.Errorf("after a while: %s", s.Status)
	}
	quit(t, term)
	noteFault(t, "Kora refuses the key | screen: %s | journal: %s (checks %d, key refused)", body(held), s.Status, s.Checks)
}

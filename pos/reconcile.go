package pos

import (
	"context"
	"errors"
	"fmt"
	"time"

	"voucherpos/kora"
	"voucherpos/pos/journal"
)

// Resolve asks Kora now about one sale whose outcome is unknown and records
// what it says. A final sale is returned as it is.
func (s *Service) Resolve(ctx context.Context, ref string) (Sale, error) {
	if !s.claim(ref) {
		return s.Get(ctx, ref) // a request for it is on the wire already
	}
	defer s.release(ref)
	js, err := s.journal.Get(ctx, ref)
	if err != nil {
		return Sale{}, err
	}
	if !js.Status.Unresolved() {
		return s.sale(ctx, js), nil
	}
	return s.resolveLocked(ctx, js)
}

// resolveLocked queries one unresolved sale; the caller holds its claim.
// Never a new charge: only GET /charges/{reference}.
func (s *Service) resolveLocked(ctx context.Context, js journal.Sale) (Sale, error) {
	ref := js.Reference
	ch, err := s.client.QueryCharge(ctx, ref)
	now := s.now()
	var sale Sale
	var decision string
	// Kora's own query is the first authority: when it answers with a
	// final status, that is recorded and the store server is not asked
	// (a webhook that disagrees is the server's discrepancy to report,
	// since the query is Kora's record now and a webhook is a notice of
	// it sent earlier). When the query's answer is lost or unclear (no
	// answer, a refused key, still in progress, "not found" within the
	// grace), a verified webhook the store server received settles the
	// sale, so a customer's change PIN is never lost with Kora's answer.
	var hook *kora.Charge
	if !(err == nil && ch.Status.Final()) && !(errors.Is(err, kora.ErrChargeNotFound) && s.notFoundLongEnough(js, now)) {
		hook = s.webhookCharge(ctx, ref)
	}
	switch {
	case hook != nil:
		decision = "kora's webhook (via the store server) says: " + string(hook.Status)
		sale, err = s.recordCharge(ctx, ref, hook, "webhook")
		if err != nil {
			return Sale{}, err
		}
	case err == nil && ch.Status.Final():
		decision = "kora has it: " + string(ch.Status)
		sale, err = s.recordCharge(ctx, ref, ch, "queried")
		if err != nil {
			return Sale{}, err
		}
	case err == nil:
		decision = "in progress at kora (" + ch.RawStatus + "); check again later"
		err = s.journal.NoteCheck(ctx, ref, now, s.nextCheck(js, now), journal.SeenInProgress, koraStatusDetail+ch.RawStatus)
	case errors.Is(err, kora.ErrChargeNotFound) && s.notFoundLongEnough(js, now):
		decision = "charge not found twice, a grace apart: declined"
		err = s.journal.Record(ctx, ref, now, journal.Outcome{
			Status: journal.Declined, DeclineKind: string(DeclineNotFound), Event: "queried",
			DeclineMessage: "Kora has no record of this charge; nothing was charged.",
			Detail:         "charge not found twice, " + now.Sub(js.NotFoundAt).Round(time.Second).String() + " apart",
		})
	case errors.Is(err, kora.ErrChargeNotFound):
		next := s.nextCheck(js, now)
		first := js.NotFoundAt
		if first.IsZero() {
			first = now
		}
		// Look again once the grace has passed, not much sooner.
		if due := laterOf(first, js.CreatedAt.Add(s.cfg.Kora.Timeout)).Add(s.policy.NotFoundGrace); next.Before(due) && due.Sub(now) < s.policy.RetryMax {
			next = due
		}
		decision = "charge not found; within the grace, look again at " + next.UTC().Format(time.RFC3339)
		err = s.journal.NoteCheck(ctx, ref, now, next, journal.SeenNotFound, "charge not found")
	case errors.Is(err, kora.ErrUnauthorized):
		// Kora refused this till's key for the query too: the sale stays
		// unresolved (never declined by guess) and is marked KeyRefused.
		s.log.Warn("query refused: invalid authorization key", "reference", ref)
		decision = "key refused; held unresolved"
		err = s.journal.NoteCheck(ctx, ref, now, s.nextCheck(js, now), journal.NoAnswer, keyRefusedDetail+err.Error())
	default:
		s.log.Warn("query failed", "reference", ref, "err", err)
		decision = "no answer; check again later"
		err = s.journal.NoteCheck(ctx, ref, now, s.nextCheck(js, now), journal.NoAnswer, "query failed: "+err.Error())
	}
	if err != nil && !errors.Is(err, journal.ErrFinal) {
		return Sale{}, err
	}
	if sale.Reference == "" {
		js, err := s.journal.Get(ctx, ref)
		if err != nil {
			return Sale{}, err
		}
		sale = s.sale(ctx, js)
	}
	if s.debugOn() {
		s.log.Debug("reconcile decision", "reference", ref, "decision", decision, "status", string(sale.Status), "checks", sale.Checks)
		s.logState(ref, js.Status, sale.Status, "queried: "+decision)
	}
	s.tell(sale)
	return sale, nil
}

// notFoundLongEnough: Kora said "Charge not found" before, at least the
// grace ago, and the original request has had its whole timeout and the
// grace to arrive.
func (s *Service) notFoundLongEnough(js journal.Sale, now time.Time) bool {
	if js.NotFoundAt.IsZero() {
		return false
	}
	g := s.policy.NotFoundGrace
	return now.Sub(js.NotFoundAt) >= g && now.Sub(js.CreatedAt) >= s.cfg.Kora.Timeout+g
}

// nextCheck is the backoff: RetryBase doubling per check, up to RetryMax.
func (s *Service) nextCheck(js journal.Sale, now time.Time) time.Time {
	d := s.policy.RetryBase
	for i := 0; i < js.Checks && d < s.policy.RetryMax; i++ {
		d *= 2
	}
	return now.Add(min(d, s.policy.RetryMax))
}

func laterOf(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// ReconcileReport says what one reconciliation pass did.
type ReconcileReport struct {
	Checked  int
	Resolved []Sale // became approved or declined
	Still    []Sale // still pending or unknown
}

// Reconcile queries the unresolved sales once: those due by their backoff,
// or every one when all is set. It never charges.
func (s *Service) Reconcile(ctx context.Context, all bool) (ReconcileReport, error) {
	var rep ReconcileReport
	rows, err := s.journal.Unresolved(ctx)
	if err != nil {
		return rep, err
	}
	if len(rows) > 0 {
		s.log.Debug("reconcile pass", "unresolved", len(rows), "all", all)
	}
	for _, js := range rows {
		if ctx.Err() != nil {
			return rep, ctx.Err()
		}
		if !all && js.NextCheckAt.After(s.now()) {
			s.log.Debug("reconcile decision", "reference", js.Reference, "decision", "not due until "+js.NextCheckAt.UTC().Format(time.RFC3339))
			rep.Still = append(rep.Still, s.sale(ctx, js))
			continue
		}
		if !s.claim(js.Reference) {
			continue
		}
		sale, err := s.resolveLocked(ctx, js)
		s.release(js.Reference)
		if err != nil {
			return rep, fmt.Errorf("resolving %s: %w", js.Reference, err)
		}
		rep.Checked++
		if sale.Final() {
			rep.Resolved = append(rep.Resolved, sale)
		} else {
			rep.Still = append(rep.Still, sale)
		}
	}
	return rep, nil
}

// Run reconciles in the background until ctx ends: at once (pending sales
// left by a crash), then whenever a sale's next check is due or a new
// unknown outcome is recorded.
func (s *Service) Run(ctx context.Context) {
	for {
		if _, err := s.Reconcile(ctx, false); err != nil && ctx.Err() == nil {
			s.log.Error("reconcile", "err", err)
		}
		wait := s.untilNextCheck(ctx)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-s.wake:
		case <-t.C:
		}
		t.Stop()
	}
}

// untilNextCheck is how long the reconciler may sleep.
func (s *Service) untilNextCheck(ctx context.Context) time.Duration {
	const idle = time.Minute
	rows, err := s.journal.Unresolved(ctx)
	if err != nil || len(rows) == 0 {
		return idle
	}
	next := rows[0].NextCheckAt
	for _, r := range rows[1:] {
		if r.NextCheckAt.Before(next) {
			next = r.NextCheckAt
		}
	}
	return min(max(next.Sub(s.now()), 50*time.Millisecond), idle)
}

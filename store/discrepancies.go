package store

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"voucherpos/internal/cli"
)

// DiscrepancyKind names one way Kora's word and the tills' disagree.
type DiscrepancyKind string

// The kinds `server discrepancies` reports.
const (
	// Kora's webhook says success; the till recorded the sale declined.
	KoraSuccessTillDeclined DiscrepancyKind = "kora_success_till_declined"
	// Kora's webhook says success; the till still has the sale unresolved
	// a while after the webhook came.
	KoraSuccessTillUnresolved DiscrepancyKind = "kora_success_till_unresolved"
	// Kora's webhook says success; no till has reported such a sale.
	KoraSuccessNoSale DiscrepancyKind = "kora_success_no_sale"
	// The till recorded the sale approved; Kora's webhook says failed
	// (and none says success).
	TillApprovedKoraFailed DiscrepancyKind = "till_approved_kora_failed"
	// Both say approved, but the amount, fee, VAT or currency differ.
	AmountsDiffer DiscrepancyKind = "amounts_differ"
	// A till holds events the server does not, and has not been heard from
	// for a while: the ledger is missing part of its chain.
	ChainGap DiscrepancyKind = "chain_gap"
	// A till offered a different event at a seq the server holds.
	ChainConflict DiscrepancyKind = "chain_conflict"
	// A webhook that has matched no sale for more than a day.
	WebhookUnmatched DiscrepancyKind = "webhook_unmatched"
)

// DiscrepancyKinds lists every kind, in the order reports print them.
var DiscrepancyKinds = []DiscrepancyKind{KoraSuccessTillDeclined, KoraSuccessTillUnresolved, KoraSuccessNoSale,
	TillApprovedKoraFailed, AmountsDiffer, ChainGap, ChainConflict, WebhookUnmatched}

// DiscrepancyAction says what to do about each kind.
var DiscrepancyAction = map[DiscrepancyKind]string{
	KoraSuccessTillDeclined:   "the customer paid: Kora took the money but the till said declined. Run `voucherpos reconcile` on the till (its query settles it); if the customer left without goods, contact them or Kora support.",
	KoraSuccessTillUnresolved: "the till has not settled a sale Kora says succeeded: check the till is running and reaches the store server; its reconciler settles it from the webhook.",
	KoraSuccessNoSale:         "Kora took money for a reference no till has shipped: check for a till that is offline or not shipping (server tills), then the sale on that till.",
	TillApprovedKoraFailed:    "the till gave goods for a charge Kora says failed: query the charge (voucherpos reconcile on the till, or Kora's dashboard) and recover the amount from the customer if Kora confirms.",
	AmountsDiffer:             "the till and Kora disagree on the money: the shop's takings follow Kora's figures; compare the sale on the till (server sale REFERENCE) with Kora's dashboard.",
	ChainGap:                  "the server is missing events a till holds: check the till's network and [store_server] config; it resends by itself once it reaches the server.",
	ChainConflict:             "a till's history differs from what the server holds (journal restored or replaced?): do not delete anything; compare the till's journal with `server sale` and call support.",
	WebhookUnmatched:          "a webhook for a reference no till has reported in a day: look the reference up in Kora's dashboard (a charge made outside voucherpos, or a till lost?).",
}

// Discrepancy is one disagreement found.
type Discrepancy struct {
	Kind          DiscrepancyKind
	TerminalID    string
	Reference     string // ours
	KoraReference string
	Detail        string
}

// How long before a disagreement that may still settle by itself is
// reported: a till settles from the webhook in its next reconcile pass,
// and ships its events within seconds when online.
const (
	unresolvedGrace = 15 * time.Minute
	unmatchedAfter  = 24 * time.Hour
	gapAfter        = 15 * time.Minute
)

// discrepancySalesQuery: the day's sales (sales_created), each with the
// webhook that speaks for it (success first: see Webhooks.Outcome), found
// through kora_webhooks_payment_reference or kora_webhooks_kora_reference.
const discrepancySalesQuery = `SELECT s.reference, s.terminal_id, s.kora_reference, s.status, s.currency, s.currency_digits,
	s.amount_charged, s.fee, s.vat, k.status, k.kora_reference, k.currency, k.amount, k.fee, k.vat, k.received_at
	FROM sales s
	JOIN LATERAL (
		SELECT * FROM (
			SELECT w.status, w.kora_reference, w.currency, w.amount, w.fee, w.vat, w.received_at, w.id
			FROM kora_webhooks w WHERE w.payment_reference = s.reference
			UNION ALL
			SELECT w.status, w.kora_reference, w.currency, w.amount, w.fee, w.vat, w.received_at, w.id
			FROM kora_webhooks w WHERE s.kora_reference <> '' AND w.kora_reference = s.kora_reference AND w.payment_reference = ''
		) m ORDER BY (m.status = 'success') DESC, (m.status = 'failed') DESC, m.received_at, m.id LIMIT 1
	) k ON true
	WHERE s.created_at >= $1 AND s.created_at < $2
	ORDER BY s.created_at, s.reference`

// discrepancyUnmatchedQuery: the day's webhooks (kora_webhooks_received)
// that match no sale (sales' primary key, sales_kora_reference).
const discrepancyUnmatchedQuery = `SELECT k.event, k.status, k.payment_reference, k.kora_reference, k.currency, k.currency_digits,
	k.amount, k.received_at FROM kora_webhooks k
	WHERE k.received_at >= $1 AND k.received_at < $2
	AND NOT EXISTS (SELECT 1 FROM sales s WHERE s.reference = k.payment_reference)
	AND NOT (k.payment_reference = '' AND k.kora_reference <> '' AND EXISTS (SELECT 1 FROM sales s WHERE s.kora_reference = k.kora_reference))
	ORDER BY k.received_at, k.id`

// discrepancyConflictQuery: the day's chain conflicts (chain_conflicts_detected).
const discrepancyConflictQuery = `SELECT terminal_id, seq, detected_at FROM chain_conflicts
	WHERE detected_at >= $1 AND detected_at < $2 ORDER BY detected_at, id`

// Discrepancies finds every disagreement of day (its calendar date in its
// zone) between Kora's webhooks and the tills' sales, and each till's
// chain, as of the ledger's clock.
func (l *Ledger) Discrepancies(ctx context.Context, day time.Time) ([]Discrepancy, error) {
	from, to := dayBounds(day)
	now := l.now()
	var out []Discrepancy
	err := eachRow(ctx, l.pool, discrepancySalesQuery, []any{ts(from), ts(to)}, func(rows *sql.Rows) error {
		var ref, till, sKora, status, cur, kStatus, kKora, kCur string
		var digits int
		var charged, fee, vat int64
		var kAmount, kFee, kVAT *int64
		var received time.Time
		if err := rows.Scan(&ref, &till, &sKora, &status, &cur, &digits, &charged, &fee, &vat,
			&kStatus, &kKora, &kCur, &kAmount, &kFee, &kVAT, &received); err != nil {
			return err
		}
		d := Discrepancy{TerminalID: till, Reference: ref, KoraReference: firstNonEmpty(kKora, sKora)}
		money := func(v int64) string { return cur + " " + plain(v, digits) }
		switch {
		case kStatus == "success" && status == "declined":
			d.Kind, d.Detail = KoraSuccessTillDeclined, "Kora: success"+amountNote(kAmount, money)+"; till: declined"
		case kStatus == "success" && (status == "unknown" || status == "pending"):
			if now.Sub(received) < unresolvedGrace {
				return nil
			}
			d.Kind, d.Detail = KoraSuccessTillUnresolved, "Kora: success"+amountNote(kAmount, money)+"; till: "+status+" since the webhook at "+received.In(day.Location()).Format("15:04")
		case kStatus == "failed" && status == "approved":
			d.Kind, d.Detail = TillApprovedKoraFailed, "till: approved, charged "+money(charged)+"; Kora: failed"
		case kStatus == "success" && status == "approved":
			var diffs []string
			if !strings.EqualFold(kCur, cur) {
				diffs = append(diffs, "currency till "+cur+", Kora "+kCur)
			} else {
				for _, f := range []struct {
					name string
					till int64
					kora *int64
				}{{"charged", charged, kAmount}, {"fee", fee, kFee}, {"vat", vat, kVAT}} {
					if f.kora != nil && *f.kora != f.till {
						diffs = append(diffs, fmt.Sprintf("%s till %s, Kora %s", f.name, money(f.till), money(*f.kora)))
					}
				}
			}
			if len(diffs) == 0 {
				return nil
			}
			d.Kind, d.Detail = AmountsDiffer, strings.Join(diffs, "; ")
		default:
			return nil
		}
		out = append(out, d)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("discrepancies: %w", err)
	}

	err = eachRow(ctx, l.pool, discrepancyUnmatchedQuery, []any{ts(from), ts(to)}, func(rows *sql.Rows) error {
		var event, status, pref, kref, cur string
		var digits int
		var amount *int64
		var received time.Time
		if err := rows.Scan(&event, &status, &pref, &kref, &cur, &digits, &amount, &received); err != nil {
			return err
		}
		money := func(v int64) string { return cur + " " + plain(v, digits) }
		d := Discrepancy{Reference: pref, KoraReference: kref}
		age := now.Sub(received)
		switch {
		case age >= unmatchedAfter:
			d.Kind, d.Detail = WebhookUnmatched, event+" ("+status+amountNote(amount, money)+") received "+received.In(day.Location()).Format("2006-01-02 15:04")+", no sale since"
		case status == "success" && age >= unresolvedGrace:
			d.Kind, d.Detail = KoraSuccessNoSale, "Kora: success"+amountNote(amount, money)+"; no till has this sale"
		default:
			return nil
		}
		out = append(out, d)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("discrepancies: %w", err)
	}

	err = eachRow(ctx, l.pool, discrepancyConflictQuery, []any{ts(from), ts(to)}, func(rows *sql.Rows) error {
		var till string
		var seq int64
		var at time.Time
		if err := rows.Scan(&till, &seq, &at); err != nil {
			return err
		}
		out = append(out, Discrepancy{Kind: ChainConflict, TerminalID: till,
			Detail: fmt.Sprintf("a different event offered at seq %d, %s", seq, at.In(day.Location()).Format("15:04:05"))})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("discrepancies: %w", err)
	}

	// Gaps are the tills' state now (a small table, one row per till).
	tills, err := l.Tills(ctx)
	if err != nil {
		return nil, err
	}
	for _, t := range tills {
		if t.Lag() > 0 && t.RevokedAt.IsZero() && (t.LastSeen.IsZero() || now.Sub(t.LastSeen) >= gapAfter) {
			seen := "never seen"
			if !t.LastSeen.IsZero() {
				seen = "last seen " + t.LastSeen.In(day.Location()).Format("2006-01-02 15:04")
			}
			out = append(out, Discrepancy{Kind: ChainGap, TerminalID: t.TerminalID,
				Detail: fmt.Sprintf("the server holds up to seq %d, the till said %d (%s)", t.LastSeq, t.HeadSeq, seen)})
		}
	}
	order := map[DiscrepancyKind]int{}
	for i, k := range DiscrepancyKinds {
		order[k] = i
	}
	sort.SliceStable(out, func(i, j int) bool { return order[out[i].Kind] < order[out[j].Kind] })
	return out, nil
}

func amountNote(v *int64, money func(int64) string) string {
	if v == nil {
		return ""
	}
	return ", " + money(*v)
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// CountDiscrepancies is how many of each kind ds holds, every kind present.
func CountDiscrepancies(ds []Discrepancy) map[DiscrepancyKind]int {
	out := map[DiscrepancyKind]int{}
	for _, k := range DiscrepancyKinds {
		out[k] = 0
	}
	for _, d := range ds {
		out[d.Kind]++
	}
	return out
}

// WriteDiscrepancies prints `server discrepancies`: one line per
// disagreement, then what to do about each kind found.
func WriteDiscrepancies(w io.Writer, day time.Time, ds []Discrepancy) error {
	if len(ds) == 0 {
		_, err := fmt.Fprintf(w, "No discrepancies on %s: Kora's webhooks, the tills' sales and their chains agree.\n", day.Format("2006-01-02"))
		return err
	}
	fmt.Fprintf(w, "%d discrepancies on %s\n\n", len(ds), day.Format("2006-01-02"))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "KIND\tTILL\tREFERENCE\tKORA REFERENCE\tWHAT")
	for _, d := range ds {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", d.Kind, cli.OrDash(d.TerminalID), cli.OrDash(d.Reference), cli.OrDash(d.KoraReference), d.Detail)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, "\nwhat to do:")
	counts := CountDiscrepancies(ds)
	for _, k := range DiscrepancyKinds {
		if counts[k] > 0 {
			fmt.Fprintf(w, "  %s (%d): %s\n", k, counts[k], DiscrepancyAction[k])
		}
	}
	return nil
}

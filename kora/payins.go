package kora

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// PayInTimeLayout is how Pay-ins History takes date_from and date_to
// (YYYY-MM-DD-HH-MM-SS).
const PayInTimeLayout = "2006-01-02-15-04-05"

// DefaultMaxPayInPages bounds one ListPayIns when the query sets no bound.
const DefaultMaxPayInPages = 100

// ErrPayInsTruncated: ListPayIns stopped at its page bound (or at a page
// that could not lead further) with more pay-ins still to come. The pay-ins
// read so far are returned with it.
var ErrPayInsTruncated = errors.New("kora: pay-ins history truncated")

// PayInQuery selects pay-ins: GET /api/v1/pay-ins.
type PayInQuery struct {
	Currency string
	// From and To bound date_created; zero is unbounded. They are sent in
	// the zone they carry: Kora's pages do not say which zone it reads
	// them in, so the caller chooses (a guess Kora's docs leave open).
	From, To time.Time
	// Limit is the page size; 0 sends none (Kora's default is 10).
	Limit int
	// MaxPages bounds the pages read; 0 means DefaultMaxPayInPages.
	MaxPages int
}

// PayIn is one item of Kora's Pay-ins History. Its "reference" is Kora's
// own (KPY-…), in TransactionReference; Reference is the merchant's only
// when Kora adds a payment_reference. Match a pay-in to a sale by
// Description, which carries the till's reference.
type PayIn struct {
	Pointer string
	Charge
	DateCreated   time.Time
	DateCompleted time.Time
}

// ListPayIns reads Pay-ins History page by page (starting_after the last
// pointer) until has_more is false, bounded by q.MaxPages and ctx.
func (c *Client) ListPayIns(ctx context.Context, q PayInQuery) ([]PayIn, error) {
	maxPages := q.MaxPages
	if maxPages <= 0 {
		maxPages = DefaultMaxPayInPages
	}
	var out []PayIn
	after := ""
	for range maxPages {
		page, more, err := c.payInsPage(ctx, q, after)
		out = append(out, page...)
		if err != nil {
			return out, err
		}
		if !more {
			return out, nil
		}
		if len(page) == 0 || page[len(page)-1].Pointer == "" || page[len(page)-1].Pointer == after {
			return out, fmt.Errorf("%w: has_more without a pointer to go on from", ErrPayInsTruncated)
		}
		after = page[len(page)-1].Pointer
	}
	return out, fmt.Errorf("%w: more than %d pages", ErrPayInsTruncated, maxPages)
}

func (c *Client) payInsPage(ctx context.Context, q PayInQuery, after string) ([]PayIn, bool, error) {
	v := url.Values{}
	if q.Currency != "" {
		v.Set("currency", q.Currency)
	}
	if !q.From.IsZero() {
		v.Set("date_from", q.From.Format(PayInTimeLayout))
	}
	if !q.To.IsZero() {
		v.Set("date_to", q.To.Format(PayInTimeLayout))
	}
	if q.Limit > 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	if after != "" {
		v.Set("starting_after", after)
	}
	path := "/api/v1/pay-ins"
	if len(v) > 0 {
		path += "?" + v.Encode()
	}
	env, status, err := c.do(ctx, http.MethodGet, path, nil)
	if err != nil {
		return nil, false, err
	}
	items, more, err := decodePayIns(env.Data)
	if err != nil {
		return nil, false, &Error{StatusCode: status, Message: "unreadable pay-ins: " + err.Error(), unknown: true}
	}
	for _, p := range items {
		c.noteStatus(p.Status, p.Reference)
	}
	return items, more, nil
}

// decodePayIns reads a page: {"has_more": bool, "data": [...]} inside
// Kora's envelope (a bare array is read as a last page). Each item is
// decoded tolerantly; an item that is not an object is skipped.
func decodePayIns(data json.RawMessage) ([]PayIn, bool, error) {
	var page struct {
		HasMore flexBool          `json:"has_more"`
		Data    []json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(data, &page); err != nil {
		var list []json.RawMessage
		if json.Unmarshal(data, &list) != nil {
			return nil, false, err
		}
		page.Data = list
	}
	out := make([]PayIn, 0, len(page.Data))
	for _, raw := range page.Data {
		var w wireChargeOut
		if json.Unmarshal(raw, &w) != nil {
			continue
		}
		var obj map[string]json.RawMessage
		_ = json.Unmarshal(raw, &obj)   // an object: wireChargeOut read it
		var created, completed flexTime // never fail: unreadable is zero
		_ = created.UnmarshalJSON(obj["date_created"])
		_ = completed.UnmarshalJSON(obj["date_completed"])
		ch := w.charge()
		// In Pay-ins History "reference" is Kora's whatever it looks like.
		if w.PaymentReference == "" && w.Reference != "" {
			ch.Reference, ch.TransactionReference = "", w.Reference
		}
		out = append(out, PayIn{Pointer: optString(obj["pointer"]), Charge: ch,
			DateCreated: time.Time(created), DateCompleted: time.Time(completed)})
	}
	return out, bool(page.HasMore), nil
}

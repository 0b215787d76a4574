package sandbox

import (
	"net/http"
	"strconv"
	"time"

	"voucherpos/kora"
)

// payInJSON is one item of Pay-ins History, with the fields Kora lists.
type payInJSON struct {
	Pointer        string      `json:"pointer"`
	Reference      string      `json:"reference"` // Kora's (KPY-…)
	Status         string      `json:"status"`
	Amount         kora.Amount `json:"amount"`
	AmountPaid     kora.Amount `json:"amount_paid"`
	AmountExpected kora.Amount `json:"amount_expected"`
	Fee            kora.Amount `json:"fee"`
	Currency       string      `json:"currency"`
	Description    string      `json:"description"`
	PaymentMethod  string      `json:"payment_method"`
	Message        string      `json:"message"`
	DateCreated    string      `json:"date_created"`
	DateCompleted  *string     `json:"date_completed"`
}

type payInsPage struct {
	HasMore bool        `json:"has_more"`
	Data    []payInJSON `json:"data"`
}

const (
	defaultPayInsLimit = 10
	maxPayInsLimit     = 100
	wireTime           = "2006-01-02 15:04:05"
)

// payIns serves GET /api/v1/pay-ins: the ledger's charges, newest first,
// filtered by currency and date_created (date_from/date_to as
// YYYY-MM-DD-HH-MM-SS, read in UTC: the sandbox's choice), paged by limit
// and the starting_after / ending_before pointers.
func (s *Sandbox) payIns(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	errs := map[string]string{}
	limit := defaultPayInsLimit
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxPayInsLimit {
			errs["limit"] = "limit must be a whole number from 1 to 100"
		}
		limit = n
	}
	var from, to time.Time
	for key, dst := range map[string]*time.Time{"date_from": &from, "date_to": &to} {
		if v := q.Get(key); v != "" {
			t, err := time.ParseInLocation(kora.PayInTimeLayout, v, time.UTC)
			if err != nil {
				errs[key] = key + " must be YYYY-MM-DD-HH-MM-SS"
			}
			*dst = t
		}
	}
	pointer := func(key string) int {
		v := q.Get(key)
		if v == "" {
			return 0
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			errs[key] = key + " must be a pointer from an earlier page"
		}
		return n
	}
	after, before := pointer("starting_after"), pointer("ending_before")
	if after > 0 && before > 0 {
		errs["starting_after"] = "starting_after and ending_before cannot be used together"
	}
	if len(errs) > 0 {
		writeError(w, http.StatusBadRequest, msgInvalidRequest, errs)
		return
	}
	currency := q.Get("currency")

	s.mu.Lock()
	var all []payInJSON // newest first
	for i := len(s.order) - 1; i >= 0; i-- {
		c := s.charges[s.order[i]]
		if currency != "" && c.currency != currency ||
			!from.IsZero() && c.created.Before(from) || !to.IsZero() && c.created.After(to) {
			continue
		}
		if after > 0 && c.seq >= after || before > 0 && c.seq <= before {
			continue
		}
		all = append(all, c.payIn())
	}
	s.mu.Unlock()

	page := payInsPage{Data: all}
	if len(all) > limit {
		page.HasMore = true
		if before > 0 {
			page.Data = all[len(all)-limit:] // the ones just before the pointer
		} else {
			page.Data = all[:limit]
		}
	}
	if page.Data == nil {
		page.Data = []payInJSON{}
	}
	writeJSON(w, http.StatusOK, envelope{Status: true, Message: "Pay-ins retrieved successfully", Data: page})
}

func (c *charge) payIn() payInJSON {
	p := payInJSON{
		Pointer: strconv.Itoa(c.seq), Reference: c.txRef, Status: string(c.status),
		Amount: cents(c.requested), AmountPaid: cents(c.amount), AmountExpected: cents(c.requested),
		Fee: cents(c.fee), Currency: c.currency, Description: c.description, PaymentMethod: "voucher",
		Message: c.message, DateCreated: c.created.Format(wireTime),
	}
	if c.status.Final() {
		done := c.created.Format(wireTime)
		p.DateCompleted = &done
	}
	return p
}

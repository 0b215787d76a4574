package ui

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"voucherpos/pos"
	"voucherpos/pos/config"
)

// fakeTill is an in-memory Till on the test clock: what the screens need
// of pos, without a journal or Kora. A sale is approved for what was asked
// unless its PIN says otherwise (fakeOutcomes).
type fakeTill struct {
	mu        sync.Mutex
	now       func() time.Time
	cur       pos.Currency
	max       pos.Money
	providers []pos.Provider
	sales     []pos.Sale
	printer   string // "" none
	printed   []string
	onUpdate  func(pos.Sale)
}

// fakeOutcomes are the PINs that end otherwise than approved.
var fakeOutcomes = map[string]pos.Sale{
	"1234123412341234": {Status: pos.Declined, DeclineKind: pos.DeclineInvalidPIN},
	"9000000000000002": {Status: pos.Unknown},
}

func newFakeTill(now func() time.Time) *fakeTill {
	cur, err := pos.LookupCurrency("ZAR")
	if err != nil {
		panic(err)
	}
	return &fakeTill{now: now, cur: cur, max: 500000, providers: config.Demo(func(string) string { return "" }).Providers}
}

func (f *fakeTill) Now() time.Time            { return f.now() }
func (f *fakeTill) Currency() pos.Currency    { return f.cur }
func (f *fakeTill) Providers() []pos.Provider { return f.providers }
func (f *fakeTill) ParseAmount(s string) (pos.Money, error) {
	return f.cur.ParseInput(s, f.max)
}

func (f *fakeTill) Submit(_ context.Context, o pos.Order) (pos.Sale, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := fakeOutcomes[o.PIN]
	s.Reference = fmt.Sprintf("fake-%04d", len(f.sales)+1)
	s.CreatedAt, s.Currency, s.Requested, s.ProviderCode = f.now(), f.cur, o.Amount, o.ProviderCode
	if len(o.PIN) >= 4 {
		s.PINLast4 = o.PIN[len(o.PIN)-4:]
	}
	if s.Status == "" {
		s.Status, s.Charged, s.KoraReference = pos.Approved, o.Amount, "KPY-CA-fake"+s.Reference[5:]
	}
	f.sales = append(f.sales, s)
	return s, nil
}

func (f *fakeTill) Resolve(_ context.Context, ref string) (pos.Sale, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, s := range f.sales {
		if s.Reference == ref {
			if !s.Final() {
				s.Status, s.Charged = pos.Approved, s.Requested
				f.sales[i] = s
			}
			return s, nil
		}
	}
	return pos.Sale{}, errors.New("no such sale")
}

func (f *fakeTill) ChangePIN(context.Context, string) (string, error) { return "", nil }

func (f *fakeTill) Unresolved(context.Context) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, s := range f.sales {
		if !s.Final() {
			n++
		}
	}
	return n, nil
}

func (f *fakeTill) Day(_ context.Context, t time.Time) ([]pos.Sale, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	from := startOfDay(t)
	var out []pos.Sale
	for _, s := range f.sales {
		if !s.CreatedAt.Before(from) && s.CreatedAt.Before(from.AddDate(0, 0, 1)) {
			out = append(out, s)
		}
	}
	return out, nil
}

func (f *fakeTill) Slip(_ context.Context, ref string, reprint bool) (pos.Slip, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, s := range f.sales {
		if s.Reference == ref {
			return pos.BuildSlip(s, pos.ReceiptInfo{StoreName: "Fake Store", Width: 32, Reprint: reprint}), nil
		}
	}
	return pos.Slip{}, errors.New("no such sale")
}

func (f *fakeTill) Print(_ context.Context, ref string, reprint bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.printer == "" {
		return errors.New("no receipt printer is configured")
	}
	f.printed = append(f.printed, ref)
	return nil
}

func (f *fakeTill) HasPrinter() bool           { return f.printer != "" }
func (f *fakeTill) PrinterName() string        { return f.printer }
func (f *fakeTill) OnUpdate(fn func(pos.Sale)) { f.onUpdate = fn }

var _ Till = (*fakeTill)(nil)

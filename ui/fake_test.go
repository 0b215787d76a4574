package ui

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"voucherpos/kora/sandbox"
	"voucherpos/pos"
	"voucherpos/pos/config"
)

// fakeTill is an in-memory Till on the test clock: what the screens need
// of pos, without a journal or Kora. Sales end as the sandbox's demo
// vouchers do (sandbox.DemoVouchers, by their named PINs): the screens'
// tests read like the demo, and the sandbox itself is left to the
// end-to-end tests.
type fakeTill struct {
	mu        sync.Mutex
	now       func() time.Time
	cur       pos.Currency
	max       pos.Money
	providers []pos.Provider
	vouchers  map[string]sandbox.Voucher
	sales     []pos.Sale
	printer   string // "" none
	broken    bool   // the printer is not connected
	printed   []string
	onUpdate  func(pos.Sale)
	// keyRefused: Kora answers 401 to everything; unreachable: nothing
	// reaches Kora.
	keyRefused, unreachable bool
	// storeSales are the store server's (nil: no store server); sync is
	// where shipping stands.
	storeSales []pos.Sale
	sync       pos.SyncStatus
}

// fakeChangePIN is the change voucher's PIN every fake redemption issues.
const fakeChangePIN = "4978912404790295"

func newFakeTill(now func() time.Time) *fakeTill {
	cur, err := pos.LookupCurrency("ZAR")
	if err != nil {
		panic(err)
	}
	f := &fakeTill{now: now, cur: cur, max: 500000, vouchers: map[string]sandbox.Voucher{},
		providers: config.Demo(func(string) string { return "" }).Providers}
	for _, v := range sandbox.DemoVouchers() {
		f.vouchers[v.PIN] = v
	}
	return f
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
	if o.Retry != "" {
		for i, s := range f.sales {
			if s.Reference == o.Retry {
				f.sales = append(f.sales[:i], f.sales[i+1:]...)
				break
			}
		}
	}
	s := f.charge(o)
	s.Reference = o.Retry
	if s.Reference == "" {
		s.Reference = fmt.Sprintf("demo-1-%d-%04d", f.now().Unix(), len(f.sales)+1)
	}
	s.CreatedAt, s.Currency, s.Requested, s.ProviderCode = f.now(), f.cur, o.Amount, o.ProviderCode
	for _, p := range f.providers {
		if p.Code == o.ProviderCode {
			s.ProviderName = p.Name
		}
	}
	if len(o.PIN) >= 4 {
		s.PINLast4 = o.PIN[len(o.PIN)-4:]
	}
	f.sales = append(f.sales, s)
	return s, nil
}

// charge is what the sandbox's Kora would make of an order.
func (f *fakeTill) charge(o pos.Order) pos.Sale {
	declined := func(k pos.DeclineKind) pos.Sale { return pos.Sale{Status: pos.Declined, DeclineKind: k} }
	v, known := f.vouchers[o.PIN]
	switch {
	case f.unreachable:
		return declined(pos.DeclineNotSent)
	case f.keyRefused:
		return pos.Sale{Status: pos.Unknown, KeyRefused: true}
	case o.ProviderCode == sandbox.UnsupportedProvider:
		return declined(pos.DeclineProviderNotSupported)
	case known && v.Provider == "0003":
		return declined(pos.DeclineProviderNotActive)
	case !known || v.Provider != o.ProviderCode:
		return declined(pos.DeclineInvalidPIN)
	case v.Used:
		return declined(pos.DeclineVoucherUsed)
	case v.Fault != sandbox.FaultNone || v.Status != "":
		return pos.Sale{Status: pos.Unknown} // Resolve settles it
	case v.Limit > 0 && int64(o.Amount) > v.Limit:
		return declined(pos.DeclineAmountExceeds)
	}
	balance := pos.Money(v.Balance)
	s := pos.Sale{Status: pos.Approved, Charged: o.Amount, KoraReference: "KPY-CA-fake" + o.PIN[len(o.PIN)-4:], HasBalance: true}
	switch {
	case o.ProviderCode == "0002": // OTT: a charge above the balance takes the balance
		s.Charged = min(o.Amount, balance)
	case o.Amount > balance:
		return declined(pos.DeclineInsufficientFunds)
	case o.Amount < balance: // 1Voucher: a change voucher for the rest
		s.HasChangePIN, s.ChangePIN, s.VoucherSerial = true, fakeChangePIN, "20250000000000160016"
		s.Expiry = f.now().AddDate(3, 0, 0)
	}
	s.Balance = balance - s.Charged
	v.Balance -= int64(s.Charged)
	f.vouchers[o.PIN] = v
	s.Fee = (s.Charged*15 + 500) / 1000 // 1.5 %, as the sandbox charges
	s.VAT = (s.Fee*15 + 50) / 100
	return s
}

func (f *fakeTill) Get(_ context.Context, ref string) (pos.Sale, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, s := range f.sales {
		if s.Reference == ref {
			return s, nil
		}
	}
	return pos.Sale{}, errors.New("no such sale")
}

func (f *fakeTill) Resolve(_ context.Context, ref string) (pos.Sale, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, s := range f.sales {
		if s.Reference == ref {
			if !s.Final() && !s.KeyRefused && s.KoraStatus == "" {
				s.Status, s.Charged, s.KoraReference = pos.Approved, s.Requested, "KPY-CA-fake"+s.PINLast4
				f.sales[i] = s
			}
			return s, nil
		}
	}
	return pos.Sale{}, errors.New("no such sale")
}

func (f *fakeTill) ChangePIN(ctx context.Context, ref string) (string, error) {
	s, err := f.Get(ctx, ref)
	if err != nil || !s.HasChangePIN {
		return "", err
	}
	return fakeChangePIN, nil
}

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

func (f *fakeTill) DayWindow(ctx context.Context, t time.Time, statuses []pos.Status, offset, limit int) (pos.DayWindow, error) {
	day, _ := f.Day(ctx, t)
	var kept []pos.Sale
	for i := len(day) - 1; i >= 0; i-- {
		if len(statuses) == 0 || slices.Contains(statuses, day[i].Status) {
			kept = append(kept, day[i])
		}
	}
	w := pos.DayWindow{Total: len(kept), Offset: offset}
	if offset < len(kept) {
		w.Sales = kept[offset:min(offset+limit, len(kept))]
	}
	return w, nil
}

func (f *fakeTill) DayReport(ctx context.Context, t time.Time) (pos.Report, error) {
	day, _ := f.Day(ctx, t)
	return pos.BuildReport(t, f.cur, day), nil
}

func (f *fakeTill) Slip(_ context.Context, ref string, reprint bool) (pos.Slip, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, s := range f.sales {
		if s.Reference == ref {
			pin := ""
			if s.HasChangePIN {
				pin = fakeChangePIN
			}
			return pos.BuildSlip(s, pos.ReceiptInfo{StoreName: "Demo Spaza", Width: 32, Reprint: reprint, ChangePIN: pin, Demo: true}), nil
		}
	}
	return pos.Slip{}, errors.New("no such sale")
}

// Print keeps each slip's text as printed; a broken printer fails as a
// device that is not there does.
func (f *fakeTill) Print(ctx context.Context, ref string, reprint bool) error {
	slip, err := f.Slip(ctx, ref, reprint)
	if err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case f.printer == "":
		return errors.New("no receipt printer is configured (receipt.printer)")
	case f.broken:
		return fmt.Errorf("printer %s is not connected", f.printer)
	}
	f.printed = append(f.printed, slip.Text())
	return nil
}

func (f *fakeTill) HasPrinter() bool           { return f.printer != "" }
func (f *fakeTill) PrinterName() string        { return f.printer }
func (f *fakeTill) OnUpdate(fn func(pos.Sale)) { f.onUpdate = fn }

var _ Till = (*fakeTill)(nil)

// The store server: off unless a test sets storeSales (other tills' sales).
func (f *fakeTill) StoreEnabled() bool { return f.storeSales != nil }
func (f *fakeTill) SyncStatus() pos.SyncStatus {
	if f.storeSales == nil {
		return pos.SyncStatus{}
	}
	return f.sync
}
func (f *fakeTill) OnSyncChange(fn func(pos.SyncStatus)) {}

func (f *fakeTill) StoreSale(_ context.Context, ref string) (pos.Sale, []pos.StoreEvent, error) {
	for _, s := range f.storeSales {
		if s.Reference == ref {
			return s, []pos.StoreEvent{{At: s.CreatedAt, Kind: "approved", Detail: "KPY-CA-other"}}, nil
		}
	}
	return pos.Sale{}, nil, errors.New("sale not found at the store server")
}

func (f *fakeTill) StoreFind(_ context.Context, last4 string, amount pos.Money) ([]pos.Sale, error) {
	var out []pos.Sale
	for _, s := range f.storeSales {
		if s.PINLast4 == last4 && s.Requested == amount {
			out = append(out, s)
		}
	}
	return out, nil
}

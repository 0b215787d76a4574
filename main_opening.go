package main

import (
	"context"
	"errors"
	"sync"
	"time"

	"voucherpos/pos"
	"voucherpos/ui"
)

// errNotOpened is what the screens get from a till whose journal could not
// be opened; they are closing by then, and runTill reports the real error.
var errNotOpened = errors.New("the till did not open")

// openingTill is the till while its journal opens: the screens start at the
// same time (the terminal's set-up and the first frame's wait overlap the
// journal's opening). What the config alone answers — the clock, the
// currency, the providers, amounts, the printer, whether a store server is
// configured — it answers at once; everything else waits for the journal.
// No method reaches a service whose journal is half open.
type openingTill struct {
	svc   *pos.Service  // made with NoJournal; its journal opens apart
	ready chan struct{} // closed once the journal is open or failed to

	mu       sync.Mutex
	opened   bool
	err      error
	onUpdate []func(pos.Sale)
	onSync   []func(pos.SyncStatus)
}

var _ ui.Till = (*openingTill)(nil)

func newOpeningTill(svc *pos.Service) *openingTill {
	return &openingTill{svc: svc, ready: make(chan struct{})}
}

// done is called once, when svc.OpenJournal has returned err.
func (o *openingTill) done(err error) {
	o.mu.Lock()
	o.opened, o.err = true, err
	if err == nil {
		for _, fn := range o.onUpdate {
			o.svc.OnUpdate(fn)
		}
		for _, fn := range o.onSync {
			o.svc.OnSyncChange(fn)
		}
	}
	o.onUpdate, o.onSync = nil, nil
	o.mu.Unlock()
	close(o.ready)
}

// wait is the service once its journal is open, nil if it did not open.
func (o *openingTill) wait() *pos.Service {
	<-o.ready
	if o.err != nil {
		return nil
	}
	return o.svc
}

func (o *openingTill) Now() time.Time                              { return o.svc.Now() }
func (o *openingTill) Currency() pos.Currency                      { return o.svc.Currency() }
func (o *openingTill) Providers() []pos.Provider                   { return o.svc.Providers() }
func (o *openingTill) ParseAmount(input string) (pos.Money, error) { return o.svc.ParseAmount(input) }
func (o *openingTill) HasPrinter() bool                            { return o.svc.HasPrinter() }
func (o *openingTill) PrinterName() string                         { return o.svc.PrinterName() }

// StoreEnabled is the config's answer until the journal is open: a till
// whose store server cannot be started does not start at all.
func (o *openingTill) StoreEnabled() bool {
	select {
	case <-o.ready:
		return o.err == nil && o.svc.StoreEnabled()
	default:
		return o.svc.Config().StoreServer.Enabled()
	}
}

func (o *openingTill) Submit(ctx context.Context, ord pos.Order) (pos.Sale, error) {
	if s := o.wait(); s != nil {
		return s.Submit(ctx, ord)
	}
	return pos.Sale{}, errNotOpened
}

func (o *openingTill) Resolve(ctx context.Context, ref string) (pos.Sale, error) {
	if s := o.wait(); s != nil {
		return s.Resolve(ctx, ref)
	}
	return pos.Sale{}, errNotOpened
}

func (o *openingTill) ChangePIN(ctx context.Context, ref string) (string, error) {
	if s := o.wait(); s != nil {
		return s.ChangePIN(ctx, ref)
	}
	return "", errNotOpened
}

func (o *openingTill) Unresolved(ctx context.Context) (int, error) {
	if s := o.wait(); s != nil {
		return s.Unresolved(ctx)
	}
	return 0, errNotOpened
}

func (o *openingTill) DayWindow(ctx context.Context, t time.Time, statuses []pos.Status, offset, limit int) (pos.DayWindow, error) {
	if s := o.wait(); s != nil {
		return s.DayWindow(ctx, t, statuses, offset, limit)
	}
	return pos.DayWindow{}, errNotOpened
}

func (o *openingTill) DayReport(ctx context.Context, t time.Time) (pos.Report, error) {
	if s := o.wait(); s != nil {
		return s.DayReport(ctx, t)
	}
	return pos.Report{}, errNotOpened
}

func (o *openingTill) Slip(ctx context.Context, ref string, reprint bool) (pos.Slip, error) {
	if s := o.wait(); s != nil {
		return s.Slip(ctx, ref, reprint)
	}
	return pos.Slip{}, errNotOpened
}

func (o *openingTill) Print(ctx context.Context, ref string, reprint bool) error {
	if s := o.wait(); s != nil {
		return s.Print(ctx, ref, reprint)
	}
	return errNotOpened
}

func (o *openingTill) OnUpdate(fn func(pos.Sale)) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if !o.opened {
		o.onUpdate = append(o.onUpdate, fn)
	} else if o.err == nil {
		o.svc.OnUpdate(fn)
	}
}

func (o *openingTill) SyncStatus() pos.SyncStatus {
	if s := o.wait(); s != nil {
		return s.SyncStatus()
	}
	return pos.SyncStatus{}
}

func (o *openingTill) OnSyncChange(fn func(pos.SyncStatus)) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if !o.opened {
		o.onSync = append(o.onSync, fn)
	} else if o.err == nil {
		o.svc.OnSyncChange(fn)
	}
}

func (o *openingTill) StoreSale(ctx context.Context, ref string) (pos.Sale, []pos.StoreEvent, error) {
	if s := o.wait(); s != nil {
		return s.StoreSale(ctx, ref)
	}
	return pos.Sale{}, nil, errNotOpened
}

func (o *openingTill) StoreFind(ctx context.Context, pinLast4 string, amount pos.Money) ([]pos.Sale, error) {
	if s := o.wait(); s != nil {
		return s.StoreFind(ctx, pinLast4, amount)
	}
	return nil, errNotOpened
}

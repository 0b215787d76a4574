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

// openingTill is the till while its service opens: the screens start at the
// same time (the terminal's set-up and the first frame's wait overlap the
// journal's opening) and a screen that needs the service waits for it. Only
// the clock answers at once. No method reaches a half-opened service.
type openingTill struct {
	now   func() time.Time
	ready chan struct{} // closed once svc or err is set

	mu       sync.Mutex
	opened   bool
	svc      *pos.Service
	err      error
	onUpdate []func(pos.Sale)
	onSync   []func(pos.SyncStatus)
}

var _ ui.Till = (*openingTill)(nil)

func newOpeningTill(now func() time.Time) *openingTill {
	return &openingTill{now: now, ready: make(chan struct{})}
}

// done is called once, with the opened service or why it did not open.
func (o *openingTill) done(svc *pos.Service, err error) {
	o.mu.Lock()
	o.opened, o.svc, o.err = true, svc, err
	if svc != nil {
		for _, fn := range o.onUpdate {
			svc.OnUpdate(fn)
		}
		for _, fn := range o.onSync {
			svc.OnSyncChange(fn)
		}
	}
	o.onUpdate, o.onSync = nil, nil
	o.mu.Unlock()
	close(o.ready)
}

// wait is the service once opened, nil if it did not open.
func (o *openingTill) wait() *pos.Service {
	<-o.ready
	return o.svc
}

func (o *openingTill) Now() time.Time { return o.now() }

func (o *openingTill) Currency() pos.Currency {
	if s := o.wait(); s != nil {
		return s.Currency()
	}
	return pos.Currency{}
}

func (o *openingTill) Providers() []pos.Provider {
	if s := o.wait(); s != nil {
		return s.Providers()
	}
	return nil
}

func (o *openingTill) ParseAmount(input string) (pos.Money, error) {
	if s := o.wait(); s != nil {
		return s.ParseAmount(input)
	}
	return 0, errNotOpened
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

func (o *openingTill) HasPrinter() bool {
	s := o.wait()
	return s != nil && s.HasPrinter()
}

func (o *openingTill) PrinterName() string {
	if s := o.wait(); s != nil {
		return s.PrinterName()
	}
	return ""
}

func (o *openingTill) OnUpdate(fn func(pos.Sale)) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if !o.opened {
		o.onUpdate = append(o.onUpdate, fn)
	} else if o.svc != nil {
		o.svc.OnUpdate(fn)
	}
}

func (o *openingTill) StoreEnabled() bool {
	s := o.wait()
	return s != nil && s.StoreEnabled()
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
	} else if o.svc != nil {
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

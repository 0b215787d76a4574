package pos

import (
	"context"
	"errors"
	"sync"
	"time"
)

// ErrNotOpened is what an Opening answers once its journal could not be
// opened: the till is closing by then, and reports the real error.
var ErrNotOpened = errors.New("the till did not open")

// Opening is a Service while its journal opens (OpenJournal), for the
// till's screens, which start at the same time: the terminal's set-up and
// the first frame's wait overlap the journal's opening. What the config alone answers — the clock, the
// currency, the providers, amounts, the printer, whether a store server is
// configured — it answers at once; everything else waits for the journal.
// No method reaches a service whose journal is half open.
type Opening struct {
	svc   *Service      // made with NoJournal; its journal opens apart
	ready chan struct{} // closed once the journal is open or failed to

	mu       sync.Mutex
	opened   bool
	err      error
	onUpdate []func(Sale)
	onSync   []func(SyncStatus)
}

// NewOpening is svc, made with NoJournal, while its journal opens; the
// caller runs svc.OpenJournal and tells Done how it went.
func NewOpening(svc *Service) *Opening {
	return &Opening{svc: svc, ready: make(chan struct{})}
}

// Done is called once, when svc.OpenJournal (and whatever else the
// caller opens with it) has returned err.
func (o *Opening) Done(err error) {
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

// Wait is the service once its journal is open, nil if it did not open
// (Err says why).
func (o *Opening) Wait() *Service {
	<-o.ready
	if o.err != nil {
		return nil
	}
	return o.svc
}

// Err is why the journal did not open, once Wait has returned.
func (o *Opening) Err() error {
	<-o.ready
	return o.err
}

func (o *Opening) Now() time.Time                          { return o.svc.Now() }
func (o *Opening) Currency() Currency                      { return o.svc.Currency() }
func (o *Opening) Providers() []Provider                   { return o.svc.Providers() }
func (o *Opening) ParseAmount(input string) (Money, error) { return o.svc.ParseAmount(input) }
func (o *Opening) HasPrinter() bool                        { return o.svc.HasPrinter() }
func (o *Opening) PrinterName() string                     { return o.svc.PrinterName() }

// StoreEnabled is the config's answer until the journal is open: a till
// whose store server cannot be started does not start at all.
func (o *Opening) StoreEnabled() bool {
	select {
	case <-o.ready:
		return o.err == nil && o.svc.StoreEnabled()
	default:
		return o.svc.Config().StoreServer.Enabled()
	}
}

func (o *Opening) Submit(ctx context.Context, ord Order) (Sale, error) {
	if s := o.Wait(); s != nil {
		return s.Submit(ctx, ord)
	}
	return Sale{}, ErrNotOpened
}

func (o *Opening) Resolve(ctx context.Context, ref string) (Sale, error) {
	if s := o.Wait(); s != nil {
		return s.Resolve(ctx, ref)
	}
	return Sale{}, ErrNotOpened
}

func (o *Opening) ChangePIN(ctx context.Context, ref string) (string, error) {
	if s := o.Wait(); s != nil {
		return s.ChangePIN(ctx, ref)
	}
	return "", ErrNotOpened
}

func (o *Opening) Unresolved(ctx context.Context) (int, error) {
	if s := o.Wait(); s != nil {
		return s.Unresolved(ctx)
	}
	return 0, ErrNotOpened
}

func (o *Opening) DayWindow(ctx context.Context, t time.Time, statuses []Status, offset, limit int) (DayWindow, error) {
	if s := o.Wait(); s != nil {
		return s.DayWindow(ctx, t, statuses, offset, limit)
	}
	return DayWindow{}, ErrNotOpened
}

func (o *Opening) DayReport(ctx context.Context, t time.Time) (Report, error) {
	if s := o.Wait(); s != nil {
		return s.DayReport(ctx, t)
	}
	return Report{}, ErrNotOpened
}

func (o *Opening) Slip(ctx context.Context, ref string, reprint bool) (Slip, error) {
	if s := o.Wait(); s != nil {
		return s.Slip(ctx, ref, reprint)
	}
	return Slip{}, ErrNotOpened
}

func (o *Opening) Print(ctx context.Context, ref string, reprint bool) error {
	if s := o.Wait(); s != nil {
		return s.Print(ctx, ref, reprint)
	}
	return ErrNotOpened
}

func (o *Opening) OnUpdate(fn func(Sale)) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if !o.opened {
		o.onUpdate = append(o.onUpdate, fn)
	} else if o.err == nil {
		o.svc.OnUpdate(fn)
	}
}

func (o *Opening) SyncStatus() SyncStatus {
	if s := o.Wait(); s != nil {
		return s.SyncStatus()
	}
	return SyncStatus{}
}

func (o *Opening) OnSyncChange(fn func(SyncStatus)) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if !o.opened {
		o.onSync = append(o.onSync, fn)
	} else if o.err == nil {
		o.svc.OnSyncChange(fn)
	}
}

func (o *Opening) StoreSale(ctx context.Context, ref string) (Sale, []StoreEvent, error) {
	if s := o.Wait(); s != nil {
		return s.StoreSale(ctx, ref)
	}
	return Sale{}, nil, ErrNotOpened
}

func (o *Opening) StoreFind(ctx context.Context, pinLast4 string, amount Money) ([]Sale, error) {
	if s := o.Wait(); s != nil {
		return s.StoreFind(ctx, pinLast4, amount)
	}
	return nil, ErrNotOpened
}

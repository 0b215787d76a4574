package ui

import (
	"context"
	"time"

	"voucherpos/pos"
)

// Till is what the screens need of the till's domain: the few methods of
// pos.Service they use, so that the screens can be tested on a fake and
// never reach the journal or Kora but through it.
type Till interface {
	// Now is the till's one clock.
	Now() time.Time
	Currency() pos.Currency
	Providers() []pos.Provider
	ParseAmount(input string) (pos.Money, error)
	Submit(ctx context.Context, o pos.Order) (pos.Sale, error)
	Resolve(ctx context.Context, ref string) (pos.Sale, error)
	ChangePIN(ctx context.Context, ref string) (string, error)
	Unresolved(ctx context.Context) (int, error)
	// DayWindow reads up to limit of a day's sales in statuses (all: none
	// given), newest first from the offset-th, and how many there are;
	// DayReport sums the day. Neither reads the whole day.
	DayWindow(ctx context.Context, t time.Time, statuses []pos.Status, offset, limit int) (pos.DayWindow, error)
	DayReport(ctx context.Context, t time.Time) (pos.Report, error)
	Slip(ctx context.Context, ref string, reprint bool) (pos.Slip, error)
	Print(ctx context.Context, ref string, reprint bool) error
	HasPrinter() bool
	PrinterName() string
	// OnUpdate is told of every sale the reconciler resolves.
	OnUpdate(fn func(pos.Sale))

	// The store server, when [store_server] names one.
	StoreEnabled() bool
	// SyncStatus reads the journal: call it from a command.
	SyncStatus() pos.SyncStatus
	// OnSyncChange is told of each change of the shipping state.
	OnSyncChange(fn func(pos.SyncStatus))
	StoreSale(ctx context.Context, ref string) (pos.Sale, []pos.StoreEvent, error)
	StoreFind(ctx context.Context, pinLast4 string, amount pos.Money) ([]pos.Sale, error)
}

// Mode is what the status bar says the till is running on.
type Mode string

// The till's modes: the built-in sandbox, a test key, a live key.
const (
	ModeDemo Mode = "DEMO"
	ModeTest Mode = "TEST"
	ModeLive Mode = "LIVE"
)

// Store is what the screens show of the store and use of its settings.
type Store struct {
	Name, TerminalID string
	// Country is the default region for phone numbers (store.country).
	Country string
}

var (
	_ Till = (*pos.Service)(nil)
	_ Till = (*pos.Opening)(nil) // the till while its journal opens
)

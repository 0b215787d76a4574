package pos_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"voucherpos/pos"
	"voucherpos/pos/config"
)

// TestOpening: while the journal opens, what the config answers comes
// at once and what needs the journal waits for it; a journal that did not
// open gives pos.ErrNotOpened, never a half-opened service.
func TestOpening(t *testing.T) {
	for _, fail := range []bool{false, true} {
		cfg := config.Demo(func(string) string { return "" })
		cfg.Journal.Path = filepath.Join(t.TempDir(), "journal.db")
		svc, err := pos.Open(cfg, pos.Options{NoJournal: true})
		if err != nil {
			t.Fatal(err)
		}
		o := pos.NewOpening(svc)
		answered := make(chan struct{})
		go func() {
			defer close(answered)
			if o.Currency().Code != "ZAR" || len(o.Providers()) == 0 || o.StoreEnabled() || o.HasPrinter() != svc.HasPrinter() {
				t.Error("config answers differ from the service's")
			}
			if _, err := o.ParseAmount("12.50"); err != nil {
				t.Error(err)
			}
		}()
		select {
		case <-answered:
		case <-time.After(10 * time.Second):
			t.Fatal("a config answer waited for the journal")
		}
		counted := make(chan error, 1)
		go func() {
			_, err := o.Unresolved(context.Background())
			counted <- err
		}()
		select {
		case err := <-counted:
			t.Fatalf("Unresolved answered (%v) before the journal opened", err)
		case <-time.After(50 * time.Millisecond):
		}
		var openErr error
		if fail {
			openErr = errors.New("journal in use")
		} else {
			openErr = svc.OpenJournal(false)
		}
		o.Done(openErr)
		err = <-counted
		switch {
		case fail && !errors.Is(err, pos.ErrNotOpened):
			t.Fatalf("failed open: Unresolved %v, want pos.ErrNotOpened", err)
		case !fail && err != nil:
			t.Fatalf("Unresolved after the open: %v", err)
		}
		if _, err := o.Submit(context.Background(), pos.Order{}); fail && !errors.Is(err, pos.ErrNotOpened) {
			t.Fatalf("failed open: Submit %v, want pos.ErrNotOpened", err)
		}
		svc.Close()
	}
}

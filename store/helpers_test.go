package store

import (
	"context"
	"fmt"
	"testing"
	"time"

	"voucherpos/store/pgtest"
	"voucherpos/syncwire"
)

// testNow is the fixed clock of the store's tests.
var testNow = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

func fixedNow() time.Time { return testNow }

// newTestLedger is a migrated ledger in a fresh database of its own.
func newTestLedger(t testing.TB) (*Ledger, string) {
	t.Helper()
	url := pgtest.New(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	pool, err := Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pool.Close() })
	if _, err := Migrate(ctx, pool); err != nil {
		t.Fatal(err)
	}
	return NewLedger(pool, fixedNow), url
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// chain builds a till's events as its journal would: seq from 1, each hash
// chained to the one before.
type chain struct {
	till   string
	events []syncwire.Event
}

func (c *chain) head() syncwire.Hash {
	if len(c.events) == 0 {
		return syncwire.Genesis
	}
	return c.events[len(c.events)-1].Hash
}

// sale appends an event for a sale (reference n of this till) in status.
func (c *chain) sale(t testing.TB, n int, status string, amount int64) syncwire.Event {
	t.Helper()
	ref := fmt.Sprintf("%s-20260310-%04d", c.till, n)
	at := testNow.Add(time.Duration(len(c.events)) * time.Second)
	charged, fee, vat := int64(0), int64(0), int64(0)
	if status == "approved" {
		charged, fee, vat = amount, amount/100, amount/100*15/100
	}
	p := syncwire.Payload{TerminalID: c.till, Reference: ref, At: syncwire.FormatTime(at), Kind: status, Detail: status,
		Sale: syncwire.Sale{Reference: ref, TerminalID: c.till, CreatedAt: syncwire.FormatTime(testNow.Add(time.Duration(n) * time.Second)),
			UpdatedAt: syncwire.FormatTime(at), Status: status, Currency: "ZAR", CurrencyDigits: 2, AmountRequested: amount,
			AmountCharged: charged, Fee: fee, VAT: vat, ProviderCode: "0001", ProviderName: "1Voucher", PINLast4: "2943"}}
	return c.add(t, p)
}

func (c *chain) add(t testing.TB, p syncwire.Payload) syncwire.Event {
	t.Helper()
	b, err := p.Encode()
	if err != nil {
		t.Fatal(err)
	}
	e := syncwire.Event{Seq: int64(len(c.events) + 1), Hash: syncwire.Chain(c.head(), b), Payload: string(b)}
	c.events = append(c.events, e)
	return e
}

// batch is events [from, to] (1-based, inclusive).
func (c *chain) batch(from, to int) syncwire.Batch {
	prev := syncwire.Genesis
	if from > 1 {
		prev = c.events[from-2].Hash
	}
	return syncwire.Batch{Version: syncwire.Version, TerminalID: c.till, PrevHash: prev, Head: int64(len(c.events)),
		Events: append([]syncwire.Event(nil), c.events[from-1:to]...)}
}

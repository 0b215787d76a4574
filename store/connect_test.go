package store

import (
	"context"
	"net/url"
	"runtime"
	"strings"
	"testing"
	"time"

	"voucherpos/store/pgtest"
	"voucherpos/syncwire"
)

// Connect takes a postgres:// URL (with or without sslmode: prefer, as
// libpq) or a key=value string, and the pool_* keys size the pool rather
// than reach the server.
func TestConnectAcceptsTheURLForms(t *testing.T) {
	admin := pgtest.AdminURL(t)
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatal(err)
	}
	noSSLMode := *u
	q := noSSLMode.Query()
	q.Del("sslmode")
	noSSLMode.RawQuery = q.Encode()
	pooled := *u
	q = pooled.Query()
	q.Set("pool_max_conns", "2")
	q.Set("pool_max_conn_lifetime", "30m")
	q.Set("pool_health_check_period", "15s")
	pooled.RawQuery = q.Encode()
	kv := "host=" + u.Hostname() + " port=" + u.Port() + " user=" + u.User.Username() + " dbname=" + strings.TrimPrefix(u.Path, "/")
	if m := u.Query().Get("sslmode"); m != "" {
		kv += " sslmode=" + m
	}
	for _, dsn := range []string{admin, noSSLMode.String(), pooled.String(), kv, kv + " connect_timeout=2 pool_max_conns=3"} {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		db, err := Connect(ctx, dsn)
		if err != nil {
			cancel()
			t.Fatalf("%s: %v", RedactURL(dsn), err)
		}
		err = db.PingContext(ctx)
		want := max(4, runtime.NumCPU())
		switch {
		case strings.Contains(dsn, "pool_max_conns=2"):
			want = 2
		case strings.Contains(dsn, "pool_max_conns=3"):
			want = 3
		}
		got := db.Stats().MaxOpenConnections
		db.Close()
		cancel()
		if err != nil || got != want {
			t.Fatalf("%s: ping %v, pool of %d (want %d)", RedactURL(dsn), err, got, want)
		}
	}
	for _, bad := range []string{"postgres://u:secret@h:5432/db?pool_max_conns=x", "postgres://u:secret@h:5432/db?pool_max_conns=0",
		"postgres://u:secret@h:5432/db?connect_timeout=x", "postgres://u:secret@h:99999/db"} {
		_, err := Connect(context.Background(), bad)
		if err == nil || strings.Contains(err.Error(), "secret") || !strings.Contains(err.Error(), "cannot be parsed") {
			t.Fatalf("%s: %v", bad, err)
		}
	}
}

// The ledger reads and writes the same instants whatever the session's
// time zone, and keeps times to the microsecond as PostgreSQL does,
// cutting the rest: a sale made in the last nanoseconds of a 15-minute
// bucket stays in it, in the rollup as in the sales.
func TestTimesAreTheSameInAnySessionZone(t *testing.T) {
	dbURL := pgtest.New(t)
	ctx := ctxT(t)
	pool, err := Connect(ctx, dbURL+"&timezone=Pacific%2FChatham")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pool.Close() })
	if _, err := Migrate(ctx, pool); err != nil {
		t.Fatal(err)
	}
	var zone string
	if err := pool.QueryRowContext(ctx, `SHOW timezone`).Scan(&zone); err != nil || zone != "Pacific/Chatham" {
		t.Fatalf("session zone %q, %v", zone, err)
	}
	l := NewLedger(pool, fixedNow)
	if _, err := l.AddTill(ctx, "till-1"); err != nil {
		t.Fatal(err)
	}
	created := time.Date(2026, 3, 10, 12, 14, 59, 999999700, time.UTC)
	c := &chain{till: "till-1"}
	p := syncwire.Payload{TerminalID: "till-1", Reference: "till-1-20260310-0001", At: syncwire.FormatTime(created), Kind: "approved", Detail: "approved",
		Sale: syncwire.Sale{Reference: "till-1-20260310-0001", TerminalID: "till-1", CreatedAt: syncwire.FormatTime(created),
			UpdatedAt: syncwire.FormatTime(created), Status: "approved", Currency: "ZAR", CurrencyDigits: 2, AmountRequested: 1000,
			AmountCharged: 1000, ProviderCode: "0001", ProviderName: "1Voucher", PINLast4: "2943"}}
	c.add(t, p)
	if _, err := l.Ingest(ctx, "till-1", c.batch(1, 1)); err != nil {
		t.Fatal(err)
	}
	assertRollupMatchesSales(t, l)
	got, err := l.Sale(ctx, p.Reference)
	if want := syncwire.FormatTime(created.Truncate(time.Microsecond)); err != nil || got.Sale.CreatedAt != want || got.Events[0].At != want {
		t.Fatalf("sale %+v, %v; want created and at %s", got, err, want)
	}
	tills, err := l.Tills(ctx)
	if err != nil || len(tills) != 1 || !tills[0].LastSeen.Equal(testNow) || !tills[0].CreatedAt.Equal(testNow) || tills[0].LastSeen.Location() != time.Local {
		t.Fatalf("tills %+v, %v", tills, err)
	}
	rep, err := l.Report(ctx, testNow, "")
	if err != nil || len(rep.Lines) != 1 || rep.Lines[0].Count != 1 {
		t.Fatalf("report %+v, %v", rep, err)
	}
}

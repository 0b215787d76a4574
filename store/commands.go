package store

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"text/tabwriter"
	"time"

	"voucherpos/syncwire"
)

// Open connects to the configured database and checks it answers. It does
// not migrate.
func Open(ctx context.Context, cfg *Config, now func() time.Time) (*Ledger, error) {
	if cfg.DatabaseURL() == "" {
		return nil, fmt.Errorf("no database URL (set %s or [server] database_url_file)", DefaultDatabaseURLEnv)
	}
	pool, err := Connect(ctx, cfg.DatabaseURL())
	if err != nil {
		return nil, err
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := pool.PingContext(pctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("database %s: %w", cfg.DatabaseDisplay(), err)
	}
	return NewLedger(pool, now), nil
}

// Ready is Open then a check that the schema is this build's.
func Ready(ctx context.Context, cfg *Config, now func() time.Time) (*Ledger, error) {
	l, err := Open(ctx, cfg, now)
	if err != nil {
		return nil, err
	}
	all, _ := Migrations()
	v, err := SchemaVersion(ctx, l.pool)
	if err != nil {
		l.pool.Close()
		return nil, fmt.Errorf("schema: %w", err)
	}
	if v != len(all) {
		l.pool.Close()
		return nil, fmt.Errorf("the database is at schema version %d, this voucherpos needs %d: run `voucherpos server migrate`", v, len(all))
	}
	return l, nil
}

// Close closes the ledger's pool.
func (l *Ledger) Close() { l.pool.Close() }

// RunOptions configure Run.
type RunOptions struct {
	Logger   *slog.Logger
	Now      func() time.Time
	Location *time.Location
	Ready    func(addr string)
}

// Run is `voucherpos server`: migrate, then serve until ctx ends.
func Run(ctx context.Context, cfg *Config, opts RunOptions) error {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	l, err := Open(ctx, cfg, opts.Now)
	if err != nil {
		return err
	}
	defer l.Close()
	applied, err := Migrate(ctx, l.pool)
	if err != nil {
		return err
	}
	if len(applied) > 0 {
		log.Info("migrated", "versions", applied)
	}
	var hooks *Webhooks
	if secret := cfg.Kora.Secret(); secret != "" {
		if hooks, err = NewWebhooks(l, secret); err != nil {
			return err
		}
	} else {
		log.Warn("no [kora] secret key: Kora's webhooks are refused (503) until one is configured")
	}
	s := NewServer(l, ServerOptions{Logger: log, Now: opts.Now, Location: opts.Location, Webhooks: hooks})
	log.Info("serving", "listen", cfg.Listen, "tls", cfg.TLSCert != "", "database", cfg.DatabaseDisplay(), "store", cfg.StoreName)
	return s.Serve(ctx, cfg, opts.Ready)
}

// WriteTills prints `server tills`.
func WriteTills(w io.Writer, tills []Till, loc *time.Location) error {
	if len(tills) == 0 {
		_, err := fmt.Fprintln(w, "No tills yet: voucherpos server add-till TERMINAL_ID")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TERMINAL\tSTATE\tLAST SEEN\tLAST SEQ\tTILL HEAD\tLAG\tUNRESOLVED\tCONFLICTS")
	for _, t := range tills {
		state, seen := "active", "never"
		if !t.RevokedAt.IsZero() {
			state = "removed"
		}
		if !t.LastSeen.IsZero() {
			seen = t.LastSeen.In(loc).Format("2006-01-02 15:04:05")
		}
		conflicts := fmt.Sprint(t.Conflicts)
		if t.Conflicts > 0 {
			conflicts += " CHAIN CONFLICT"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%d\t%s\n", t.TerminalID, state, seen, t.LastSeq, t.HeadSeq, t.Lag(), t.Unresolved, conflicts)
	}
	return tw.Flush()
}

// WriteSale prints one sale and its events for `server sale`.
func WriteSale(w io.Writer, l syncwire.Lookup, loc *time.Location) error {
	s := l.Sale
	d := s.CurrencyDigits
	when := func(v string) string {
		t, err := syncwire.ParseTime(v)
		if err != nil || t.IsZero() {
			return "-"
		}
		return t.In(loc).Format("2006-01-02 15:04:05")
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(tw, "%s\t%s\n", k, v)
		}
	}
	row("reference", s.Reference)
	row("terminal", s.TerminalID)
	row("status", strings.ToUpper(s.Status))
	row("created", when(s.CreatedAt))
	row("updated", when(s.UpdatedAt))
	row("provider", s.ProviderName+" ("+s.ProviderCode+")")
	row("amount asked", s.Currency+" "+plain(s.AmountRequested, d))
	row("charged", s.Currency+" "+plain(s.AmountCharged, d))
	row("fee", s.Currency+" "+plain(s.Fee, d))
	row("vat", s.Currency+" "+plain(s.VAT, d))
	row("kora reference", s.KoraReference)
	row("pin", "****"+s.PINLast4)
	if s.PhoneLast4 != "" {
		row("phone", "****"+s.PhoneLast4)
	}
	row("decline", strings.TrimSpace(s.DeclineKind+" "+s.DeclineMessage))
	row("voucher serial", s.VoucherSerial)
	if s.VoucherBalance != nil {
		row("voucher balance", s.Currency+" "+plain(*s.VoucherBalance, d))
	}
	if s.VoucherExpiry != "" {
		row("voucher expiry", when(s.VoucherExpiry))
	}
	if s.ChangeVoucher {
		row("change voucher", "issued (its PIN is on the till's slip, never on the server)")
	}
	if k := l.Kora; k != nil {
		v := k.Event + " (" + k.Status
		if k.Amount != nil {
			v += ", " + k.Currency + " " + plain(*k.Amount, k.CurrencyDigits)
		}
		row("kora webhook", v+"), received "+when(k.ReceivedAt))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(l.Events) > 0 {
		fmt.Fprintln(w, "\nevents:")
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, e := range l.Events {
			fmt.Fprintf(tw, "  %d\t%s\t%s\t%s\n", e.Seq, when(e.At), e.Kind, e.Detail)
		}
		return tw.Flush()
	}
	return nil
}

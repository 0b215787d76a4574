//go:build !noserver

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"voucherpos/internal/cli"
	"voucherpos/kora"
	"voucherpos/store"
)

const serverUsage = `voucherpos server — every till's sales in one PostgreSQL ledger

usage:
  voucherpos server [--config F] [--log-level L]     serve (migrates first)
  voucherpos server migrate [--config F]             apply the database migrations and exit
  voucherpos server add-till TERMINAL_ID [--config F]   register a till; prints its token once
  voucherpos server remove-till TERMINAL_ID [--config F] revoke a till's token at once
  voucherpos server tills [--config F]               each till: last seen, last seq, lag, conflicts
  voucherpos server report [--config F] [--date D] [--till T] [--csv]
  voucherpos server sale REFERENCE [--config F]      one sale from any till
  voucherpos server discrepancies [--config F] [--date D]
                                    Kora's webhooks against the tills' sales and chains; exit 1 when any
  voucherpos server reconcile-kora --date D [--config F] [--csv]
                                    Kora's Pay-ins History against the ledger; exit 1 when anything disagrees

Kora's webhooks are received at POST /kora/webhook (set https://<public host>/kora/webhook
in Kora's dashboard); [kora]'s secret key verifies them and reads Pay-ins History.

The config (--config, else $VOUCHERPOS_SERVER_CONFIG) holds [server] and [kora];
with none, the server listens on 127.0.0.1:8443 and reads the database URL from
$VOUCHERPOS_DATABASE_URL.
`

// runServer is `voucherpos server …`: the switchboard of the store server's
// subcommands; the work is in store.
func runServer(args []string, stdout, stderr io.Writer) int {
	for _, a := range args {
		if a == "--help" || a == "-h" || a == "-help" {
			fmt.Fprint(stdout, serverUsage)
			return exitOK
		}
	}
	sub := ""
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		sub, args = args[0], args[1:]
	}
	switch sub {
	case "":
		return serverServe(args, stderr)
	case "migrate":
		return serverMigrate(args, stdout, stderr)
	case "add-till", "remove-till":
		return serverTill(sub, args, stdout, stderr)
	case "tills":
		return serverTills(args, stdout, stderr)
	case "report":
		return serverReport(args, stdout, stderr)
	case "sale":
		return serverSale(args, stdout, stderr)
	case "discrepancies":
		return serverDiscrepancies(args, stdout, stderr)
	case "reconcile-kora":
		return serverReconcileKora(args, stdout, stderr)
	case "help":
		fmt.Fprint(stdout, serverUsage)
		return exitOK
	}
	fmt.Fprintf(stderr, "voucherpos server: unknown command %q\n\n%s", sub, serverUsage)
	return exitUsage
}

// serverFlags parses a subcommand's flags; positional arguments may come
// before or after them.
func serverFlags(name string, stderr io.Writer, args []string, define func(*flag.FlagSet)) (cfg *store.Config, rest []string, code int) {
	fs := flag.NewFlagSet("server "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", "", "server config file (default: $VOUCHERPOS_SERVER_CONFIG)")
	if define != nil {
		define(fs)
	}
	for len(args) > 0 {
		if len(args[0]) > 0 && args[0][0] != '-' {
			rest, args = append(rest, args[0]), args[1:]
			continue
		}
		if err := fs.Parse(args); err != nil {
			return nil, nil, exitUsage
		}
		args = fs.Args()
	}
	cfg, err := store.LoadConfig(store.FindConfig(*path, nil), nil)
	if err != nil {
		fmt.Fprintf(stderr, "voucherpos server: %v\n", err)
		return nil, nil, exitUsage
	}
	return cfg, rest, exitOK
}

func signalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

func serverServe(args []string, stderr io.Writer) int {
	level := "info"
	cfg, rest, code := serverFlags("", stderr, args, func(fs *flag.FlagSet) {
		fs.StringVar(&level, "log-level", "info", "log detail: debug, info, warn or error")
	})
	if cfg == nil {
		return code
	}
	if len(rest) > 0 {
		fmt.Fprintf(stderr, "voucherpos server: unexpected %q\n\n%s", rest[0], serverUsage)
		return exitUsage
	}
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		fmt.Fprintf(stderr, "voucherpos server: --log-level %q: use debug, info, warn or error\n", level)
		return exitUsage
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: lv}))
	ctx, stop := signalContext()
	defer stop()
	err := store.Run(ctx, cfg, store.RunOptions{Logger: log, Now: clock, Ready: func(addr string) {
		log.Info("listening", "addr", addr)
	}})
	if err != nil {
		fmt.Fprintf(stderr, "voucherpos server: %v\n", err)
		return exitFailed
	}
	return exitOK
}

func serverMigrate(args []string, stdout, stderr io.Writer) int {
	cfg, _, code := serverFlags("migrate", stderr, args, nil)
	if cfg == nil {
		return code
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	l, err := store.Open(ctx, cfg, clock)
	if err != nil {
		fmt.Fprintf(stderr, "voucherpos server migrate: %v\n", err)
		return exitFailed
	}
	defer l.Close()
	applied, err := store.Migrate(ctx, l.Pool())
	if err != nil {
		fmt.Fprintf(stderr, "voucherpos server migrate: %v\n", err)
		return exitFailed
	}
	all, _ := store.Migrations()
	if len(applied) == 0 {
		fmt.Fprintf(stdout, "schema at version %d; nothing to do\n", len(all))
	} else {
		fmt.Fprintf(stdout, "applied migrations %v; schema at version %d\n", applied, len(all))
	}
	return exitOK
}

// openLedger is Ready with the command's error line.
func openLedger(name string, cfg *store.Config, stderr io.Writer) (*store.Ledger, context.Context, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	l, err := store.Ready(ctx, cfg, clock)
	if err != nil {
		cancel()
		fmt.Fprintf(stderr, "voucherpos server %s: %v\n", name, err)
		return nil, nil, nil
	}
	return l, ctx, cancel
}

func serverTill(sub string, args []string, stdout, stderr io.Writer) int {
	cfg, rest, code := serverFlags(sub, stderr, args, nil)
	if cfg == nil {
		return code
	}
	if len(rest) != 1 {
		fmt.Fprintf(stderr, "voucherpos server %s: name one TERMINAL_ID\n", sub)
		return exitUsage
	}
	l, ctx, cancel := openLedger(sub, cfg, stderr)
	if l == nil {
		return exitFailed
	}
	defer cancel()
	defer l.Close()
	if sub == "remove-till" {
		if err := l.RemoveTill(ctx, rest[0]); err != nil {
			fmt.Fprintf(stderr, "voucherpos server remove-till: %v\n", err)
			return exitFailed
		}
		fmt.Fprintf(stdout, "till %s removed: its token is refused from now on; its sales stay\n", rest[0])
		return exitOK
	}
	token, err := l.AddTill(ctx, rest[0])
	if err != nil {
		fmt.Fprintf(stderr, "voucherpos server add-till: %v\n", err)
		if errors.Is(err, store.ErrBadTerminal) {
			return exitUsage
		}
		return exitFailed
	}
	fmt.Fprintf(stdout, "%s\n", token)
	fmt.Fprintf(stderr, "till %s added. The line above is its token, shown this once: put it in the till's [store_server] token_file (chmod 600).\n", rest[0])
	return exitOK
}

func serverTills(args []string, stdout, stderr io.Writer) int {
	cfg, _, code := serverFlags("tills", stderr, args, nil)
	if cfg == nil {
		return code
	}
	l, ctx, cancel := openLedger("tills", cfg, stderr)
	if l == nil {
		return exitFailed
	}
	defer cancel()
	defer l.Close()
	tills, err := l.Tills(ctx)
	if err == nil {
		err = store.WriteTills(stdout, tills, clock().Location())
	}
	if err != nil {
		fmt.Fprintf(stderr, "voucherpos server tills: %v\n", err)
		return exitFailed
	}
	for _, t := range tills {
		if t.Conflicts > 0 {
			return exitFailed // a chain conflict needs a person
		}
	}
	return exitOK
}

func serverReport(args []string, stdout, stderr io.Writer) int {
	var date, till string
	var asCSV bool
	cfg, _, code := serverFlags("report", stderr, args, func(fs *flag.FlagSet) {
		fs.StringVar(&date, "date", "today", "day to report: YYYY-MM-DD, today or yesterday (the server's zone)")
		fs.StringVar(&till, "till", "", "one till's terminal id (default: every till)")
		fs.BoolVar(&asCSV, "csv", false, "one CSV row per sale, the till's columns")
	})
	if cfg == nil {
		return code
	}
	day, err := cli.ParseDay(date, clock())
	if err != nil {
		fmt.Fprintf(stderr, "voucherpos server report: %v\n", err)
		return exitUsage
	}
	l, ctx, cancel := openLedger("report", cfg, stderr)
	if l == nil {
		return exitFailed
	}
	defer cancel()
	defer l.Close()
	if asCSV {
		err = l.WriteReportCSV(ctx, stdout, day, till)
	} else {
		var r store.Report
		if r, err = l.Report(ctx, day, till); err == nil {
			err = store.WriteReport(stdout, cfg.StoreName, r)
		}
		var ds []store.Discrepancy
		if err == nil && till == "" {
			if ds, err = l.Discrepancies(ctx, day); err == nil {
				fmt.Fprintln(stdout)
				err = store.WriteDiscrepancies(stdout, day, ds)
			}
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "voucherpos server report: %v\n", err)
		return exitFailed
	}
	return exitOK
}

func serverSale(args []string, stdout, stderr io.Writer) int {
	cfg, rest, code := serverFlags("sale", stderr, args, nil)
	if cfg == nil {
		return code
	}
	if len(rest) != 1 {
		fmt.Fprintln(stderr, "voucherpos server sale: name one REFERENCE")
		return exitUsage
	}
	l, ctx, cancel := openLedger("sale", cfg, stderr)
	if l == nil {
		return exitFailed
	}
	defer cancel()
	defer l.Close()
	sale, err := l.Sale(ctx, rest[0])
	if secret := cfg.Kora.Secret(); err == nil && secret != "" {
		var hooks *store.Webhooks
		if hooks, err = store.NewWebhooks(l, secret); err == nil {
			sale.Kora, err = hooks.Outcome(ctx, sale.Sale, false) // never the change PIN here
		}
	}
	if err == nil {
		err = store.WriteSale(stdout, sale, clock().Location())
	}
	if err != nil {
		fmt.Fprintf(stderr, "voucherpos server sale: %v\n", err)
		return exitFailed
	}
	return exitOK
}

func serverDiscrepancies(args []string, stdout, stderr io.Writer) int {
	var date string
	cfg, _, code := serverFlags("discrepancies", stderr, args, func(fs *flag.FlagSet) {
		fs.StringVar(&date, "date", "today", "day to check: YYYY-MM-DD, today or yesterday (the server's zone)")
	})
	if cfg == nil {
		return code
	}
	day, err := cli.ParseDay(date, clock())
	if err != nil {
		fmt.Fprintf(stderr, "voucherpos server discrepancies: %v\n", err)
		return exitUsage
	}
	l, ctx, cancel := openLedger("discrepancies", cfg, stderr)
	if l == nil {
		return exitFailed
	}
	defer cancel()
	defer l.Close()
	ds, err := l.Discrepancies(ctx, day)
	if err == nil {
		err = store.WriteDiscrepancies(stdout, day, ds)
	}
	if err != nil {
		fmt.Fprintf(stderr, "voucherpos server discrepancies: %v\n", err)
		return exitFailed
	}
	if len(ds) > 0 {
		return exitFailed
	}
	return exitOK
}

func serverReconcileKora(args []string, stdout, stderr io.Writer) int {
	var date string
	var asCSV bool
	cfg, _, code := serverFlags("reconcile-kora", stderr, args, func(fs *flag.FlagSet) {
		fs.StringVar(&date, "date", "", "day to reconcile: YYYY-MM-DD, today or yesterday (the server's zone)")
		fs.BoolVar(&asCSV, "csv", false, "one CSV row per pay-in or sale")
	})
	if cfg == nil {
		return code
	}
	if date == "" {
		fmt.Fprintln(stderr, "voucherpos server reconcile-kora: --date D is needed (YYYY-MM-DD, today or yesterday)")
		return exitUsage
	}
	day, err := cli.ParseDay(date, clock())
	if err != nil {
		fmt.Fprintf(stderr, "voucherpos server reconcile-kora: %v\n", err)
		return exitUsage
	}
	if cfg.Kora.Secret() == "" {
		fmt.Fprintln(stderr, "voucherpos server reconcile-kora: the server config needs [kora] with the secret key to read Kora's Pay-ins History")
		return exitUsage
	}
	k, err := kora.New(cfg.Kora.BaseURL, cfg.Kora.Secret(), kora.WithTimeout(30*time.Second))
	if err != nil {
		fmt.Fprintf(stderr, "voucherpos server reconcile-kora: %v\n", err)
		return exitUsage
	}
	l, ctx, cancel := openLedger("reconcile-kora", cfg, stderr)
	if l == nil {
		return exitFailed
	}
	defer cancel()
	defer l.Close()
	rep, err := l.ReconcileKora(ctx, k, day)
	if err == nil {
		if asCSV {
			err = store.WriteReconcileKoraCSV(stdout, rep)
		} else {
			err = store.WriteReconcileKora(stdout, rep)
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "voucherpos server reconcile-kora: %v\n", err)
		return exitFailed
	}
	if rep.Disagreements() > 0 || rep.Truncated {
		return exitFailed
	}
	return exitOK
}

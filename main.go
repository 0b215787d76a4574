// Command voucherpos is a terminal point-of-sale that redeems prepaid
// vouchers through Kora's Voucher Charge API. This file is the switchboard:
// flags and subcommands, wired to the packages that do the work.
package main

import (
	"bytes"
	tea "charm.land/bubbletea/v2"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/charmbracelet/x/term"

	"voucherpos/internal/cli"
	"voucherpos/internal/exit"
	"voucherpos/kora/sandbox"
	"voucherpos/pos"
	"voucherpos/pos/config"
	"voucherpos/pos/journal"
	"voucherpos/ui"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

const usage = `voucherpos — redeem prepaid vouchers through Kora

usage:
  voucherpos [--kiosk]                               the till
  voucherpos sandbox [--listen 127.0.0.1:8099] [--key K] [--allow-remote] [--webhooks W]
                                                     the Kora sandbox over HTTP
  voucherpos history [--date D] [--json]             a day's sales
  voucherpos report  [--date D] [--csv]              a day's Z-report
  voucherpos receipt REFERENCE [--print]             show (or reprint) a sale's slip
  voucherpos reconcile                               resolve pending/unknown sales now
  voucherpos check [--kiosk]                         config, journal, printer, key and connectivity check
  voucherpos hash-pin                                make kiosk.supervisor_pin_hash from a PIN
  voucherpos server [migrate|add-till|remove-till|tills|report|sale] [--config F]
                                                     the store server (voucherpos server help)
  voucherpos version
  voucherpos help | COMMAND --help

The till, history, report, receipt, reconcile and check also take:
  --config F       config file (default: $VOUCHERPOS_CONFIG, ./voucherpos.toml,
                   $XDG_CONFIG_HOME/voucherpos/config.toml)
  --demo           run on the built-in Kora sandbox (a config's look still applies)
  --log-level L    log detail: debug, info (default), warn or error
Their own flags:
  --kiosk          the till, locked down for customers (also [kiosk] enabled = true)
  --date D         YYYY-MM-DD, today (default) or yesterday
  --json           history as JSON
  --csv            report as one CSV row per sale
  --print          receipt: reprint on receipt.printer, marked REPRINT
  --listen A       sandbox: address to serve on (default 127.0.0.1:8099; loopback only)
  --key K          sandbox: the Bearer key it accepts (default sk_test_sandbox)
  --allow-remote   sandbox: serve on an address other machines can reach
  --webhooks W     sandbox: misdeliver webhooks (twice, late, reordered, bad-signature, pretty, none)

With no config file found, the till runs in demo mode on a built-in Kora sandbox.
`

// clock is the till's one clock, handed to pos (and through it to the
// screens); tests of main replace it.
var clock = time.Now

// reconcileAfter is how long after start-up the background reconciler
// first asks Kora about unresolved sales: well after the first frame.
const reconcileAfter = time.Second

// Exit statuses (internal/exit's, named here for the server's commands).
const (
	exitOK     = exit.OK
	exitFailed = exit.Failed
	exitUsage  = exit.Usage
)

func main() {
	os.Exit(runWith(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// streams are what a command reads and writes.
type streams struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

// commands is the switchboard: each command's name and the function that
// runs it. A command returns an error carrying its exit status
// (internal/exit); run says it, once.
var commands = map[string]func(e streams, args []string) error{
	"":          runTill,
	"sandbox":   runSandbox,
	"history":   runHistory,
	"report":    runReport,
	"receipt":   runReceipt,
	"reconcile": runReconcile,
	"check":     runCheck,
	"hash-pin":  runHashPIN,
	"server": func(e streams, args []string) error {
		return exit.Quiet(runServer(args, e.stdout, e.stderr)) // it says its own errors
	},
	"version": func(e streams, args []string) error {
		if len(args) > 0 && args[0] != "--help" && args[0] != "-h" {
			return exit.UsageError(fmt.Errorf("unexpected argument %q", args[0]))
		}
		fmt.Fprintln(e.stdout, "voucherpos", version)
		return nil
	},
	"help": func(e streams, args []string) error {
		fmt.Fprint(e.stdout, usage)
		return nil
	},
}

// run dispatches a command line and returns the exit status.
func run(args []string, stdout, stderr io.Writer) int { return runWith(args, os.Stdin, stdout, stderr) }

// runWith runs a command line. Whatever it writes on stderr goes out with
// control characters escaped, so an argument echoed in a message (receipt
// $'x\e[2J') cannot drive the terminal.
func runWith(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := streams{stdin: stdin, stdout: stdout, stderr: escapeControls{stderr}}
	if len(args) == 1 && (args[0] == "--help" || args[0] == "-help" || args[0] == "-h") {
		fmt.Fprint(stdout, usage)
		return exit.OK
	}
	name := ""
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		name, args = args[0], args[1:]
	}
	cmd, ok := commands[name]
	if !ok {
		return report(e, "", exit.UsageError(fmt.Errorf("unknown command %q\n\n%s", name, usage)))
	}
	return report(e, name, cmd(e, args))
}

// fileError is a config that does not load. It is said as "voucherpos:
// FILE:LINE: key: …" whatever the command, the file being at fault: the
// till and check say the same words of the same file.
type fileError struct{ error }

func (f fileError) Unwrap() error { return f.error }

// configError is a config that does not load: status 2.
func configError(err error) error { return exit.UsageError(fileError{err}) }

// report says what went wrong, once, as "voucherpos CMD: …", and gives the
// exit status.
func report(e streams, name string, err error) int {
	if msg := exit.Message(err); msg != "" {
		prefix := "voucherpos"
		var fe fileError
		if name != "" && !errors.As(err, &fe) {
			prefix += " " + name
		}
		fmt.Fprintf(e.stderr, "%s: %s\n", prefix, strings.TrimSuffix(msg, "\n"))
	}
	return exit.Code(err)
}

// common holds the flags every till command shares.
type common struct {
	config   string
	demo     bool
	logLevel string
}

func newFlags(name string, c *common) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.StringVar(&c.config, "config", "", "config file (default: $VOUCHERPOS_CONFIG, ./voucherpos.toml, $XDG_CONFIG_HOME/voucherpos/config.toml)")
	fs.BoolVar(&c.demo, "demo", false, "run on the built-in Kora sandbox (a config's store name, receipt, kiosk and ui settings still apply)")
	fs.StringVar(&c.logLevel, "log-level", "info", "log detail: debug, info, warn or error")
	return fs
}

// parse parses a command's flags. --help and -h print its flags on stdout
// and end it with status 0 (errHelp). A bad flag, or an argument beyond
// the positional ones the command takes, is a usage error.
func parse(fs *flag.FlagSet, args []string, positional int, stdout io.Writer) error {
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	name := "voucherpos " + fs.Name()
	if fs.Name() == "voucherpos" {
		name = "voucherpos"
	}
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprintf(stdout, "usage: %s\n\nflags:\n", commandLine(fs))
		fs.SetOutput(stdout)
		fs.PrintDefaults()
		return errHelp
	case err != nil:
		return exit.UsageError(fmt.Errorf("%v\nusage: %s   (%s --help lists the flags)", err, commandLine(fs), name))
	case fs.NArg() > positional:
		return exit.UsageError(fmt.Errorf("unexpected argument %q\nusage: %s   (%s --help lists the flags)", fs.Arg(positional), commandLine(fs), name))
	}
	return nil
}

// errHelp ends a command whose --help was asked for: status 0, nothing to say.
var errHelp = &exit.Error{Code: exit.OK}

// done turns parse's help into a command's clean end.
func done(err error) error {
	if err == errHelp {
		return nil
	}
	return err
}

// commandLine is a command's usage line, built from its flags.
func commandLine(fs *flag.FlagSet) string {
	b := []string{"voucherpos"}
	switch fs.Name() {
	case "voucherpos":
	case "receipt":
		b = append(b, "receipt", "REFERENCE")
	default:
		b = append(b, fs.Name())
	}
	fs.VisitAll(func(f *flag.Flag) {
		arg := "--" + f.Name
		if _, isBool := f.Value.(interface{ IsBoolFlag() bool }); !isBool {
			arg += " " + strings.ToUpper(f.Name[:1])
		}
		b = append(b, "["+arg+"]")
	})
	return strings.Join(b, " ")
}

// escapeControls writes with control characters (and bytes that are not
// UTF-8) shown as \xNN, keeping newlines and tabs.
type escapeControls struct{ w io.Writer }

func (e escapeControls) Write(p []byte) (int, error) {
	var b strings.Builder
	for i := 0; i < len(p); {
		r, n := utf8.DecodeRune(p[i:])
		switch {
		case r == '\n' || r == '\t':
			b.WriteRune(r)
		case r == utf8.RuneError && n == 1, r < 0x20, r == 0x7f, r >= 0x80 && r < 0xa0:
			for _, c := range p[i : i+n] {
				fmt.Fprintf(&b, "\\x%02x", c)
			}
		default:
			b.Write(p[i : i+n])
		}
		i += n
	}
	if _, err := io.WriteString(e.w, b.String()); err != nil {
		return 0, err
	}
	return len(p), nil
}

// loadConfig finds and loads the config; none found (or --demo) is demo mode.
func loadConfig(c common) (*config.Config, error) { return findConfig(c, config.Load) }

// findConfig finds the config and loads it with load; none found (or
// --demo) is demo mode.
func findConfig(c common, load func(string, config.Env) (*config.Config, error)) (*config.Config, error) {
	path, found, err := config.Discover(c.config, nil)
	switch {
	case err != nil:
		return nil, err
	case !found:
		return config.Demo(nil), nil
	case c.demo:
		return config.LoadDemo(path, nil)
	}
	return load(path, nil)
}

// till is an opened till: its service, and in demo mode its sandbox.
type till struct {
	svc     *pos.Service
	sb      *sandbox.Server
	logger  *slog.Logger
	logSink *pos.LogSink
	close   []func()
	// slips for receipt.printer = "stdout" wait here while the screen is
	// the terminal's, and are written out when the till closes.
	slips lockedBuffer
}

// lockedBuffer is a bytes.Buffer safe for the printing goroutine.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) WriteTo(w io.Writer) (int64, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.WriteTo(w)
}

func (t *till) Close() {
	for i := len(t.close) - 1; i >= 0; i-- {
		t.close[i]()
	}
}

// openTill loads the config and opens the service; demo mode starts the
// embedded sandbox on 127.0.0.1 (and, for the till itself, a fresh demo
// journal, since the new sandbox knows none of the old sales).
func openTill(c common, fresh bool) (*till, error) {
	cfg, err := loadConfig(c)
	if err != nil {
		return nil, configError(err)
	}
	return openTillWith(cfg, c, fresh)
}

// openTillWith opens the till of a loaded config. Its log file is created
// only once the service is open, so a till that cannot start (a journal
// path that is a folder, a file that is not a journal) leaves none behind.
func openTillWith(cfg *config.Config, c common, fresh bool) (*till, error) {
	t, err := prepareTill(cfg, c)
	if err != nil {
		return nil, err
	}
	if err := t.open(cfg, fresh); err != nil {
		t.Close()
		return nil, err
	}
	return t, nil
}

// prepareTill makes the till's log (held in memory until the journal is
// open), in demo mode starts its sandbox, and makes the service without
// its journal: nothing on disk yet.
func prepareTill(cfg *config.Config, c common) (*till, error) {
	logger, logSink, err := pos.NewLog(c.logLevel)
	if err != nil {
		return nil, exit.UsageError(err)
	}
	t := &till{logger: logger, logSink: logSink}
	if cfg.Demo {
		// The slow demo voucher answers after the till has given up waiting.
		sb, err := sandbox.Start("", sandbox.WithSlowDelay(cfg.Kora.Timeout+4*time.Second), sandbox.WithDripInterval(time.Second))
		if err != nil {
			return nil, exit.Fail(fmt.Errorf("demo sandbox: %w", err))
		}
		t.sb = sb
		t.close = append(t.close, func() { sb.Close() })
		cfg.Kora.BaseURL = sb.URL
	}
	t.close = append(t.close, func() { logSink.Close() })
	svc, err := pos.Open(cfg, pos.Options{NoJournal: true, Logger: logger, Now: clock, Version: version, Stdout: &t.slips})
	if err != nil {
		t.Close()
		return nil, exit.Fail(err)
	}
	t.svc = svc
	t.close = append(t.close, func() { svc.Close() })
	return t, nil
}

// open opens the service's journal, then the log file beside it. On an
// error the caller closes the till.
func (t *till) open(cfg *config.Config, fresh bool) error {
	if err := t.svc.OpenJournal(cfg.Demo && fresh); err != nil {
		return exit.Fail(err)
	}
	if err := t.logSink.Open(cfg.Journal.Path); err != nil {
		return exit.Fail(err)
	}
	return nil
}

func runTill(e streams, args []string) error {
	var c common
	fs := newFlags("voucherpos", &c)
	kiosk := fs.Bool("kiosk", false, "kiosk mode: customer-facing, locked down (also [kiosk] enabled = true)")
	if err := parse(fs, args, 0, e.stdout); err != nil {
		return done(err)
	}
	cfg, err := loadConfig(c)
	if err != nil {
		return configError(err)
	}
	// A kiosk that could never be left does not start, and opens nothing.
	var supervisorHash string
	if *kiosk || cfg.Kiosk.Enabled {
		if supervisorHash, err = pos.KioskSupervisorHash(cfg); err != nil {
			return configError(err)
		}
	}
	t, err := prepareTill(cfg, c)
	if err != nil {
		return err
	}
	opts := ui.Options{
		Mode:        ui.Mode(cfg.Mode()),
		Store:       ui.Store{Name: cfg.Store.Name, TerminalID: cfg.Store.TerminalID, Country: cfg.Store.Country},
		ASCII:       cfg.UI.ASCII || os.Getenv("TERM") == "linux",
		Kiosk:       *kiosk || cfg.Kiosk.Enabled,
		IdleTimeout: cfg.Kiosk.IdleTimeout,
	}
	if t.sb != nil {
		opts.DemoVouchers = t.sb.DemoLines()
	}
	if opts.Kiosk {
		opts.SupervisorHash = supervisorHash
		// Keys cannot stop a kiosk; signals from the keyboard's driver
		// neither. SIGTERM and SIGHUP (systemd, a hung-up console) still
		// close it cleanly.
		signal.Ignore(syscall.SIGINT, syscall.SIGQUIT, syscall.SIGTSTP)
	}
	sig, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	ctx, cancel := context.WithCancel(sig)
	defer cancel()
	// The journal opens while the screens start: the terminal's set-up and
	// the first frame's wait overlap it, and a screen that needs the
	// service waits for it. A journal that cannot be opened ends the
	// screens before anything can be sold, and its error is the till's.
	opening := pos.NewOpening(t.svc)
	go func() {
		err := t.open(cfg, true)
		if err != nil {
			cancel()
		}
		opening.Done(err)
	}()
	defer func() {
		// The reconciler and any call to Kora stop first, so that closing
		// the service waits on nothing.
		cancel()
		opening.Wait()
		t.Close()
	}()
	// The reconciler starts a moment after the screens: the first frame
	// waits on nothing from the network, and Kora is asked nothing before
	// the cashier has a screen. Sales a crash left pending are resolved a
	// second later; the Checking screen asks Kora itself meanwhile.
	go func() {
		select {
		case <-time.After(reconcileAfter):
			if svc := opening.Wait(); svc != nil {
				svc.Run(ctx)
			}
		case <-ctx.Done():
		}
	}()
	runErr := ui.Run(ctx, opening, opts, nil, nil)
	if opening.Wait() == nil {
		return opening.Err()
	}
	if runErr != nil && !errors.Is(runErr, context.Canceled) && !errors.Is(runErr, tea.ErrProgramKilled) {
		return exit.Fail(runErr)
	}
	t.slips.WriteTo(e.stdout)
	if n := t.svc.InFlight(); n > 0 {
		fmt.Fprintf(e.stderr, "Waiting up to 10 s for Kora's answer to %s in progress, so the journal has it…\n", pos.Count(n, "sale", "sales"))
	}
	if n, err := t.svc.Unresolved(context.Background()); err == nil && n > 0 && !cfg.Demo {
		fmt.Fprintf(e.stdout, "%s still being checked with Kora: reconciled at the next start (or now, with voucherpos reconcile).\n", pos.Count(n, "sale", "sales"))
	}
	return nil
}

// runHashPIN prints the kiosk.supervisor_pin_hash of a PIN read from the
// terminal (not echoed) or from standard input.
func runHashPIN(e streams, args []string) error {
	if len(args) == 1 && (args[0] == "--help" || args[0] == "-h" || args[0] == "-help") {
		fmt.Fprintln(e.stdout, "usage: voucherpos hash-pin   (type the PIN twice, or pipe it in); prints the kiosk.supervisor_pin_hash line")
		return nil
	}
	if len(args) > 0 {
		return exit.UsageError(errors.New("usage: voucherpos hash-pin   (type the PIN, or pipe it in)"))
	}
	var pin string
	if f, ok := e.stdin.(*os.File); ok && term.IsTerminal(f.Fd()) {
		fmt.Fprint(e.stderr, "Supervisor PIN (4-12 digits): ")
		b, err := term.ReadPassword(f.Fd())
		fmt.Fprintln(e.stderr)
		if err != nil {
			return exit.Fail(err)
		}
		fmt.Fprint(e.stderr, "Again: ")
		again, _ := term.ReadPassword(f.Fd())
		fmt.Fprintln(e.stderr)
		if string(again) != string(b) {
			return exit.UsageError(errors.New("the two PINs differ"))
		}
		pin = string(b)
	} else {
		b, _ := io.ReadAll(io.LimitReader(e.stdin, 64))
		pin = strings.TrimSpace(string(b))
	}
	h, err := pos.HashSupervisorPIN(pin)
	if err != nil {
		return exit.UsageError(err)
	}
	fmt.Fprintf(e.stdout, "supervisor_pin_hash = %q\n", h)
	return nil
}

func runHistory(e streams, args []string) error {
	var asJSON *bool
	return dayCommand(e, "history", args, func(fs *flag.FlagSet) {
		asJSON = fs.Bool("json", false, "print JSON")
	}, func(ctx context.Context, svc *pos.Service, day time.Time) error {
		sales := cli.Paced(func(fn func(pos.Sale) error) error { return svc.EachOfDay(ctx, day, fn) })
		if *asJSON {
			return cli.StreamHistoryJSON(e.stdout, sales)
		}
		return cli.StreamHistory(e.stdout, sales)
	})
}

func runReport(e streams, args []string) error {
	var asCSV *bool
	return dayCommand(e, "report", args, func(fs *flag.FlagSet) {
		asCSV = fs.Bool("csv", false, "one CSV row per sale, for reconciling against the Kora dashboard")
	}, func(ctx context.Context, svc *pos.Service, day time.Time) error {
		if *asCSV {
			return cli.StreamReportCSV(e.stdout, cli.Paced(func(fn func(pos.Sale) error) error { return svc.EachOfDay(ctx, day, fn) }))
		}
		r, err := svc.DayReport(ctx, day)
		if err != nil {
			return err
		}
		return cli.WriteReport(e.stdout, r)
	})
}

// dayCommand is history's and report's shared opening: the common flags
// and --date (with the command's own from flags), the journal opened
// read-only (beside a running till, with no Kora key); then write, which
// reads the day a piece at a time (pos.Service.EachOfDay, DayReport).
func dayCommand(e streams, name string, args []string, flags func(*flag.FlagSet), write func(context.Context, *pos.Service, time.Time) error) error {
	var c common
	fs := newFlags(name, &c)
	date := fs.String("date", "today", "day: YYYY-MM-DD, today or yesterday")
	flags(fs)
	if err := parse(fs, args, 0, e.stdout); err != nil {
		return done(err)
	}
	day, err := cli.ParseDay(*date, clock())
	if err != nil {
		return exit.UsageError(err)
	}
	cfg, err := findConfig(c, config.LoadWithoutSecret)
	if err != nil {
		return configError(err)
	}
	svc, err := pos.Open(cfg, pos.Options{ReadOnly: true, Now: clock})
	if errors.Is(err, os.ErrNotExist) {
		return exit.Fail(fmt.Errorf("no journal yet at %s", cfg.Journal.Path))
	}
	if err != nil {
		return exit.Fail(err)
	}
	defer svc.Close()
	if err := write(context.Background(), svc, day); err != nil {
		return exit.Fail(err)
	}
	return nil
}

func runReceipt(e streams, args []string) error {
	var c common
	fs := newFlags("receipt", &c)
	print := fs.Bool("print", false, "reprint it on receipt.printer (marked REPRINT)")
	// The reference may come before or after the flags.
	ref := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		ref, args = args[0], args[1:]
	}
	positional := 0
	if ref == "" {
		positional = 1
	}
	if err := parse(fs, args, positional, e.stdout); err != nil {
		return done(err)
	}
	if ref == "" && fs.NArg() == 1 {
		ref = fs.Arg(0)
	}
	if ref == "" {
		return exit.UsageError(fmt.Errorf("which sale? usage: %s", commandLine(fs)))
	}
	cfg, err := loadConfig(c)
	if err != nil {
		return configError(err)
	}
	// Read-write when the till is not running, so a reprint is logged;
	// read-only beside a running till.
	svc, err := pos.Open(cfg, pos.Options{Stdout: e.stdout, Now: clock})
	if errors.Is(err, journal.ErrLocked) {
		svc, err = pos.Open(cfg, pos.Options{ReadOnly: true, Stdout: e.stdout, Now: clock})
	}
	if err != nil {
		return exit.Fail(err)
	}
	defer svc.Close()
	ctx := context.Background()
	if *print {
		if err := svc.Print(ctx, ref, true); err != nil {
			return exit.Fail(err)
		}
		fmt.Fprintf(e.stderr, "reprinted %s on %s\n", ref, svc.PrinterName())
		return nil
	}
	slip, err := svc.Slip(ctx, ref, true)
	if err != nil {
		return exit.Fail(fmt.Errorf("%q: %w", ref, err))
	}
	fmt.Fprint(e.stdout, slip.Text())
	return nil
}

func runReconcile(e streams, args []string) error {
	var c common
	fs := newFlags("reconcile", &c)
	if err := parse(fs, args, 0, e.stdout); err != nil {
		return done(err)
	}
	t, err := openTill(c, false)
	if err != nil {
		return err
	}
	defer t.Close()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rep, err := t.svc.Reconcile(ctx, true)
	for _, s := range rep.Resolved {
		fmt.Fprintf(e.stdout, "%s  %s  %s\n", s.Reference, s.Status, s.Currency.Format(s.Charged))
	}
	for _, s := range rep.Still {
		fmt.Fprintf(e.stdout, "%s  still unknown after %s — run reconcile again later\n", s.Reference, pos.Count(s.Checks, "check", "checks"))
	}
	if err != nil {
		return exit.Fail(err)
	}
	fmt.Fprintf(e.stdout, "%d checked, %d resolved, %d still unknown\n", rep.Checked, len(rep.Resolved), len(rep.Still))
	if len(rep.Still) > 0 {
		return exit.Quiet(exit.Failed)
	}
	return nil
}

// runCheck checks what the till needs, as the till would load it: the
// config (a kiosk's supervisor hash too), the journal (read-only beside a
// running till), the printer and Kora's answer to the key. Every part is
// checked even when an earlier one fails.
func runCheck(e streams, args []string) error {
	stdout, stderr := e.stdout, e.stderr
	var c common
	fs := newFlags("check", &c)
	kiosk := fs.Bool("kiosk", false, "check as for the till's --kiosk (the supervisor PIN hash)")
	if err := parse(fs, args, 0, stdout); err != nil {
		return done(err)
	}
	// check is no screen and writes no log file: its log lines (at debug,
	// Kora's requests) go to stderr.
	level, err := pos.ParseLogLevel(c.logLevel)
	if err != nil {
		return exit.UsageError(err)
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	cfg, err := loadConfig(c)
	if err == nil && (*kiosk || cfg.Kiosk.Enabled) {
		_, err = pos.KioskSupervisorHash(cfg)
	}
	if err != nil {
		fmt.Fprintln(stdout, "config   FAILED (see below)")
		return configError(err)
	}
	where := cfg.Path
	if cfg.Demo {
		where = "none found: demo mode on the built-in sandbox"
	}
	fmt.Fprintf(stdout, "config   ok   %s (%s)\n", where, cfg.Mode())
	status := exit.OK
	ctx := context.Background()
	var sb *sandbox.Server
	if cfg.Demo {
		if sb, err = sandbox.Start(""); err != nil {
			fmt.Fprintf(stdout, "kora     FAILED demo sandbox: %v\n", err)
			return exit.Quiet(exit.Failed)
		}
		defer sb.Close()
		cfg.Kora.BaseURL = sb.URL
	}

	jc := pos.CheckJournal(ctx, cfg)
	switch {
	case jc.Err != nil && jc.HeldBy != "":
		fmt.Fprintf(stdout, "journal  FAILED %s, held by the running till (pid %s): %v\n", jc.Path, jc.HeldBy, jc.Err)
		status = exit.Failed
	case jc.Err != nil:
		fmt.Fprintf(stdout, "journal  FAILED %v\n", jc.Err)
		status = exit.Failed
	case jc.HeldBy != "":
		fmt.Fprintf(stdout, "journal  ok   %s (%d unresolved; in use by the running till, pid %s, so read read-only)\n", jc.Path, jc.Unresolved, jc.HeldBy)
	default:
		fmt.Fprintf(stdout, "journal  ok   %s (%d unresolved)\n", jc.Path, jc.Unresolved)
	}

	svc, err := pos.Open(cfg, pos.Options{NoJournal: true, Logger: logger, Now: clock, Version: version, Stdout: io.Discard})
	if err != nil {
		fmt.Fprintf(stdout, "kora     FAILED %v\n", err)
		return exit.Quiet(exit.Failed)
	}
	defer svc.Close()
	if name := svc.PrinterName(); name != "" {
		if err := svc.CheckPrinter(); err != nil {
			fmt.Fprintf(stdout, "printer  WARN %v (sales still work; slips will not print)\n", err)
		} else {
			fmt.Fprintf(stdout, "printer  ok   %s\n", name)
		}
	}
	result, msg := svc.CheckKey(ctx)
	if result != pos.KeyAccepted {
		fmt.Fprintf(stdout, "kora     FAILED %s\n", msg)
		return exit.Quiet(exit.Failed)
	}
	fmt.Fprintf(stdout, "kora     ok   %s\n", msg)
	return exit.Quiet(status)
}

// loopbackAddr reports whether a --listen address is reachable only from
// this machine: 127.0.0.0/8, ::1 or localhost. ":8099" (every interface)
// is not.
func loopbackAddr(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

func runSandbox(e streams, args []string) error {
	stdout, stderr := e.stdout, e.stderr
	fs := flag.NewFlagSet("sandbox", flag.ContinueOnError)
	listen := fs.String("listen", "127.0.0.1:8099", "address to serve the sandbox on (loopback only, unless --allow-remote)")
	key := fs.String("key", sandbox.DefaultSecretKey, "Bearer key the sandbox accepts")
	remote := fs.Bool("allow-remote", false, "allow an address other machines can reach")
	cues := fs.String("webhooks", "", "misdeliver every charge's webhook: a comma list of twice, late, reordered, bad-signature, pretty, none")
	if err := parse(fs, args, 0, stdout); err != nil {
		return done(err)
	}
	if strings.TrimSpace(*key) == "" {
		return exit.UsageError(errors.New("--key must not be empty (the sandbox would accept any request)"))
	}
	if !loopbackAddr(*listen) {
		if !*remote {
			return exit.UsageError(fmt.Errorf("%q is reachable from other machines; the sandbox's key is published. Use 127.0.0.1, ::1 or localhost, or add --allow-remote (with your own --key)", *listen))
		}
		if *key == sandbox.DefaultSecretKey {
			fmt.Fprintln(stderr, "voucherpos sandbox: warning: serving beyond this machine with the published key; pass --key")
		}
	}
	cue, err := sandbox.ParseWebhookCues(*cues)
	if err != nil {
		return exit.UsageError(fmt.Errorf("--webhooks: %w", err))
	}
	srv, err := sandbox.Start(*listen, sandbox.WithSecretKey(*key), sandbox.WithWebhookCue(cue))
	if err != nil {
		return exit.Fail(err)
	}
	srv.Describe(stdout, srv.URL)
	fmt.Fprintln(stdout, "\nServing until Ctrl+C.")
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	srv.Close()
	return nil
}

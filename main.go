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
  voucherpos sandbox [--listen 127.0.0.1:8099] [--key K] [--allow-remote]
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

With no config file found, the till runs in demo mode on a built-in Kora sandbox.
`

// clock is the till's one clock, handed to pos (and through it to the
// screens); tests of main replace it.
var clock = time.Now

// reconcileAfter is how long after start-up the background reconciler
// first asks Kora about unresolved sales: well after the first frame.
const reconcileAfter = time.Second

// Exit statuses.
const (
	exitOK     = 0
	exitFailed = 1
	exitUsage  = 2
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run dispatches a command line and returns the exit status. Whatever it
// writes on stderr goes out with control characters escaped, so an
// argument echoed in a message (receipt $'x\e[2J') cannot drive the
// terminal.
func run(args []string, stdout, stderr io.Writer) int {
	stderr = escapeControls{stderr}
	if len(args) == 1 && (args[0] == "--help" || args[0] == "-help" || args[0] == "-h") {
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	cmd := ""
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "":
		return runTill(args, stdout, stderr)
	case "sandbox":
		return runSandbox(args, stdout, stderr)
	case "history":
		return runHistory(args, stdout, stderr)
	case "reconcile":
		return runReconcile(args, stdout, stderr)
	case "report":
		return runReport(args, stdout, stderr)
	case "receipt":
		return runReceipt(args, stdout, stderr)
	case "check":
		return runCheck(args, stdout, stderr)
	case "server":
		return runServer(args, stdout, stderr)
	case "hash-pin":
		return runHashPIN(args, os.Stdin, stdout, stderr)
	case "version":
		if len(args) > 0 && args[0] != "--help" && args[0] != "-h" {
			fmt.Fprintf(stderr, "voucherpos version: unexpected argument %q\n", args[0])
			return exitUsage
		}
		fmt.Fprintln(stdout, "voucherpos", version)
		return exitOK
	case "help":
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	fmt.Fprintf(stderr, "voucherpos: unknown command %q\n\n%s", cmd, usage)
	return exitUsage
}

// common holds the flags every till command shares.
type common struct {
	config   string
	demo     bool
	logLevel string
}

func newFlags(name string, stderr io.Writer, c *common) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.StringVar(&c.config, "config", "", "config file (default: $VOUCHERPOS_CONFIG, ./voucherpos.toml, $XDG_CONFIG_HOME/voucherpos/config.toml)")
	fs.BoolVar(&c.demo, "demo", false, "run on the built-in Kora sandbox (a config's store name, receipt, kiosk and ui settings still apply)")
	fs.StringVar(&c.logLevel, "log-level", "info", "log detail: debug, info, warn or error")
	return fs
}

// parse parses a command's flags. --help and -h print its flags on stdout
// (status 0). A bad flag, or an argument beyond the positional ones the
// command takes, is a usage error (status 2). ok is false when the command
// must stop and return code.
func parse(fs *flag.FlagSet, args []string, positional int, stdout, stderr io.Writer) (code int, ok bool) {
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
		return exitOK, false
	case err != nil:
		fmt.Fprintf(stderr, "%s: %v\nusage: %s   (%s --help lists the flags)\n", name, err, commandLine(fs), name)
		return exitUsage, false
	case fs.NArg() > positional:
		fmt.Fprintf(stderr, "%s: unexpected argument %q\nusage: %s   (%s --help lists the flags)\n", name, fs.Arg(positional), commandLine(fs), name)
		return exitUsage, false
	}
	return exitOK, true
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
	svc   *pos.Service
	sb    *sandbox.Server
	close []func()
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
func openTill(c common, fresh bool, stderr io.Writer) (*till, int) {
	cfg, err := loadConfig(c)
	if err != nil {
		fmt.Fprintf(stderr, "voucherpos: %v\n", err)
		return nil, exitUsage
	}
	return openTillWith(cfg, c, fresh, stderr)
}

// openTillWith opens the till of a loaded config. Its log file is created
// only once the service is open, so a till that cannot start (a journal
// path that is a folder, a file that is not a journal) leaves none behind.
func openTillWith(cfg *config.Config, c common, fresh bool, stderr io.Writer) (*till, int) {
	logger, logSink, err := pos.NewLog(c.logLevel)
	if err != nil {
		fmt.Fprintf(stderr, "voucherpos: %v\n", err)
		return nil, exitUsage
	}
	t := &till{}
	if cfg.Demo {
		// The slow demo voucher answers after the till has given up waiting.
		sb, err := sandbox.Start("", sandbox.WithSlowDelay(cfg.Kora.Timeout+4*time.Second), sandbox.WithDripInterval(time.Second))
		if err != nil {
			fmt.Fprintf(stderr, "voucherpos: demo sandbox: %v\n", err)
			return nil, exitFailed
		}
		t.sb = sb
		t.close = append(t.close, func() { sb.Close() })
		cfg.Kora.BaseURL = sb.URL
	}
	t.close = append(t.close, func() { logSink.Close() })
	svc, err := pos.Open(cfg, pos.Options{Logger: logger, Now: clock, Version: version, FreshJournal: cfg.Demo && fresh, Stdout: &t.slips})
	if err != nil {
		t.Close()
		fmt.Fprintf(stderr, "voucherpos: %v\n", err)
		return nil, exitFailed
	}
	t.svc = svc
	t.close = append(t.close, func() { svc.Close() })
	if err := logSink.Open(cfg.Journal.Path); err != nil {
		t.Close()
		fmt.Fprintf(stderr, "voucherpos: %v\n", err)
		return nil, exitFailed
	}
	return t, exitOK
}

func runTill(args []string, stdout, stderr io.Writer) int {
	var c common
	fs := newFlags("voucherpos", stderr, &c)
	kiosk := fs.Bool("kiosk", false, "kiosk mode: customer-facing, locked down (also [kiosk] enabled = true)")
	if code, ok := parse(fs, args, 0, stdout, stderr); !ok {
		return code
	}
	cfg, err := loadConfig(c)
	if err != nil {
		fmt.Fprintf(stderr, "voucherpos: %v\n", err)
		return exitUsage
	}
	// A kiosk that could never be left does not start, and opens nothing.
	var supervisorHash string
	if *kiosk || cfg.Kiosk.Enabled {
		if supervisorHash, err = pos.KioskSupervisorHash(cfg); err != nil {
			fmt.Fprintf(stderr, "voucherpos: %v\n", err)
			return exitUsage
		}
	}
	t, code := openTillWith(cfg, c, true, stderr)
	if t == nil {
		return code
	}
	defer t.Close()
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
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	// The reconciler starts a moment after the screens: the first frame
	// waits on nothing from the network, and Kora is asked nothing before
	// the cashier has a screen. Sales a crash left pending are resolved a
	// second later; the Checking screen asks Kora itself meanwhile.
	go func() {
		select {
		case <-time.After(reconcileAfter):
			t.svc.Run(ctx)
		case <-ctx.Done():
		}
	}()
	if err := ui.Run(ctx, t.svc, opts, nil, nil); err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, tea.ErrProgramKilled) {
		fmt.Fprintf(stderr, "voucherpos: %v\n", err)
		return exitFailed
	}
	t.slips.WriteTo(stdout)
	if n := t.svc.InFlight(); n > 0 {
		fmt.Fprintf(stderr, "Waiting up to 10 s for Kora's answer to %d sale(s) in progress, so the journal has it…\n", n)
	}
	if n, err := t.svc.Unresolved(context.Background()); err == nil && n > 0 && !cfg.Demo {
		fmt.Fprintf(stdout, "%d sale(s) still being checked with Kora; they will be reconciled at the next start (or run: voucherpos reconcile).\n", n)
	}
	return exitOK
}

// runHashPIN prints the kiosk.supervisor_pin_hash of a PIN read from the
// terminal (not echoed) or from standard input.
func runHashPIN(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 1 && (args[0] == "--help" || args[0] == "-h" || args[0] == "-help") {
		fmt.Fprintln(stdout, "usage: voucherpos hash-pin   (type the PIN twice, or pipe it in); prints the kiosk.supervisor_pin_hash line")
		return exitOK
	}
	if len(args) > 0 {
		fmt.Fprintln(stderr, "usage: voucherpos hash-pin   (type the PIN, or pipe it in)")
		return exitUsage
	}
	var pin string
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(f.Fd()) {
		fmt.Fprint(stderr, "Supervisor PIN (4-12 digits): ")
		b, err := term.ReadPassword(f.Fd())
		fmt.Fprintln(stderr)
		if err != nil {
			fmt.Fprintf(stderr, "voucherpos hash-pin: %v\n", err)
			return exitFailed
		}
		fmt.Fprint(stderr, "Again: ")
		again, _ := term.ReadPassword(f.Fd())
		fmt.Fprintln(stderr)
		if string(again) != string(b) {
			fmt.Fprintln(stderr, "voucherpos hash-pin: the two PINs differ")
			return exitUsage
		}
		pin = string(b)
	} else {
		b, _ := io.ReadAll(io.LimitReader(stdin, 64))
		pin = strings.TrimSpace(string(b))
	}
	h, err := pos.HashSupervisorPIN(pin)
	if err != nil {
		fmt.Fprintf(stderr, "voucherpos hash-pin: %v\n", err)
		return exitUsage
	}
	fmt.Fprintf(stdout, "supervisor_pin_hash = %q\n", h)
	return exitOK
}

func runHistory(args []string, stdout, stderr io.Writer) int {
	var c common
	fs := newFlags("history", stderr, &c)
	date := fs.String("date", "today", "day to show: YYYY-MM-DD, today or yesterday")
	asJSON := fs.Bool("json", false, "print JSON")
	if code, ok := parse(fs, args, 0, stdout, stderr); !ok {
		return code
	}
	svc, day, code := openReader("history", c, *date, stderr)
	if svc == nil {
		return code
	}
	defer svc.Close()
	sales, err := svc.Day(context.Background(), day)
	if err != nil {
		fmt.Fprintf(stderr, "voucherpos history: %v\n", err)
		return exitFailed
	}
	if *asJSON {
		err = cli.WriteHistoryJSON(stdout, sales)
	} else {
		err = cli.WriteHistory(stdout, sales)
	}
	if err != nil {
		return exitFailed
	}
	return exitOK
}

func runReport(args []string, stdout, stderr io.Writer) int {
	var c common
	fs := newFlags("report", stderr, &c)
	date := fs.String("date", "today", "day to report: YYYY-MM-DD, today or yesterday")
	asCSV := fs.Bool("csv", false, "one CSV row per sale, for reconciling against the Kora dashboard")
	if code, ok := parse(fs, args, 0, stdout, stderr); !ok {
		return code
	}
	svc, day, code := openReader("report", c, *date, stderr)
	if svc == nil {
		return code
	}
	defer svc.Close()
	sales, err := svc.Day(context.Background(), day)
	if err != nil {
		fmt.Fprintf(stderr, "voucherpos report: %v\n", err)
		return exitFailed
	}
	if *asCSV {
		err = cli.WriteReportCSV(stdout, sales)
	} else {
		err = cli.WriteReport(stdout, pos.BuildReport(day, svc.Currency(), sales))
	}
	if err != nil {
		return exitFailed
	}
	return exitOK
}

// openReader opens the journal read-only (beside a running till) for a day.
func openReader(cmd string, c common, date string, stderr io.Writer) (*pos.Service, time.Time, int) {
	day, err := cli.ParseDay(date, clock())
	if err != nil {
		fmt.Fprintf(stderr, "voucherpos %s: %v\n", cmd, err)
		return nil, day, exitUsage
	}
	// Reading the journal needs no Kora key.
	cfg, err := findConfig(c, config.LoadWithoutSecret)
	if err != nil {
		fmt.Fprintf(stderr, "voucherpos: %v\n", err)
		return nil, day, exitUsage
	}
	svc, err := pos.Open(cfg, pos.Options{ReadOnly: true, Now: clock})
	if errors.Is(err, os.ErrNotExist) {
		fmt.Fprintf(stderr, "voucherpos %s: no journal yet at %s\n", cmd, cfg.Journal.Path)
		return nil, day, exitFailed
	}
	if err != nil {
		fmt.Fprintf(stderr, "voucherpos %s: %v\n", cmd, err)
		return nil, day, exitFailed
	}
	return svc, day, exitOK
}

func runReceipt(args []string, stdout, stderr io.Writer) int {
	var c common
	fs := newFlags("receipt", stderr, &c)
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
	if code, ok := parse(fs, args, positional, stdout, stderr); !ok {
		return code
	}
	if ref == "" && fs.NArg() == 1 {
		ref = fs.Arg(0)
	}
	if ref == "" {
		fmt.Fprintf(stderr, "voucherpos receipt: which sale? usage: %s\n", commandLine(fs))
		return exitUsage
	}
	cfg, err := loadConfig(c)
	if err != nil {
		fmt.Fprintf(stderr, "voucherpos: %v\n", err)
		return exitUsage
	}
	// Read-write when the till is not running, so a reprint is logged;
	// read-only beside a running till.
	svc, err := pos.Open(cfg, pos.Options{Stdout: stdout, Now: clock})
	if errors.Is(err, journal.ErrLocked) {
		svc, err = pos.Open(cfg, pos.Options{ReadOnly: true, Stdout: stdout, Now: clock})
	}
	if err != nil {
		fmt.Fprintf(stderr, "voucherpos receipt: %v\n", err)
		return exitFailed
	}
	defer svc.Close()
	ctx := context.Background()
	if *print {
		if err := svc.Print(ctx, ref, true); err != nil {
			fmt.Fprintf(stderr, "voucherpos receipt: %v\n", err)
			return exitFailed
		}
		fmt.Fprintf(stderr, "reprinted %s on %s\n", ref, svc.PrinterName())
		return exitOK
	}
	slip, err := svc.Slip(ctx, ref, true)
	if err != nil {
		fmt.Fprintf(stderr, "voucherpos receipt: %q: %v\n", ref, err)
		return exitFailed
	}
	fmt.Fprint(stdout, slip.Text())
	return exitOK
}

func runReconcile(args []string, stdout, stderr io.Writer) int {
	var c common
	fs := newFlags("reconcile", stderr, &c)
	if code, ok := parse(fs, args, 0, stdout, stderr); !ok {
		return code
	}
	t, code := openTill(c, false, stderr)
	if t == nil {
		return code
	}
	defer t.Close()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rep, err := t.svc.Reconcile(ctx, true)
	for _, s := range rep.Resolved {
		fmt.Fprintf(stdout, "%s  %s  %s\n", s.Reference, s.Status, s.Currency.Format(s.Charged))
	}
	for _, s := range rep.Still {
		fmt.Fprintf(stdout, "%s  still unknown after %d checks — run reconcile again later\n", s.Reference, s.Checks)
	}
	if err != nil {
		fmt.Fprintf(stderr, "voucherpos reconcile: %v\n", err)
		return exitFailed
	}
	fmt.Fprintf(stdout, "%d checked, %d resolved, %d still unknown\n", rep.Checked, len(rep.Resolved), len(rep.Still))
	if len(rep.Still) > 0 {
		return exitFailed
	}
	return exitOK
}

// runCheck checks what the till needs, as the till would load it: the
// config (a kiosk's supervisor hash too), the journal (read-only beside a
// running till), the printer and Kora's answer to the key. Every part is
// checked even when an earlier one fails.
func runCheck(args []string, stdout, stderr io.Writer) int {
	var c common
	fs := newFlags("check", stderr, &c)
	kiosk := fs.Bool("kiosk", false, "check as for the till's --kiosk (the supervisor PIN hash)")
	if code, ok := parse(fs, args, 0, stdout, stderr); !ok {
		return code
	}
	// check is no screen and writes no log file: its log lines (at debug,
	// Kora's requests) go to stderr.
	level, err := pos.ParseLogLevel(c.logLevel)
	if err != nil {
		fmt.Fprintf(stderr, "voucherpos check: %v\n", err)
		return exitUsage
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	cfg, err := loadConfig(c)
	if err == nil && (*kiosk || cfg.Kiosk.Enabled) {
		_, err = pos.KioskSupervisorHash(cfg)
	}
	if err != nil {
		fmt.Fprintf(stderr, "voucherpos: %v\n", err)
		fmt.Fprintln(stdout, "config   FAILED (see above)")
		return exitUsage
	}
	where := cfg.Path
	if cfg.Demo {
		where = "none found: demo mode on the built-in sandbox"
	}
	fmt.Fprintf(stdout, "config   ok   %s (%s)\n", where, cfg.Mode())
	status := exitOK
	ctx := context.Background()
	var sb *sandbox.Server
	if cfg.Demo {
		if sb, err = sandbox.Start(""); err != nil {
			fmt.Fprintf(stdout, "kora     FAILED demo sandbox: %v\n", err)
			return exitFailed
		}
		defer sb.Close()
		cfg.Kora.BaseURL = sb.URL
	}

	jc := pos.CheckJournal(ctx, cfg)
	switch {
	case jc.Err != nil && jc.HeldBy != "":
		fmt.Fprintf(stdout, "journal  FAILED %s, held by the running till (pid %s): %v\n", jc.Path, jc.HeldBy, jc.Err)
		status = exitFailed
	case jc.Err != nil:
		fmt.Fprintf(stdout, "journal  FAILED %v\n", jc.Err)
		status = exitFailed
	case jc.HeldBy != "":
		fmt.Fprintf(stdout, "journal  ok   %s (%d unresolved; in use by the running till, pid %s, so read read-only)\n", jc.Path, jc.Unresolved, jc.HeldBy)
	default:
		fmt.Fprintf(stdout, "journal  ok   %s (%d unresolved)\n", jc.Path, jc.Unresolved)
	}

	svc, err := pos.Open(cfg, pos.Options{NoJournal: true, Logger: logger, Now: clock, Version: version, Stdout: io.Discard})
	if err != nil {
		fmt.Fprintf(stdout, "kora     FAILED %v\n", err)
		return exitFailed
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
		return exitFailed
	}
	fmt.Fprintf(stdout, "kora     ok   %s\n", msg)
	return status
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

func runSandbox(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sandbox", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "127.0.0.1:8099", "address to serve the sandbox on (loopback only, unless --allow-remote)")
	key := fs.String("key", sandbox.DefaultSecretKey, "Bearer key the sandbox accepts")
	remote := fs.Bool("allow-remote", false, "allow an address other machines can reach")
	if code, ok := parse(fs, args, 0, stdout, stderr); !ok {
		return code
	}
	if strings.TrimSpace(*key) == "" {
		fmt.Fprintln(stderr, "voucherpos sandbox: --key must not be empty (the sandbox would accept any request)")
		return exitUsage
	}
	if !loopbackAddr(*listen) {
		if !*remote {
			fmt.Fprintf(stderr, "voucherpos sandbox: %q is reachable from other machines; the sandbox's key is published. Use 127.0.0.1, ::1 or localhost, or add --allow-remote (with your own --key)\n", *listen)
			return exitUsage
		}
		if *key == sandbox.DefaultSecretKey {
			fmt.Fprintln(stderr, "voucherpos sandbox: warning: serving beyond this machine with the published key; pass --key")
		}
	}
	srv, err := sandbox.Start(*listen, sandbox.WithSecretKey(*key))
	if err != nil {
		fmt.Fprintf(stderr, "voucherpos sandbox: %v\n", err)
		return exitFailed
	}
	srv.Describe(stdout, srv.URL)
	fmt.Fprintln(stdout, "\nServing until Ctrl+C.")
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	srv.Close()
	return exitOK
}

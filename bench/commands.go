package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"syscall"
	"time"

	"voucherpos/internal/busyday"
)

// The busy day: 100 000 sales on one day, written straight into a journal
// (internal/busyday), read by the commands and BenchmarkBusyDay.
const busyDaySales = 100_000

var (
	busyDate  = time.Date(2026, 11, 27, 12, 0, 0, 0, time.Local)
	emptyDate = "2026-11-26"
)

// writeBusyDay writes the busy day's journal under dir.
func writeBusyDay(dir string) (string, time.Duration, error) {
	path := filepath.Join(dir, "busyday", "journal.db")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", 0, err
	}
	t0 := time.Now()
	err := busyday.Write(path, busyDate, busyDaySales, "till-1", deadKey)
	return path, time.Since(t0), err
}

// cmdRun is one run of a command: its wall time from fork to exit and its
// peak resident set (getrusage's ru_maxrss).
type cmdRun struct {
	wall time.Duration
	rss  int64
	out  int // bytes written to stdout
}

// command is a non-till command of voucherpos, run as a kiosk's support
// would run it, against the busy day's journal.
type command struct {
	name string
	args []string
}

func busyCommands(cfg string) []command {
	day := busyDate.Format("2006-01-02")
	y, m, d := busyDate.Date()
	midnight := time.Date(y, m, d, 0, 0, 0, 0, time.Local) // busyday.Write's first sale
	c := func(args ...string) []string { return append(args, "--config", cfg) }
	return []command{
		{"version", []string{"version"}},
		{"help", []string{"help"}},
		{"history, an empty day", c("history", "--date", emptyDate)},
		{"history, 100 000 sales", c("history", "--date", day)},
		{"history --json, an empty day", c("history", "--json", "--date", emptyDate)},
		{"history --json, 100 000 sales", c("history", "--json", "--date", day)},
		{"report, an empty day", c("report", "--date", emptyDate)},
		{"report, 100 000 sales", c("report", "--date", day)},
		{"report --csv, 100 000 sales", c("report", "--csv", "--date", day)},
		{"receipt REFERENCE", c("receipt", "till-1-"+midnight.UTC().Format("20060102150405")+"-000000")},
		{"check (Kora refused)", c("check")},
	}
}

// busyConfig is a TEST-mode config on the busy day's journal whose Kora
// refuses connections (no command here needs it but check).
func busyConfig(dir, journal string) (string, error) {
	cfg := filepath.Join(dir, "busyday.toml")
	return cfg, os.WriteFile(cfg, []byte(fmt.Sprintf(`[store]
name = "Bench Spaza"
terminal_id = "till-1"
customer_email = "till@example.com"

[kora]
base_url = "http://127.0.0.1:1"
timeout = "2s"

[[providers]]
code = "0001"
name = "1Voucher"

[[providers]]
code = "0002"
name = "OTT"

[journal]
path = %q
`, journal)), 0o600)
}

// runCommand runs a command through the harness itself re-executed as a
// small runner (runChild): a child's ru_maxrss starts from the resident set
// of the process it was forked from, so forked from this harness every
// command would read as this harness's size.
func runCommand(ctx context.Context, bin string, args []string, home string) (cmdRun, error) {
	env, dir, err := sandboxEnv(home)
	if err != nil {
		return cmdRun{}, err
	}
	self, err := os.Executable()
	if err != nil {
		return cmdRun{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	report := filepath.Join(home, "rusage")
	cmd := exec.CommandContext(ctx, self, append([]string{bin}, args...)...)
	cmd.Env = append(append(env, tillEnv...), "KORA_SECRET_KEY="+deadKey, runnerEnv+"="+report)
	cmd.Dir = dir
	var out countWriter
	cmd.Stdout = &out
	if err := cmd.Run(); err != nil && cmd.ProcessState.ExitCode() < 0 {
		return cmdRun{}, fmt.Errorf("%s %v: %v", filepath.Base(bin), args, err)
	}
	b, err := os.ReadFile(report)
	if err != nil {
		return cmdRun{}, fmt.Errorf("%s %v: no rusage: %v", filepath.Base(bin), args, err)
	}
	var wall, rss int64
	if _, err := fmt.Sscan(string(b), &wall, &rss); err != nil {
		return cmdRun{}, err
	}
	return cmdRun{wall: time.Duration(wall), rss: rss, out: int(out)}, nil
}

// runnerEnv, when set, makes the harness a runner: it runs its arguments
// as a command and writes its wall time (ns) and ru_maxrss (bytes) to the
// file the variable names.
const runnerEnv = "VOUCHERPOS_BENCH_RUSAGE"

func runChild(report string) int {
	cmd := exec.Command(os.Args[1], os.Args[2:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = os.Environ()
	t0 := time.Now()
	err := cmd.Run()
	wall := time.Since(t0)
	if cmd.ProcessState == nil {
		fmt.Fprintln(os.Stderr, "runner:", err)
		return 1
	}
	var rss int64
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rss = ru.Maxrss * 1024
	}
	if err := os.WriteFile(report, []byte(fmt.Sprintf("%d %d\n", wall.Nanoseconds(), rss)), 0o600); err != nil {
		return 1
	}
	return cmd.ProcessState.ExitCode()
}

type countWriter int

func (c *countWriter) Write(p []byte) (int, error) { *c += countWriter(len(p)); return len(p), nil }

// initCost is a package's init as GODEBUG=inittrace=1 reports it.
type initCost struct {
	clockMS float64
	bytes   int64
	allocs  int64
}

var initLine = regexp.MustCompile(`init (\S+) @\S+ ms, ([0-9.]+) ms clock, ([0-9]+) bytes, ([0-9]+) allocs`)

// inits runs bin version with GODEBUG=inittrace=1 and returns each
// package's init cost, and their sum.
func inits(bin string) (map[string]initCost, initCost, error) {
	cmd := exec.Command(bin, "version")
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return nil, initCost{}, err
	}
	out, sum := map[string]initCost{}, initCost{}
	for _, m := range initLine.FindAllStringSubmatch(stderr.String(), -1) {
		ms, _ := strconv.ParseFloat(m[2], 64)
		b, _ := strconv.ParseInt(m[3], 10, 64)
		a, _ := strconv.ParseInt(m[4], 10, 64)
		c := out[m[1]]
		c.clockMS, c.bytes, c.allocs = c.clockMS+ms, c.bytes+b, c.allocs+a
		out[m[1]] = c
		sum.clockMS, sum.bytes, sum.allocs = sum.clockMS+ms, sum.bytes+b, sum.allocs+a
	}
	return out, sum, nil
}

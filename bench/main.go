// Command bench is voucherpos's performance harness. From the repository:
//
//	go run ./bench
//
// It builds the till as it ships (CGO off, stripped), installs the peer,
// charmbracelet/gum, from the Go module proxy, and measures both in a
// pseudo-terminal driven by a virtual terminal (charmbracelet/x/vt): time to
// the first complete frame, peak RSS, bytes written per typed digit and per
// screen change. It then runs the Go benchmarks of ui, pos and pos/journal
// (View per screen, a keystroke on an empty and a full journal, journal
// writes, Submit against the bare client, 1 000 sales in one process) and
// prints one table: ours, gum's, the ratio, the target. Every figure is a
// median of several runs; nothing is asserted on time. BENCHMARKS.md says
// what dominates each cost.
//
// It reaches no network but the Go module proxy (for gum, and for this
// module's dependencies on a fresh clone), every wait in it is bounded, and
// it takes a few minutes on two cores.
package main

import (
	"context"
	"flag"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"syscall"
	"time"
)

type options struct {
	runs       int
	sales      int
	count      int
	benchtime  string
	gum        bool
	gumVersion string
	md         string
	keep       bool
	goBench    bool
	verbose    bool
}

func main() {
	if report := os.Getenv(runnerEnv); report != "" {
		os.Exit(runChild(report))
	}
	var o options
	flag.IntVar(&o.runs, "runs", 7, "starts of each program in the pty (the figures are medians)")
	flag.IntVar(&o.sales, "sales", 50, "sales typed through the pty in one till process (each waits out the 0.5 s result grace)")
	flag.IntVar(&o.count, "count", 5, "runs of each Go benchmark (-test.count)")
	flag.StringVar(&o.benchtime, "benchtime", "100ms", "-test.benchtime of the View and keystroke benchmarks")
	flag.BoolVar(&o.gum, "gum", true, "install and measure charmbracelet/gum beside the till")
	flag.StringVar(&o.gumVersion, "gum-version", "latest", "gum version to install from the Go module proxy")
	flag.StringVar(&o.md, "md", "", "also write the tables as Markdown to this file")
	flag.BoolVar(&o.keep, "keep", false, "keep the work directory (binaries, journals, profiles)")
	flag.BoolVar(&o.goBench, "gobench", true, "run the Go benchmarks")
	flag.BoolVar(&o.verbose, "v", false, "print every run as it ends")
	flag.Func("till-env", "KEY=VALUE added to the till's environment, e.g. GOMEMLIMIT=12MiB (repeatable)", func(s string) error {
		if !strings.Contains(s, "=") {
			return fmt.Errorf("want KEY=VALUE")
		}
		tillEnv = append(tillEnv, s)
		return nil
	})
	flag.Parse()
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s  "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
}

// moduleRoot is the directory of voucherpos's go.mod.
func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", fmt.Errorf("run from the voucherpos repository: go run ./bench")
	}
	b, err := os.ReadFile(gomod)
	if err != nil || !strings.HasPrefix(string(b), "module voucherpos") {
		return "", fmt.Errorf("%s is not voucherpos's go.mod", gomod)
	}
	return filepath.Dir(gomod), nil
}

// figures is everything measured.
type figures struct {
	env        []string
	gumAbout   string
	gumErr     error
	till       []tillRun
	gum        []gumRun
	dead       []deadRun
	long       longRun
	longErr    error
	sizeAMD64  int64
	sizeARM64  int64
	sizeNoSrv  int64 // amd64, -tags noserver
	sizeMin    int64 // the minimal Bubble Tea program
	minimal    []minimalRun
	syncs      []syncRun
	cmdOrder   []string
	cmds       map[string][]cmdRun
	busyWrite  time.Duration
	busyErr    error
	inits      map[string]initCost
	initSum    initCost
	sizeDetail string
	bench      *benchSet
	benchErrs  []error
}

func run(o options) error {
	if runtime.GOOS != "linux" {
		return fmt.Errorf("the harness reads /proc and runs linux binaries: run it on Linux")
	}
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "voucherpos-bench-")
	if err != nil {
		return err
	}
	if o.keep {
		logf("work directory %s (kept)", tmp)
	} else {
		defer os.RemoveAll(tmp)
	}
	ctx := context.Background()
	f := &figures{bench: newBenchSet()}
	f.env = describeMachine(tmp)
	if len(tillEnv) > 0 {
		f.env = append(f.env, "till environment adds: "+strings.Join(tillEnv, " "))
	}
	for _, l := range f.env {
		logf("%s", l)
	}

	// Builds: the shipped binary for both kiosk architectures, and an
	// unstripped one to attribute the size.
	logf("building voucherpos (CGO_ENABLED=0 -trimpath -ldflags='-s -w') for linux/amd64 and linux/arm64")
	bctx, cancel := context.WithTimeout(ctx, 15*time.Minute)
	defer cancel()
	amd64, arm64, full := binPath(tmp, "voucherpos-amd64"), binPath(tmp, "voucherpos-arm64"), binPath(tmp, "voucherpos-unstripped")
	for _, b := range []struct {
		out, arch string
		strip     bool
	}{{amd64, "amd64", true}, {arm64, "arm64", true}, {full, runtime.GOARCH, false}} {
		if err := buildTill(bctx, root, b.out, b.arch, b.strip); err != nil {
			return err
		}
	}
	noSrv, minimal := binPath(tmp, "voucherpos-noserver"), binPath(tmp, "minimal")
	if err := buildPkg(bctx, root, noSrv, "amd64", true, ".", "-tags", "noserver"); err != nil {
		return err
	}
	logf("building the floor: a minimal Bubble Tea v2 program (bench/minimal), built the same way")
	if err := buildPkg(bctx, root, minimal, runtime.GOARCH, true, "./bench/minimal"); err != nil {
		return err
	}
	f.sizeAMD64, _ = fileSize(amd64)
	f.sizeARM64, _ = fileSize(arm64)
	f.sizeNoSrv, _ = fileSize(noSrv)
	f.sizeMin, _ = fileSize(minimal)
	f.sizeDetail = sizeReport(amd64, full)
	till := amd64
	if runtime.GOARCH != "amd64" {
		till = binPath(tmp, "voucherpos-native")
		if err := buildTill(bctx, root, till, runtime.GOARCH, true); err != nil {
			return err
		}
	}

	gumBin := ""
	if o.gum {
		logf("installing the peer: GOBIN=%s go install github.com/charmbracelet/gum@%s", filepath.Join(tmp, "gumbin"), o.gumVersion)
		gumBin, f.gumAbout, f.gumErr = installGum(ctx, tmp, o.gumVersion)
		if f.gumErr != nil {
			logf("gum could not be installed, so there is no peer column: %v", f.gumErr)
		} else {
			logf("%s", f.gumAbout)
		}
	}

	var tests map[string]string
	if o.goBench {
		logf("compiling the benchmarks of ./ui, ./pos and ./pos/journal")
		tests = map[string]string{}
		for _, pkg := range []string{"./ui", "./pos", "./pos/journal"} {
			bin, err := testBinary(bctx, root, tmp, pkg)
			if err != nil {
				return err
			}
			tests[pkg] = bin
		}
	}

	// The pty: a warm-up start of each (page cache), then the runs,
	// alternating so that drift in the machine's load hits both alike.
	logf("pty: %d starts of each program (after one warm-up), 80×24, TERM=xterm-256color", o.runs)
	home := func(name string, i int) string { return filepath.Join(tmp, fmt.Sprintf("home-%s-%d", name, i)) }
	for i := -1; i < o.runs; i++ {
		r, err := runTill(till, home("till", i))
		if err != nil {
			return fmt.Errorf("till run: %w", err)
		}
		if i >= 0 {
			f.till = append(f.till, r)
		}
		if o.verbose && i >= 0 {
			logf("  voucherpos: first frame %.1f ms, cpu %.1f ms, VmHWM %.1f MB, digits %v", ms(r.firstFrame), ms(r.cpu), mb(r.mem.HWM), bytesOf(r.digits))
		}
		mr, err := runMinimal(minimal, home("minimal", i))
		if err != nil {
			return fmt.Errorf("minimal run: %w", err)
		}
		sr, err := runTillSync(till, home("sync", i))
		if err != nil {
			return fmt.Errorf("till run with synchronized output: %w", err)
		}
		if i >= 0 {
			f.minimal, f.syncs = append(f.minimal, mr), append(f.syncs, sr)
		}
		if o.verbose && i >= 0 {
			logf("  minimal:    first frame %.1f ms, VmHWM %.1f MB; till with mode 2026: digits %v", ms(mr.firstFrame), mb(mr.mem.HWM), bytesOf(sr.digits))
		}
		if gumBin != "" {
			g, err := runGum(gumBin, home("gum", i))
			if err != nil {
				return fmt.Errorf("gum run: %w", err)
			}
			if i >= 0 {
				f.gum = append(f.gum, g)
			}
			if o.verbose && i >= 0 {
				logf("  gum:        first frame %.1f ms, cpu %.1f ms, VmHWM %.1f MB, digits %v", ms(g.firstFrame), ms(g.cpu), mb(g.mem.HWM), bytesOf(g.digits))
			}
		}
	}

	logf("pty: %d starts with Kora dead (a silent listener on 127.0.0.1) and 3 sales pending in the journal", o.runs)
	for i := 0; i < o.runs; i++ {
		r, err := runDead(till, home("dead", i), i == 0)
		if err != nil {
			return fmt.Errorf("dead-network run: %w", err)
		}
		f.dead = append(f.dead, r)
		if o.verbose {
			logf("  first frame %.1f ms, Kora first called %+.1f ms after it, digits echo %v", ms(r.firstFrame), ms(r.koraAfter), echoOf(r.digits))
		}
	}

	logf("the busy day: %d sales written straight into a journal", busyDaySales)
	busyPath, took, err := writeBusyDay(tmp)
	f.busyWrite, f.busyErr = took, err
	if err == nil {
		os.Setenv("VOUCHERPOS_BUSYDAY", busyPath) // BenchmarkBusyDay reads it
		cfg, err := busyConfig(tmp, busyPath)
		if err != nil {
			return err
		}
		f.cmds = map[string][]cmdRun{}
		cmds := busyCommands(cfg)
		logf("commands: %d runs each of %d commands on it", 3, len(cmds))
		for i := 0; i < 3; i++ {
			for _, c := range cmds {
				r, err := runCommand(ctx, till, c.args, home("cmd", i))
				if err != nil {
					logf("  %s: %v", c.name, err)
					continue
				}
				if i == 0 {
					f.cmdOrder = append(f.cmdOrder, c.name)
				}
				f.cmds[c.name] = append(f.cmds[c.name], r)
			}
		}
		f.inits, f.initSum, _ = inits(till)
	} else {
		logf("the busy day could not be written: %v", err)
	}

	if o.sales > 0 {
		logf("pty: %d sales typed in one till process (about %.0f s)", o.sales, float64(o.sales)*0.75)
		f.long, f.longErr = runLong(till, home("long", 0), o.sales, func(done int) {
			if o.verbose || done%50 == 0 {
				logf("  %d sales", done)
			}
		})
		if f.longErr != nil {
			logf("the long run stopped: %v", f.longErr)
		}
	}

	if o.goBench {
		logf("Go benchmarks (-count %d)", o.count)
		runs := []struct {
			pkg, pattern, benchtime string
			count, procs            int
			timeout                 time.Duration
		}{
			{"./ui", "^BenchmarkView$", o.benchtime, o.count, 1, 5 * time.Minute},
			{"./ui", "^BenchmarkKeystroke$", o.benchtime, min(o.count, 3), 1, 5 * time.Minute},
			{"./pos/journal", "^BenchmarkSaleWrite$", "200x", o.count, 1, 3 * time.Minute},
			{"./pos", "^(BenchmarkSubmit|BenchmarkSubmitNoFsync|BenchmarkBareCharge)$", "200x", o.count, 1, 5 * time.Minute},
			// One process per run: VmHWM never goes down, so each run of
			// 1 000 sales needs a process of its own.
			{"./pos", "^BenchmarkThousandSales$", "1x", 1, 3, 5 * time.Minute},
			// The phone library's metadata is decoded by the first number
			// a process parses: a process per run.
			{"./pos", "^BenchmarkPhoneFirstUse$", "1x", 1, 3, 2 * time.Minute},
		}
		if f.busyErr == nil {
			// One process per case: each reports its own peak.
			for _, c := range []string{"report", "history-first-screen", "history-unresolved-first-screen",
				"history-json", "history-table", "report-csv", "day-in-memory"} {
				runs = append(runs, struct {
					pkg, pattern, benchtime string
					count, procs            int
					timeout                 time.Duration
				}{"./pos", "^BenchmarkBusyDay$/^" + c + "$", "3x", 1, 1, 5 * time.Minute})
			}
		}
		for _, r := range runs {
			for p := 0; p < r.procs; p++ {
				logf("  %s %s", r.pkg, r.pattern)
				err := runBench(ctx, f.bench, tests[r.pkg], filepath.Join(root, r.pkg), r.pattern, r.benchtime, r.count, tmp, r.timeout)
				if err != nil {
					logf("  %v", err)
					f.benchErrs = append(f.benchErrs, err)
				}
			}
		}
	}

	f.env = append(f.env, "load average at the end: "+loadavg())
	out := report(f, o)
	fmt.Print(out.text)
	if o.md != "" {
		if err := os.WriteFile(o.md, []byte(out.markdown), 0o644); err != nil {
			return err
		}
		logf("wrote %s", o.md)
	}
	return nil
}

func describeMachine(tmp string) []string {
	var out []string
	v, _ := exec.Command("go", "version").Output()
	out = append(out, strings.TrimSpace(string(v)))
	cpu := ""
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if k, val, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				cpu = strings.TrimSpace(val)
				break
			}
		}
	}
	out = append(out, fmt.Sprintf("%d CPUs (%s), load average at the start: %s", runtime.NumCPU(), cpu, loadavg()))
	out = append(out, fmt.Sprintf("work directory on %s (journals fsync there)", fsType(tmp)))
	return out
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

func fsType(dir string) string {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return "?"
	}
	switch st.Type {
	case 0xEF53:
		return "ext4"
	case 0x01021994:
		return "tmpfs (fsync is free: journal figures are too low)"
	case 0x58465342:
		return "xfs"
	case 0x9123683E:
		return "btrfs"
	case 0x794c7630:
		return "overlayfs"
	}
	return fmt.Sprintf("filesystem 0x%x", st.Type)
}

func sizeReport(stripped, full string) string {
	var b strings.Builder
	total, _ := fileSize(stripped)
	if secs, err := sections(stripped); err == nil {
		printShares(&b, "stripped linux/amd64 by ELF section:", secs, total, 8)
	}
	if mods, err := modules(full); err == nil {
		var sum int64
		for _, m := range mods {
			sum += m.bytes
		}
		printShares(&b, "code and data by module, from the symbols of an unstripped build (.gopclntab aside):", mods, sum, 14)
	}
	return b.String()
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
func mb(b int64) float64         { return float64(b) / 1e6 }

func bytesOf(ks []keyStat) []int64 {
	out := make([]int64, len(ks))
	for i, k := range ks {
		out[i] = k.bytes
	}
	return out
}

func echoOf(ks []keyStat) []string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = fmt.Sprintf("%.1fms", ms(k.echo))
	}
	return out
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

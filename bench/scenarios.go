package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"voucherpos/internal/testkit"
	"voucherpos/pos/journal"
)

// schedCPU is the CPU time all of a process's threads have run (from
// /proc/PID/task/*/schedstat), a start-up figure that other load on the
// machine inflates far less than wall-clock time.
func schedCPU(pid int) time.Duration {
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/schedstat", pid))
	var sum int64
	for _, t := range tasks {
		b, err := os.ReadFile(t)
		if err != nil {
			continue
		}
		f := strings.Fields(string(b))
		if len(f) > 0 {
			n, _ := strconv.ParseInt(f[0], 10, 64)
			sum += n
		}
	}
	return time.Duration(sum)
}

// tillRun is one start of the till in DEMO mode: first frame, memory, six
// digits typed, and one sale with its screen changes.
type tillRun struct {
	startRun
	cpu     time.Duration
	idle    time.Duration // CPU used while nothing happens, per second
	digits  []keyStat
	changes map[string]keyStat
}

// idleWindow is how long a program is watched doing nothing.
const idleWindow = 2 * time.Second

// idleCPU is the CPU a program uses per second of doing nothing: timers,
// tickers, a blinking cursor.
func idleCPU(t *term) time.Duration {
	c0 := schedCPU(t.Pid())
	time.Sleep(idleWindow)
	return (schedCPU(t.Pid()) - c0) * time.Second / idleWindow
}

// tillEnv is added to the till's environment (-till-env): GOGC,
// GOMEMLIMIT, GODEBUG … to try a setting without a build.
var tillEnv []string

func runTill(bin, home string) (r tillRun, err error) {
	s := tillSubject(bin, "DEMO")
	t, sr, stop, err := launch(s, home, tillEnv...)
	if err != nil {
		return r, err
	}
	defer stop()
	r.startRun = sr
	r.cpu = sr.cpu
	r.idle = idleCPU(t)
	if r.digits, err = typeDigits(t, s, "", "123456"); err != nil {
		return r, err
	}
	if err = clearAmount(t, 6); err != nil {
		return r, err
	}
	r.changes, err = tillSale(t)
	return r, err
}

// clearAmount deletes n characters of the amount and waits for the empty
// Amount screen.
func clearAmount(t *term, n int) error {
	if err := t.Send(strings.Repeat("\x7f", n)); err != nil {
		return err
	}
	_, err := t.WaitText(screenWait, amountHint)
	return err
}

// gumRun is one start of `gum input`: first frame, memory, six digits.
type gumRun struct {
	startRun
	cpu    time.Duration
	idle   time.Duration
	digits []keyStat
}

func runGum(bin, home string) (r gumRun, err error) {
	s := gumSubject(bin)
	t, sr, stop, err := launch(s, home)
	if err != nil {
		return r, err
	}
	defer stop()
	r.startRun, r.cpu = sr, sr.cpu
	r.idle = idleCPU(t)
	r.digits, err = typeDigits(t, s, "", "123456")
	return r, err
}

// minimalRun is one start of the minimal Bubble Tea v2 program.
type minimalRun struct {
	startRun
	idle time.Duration
}

func runMinimal(bin, home string) (r minimalRun, err error) {
	t, sr, stop, err := launch(minimalSubject(bin), home)
	if err != nil {
		return r, err
	}
	defer stop()
	r.startRun = sr
	r.idle = idleCPU(t)
	return r, nil
}

// syncRun is one start of the till on a terminal that answers that it has
// synchronized output (mode 2026): the six digits, each frame wrapped.
type syncRun struct {
	startRun
	digits  []keyStat
	wrapped bool // the frames came in CSI ? 2026 h … l
}

func runTillSync(bin, home string) (r syncRun, err error) {
	s := tillSubject(bin, "DEMO")
	s.sync = true
	t, sr, stop, err := launch(s, home, tillEnv...)
	if err != nil {
		return r, err
	}
	defer stop()
	r.startRun = sr
	t.Capture()
	r.digits, err = typeDigits(t, s, "", "123456")
	r.wrapped = bytes.Contains(t.Captured(), []byte("\x1b[?2026h"))
	return r, err
}

// longRun is one till process that makes n sales typed through the pty.
type longRun struct {
	sales          int
	first, after   memStatus
	every          []memStatus // after every 10 sales
	fresh, later   []keyStat
	elapsedPerSale time.Duration
}

func runLong(bin, home string, n int, progress func(done int)) (r longRun, err error) {
	s := tillSubject(bin, "DEMO")
	t, sr, stop, err := launch(s, home, tillEnv...)
	if err != nil {
		return r, err
	}
	defer stop()
	r.first = sr.mem
	if r.fresh, err = typeDigits(t, s, "", "123456"); err != nil {
		return r, err
	}
	if err = clearAmount(t, 6); err != nil {
		return r, err
	}
	began := time.Now()
	for i := 1; i <= n; i++ {
		if err = tillSaleBurst(t); err != nil {
			return r, fmt.Errorf("sale %d: %w", i, err)
		}
		r.sales = i
		if i%10 == 0 || i == n {
			m, err := readMem(t.Pid())
			if err != nil {
				return r, err
			}
			r.every = append(r.every, m)
			progress(i)
		}
	}
	if n > 0 {
		r.elapsedPerSale = time.Since(began) / time.Duration(n)
	}
	if r.after, err = readMem(t.Pid()); err != nil {
		return r, err
	}
	r.later, err = typeDigits(t, s, "", "123456")
	return r, err
}

// deadRun is one start of a configured till (TEST mode) whose Kora never
// answers — a listener on 127.0.0.1 that accepts and stays silent — with
// three sales left pending in its journal, so that the reconciler asks
// Kora about them at once.
type deadRun struct {
	firstFrame time.Duration
	koraAfter  time.Duration // first Kora connection, after the first frame (negative: before)
	koraSeen   bool
	unresolved time.Duration // until the status bar counts the pending sales
	digits     []keyStat
	quit       time.Duration // from "y" to the process gone, Kora still silent
}

// blackhole accepts connections on 127.0.0.1 and never answers.
type blackhole struct {
	ln    net.Listener
	mu    sync.Mutex
	first time.Time
	conns []net.Conn
}

func newBlackhole() (*blackhole, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	b := &blackhole{ln: ln}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			b.mu.Lock()
			if b.first.IsZero() {
				b.first = time.Now()
			}
			b.conns = append(b.conns, c)
			b.mu.Unlock()
			go func() { _, _ = io.Copy(io.Discard, c) }()
		}
	}()
	return b, nil
}

func (b *blackhole) firstConn() time.Time {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.first
}

func (b *blackhole) Close() {
	b.ln.Close()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, c := range b.conns {
		c.Close()
	}
}

const deadKey = "sk_test_bench_dead_network"

// runDead starts the till with Kora dead. With timeQuit it also quits
// while Kora is still silent and times the exit (bounded by the Kora
// timeout and then some); otherwise Kora's listener is closed first.
func runDead(bin, home string, timeQuit bool) (r deadRun, err error) {
	env, dir, err := sandboxEnv(home)
	if err != nil {
		return r, err
	}
	bh, err := newBlackhole()
	if err != nil {
		return r, err
	}
	defer bh.Close()
	jpath := filepath.Join(home, "data", "journal.db")
	if err := seedPending(jpath, 3); err != nil {
		return r, err
	}
	cfg := filepath.Join(home, "voucherpos.toml")
	till := testkit.Till{Store: "Bench Spaza", TerminalID: "till-1", BaseURL: "http://" + bh.ln.Addr().String(), Timeout: 30 * time.Second, Journal: jpath}
	if err := till.Write(cfg); err != nil {
		return r, err
	}
	env = append(append(env, tillEnv...), "KORA_SECRET_KEY="+deadKey)
	s := tillSubject(bin, "TEST", "--config", cfg)
	t, err := startTerm(s.bin, s.args, env, dir, 80, 24)
	if err != nil {
		return r, err
	}
	defer t.Close(exitWait)
	defer s.quit(t)
	at, err := t.WaitFor("the first frame with Kora dead", screenWait, s.ready)
	if err != nil {
		return r, err
	}
	r.firstFrame = at.Sub(t.start)
	at, err = t.WaitText(screenWait, "3 unresolved")
	if err != nil {
		return r, err
	}
	r.unresolved = at.Sub(t.start)
	if r.digits, err = typeDigits(t, s, "", "123"); err != nil {
		return r, err
	}
	// The reconciler asks Kora about the pending sales in the background.
	deadline := time.Now().Add(3 * time.Second)
	for bh.firstConn().IsZero() && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if first := bh.firstConn(); !first.IsZero() {
		r.koraSeen = true
		r.koraAfter = first.Sub(t.start) - r.firstFrame
	}
	if !timeQuit {
		bh.Close()
		return r, nil
	}
	if err := t.Send("\x03"); err != nil {
		return r, err
	}
	if _, err := t.WaitText(screenWait, "Quit voucherpos?"); err != nil {
		return r, err
	}
	asked := time.Now()
	if err := t.Send("y"); err != nil {
		return r, err
	}
	select {
	case <-t.exited:
		r.quit = time.Since(asked)
	case <-time.After(40 * time.Second):
		r.quit = -1 // still running: Close kills it
	}
	return r, nil
}

// seedPending writes n sales left pending by a crash, an hour old.
func seedPending(path string, n int) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	j, err := journal.Open(path, journal.Options{Secret: deadKey})
	if err != nil {
		return err
	}
	defer j.Close()
	at := time.Now().Add(-time.Hour).UTC()
	for i := 0; i < n; i++ {
		err := j.Create(context.Background(), journal.Sale{
			Reference: fmt.Sprintf("till-1-%s-bench%05d", at.Format("20060102150405000"), i), CreatedAt: at,
			TerminalID: "till-1", Currency: "ZAR", AmountRequested: 1000, ProviderCode: "0001",
			ProviderName: "1Voucher", PINLast4: "0100", Phone: "+27821234567", Email: "till@example.com",
		})
		if err != nil {
			return err
		}
	}
	return nil
}

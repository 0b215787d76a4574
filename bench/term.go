package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/charmbracelet/x/vt"
	"github.com/creack/pty"

	"voucherpos/internal/ptytest"
)

// term is a program running in a pseudo-terminal whose output is fed to a
// virtual terminal (charmbracelet/x/vt) that answers the program's queries
// as a real terminal does. It counts every byte the program writes and
// notes the moment the screen first matches what a wait asks for: the
// screen is checked after every chunk read from the pty, not by polling.
type term struct {
	cmd   *exec.Cmd
	ptmx  *os.File
	start time.Time // just before the fork
	cols  int
	rows  int

	mu      sync.Mutex
	emu     *vt.Emulator
	written int64     // bytes the program wrote to the terminal
	lastOut time.Time // when it last wrote
	watch   *watcher
	capture []byte // what the program wrote since Capture
	capOn   bool

	sync bool // answer the query of mode 2026 as a terminal that has it

	readDone chan struct{}
	exited   chan struct{}
	waitErr  error
}

type watcher struct {
	cond func(screen string) bool
	hit  chan time.Time
}

// startTerm runs bin in a cols×rows pty with the environment env.
func startTerm(bin string, args, env []string, dir string, cols, rows int) (*term, error) {
	return startTermSync(bin, args, env, dir, cols, rows, false)
}

// The DEC private mode 2026 (synchronized output) report: the virtual
// terminal does not know the mode; a terminal that has it answers "reset".
var (
	syncUnknown = []byte("\x1b[?2026;0$y")
	syncReset   = []byte("\x1b[?2026;2$y")
)

// startTermSync is startTerm whose terminal, when sync is set, answers the
// query of mode 2026 (CSI ? 2026 $ p) as one that has synchronized output:
// Bubble Tea then wraps each frame in CSI ? 2026 h … l.
func startTermSync(bin string, args, env []string, dir string, cols, rows int, sync bool) (*term, error) {
	cmd := exec.Command(bin, args...)
	cmd.Env, cmd.Dir = env, dir
	t := &term{cmd: cmd, cols: cols, rows: rows, emu: vt.NewEmulator(cols, rows), sync: sync,
		readDone: make(chan struct{}), exited: make(chan struct{})}
	t.start = time.Now()
	ptmx, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: uint16(rows), Cols: uint16(cols)})
	if err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	t.ptmx = ptmx
	go func() { t.waitErr = cmd.Wait(); close(t.exited) }()
	go t.read()
	go t.answer()
	return t, nil
}

func (t *term) read() {
	defer close(t.readDone)
	buf := make([]byte, 64*1024)
	for {
		n, err := t.ptmx.Read(buf)
		if n > 0 {
			now := time.Now()
			t.mu.Lock()
			_, _ = t.emu.Write(buf[:n])
			t.written += int64(n)
			t.lastOut = now
			if t.capOn {
				t.capture = append(t.capture, buf[:n]...)
			}
			if w := t.watch; w != nil && w.cond(t.screenLocked()) {
				t.watch = nil
				w.hit <- now
			}
			t.mu.Unlock()
		}
		if err != nil {
			return
		}
	}
}

// answer sends the emulator's replies (device attributes, colours …) back
// to the program. The emulator's reply pipe must always be drained.
func (t *term) answer() {
	buf := make([]byte, 1024)
	ok := true
	for {
		n, err := t.emu.Read(buf)
		if n > 0 && ok {
			out := buf[:n]
			if t.sync {
				out = bytes.ReplaceAll(out, syncUnknown, syncReset)
			}
			if _, werr := t.ptmx.Write(out); werr != nil {
				ok = false
			}
		}
		if err != nil {
			return
		}
	}
}

func (t *term) screenLocked() string { return ptytest.ScreenText(t.emu, t.cols, t.rows) }

// Screen is the text on the screen, one line per row.
func (t *term) Screen() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.screenLocked()
}

// Capture starts keeping what the program writes; Captured returns it.
func (t *term) Capture() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.capture, t.capOn = nil, true
}

// Captured returns what the program wrote since Capture, and stops keeping it.
func (t *term) Captured() []byte {
	t.mu.Lock()
	defer t.mu.Unlock()
	b := t.capture
	t.capture, t.capOn = nil, false
	return b
}

// Written is how many bytes the program has written so far.
func (t *term) Written() int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.written
}

// WaitFor waits until cond holds for the screen and returns when it first
// did (the time the satisfying chunk arrived).
func (t *term) WaitFor(what string, timeout time.Duration, cond func(string) bool) (time.Time, error) {
	t.mu.Lock()
	if cond(t.screenLocked()) {
		t.mu.Unlock()
		return time.Now(), nil
	}
	w := &watcher{cond: cond, hit: make(chan time.Time, 1)}
	t.watch = w
	t.mu.Unlock()
	select {
	case at := <-w.hit:
		return at, nil
	case <-t.exited:
		return time.Time{}, fmt.Errorf("waiting for %s: the program exited (%v)\n%s", what, t.waitErr, t.Screen())
	case <-time.After(timeout):
		t.mu.Lock()
		if t.watch == w {
			t.watch = nil
		}
		t.mu.Unlock()
		return time.Time{}, fmt.Errorf("waited %v for %s\n%s", timeout, what, t.Screen())
	}
}

// WaitText waits until every one of texts is on the screen.
func (t *term) WaitText(timeout time.Duration, texts ...string) (time.Time, error) {
	return t.WaitFor(fmt.Sprintf("%q", texts), timeout, func(s string) bool {
		for _, x := range texts {
			if !strings.Contains(s, x) {
				return false
			}
		}
		return true
	})
}

// Quiet waits until the program has written nothing for d.
func (t *term) Quiet(d, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		t.mu.Lock()
		last := t.lastOut
		t.mu.Unlock()
		if time.Since(last) >= d {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the program kept writing for %v", timeout)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// Send writes s to the program's input in one write.
func (t *term) Send(s string) error {
	_, err := t.ptmx.Write([]byte(s))
	return err
}

// Pid is the child's process id.
func (t *term) Pid() int { return t.cmd.Process.Pid }

// Close ends the child (SIGKILL if it has not exited within timeout of
// being asked) and the pty, each wait bounded.
func (t *term) Close(timeout time.Duration) {
	select {
	case <-t.exited:
	case <-time.After(timeout):
		_ = t.cmd.Process.Kill()
		select {
		case <-t.exited:
		case <-time.After(5 * time.Second):
		}
	}
	_ = t.ptmx.Close()
	select {
	case <-t.readDone:
	case <-time.After(2 * time.Second):
	}
}

// memStatus is the resident-memory lines of /proc/PID/status, in bytes:
// the peak (VmHWM), and the current set split into anonymous memory (heap,
// stacks) and pages of files (the binary's code and tables).
type memStatus struct{ HWM, RSS, Anon, File int64 }

func readMem(pid int) (memStatus, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return memStatus{}, err
	}
	var m memStatus
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		f := strings.Fields(v)
		if len(f) < 1 {
			continue
		}
		n, _ := strconv.ParseInt(f[0], 10, 64)
		switch k {
		case "VmHWM":
			m.HWM = n * 1024
		case "VmRSS":
			m.RSS = n * 1024
		case "RssAnon":
			m.Anon = n * 1024
		case "RssFile":
			m.File = n * 1024
		}
	}
	if m.HWM == 0 {
		return m, errors.New("no VmHWM in /proc/" + strconv.Itoa(pid) + "/status")
	}
	return m, nil
}

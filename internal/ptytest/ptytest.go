// Package ptytest runs a real program in a pseudo-terminal, feeds what it
// prints to a virtual terminal emulator (charmbracelet/x/vt), and lets a
// test type keys and read the screen as a person would see it.
//
// Every wait is bounded, the child is killed and the pty closed when the
// test ends, and a failed wait prints the current screen.
package ptytest

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/vt"
	"github.com/creack/pty"
)

// Options say how to start the program.
type Options struct {
	Args []string // arguments after the program's name
	Dir  string   // working directory
	Env  []string // the whole environment of the child
	Cols int      // terminal width (default 80)
	Rows int      // terminal height (default 24)
	// Transcript, when set, receives a copy of every byte the program
	// writes to its terminal (a test can scan it for secrets).
	Transcript io.Writer
}

// Term is a program running in a pty with a virtual screen.
type Term struct {
	t    testing.TB
	cmd  *exec.Cmd
	ptmx *os.File
	cols int
	rows int

	mu   sync.Mutex // guards emu and tail
	emu  *vt.Emulator
	tail []byte // the last raw bytes the program wrote, for failure reports
	rec  io.Writer

	readDone chan struct{} // the pty reader has stopped
	exited   chan struct{} // the child has been waited for, its output read
	waitErr  error         // set before exited is closed
}

const tailSize = 2048

// Start runs bin in a new pty of opts.Cols×opts.Rows. The child is killed
// and the pty closed by t.Cleanup.
func Start(t testing.TB, bin string, opts Options) *Term {
	t.Helper()
	if opts.Cols == 0 {
		opts.Cols = 80
	}
	if opts.Rows == 0 {
		opts.Rows = 24
	}
	cmd := exec.Command(bin, opts.Args...)
	cmd.Dir = opts.Dir
	cmd.Env = opts.Env
	ptmx, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: uint16(opts.Rows), Cols: uint16(opts.Cols)})
	if err != nil {
		t.Fatalf("ptytest: start %s: %v", bin, err)
	}
	term := &Term{
		t: t, cmd: cmd, ptmx: ptmx, cols: opts.Cols, rows: opts.Rows,
		emu:      vt.NewEmulator(opts.Cols, opts.Rows),
		rec:      opts.Transcript,
		readDone: make(chan struct{}),
		exited:   make(chan struct{}),
	}
	go term.waitChild()
	go term.readPTY()
	go term.answerQueries()
	t.Cleanup(term.close)
	return term
}

// waitChild waits for the child, then for the reader to have drained what
// it wrote last (the pty reads EIO once it has gone), so that a child that
// exits is never seen before its last screen is: a bounded wait, for a
// grandchild that would keep the pty open.
func (term *Term) waitChild() {
	term.waitErr = term.cmd.Wait()
	select {
	case <-term.readDone:
	case <-time.After(2 * time.Second):
	}
	close(term.exited)
}

// readPTY feeds everything the program writes to the emulator.
func (term *Term) readPTY() {
	defer close(term.readDone)
	buf := make([]byte, 32*1024)
	for {
		n, err := term.ptmx.Read(buf)
		if n > 0 {
			term.mu.Lock()
			_, _ = term.emu.Write(buf[:n])
			term.tail = append(term.tail, buf[:n]...)
			if term.rec != nil {
				_, _ = term.rec.Write(buf[:n])
			}
			if len(term.tail) > tailSize {
				term.tail = append([]byte(nil), term.tail[len(term.tail)-tailSize:]...)
			}
			term.mu.Unlock()
		}
		if err != nil {
			return // EIO once the child has gone, or the pty was closed
		}
	}
}

// answerQueries sends the emulator's replies (device attributes, mode
// reports, colours …) back to the program, as a real terminal does. The
// emulator writes its replies to a synchronous pipe, so this loop must
// always drain it, even after the pty is closed, or the emulator would
// block. The emulator is never closed (its Close is not safe beside Read),
// so this goroutine ends with the test process.
func (term *Term) answerQueries() {
	buf := make([]byte, 1024)
	ptyOK := true
	for {
		n, err := term.emu.Read(buf)
		if n > 0 && ptyOK {
			if _, werr := term.ptmx.Write(buf[:n]); werr != nil {
				ptyOK = false
			}
		}
		if err != nil {
			return
		}
	}
}

// close kills the child if it still runs and closes the pty, waiting a
// bounded time for each.
func (term *Term) close() {
	select {
	case <-term.exited:
	default:
		_ = term.cmd.Process.Kill()
		select {
		case <-term.exited:
		case <-time.After(5 * time.Second):
			term.t.Errorf("ptytest: pid %d did not die within 5s of SIGKILL", term.cmd.Process.Pid)
		}
	}
	_ = term.ptmx.Close()
	select {
	case <-term.readDone:
	case <-time.After(2 * time.Second):
		term.t.Errorf("ptytest: pty reader did not stop within 2s of close")
	}
}

// Send writes s to the program's terminal input in ONE write, as a burst
// (a barcode scanner, or keys typed faster than the program reads).
func (term *Term) Send(s string) {
	term.t.Helper()
	if _, err := term.ptmx.Write([]byte(s)); err != nil {
		term.t.Fatalf("ptytest: write %q: %v\n%s", s, err, term.Report())
	}
}

// Type writes s one key at a time with a short pause between keys, as a
// person types.
func (term *Term) Type(s string) {
	term.t.Helper()
	for _, r := range s {
		term.Send(string(r))
		time.Sleep(5 * time.Millisecond)
	}
}

// Screen is the text on the screen: one line per row, trailing spaces
// removed, read cell by cell from the emulator.
func (term *Term) Screen() string {
	term.mu.Lock()
	defer term.mu.Unlock()
	return ScreenText(term.emu, term.cols, term.rows)
}

// Lines is Screen split into rows.
func (term *Term) Lines() []string { return strings.Split(term.Screen(), "\n") }

// Size is the terminal's width and height.
func (term *Term) Size() (cols, rows int) { return term.cols, term.rows }

// logScreens (PTYTEST_LOG=1 in the test's environment) logs the screen
// each wait was satisfied by, to see what the tests see.
var logScreens = os.Getenv("PTYTEST_LOG") != ""

func frame(screen string) string {
	var b strings.Builder
	for i, l := range strings.Split(screen, "\n") {
		fmt.Fprintf(&b, "%2d|%s\n", i, l)
	}
	return b.String()
}

// Report is the current screen framed for a failure message, with the
// process state and the tail of the raw output.
func (term *Term) Report() string {
	var b strings.Builder
	fmt.Fprintf(&b, "---- screen %d×%d ----\n", term.cols, term.rows)
	b.WriteString(frame(term.Screen()))
	b.WriteString("---------------------\n")
	if code, done := term.ExitCode(); done {
		fmt.Fprintf(&b, "process exited: status %d (%v)\n", code, term.waitErr)
	} else {
		b.WriteString("process still running\n")
	}
	term.mu.Lock()
	tail := string(term.tail)
	term.mu.Unlock()
	fmt.Fprintf(&b, "raw output tail: %q\n", tail)
	return b.String()
}

// WaitFor polls the screen until cond holds, failing the test with the
// screen after timeout. It returns the screen that satisfied cond.
func (term *Term) WaitFor(what string, timeout time.Duration, cond func(screen string) bool) string {
	term.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		s := term.Screen()
		if cond(s) {
			if logScreens {
				term.t.Logf("ptytest: %s\n%s", what, frame(s))
			}
			return s
		}
		if time.Now().After(deadline) {
			term.t.Fatalf("ptytest: waited %v for %s\n%s", timeout, what, term.Report())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// WaitText waits until every one of texts is on the screen.
func (term *Term) WaitText(timeout time.Duration, texts ...string) string {
	term.t.Helper()
	return term.WaitFor(fmt.Sprintf("%q on screen", texts), timeout, func(s string) bool {
		for _, x := range texts {
			if !strings.Contains(s, x) {
				return false
			}
		}
		return true
	})
}

// Kill sends SIGKILL to the program, as a power cut or an OOM kill would
// end it: no deferred code runs, nothing is flushed. It waits a bounded
// time for the child to be reaped.
func (term *Term) Kill() {
	term.t.Helper()
	_ = term.cmd.Process.Kill()
	select {
	case <-term.exited:
	case <-time.After(5 * time.Second):
		term.t.Fatalf("ptytest: pid %d did not die within 5s of SIGKILL", term.cmd.Process.Pid)
	}
}

// ExitCode is the child's exit status and whether it has exited. A child
// killed by a signal reports -1.
func (term *Term) ExitCode() (int, bool) {
	select {
	case <-term.exited:
	default:
		return 0, false
	}
	if term.waitErr == nil {
		return 0, true
	}
	var ee *exec.ExitError
	if errors.As(term.waitErr, &ee) {
		return ee.ExitCode(), true
	}
	return -1, true
}

// WaitExit waits up to timeout for the child to exit and returns its
// status; it fails the test, with the screen, if the child still runs.
func (term *Term) WaitExit(timeout time.Duration) int {
	term.t.Helper()
	select {
	case <-term.exited:
	case <-time.After(timeout):
		term.t.Fatalf("ptytest: process still running %v later\n%s", timeout, term.Report())
	}
	code, _ := term.ExitCode()
	return code
}

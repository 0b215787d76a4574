package ptytest

import (
	"os"

	"github.com/creack/pty"
)

// Signal sends sig to the program (SIGTERM from systemd, SIGHUP from a
// hung-up console).
func (term *Term) Signal(sig os.Signal) {
	term.t.Helper()
	if err := term.cmd.Process.Signal(sig); err != nil {
		term.t.Fatalf("ptytest: signal %v: %v", sig, err)
	}
}

// Resize changes the terminal's size, as a person dragging the window or
// the console changing mode would; the program gets SIGWINCH.
func (term *Term) Resize(cols, rows int) {
	term.t.Helper()
	term.mu.Lock()
	term.emu.Resize(cols, rows)
	term.cols, term.rows = cols, rows
	term.mu.Unlock()
	if err := pty.Setsize(term.ptmx, &pty.Winsize{Cols: uint16(cols), Rows: uint16(rows)}); err != nil {
		term.t.Fatalf("ptytest: resize: %v", err)
	}
}

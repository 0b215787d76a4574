package pos

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Printer puts a slip on paper (or in a file). A printer's failure never
// changes a sale's record: it is reported, and the slip can be reprinted.
type Printer interface {
	Print(ctx context.Context, s Slip) error
	// Name says where slips go, for messages and the event log.
	Name() string
}

// PrintTimeout bounds one print, so a jammed printer cannot hold the till.
const PrintTimeout = 10 * time.Second

// NewPrinter makes the printer receipt.printer names: "" none (nil),
// "stdout" (to out), "lp:QUEUE" through lp(1), a character device written
// raw (ESC/POS when escpos), or any other path as a file slips are appended
// to.
func NewPrinter(spec string, escpos bool, out io.Writer) (Printer, error) {
	spec = strings.TrimSpace(spec)
	switch {
	case spec == "":
		return nil, nil
	case spec == "stdout":
		return &writerPrinter{name: "stdout", w: out}, nil
	case strings.HasPrefix(spec, "lp:"):
		q := strings.TrimPrefix(spec, "lp:")
		if q == "" {
			return nil, errors.New(`receipt.printer "lp:" needs a queue name, e.g. "lp:receipts"`)
		}
		return &lpPrinter{queue: q}, nil
	}
	return &pathPrinter{path: spec, escpos: escpos}, nil
}

// writerPrinter writes plain slips to a writer, one after another.
type writerPrinter struct {
	name string
	mu   sync.Mutex
	w    io.Writer
}

func (p *writerPrinter) Name() string { return p.name }

func (p *writerPrinter) Print(_ context.Context, s Slip) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	_, err := io.WriteString(p.w, s.Text()+"\n")
	return err
}

// pathPrinter appends to a file, or writes raw to a device.
type pathPrinter struct {
	path   string
	escpos bool
}

func (p *pathPrinter) Name() string { return p.path }

func (p *pathPrinter) Print(ctx context.Context, s Slip) error {
	fi, err := os.Stat(p.path)
	device := err == nil && fi.Mode()&os.ModeCharDevice != 0
	if err == nil && fi.IsDir() {
		return fmt.Errorf("printer %s is a folder", p.path)
	}
	var data []byte
	var f *os.File
	if device {
		data = []byte(s.Text())
		if p.escpos {
			data = s.ESCPOS()
		}
		// A device is never created: a missing printer is an error.
		f, err = os.OpenFile(p.path, os.O_WRONLY, 0)
	} else {
		if errors.Is(err, os.ErrNotExist) && strings.HasPrefix(p.path, "/dev/") {
			return fmt.Errorf("printer %s is not connected", p.path)
		}
		data = []byte(s.Text() + "\n")
		f, err = os.OpenFile(p.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	}
	if err != nil {
		return fmt.Errorf("printer %s: %w", p.path, err)
	}
	return writeBounded(ctx, f, data, p.path)
}

// writeBounded writes and closes f, giving up (and closing f) when ctx ends:
// a device that stops taking bytes must not hold the till.
func writeBounded(ctx context.Context, f *os.File, data []byte, name string) error {
	done := make(chan error, 1)
	go func() {
		_, err := f.Write(data)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("printer %s: %w", name, err)
		}
		return nil
	case <-ctx.Done():
		f.Close()
		return fmt.Errorf("printer %s did not take the slip in time", name)
	}
}

// lpPrinter hands the slip to the CUPS queue through lp.
type lpPrinter struct{ queue string }

func (p *lpPrinter) Name() string { return "lp:" + p.queue }

func (p *lpPrinter) Print(ctx context.Context, s Slip) error {
	cmd := exec.CommandContext(ctx, "lp", "-d", p.queue, "-o", "raw")
	cmd.Stdin = strings.NewReader(s.Text())
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if errors.Is(err, exec.ErrNotFound) {
			msg = "lp is not installed"
		}
		if msg == "" {
			msg = err.Error()
		}
		return fmt.Errorf("printer lp:%s: %s", p.queue, msg)
	}
	return nil
}

// CheckPrinter says whether the configured printer looks usable, without
// printing: the device or file's folder is there, or lp is installed.
func (s *Service) CheckPrinter() error {
	switch p := s.printer.(type) {
	case nil, *writerPrinter:
		return nil
	case *lpPrinter:
		if _, err := exec.LookPath("lp"); err != nil {
			return fmt.Errorf("printer lp:%s: lp is not installed", p.queue)
		}
		return nil
	case *pathPrinter:
		fi, err := os.Stat(p.path)
		switch {
		case err == nil && fi.IsDir():
			return fmt.Errorf("printer %s is a folder", p.path)
		case err == nil:
			return nil
		case strings.HasPrefix(p.path, "/dev/"):
			return fmt.Errorf("printer %s is not connected", p.path)
		}
		dir := filepath.Dir(p.path)
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			return fmt.Errorf("printer %s: the folder %s does not exist", p.path, dir)
		}
		return nil
	}
	return nil
}

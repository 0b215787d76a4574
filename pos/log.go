package pos

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// LogPath is the log file beside a journal: journal.db → journal.log.
func LogPath(journalPath string) string {
	return strings.TrimSuffix(journalPath, filepath.Ext(journalPath)) + ".log"
}

// ParseLogLevel reads a --log-level value: debug, info, warn or error.
func ParseLogLevel(level string) (slog.Level, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return 0, fmt.Errorf("--log-level %q: use debug, info, warn or error", level)
	}
	return lv, nil
}

// OpenLog opens (appending, mode 0600) the log beside the journal at the
// given level ("debug", "info", "warn", "error"). PINs and the key are kept
// out at the source: the service logs only masked PINs and never the key.
func OpenLog(journalPath, level string) (*slog.Logger, io.Closer, error) {
	log, sink, err := NewLog(level)
	if err != nil {
		return nil, nil, err
	}
	if err := sink.Open(journalPath); err != nil {
		return nil, nil, err
	}
	return log, sink, nil
}

// NewLog is a logger at level whose lines wait in memory until its sink
// is opened beside the journal. So a till can open its service first and
// its log file only once everything is known to be good: a config that
// fails leaves no log file behind.
func NewLog(level string) (*slog.Logger, *LogSink, error) {
	lv, err := ParseLogLevel(level)
	if err != nil {
		return nil, nil, err
	}
	sink := &LogSink{}
	return slog.New(slog.NewTextHandler(sink, &slog.HandlerOptions{Level: lv})), sink, nil
}

// LogSink is where a NewLog logger writes: memory (at most maxEarlyLog
// bytes; more is dropped) until Open, then the log file.
type LogSink struct {
	mu    sync.Mutex
	early []byte
	f     *os.File
}

const maxEarlyLog = 64 << 10

func (s *LogSink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.f != nil {
		return s.f.Write(p)
	}
	if len(s.early)+len(p) <= maxEarlyLog {
		s.early = append(s.early, p...)
	}
	return len(p), nil
}

// Open creates (or appends to), mode 0600, the log beside the journal and
// writes out what was logged so far.
func (s *LogSink) Open(journalPath string) error {
	path := LogPath(journalPath)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("log %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("log %s: %w", path, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.f = f
	_, err = f.Write(s.early)
	s.early = nil
	return err
}

// Close closes the log file, if it was opened.
func (s *LogSink) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.f == nil {
		return nil
	}
	err := s.f.Close()
	s.f = nil
	return err
}

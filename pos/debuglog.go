package pos

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"voucherpos/kora"
)

// What --log-level debug adds, for support: each request to Kora (method,
// path, status, how long it took), each change of a sale's state, and each
// decision of the reconciler. Never a PIN, a phone number or the key: the
// request log sees neither headers nor bodies, and sales are named by
// their reference.

// debugOn reports whether the service logs at debug level.
func (s *Service) debugOn() bool { return s.log.Enabled(context.Background(), slog.LevelDebug) }

// logTransport logs each request it carries at debug level.
type logTransport struct {
	next http.RoundTripper
	log  *slog.Logger
}

func (t *logTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	start := time.Now()
	resp, err := t.next.RoundTrip(req)
	attrs := []slog.Attr{
		slog.String("method", req.Method),
		slog.String("path", req.URL.Path),
		slog.Duration("took", time.Since(start).Round(time.Millisecond)),
	}
	if err != nil {
		attrs = append(attrs, slog.String("err", Reason(err)))
	} else {
		attrs = append(attrs, slog.Int("status", resp.StatusCode))
	}
	t.log.LogAttrs(req.Context(), slog.LevelDebug, "kora request", attrs...)
	return resp, err
}

// CloseIdleConnections reaches the transport underneath, so Close still
// leaves no idle connection behind.
func (t *logTransport) CloseIdleConnections() {
	if c, ok := t.next.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// debugHTTPClient is h (nil: a client like the one kora.New builds) with
// every request logged at debug level.
func debugHTTPClient(h *http.Client, log *slog.Logger) *http.Client {
	var c http.Client
	if h != nil {
		c = *h
	}
	next := c.Transport
	if next == nil {
		next = kora.NewTransport()
	}
	c.Transport = &logTransport{next: next, log: log}
	return &c
}

// logState logs a sale's change of state at debug level.
func (s *Service) logState(ref string, from, to Status, why string) {
	if to == from {
		return
	}
	s.log.Debug("sale state", "reference", ref, "from", string(from), "to", string(to), "why", why)
}

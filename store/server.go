package store

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"voucherpos/syncwire"
)

// MaxBodyBytes bounds a request body: a full batch of events is far less.
const MaxBodyBytes = 4 << 20

// Server is the store server's HTTP side.
type Server struct {
	ledger  *Ledger
	hooks   *Webhooks // nil: no [kora] secret, webhooks are refused
	log     *slog.Logger
	now     func() time.Time
	metrics *metrics
	mux     *http.ServeMux
}

// ServerOptions configure NewServer.
type ServerOptions struct {
	Logger *slog.Logger
	Now    func() time.Time
	// Location is the zone whose calendar day /metrics counts; nil: Local.
	Location *time.Location
	// Webhooks receives Kora's webhooks; nil answers them 503 (Kora
	// retries), for a server without a [kora] secret.
	Webhooks *Webhooks
}

// NewServer builds the handlers over a ledger.
func NewServer(l *Ledger, opts ServerOptions) *Server {
	s := &Server{ledger: l, hooks: opts.Webhooks, log: opts.Logger, now: opts.Now, mux: http.NewServeMux()}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	loc := opts.Location
	if loc == nil {
		loc = time.Local
	}
	s.metrics = newMetrics(l, s.now, loc)
	s.mux.HandleFunc("POST /v1/events", s.postEvents)
	s.mux.HandleFunc("GET /v1/sales/{reference}", s.getSale)
	s.mux.HandleFunc("GET /v1/sales", s.findSales)
	s.mux.HandleFunc("POST /kora/webhook", s.koraWebhook)
	s.mux.HandleFunc("GET /healthz", s.healthz)
	s.mux.Handle("GET /metrics", s.metrics)
	return s
}

// Handler is the server's routes.
func (s *Server) Handler() http.Handler { return s.mux }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

type errorBody struct {
	Error string `json:"error"`
}

// till authenticates the request's bearer token; on failure it has
// answered and returns "".
func (s *Server) till(w http.ResponseWriter, r *http.Request) string {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		w.Header().Set("WWW-Authenticate", `Bearer realm="voucherpos"`)
		writeJSON(w, http.StatusUnauthorized, errorBody{"a till token is needed (Authorization: Bearer …)"})
		return ""
	}
	id, err := s.ledger.Authenticate(r.Context(), strings.TrimSpace(token))
	switch {
	case errors.Is(err, ErrBadToken):
		writeJSON(w, http.StatusUnauthorized, errorBody{err.Error()})
		return ""
	case err != nil:
		s.log.Error("authenticate", "err", err)
		writeJSON(w, http.StatusServiceUnavailable, errorBody{"the ledger is unavailable"})
		return ""
	}
	return id
}

func (s *Server) postEvents(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	till := s.till(w, r)
	if till == "" {
		s.metrics.batches.WithLabelValues("unauthorized").Inc()
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, MaxBodyBytes)
	var b syncwire.Batch
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			s.metrics.batches.WithLabelValues("too_large").Inc()
			writeJSON(w, http.StatusRequestEntityTooLarge, errorBody{fmt.Sprintf("body over %d bytes; send smaller batches", MaxBodyBytes)})
			return
		}
		s.metrics.batches.WithLabelValues("refused").Inc()
		writeJSON(w, http.StatusBadRequest, errorBody{"batch is not valid JSON: " + err.Error()})
		return
	}
	ack, err := s.ledger.Ingest(r.Context(), till, b)
	switch {
	case err == nil:
		s.metrics.ingest.Observe(time.Since(start).Seconds())
		result := "stored"
		if ack.Stored == 0 {
			result = "replay"
		}
		s.metrics.batches.WithLabelValues(result).Inc()
		s.metrics.events.WithLabelValues(till).Add(float64(ack.Stored))
		writeJSON(w, http.StatusOK, ack)
	case errors.Is(err, ErrGap):
		s.metrics.batches.WithLabelValues("gap").Inc()
		ack.Error = err.Error()
		writeJSON(w, http.StatusConflict, ack)
	case errors.Is(err, ErrConflict):
		s.metrics.batches.WithLabelValues("conflict").Inc()
		s.metrics.conflicts.Inc()
		s.log.Warn("chain conflict", "terminal_id", till, "first_seq", b.Events[0].Seq, "server_last_seq", ack.LastSeq)
		ack.Error = err.Error()
		writeJSON(w, http.StatusConflict, ack)
	case errors.Is(err, ErrForbidden):
		s.metrics.batches.WithLabelValues("forbidden").Inc()
		writeJSON(w, http.StatusForbidden, errorBody{err.Error()})
	case errors.Is(err, ErrBadBatch):
		s.metrics.batches.WithLabelValues("refused").Inc()
		s.log.Warn("batch refused", "terminal_id", till, "err", err)
		writeJSON(w, http.StatusBadRequest, errorBody{err.Error()})
	case errors.Is(err, ErrBadToken):
		s.metrics.batches.WithLabelValues("unauthorized").Inc()
		writeJSON(w, http.StatusUnauthorized, errorBody{err.Error()})
	default:
		s.metrics.batches.WithLabelValues("error").Inc()
		s.log.Error("ingest", "terminal_id", till, "err", err)
		writeJSON(w, http.StatusServiceUnavailable, errorBody{"the ledger is unavailable; send again later"})
	}
}

func (s *Server) getSale(w http.ResponseWriter, r *http.Request) {
	till := s.till(w, r)
	if till == "" {
		return
	}
	out, err := s.ledger.Sale(r.Context(), r.PathValue("reference"))
	if err == nil && s.hooks != nil {
		// What Kora's webhooks said; the change voucher only to the till
		// that made the sale.
		out.Kora, err = s.hooks.Outcome(r.Context(), out.Sale, till == out.Sale.TerminalID)
	}
	switch {
	case errors.Is(err, ErrSaleNotFound):
		writeJSON(w, http.StatusNotFound, errorBody{err.Error()})
	case err != nil:
		s.log.Error("sale", "err", err)
		writeJSON(w, http.StatusServiceUnavailable, errorBody{"the ledger is unavailable"})
	default:
		writeJSON(w, http.StatusOK, out)
	}
}

func (s *Server) findSales(w http.ResponseWriter, r *http.Request) {
	if s.till(w, r) == "" {
		return
	}
	q := r.URL.Query()
	sales, err := s.ledger.FindSales(r.Context(), q.Get("pin_last4"), q.Get("amount"))
	switch {
	case errors.Is(err, ErrBadQuery):
		writeJSON(w, http.StatusBadRequest, errorBody{err.Error()})
	case err != nil:
		s.log.Error("find sales", "err", err)
		writeJSON(w, http.StatusServiceUnavailable, errorBody{"the ledger is unavailable"})
	default:
		if sales == nil {
			sales = []syncwire.Sale{}
		}
		writeJSON(w, http.StatusOK, struct {
			Sales []syncwire.Sale `json:"sales"`
		}{sales})
	}
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	if err := s.ledger.pool.PingContext(ctx); err != nil {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "database unreachable"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// Serve listens on cfg.Listen (HTTPS with cfg's cert and key, else plain
// HTTP, which LoadConfig allows only on loopback) until ctx ends, then shuts
// down, letting requests in progress finish for a bounded while. ready, if
// not nil, gets the bound address once listening.
func (s *Server) Serve(ctx context.Context, cfg *Config, ready func(addr string)) error {
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen %s: %w", cfg.Listen, err)
	}
	hs := &http.Server{
		Handler:           s.mux,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	if cfg.TLSCert != "" {
		cert, err := tls.LoadX509KeyPair(cfg.TLSCert, cfg.TLSKey)
		if err != nil {
			ln.Close()
			return fmt.Errorf("tls_cert/tls_key: %w", err)
		}
		hs.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		ln = tls.NewListener(ln, hs.TLSConfig)
	}
	if ready != nil {
		ready(ln.Addr().String())
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		hs.Close()
	}
	return nil
}

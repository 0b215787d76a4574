// Package storesync ships a till's journal to the store server: a
// background uploader that reads the journal's outbox (seq-numbered,
// hash-chained events) and posts it in order, in batches, with backoff, and
// a read-only client for the store's lookups.
//
// Nothing at the counter waits for it. A server that is down, slow or
// refusing only changes the Status it reports; the journal stays the truth
// until the server has acknowledged each event.
package storesync

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"voucherpos/syncwire"
)

// Source is the journal's outbox as the uploader reads it
// (*journal.Journal implements it).
type Source interface {
	OutboxHead(ctx context.Context) (int64, error)
	OutboxAfter(ctx context.Context, seq int64, limit int) (syncwire.Hash, []syncwire.Event, error)
	OutboxAcked(ctx context.Context) (int64, error)
	SetOutboxAcked(ctx context.Context, seq int64) error
}

// State is where shipping stands.
type State int

// States.
const (
	// InSync: the server holds every event of the journal.
	InSync State = iota
	// Waiting: events are waiting to be sent (or being sent).
	Waiting
	// Unreachable: the server did not answer (or answered 5xx) since Since.
	Unreachable
	// Refused: the server answered but will not take the events — a chain
	// conflict (the journal was replaced or edited), a revoked token, a
	// refused batch. It needs a person; Reason says what.
	Refused
)

func (s State) String() string {
	return [...]string{"in sync", "waiting", "unreachable", "refused"}[s]
}

// Status is what the status bar shows.
type Status struct {
	State   State
	Waiting int64     // events the server does not hold yet
	Since   time.Time // Unreachable/Refused: since when; zero otherwise
	Synced  time.Time // when the server last acknowledged everything
	Reason  string    // Unreachable/Refused: a short reason, for support
}

// Options configure an Uploader.
type Options struct {
	URL        string // the store server, e.g. https://store.local:8443
	Token      string
	TerminalID string
	HTTPClient *http.Client // nil: a client with Timeout
	Logger     *slog.Logger
	Now        func() time.Time
	BatchSize  int           // events per batch; 0: 200
	Timeout    time.Duration // per request; 0: 15s
	MinBackoff time.Duration // 0: 1s
	MaxBackoff time.Duration // 0: 1m
	Idle       time.Duration // how often to look for new events without a Kick; 0: 5s
}

// Uploader ships the outbox.
type Uploader struct {
	src    Source
	opts   Options
	client *http.Client
	log    *slog.Logger
	wake   chan struct{}
	retry  chan struct{}

	mu        sync.Mutex
	status    Status
	listeners []func(Status)
	batchSize int
}

// ErrBadURL: the store server's URL is not https (or http to loopback).
var ErrBadURL = errors.New("store server URL must be https (or http to 127.0.0.1, ::1 or localhost)")

// CheckURL refuses a URL the token could leak across a network from.
func CheckURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return ErrBadURL
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		h := u.Hostname()
		if ip := net.ParseIP(h); h == "localhost" || (ip != nil && ip.IsLoopback()) {
			return nil
		}
	}
	return ErrBadURL
}

// New builds an uploader; Run starts it.
func New(src Source, opts Options) (*Uploader, error) {
	if err := CheckURL(opts.URL); err != nil {
		return nil, err
	}
	if opts.Token == "" || opts.TerminalID == "" {
		return nil, errors.New("storesync: a token and a terminal id are needed")
	}
	opts.URL = strings.TrimRight(opts.URL, "/")
	if opts.BatchSize <= 0 || opts.BatchSize > syncwire.MaxBatchEvents {
		opts.BatchSize = 200
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 15 * time.Second
	}
	if opts.MinBackoff <= 0 {
		opts.MinBackoff = time.Second
	}
	if opts.MaxBackoff <= 0 {
		opts.MaxBackoff = time.Minute
	}
	if opts.Idle <= 0 {
		opts.Idle = 5 * time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	u := &Uploader{src: src, opts: opts, client: opts.HTTPClient, log: opts.Logger, wake: make(chan struct{}, 1), retry: make(chan struct{}, 1), batchSize: opts.BatchSize}
	if u.client == nil {
		u.client = &http.Client{Timeout: opts.Timeout}
	}
	if u.log == nil {
		u.log = slog.New(slog.DiscardHandler)
	}
	u.status.State = Waiting
	return u, nil
}

// Status is the uploader's state now. Safe from any goroutine; cheap.
func (u *Uploader) Status() Status {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.status
}

// OnChange registers fn to be told of every change of Status (from the
// uploader's goroutine: fn must not block).
func (u *Uploader) OnChange(fn func(Status)) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.listeners = append(u.listeners, fn)
}

func (u *Uploader) set(fn func(*Status)) {
	u.mu.Lock()
	before := u.status
	fn(&u.status)
	after := u.status
	ls := u.listeners
	u.mu.Unlock()
	if after != before {
		for _, l := range ls {
			l(after)
		}
	}
}

// Kick says new events were written: send them soon. Never blocks.
func (u *Uploader) Kick() {
	select {
	case u.wake <- struct{}{}:
	default:
	}
}

// RetryNow cuts a failure's backoff short: try again at once (a person
// pressed retry; the network is back). Never blocks.
func (u *Uploader) RetryNow() {
	select {
	case u.retry <- struct{}{}:
	default:
	}
}

// Run ships until ctx ends: at once, then on every Kick or Idle tick, and
// after a failure with exponential backoff (with jitter, capped).
func (u *Uploader) Run(ctx context.Context) {
	backoff := time.Duration(0)
	for ctx.Err() == nil {
		err := u.Sync(ctx)
		var wait time.Duration
		if err == nil {
			backoff = 0
			wait = u.opts.Idle
		} else {
			if ctx.Err() != nil {
				return
			}
			backoff = min(max(backoff*2, u.opts.MinBackoff), u.opts.MaxBackoff)
			wait = backoff/2 + rand.N(backoff/2+1)
			u.log.Debug("store sync", "err", err, "retry_in", wait)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		case <-u.retry:
			t.Stop()
			backoff = 0
		case <-u.wake:
			t.Stop()
			if err != nil {
				// A failure's backoff still applies to new events: wait it
				// out, unless told to retry now.
				t2 := time.NewTimer(wait)
				select {
				case <-ctx.Done():
					t2.Stop()
					return
				case <-t2.C:
				case <-u.retry:
					t2.Stop()
					backoff = 0
				}
			}
		}
	}
}

// errRefused wraps answers that need a person.
var errRefused = errors.New("store server refused the events")

// Sync sends everything the server lacks, batch by batch, and returns once
// the server holds it all or a request fails.
func (u *Uploader) Sync(ctx context.Context) error {
	acked, err := u.src.OutboxAcked(ctx)
	if err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	// Bounded: every round either moves acked forward, moves it to the
	// server's word (at most once in a row without progress), or returns.
	resets := 0
	for round := 0; round < 1_000_000; round++ {
		head, err := u.src.OutboxHead(ctx)
		if err != nil {
			return fmt.Errorf("outbox: %w", err)
		}
		if acked > head {
			// The server's word said it holds more than this journal has.
			return u.refuse(fmt.Sprintf("the server holds %d events of this till, this journal only %d: it was replaced", acked, head))
		}
		waiting := head - acked
		if waiting == 0 {
			if round > 0 {
				u.ok(0)
				return nil
			}
			// Nothing to send: say we are here (the server's last seen and
			// lag), and hear whether it still holds all of it.
			code, ack, err := u.post(ctx, syncwire.Batch{Version: syncwire.Version, TerminalID: u.opts.TerminalID, Head: head})
			switch {
			case err != nil:
				return u.unreachable(err.Error())
			case code == http.StatusOK && ack.LastSeq == head:
				u.ok(0)
				return nil
			case code == http.StatusOK && ack.LastSeq < head:
				// The server holds less than it once said (restored from
				// a backup): send the rest again.
				acked = ack.LastSeq
				if err := u.src.SetOutboxAcked(ctx, acked); err != nil {
					return fmt.Errorf("outbox: %w", err)
				}
				continue
			case code == http.StatusOK:
				return u.refuse(fmt.Sprintf("the server holds %d events of this till, this journal only %d: it was replaced", ack.LastSeq, head))
			}
			return u.answer(code, ack)
		}
		u.set(func(s *Status) {
			s.Waiting = waiting
			if s.State == InSync {
				s.State = Waiting
			}
		})
		prev, events, err := u.src.OutboxAfter(ctx, acked, u.currentBatch())
		if err != nil {
			return fmt.Errorf("outbox: %w", err)
		}
		if len(events) == 0 {
			return fmt.Errorf("outbox: no events after %d though the head is %d", acked, head)
		}
		// A sale may have been written since the head was read: the batch
		// then reaches past it, and the server's answer is measured
		// against the batch's last event, not the older head.
		if last := events[len(events)-1].Seq; last > head {
			head = last
		}
		b := syncwire.Batch{Version: syncwire.Version, TerminalID: u.opts.TerminalID, PrevHash: prev, Head: head, Events: events}
		code, ack, err := u.post(ctx, b)
		switch {
		case err != nil:
			return u.unreachable(err.Error())
		case code == http.StatusOK:
			resets = 0
			if ack.LastSeq > head {
				return u.refuse(fmt.Sprintf("the server holds %d events of this till, this journal only %d: it was replaced", ack.LastSeq, head))
			}
			if ack.LastSeq < events[0].Seq-1 {
				return u.unreachable(fmt.Sprintf("odd answer: last_seq %d", ack.LastSeq))
			}
			acked = ack.LastSeq
			if err := u.src.SetOutboxAcked(ctx, acked); err != nil {
				return fmt.Errorf("outbox: %w", err)
			}
			u.ok(head - acked)
			u.growBatch()
		case code == http.StatusConflict && !ack.Conflict:
			// The server holds less (or more) than we thought: resend from
			// its last seq.
			if resets++; resets > 2 {
				return u.unreachable("the server keeps moving its last seq")
			}
			acked = ack.LastSeq
			if acked <= head {
				if err := u.src.SetOutboxAcked(ctx, acked); err != nil {
					return fmt.Errorf("outbox: %w", err)
				}
			}
		case code == http.StatusRequestEntityTooLarge:
			if !u.shrinkBatch() {
				return u.refuse("one event is larger than the server accepts")
			}
		default:
			return u.answer(code, ack)
		}
	}
	return errors.New("outbox: too many rounds")
}

// answer turns a failed request's status into the uploader's state.
func (u *Uploader) answer(code int, ack syncwire.Ack) error {
	switch {
	case code == http.StatusConflict && ack.Conflict:
		return u.refuse(fmt.Sprintf("chain conflict at seq %d: this journal's history differs from what the store server holds (was it replaced or edited?)", ack.LastSeq))
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		return u.refuse(fmt.Sprintf("the store server refused this till's token (HTTP %d); ask for a new one (voucherpos server add-till)", code))
	case code >= 400 && code < 500:
		return u.refuse(fmt.Sprintf("the store server refused a batch (HTTP %d: %s)", code, ack.Error))
	}
	return u.unreachable(fmt.Sprintf("HTTP %d", code))
}

// ok records an acknowledgement: the server answers and takes the events.
func (u *Uploader) ok(waiting int64) {
	now := u.opts.Now()
	u.set(func(s *Status) {
		s.Waiting, s.Since, s.Reason = waiting, time.Time{}, ""
		if waiting == 0 {
			s.State, s.Synced = InSync, now
		} else {
			s.State = Waiting
		}
	})
}

func (u *Uploader) currentBatch() int {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.batchSize
}

func (u *Uploader) shrinkBatch() bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.batchSize == 1 {
		return false
	}
	u.batchSize = max(u.batchSize/2, 1)
	return true
}

func (u *Uploader) growBatch() {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.batchSize = min(u.batchSize*2, u.opts.BatchSize)
}

func (u *Uploader) unreachable(reason string) error {
	now := u.opts.Now()
	u.set(func(s *Status) {
		if s.State != Unreachable {
			s.State, s.Since = Unreachable, now
		}
		s.Reason = reason
	})
	return fmt.Errorf("store server unreachable: %s", reason)
}

func (u *Uploader) refuse(reason string) error {
	now := u.opts.Now()
	u.set(func(s *Status) {
		if s.State != Refused {
			s.State, s.Since = Refused, now
		}
		s.Reason = reason
	})
	u.log.Warn("store sync refused", "reason", reason)
	return fmt.Errorf("%w: %s", errRefused, reason)
}

// maxAnswer bounds what the uploader reads of an answer.
const maxAnswer = 64 << 10

func (u *Uploader) post(ctx context.Context, b syncwire.Batch) (int, syncwire.Ack, error) {
	body, err := json.Marshal(b)
	if err != nil {
		return 0, syncwire.Ack{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, u.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.opts.URL+"/v1/events", bytes.NewReader(body))
	if err != nil {
		return 0, syncwire.Ack{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+u.opts.Token)
	resp, err := u.client.Do(req)
	if err != nil {
		return 0, syncwire.Ack{}, errors.New(scrubURL(err.Error(), u.opts.URL))
	}
	defer resp.Body.Close()
	var ack syncwire.Ack
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return 0, syncwire.Ack{}, fmt.Errorf("reading the answer: %w", err)
	}
	if resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusConflict {
		if err := json.Unmarshal(raw, &ack); err != nil {
			return 0, syncwire.Ack{}, fmt.Errorf("HTTP %d with an answer that is not an ack", resp.StatusCode)
		}
	} else {
		json.Unmarshal(raw, &ack) // best effort: its error text
	}
	return resp.StatusCode, ack, nil
}

// scrubURL keeps an error short: the server's URL is said once in config.
func scrubURL(msg, base string) string { return strings.ReplaceAll(msg, base, "store server") }

// ReadToken reads a till's token file: one line, not readable by others.
func ReadToken(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("store_server.token_file: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return "", fmt.Errorf("store_server.token_file: %w", err)
	}
	if st.Mode().Perm()&0o004 != 0 {
		return "", fmt.Errorf("store_server.token_file: %s is readable by every user: chmod 600 %s", path, path)
	}
	b, err := io.ReadAll(io.LimitReader(f, 4096))
	if err != nil {
		return "", fmt.Errorf("store_server.token_file: %w", err)
	}
	tok := strings.TrimSpace(string(b))
	if tok == "" || strings.ContainsAny(tok, " \t\r\n") {
		return "", fmt.Errorf("store_server.token_file: %s must hold the till's token, on one line", path)
	}
	return tok, nil
}

package pos

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"voucherpos/kora"
	"voucherpos/pos/config"
	"voucherpos/pos/journal"
)

// KeyCheck is what Kora said when asked about a charge that cannot exist.
type KeyCheck int

// Key check results.
const (
	KeyAccepted     KeyCheck = iota // "Charge not found": the key works
	KeyRefused                      // 401: the key does not work
	KoraUnreachable                 // nothing reached Kora
	KoraUnclear                     // some other answer
	KoraWrongURL                    // 404 "Route not found" or an HTML 404: the base URL is wrong
)

// CheckKey queries a random reference. Kora answers 404 "Charge not found"
// to a key it accepts and 401 to one it refuses. The key itself is never
// part of the answer.
func (s *Service) CheckKey(ctx context.Context) (KeyCheck, string) {
	if s.client == nil {
		return KoraUnclear, "no Kora client (read-only)"
	}
	ref := "check-" + NewReference(s.cfg.Store.TerminalID, s.now())
	_, err := s.client.QueryCharge(ctx, ref)
	var ke *kora.Error
	switch {
	case errors.Is(err, kora.ErrChargeNotFound):
		return KeyAccepted, fmt.Sprintf("key accepted (%s answered \"Charge not found\" for a random reference)", s.client.BaseURL())
	case errors.Is(err, kora.ErrUnauthorized):
		return KeyRefused, fmt.Sprintf("key refused: %s answered 401 %q", s.client.BaseURL(), messageOf(err))
	case errors.Is(err, kora.ErrRouteNotFound):
		// Only Kora's "Charge not found" proves the key; a route Kora does
		// not serve proves nothing about it.
		return KoraWrongURL, fmt.Sprintf("wrong base URL: %s has no such route (HTTP 404 %s); Kora's is %s", s.client.BaseURL(), messageOf(err), kora.DefaultBaseURL)
	case errors.Is(err, kora.ErrNotSent):
		return KoraUnreachable, fmt.Sprintf("cannot reach %s: %s", s.client.BaseURL(), Reason(err))
	case errors.As(err, &ke):
		return KoraUnclear, fmt.Sprintf("unexpected answer from %s: HTTP %d %s", s.client.BaseURL(), ke.StatusCode, ke.Message)
	case err != nil:
		return KoraUnclear, fmt.Sprintf("no clear answer from %s: %v", s.client.BaseURL(), err)
	}
	return KoraUnclear, fmt.Sprintf("%s returned a charge for a random reference", s.client.BaseURL())
}

// Reason is the cause at the bottom of a transport error, for a person:
// "dial tcp 10.0.0.1:443: connect: connection refused", without the
// class ("kora: request not sent") or the request's URL. kora wraps two
// errors at once (the class and the cause), which errors.Unwrap does not
// see into (it returns nil); Reason follows the last of them, and the
// net/url error's cause, and stops at the first error that is neither.
func Reason(err error) string {
	if err == nil {
		return "no error"
	}
	for {
		var next error
		switch e := err.(type) {
		case *url.Error:
			next = e.Err
		case interface{ Unwrap() []error }:
			if errs := e.Unwrap(); len(errs) > 0 {
				next = errs[len(errs)-1]
			}
		}
		if next == nil {
			return err.Error()
		}
		err = next
	}
}

func messageOf(err error) string {
	var ke *kora.Error
	if errors.As(err, &ke) {
		return ke.Message
	}
	return err.Error()
}

// JournalCheck is what CheckJournal found.
type JournalCheck struct {
	Path       string
	HeldBy     string // pid of the till holding the journal ("?" when it did not say); "" when none does
	Unresolved int    // pending and unknown sales
	Err        error  // the journal cannot be used, and why
}

// CheckJournal opens the journal as the till does (so a file that is not
// a journal, or is damaged, fails here as it fails there) and counts its
// unresolved sales. While a till holds it, it is read read-only instead,
// and checked with SQLite's quick_check.
func CheckJournal(ctx context.Context, cfg *config.Config) JournalCheck {
	jc := JournalCheck{Path: cfg.Journal.Path}
	j, err := journal.Open(cfg.Journal.Path, journal.Options{Secret: cfg.Kora.Secret()})
	var held *journal.LockError
	if errors.As(err, &held) {
		jc.HeldBy = held.PID
		if jc.HeldBy == "" {
			jc.HeldBy = "?"
		}
		j, err = journal.Open(cfg.Journal.Path, journal.Options{ReadOnly: true})
		if err == nil {
			if err = j.QuickCheck(ctx); err != nil {
				j.Close()
			}
		}
	}
	if err != nil {
		jc.Err = err
		return jc
	}
	defer j.Close()
	jc.Unresolved, jc.Err = j.CountUnresolved(ctx)
	return jc
}

package kora

import (
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
)

// The two classes every failed call falls into first. A caller that gets
// ErrNotSent may send the same request again; a caller that gets
// ErrOutcomeUnknown must query the charge and never POST it again.
var (
	// ErrNotSent: the request never reached Kora (DNS, dial, TLS, building
	// the request, a context that ended before sending). Nothing was charged.
	ErrNotSent = errors.New("kora: request not sent")
	// ErrOutcomeUnknown: the request may have reached Kora but its answer is
	// lost or unreadable (timeout after sending, connection dropped, any 5xx,
	// a non-JSON, truncated or oversized body, success without data).
	ErrOutcomeUnknown = errors.New("kora: outcome unknown")
)

// Kora's declines and general errors. Each *Error answers errors.Is for the
// sentinel its status and message map to.
var (
	ErrInvalidPIN           = errors.New("kora: voucher pin invalid")
	ErrVoucherUsed          = errors.New("kora: voucher already used")
	ErrInsufficientFunds    = errors.New("kora: voucher funds lower than amount")
	ErrAmountExceeds        = errors.New("kora: amount exceeds required amount")
	ErrProviderNotActive    = errors.New("kora: voucher provider not active")
	ErrProviderNotSupported = errors.New("kora: provider code not supported")
	ErrSystem               = errors.New("kora: unexpected system error")
	ErrUnauthorized         = errors.New("kora: invalid authorization key")
	ErrInvalidRequest       = errors.New("kora: invalid request data")
	ErrDuplicateReference   = errors.New("kora: duplicate payment reference")
	ErrChargeNotFound       = errors.New("kora: charge not found")
	// ErrRouteNotFound: a 404 that is not Kora's "Charge not found" ("Route
	// not found", an HTML page): the base URL is wrong. It proves nothing
	// about the key.
	ErrRouteNotFound = errors.New("kora: route not found (wrong base URL?)")
)

// Error is an answer from Kora (or something in front of it) that is not a
// successful charge. Message is Kora's own text, never containing the key.
type Error struct {
	StatusCode int
	Message    string
	// Fields holds the per-field reasons of an "Invalid request data" answer.
	Fields map[string]string

	kind    error // one of the sentinels above, or nil
	unknown bool  // the outcome of the request is unknown
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "kora: HTTP %d", e.StatusCode)
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", e.Message)
	}
	if len(e.Fields) > 0 {
		keys := make([]string, 0, len(e.Fields))
		for k := range e.Fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteString(" (")
		for i, k := range keys {
			if i > 0 {
				b.WriteString("; ")
			}
			fmt.Fprintf(&b, "%s: %s", k, e.Fields[k])
		}
		b.WriteString(")")
	}
	return b.String()
}

// Is matches the sentinel of this error's class, and ErrOutcomeUnknown when
// the answer leaves the charge's fate open (5xx, garbled body).
func (e *Error) Is(target error) bool {
	if target == ErrOutcomeUnknown {
		return e.unknown
	}
	return e.kind != nil && target == e.kind
}

// Kind is the sentinel this error maps to, or nil for an unclassified answer.
func (e *Error) Kind() error { return e.kind }

// Declined reports whether Kora gave a definite answer that nothing was
// charged (every 4xx it sent, as opposed to an unknown outcome).
func (e *Error) Declined() bool { return !e.unknown }

// FailureKind maps the reason Kora gives for a failed charge (from a query
// or a webhook) to the sentinel of the matching decline, or nil.
func FailureKind(message string) error { return classify(0, message) }

// classify maps an HTTP status and Kora's message to a sentinel. Messages are
// matched case-insensitively on their key words so that a reworded message
// still lands in the same class; the status decides where words are silent.
func classify(status int, message string) error {
	m := strings.ToLower(message)
	has := func(words ...string) bool {
		for _, w := range words {
			if strings.Contains(m, w) {
				return true
			}
		}
		return false
	}
	switch {
	case status == http.StatusUnauthorized || has("authorization key", "authorisation key", "api key", "unauthori"):
		return ErrUnauthorized
	case has("duplicate") && has("reference"):
		return ErrDuplicateReference
	case has("route") && has("not found", "not exist"):
		return ErrRouteNotFound
	case has("not found") && has("charge", "transaction", "payment"):
		return ErrChargeNotFound
	case status == http.StatusNotFound:
		// Only Kora's "Charge not found" names the charge; any other 404
		// is a path Kora does not serve.
		return ErrRouteNotFound
	case has("already") && has("used", "redeemed"):
		return ErrVoucherUsed
	case has("provider") && has("not active", "inactive", "not enabled", "disabled"):
		return ErrProviderNotActive
	case has("provider") && has("not supported", "unsupported", "not recogni", "unknown"):
		return ErrProviderNotSupported
	case has("pin") && has("invalid", "incorrect", "wrong", "not valid", "not recogni"):
		return ErrInvalidPIN
	case has("voucher") && has("invalid", "not valid", "incorrect", "not recogni"):
		// Kora's Checkout: "Invalid voucher".
		return ErrInvalidPIN
	case status == http.StatusPaymentRequired || has("insufficient", "lower than", "not enough", "less than the", "low balance"):
		return ErrInsufficientFunds
	case status != http.StatusTooManyRequests && has("exceed", "more than"):
		// A 429 "rate limit exceeded" is about requests, not the amount.
		return ErrAmountExceeds
	case has("invalid request", "validation"):
		return ErrInvalidRequest
	case status == http.StatusForbidden && has("provider"):
		return ErrProviderNotActive
	case status >= 500 || has("unexpected system error", "internal server error"):
		return ErrSystem
	}
	return nil
}

// transportError wraps a failure below HTTP with its class.
func transportError(class error, op string, err error) error {
	return fmt.Errorf("%w: %s: %w", class, op, err)
}

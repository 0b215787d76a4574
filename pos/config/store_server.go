package config

import (
	"net/url"
	"strings"
)

// StoreServer is the till's [store_server]: the store server it ships its
// journal to, and the file holding this till's token (from `voucherpos
// server add-till`). Both empty: the till ships nothing.
type StoreServer struct {
	URL       string // https://…, or http:// to loopback only
	TokenFile string // resolved like the other paths; read by the uploader
	// PublicWebhookURL, when set, is sent to Kora as each charge's
	// notification_url, so Kora's webhooks reach the store server.
	PublicWebhookURL string
}

// Enabled reports whether the till ships its journal.
func (s StoreServer) Enabled() bool { return s.URL != "" }

func (l *loader) storeServer(s *StoreServer, t table) *Error {
	if v, ok := t.str("url"); ok && strings.TrimSpace(v) != "" {
		v = strings.TrimRight(strings.TrimSpace(v), "/")
		if e := l.httpsURL("store_server.url", v, "the till's token"); e != nil {
			return e
		}
		s.URL = v
	}
	if v, ok := t.str("token_file"); ok && strings.TrimSpace(v) != "" {
		p, msg := l.resolve(strings.TrimSpace(v))
		if msg != "" {
			return l.errf("store_server.token_file", "%s", msg)
		}
		s.TokenFile = p
	}
	if v, ok := t.str("public_webhook_url"); ok && strings.TrimSpace(v) != "" {
		v = strings.TrimSpace(v)
		u, err := url.Parse(v)
		if err != nil || u.Scheme != "https" || u.Host == "" {
			return l.errf("store_server.public_webhook_url", "%s must be a public https URL (Kora sends webhooks only there)", show(v))
		}
		s.PublicWebhookURL = v
	}
	switch {
	case s.URL != "" && s.TokenFile == "":
		return l.errf("store_server.token_file", "is needed with store_server.url: the file holding this till's token (from voucherpos server add-till)")
	case s.URL == "" && s.TokenFile != "":
		return l.errf("store_server.url", "is needed with store_server.token_file (e.g. \"https://store.local:8443\")")
	}
	return nil
}

// httpsURL allows https anywhere and plain http only to this machine, as
// for Kora: what travels there (a token) must not cross a network in clear.
func (l *loader) httpsURL(key, v, what string) *Error {
	u, err := url.Parse(v)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return l.errf(key, "is not an absolute URL (e.g. \"https://store.local:8443\")")
	}
	if u.User != nil {
		return l.errf(key, "must not carry a user name or password")
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !isLoopback(u.Hostname()) {
			return l.errf(key, "%s uses plain http, which would send %s unencrypted; use https (http is allowed only to 127.0.0.1, ::1 or localhost)", show(u.String()), what)
		}
	default:
		return l.errf(key, "%s must use https", show(u.String()))
	}
	return nil
}

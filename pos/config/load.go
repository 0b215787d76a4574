package config

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/BurntSushi/toml"

	"voucherpos/kora"
)

// maxConfigBytes bounds the file Load reads; a real one is a few KiB.
const maxConfigBytes = 1 << 20

// Load reads the configuration at path, applies defaults, checks every
// value and resolves the Kora secret key. Every failure is a *Error; when
// the file has several mistakes Load reports the one nearest its top, after
// syntax, then names and types, then values, then the secret.
func Load(path string, env Env) (*Config, error) {
	l := &loader{path: path, env: orGetenv(env)}
	c, err := l.load()
	if err != nil {
		return nil, err
	}
	return c, nil
}

type loader struct {
	// skipSecret: demo mode with a file, which brings its own key and email.
	skipSecret bool
	// noSecret: a reader of the journal, which needs no key.
	noSecret bool
	path     string
	env      Env
	dir      string      // the config file's directory, absolute when possible
	mode     fs.FileMode // the config file's permission bits
	lines    lineIndex
}

// at starts an error about key, placed on its line.
func (l *loader) at(key string) *Error {
	return &Error{File: l.path, Line: l.lines.line(key), Key: key}
}

func (l *loader) errf(key, format string, args ...any) *Error {
	e := l.at(key)
	e.Msg = fmt.Sprintf(format, args...)
	return e
}

func (l *loader) load() (*Config, *Error) {
	text, err := l.read()
	if err != nil {
		return nil, err
	}
	var root map[string]any
	if _, err := toml.Decode(text, &root); err != nil {
		return nil, l.syntax(text, err)
	}
	l.lines = indexLines(text)
	d, errs := walk(root, l.at)
	if e := earliest(errs); e != nil {
		return nil, e
	}
	c := defaults(l.env)
	c.Path = l.path
	if e := earliest(l.apply(c, d)); e != nil {
		return nil, e
	}
	if l.skipSecret || l.noSecret {
		return c, nil
	}
	if e := l.secret(c, d.tables["kora"]); e != nil {
		return nil, e
	}
	return c, nil
}

// LoadWithoutSecret loads and checks the file as Load does but resolves no
// Kora key: for reading the journal (history, report), which needs none.
// customer_email is still required.
func LoadWithoutSecret(path string, env Env) (*Config, error) {
	l := &loader{path: path, env: orGetenv(env), noSecret: true}
	c, err := l.load()
	if err != nil {
		return nil, err
	}
	return c, nil
}

// LoadDemo is demo mode with a config file's look and feel: the file is
// checked as Load checks it, and its store name, terminal id, [receipt],
// [kiosk] and [ui] are kept, but Kora, the providers and the journal are
// the demo's, and no secret is needed.
func LoadDemo(path string, env Env) (*Config, error) {
	l := &loader{path: path, env: orGetenv(env), skipSecret: true}
	c, err := l.load()
	if err != nil {
		return nil, err
	}
	d := Demo(env)
	d.Path = path
	d.Store.Name, d.Store.TerminalID = c.Store.Name, c.Store.TerminalID
	d.Receipt, d.Kiosk, d.UI = c.Receipt, c.Kiosk, c.UI
	return d, nil
}

func (l *loader) read() (string, *Error) {
	fail := func(msg string, err error) *Error { return &Error{File: l.path, Msg: msg, err: err} }
	f, err := os.Open(l.path)
	if err != nil {
		return "", fail("cannot open: "+reason(err), err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return "", fail("cannot stat: "+reason(err), err)
	}
	if st.IsDir() {
		return "", fail("is a directory, not a configuration file", nil)
	}
	l.mode = st.Mode().Perm()
	data, err := io.ReadAll(io.LimitReader(f, maxConfigBytes+1))
	if err != nil {
		return "", fail("cannot read: "+reason(err), err)
	}
	if len(data) > maxConfigBytes {
		return "", fail(fmt.Sprintf("larger than %d KiB; is this the right file?", maxConfigBytes>>10), nil)
	}
	abs, err := filepath.Abs(l.path)
	if err != nil {
		abs = l.path
	}
	l.dir = filepath.Dir(abs)
	return string(data), nil
}

// reason is an OS error without the path, which Error.File already shows.
func reason(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	if errors.Is(err, fs.ErrNotExist) {
		return "no such file"
	}
	return err.Error()
}

var (
	inlineSecretLine = regexp.MustCompile(`(?m)(?:^|[\s.{,"'])secret_key["']?\s*=`)
	quotedFragment   = regexp.MustCompile(`"(?:[^"\\]|\\.)*"|'[^']*'`)
	longNumber       = regexp.MustCompile(`\S*\d\S*\d\S*\d\S*\d\S*`)
	keyToken         = regexp.MustCompile(`(?i)[sp]k_(?:test|live)_[^\s'".,]*`)
)

// syntax turns a TOML parse error into an *Error. The parser quotes the
// text it choked on, which may be an inline secret key; when the file has
// one, quoted text longer than a few characters and long numbers are
// blanked out of the message.
//
// The toml error is not kept as the cause: its ErrorWithPosition quotes the
// file's lines, secret and all.
func (l *loader) syntax(text string, err error) *Error {
	e := &Error{File: l.path}
	msg := err.Error()
	var pe toml.ParseError
	if errors.As(err, &pe) {
		msg = pe.Message
		e.Line = pe.Position.Line
	}
	if inlineSecretLine.MatchString(text) || strings.HasSuffix(pe.LastKey, "secret_key") {
		msg = quotedFragment.ReplaceAllStringFunc(msg, func(q string) string {
			if len([]rune(q)) <= 6 { // a quoted rune or short token such as '=' or '0x7f'
				return q
			}
			return `"…"`
		})
		msg = longNumber.ReplaceAllString(msg, "…")
	}
	// A key written as a name ("sk_live_abc = 1" twice) is never repeated.
	msg = keyToken.ReplaceAllString(msg, "(a Kora key, not shown)")
	e.Msg = "invalid TOML: " + msg
	return e
}

// show quotes a value for a message, cut short if long. A value that looks
// like a Kora key, pasted into the wrong place, is not repeated.
func show(s string) string {
	const max = 40
	for _, p := range keyPrefixes {
		if strings.Contains(s, p) {
			return "(a value that looks like a Kora key)"
		}
	}
	if r := []rune(s); len(r) > max {
		s = string(r[:max]) + "…"
	}
	return strconv.Quote(s)
}

// apply copies checked values over the defaults and returns every value
// mistake. The secret is resolved separately.
func (l *loader) apply(c *Config, d doc) []*Error {
	var errs []*Error
	add := func(e *Error) {
		if e != nil {
			errs = append(errs, e)
		}
	}
	errs = append(errs, l.store(&c.Store, d.tables["store"])...)
	errs = append(errs, l.kora(&c.Kora, d.tables["kora"])...)
	if len(d.providers) > 0 {
		ps, es := l.providers(d.providers)
		c.Providers = ps
		errs = append(errs, es...)
	} else {
		c.Providers = defaultProviders()
	}
	add(l.journal(&c.Journal, d.tables["journal"]))
	add(l.receipt(&c.Receipt, d.tables["receipt"]))
	add(l.kiosk(&c.Kiosk, d.tables["kiosk"]))
	add(l.storeServer(&c.StoreServer, d.tables["store_server"]))
	if v, ok := d.tables["ui"].flag("ascii"); ok {
		c.UI.ASCII = v
	}
	return errs
}

var (
	terminalIDChars = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)
	decimalText     = regexp.MustCompile(`^[+-]?(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)$`)
)

const maxTerminalID = 24

func (l *loader) store(s *Store, t table) []*Error {
	var errs []*Error
	if v, ok := t.str("name"); ok {
		if v = strings.TrimSpace(v); v == "" {
			errs = append(errs, l.errf("store.name", "must not be empty (it heads every receipt)"))
		} else {
			s.Name = v
		}
	}
	if v, ok := t.str("terminal_id"); ok {
		if e := l.terminalID(v); e != nil {
			errs = append(errs, e)
		} else {
			s.TerminalID = v
		}
	}
	if v, ok := t.str("currency"); ok {
		if !isLetters(v, 3) {
			errs = append(errs, l.errf("store.currency", "%s is not a 3-letter currency code (e.g. \"ZAR\")", show(v)))
		} else if _, err := CurrencyDigits(v); err != nil {
			errs = append(errs, l.errf("store.currency", "%s is not an ISO 4217 currency code (e.g. \"ZAR\", \"NGN\", \"KES\")", show(v)))
		} else {
			s.Currency = strings.ToUpper(v)
		}
	}
	if v, ok := t.str("country"); ok {
		if !isLetters(v, 2) {
			errs = append(errs, l.errf("store.country", "%s is not a 2-letter region code (e.g. \"ZA\")", show(v)))
		} else {
			s.Country = strings.ToUpper(v)
		}
	}
	if v, _ := t.str("customer_email"); v == "" && l.skipSecret {
		// Demo mode brings its own.
	} else if v == "" {
		errs = append(errs, l.errf("store.customer_email", "required (Kora needs an email on every charge)"))
	} else if e := l.email(v); e != nil {
		errs = append(errs, e)
	} else {
		s.CustomerEmail = v
	}
	if v, ok := t.str("max_amount"); ok {
		digits, err := CurrencyDigits(s.Currency)
		if err != nil {
			digits = 2 // the currency's own error is reported
		}
		if a, e := l.maxAmount(v, digits); e != nil {
			errs = append(errs, e)
		} else {
			s.MaxAmount = a
		}
	}
	return errs
}

func (l *loader) terminalID(v string) *Error {
	const key = "store.terminal_id"
	switch {
	case v == "":
		return l.errf(key, "must not be empty")
	case len(v) > maxTerminalID:
		return l.errf(key, "%s is longer than %d characters", show(v), maxTerminalID)
	case !terminalIDChars.MatchString(v):
		return l.errf(key, "%s may hold only letters, digits, '-' and '_'", show(v))
	}
	return nil
}

// email accepts a bare address only: it goes to Kora as customer.email.
func (l *loader) email(v string) *Error {
	const key = "store.customer_email"
	a, err := mail.ParseAddress(v)
	switch {
	case err != nil:
		return l.errf(key, "%s is not an email address (e.g. \"till@example.com\")", show(v))
	case a.Name != "" || a.Address != v:
		return l.errf(key, "%s must be a bare address such as till@example.com, with no name or <>", show(v))
	}
	return nil
}

// maxAmount returns the amount with the currency's digits ("5000.00" for
// ZAR, "5000" for JPY).
func (l *loader) maxAmount(v string, digits int) (string, *Error) {
	const key = "store.max_amount"
	places := func() *Error {
		if digits == 0 {
			return l.errf(key, "%s has decimal places; this currency has no minor unit", show(v))
		}
		return l.errf(key, "%s has more than %d decimal places", show(v), digits)
	}
	a, err := kora.ParseAmount(v)
	if err != nil {
		if !decimalText.MatchString(v) {
			return "", l.errf(key, "%s is not a decimal amount (e.g. \"5000.00\")", show(v))
		}
		// Well formed, so ParseAmount found it too long or too precise.
		if _, frac, _ := strings.Cut(v, "."); len(strings.TrimRight(frac, "0")) > digits {
			return "", places()
		}
		return "", l.errf(key, "%s is too large", show(v))
	}
	if a.Sign() <= 0 {
		return "", l.errf(key, "%s must be more than 0", show(v))
	}
	if _, frac, _ := strings.Cut(a.String(), "."); len(frac) > digits {
		return "", places()
	}
	if _, err := a.Minor(digits); err != nil {
		return "", l.errf(key, "%s is too large", show(v))
	}
	return a.Fixed(digits), nil
}

func isLetters(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i] | 0x20; c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

func (l *loader) kora(k *Kora, t table) []*Error {
	var errs []*Error
	if v, ok := t.str("base_url"); ok {
		if e := l.baseURL(v); e != nil {
			errs = append(errs, e)
		} else {
			k.BaseURL = v
		}
	}
	if v, ok := t.flag("merchant_bears_cost"); ok {
		k.MerchantBearsCost = v
	}
	if v, ok := t.str("notification_url"); ok && v != "" {
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			errs = append(errs, l.errf("kora.notification_url", "%s is not an http or https URL that Kora can call", show(v)))
		} else {
			k.NotificationURL = v
		}
	}
	if v, ok := t.str("timeout"); ok {
		d, e := l.duration("kora.timeout", v, "30s", time.Second, 5*time.Minute)
		if e != nil {
			errs = append(errs, e)
		} else {
			k.Timeout = d
		}
	}
	return errs
}

// baseURL allows https anywhere and plain http only to this machine: the
// secret key travels in every request's Authorization header.
func (l *loader) baseURL(v string) *Error {
	const key = "kora.base_url"
	u, err := url.Parse(v)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return l.errf(key, "is not an absolute URL (e.g. %q)", kora.DefaultBaseURL)
	}
	if u.User != nil {
		return l.errf(key, "must not carry a user name or password; the secret key is sent separately")
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !isLoopback(u.Hostname()) {
			return l.errf(key, "%s uses plain http, which would send the secret key unencrypted; use https (http is allowed only to 127.0.0.1, ::1 or localhost)", show(u.String()))
		}
	default:
		return l.errf(key, "%s must use https", show(u.String()))
	}
	return nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (l *loader) duration(key, v, example string, lo, hi time.Duration) (time.Duration, *Error) {
	d, err := time.ParseDuration(v)
	switch {
	case err != nil:
		return 0, l.errf(key, "%s is not a duration (e.g. %q)", show(v), example)
	case d < lo:
		return 0, l.errf(key, "%s is shorter than %s", show(v), fmtDuration(lo))
	case d > hi:
		return 0, l.errf(key, "%s is longer than %s", show(v), fmtDuration(hi))
	}
	return d, nil
}

// fmtDuration writes round durations the way a person would: 5m, not 5m0s.
func fmtDuration(d time.Duration) string {
	switch {
	case d%time.Hour == 0:
		return strconv.FormatInt(int64(d/time.Hour), 10) + "h"
	case d%time.Minute == 0:
		return strconv.FormatInt(int64(d/time.Minute), 10) + "m"
	}
	return d.String()
}

func (l *loader) providers(list []table) ([]Provider, []*Error) {
	var errs []*Error
	if len(list) > maxProviders {
		e := l.at(fmt.Sprintf("providers[%d]", maxProviders+1))
		e.Key = "providers"
		e.Msg = fmt.Sprintf("at most %d providers (the digits 1-9 pick them); found %d", maxProviders, len(list))
		errs = append(errs, e)
	}
	seen := map[string]int{}
	out := make([]Provider, 0, len(list))
	for i, t := range list {
		n := i + 1
		key := func(k string) string { return fmt.Sprintf("providers[%d].%s", n, k) }
		var p Provider
		code, _ := t.str("code")
		switch {
		case code == "":
			errs = append(errs, l.errf(key("code"), "required (e.g. \"0001\")"))
		case !isDigits(code):
			errs = append(errs, l.errf(key("code"), "%s must be digits only (e.g. \"0001\")", show(code)))
		case seen[code] != 0:
			errs = append(errs, l.errf(key("code"), "%s is already used by providers[%d]", show(code), seen[code]))
		default:
			seen[code] = n
		}
		p.Code = code
		name, _ := t.str("name")
		if strings.TrimSpace(name) == "" {
			errs = append(errs, l.errf(key("name"), "required (e.g. \"1Voucher\")"))
		}
		p.Name = strings.TrimSpace(name)
		if v, ok := t.num("pin_length"); ok {
			if v != 0 && (v < 4 || v > 32) {
				errs = append(errs, l.errf(key("pin_length"), "%d must be 0 (any length) or 4 to 32", v))
			} else {
				p.PinLength = int(v)
			}
		}
		out = append(out, p)
	}
	return out, errs
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func (l *loader) journal(j *Journal, t table) *Error {
	v, ok := t.str("path")
	if !ok || v == "" {
		return nil
	}
	p, err := l.resolve(v)
	if err != "" {
		return l.errf("journal.path", "%s", err)
	}
	j.Path = p
	return nil
}

// resolve expands "~/" with $HOME and makes a relative path relative to
// the config file's directory. It returns a message, not an error, so the
// caller can attach the key.
func (l *loader) resolve(p string) (string, string) {
	if p == "~" || strings.HasPrefix(p, "~/") {
		home := l.env("HOME")
		if home == "" {
			return "", "cannot expand ~: $HOME is not set"
		}
		p = filepath.Join(home, strings.TrimPrefix(p, "~"))
	}
	if !filepath.IsAbs(p) {
		p = filepath.Join(l.dir, p)
	}
	return filepath.Clean(p), ""
}

var receiptWidths = []int64{32, 42, 48}

func (l *loader) receipt(r *Receipt, t table) *Error {
	if v, ok := t.num("width"); ok {
		good := false
		for _, w := range receiptWidths {
			good = good || v == w
		}
		if !good {
			return l.errf("receipt.width", "%d must be 32, 42 or 48 (columns)", v)
		}
		r.Width = int(v)
	}
	if v, ok := t.str("printer"); ok {
		r.Printer = v
	}
	if v, ok := t.flag("escpos"); ok {
		r.ESCPOS = v
	}
	return nil
}

func (l *loader) kiosk(k *Kiosk, t table) *Error {
	if v, ok := t.flag("enabled"); ok {
		k.Enabled = v
	}
	if v, ok := t.str("idle_timeout"); ok {
		d, e := l.duration("kiosk.idle_timeout", v, "90s", 10*time.Second, time.Hour)
		if e != nil {
			return e
		}
		k.IdleTimeout = d
	}
	if v, ok := t.str("supervisor_pin_hash"); ok {
		k.SupervisorPINHash = strings.TrimSpace(v)
	}
	// The till refuses a kiosk it could never be left; so does loading
	// its config, so that "voucherpos check" fails exactly when the till
	// would (and systemd is never left restarting it).
	const key = "kiosk.supervisor_pin_hash"
	if h := k.SupervisorPINHash; h != "" {
		if _, _, _, err := ParseSupervisorHash(h); err != nil {
			return l.errf(key, "%v", err)
		}
	} else if k.Enabled && !l.skipSecret {
		e := l.errf(key, "kiosk mode needs one (without it the kiosk could never be left); make it with: voucherpos hash-pin")
		if _, set := t["supervisor_pin_hash"]; !set {
			e.Line = l.lines.line("kiosk.enabled")
		}
		return e
	}
	return nil
}

func hasSpace(s string) bool {
	return strings.IndexFunc(s, unicode.IsSpace) >= 0
}

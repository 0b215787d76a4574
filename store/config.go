package store

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
)

// Config is the store server's configuration: [server], and [kora] with
// the same keys as a till's (kept for webhooks and Kora's pay-ins history).
// The database URL is held unexported and redacted in every printout; only
// DatabaseURL returns it.
type Config struct {
	Path            string // "" when no file was given
	Listen          string
	TLSCert, TLSKey string
	DatabaseURLEnv  string // the variable the URL came from; "" if another source
	DatabaseURLFile string // the file the URL came from; "" if another source
	StoreName       string
	Kora            KoraConfig
	dbURL           *secretURL
}

// KoraConfig is the server's [kora] table: the secret key verifies Kora's
// webhooks and reads Kora's Pay-ins History. The key is resolved as the
// till resolves its own (secret_key_file, secret_key inline in a private
// file, or the variable secret_key_env names, KORA_SECRET_KEY by default)
// and held masked; only Secret returns it.
type KoraConfig struct {
	BaseURL         string
	SecretKeyEnv    string // the variable the key came from; "" if another source
	SecretKeyFile   string // the file the key came from; "" if another source
	NotificationURL string
	secret          *secretURL
}

// DefaultKoraSecretEnv is where the key is read from when [kora] names no
// source, as on a till.
const DefaultKoraSecretEnv = "KORA_SECRET_KEY"

// Secret is the Kora secret key ("" without [kora]). Hand it to kora.New
// and sealbox, nowhere else.
func (k KoraConfig) Secret() string { return k.secret.reveal() }

// WithKoraSecret returns a copy of c whose [kora] key is secret; for tests
// and callers that build a Config by hand.
func (c Config) WithKoraSecret(secret string) *Config {
	c.Kora.secret = newSecretURL(secret)
	return &c
}

// Defaults.
const (
	DefaultListen         = "127.0.0.1:8443"
	DefaultDatabaseURLEnv = "VOUCHERPOS_DATABASE_URL"
	EnvServerConfig       = "VOUCHERPOS_SERVER_CONFIG"
	maxConfigBytes        = 1 << 20
	maxURLFileBytes       = 64 << 10
)

// secretURL holds the URL masked with a per-process random pad, as the
// till holds its Kora key: fmt prints an unexported field it cannot call
// methods on field by field, and this way such a printout shows
// meaningless bytes, never the password.
type secretURL struct{ masked []byte }

var urlPad = func() (p [32]byte) {
	rand.Read(p[:])
	return p
}()

func maskURL(b []byte) []byte {
	for i := range b {
		b[i] ^= urlPad[i%len(urlPad)]
	}
	return b
}

func newSecretURL(v string) *secretURL { return &secretURL{masked: maskURL([]byte(v))} }

func (s *secretURL) reveal() string {
	if s == nil {
		return ""
	}
	return string(maskURL(slices.Clone(s.masked)))
}

// Format prints the config without the URL's password under every verb.
func (c *Config) Format(f fmt.State, _ rune) {
	fmt.Fprintf(f, "{Path:%s Listen:%s TLSCert:%s TLSKey:%s DatabaseURLEnv:%s DatabaseURLFile:%s StoreName:%s Database:%s}",
		c.Path, c.Listen, c.TLSCert, c.TLSKey, c.DatabaseURLEnv, c.DatabaseURLFile, c.StoreName, c.DatabaseDisplay())
}

// LogValue is the slog form, without the password.
func (c *Config) LogValue() slog.Value {
	return slog.GroupValue(slog.String("listen", c.Listen), slog.Bool("tls", c.TLSCert != ""),
		slog.String("database", c.DatabaseDisplay()), slog.String("store_name", c.StoreName))
}

func (*secretURL) String() string               { return "[redacted]" }
func (*secretURL) GoString() string             { return "[redacted]" }
func (*secretURL) Format(f fmt.State, _ rune)   { io.WriteString(f, "[redacted]") }
func (*secretURL) LogValue() slog.Value         { return slog.StringValue("[redacted]") }
func (*secretURL) MarshalText() ([]byte, error) { return []byte("[redacted]"), nil }

// DatabaseURL is the resolved database URL, password and all. Hand it to
// Connect and nowhere else.
func (c *Config) DatabaseURL() string {
	return c.dbURL.reveal()
}

// WithDatabaseURL returns a copy of c using url; for tests and callers that
// build a Config by hand.
func (c Config) WithDatabaseURL(u string) *Config {
	c.dbURL = newSecretURL(u)
	return &c
}

// DatabaseDisplay is the URL without its password, for messages.
func (c *Config) DatabaseDisplay() string { return RedactURL(c.DatabaseURL()) }

// RedactURL removes the password from a postgres URL (or a key=value
// connection string), keeping the rest for people to read.
func RedactURL(s string) string {
	if u, err := url.Parse(s); err == nil && u.Scheme != "" {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
		q := u.Query()
		if q.Has("password") {
			q.Set("password", "xxxxx")
			u.RawQuery = q.Encode()
		}
		return u.String()
	}
	return kvPassword.ReplaceAllString(s, "password=xxxxx")
}

var kvPassword = regexp.MustCompile(`password\s*=\s*('[^']*'|\S+)`)

// hasPassword reports whether a database URL carries a password.
func hasPassword(s string) bool {
	if u, err := url.Parse(s); err == nil && u.Scheme != "" {
		_, ok := u.User.Password()
		return ok || u.Query().Has("password")
	}
	return kvPassword.MatchString(s)
}

// ConfigError is a mistake in the server's config: one line naming the
// file, the line and the key, as the till's config errors do.
type ConfigError struct {
	File string
	Line int
	Key  string
	Msg  string
}

func (e *ConfigError) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			fmt.Fprintf(&b, ":%d", e.Line)
		}
		b.WriteString(": ")
	}
	if e.Key != "" {
		b.WriteString(e.Key + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

var knownKeys = map[string][]string{
	"server": {"listen", "tls_cert", "tls_key", "database_url_env", "database_url_file", "database_url", "store_name"},
	"kora":   {"base_url", "secret_key_env", "secret_key_file", "secret_key", "merchant_bears_cost", "notification_url", "timeout"},
}

// FindConfig is the server config's path: --config, else
// $VOUCHERPOS_SERVER_CONFIG, else "" (defaults and the environment).
func FindConfig(flag string, getenv func(string) string) string {
	if flag != "" {
		return flag
	}
	if getenv == nil {
		getenv = os.Getenv
	}
	return getenv(EnvServerConfig)
}

// LoadConfig reads and checks the server's config at path ("" for none:
// the defaults, with the database URL from $VOUCHERPOS_DATABASE_URL) and
// resolves the database URL. getenv nil means os.Getenv.
func LoadConfig(path string, getenv func(string) string) (*Config, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	c := &Config{Path: path, Listen: DefaultListen, DatabaseURLEnv: DefaultDatabaseURLEnv}
	l := &cfgLoader{path: path}
	root := map[string]any{}
	var mode fs.FileMode
	if path != "" {
		f, err := os.Open(path)
		if err != nil {
			return nil, &ConfigError{File: path, Msg: "cannot open: " + reason(err)}
		}
		defer f.Close()
		st, err := f.Stat()
		if err != nil {
			return nil, &ConfigError{File: path, Msg: reason(err)}
		}
		mode = st.Mode().Perm()
		b, err := io.ReadAll(io.LimitReader(f, maxConfigBytes+1))
		if err != nil || len(b) > maxConfigBytes {
			return nil, &ConfigError{File: path, Msg: "cannot read (or larger than 1 MiB)"}
		}
		l.text = string(b)
		if _, err := toml.Decode(l.text, &root); err != nil {
			var pe toml.ParseError
			if errors.As(err, &pe) {
				return nil, &ConfigError{File: path, Line: pe.Position.Line, Msg: pe.Message}
			}
			return nil, &ConfigError{File: path, Msg: err.Error()}
		}
	}
	for _, sec := range sortedKeys(root) {
		keys, ok := knownKeys[sec]
		if !ok {
			return nil, l.errf(sec, "", "unknown table [%s] (a server config has [server] and [kora])", sec)
		}
		t, ok := root[sec].(map[string]any)
		if !ok {
			return nil, l.errf(sec, "", "must be a table")
		}
		for _, k := range sortedKeys(t) {
			if !contains(keys, k) {
				return nil, l.errf(sec, k, "unknown key (known: %s)", strings.Join(keys, ", "))
			}
		}
	}
	srv, _ := root["server"].(map[string]any)
	str := func(sec string, t map[string]any, k string, dst *string) *ConfigError {
		v, ok := t[k]
		if !ok {
			return nil
		}
		s, ok := v.(string)
		if !ok {
			return l.errf(sec, k, "must be a string")
		}
		*dst = strings.TrimSpace(s)
		return nil
	}
	var inline, file, env string
	for _, f := range []struct {
		k   string
		dst *string
	}{{"listen", &c.Listen}, {"tls_cert", &c.TLSCert}, {"tls_key", &c.TLSKey}, {"store_name", &c.StoreName},
		{"database_url", &inline}, {"database_url_file", &file}, {"database_url_env", &env}} {
		if e := str("server", srv, f.k, f.dst); e != nil {
			return nil, e
		}
	}
	if kt, ok := root["kora"].(map[string]any); ok {
		var inlineKey string
		for _, f := range []struct {
			k   string
			dst *string
		}{{"base_url", &c.Kora.BaseURL}, {"secret_key_env", &c.Kora.SecretKeyEnv}, {"secret_key_file", &c.Kora.SecretKeyFile},
			{"notification_url", &c.Kora.NotificationURL}, {"secret_key", &inlineKey}} {
			if e := str("kora", kt, f.k, f.dst); e != nil {
				return nil, e
			}
		}
		if inlineKey != "" && mode&0o077 != 0 {
			return nil, l.errf("kora", "secret_key", "an inline key needs the file to be private: chmod 600 %s (or use secret_key_env / secret_key_file)", path)
		}
		if e := l.koraSecret(&c.Kora, inlineKey, getenv); e != nil {
			return nil, e
		}
	}
	if e := l.checkListen(c); e != nil {
		return nil, e
	}
	if e := l.databaseURL(c, inline, file, env, mode, getenv); e != nil {
		return nil, e
	}
	return c, nil
}

func (l *cfgLoader) checkListen(c *Config) *ConfigError {
	host, port, err := net.SplitHostPort(c.Listen)
	if err != nil || port == "" {
		return l.errf("server", "listen", "%q is not host:port (e.g. %q)", c.Listen, DefaultListen)
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return l.errf("server", "tls_cert", "set both tls_cert and tls_key for HTTPS, or neither for plain HTTP on loopback")
	}
	if c.TLSCert == "" && !loopback(host) {
		return l.errf("server", "listen", "plain HTTP is served only on a loopback address (127.0.0.1, ::1, localhost), for a reverse proxy; set tls_cert and tls_key to listen on %s", host)
	}
	for _, p := range []*string{&c.TLSCert, &c.TLSKey} {
		if *p != "" && !filepath.IsAbs(*p) && l.path != "" {
			*p = filepath.Join(filepath.Dir(l.path), *p)
		}
	}
	return nil
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

var envNamePattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// databaseURL resolves the URL from exactly one source, as the till
// resolves its Kora key: database_url_file (not readable by others),
// database_url inline (the config file chmod 600 when it holds a password),
// or the variable database_url_env names (VOUCHERPOS_DATABASE_URL). No
// message repeats the URL.
func (l *cfgLoader) databaseURL(c *Config, inline, file, env string, mode fs.FileMode, getenv func(string) string) *ConfigError {
	switch {
	case inline != "" && file != "":
		return l.errf("server", "database_url", "set either database_url or database_url_file, not both")
	case env != "" && (inline != "" || file != ""):
		return l.errf("server", "database_url_env", "set only one of database_url_env, database_url_file and database_url")
	case inline != "":
		if hasPassword(inline) && mode&0o077 != 0 {
			return l.errf("server", "database_url", "an inline URL with a password needs the file to be private: chmod 600 %s (or use database_url_env / database_url_file)", l.path)
		}
		c.dbURL, c.DatabaseURLEnv = newSecretURL(inline), ""
		return nil
	case file != "":
		p, v, cerr := l.privateFile("server", "database_url_file", file)
		if cerr != nil {
			return cerr
		}
		if v == "" || strings.ContainsAny(v, "\n\r") {
			return l.errf("server", "database_url_file", "%s must hold the database URL, on one line", p)
		}
		c.dbURL, c.DatabaseURLFile, c.DatabaseURLEnv = newSecretURL(v), p, ""
		return nil
	}
	if env == "" {
		env = DefaultDatabaseURLEnv
	}
	if !envNamePattern.MatchString(env) {
		return l.errf("server", "database_url_env", "is not an environment variable name (letters, digits and _), e.g. %q", DefaultDatabaseURLEnv)
	}
	v := strings.TrimSpace(getenv(env))
	if v == "" {
		return l.errf("server", "database_url_env", "environment variable %s is not set; export it with the database URL, e.g. postgres://voucherpos@127.0.0.1:5432/voucherpos (or use database_url_file)", env)
	}
	c.dbURL, c.DatabaseURLEnv = newSecretURL(v), env
	return nil
}

// privateFile reads a secret kept in a file (relative to the config's
// folder): a file, not readable by every user, small; its text trimmed.
func (l *cfgLoader) privateFile(section, key, file string) (path, value string, cerr *ConfigError) {
	p := file
	if !filepath.IsAbs(p) && l.path != "" {
		p = filepath.Join(filepath.Dir(l.path), p)
	}
	f, err := os.Open(p)
	if err != nil {
		return "", "", l.errf(section, key, "cannot open %s: %s", p, reason(err))
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || st.IsDir() {
		return "", "", l.errf(section, key, "%s is not a file", p)
	}
	if st.Mode().Perm()&0o004 != 0 {
		return "", "", l.errf(section, key, "%s is readable by every user: chmod 600 %s", p, p)
	}
	b, err := io.ReadAll(io.LimitReader(f, maxURLFileBytes+1))
	if err != nil || len(b) > maxURLFileBytes {
		return "", "", l.errf(section, key, "cannot read %s", p)
	}
	return p, strings.TrimSpace(string(b)), nil
}

// koraSecret resolves [kora]'s key from exactly one source. No message
// repeats the key.
func (l *cfgLoader) koraSecret(k *KoraConfig, inline string, getenv func(string) string) *ConfigError {
	file, env := k.SecretKeyFile, k.SecretKeyEnv
	k.SecretKeyFile, k.SecretKeyEnv = "", ""
	var v string
	switch {
	case inline != "" && file != "":
		return l.errf("kora", "secret_key", "set either secret_key or secret_key_file, not both")
	case env != "" && (inline != "" || file != ""):
		return l.errf("kora", "secret_key_env", "set only one of secret_key_env, secret_key_file and secret_key")
	case inline != "":
		v = inline
	case file != "":
		p, fv, cerr := l.privateFile("kora", "secret_key_file", file)
		if cerr != nil {
			return cerr
		}
		v, k.SecretKeyFile = fv, p
	default:
		if env == "" {
			env = DefaultKoraSecretEnv
		}
		if !envNamePattern.MatchString(env) {
			return l.errf("kora", "secret_key_env", "is not an environment variable name (letters, digits and _), e.g. %q", DefaultKoraSecretEnv)
		}
		v, k.SecretKeyEnv = strings.TrimSpace(getenv(env)), env
		if v == "" {
			return l.errf("kora", "secret_key_env", "environment variable %s is not set; export it with the Kora secret key (or use secret_key_file)", env)
		}
	}
	if strings.ContainsAny(v, " \t\r\n") || !(strings.HasPrefix(v, "sk_test_") || strings.HasPrefix(v, "sk_live_")) || len(v) <= len("sk_test_") {
		return l.errf("kora", "secret_key", "is not a Kora secret key (one starts with sk_live_ or sk_test_, on one line); check what was set")
	}
	k.secret = newSecretURL(v)
	return nil
}

type cfgLoader struct {
	path string
	text string
}

// line finds where key is set inside [section] (or the section's header
// when key is ""); 0 when it cannot tell.
func (l *cfgLoader) line(section, key string) int {
	cur, header := "", 0
	for i, raw := range strings.Split(l.text, "\n") {
		s := strings.TrimSpace(raw)
		if strings.HasPrefix(s, "[") {
			cur = strings.Trim(strings.TrimSpace(strings.SplitN(s, "#", 2)[0]), "[] \"")
			if cur == section {
				header = i + 1
			}
			continue
		}
		if cur == section && key != "" {
			if k, _, ok := strings.Cut(s, "="); ok && strings.Trim(strings.TrimSpace(k), `"'`) == key {
				return i + 1
			}
		}
	}
	return header
}

func (l *cfgLoader) errf(section, key, format string, args ...any) *ConfigError {
	name := section
	if key != "" {
		name += "." + key
	}
	return &ConfigError{File: l.path, Line: l.line(section, key), Key: name, Msg: fmt.Sprintf(format, args...)}
}

func reason(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

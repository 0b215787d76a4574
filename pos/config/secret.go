package config

import (
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"os"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Kora configures the Kora client. Load resolves the secret key into an
// unexported field that only Secret returns: every fmt verb, slog and
// encoding/json show it as [redacted] or not at all.
type Kora struct {
	BaseURL           string
	SecretKeyEnv      string // the variable the key came from; "" if another source
	SecretKeyFile     string // the file the key came from, resolved; "" if another source
	MerchantBearsCost bool
	NotificationURL   string
	Timeout           time.Duration
	secret            *secretKey
}

// secretKey sits behind a pointer, as in kora.Client, and holds the key
// masked with a per-process random pad. fmt prints a value it cannot call
// methods on (a Config in an unexported field, or any bad verb such as %s
// on a nested *Config) field by field; this way such a printout shows an
// address or meaningless numbers, never the key's text.
type secretKey struct{ masked []byte }

var secretPad = func() (p [32]byte) {
	rand.Read(p[:]) // never fails on supported platforms
	return p
}()

func mask(b []byte) {
	for i := range b {
		b[i] ^= secretPad[i%len(secretPad)]
	}
}

func newSecret(v string) *secretKey {
	if v == "" {
		return nil
	}
	b := []byte(v)
	mask(b)
	return &secretKey{masked: b}
}

func (s *secretKey) reveal() string {
	if s == nil {
		return ""
	}
	b := slices.Clone(s.masked)
	mask(b)
	return string(b)
}

const redacted = "[redacted]"

func (*secretKey) String() string               { return redacted }
func (*secretKey) GoString() string             { return redacted }
func (*secretKey) Format(f fmt.State, _ rune)   { io.WriteString(f, redacted) }
func (*secretKey) LogValue() slog.Value         { return slog.StringValue(redacted) }
func (*secretKey) MarshalText() ([]byte, error) { return []byte(redacted), nil }

// Secret is the resolved Kora secret key. Hand it to kora.New and nowhere
// else.
func (k Kora) Secret() string { return k.secret.reveal() }

// WithSecret returns k holding secret; for callers that build a Config by
// hand, such as tests of other packages.
func (k Kora) WithSecret(secret string) Kora {
	k.secret = newSecret(secret)
	return k
}

func (k Kora) redactedSecret() string {
	if k.Secret() == "" {
		return `""`
	}
	return redacted
}

// String shows every field but the secret, like %v of a plain struct.
func (k Kora) String() string {
	return fmt.Sprintf("{%s %s %s %t %s %s %s}",
		k.BaseURL, k.SecretKeyEnv, k.SecretKeyFile, k.MerchantBearsCost, k.NotificationURL, k.Timeout, k.redactedSecret())
}

// fieldString is the %+v form.
func (k Kora) fieldString() string {
	return fmt.Sprintf("{BaseURL:%s SecretKeyEnv:%s SecretKeyFile:%s MerchantBearsCost:%t NotificationURL:%s Timeout:%s secret:%s}",
		k.BaseURL, k.SecretKeyEnv, k.SecretKeyFile, k.MerchantBearsCost, k.NotificationURL, k.Timeout, k.redactedSecret())
}

// GoString is %#v without the secret.
func (k Kora) GoString() string {
	return fmt.Sprintf("config.Kora{BaseURL:%q, SecretKeyEnv:%q, SecretKeyFile:%q, MerchantBearsCost:%t, NotificationURL:%q, Timeout:%d, secret:%q}",
		k.BaseURL, k.SecretKeyEnv, k.SecretKeyFile, k.MerchantBearsCost, k.NotificationURL, int64(k.Timeout), k.redactedSecret())
}

// Format routes every verb (%v %+v %#v %s %q %x …) through String,
// fieldString or GoString, so no verb can reach the secret field, including
// when a Kora is printed as part of a Config.
func (k Kora) Format(f fmt.State, verb rune) {
	s := k.String()
	switch {
	case verb == 'v' && f.Flag('#'):
		s = k.GoString()
	case verb == 'v' && f.Flag('+'):
		s = k.fieldString()
	case verb == 'q':
		s = strconv.Quote(s)
	}
	io.WriteString(f, s)
}

// LogValue is the slog form, without the secret.
func (k Kora) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("base_url", k.BaseURL),
		slog.String("secret_key_env", k.SecretKeyEnv),
		slog.String("secret_key_file", k.SecretKeyFile),
		slog.Bool("merchant_bears_cost", k.MerchantBearsCost),
		slog.String("notification_url", k.NotificationURL),
		slog.Duration("timeout", k.Timeout),
		slog.String("secret", k.redactedSecret()),
	)
}

const maxKeyFileBytes = 64 << 10

var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// keyPrefixes start Kora's secret and public keys.
var keyPrefixes = []string{"sk_test_", "sk_live_", "pk_test_", "pk_live_"}

// looksLikeKey catches a key pasted where a name or path belongs, so the
// message about it does not repeat it.
func looksLikeKey(s string) bool {
	for _, p := range keyPrefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// notASecretKey says what is wrong with a key that does not start with
// sk_live_ (LIVE) or sk_test_ (TEST), without repeating it; "" when it
// has the shape of a Kora secret key.
func notASecretKey(v string) string {
	switch {
	case (strings.HasPrefix(v, "sk_live_") || strings.HasPrefix(v, "sk_test_")) && len(v) > len("sk_test_"):
		return ""
	case strings.HasPrefix(v, "pk_"):
		return "is Kora's public key; the till needs the secret key, which starts with sk_live_ (live) or sk_test_ (test)"
	}
	return "is not a Kora secret key (one starts with sk_live_ for live sales or sk_test_ for test ones); check what was pasted"
}

// secret resolves the key from exactly one source: secret_key (inline),
// secret_key_file, or the variable secret_key_env names (KORA_SECRET_KEY
// by default). An empty value counts as unset. No message names the key.
func (l *loader) secret(c *Config, t table) *Error {
	inline, _ := t.str("secret_key")
	file, _ := t.str("secret_key_file")
	name, _ := t.str("secret_key_env")
	switch {
	case inline != "" && file != "":
		return l.errf("kora.secret_key", "set either secret_key or secret_key_file, not both")
	case name != "" && (inline != "" || file != ""):
		return l.errf("kora.secret_key_env", "set only one of secret_key_env, secret_key_file and secret_key")
	case inline != "":
		return l.inlineSecret(c, inline)
	case file != "":
		return l.fileSecret(c, file)
	}
	if name == "" {
		name = defaultSecretKeyEnv
	}
	return l.envSecret(c, name)
}

// privateModes reports whether Unix permission bits mean anything here.
func privateModes() bool { return runtime.GOOS != "windows" }

func (l *loader) inlineSecret(c *Config, v string) *Error {
	const key = "kora.secret_key"
	if privateModes() && l.mode&0o077 != 0 {
		return l.errf(key, "an inline key needs the file to be private: chmod 600 %s (or use secret_key_env / secret_key_file)", l.path)
	}
	if hasSpace(v) {
		return l.errf(key, "the key contains white space; check what was pasted")
	}
	if msg := notASecretKey(v); msg != "" {
		return l.errf(key, "the key %s", msg)
	}
	c.Kora.secret = newSecret(v)
	c.Kora.SecretKeyEnv, c.Kora.SecretKeyFile = "", ""
	return nil
}

func (l *loader) fileSecret(c *Config, v string) *Error {
	const key = "kora.secret_key_file"
	if looksLikeKey(v) && !strings.ContainsAny(v, `/\`) {
		if _, err := os.Stat(v); err != nil {
			return l.errf(key, "holds what looks like the key itself; put the key in a file and give that file's path here")
		}
	}
	p, msg := l.resolve(v)
	if msg != "" {
		return l.errf(key, "%s", msg)
	}
	f, err := os.Open(p)
	if err != nil {
		return l.errf(key, "cannot open %s: %s", p, reason(err))
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return l.errf(key, "cannot stat %s: %s", p, reason(err))
	}
	if st.IsDir() {
		return l.errf(key, "%s is a directory, not a key file", p)
	}
	if privateModes() && st.Mode().Perm()&0o004 != 0 {
		return l.errf(key, "%s is readable by every user: chmod 600 %s", p, p)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxKeyFileBytes+1))
	if err != nil {
		return l.errf(key, "cannot read %s: %s", p, reason(err))
	}
	if len(data) > maxKeyFileBytes {
		return l.errf(key, "%s is too large to be a key file", p)
	}
	s := strings.TrimSpace(string(data))
	switch {
	case s == "":
		return l.errf(key, "%s is empty", p)
	case hasSpace(s):
		return l.errf(key, "%s must hold only the key, on one line", p)
	}
	if msg := notASecretKey(s); msg != "" {
		return l.errf(key, "the key in %s %s", p, msg)
	}
	c.Kora.secret = newSecret(s)
	c.Kora.SecretKeyFile, c.Kora.SecretKeyEnv = p, ""
	return nil
}

func (l *loader) envSecret(c *Config, name string) *Error {
	const key = "kora.secret_key_env"
	switch {
	case looksLikeKey(name):
		return l.errf(key, "holds what looks like the key itself; it should name the environment variable that holds the key, e.g. %q", defaultSecretKeyEnv)
	case !envName.MatchString(name):
		return l.errf(key, "is not an environment variable name (letters, digits and _), e.g. %q", defaultSecretKeyEnv)
	}
	v := strings.TrimSpace(l.env(name))
	switch {
	case v == "":
		return l.errf(key, "environment variable %s is not set; export it with your Kora secret key (or use secret_key_file)", name)
	case hasSpace(v):
		return l.errf(key, "environment variable %s holds white space inside the key; check what was pasted", name)
	}
	if msg := notASecretKey(v); msg != "" {
		return l.errf(key, "environment variable %s %s", name, msg)
	}
	c.Kora.secret = newSecret(v)
	c.Kora.SecretKeyEnv, c.Kora.SecretKeyFile = name, ""
	return nil
}

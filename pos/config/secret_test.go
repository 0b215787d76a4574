package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	inlineSecret = "sk_live_InL1neS3cretValue"
	fileSecret   = "sk_live_F1leS3cretValue"
)

// secretParts are the strings no error or printout may contain: every
// secret the tests use, and their distinctive tails.
var secretParts = []string{
	testSecret, inlineSecret, fileSecret,
	"EnvS3cretValue", "InL1neS3cretValue", "F1leS3cretValue",
}

func assertNoSecret(t *testing.T, what, s string) {
	t.Helper()
	for _, p := range secretParts {
		if strings.Contains(s, p) {
			t.Errorf("%s contains secret %q: %s", what, p, s)
		}
	}
}

func TestSecretSources(t *testing.T) {
	t.Parallel()
	const email = `[store]` + "\n" + `customer_email = "till@example.com"` + "\n"
	tests := []struct {
		name       string
		text       string // "{keyfile}" is replaced by the key file's path
		cfgMode    os.FileMode
		keyFile    string // key file contents; "" for none
		keyMode    os.FileMode
		env        []string
		unsetEnv   bool // KORA_SECRET_KEY unset
		wantSecret string
		wantEnv    string
		wantFile   bool
		key, msg   string // the expected error, when msg != ""
		wantLine   bool   // the error carries the "#!" line
	}{
		{name: "env by default", text: email, cfgMode: 0o644, wantSecret: testSecret, wantEnv: "KORA_SECRET_KEY"},
		{name: "env trimmed", text: email, cfgMode: 0o600, env: []string{"KORA_SECRET_KEY", "  " + testSecret + "\n"}, wantSecret: testSecret, wantEnv: "KORA_SECRET_KEY"},
		{name: "env named", text: email + lines(`[kora]`, `secret_key_env = "TILL_KEY"`), cfgMode: 0o644, env: []string{"TILL_KEY", fileSecret}, wantSecret: fileSecret, wantEnv: "TILL_KEY"},
		{name: "env empty name means default", text: email + lines(`[kora]`, `secret_key_env = ""`), cfgMode: 0o600, wantSecret: testSecret, wantEnv: "KORA_SECRET_KEY"},
		{name: "env unset", text: email + lines(`[kora] #!`), cfgMode: 0o600, unsetEnv: true, wantLine: true,
			key: "kora.secret_key_env", msg: "environment variable KORA_SECRET_KEY is not set; export it with your Kora secret key (or use secret_key_file)"},
		{name: "named env unset", text: email + lines(`[kora]`, `secret_key_env = "TILL_KEY" #!`), cfgMode: 0o600, wantLine: true,
			key: "kora.secret_key_env", msg: "environment variable TILL_KEY is not set; export it with your Kora secret key (or use secret_key_file)"},
		{name: "env with white space inside", text: email, cfgMode: 0o600, env: []string{"KORA_SECRET_KEY", "sk_test_a b"},
			key: "kora.secret_key_env", msg: "environment variable KORA_SECRET_KEY holds white space inside the key; check what was pasted"},
		{name: "env name is a bad name", text: email + lines(`[kora]`, `secret_key_env = "MY-KEY" #!`), cfgMode: 0o600, wantLine: true,
			key: "kora.secret_key_env", msg: `is not an environment variable name (letters, digits and _), e.g. "KORA_SECRET_KEY"`},
		{name: "env name is the key itself", text: email + lines(`[kora]`, `secret_key_env = "`+inlineSecret+`" #!`), cfgMode: 0o600, wantLine: true,
			key: "kora.secret_key_env", msg: `holds what looks like the key itself; it should name the environment variable that holds the key, e.g. "KORA_SECRET_KEY"`},

		{name: "file 0600", text: email + lines(`[kora]`, `secret_key_file = "{keyfile}"`), cfgMode: 0o644, keyFile: fileSecret, keyMode: 0o600, wantSecret: fileSecret, wantFile: true},
		{name: "file 0640 is fine", text: email + lines(`[kora]`, `secret_key_file = "{keyfile}"`), cfgMode: 0o644, keyFile: fileSecret, keyMode: 0o640, wantSecret: fileSecret, wantFile: true},
		{name: "file 0400 is fine", text: email + lines(`[kora]`, `secret_key_file = "{keyfile}"`), cfgMode: 0o644, keyFile: fileSecret, keyMode: 0o400, wantSecret: fileSecret, wantFile: true},
		{name: "file trimmed", text: email + lines(`[kora]`, `secret_key_file = "{keyfile}"`), cfgMode: 0o600, keyFile: "\n  " + fileSecret + "\r\n\n", keyMode: 0o600, wantSecret: fileSecret, wantFile: true},
		{name: "file relative to the config", text: email + lines(`[kora]`, `secret_key_file = "kora.key"`), cfgMode: 0o600, keyFile: fileSecret, keyMode: 0o600, wantSecret: fileSecret, wantFile: true},
		{name: "file wins over the default env", text: email + lines(`[kora]`, `secret_key_file = "kora.key"`), cfgMode: 0o600, keyFile: fileSecret, keyMode: 0o600, wantSecret: fileSecret, wantFile: true},
		{name: "file 0604 is readable by others", text: email + lines(`[kora]`, `secret_key_file = "{keyfile}" #!`), cfgMode: 0o600, keyFile: fileSecret, keyMode: 0o604, wantLine: true,
			key: "kora.secret_key_file", msg: "{keyfile} is readable by every user: chmod 600 {keyfile}"},
		{name: "file 0644 is readable by others", text: email + lines(`[kora]`, `secret_key_file = "{keyfile}" #!`), cfgMode: 0o600, keyFile: fileSecret, keyMode: 0o644, wantLine: true,
			key: "kora.secret_key_file", msg: "{keyfile} is readable by every user: chmod 600 {keyfile}"},
		{name: "file empty", text: email + lines(`[kora]`, `secret_key_file = "{keyfile}" #!`), cfgMode: 0o600, keyFile: " \n\t\n", keyMode: 0o600, wantLine: true,
			key: "kora.secret_key_file", msg: "{keyfile} is empty"},
		{name: "file with two lines", text: email + lines(`[kora]`, `secret_key_file = "{keyfile}" #!`), cfgMode: 0o600, keyFile: fileSecret + "\n" + testSecret + "\n", keyMode: 0o600, wantLine: true,
			key: "kora.secret_key_file", msg: "{keyfile} must hold only the key, on one line"},
		{name: "file missing", text: email + lines(`[kora]`, `secret_key_file = "missing.key" #!`), cfgMode: 0o600, wantLine: true,
			key: "kora.secret_key_file", msg: "cannot open {dir}/missing.key: no such file"},
		{name: "file is the key itself", text: email + lines(`[kora]`, `secret_key_file = "`+fileSecret+`" #!`), cfgMode: 0o600, wantLine: true,
			key: "kora.secret_key_file", msg: "holds what looks like the key itself; put the key in a file and give that file's path here"},
		{name: "file is a directory", text: email + lines(`[kora]`, `secret_key_file = "." #!`), cfgMode: 0o600, wantLine: true,
			key: "kora.secret_key_file", msg: "{dir} is a directory, not a key file"},

		{name: "inline 0600", text: email + lines(`[kora]`, `secret_key = "`+inlineSecret+`"`), cfgMode: 0o600, wantSecret: inlineSecret},
		{name: "inline 0400", text: email + lines(`[kora]`, `secret_key = "`+inlineSecret+`"`), cfgMode: 0o400, wantSecret: inlineSecret},
		{name: "inline 0640 is readable by the group", text: email + lines(`[kora]`, `secret_key = "`+inlineSecret+`" #!`), cfgMode: 0o640, wantLine: true,
			key: "kora.secret_key", msg: "an inline key needs the file to be private: chmod 600 {config} (or use secret_key_env / secret_key_file)"},
		{name: "inline 0604 is readable by others", text: email + lines(`[kora]`, `secret_key = "`+inlineSecret+`" #!`), cfgMode: 0o604, wantLine: true,
			key: "kora.secret_key", msg: "an inline key needs the file to be private: chmod 600 {config} (or use secret_key_env / secret_key_file)"},
		{name: "inline 0644", text: email + lines(`[kora]`, `secret_key = "`+inlineSecret+`" #!`), cfgMode: 0o644, wantLine: true,
			key: "kora.secret_key", msg: "an inline key needs the file to be private: chmod 600 {config} (or use secret_key_env / secret_key_file)"},
		{name: "inline with white space", text: email + lines(`[kora]`, `secret_key = "`+inlineSecret+` x" #!`), cfgMode: 0o600, wantLine: true,
			key: "kora.secret_key", msg: "the key contains white space; check what was pasted"},

		{name: "inline and file", text: email + lines(`[kora]`, `secret_key = "`+inlineSecret+`" #!`, `secret_key_file = "kora.key"`), cfgMode: 0o600, keyFile: fileSecret, keyMode: 0o600, wantLine: true,
			key: "kora.secret_key", msg: "set either secret_key or secret_key_file, not both"},
		{name: "env and file", text: email + lines(`[kora]`, `secret_key_env = "KORA_SECRET_KEY" #!`, `secret_key_file = "kora.key"`), cfgMode: 0o600, keyFile: fileSecret, keyMode: 0o600, wantLine: true,
			key: "kora.secret_key_env", msg: "set only one of secret_key_env, secret_key_file and secret_key"},
		{name: "env and inline", text: email + lines(`[kora]`, `secret_key = "`+inlineSecret+`"`, `secret_key_env = "KORA_SECRET_KEY" #!`), cfgMode: 0o600, wantLine: true,
			key: "kora.secret_key_env", msg: "set only one of secret_key_env, secret_key_file and secret_key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			keyPath := filepath.Join(dir, "kora.key")
			if tt.keyFile != "" {
				writeFile(t, dir, "kora.key", tt.keyFile, tt.keyMode)
			}
			text := strings.ReplaceAll(tt.text, "{keyfile}", keyPath)
			path := writeFile(t, dir, "voucherpos.toml", text, tt.cfgMode)
			env, m := testEnv(t, tt.env...)
			if tt.unsetEnv {
				delete(m, "KORA_SECRET_KEY")
			}
			c, err := Load(path, env)
			if tt.msg != "" {
				e := asError(t, err)
				msg := strings.NewReplacer("{keyfile}", keyPath, "{dir}", dir, "{config}", path).Replace(tt.msg)
				line := 0
				if tt.wantLine {
					line = markedLine(text)
				}
				if e.Key != tt.key || e.Msg != msg || e.Line != line {
					t.Errorf("got  line %d key %q msg %q\nwant line %d key %q msg %q", e.Line, e.Key, e.Msg, line, tt.key, msg)
				}
				assertNoSecret(t, "error", err.Error())
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.Kora.Secret() != tt.wantSecret {
				t.Errorf("Secret() is not the expected key")
			}
			if c.Kora.SecretKeyEnv != tt.wantEnv {
				t.Errorf("SecretKeyEnv = %q, want %q", c.Kora.SecretKeyEnv, tt.wantEnv)
			}
			if got := c.Kora.SecretKeyFile; (got == keyPath) != tt.wantFile || (!tt.wantFile && got != "") {
				t.Errorf("SecretKeyFile = %q, want %q: %t", got, keyPath, tt.wantFile)
			}
		})
	}
}

// A secret written where it does not parse, or with the wrong type, must
// not come back in the message.
func TestSecretNeverInErrors(t *testing.T) {
	t.Parallel()
	const email = `[store]` + "\n" + `customer_email = "till@example.com"` + "\n"
	s := inlineSecret
	tests := map[string]string{
		"bare word":             email + lines(`[kora]`, `secret_key = `+s),
		"bare word inline":      lines(`kora = { secret_key = ` + s + ` }`),
		"quoted key name":       email + lines(`[kora]`, `"secret_key" = `+s),
		"junk after the string": email + lines(`[kora]`, `secret_key = "`+s+`" x`),
		"unterminated":          email + lines(`[kora]`, `secret_key = "`+s),
		"unterminated literal":  email + lines(`[kora]`, `secret_key = '`+s),
		"unterminated multi":    email + lines(`[kora]`, `secret_key = """`+s),
		"bad escape":            email + lines(`[kora]`, `secret_key = "`+s+`\q"`),
		"unclosed array":        email + lines(`[kora]`, `secret_key = ["`+s+`"`),
		"duplicate":             email + lines(`[kora]`, `secret_key = "`+s+`"`, `secret_key = "`+s+`"`),
		"as an array":           email + lines(`[kora]`, `secret_key = ["`+s+`"]`),
		"as a table":            email + lines(`[kora]`, `secret_key = { v = "`+s+`" }`),
		"as a number":           email + lines(`[kora]`, `secret_key = 123456789`),
		"as a huge number":      email + lines(`[kora]`, `secret_key = 123456789012345678901234567890`),
		"as a bad number":       email + lines(`[kora]`, `secret_key = 1234_5678_`),
		"as a float":            email + lines(`[kora]`, `secret_key = 1234.5678e9`),
		"as a bad date":         email + lines(`[kora]`, `secret_key = 2024-13-45T99:99:99`),
		"in a public file":      email + lines(`[kora]`, `secret_key = "`+s+`"`),
		"with white space":      email + lines(`[kora]`, `secret_key = "`+s+` `+s+`"`),
		"in the env key":        email + lines(`[kora]`, `secret_key_env = "`+s+`"`),
		"in the file key":       email + lines(`[kora]`, `secret_key_file = "`+s+`"`),
		"in an unknown key":     email + lines(`[kora]`, `secret = "`+s+`"`),
		"in the email":          lines(`[store]`, `customer_email = "`+s+`"`),
		"in the base url":       email + lines(`[kora]`, `base_url = "http://`+s+`.example"`),
		"in the terminal id":    email + lines(`terminal_id = "`+s+`"`),
		"other mistake":         email + lines(`[kora]`, `secret_key = "`+s+`"`, `timeout = "forever"`),
		"dotted":                email + lines(`kora.secret_key = `+s),
	}
	for name, text := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			path := writeFile(t, t.TempDir(), "voucherpos.toml", text, 0o644)
			env, _ := testEnv(t)
			_, err := Load(path, env)
			e := asError(t, err)
			assertNoSecret(t, "Error()", err.Error())
			assertNoSecret(t, "%#v", fmt.Sprintf("%#v", e))
			assertNoSecret(t, "%+v", fmt.Sprintf("%+v", err))
		})
	}
}

// The long-number redaction must not hide an ordinary syntax error's detail
// when no inline key is in sight.
func TestSyntaxErrorDetailKeptWithoutInlineKey(t *testing.T) {
	t.Parallel()
	env, _ := testEnv(t)
	_, err := Load(writeConfig(t, lines(`[receipt]`, `width = 42_`)), env)
	e := asError(t, err)
	if !strings.Contains(e.Msg, `"42_"`) {
		t.Errorf("detail lost: %q", e.Msg)
	}
}

func loadedWithSecret(t *testing.T) *Config {
	t.Helper()
	env, _ := testEnv(t)
	c, err := Load(writeConfig(t, minimal+lines(`[kora]`, `secret_key = "`+inlineSecret+`"`)), env)
	if err != nil {
		t.Fatal(err)
	}
	if c.Kora.Secret() != inlineSecret {
		t.Fatal("secret not loaded")
	}
	return c
}

func TestSecretNeverPrinted(t *testing.T) {
	t.Parallel()
	c := loadedWithSecret(t)
	k := c.Kora
	type hidden struct {
		c Config // unexported: fmt cannot call any method on it
		k Kora
	}
	values := map[string]any{
		"*Config": c, "Config": *c, "Kora": k, "*Kora": &k,
		"[]any":          []any{k, c, &k, *c},
		"hidden wrapper": hidden{*c, k},
		"map":            map[string]any{"c": c, "k": &k},
	}
	for name, v := range values {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%10.3v"} {
			out := fmt.Sprintf(verb, v)
			assertNoSecret(t, name+" "+verb, out)
			if name == "Kora" && verb != "%x" && verb != "%X" && !strings.Contains(out, "[redacted]") && verb != "%10.3v" {
				t.Errorf("%s %s = %s; want [redacted] shown", name, verb, out)
			}
		}
	}
	if got, want := fmt.Sprint(k), "{https://api.korapay.com/merchant   true  30s [redacted]}"; got != want {
		t.Errorf("fmt.Sprint(Kora) = %s, want %s", got, want)
	}
	if got, want := fmt.Sprintf("%+v", k), "{BaseURL:https://api.korapay.com/merchant SecretKeyEnv: SecretKeyFile: MerchantBearsCost:true NotificationURL: Timeout:30s secret:[redacted]}"; got != want {
		t.Errorf("%%+v of Kora = %s, want %s", got, want)
	}
	if got := fmt.Sprintf("%#v", k); !strings.HasPrefix(got, `config.Kora{BaseURL:"https://api.korapay.com/merchant"`) {
		t.Errorf("%%#v = %s", got)
	}
	j, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	assertNoSecret(t, "json", string(j))
}

func TestSecretNeverLogged(t *testing.T) {
	t.Parallel()
	c := loadedWithSecret(t)
	for _, h := range []struct {
		name string
		new  func(*bytes.Buffer) slog.Handler
	}{
		{"json", func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) }},
		{"text", func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) }},
	} {
		var buf bytes.Buffer
		log := slog.New(h.new(&buf))
		log.Info("loaded", "config", c, "kora", c.Kora, "korap", &c.Kora, slog.Group("g", "cfg", *c))
		log.With("kora", c.Kora).Info("again")
		assertNoSecret(t, h.name+" log", buf.String())
		if !strings.Contains(buf.String(), "[redacted]") {
			t.Errorf("%s log does not show [redacted]: %s", h.name, buf.String())
		}
	}
}

package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// testSecret is what every test environment holds in KORA_SECRET_KEY.
const testSecret = "sk_test_EnvS3cretValue"

// mapEnv is an Env backed by a map.
func mapEnv(m map[string]string) Env {
	return func(k string) string { return m[k] }
}

// testEnv is a home, a data dir and a key; extra pairs are added.
func testEnv(t *testing.T, kv ...string) (Env, map[string]string) {
	t.Helper()
	m := map[string]string{
		"HOME":            "/home/cashier",
		"KORA_SECRET_KEY": testSecret,
	}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return mapEnv(m), m
}

// writeFile writes text into dir/name with exactly mode, whatever the
// umask.
func writeFile(t *testing.T, dir, name, text string, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
	return p
}

// writeConfig writes a private voucherpos.toml in a fresh directory.
func writeConfig(t *testing.T, text string) string {
	t.Helper()
	return writeFile(t, t.TempDir(), "voucherpos.toml", text, 0o600)
}

// markedLine is the 1-based line of text that ends with the marker "#!",
// or 0 when no line does.
func markedLine(text string) int {
	for i, l := range strings.Split(text, "\n") {
		if strings.HasSuffix(strings.TrimSpace(l), "#!") {
			return i + 1
		}
	}
	return 0
}

// asError requires err to be a *Error.
func asError(t *testing.T, err error) *Error {
	t.Helper()
	if err == nil {
		t.Fatal("Load succeeded; want an error")
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %T %q is not a *config.Error", err, err)
	}
	return e
}

// lines joins its arguments as the lines of a file.
func lines(ls ...string) string { return strings.Join(ls, "\n") + "\n" }

// minimal is the smallest valid file: the one key without a default.
var minimal = lines(
	`[store]`,
	`customer_email = "till@example.com"`,
)

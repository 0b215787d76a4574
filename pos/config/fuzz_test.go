package config

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// FuzzLoad feeds Load arbitrary files: it must never panic, every failure
// must be a one-line *Error, and every success must hold only valid values.
func FuzzLoad(f *testing.F) {
	if example, err := os.ReadFile(examplePath); err == nil {
		f.Add(example)
	}
	f.Add([]byte(minimal))
	f.Add([]byte(minimal + lines(`[kora]`, `timeout = "3O s"`, `secert_key_env = "X"`)))
	f.Add([]byte(minimal + lines(`[[providers]]`, `code = "0001"`, `name = "1Voucher"`, `pin_length = 16`, `[[providers]]`, `code = "0001"`)))
	f.Add([]byte(lines(`providers = [{code = "1", name = "a"}]`, `kora = { secret_key = "sk_live_x" }`) + minimal))
	f.Add([]byte(minimal + lines(`[kora]`, `secret_key = sk_live_abc`, `[journal]`, `path = "~/j.db"`)))
	f.Add([]byte("[store]\nname = \"\"\"\nmulti\n\"\"\"\ncustomer_email = 'a@b.c'\n[receipt]\nwidth = 32\n"))
	f.Add([]byte(minimal + lines(`sk_live_abc123 = 1`, `[kora]`, `pk_test_X9 = "y"`, `sk_live_abc123 = 2`)))
	f.Add([]byte(minimal + lines(`currency = "JPY"`, `max_amount = "5000"`, `[kiosk]`, `enabled = true`)))
	// One directory per fuzzing process; a fresh t.TempDir per input costs
	// more than Load itself.
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := os.CreateTemp(dir, "*.toml")
		if err != nil {
			t.Fatal(err)
		}
		path := file.Name()
		t.Cleanup(func() { os.Remove(path) })
		_, err = file.Write(data)
		if cerr := file.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, 0o600); err != nil {
			t.Fatal(err)
		}
		env := mapEnv(map[string]string{"HOME": dir, "KORA_SECRET_KEY": testSecret})
		c, err := Load(path, env)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T is not a *config.Error: %v", err, err)
			}
			if c != nil {
				t.Fatal("config returned with an error")
			}
			if strings.ContainsAny(err.Error(), "\n\r") {
				t.Fatalf("error spans lines: %q", err)
			}
			if strings.Contains(e.Msg, "unknown key") && (strings.Contains(strings.ToLower(e.Key), "k_live_") || strings.Contains(strings.ToLower(e.Key), "k_test_")) {
				t.Fatalf("an unknown key that looks like a secret is repeated: %q", err)
			}
			if strings.Contains(err.Error(), testSecret) {
				t.Fatalf("error holds the environment's key: %q", err)
			}
			if e.Line < 0 || e.Line > strings.Count(string(data), "\n")+1 {
				t.Fatalf("line %d outside the file: %q", e.Line, err)
			}
			return
		}
		switch {
		case c.Store.CustomerEmail == "":
			t.Fatal("loaded without customer_email")
		case c.Kora.Secret() == "":
			t.Fatal("loaded without a secret")
		case len(c.Providers) == 0 || len(c.Providers) > maxProviders:
			t.Fatalf("%d providers", len(c.Providers))
		case !slices.Contains([]int{32, 42, 48}, c.Receipt.Width):
			t.Fatalf("receipt width %d", c.Receipt.Width)
		case c.Kora.Timeout < 1e9 || c.Kora.Timeout > 300e9:
			t.Fatalf("timeout %v", c.Kora.Timeout)
		case !filepath.IsAbs(c.Journal.Path):
			t.Fatalf("journal path %q is not absolute", c.Journal.Path)
		case len(c.Store.Currency) != 3 || len(c.Store.Country) != 2:
			t.Fatalf("currency %q country %q", c.Store.Currency, c.Store.Country)
		}
		if _, err := Load(path, env); err != nil {
			t.Fatalf("second Load of the same file failed: %v", err)
		}
	})
}

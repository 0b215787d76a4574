package config

import (
	"strings"
	"testing"
)

// Only sk_test_ (TEST) and sk_live_ (LIVE) keys load; anything else is a
// config error that never repeats the key, from every source.
func TestOnlyKoraSecretKeysLoad(t *testing.T) {
	t.Parallel()
	const email = "[store]\ncustomer_email = \"till@example.com\"\n"
	for _, bad := range []string{"pk_test_abc", "pk_live_abcdef", "RECOGNISABLE123", "sk_test_", "sktest_RECOGNISABLE"} {
		// From the environment.
		env, _ := testEnv(t, "KORA_SECRET_KEY", bad)
		_, err := Load(writeConfig(t, email), env)
		e := asError(t, err)
		if e.Key != "kora.secret_key_env" || !strings.Contains(e.Msg, "secret key") {
			t.Errorf("env %q: %v", bad, err)
		}
		// Inline and from a file.
		dir := t.TempDir()
		writeFile(t, dir, "kora.key", bad+"\n", 0o600)
		for key, text := range map[string]string{
			"kora.secret_key":      email + "[kora]\nsecret_key = \"" + bad + "\"\n",
			"kora.secret_key_file": email + "[kora]\nsecret_key_file = \"kora.key\"\n",
		} {
			_, err := Load(writeFile(t, dir, "voucherpos.toml", text, 0o600), env)
			e := asError(t, err)
			if e.Key != key || !strings.Contains(e.Msg, "secret key") {
				t.Errorf("%s %q: %v", key, bad, err)
			}
		}
		for _, part := range []string{"abc", "RECOGNISABLE", "abcdef"} {
			if strings.Contains(bad, part) && strings.Contains(err.Error(), part) {
				t.Errorf("the error repeats the key: %v", err)
			}
		}
	}
	for key, mode := range map[string]string{"sk_test_abc": "TEST", "sk_live_abc": "LIVE"} {
		env, _ := testEnv(t, "KORA_SECRET_KEY", key)
		c, err := Load(writeConfig(t, email), env)
		if err != nil || c.Mode() != mode {
			t.Errorf("%s: %v, mode %v; want %s", key, err, c, mode)
		}
	}
}

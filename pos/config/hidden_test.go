package config

import (
	"strings"
	"testing"
)

// A secret written as a key's name is never repeated in the error, at the
// top level, inside a table or in a TOML syntax error; ordinary typos still
// are, with their suggestion.
func TestUnknownKeyThatLooksLikeASecretIsNotShown(t *testing.T) {
	t.Parallel()
	const email = "[store]\ncustomer_email = \"till@example.com\"\n"
	env, _ := testEnv(t)
	for _, tt := range []struct{ text, key string }{
		{"sk_live_abc123 = 1\n" + email, ""},
		{email + "[kora]\nsk_live_abc123 = 1\n", "kora"},
		{email + "[kora]\nRECOGNISABLE123secret = 1\n", "kora"},
		{email + "[kora]\n\"pk_test_RECOGNISABLE\" = \"x\"\n", "kora"},
		{email + "[ui]\nAbCdEfGhIjKlMnOpQrStUvWxYz0123456789 = 1\n", "ui"},
	} {
		_, err := Load(writeConfig(t, tt.text), env)
		e := asError(t, err)
		if e.Key != tt.key || e.Msg != hiddenKey || e.Line == 0 {
			t.Errorf("%q: line %d key %q msg %q; want key %q, the hidden-key message and a line", tt.text, e.Line, e.Key, e.Msg, tt.key)
		}
		for _, s := range []string{"abc123", "RECOGNISABLE", "AbCdEf"} {
			if strings.Contains(err.Error(), s) {
				t.Errorf("the error repeats the name: %v", err)
			}
		}
	}
	_, err := Load(writeConfig(t, email+"[kora]\nsk_live_abc123 = 1\nsk_live_abc123 = 2\n"), env)
	if err == nil || strings.Contains(err.Error(), "abc123") {
		t.Errorf("duplicate secret-named key: %v", err)
	}
	// A typo is still named.
	_, err = Load(writeConfig(t, email+"[kora]\ntimeuot = \"30s\"\n"), env)
	if e := asError(t, err); e.Key != "kora.timeuot" || !strings.Contains(e.Msg, "did you mean timeout") {
		t.Errorf("typo: %v", err)
	}
}

// A kiosk with no or a bad supervisor_pin_hash fails when its config is
// loaded (so "voucherpos check" fails when the till would); demo mode needs
// none.
func TestKioskNeedsAGoodSupervisorHash(t *testing.T) {
	t.Parallel()
	const email = "[store]\ncustomer_email = \"till@example.com\"\n"
	env, _ := testEnv(t)
	for text, want := range map[string]string{
		email + "[kiosk]\nenabled = true #!\n":                                 "kiosk mode needs one",
		email + "[kiosk]\nenabled = true\nsupervisor_pin_hash = \"\" #!\n":     "kiosk mode needs one",
		email + "[kiosk]\nenabled = true\nsupervisor_pin_hash = \"1234\" #!\n": "not a supervisor PIN hash",
		email + "[kiosk]\nsupervisor_pin_hash = \"pbkdf2-sha256$1$x$y\" #!\n":  "bad iteration count",
	} {
		path := writeConfig(t, text)
		_, err := Load(path, env)
		e := asError(t, err)
		if e.Key != "kiosk.supervisor_pin_hash" || !strings.Contains(e.Msg, want) || e.Line != markedLine(text) {
			t.Errorf("%q: %v; want line %d, kiosk.supervisor_pin_hash: …%s…", text, err, markedLine(text), want)
		}
		if strings.Contains(text, "enabled") && !strings.Contains(text, "1234") && !strings.Contains(text, "pbkdf2") {
			if _, err := LoadDemo(path, env); err != nil {
				t.Errorf("demo mode with a kiosk and no hash: %v", err)
			}
		}
	}
}

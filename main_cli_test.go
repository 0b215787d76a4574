package main

import (
	"bytes"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	_ "modernc.org/sqlite"

	"voucherpos/pos"
	"voucherpos/pos/config"
)

// appendConfig adds lines to the test config.
func appendConfig(t *testing.T, cfgPath, text string) {
	t.Helper()
	b, _ := os.ReadFile(cfgPath)
	if err := os.WriteFile(cfgPath, append(b, []byte(text)...), 0o600); err != nil {
		t.Fatal(err)
	}
}

// While the till runs (it holds the journal), check says who holds it,
// reads it read-only and checks everything else.
func TestCheckBesideARunningTill(t *testing.T) {
	_, cfgPath := env(t)
	cfg, err := config.Load(cfgPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := pos.Open(cfg, pos.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	code, out, errOut := runCmd("check", "--config", cfgPath)
	want := fmt.Sprintf("in use by the running till, pid %d", os.Getpid())
	if code != 0 || strings.Contains(out, "FAILED") || !strings.Contains(out, want) || !strings.Contains(out, "(0 unresolved") || !strings.Contains(out, "kora     ok") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
}

// check loads the config exactly as the till does: a kiosk with no or a
// bad supervisor hash fails both, with the same exit status.
func TestCheckRefusesAKioskTheTillWouldRefuse(t *testing.T) {
	_, cfgPath := env(t)
	if code, out, errOut := runCmd("check", "--kiosk", "--config", cfgPath); code != 2 || !strings.Contains(errOut, "kiosk.supervisor_pin_hash") {
		t.Fatalf("check --kiosk without a hash: exit %d\n%s\n%s", code, out, errOut)
	}
	if code, _, errOut := runCmd("--kiosk", "--config", cfgPath); code != 2 || !strings.Contains(errOut, "kiosk.supervisor_pin_hash") {
		t.Fatalf("till --kiosk without a hash: exit %d\n%s", code, errOut)
	}
	for _, hash := range []string{"", "1234"} {
		b, _ := os.ReadFile(cfgPath)
		p := filepath.Join(t.TempDir(), "kiosk.toml")
		os.WriteFile(p, append(b, []byte("[kiosk]\nenabled = true\nsupervisor_pin_hash = \""+hash+"\"\n")...), 0o600)
		codeCheck, out, errCheck := runCmd("check", "--config", p)
		codeTill, _, errTill := runCmd("--config", p)
		if codeCheck != 2 || codeTill != 2 || !strings.Contains(out, "config   FAILED") || errCheck != errTill {
			t.Errorf("hash %q: check %d %q, till %d %q; want both 2 with the same words", hash, codeCheck, errCheck, codeTill, errTill)
		}
	}
}

// A journal path holding another program's database: check says so and
// leaves the file as it was.
func TestCheckRefusesAForeignJournalUnchanged(t *testing.T) {
	_, cfgPath := env(t)
	other := filepath.Join(t.TempDir(), "other.db")
	db, _ := sql.Open("sqlite", "file:"+other)
	db.Exec(`CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('mine')`)
	db.Close()
	before, _ := os.ReadFile(other)
	appendConfig(t, cfgPath, "[journal]\npath = \""+other+"\"\n")
	code, out, _ := runCmd("check", "--config", cfgPath)
	if code != 1 || !strings.Contains(out, "journal  FAILED") || !strings.Contains(out, "not a voucherpos journal") || !strings.Contains(out, "kora     ok") {
		t.Fatalf("exit %d\n%s", code, out)
	}
	if after, _ := os.ReadFile(other); !bytes.Equal(before, after) {
		t.Fatal("check changed another program's database")
	}
}

// A config that fails leaves no file behind: not the log, not the lock.
func TestFailedStartLeavesNoFiles(t *testing.T) {
	_, cfgPath := env(t)
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad")
	os.Mkdir(bad, 0o700)
	folder := filepath.Join(t.TempDir(), "till.toml")
	b, _ := os.ReadFile(cfgPath)
	os.WriteFile(folder, append(b, []byte("[journal]\npath = \""+bad+"\"\n")...), 0o600)
	if code, _, errOut := runCmd("--config", folder); code == 0 || !strings.Contains(errOut, "is a folder") {
		t.Fatalf("journal path is a folder: exit %d %q", code, errOut)
	}
	if code, _, _ := runCmd("reconcile", "--config", folder); code == 0 {
		t.Fatal("reconcile with a folder for a journal succeeded")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("files left beside the folder: %v", names)
	}

	data := os.Getenv("XDG_DATA_HOME")
	currency := filepath.Join(t.TempDir(), "till.toml")
	os.WriteFile(currency, bytes.Replace(b, []byte("[store]\n"), []byte("[store]\ncurrency = \"ABC\"\n"), 1), 0o600)
	code, _, errOut := runCmd("--config", currency)
	if code != 2 || !regexp.MustCompile(`till\.toml:\d+: store\.currency: "ABC" is not an ISO 4217 currency code`).MatchString(errOut) {
		t.Fatalf("bad currency: exit %d %q", code, errOut)
	}
	if _, err := os.Stat(data); err == nil {
		t.Errorf("a failed start made %s", data)
	}
}

// Only Kora secret keys are accepted, never repeated; a secret written as
// a key name is not repeated either.
func TestKeysNeverEchoed(t *testing.T) {
	_, cfgPath := env(t)
	for _, key := range []string{"pk_test_abc", "RECOGNISABLE123"} {
		t.Setenv("KORA_SECRET_KEY", key)
		code, out, errOut := runCmd("check", "--config", cfgPath)
		if code != 2 || !strings.Contains(errOut, "secret key") || strings.Contains(out+errOut, strings.TrimPrefix(key, "pk_test_")) {
			t.Errorf("key %q: exit %d\n%s%s", key, code, out, errOut)
		}
	}
	t.Setenv("KORA_SECRET_KEY", "sk_test_sandbox")
	appendConfig(t, cfgPath, "sk_live_abc123 = 1\n")
	code, _, errOut := runCmd("check", "--config", cfgPath)
	if code != 2 || strings.Contains(errOut, "abc123") || !strings.Contains(errOut, "unknown key") {
		t.Errorf("secret as a key name: exit %d %q", code, errOut)
	}
}

// --help and -h exit 0 for every command, and every flag they list is in
// the usage text.
func TestHelpForEveryCommand(t *testing.T) {
	env(t)
	flagLine := regexp.MustCompile(`(?m)^  -([a-z][a-z-]*)`)
	for cmd := range commands { // the switchboard itself: none is left out
		for _, h := range []string{"--help", "-h"} {
			args := []string{h}
			if cmd != "" {
				args = []string{cmd, h}
			}
			code, out, errOut := runCmd(args...)
			if code != 0 || out == "" {
				t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, out, errOut)
			}
			for _, m := range flagLine.FindAllStringSubmatch(out, -1) {
				if !strings.Contains(usage, "--"+m[1]+" ") {
					t.Errorf("%v lists --%s, which the usage text does not", args, m[1])
				}
			}
		}
	}
	for _, f := range []string{"--log-level", "--listen", "--key", "--allow-remote", "--json", "--csv", "--print", "--date", "--kiosk", "--config", "--demo"} {
		if !strings.Contains(usage, f) {
			t.Errorf("usage lacks %s", f)
		}
	}
	for _, args := range [][]string{{"help"}, {"--help"}, {"-h"}} {
		if code, out, _ := runCmd(args...); code != 0 || out != usage {
			t.Errorf("%v: exit %d, not the usage text", args, code)
		}
	}
}

// Extra arguments are a usage error; control characters in arguments are
// never written out raw.
func TestArgumentMistakes(t *testing.T) {
	_, cfgPath := env(t)
	for _, args := range [][]string{
		{"history", "extra"}, {"report", "--config", cfgPath, "extra"}, {"reconcile", "extra"},
		{"check", "extra"}, {"--config", cfgPath, "extra"}, {"receipt", "a", "b"}, {"sandbox", "extra"},
		{"version", "extra"},
	} {
		if code, _, errOut := runCmd(args...); code != 2 || errOut == "" {
			t.Errorf("%v: exit %d, stderr %q; want a usage error", args, code, errOut)
		}
	}
	for _, args := range [][]string{
		{"receipt", "x\x1b[2J", "--config", cfgPath}, {"x\x1b[2J"}, {"--x\x1b[2J"}, {"history", "--date", "x\x1b[2J"},
		{"history", "--config", "x\x1b[2J" + string([]byte{0x9b})}, {"history", "x\x1b[2J"},
	} {
		code, out, errOut := runCmd(args...)
		if strings.Contains(out+errOut, "\x1b") || strings.Contains(out+errOut, string([]byte{0x9b})) || code == 0 {
			t.Errorf("%q: exit %d, wrote a control character raw: %q %q", args, code, out, errOut)
		}
	}
}

// The sandbox serves only this machine unless told otherwise, and never
// with an empty key.
func TestSandboxRefusesRemoteAddressesAndEmptyKeys(t *testing.T) {
	for _, args := range [][]string{
		{"sandbox", "--listen", "0.0.0.0:0"}, {"sandbox", "--listen", ":0"}, {"sandbox", "--listen", "192.168.1.5:8099"},
		{"sandbox", "--listen", "example.com:80"}, {"sandbox", "--key", ""}, {"sandbox", "--key", "  "},
	} {
		if code, _, errOut := runCmd(args...); code != 2 || errOut == "" {
			t.Errorf("%q: exit %d %q; want a refusal", args, code, errOut)
		}
	}
	for addr, want := range map[string]bool{"127.0.0.1:8099": true, "[::1]:80": true, "localhost:1": true, "127.9.9.9:1": true, ":8099": false, "0.0.0.0:1": false, "[::]:1": false, "10.0.0.1:1": false} {
		if got := loopbackAddr(addr); got != want {
			t.Errorf("loopbackAddr(%q) = %v", addr, got)
		}
	}
}

// FuzzEscapeControls: whatever is written to stderr comes out with no
// control character but newline and tab, and every printable rune kept.
func FuzzEscapeControls(f *testing.F) {
	for _, s := range []string{"x\x1b[2J", "plain\n", "\x9b31m", "\xff\xfe", "R 1 234.50\t€", "\x00\x7f"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, p []byte) {
		var b bytes.Buffer
		n, err := escapeControls{&b}.Write(p)
		if err != nil || n != len(p) {
			t.Fatalf("Write = %d, %v", n, err)
		}
		out := b.String()
		if !utf8.ValidString(out) {
			t.Fatalf("output is not UTF-8: %q", out)
		}
		for _, r := range out {
			if (r < 0x20 && r != '\n' && r != '\t') || r == 0x7f || (r >= 0x80 && r < 0xa0) {
				t.Fatalf("control character %U in %q", r, out)
			}
		}
	})
}

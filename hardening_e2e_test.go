package main

// Hardening rules, checked on the real binary: where the key may be sent,
// where it may be written down, and what the till's files let others read.

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"voucherpos/internal/ptytest"
	"voucherpos/kora/sandbox"
)

// A base URL that would send the key in clear, or over anything but
// https, is refused before anything is sent.
func TestE2EBaseURLSchemeRule(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ url, msg string }{
		{"http://api.korapay.com/merchant", "uses plain http, which would send the secret key unencrypted"},
		{"http://10.0.0.5:8099", "uses plain http"},
		{"ftp://api.korapay.com", "must use https"},
		{"https://user:pass@api.korapay.com", "must not carry a user name or password"},
	} {
		rt := newRigTill(t, tc.url)
		out, errOut, code := rt.run(t, "check")
		if code != 2 || !strings.Contains(errOut, "kora.base_url") || !strings.Contains(errOut, tc.msg) {
			t.Errorf("%s: status %d\n%s%s", tc.url, code, out, errOut)
		}
		if strings.Contains(out+errOut, rigKey) {
			t.Errorf("%s: the key is in the output", tc.url)
		}
	}
	// Plain http to this machine is the sandbox's way, and is allowed.
	k := newKoraRig(t)
	rt := newRigTill(t, k.URL)
	if out, errOut, code := rt.run(t, "check"); code != 0 {
		t.Errorf("http to 127.0.0.1: status %d\n%s%s", code, out, errOut)
	}
}

// An inline key needs a config file nobody else can read.
func TestE2EInlineSecretNeedsAPrivateFile(t *testing.T) {
	t.Parallel()
	k := newKoraRig(t)
	rt := newRigTill(t, k.URL)
	rt.env = tillEnv(rt.dir, "") // no key in the environment
	text, err := os.ReadFile(rt.cfg)
	if err != nil {
		t.Fatal(err)
	}
	inline := strings.Replace(string(text), "[kora]\n", fmt.Sprintf("[kora]\nsecret_key = %q\n", rigKey), 1)
	if err := os.WriteFile(rt.cfg, []byte(inline), 0o644); err != nil {
		t.Fatal(err)
	}
	os.Chmod(rt.cfg, 0o644)
	out, errOut, code := rt.run(t, "check")
	if code != 2 || !strings.Contains(errOut, "kora.secret_key") || !strings.Contains(errOut, "chmod 600") {
		t.Errorf("inline key in a 0644 file: status %d\n%s%s", code, out, errOut)
	}
	if strings.Contains(out+errOut, rigKey) {
		t.Errorf("the refusal shows the key:\n%s%s", out, errOut)
	}
	os.Chmod(rt.cfg, 0o600)
	out, errOut, code = rt.run(t, "check")
	if code != 0 || strings.Contains(out+errOut, rigKey) {
		t.Errorf("inline key in a 0600 file: status %d\n%s%s", code, out, errOut)
	}
}

// Whatever the umask, the journal, its WAL, shared memory and lock, the log
// and the printer's file are the till user's alone, in a folder of its own.
func TestE2EFileModes(t *testing.T) {
	t.Parallel()
	k := newKoraRig(t)
	rt := newRigTill(t, k.URL)
	slips := filepath.Join(rt.dir, "slips.txt")
	text, _ := os.ReadFile(rt.cfg)
	os.WriteFile(rt.cfg, append(text, fmt.Sprintf("\n[receipt]\nprinter = %q\n", slips)...), 0o600)
	term := ptytest.Start(t, "/bin/sh", ptytest.Options{
		Args: []string{"-c", `umask 000; exec "$0" --config "$1"`, e2eBinary(t), rt.cfg},
		Dir:  rt.dir, Env: rt.env,
	})
	term.WaitText(screenWait, "TEST", amountTitle)
	sell(t, term, "100", "1", sandbox.PINFull, "0821234567")
	term.Send("\r")
	term.WaitText(screenWait, "APPROVED")

	data := filepath.Dir(rt.journal)
	check := func(when string, files ...string) {
		t.Helper()
		for _, f := range files {
			fi, err := os.Stat(f)
			if os.IsNotExist(err) && f == slips {
				continue // no printer in this build
			}
			if err != nil {
				t.Errorf("%s: %v", when, err)
				continue
			}
			if fi.Mode().Perm() != 0o600 {
				t.Errorf("%s: %s has mode %v, want 0600", when, filepath.Base(f), fi.Mode().Perm())
			}
		}
		if fi, err := os.Stat(data); err != nil || fi.Mode().Perm() != 0o700 {
			t.Errorf("%s: the journal's folder: %v %v, want 0700", when, fi.Mode().Perm(), err)
		}
	}
	check("while the till runs", rt.journal, rt.journal+"-wal", rt.journal+"-shm", rt.journal+".lock",
		filepath.Join(data, "journal.log"), slips)
	quit(t, term)
	check("after it quits", rt.journal, rt.journal+".lock", filepath.Join(data, "journal.log"))
	t.Logf("CHECK file modes under umask 000: journal.db, -wal, -shm, .lock, journal.log, printer file 0600; folder 0700")
}

package journal

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A second path to a journal in use (a symlink) is refused like the first:
// the lock is taken on the file the link points to.
func TestSymlinkToJournalInUseIsRefused(t *testing.T) {
	t.Parallel()
	_, path := openTemp(t)
	link := filepath.Join(t.TempDir(), "other.db")
	if err := os.Symlink(path, link); err != nil {
		t.Fatal(err)
	}
	j, err := Open(link, Options{Secret: secret})
	if err == nil {
		j.Close()
		t.Fatal("opened a journal in use through a symlink")
	}
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("err = %v, want ErrLocked", err)
	}
	// A link to a folder, before the journal exists, resolves too.
	dir := t.TempDir()
	linkDir := filepath.Join(t.TempDir(), "d")
	os.Symlink(dir, linkDir)
	a, err := Open(filepath.Join(dir, "j.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if b, err := Open(filepath.Join(linkDir, "j.db"), Options{}); !errors.Is(err, ErrLocked) {
		if b != nil {
			b.Close()
		}
		t.Fatalf("through a linked folder: err = %v, want ErrLocked", err)
	}
}

// foreignDB writes another program's SQLite database at path.
func foreignDB(t *testing.T, path string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{`CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)`, `INSERT INTO notes (body) VALUES ('keep me')`, `PRAGMA user_version = 7`} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
}

// A file that is not a voucherpos journal is refused, read-write or
// read-only, and left exactly as it was.
func TestForeignFileRefusedUnchanged(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cases := map[string]func(string){
		"other app": func(p string) { foreignDB(t, p) },
		"empty":     func(p string) { os.WriteFile(p, nil, 0o600) },
		"sqlite with no tables": func(p string) {
			db, _ := sql.Open("sqlite", "file:"+p)
			db.Exec(`CREATE TABLE x (a); DROP TABLE x`)
			db.Close()
		},
		"has sales but not ours": func(p string) {
			db, _ := sql.Open("sqlite", "file:"+p)
			db.Exec(`CREATE TABLE sales (id); PRAGMA application_id = 42; PRAGMA user_version = 1`)
			db.Close()
		},
	}
	for name, make := range cases {
		path := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".db")
		make(path)
		before, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, ro := range []bool{false, true} {
			j, err := Open(path, Options{Secret: secret, ReadOnly: ro})
			if err == nil {
				j.Close()
				t.Fatalf("%s (read-only %v): opened", name, ro)
			}
			if !errors.Is(err, ErrNotJournal) || !strings.Contains(err.Error(), "not changed") {
				t.Errorf("%s (read-only %v): err = %v, want ErrNotJournal saying it was not changed", name, ro, err)
			}
		}
		after, _ := os.ReadFile(path)
		if !bytes.Equal(before, after) {
			t.Errorf("%s: the file was changed", name)
		}
		for _, suffix := range []string{"-wal", "-shm", "-journal", ".new", ".lock"} {
			if _, err := os.Stat(path + suffix); err == nil {
				t.Errorf("%s: left %s behind", name, suffix)
			}
		}
	}
}

// Our files carry ApplicationID from their first commit.
func TestNewJournalIsMarked(t *testing.T) {
	t.Parallel()
	j, path := openTemp(t)
	var app int
	j.db.QueryRow(`PRAGMA application_id`).Scan(&app)
	if app != ApplicationID {
		t.Fatalf("application_id %#x, want %#x", app, ApplicationID)
	}
	if _, err := os.Stat(path + ".new"); err == nil {
		t.Fatal("the build file was left behind")
	}
}

// A journal of schema version 1 (no application_id, phone numbers in
// clear) opens: it is migrated, marked, and its phone numbers masked in
// every file.
func TestVersion1JournalIsMigrated(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)")
	if err != nil {
		t.Fatal(err)
	}
	const phone = "+27821234567"
	for _, q := range []string{migrations[0], `PRAGMA user_version = 1`,
		`INSERT INTO sales (reference, created_at, updated_at, terminal_id, status, currency, amount_requested,
			provider_code, provider_name, pin_last4, phone, email) VALUES
			('old-1', '2026-11-27T10:00:00.000000000Z', '2026-11-27T10:00:00.000000000Z', 'till-1', 'approved', 'ZAR', 100,
			 '0001', '1Voucher', '2943', '` + phone + `', 'a@b.co')`,
		`INSERT INTO events (reference, at, kind) VALUES ('old-1', '2026-11-27T10:00:00.000000000Z', 'created')`} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	// A reader says it needs the till first, and changes nothing.
	if _, err := Open(path, Options{ReadOnly: true}); !errors.Is(err, ErrOldSchema) {
		t.Fatalf("read-only: err = %v, want ErrOldSchema", err)
	}
	j, err := Open(path, Options{Secret: secret})
	if err != nil {
		t.Fatalf("a version 1 journal: %v", err)
	}
	s, err := j.Get(ctx, "old-1")
	if err != nil {
		t.Fatal(err)
	}
	if s.Phone != "********4567" {
		t.Errorf("phone %q, want ********4567", s.Phone)
	}
	var app, v int
	j.db.QueryRow(`PRAGMA application_id`).Scan(&app)
	j.db.QueryRow(`PRAGMA user_version`).Scan(&v)
	if app != ApplicationID || v != SchemaVersion {
		t.Errorf("application_id %#x user_version %d, want %#x and %d", app, v, ApplicationID, SchemaVersion)
	}
	if err := j.Create(ctx, sale("new-1")); err != nil {
		t.Fatal(err)
	}
	j.Close()
	noneContain(t, path, phone, "821234567")
	// And again: nothing left to do.
	j, err = Open(path, Options{Secret: secret})
	if err != nil {
		t.Fatal(err)
	}
	j.Close()
}

func noneContain(t *testing.T, path string, needles ...string) {
	t.Helper()
	files, _ := filepath.Glob(path + "*")
	for _, f := range files {
		b, _ := os.ReadFile(f)
		for _, n := range needles {
			if bytes.Contains(b, []byte(n)) {
				t.Errorf("%s holds %q in clear", filepath.Base(f), n)
			}
		}
	}
}

// The phone number is on disk only masked and encrypted; the key reads it
// back, another key cannot.
func TestPhoneOnlyEncryptedOnDisk(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	j, path := openTemp(t)
	s := sale("ph")
	if err := j.Create(ctx, s); err != nil {
		t.Fatal(err)
	}
	got, err := j.Get(ctx, "ph")
	if err != nil || got.Phone != "********4567" {
		t.Fatalf("Get: phone %q, %v; want ********4567", got.Phone, err)
	}
	if p, err := j.Phone(ctx, "ph"); err != nil || p != s.Phone {
		t.Fatalf("Phone = %q, %v; want %q", p, err, s.Phone)
	}
	j.Close()
	noneContain(t, path, s.Phone, "821234567")
	j2, err := Open(path, Options{Secret: "sk_test_other"})
	if err != nil {
		t.Fatal(err)
	}
	defer j2.Close()
	if _, err := j2.Phone(ctx, "ph"); err == nil {
		t.Fatal("decrypted the phone number with another key")
	}
}

// A damaged journal is refused for writing, with what to do; quick_check
// says so to a reader.
func TestDamagedJournalRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	j, path := openTemp(t)
	for i := range 300 {
		s := sale(fmt.Sprintf("dmg-%03d", i))
		s.ProviderName = strings.Repeat("x", 200)
		if err := j.Create(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	j.Close()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	// Scribble over the middle of the file, past the schema page.
	fi, _ := f.Stat()
	f.WriteAt(bytes.Repeat([]byte{0xA5}, 4096*3), fi.Size()/2/4096*4096+100)
	f.Close()
	_, err = Open(path, Options{Secret: secret})
	if !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), "will not write") || !strings.Contains(err.Error(), "backup") {
		t.Fatalf("err = %v, want ErrDamaged saying what to do", err)
	}
	if testing.Verbose() {
		t.Log(err)
	}
	r, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := r.QuickCheck(ctx); !errors.Is(err, ErrDamaged) {
		t.Fatalf("QuickCheck = %v, want ErrDamaged", err)
	}
}

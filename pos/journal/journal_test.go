package journal

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const secret = "sk_test_JOURNALSECRET"

func openTemp(t testing.TB) (*Journal, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "data", "journal.db")
	j, err := Open(path, Options{Secret: secret})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	return j, path
}

var t0 = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

func sale(ref string) Sale {
	return Sale{Reference: ref, CreatedAt: t0, TerminalID: "till-1", Currency: "ZAR", AmountRequested: 12050,
		ProviderCode: "0001", ProviderName: "1Voucher", PINLast4: "2943", Phone: "+27821234567", Email: "a@b.co"}
}

func TestOpenCreatesPrivateFiles(t *testing.T) {
	t.Parallel()
	j, path := openTemp(t)
	if err := j.Create(context.Background(), sale("r1")); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, path + "-wal", path + ".lock"} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v, want 0600", filepath.Base(p), fi.Mode().Perm())
		}
	}
	fi, _ := os.Stat(filepath.Dir(path))
	if fi.Mode().Perm() != 0o700 {
		t.Errorf("folder mode %v, want 0700", fi.Mode().Perm())
	}
	var mode, sync string
	j.db.QueryRow(`PRAGMA journal_mode`).Scan(&mode)
	j.db.QueryRow(`PRAGMA synchronous`).Scan(&sync)
	if mode != "wal" || sync != "2" {
		t.Fatalf("journal_mode %s synchronous %s, want wal and 2 (FULL)", mode, sync)
	}
}

func TestSecondOpenIsRefused(t *testing.T) {
	t.Parallel()
	_, path := openTemp(t)
	_, err := Open(path, Options{Secret: secret})
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), fmt.Sprint(os.Getpid())) {
		t.Fatalf("err = %v, want ErrLocked naming pid", err)
	}
	// A read-only reader does not need the lock.
	r, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := r.Create(context.Background(), sale("x")); err == nil {
		t.Fatal("read-only journal accepted a write")
	}
}

func TestLockReleasedOnClose(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "j.db")
	j, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	j.Close()
	j2, err := Open(path, Options{})
	if err != nil {
		t.Fatalf("reopen after close: %v", err)
	}
	j2.Close()
}

func TestCorruptOrForeignFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "j.db")
	os.WriteFile(path, bytes.Repeat([]byte("this is not sqlite "), 400), 0o600)
	_, err := Open(path, Options{})
	if err == nil || !strings.Contains(err.Error(), "not a voucherpos journal or is damaged") {
		t.Fatalf("err = %v", err)
	}
}

func TestUnwritableFolder(t *testing.T) {
	t.Parallel()
	if os.Geteuid() == 0 {
		t.Skip("root ignores folder permissions")
	}
	dir := t.TempDir()
	os.Chmod(dir, 0o500)
	defer os.Chmod(dir, 0o700)
	if _, err := Open(filepath.Join(dir, "j.db"), Options{}); err == nil {
		t.Fatal("opened a journal in a read-only folder")
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	t.Parallel()
	j, path := openTemp(t)
	j.db.Exec(fmt.Sprintf(`PRAGMA user_version = %d`, SchemaVersion+1))
	j.Close()
	_, err := Open(path, Options{})
	if err == nil || !strings.Contains(err.Error(), "newer") {
		t.Fatalf("err = %v", err)
	}
}

func TestMigrationsAreIdempotent(t *testing.T) {
	t.Parallel()
	j, path := openTemp(t)
	j.Create(context.Background(), sale("keep"))
	j.Close()
	j2, err := Open(path, Options{Secret: secret})
	if err != nil {
		t.Fatal(err)
	}
	defer j2.Close()
	if _, err := j2.Get(context.Background(), "keep"); err != nil {
		t.Fatalf("sale lost across reopen: %v", err)
	}
	var v int
	j2.db.QueryRow(`PRAGMA user_version`).Scan(&v)
	if v != SchemaVersion {
		t.Fatalf("user_version %d", v)
	}
}

func TestTransitions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	j, _ := openTemp(t)
	t1 := t0.Add(time.Second)

	for _, ref := range []string{"a", "d", "u", "n"} {
		if err := j.Create(ctx, sale(ref)); err != nil {
			t.Fatal(err)
		}
	}
	if err := j.Create(ctx, sale("a")); err == nil {
		t.Fatal("duplicate reference accepted")
	}
	s, _ := j.Get(ctx, "a")
	if s.Status != Pending || !s.Status.Unresolved() {
		t.Fatalf("new sale is %s", s.Status)
	}

	// pending → approved, with a change PIN; then final.
	err := j.Record(ctx, "a", t1, Outcome{Status: Approved, AmountCharged: 12050, Fee: 181, VAT: 27,
		KoraReference: "KPY-CA-x", VoucherSerial: "S1", VoucherBalance: 37950, HasBalance: true,
		VoucherExpiry: t0.AddDate(3, 0, 0), ChangePIN: "5555666677778888"})
	if err != nil {
		t.Fatal(err)
	}
	s, _ = j.Get(ctx, "a")
	if s.Status != Approved || s.AmountCharged != 12050 || !s.HasChangePIN || s.VoucherBalance != 37950 || !s.HasBalance {
		t.Fatalf("approved sale %+v", s)
	}
	if pin, err := j.ChangePIN(ctx, "a"); err != nil || pin != "5555666677778888" {
		t.Fatalf("change PIN %q %v", pin, err)
	}
	if err := j.Record(ctx, "a", t1, Outcome{Status: Approved}); err != nil {
		t.Fatalf("same final outcome again: %v", err)
	}
	if err := j.Record(ctx, "a", t1, Outcome{Status: Declined}); !errors.Is(err, ErrFinal) {
		t.Fatalf("approved → declined: %v", err)
	}

	// pending → unknown → (check, not found) → declined.
	j.Record(ctx, "u", t1, Outcome{Status: Unknown, Detail: "timeout"})
	if err := j.NoteCheck(ctx, "u", t1, t1.Add(time.Minute), SeenNotFound, "charge not found"); err != nil {
		t.Fatal(err)
	}
	s, _ = j.Get(ctx, "u")
	if s.Status != Unknown || s.Checks != 1 || !s.NotFoundAt.Equal(t1) || !s.NextCheckAt.Equal(t1.Add(time.Minute)) {
		t.Fatalf("after a check %+v", s)
	}
	j.NoteCheck(ctx, "u", t1.Add(time.Second), t1.Add(time.Minute), NoAnswer, "timeout")
	if s, _ = j.Get(ctx, "u"); !s.NotFoundAt.Equal(t1) {
		t.Fatal("a failed query must keep the first not-found")
	}
	j.NoteCheck(ctx, "u", t1.Add(time.Minute), t1.Add(2*time.Minute), SeenInProgress, "processing")
	if s, _ = j.Get(ctx, "u"); !s.NotFoundAt.IsZero() {
		t.Fatal("a found charge must clear the first not-found")
	}
	if err := j.Record(ctx, "u", t1, Outcome{Status: Declined, DeclineKind: "not_found"}); err != nil {
		t.Fatal(err)
	}
	if err := j.NoteCheck(ctx, "u", t1, t1, NoAnswer, ""); !errors.Is(err, ErrFinal) {
		t.Fatalf("check of a final sale: %v", err)
	}

	// a pending sale checked becomes unknown.
	j.NoteCheck(ctx, "n", t1, t1, SeenInProgress, "processing")
	if s, _ = j.Get(ctx, "n"); s.Status != Unknown {
		t.Fatalf("checked pending sale is %s", s.Status)
	}

	// not sent → reopened; any other decline stays final.
	j.Record(ctx, "d", t1, Outcome{Status: Declined, DeclineKind: "not_sent"})
	if err := j.Reopen(ctx, "d", t1); err != nil {
		t.Fatal(err)
	}
	if err := j.Reopen(ctx, "d", t1); err == nil {
		t.Fatal("reopened a pending sale")
	}
	if err := j.Reopen(ctx, "u", t1); !errors.Is(err, ErrFinal) {
		t.Fatalf("reopened a Kora decline: %v", err)
	}
	if n, _ := j.CountUnresolved(ctx); n != 2 { // d and n
		t.Fatalf("unresolved = %d", n)
	}
	if err := j.Record(ctx, "nope", t1, Outcome{Status: Approved}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown reference: %v", err)
	}
}

func TestEventsAreAppendOnly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	j, _ := openTemp(t)
	j.Create(ctx, sale("e"))
	j.Record(ctx, "e", t0, Outcome{Status: Declined, DeclineKind: "invalid_pin"})
	ev, err := j.Events(ctx, "e")
	if err != nil || len(ev) != 2 || ev[0].Kind != "created" || ev[1].Kind != "declined" {
		t.Fatalf("events %+v %v", ev, err)
	}
	if _, err := j.db.Exec(`UPDATE events SET detail = 'x'`); err == nil {
		t.Fatal("an event was updated")
	}
	if _, err := j.db.Exec(`DELETE FROM events`); err == nil {
		t.Fatal("an event was deleted")
	}
}

func TestListByDay(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	j, _ := openTemp(t)
	for i, at := range []time.Time{t0.Add(-24 * time.Hour), t0, t0.Add(time.Hour), t0.Add(24 * time.Hour)} {
		s := sale(fmt.Sprintf("r%d", i))
		s.CreatedAt = at
		j.Create(ctx, s)
	}
	day := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	got, err := j.List(ctx, day, day.AddDate(0, 0, 1))
	if err != nil || len(got) != 2 || got[0].Reference != "r1" || got[1].Reference != "r2" {
		t.Fatalf("list %+v %v", got, err)
	}
}

// Neither the customer's PIN nor a change PIN appears in clear in any of
// the journal's files.
func TestNoPINInClearOnDisk(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	j, path := openTemp(t)
	const customerPIN, changePIN = "1168648096792943", "7777123498765555"
	s := sale("p")
	s.PINLast4 = customerPIN[12:]
	j.Create(ctx, s)
	j.Record(ctx, "p", t0, Outcome{Status: Approved, ChangePIN: changePIN})
	j.Close()
	files, _ := filepath.Glob(path + "*")
	for _, f := range files {
		b, _ := os.ReadFile(f)
		for _, needle := range []string{customerPIN, changePIN, changePIN[:8], secret} {
			if bytes.Contains(b, []byte(needle)) {
				t.Errorf("%s contains %q", filepath.Base(f), needle)
			}
		}
	}
	// A different key cannot read the change PIN.
	j2, err := Open(path, Options{Secret: "sk_test_other"})
	if err != nil {
		t.Fatal(err)
	}
	defer j2.Close()
	if _, err := j2.ChangePIN(ctx, "p"); err == nil {
		t.Fatal("decrypted with the wrong key")
	}
	if err := j2.Create(ctx, Sale{Reference: "long", PINLast4: "12345"}); err == nil {
		t.Fatal("stored more than four PIN digits")
	}
}

// BenchmarkSaleWrite is one sale's journal cost with fsync: the pending row
// before the charge and the outcome after it.
func BenchmarkSaleWrite(b *testing.B) {
	ctx := context.Background()
	j, _ := openTemp(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		ref := fmt.Sprintf("bench-%d", i)
		i++
		if err := j.Create(ctx, sale(ref)); err != nil {
			b.Fatal(err)
		}
		if err := j.Record(ctx, ref, t0, Outcome{Status: Approved, AmountCharged: 12050, ChangePIN: "5555666677778888"}); err != nil {
			b.Fatal(err)
		}
	}
}

// A journal where nothing can be written (even by root: /proc) is a clear
// error, not a panic.
func TestUnwritableLocation(t *testing.T) {
	t.Parallel()
	for _, p := range []string{"/proc/self/voucherpos/journal.db", "/proc/version/journal.db"} {
		j, err := Open(p, Options{})
		if err == nil {
			j.Close()
			t.Fatalf("opened a journal at %s", p)
		}
		if !strings.Contains(err.Error(), "journal") {
			t.Errorf("%s: unclear error %v", p, err)
		}
	}
}

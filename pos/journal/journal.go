// Package journal is the till's durable record of sales: a SQLite database
// (WAL, synchronous=FULL) with a row per sale and an append-only event log.
// A sale is written as pending before its charge is sent, so a crash or
// power cut at any moment leaves a row that says what to resolve.
//
// The customer's voucher PIN is never stored: only its last four digits. A
// change-voucher PIN, the customer's money, is stored encrypted with
// AES-GCM under a key derived from the Kora secret.
package journal

import (
	"context"
	"crypto/cipher"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	_ "modernc.org/sqlite" // pure Go SQLite: CGO_ENABLED=0 builds for every kiosk

	"voucherpos/internal/sealbox"
)

// Status is where a sale stands.
type Status string

// Sale statuses. Pending and Unknown are unresolved: the charge may or may
// not have happened, and only a query of Kora can say.
const (
	Pending  Status = "pending"
	Approved Status = "approved"
	Declined Status = "declined"
	Unknown  Status = "unknown"
)

// Unresolved reports whether the sale still needs a query of Kora.
func (s Status) Unresolved() bool { return s == Pending || s == Unknown }

// ErrLocked: another process has the journal open.
var ErrLocked = errors.New("journal is in use by another voucherpos process")

// LockError says which process holds a journal's lock; it matches
// ErrLocked with errors.Is.
type LockError struct {
	PID  string // "" when the holder did not say
	Path string // the lock file
}

func (e *LockError) Error() string {
	if e.PID != "" {
		return fmt.Sprintf("%v (pid %s holds %s)", ErrLocked, e.PID, e.Path)
	}
	return fmt.Sprintf("%v (%s)", ErrLocked, e.Path)
}

// Is makes errors.Is(err, ErrLocked) hold.
func (e *LockError) Is(target error) bool { return target == ErrLocked }

// ErrNotFound: no sale with that reference.
var ErrNotFound = errors.New("no sale with that reference")

// Sale is one charge attempt. Money is in minor units of Currency.
type Sale struct {
	Reference       string
	CreatedAt       time.Time
	UpdatedAt       time.Time
	TerminalID      string
	Status          Status
	Currency        string
	AmountRequested int64
	AmountCharged   int64
	Fee             int64
	VAT             int64
	ProviderCode    string
	ProviderName    string
	PINLast4        string
	Phone           string
	Email           string
	KoraReference   string // Kora's transaction_reference
	VoucherSerial   string
	VoucherBalance  int64
	HasBalance      bool // VoucherBalance was reported
	VoucherExpiry   time.Time
	HasChangePIN    bool // a change voucher PIN is stored (encrypted)
	DeclineKind     string
	DeclineMessage  string
	Checks          int       // queries made to resolve it
	NotFoundAt      time.Time // first "Charge not found" while resolving
	NextCheckAt     time.Time
}

// Journal is an open journal. Its methods are safe for concurrent use.
type Journal struct {
	db       *sql.DB
	path     string
	lock     *os.File
	aead     cipher.AEAD
	readOnly bool
	onAppend atomic.Pointer[func()] // outbox.go: told after events are committed
	stmts    stmtCache              // stmts.go
	commits  atomic.Int64           // durable transactions committed
}

// Options for Open.
type Options struct {
	// Secret derives the key that encrypts change-voucher PINs. Without it
	// change PINs can be neither stored nor read.
	Secret string
	// ReadOnly opens without the exclusive lock and refuses writes, so
	// history and reports can read while the till runs.
	ReadOnly bool
	// Fresh starts an empty journal, removing any earlier one once the
	// lock is held (demo mode, whose sandbox forgets its ledger too).
	Fresh bool
}

// ApplicationID marks a SQLite file as a voucherpos journal (SQLite's
// PRAGMA application_id, bytes 68-71 of the file): "VPOS" in ASCII. A file
// without it is opened only when it is an older voucherpos journal (schema
// version 1 or more with a sales table); anything else is refused unchanged.
const ApplicationID = 0x56504f53

// Why Open refused a file. The errors it returns match these with errors.Is
// and say what to do.
var (
	// ErrNotJournal: the file is not a voucherpos journal (another
	// program's database, an empty file, not SQLite at all).
	ErrNotJournal = errors.New("not a voucherpos journal")
	// ErrDamaged: SQLite's quick_check found damage.
	ErrDamaged = errors.New("the journal is damaged")
	// ErrOldSchema: a read-only open of a journal that the till has still
	// to upgrade.
	ErrOldSchema = errors.New("the journal's schema needs upgrading")
)

// Open opens (creating if needed) the journal at path, takes its exclusive
// lock, checks that the file is a voucherpos journal and undamaged, and
// brings its schema up to date. A symlink is followed: the lock is taken
// on the file it points to, so two paths to one journal cannot both write.
func Open(path string, opts Options) (*Journal, error) {
	if path == "" {
		return nil, errors.New("journal: no path")
	}
	j := &Journal{path: path, readOnly: opts.ReadOnly}
	if opts.Secret != "" {
		aead, err := pinCipher(opts.Secret)
		if err != nil {
			return nil, err
		}
		j.aead = aead
	}
	real := resolve(path)
	if fi, err := os.Stat(real); err == nil && fi.IsDir() {
		return nil, fmt.Errorf("journal %s: is a folder; journal.path must name a file (e.g. %s)", path, filepath.Join(path, "journal.db"))
	}
	if opts.ReadOnly {
		if _, err := os.Stat(real); err != nil {
			return nil, fmt.Errorf("journal %s: %w", path, err)
		}
	} else {
		if err := os.MkdirAll(filepath.Dir(real), 0o700); err != nil {
			return nil, fmt.Errorf("journal %s: %w", path, err)
		}
		// A file that is not ours is refused before anything is made
		// beside it, its lock file included (it is checked again, under
		// the lock, below).
		if _, err := os.Stat(real); err == nil && !opts.Fresh {
			if _, err := identify(real); errors.Is(err, ErrNotJournal) {
				return nil, fmt.Errorf("journal %s: %w", path, err)
			}
		}
		lock, err := takeLock(real + ".lock")
		if err != nil {
			return nil, err
		}
		j.lock = lock
		if opts.Fresh {
			for _, suffix := range []string{"", "-wal", "-shm"} {
				if err := os.Remove(real + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
					j.release()
					return nil, fmt.Errorf("journal %s: %w", path, err)
				}
			}
		}
		if _, err := os.Stat(real); errors.Is(err, os.ErrNotExist) {
			if err := create(real); err != nil {
				j.release()
				return nil, fmt.Errorf("journal %s: %w", path, explain(err))
			}
		}
	}
	legacy, err := identify(real)
	if err != nil {
		j.release()
		return nil, fmt.Errorf("journal %s: %w", path, err)
	}

	db, err := sql.Open("sqlite", dsn(real, opts.ReadOnly, true))
	if err != nil {
		j.release()
		return nil, fmt.Errorf("journal %s: %w", path, err)
	}
	// One writer connection: SQLite serialises writers anyway, and one
	// connection keeps the lock and pragmas simple.
	db.SetMaxOpenConns(1)
	j.db = db
	if !opts.ReadOnly {
		// The till never writes to a damaged journal: it could only make
		// the damage worse, and the sales in it are the truth.
		if err := j.QuickCheck(context.Background()); err != nil {
			j.Close()
			return nil, fmt.Errorf("journal %s: %w; the till will not write to it: stop voucherpos, move %s (and its -wal and -shm files) aside and restore the latest backup, or start with an empty journal by leaving it moved", path, err, real)
		}
	}
	if err := j.migrate(legacy); err != nil {
		j.Close()
		return nil, fmt.Errorf("journal %s: %w", path, explain(err))
	}
	if err := j.chainBacklog(context.Background()); err != nil {
		j.Close()
		return nil, fmt.Errorf("journal %s: outbox: %w", path, explain(err))
	}
	if !opts.ReadOnly {
		for _, suffix := range []string{"-wal", "-shm"} {
			_ = os.Chmod(real+suffix, 0o600)
		}
	}
	return j, nil
}

// resolve follows symlinks to the journal's real file; a journal not yet
// created resolves through its folder.
func resolve(path string) string {
	if p, err := filepath.EvalSymlinks(path); err == nil {
		return p
	}
	if dir, err := filepath.EvalSymlinks(filepath.Dir(path)); err == nil {
		return filepath.Join(dir, filepath.Base(path))
	}
	return path
}

// dsn is the database/sql name of the journal at path. settings adds the
// pragmas the till runs with (WAL, synchronous=FULL, …); without them a
// connection changes nothing in the file by itself.
func dsn(path string, readOnly, settings bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(5000)")
	if settings {
		for _, p := range []string{"journal_mode(WAL)", "synchronous(FULL)", "foreign_keys(1)", "secure_delete(1)", "cache_size(-256)"} {
			q.Add("_pragma", p)
		}
	}
	if readOnly {
		q.Set("mode", "ro")
	} else {
		q.Set("_txlock", "immediate")
	}
	return "file:" + pathEscape(path) + "?" + q.Encode()
}

// create makes a new journal at path whole or not at all: it is built
// beside path, marked with ApplicationID and given the current schema,
// then renamed into place. So an empty file at path is never ours.
func create(path string) error {
	tmp := path + ".new"
	for _, suffix := range []string{"", "-journal", "-wal", "-shm"} {
		if err := os.Remove(tmp + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	// Create the file ourselves so it is private from its first byte;
	// SQLite gives the -wal and -shm files the same mode.
	f, err := os.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	f.Close()
	// The file is not the journal until it is renamed into place, after
	// the one fsync below: building it needs no fsync of its own (a crash
	// leaves only a .new file, removed by the next create), and the
	// rollback journal in memory still undoes a migration that fails.
	q := url.Values{}
	q.Add("_pragma", "synchronous(OFF)")
	q.Add("_pragma", "journal_mode(MEMORY)")
	db, err := sql.Open("sqlite", "file:"+pathEscape(tmp)+"?"+q.Encode())
	if err != nil {
		os.Remove(tmp)
		return err
	}
	db.SetMaxOpenConns(1)
	err = func() error {
		// PRAGMA takes no parameters; ApplicationID is our own constant.
		if _, err := db.Exec(fmt.Sprintf(`PRAGMA application_id = %d`, ApplicationID)); err != nil {
			return err
		}
		if err := migrateDB(db, 0, false); err != nil {
			return err
		}
		// In WAL mode from the start (the mode is kept in the file), so
		// the till's first open does not convert it, which costs fsyncs.
		_, err := db.Exec(`PRAGMA journal_mode = WAL`)
		return err
	}()
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = syncFile(tmp)
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	return syncFile(filepath.Dir(path))
}

func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// identify says whether the file at path is a voucherpos journal, reading
// it through a connection that changes nothing: legacy is true for a
// journal of an earlier voucherpos, which has no ApplicationID yet.
func identify(path string) (legacy bool, err error) {
	fi, err := os.Stat(path)
	if err != nil {
		return false, err
	}
	if fi.Size() == 0 {
		return false, fmt.Errorf("%w: the file is empty (voucherpos never leaves an empty journal); it was not changed: move it aside, or set journal.path to another file", ErrNotJournal)
	}
	db, err := sql.Open("sqlite", dsn(path, true, false))
	if err != nil {
		return false, err
	}
	defer db.Close()
	var app, version, tables int
	err = db.QueryRow(`PRAGMA application_id`).Scan(&app)
	if err == nil {
		err = db.QueryRow(`PRAGMA user_version`).Scan(&version)
	}
	if err == nil {
		err = db.QueryRow(`SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('sales','events')`).Scan(&tables)
	}
	if err != nil {
		return false, explain(err)
	}
	switch {
	case app == ApplicationID:
		return false, nil
	case app == 0 && version >= 1 && tables == 2:
		return true, nil
	}
	return false, fmt.Errorf("%w: it is another program's SQLite database (application_id %d, user_version %d); it was not changed: set journal.path to another file, or move this one aside", ErrNotJournal, app, version)
}

// QuickCheck runs SQLite's quick_check over the journal: nil when it
// finds nothing wrong, else an error matching ErrDamaged with SQLite's
// first finding.
func (j *Journal) QuickCheck(ctx context.Context) error {
	rows, err := j.db.QueryContext(ctx, `PRAGMA quick_check(5)`)
	if err != nil {
		if e := explain(err); errors.Is(e, ErrDamaged) {
			return e
		}
		return fmt.Errorf("quick_check: %w", err)
	}
	defer rows.Close()
	var found []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return fmt.Errorf("%w (quick_check: %w)", ErrDamaged, err)
		}
		line = strings.Join(strings.Fields(strings.ReplaceAll(line, "*** in database main ***", "")), " ")
		if line != "ok" && line != "" {
			found = append(found, line)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("%w (quick_check: %w)", ErrDamaged, err)
	}
	if len(found) > 0 {
		what := strings.Join(found, "; ")
		if r := []rune(what); len(r) > 120 {
			what = string(r[:120]) + "…"
		}
		return fmt.Errorf("%w (SQLite's quick_check: %s)", ErrDamaged, what)
	}
	return nil
}

// pathEscape keeps a file path intact inside a file: URI.
func pathEscape(p string) string {
	return strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(p)
}

// explain turns SQLite's words for a damaged or foreign file into a sentence.
func explain(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "malformed") || strings.Contains(msg, "corrupt"):
		return fmt.Errorf("%w (%w); move it aside and restore a backup", ErrDamaged, err)
	case strings.Contains(msg, "not a database") || strings.Contains(msg, "file is encrypted"):
		return fmt.Errorf("%w: the file is not a voucherpos journal or is damaged (%w); it was not changed: move it aside and restore a backup, or set journal.path to another file", ErrNotJournal, err)
	case strings.Contains(msg, "readonly") || strings.Contains(msg, "read-only") || strings.Contains(msg, "permission denied"):
		return fmt.Errorf("the journal cannot be written (%w); check the file and folder permissions", err)
	}
	return err
}

// takeLock takes an exclusive, non-blocking flock on path and writes our
// pid into it so the next process can say who holds it.
func takeLock(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("journal lock %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		b := make([]byte, 32)
		n, _ := f.ReadAt(b, 0)
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, &LockError{PID: strings.TrimSpace(string(b[:n])), Path: path}
		}
		return nil, fmt.Errorf("journal lock %s: %w", path, err)
	}
	f.Truncate(0)
	f.WriteAt([]byte(fmt.Sprintf("%d\n", os.Getpid())), 0)
	return f, nil
}

func (j *Journal) release() {
	if j.lock != nil {
		syscall.Flock(int(j.lock.Fd()), syscall.LOCK_UN)
		j.lock.Close()
		j.lock = nil
	}
}

// Close closes the database and releases the lock.
func (j *Journal) Close() error {
	var err error
	if j.db != nil {
		j.closeStmts()
		err = j.db.Close()
	}
	j.release()
	return err
}

// Path is the journal's file.
func (j *Journal) Path() string { return j.path }

// pinCipher derives the change-PIN key from the Kora secret with HKDF
// (internal/sealbox: the store server keeps webhook PINs the same way).
func pinCipher(secret string) (cipher.AEAD, error) {
	a, err := sealbox.AEAD(secret, "voucherpos journal v1", "change-voucher-pin")
	if err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	return a, nil
}

// phoneAAD binds an encrypted phone number to its column, so it can never
// be passed off as a change-voucher PIN (which is bound to the reference
// alone, as since the first journal).
const phoneAAD = "\x00phone"

// seal encrypts a change PIN bound to its sale's reference.
func (j *Journal) seal(reference, pin string) ([]byte, error) {
	if j.aead == nil {
		return nil, errors.New("journal: no key to encrypt a change-voucher PIN")
	}
	return j.sealAs(reference, "", pin)
}

func (j *Journal) sealAs(reference, aad, text string) ([]byte, error) {
	nonce := make([]byte, j.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return j.aead.Seal(nonce, nonce, []byte(text), []byte(reference+aad)), nil
}

func (j *Journal) open(reference string, box []byte) (string, error) {
	if j.aead == nil {
		return "", errors.New("journal: no key to decrypt the change-voucher PIN")
	}
	pin, err := j.openAs(reference, "", box)
	if err != nil {
		return "", fmt.Errorf("journal: change-voucher PIN %w", err)
	}
	return pin, nil
}

func (j *Journal) openAs(reference, aad string, box []byte) (string, error) {
	n := j.aead.NonceSize()
	if len(box) < n {
		return "", errors.New("record is damaged")
	}
	text, err := j.aead.Open(nil, box[:n], box[n:], []byte(reference+aad))
	if err != nil {
		return "", errors.New("cannot be decrypted with this key (was the Kora key changed?)")
	}
	return string(text), nil
}

// withTx runs fn in one IMMEDIATE transaction.
func (j *Journal) withTx(ctx context.Context, fn func(*sql.Tx) error) error {
	if j.readOnly {
		return errors.New("journal: opened read-only")
	}
	tx, err := j.db.BeginTx(ctx, nil)
	if err != nil {
		return explain(err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		j.prepareWanted()
		return err
	}
	if err := tx.Commit(); err != nil {
		j.prepareWanted()
		return explain(err)
	}
	j.commits.Add(1)
	j.prepareWanted()
	j.appended() // every write through withTx appends events (outbox.go)
	return nil
}

// Commits counts the write transactions committed since Open. Under
// synchronous=FULL in WAL mode each is one fsync of the WAL (checkpoints
// aside): a sale is two, its pending row before the charge and its outcome
// after.
func (j *Journal) Commits() int64 { return j.commits.Load() }

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
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	_ "modernc.org/sqlite" // pure Go SQLite: CGO_ENABLED=0 builds for every kiosk
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

// Open opens (creating if needed) the journal at path, takes its exclusive
// lock, and brings its schema up to date.
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
	if opts.ReadOnly {
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("journal %s: %w", path, err)
		}
	} else {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("journal %s: %w", path, err)
		}
		lock, err := takeLock(path + ".lock")
		if err != nil {
			return nil, err
		}
		j.lock = lock
		if opts.Fresh {
			for _, suffix := range []string{"", "-wal", "-shm"} {
				if err := os.Remove(path + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
					j.release()
					return nil, fmt.Errorf("journal %s: %w", path, err)
				}
			}
		}
		// Create the file ourselves so it is private from its first byte;
		// SQLite gives the -wal and -shm files the same mode.
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			j.release()
			return nil, fmt.Errorf("journal %s: %w", path, err)
		}
		f.Close()
	}

	q := url.Values{}
	for _, p := range []string{"busy_timeout(5000)", "journal_mode(WAL)", "synchronous(FULL)", "foreign_keys(1)"} {
		q.Add("_pragma", p)
	}
	if opts.ReadOnly {
		q.Set("mode", "ro")
	} else {
		q.Set("_txlock", "immediate")
	}
	db, err := sql.Open("sqlite", "file:"+pathEscape(path)+"?"+q.Encode())
	if err != nil {
		j.release()
		return nil, fmt.Errorf("journal %s: %w", path, err)
	}
	// One writer connection: SQLite serialises writers anyway, and one
	// connection keeps the lock and pragmas simple.
	db.SetMaxOpenConns(1)
	j.db = db
	if err := j.migrate(); err != nil {
		j.Close()
		return nil, fmt.Errorf("journal %s: %w", path, explain(err))
	}
	if !opts.ReadOnly {
		for _, suffix := range []string{"-wal", "-shm"} {
			_ = os.Chmod(path+suffix, 0o600)
		}
	}
	return j, nil
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
	case strings.Contains(msg, "not a database") || strings.Contains(msg, "malformed") || strings.Contains(msg, "file is encrypted"):
		return fmt.Errorf("the file is not a voucherpos journal or is damaged (%w); move it aside and restore a backup", err)
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
			holder := strings.TrimSpace(string(b[:n]))
			if holder != "" {
				return nil, fmt.Errorf("%w (pid %s holds %s)", ErrLocked, holder, path)
			}
			return nil, fmt.Errorf("%w (%s)", ErrLocked, path)
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
		err = j.db.Close()
	}
	j.release()
	return err
}

// Path is the journal's file.
func (j *Journal) Path() string { return j.path }

// pinCipher derives the change-PIN key from the Kora secret with HKDF.
func pinCipher(secret string) (cipher.AEAD, error) {
	key, err := hkdf.Key(sha256.New, []byte(secret), []byte("voucherpos journal v1"), "change-voucher-pin", 32)
	if err != nil {
		return nil, fmt.Errorf("journal: derive key: %w", err)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// seal encrypts a change PIN bound to its sale's reference.
func (j *Journal) seal(reference, pin string) ([]byte, error) {
	if j.aead == nil {
		return nil, errors.New("journal: no key to encrypt a change-voucher PIN")
	}
	nonce := make([]byte, j.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return j.aead.Seal(nonce, nonce, []byte(pin), []byte(reference)), nil
}

func (j *Journal) open(reference string, box []byte) (string, error) {
	if j.aead == nil {
		return "", errors.New("journal: no key to decrypt the change-voucher PIN")
	}
	n := j.aead.NonceSize()
	if len(box) < n {
		return "", errors.New("journal: change-voucher PIN record is damaged")
	}
	pin, err := j.aead.Open(nil, box[:n], box[n:], []byte(reference))
	if err != nil {
		return "", errors.New("journal: change-voucher PIN cannot be decrypted with this key (was the Kora key changed?)")
	}
	return string(pin), nil
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
		return err
	}
	return explain(tx.Commit())
}

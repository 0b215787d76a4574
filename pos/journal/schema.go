package journal

import (
	"database/sql"
	"fmt"
)

// migrations bring the schema from version i to i+1. Append only: a
// released migration is never edited.
var migrations = []string{
	// 1: sales and their append-only event log.
	`CREATE TABLE sales (
		reference        TEXT PRIMARY KEY,
		created_at       TEXT NOT NULL,
		updated_at       TEXT NOT NULL,
		terminal_id      TEXT NOT NULL,
		status           TEXT NOT NULL CHECK (status IN ('pending','approved','declined','unknown')),
		currency         TEXT NOT NULL,
		amount_requested INTEGER NOT NULL,
		amount_charged   INTEGER NOT NULL DEFAULT 0,
		fee              INTEGER NOT NULL DEFAULT 0,
		vat              INTEGER NOT NULL DEFAULT 0,
		provider_code    TEXT NOT NULL,
		provider_name    TEXT NOT NULL,
		pin_last4        TEXT NOT NULL CHECK (length(pin_last4) <= 4),
		phone            TEXT NOT NULL,
		email            TEXT NOT NULL,
		kora_reference   TEXT NOT NULL DEFAULT '',
		voucher_serial   TEXT NOT NULL DEFAULT '',
		voucher_balance  INTEGER,
		voucher_expiry   TEXT NOT NULL DEFAULT '',
		change_pin_enc   BLOB,
		decline_kind     TEXT NOT NULL DEFAULT '',
		decline_message  TEXT NOT NULL DEFAULT '',
		checks           INTEGER NOT NULL DEFAULT 0,
		not_found_at     TEXT NOT NULL DEFAULT '',
		next_check_at    TEXT NOT NULL DEFAULT ''
	);
	CREATE INDEX sales_created ON sales (created_at);
	CREATE INDEX sales_unresolved ON sales (status) WHERE status IN ('pending','unknown');
	CREATE TABLE events (
		id        INTEGER PRIMARY KEY AUTOINCREMENT,
		reference TEXT NOT NULL REFERENCES sales (reference),
		at        TEXT NOT NULL,
		kind      TEXT NOT NULL,
		detail    TEXT NOT NULL DEFAULT ''
	);
	CREATE INDEX events_reference ON events (reference);
	CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
		BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
	CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
		BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;`,
	// 2: the customer's phone number is personal data: the phone column
	// keeps only its last four digits ("********4567") and phone_enc the
	// whole number, encrypted like a change-voucher PIN. Earlier rows are
	// masked (their clear numbers cannot be encrypted in SQL).
	`ALTER TABLE sales ADD COLUMN phone_enc BLOB;
	UPDATE sales SET phone = substr('********************************', 1, length(phone) - 4) || substr(phone, -4)
		WHERE length(phone) > 4;`,
	// 3: the outbox for the store server (outbox.go): each event's per-till
	// seq, its link of the hash chain and its canonical payload; append
	// only, like the events. Events written before it are chained when the
	// till opens the journal.
	`CREATE TABLE outbox (
		seq      INTEGER PRIMARY KEY,
		event_id INTEGER NOT NULL UNIQUE REFERENCES events (id),
		hash     BLOB NOT NULL,
		payload  TEXT NOT NULL
	);
	CREATE TRIGGER outbox_append_only_update BEFORE UPDATE ON outbox
		BEGIN SELECT RAISE(ABORT, 'the outbox is append-only'); END;
	CREATE TRIGGER outbox_append_only_delete BEFORE DELETE ON outbox
		BEGIN SELECT RAISE(ABORT, 'the outbox is append-only'); END;
	CREATE TABLE outbox_state (
		id        INTEGER PRIMARY KEY CHECK (id = 1),
		acked_seq INTEGER NOT NULL
	);`,
	// 4: a busy day read without reading the day (day.go): History pages
	// through the sales newest first by (created_at, reference), filtering
	// by status in the index; the Z-report sums by provider and status
	// from the index alone. sales_created is a prefix of sales_day.
	`DROP INDEX IF EXISTS sales_created;
	CREATE INDEX sales_day ON sales (created_at, reference, status, provider_code, provider_name,
		amount_requested, amount_charged, fee, vat);
	CREATE INDEX sales_day_change ON sales (created_at, status) WHERE change_pin_enc IS NOT NULL;`,
}

// SchemaVersion is the version this build writes.
var SchemaVersion = len(migrations)

// migrate brings the journal's schema up to date; legacy marks a journal
// of an earlier voucherpos with ApplicationID. After an upgrade the WAL is
// checkpointed and emptied, so no page from before it (a phone number in
// clear) stays in any of the journal's files.
func (j *Journal) migrate(legacy bool) error {
	var v int
	if err := j.db.QueryRow(`PRAGMA user_version`).Scan(&v); err != nil {
		return err
	}
	if err := migrateDB(j.db, v, j.readOnly); err != nil {
		return err
	}
	if j.readOnly || (v == len(migrations) && !legacy) {
		return nil
	}
	if legacy {
		// PRAGMA takes no parameters; ApplicationID is our own constant.
		if _, err := j.db.Exec(fmt.Sprintf(`PRAGMA application_id = %d`, ApplicationID)); err != nil {
			return err
		}
	}
	if v < len(migrations) {
		if _, err := j.db.Exec(`VACUUM`); err != nil {
			return err
		}
	}
	_, err := j.db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`)
	return err
}

// migrateDB applies the migrations after version v, each in its own
// transaction, and refuses a journal written by a newer voucherpos.
func migrateDB(db *sql.DB, v int, readOnly bool) error {
	if v > len(migrations) {
		return fmt.Errorf("schema version %d is newer than this voucherpos understands (%d); use a newer voucherpos", v, len(migrations))
	}
	if v == len(migrations) {
		return nil
	}
	if readOnly {
		return fmt.Errorf("%w: schema version %d; the till upgrades it when it next starts", ErrOldSchema, v)
	}
	for i := v; i < len(migrations); i++ {
		tx, err := db.Begin()
		if err != nil {
			return err
		}
		if _, err := tx.Exec(migrations[i]); err != nil {
			tx.Rollback()
			return fmt.Errorf("migration %d: %w", i+1, err)
		}
		// PRAGMA takes no parameters; i+1 is our own integer.
		if _, err := tx.Exec(fmt.Sprintf(`PRAGMA user_version = %d`, i+1)); err != nil {
			tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	return nil
}

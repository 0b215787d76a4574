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
	// 4: a busy day read without reading the day (day.go). History pages
	// through the sales newest first by (created_at, reference), filtering
	// by status in the index (sales_day; sales_created is its prefix). The
	// Z-report reads day_totals: the sales summed by provider and status
	// per UTC quarter hour of created_at (every zone's midnight is on one),
	// kept by triggers in the transaction of each change of a sale.
	`DROP INDEX IF EXISTS sales_created;
	CREATE INDEX sales_day ON sales (created_at, reference, status);
	CREATE TABLE day_totals (
		bucket          TEXT NOT NULL,
		provider_code   TEXT NOT NULL,
		status          TEXT NOT NULL,
		provider_name   TEXT NOT NULL,
		sales           INTEGER NOT NULL,
		requested       INTEGER NOT NULL,
		charged         INTEGER NOT NULL,
		fee             INTEGER NOT NULL,
		vat             INTEGER NOT NULL,
		partly          INTEGER NOT NULL,
		change_vouchers INTEGER NOT NULL,
		PRIMARY KEY (bucket, provider_code, status)
	) WITHOUT ROWID;
	CREATE TRIGGER day_totals_insert AFTER INSERT ON sales BEGIN
		INSERT INTO day_totals VALUES (substr(NEW.created_at, 1, 14) || CASE WHEN substr(NEW.created_at, 15, 2) < '15' THEN '00' WHEN substr(NEW.created_at, 15, 2) < '30' THEN '15' WHEN substr(NEW.created_at, 15, 2) < '45' THEN '30' ELSE '45' END,
			NEW.provider_code, NEW.status, NEW.provider_name, 1, NEW.amount_requested, NEW.amount_charged,
			NEW.fee, NEW.vat, (NEW.amount_charged < NEW.amount_requested), (NEW.change_pin_enc IS NOT NULL))
			ON CONFLICT (bucket, provider_code, status) DO UPDATE SET provider_name = excluded.provider_name,
			sales = sales + excluded.sales, requested = requested + excluded.requested,
			charged = charged + excluded.charged, fee = fee + excluded.fee, vat = vat + excluded.vat,
			partly = partly + excluded.partly, change_vouchers = change_vouchers + excluded.change_vouchers;
	END;
	CREATE TRIGGER day_totals_update AFTER UPDATE OF created_at, status, provider_code, provider_name,
		amount_requested, amount_charged, fee, vat, change_pin_enc ON sales BEGIN
		INSERT INTO day_totals VALUES (substr(OLD.created_at, 1, 14) || CASE WHEN substr(OLD.created_at, 15, 2) < '15' THEN '00' WHEN substr(OLD.created_at, 15, 2) < '30' THEN '15' WHEN substr(OLD.created_at, 15, 2) < '45' THEN '30' ELSE '45' END,
			OLD.provider_code, OLD.status, OLD.provider_name, -1, -OLD.amount_requested, -OLD.amount_charged,
			-OLD.fee, -OLD.vat, -(OLD.amount_charged < OLD.amount_requested), -(OLD.change_pin_enc IS NOT NULL))
			ON CONFLICT (bucket, provider_code, status) DO UPDATE SET provider_name = excluded.provider_name,
			sales = sales + excluded.sales, requested = requested + excluded.requested,
			charged = charged + excluded.charged, fee = fee + excluded.fee, vat = vat + excluded.vat,
			partly = partly + excluded.partly, change_vouchers = change_vouchers + excluded.change_vouchers;
		INSERT INTO day_totals VALUES (substr(NEW.created_at, 1, 14) || CASE WHEN substr(NEW.created_at, 15, 2) < '15' THEN '00' WHEN substr(NEW.created_at, 15, 2) < '30' THEN '15' WHEN substr(NEW.created_at, 15, 2) < '45' THEN '30' ELSE '45' END,
			NEW.provider_code, NEW.status, NEW.provider_name, 1, NEW.amount_requested, NEW.amount_charged,
			NEW.fee, NEW.vat, (NEW.amount_charged < NEW.amount_requested), (NEW.change_pin_enc IS NOT NULL))
			ON CONFLICT (bucket, provider_code, status) DO UPDATE SET provider_name = excluded.provider_name,
			sales = sales + excluded.sales, requested = requested + excluded.requested,
			charged = charged + excluded.charged, fee = fee + excluded.fee, vat = vat + excluded.vat,
			partly = partly + excluded.partly, change_vouchers = change_vouchers + excluded.change_vouchers;
	END;
	CREATE TRIGGER day_totals_delete AFTER DELETE ON sales BEGIN
		INSERT INTO day_totals VALUES (substr(OLD.created_at, 1, 14) || CASE WHEN substr(OLD.created_at, 15, 2) < '15' THEN '00' WHEN substr(OLD.created_at, 15, 2) < '30' THEN '15' WHEN substr(OLD.created_at, 15, 2) < '45' THEN '30' ELSE '45' END,
			OLD.provider_code, OLD.status, OLD.provider_name, -1, -OLD.amount_requested, -OLD.amount_charged,
			-OLD.fee, -OLD.vat, -(OLD.amount_charged < OLD.amount_requested), -(OLD.change_pin_enc IS NOT NULL))
			ON CONFLICT (bucket, provider_code, status) DO UPDATE SET provider_name = excluded.provider_name,
			sales = sales + excluded.sales, requested = requested + excluded.requested,
			charged = charged + excluded.charged, fee = fee + excluded.fee, vat = vat + excluded.vat,
			partly = partly + excluded.partly, change_vouchers = change_vouchers + excluded.change_vouchers;
	END;
	INSERT INTO day_totals SELECT substr(sales.created_at, 1, 14) || CASE WHEN substr(sales.created_at, 15, 2) < '15' THEN '00' WHEN substr(sales.created_at, 15, 2) < '30' THEN '15' WHEN substr(sales.created_at, 15, 2) < '45' THEN '30' ELSE '45' END, provider_code, status,
		max(provider_name), count(*), sum(amount_requested), sum(amount_charged), sum(fee), sum(vat),
		sum(amount_charged < amount_requested), sum(change_pin_enc IS NOT NULL)
		FROM sales WHERE true GROUP BY 1, 2, 3;`,
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

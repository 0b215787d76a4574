// Package busyday writes a journal holding a very busy day, fast, for the
// benchmarks of the screens and commands that read a day (go run ./bench,
// go test -bench BusyDay ./pos). It is never linked into the till.
//
// The journal is made by journal.Open, so it has the schema the till
// writes, and the sales are then inserted in one transaction straight into
// its sales table: a hundred thousand Creates, each fsync'd, would take
// minutes. The sales have no event log and so no outbox rows; nothing that
// reads a day needs them.
package busyday

import (
	"database/sql"
	"fmt"
	"net/url"
	"time"

	"voucherpos/pos/journal"
)

// Write creates the journal at path (which must not exist) holding n sales
// spread over the local calendar day of day, in the till's currency ZAR:
// of every 20, 16 approved (one of them partly paid, one with a change
// voucher), 3 declined and 1 left unknown; providers 1Voucher and OTT in
// turn. secret is the journal's Kora secret (it derives no key for these
// rows: they store no phone number and no change PIN in clear or sealed
// but a dummy sealed box).
func Write(path string, day time.Time, n int, terminalID, secret string) error {
	j, err := journal.Open(path, journal.Options{Secret: secret})
	if err != nil {
		return err
	}
	if err := j.Close(); err != nil {
		return err
	}
	q := url.Values{}
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(OFF)")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	tx, err := db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	st, err := tx.Prepare(`INSERT INTO sales (reference, created_at, updated_at, terminal_id, status, currency,
		amount_requested, amount_charged, fee, vat, provider_code, provider_name, pin_last4, phone, email,
		kora_reference, voucher_serial, change_pin_enc, decline_kind, decline_message)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`)
	if err != nil {
		return err
	}
	defer st.Close()
	y, m, d := day.Date()
	from := time.Date(y, m, d, 0, 0, 0, 0, day.Location())
	step := 24 * time.Hour / time.Duration(max(n, 1))
	for i := range n {
		at := from.Add(time.Duration(i) * step).UTC()
		stamp := at.Format("2006-01-02T15:04:05.000000000Z")
		ref := fmt.Sprintf("%s-%s-%06d", terminalID, at.Format("20060102150405"), i)
		provider, name := "0001", "1Voucher"
		if i%2 == 1 {
			provider, name = "0002", "OTT"
		}
		requested := int64(1000 + (i%50)*25)
		status, charged, fee, vat := "approved", requested, requested*3/100, requested*3/100*15/100
		kind, msg, koraRef := "", "", fmt.Sprintf("KPY-VC-%08d", i)
		var box any
		switch i % 20 {
		case 17, 18, 19:
			status, charged, fee, vat, koraRef = "declined", 0, 0, 0, ""
			kind, msg = "invalid_pin", "Voucher pin invalid"
		case 16:
			status, charged, fee, vat, koraRef = "unknown", 0, 0, 0, ""
		case 5:
			charged = requested / 2
		case 9:
			box = []byte("not a real sealed box")
		}
		if _, err := st.Exec(ref, stamp, stamp, terminalID, status, "ZAR", requested, charged, fee, vat,
			provider, name, fmt.Sprintf("%04d", i%10000), "********4567", "till@example.com",
			koraRef, "", box, kind, msg); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	_, err = db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`)
	return err
}

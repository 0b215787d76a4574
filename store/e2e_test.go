package store_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"sort"
	"strings"
	"testing"
	"time"

	"voucherpos/internal/cli"
	"voucherpos/pos"
	"voucherpos/pos/storesync"
	"voucherpos/store"
)

// Three tills sell a day of every kind of sale through pos, ship their
// journals, and the store's Z-report equals the sum of theirs; its CSV
// is the tills' CSVs together.
func TestStoreReportEqualsTheTillsReports(t *testing.T) {
	st := startStore(t)
	var tills []*tillRig
	kinds := []string{"approved", "approved", "partly", "change", "declined", "approved", "unknown"}
	for i, id := range []string{"till-1", "till-2", "till-3"} {
		r := newTill(t, id, st.url, st.tokenFile(t, id))
		for _, k := range kinds[:len(kinds)-i] {
			r.sell(t, k)
		}
		tills = append(tills, r)
	}
	for _, r := range tills {
		waitSynced(t, r.svc, 30*time.Second)
	}
	assertReportsEqual(t, st.ledger, tills...)

	// The CSV: the till's columns, the same rows.
	if strings.Join(store.CSVHeader, ",") != strings.Join(cli.CSVHeader, ",") {
		t.Fatalf("store CSV header %v, till's %v", store.CSVHeader, cli.CSVHeader)
	}
	var storeCSV bytes.Buffer
	if err := st.ledger.WriteReportCSV(ctxT(t), &storeCSV, day0, ""); err != nil {
		t.Fatal(err)
	}
	var tillRows []string
	for _, r := range tills {
		sales, _ := r.svc.Day(ctxT(t), day0)
		var b bytes.Buffer
		cli.WriteReportCSV(&b, sales)
		tillRows = append(tillRows, csvRows(t, b.String())...)
	}
	storeRows := csvRows(t, storeCSV.String())
	sort.Strings(tillRows)
	sort.Strings(storeRows)
	if strings.Join(storeRows, "\n") != strings.Join(tillRows, "\n") {
		t.Fatalf("store CSV rows\n%s\ntills' rows\n%s", strings.Join(storeRows, "\n"), strings.Join(tillRows, "\n"))
	}
	// One till's report is that till's.
	one, err := st.ledger.Report(ctxT(t), day0, "till-2")
	if err != nil || len(one.Tills()) != 1 || one.Tills()[0] != "till-2" {
		t.Fatalf("--till till-2: %v %v", one.Tills(), err)
	}
	var text bytes.Buffer
	store.WriteReport(&text, "Main Street", one)
	if !strings.Contains(text.String(), "Till till-2") || !strings.Contains(text.String(), "change vouchers issued") {
		t.Fatalf("report text:\n%s", text.String())
	}
}

func csvRows(t testing.TB, s string) []string {
	t.Helper()
	recs, err := csv.NewReader(strings.NewReader(s)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range recs[1:] {
		out = append(out, strings.Join(r, ","))
	}
	return out
}

// A supervisor at till-2 finds a sale made at till-1, by reference and by
// PIN last 4 + amount; what the server holds has no PIN, change PIN or
// clear phone number.
func TestStoreLookupFromAnotherTill(t *testing.T) {
	st := startStore(t)
	a := newTill(t, "till-1", st.url, st.tokenFile(t, "till-1"))
	b := newTill(t, "till-2", st.url, st.tokenFile(t, "till-2"))
	sale := a.sell(t, "change")
	waitSynced(t, a.svc, 30*time.Second)
	got, events, err := b.svc.StoreSale(ctxT(t), sale.Reference)
	if err != nil {
		t.Fatal(err)
	}
	if got.TerminalID != "till-1" || got.Status != pos.Approved || got.Charged != sale.Charged || !got.HasChangePIN || len(events) < 2 {
		t.Fatalf("StoreSale = %+v (%d events)", got, len(events))
	}
	if got.ChangePIN != "" || got.Phone != "****4567" {
		t.Fatalf("StoreSale carries ChangePIN %q / phone %q", got.ChangePIN, got.Phone)
	}
	found, err := b.svc.StoreFind(ctxT(t), sale.PINLast4, sale.Requested)
	if err != nil || len(found) != 1 || found[0].Reference != sale.Reference {
		t.Fatalf("StoreFind = %+v, %v", found, err)
	}
	if _, _, err := b.svc.StoreSale(ctxT(t), "nope"); !errors.Is(err, storesync.ErrNotFound) {
		t.Fatalf("StoreSale(nope) = %v", err)
	}
	// Nothing on the server holds a PIN, the change PIN or the phone.
	changePIN, _ := a.svc.ChangePIN(ctxT(t), sale.Reference)
	if changePIN == "" {
		t.Fatal("no change PIN issued")
	}
	var dump string
	err = st.ledger.Pool().QueryRowContext(ctxT(t), `SELECT coalesce(string_agg(payload, ''), '') || coalesce((SELECT string_agg(s::text, '') FROM sales s), '') FROM events`).Scan(&dump)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{changePIN, "0821234567", "+27821234567", "821234567", "sk_test_"} {
		if strings.Contains(dump, secret) {
			t.Fatalf("the store server holds %q", secret)
		}
	}
}

var _ = context.Background

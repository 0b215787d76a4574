package store_test

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"voucherpos/pos"
	"voucherpos/pos/journal"
	"voucherpos/store"
	"voucherpos/store/pgtest"
	"voucherpos/syncwire"
)

// cutFor is how long each network fault lasts: a second by default,
// VOUCHERPOS_CUT (a duration) for the minutes-long runs.
func cutFor() time.Duration {
	if d, err := time.ParseDuration(os.Getenv("VOUCHERPOS_CUT")); err == nil && d > 0 {
		return d
	}
	return time.Second
}

// assertExactlyOnce: the server holds each of the till's events once (as
// many as its outbox has, no more) and each of its sales once.
func assertExactlyOnce(t testing.TB, l *store.Ledger, terminal, journalPath string) {
	t.Helper()
	j, err := journal.Open(journalPath, journal.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	head, err := j.OutboxHead(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	sales, err := j.List(ctxT(t), time.Time{}, time.Now().AddDate(10, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	var events, distinct, maxSeq, ssales int64
	err = l.Pool().QueryRowContext(ctxT(t), `SELECT count(*), count(DISTINCT seq), coalesce(max(seq), 0),
		(SELECT count(*) FROM sales WHERE terminal_id = $1) FROM events WHERE terminal_id = $1`, terminal).
		Scan(&events, &distinct, &maxSeq, &ssales)
	if err != nil {
		t.Fatal(err)
	}
	if events != head || distinct != head || maxSeq != head || ssales != int64(len(sales)) {
		t.Fatalf("%s: server holds %d events (%d distinct, max seq %d) and %d sales; the till has %d events and %d sales",
			terminal, events, distinct, maxSeq, ssales, head, len(sales))
	}
}

// A sale must not wait for the store server: each is done well inside
// this, whatever the network does.
const saleBudget = 3 * time.Second

func sellQuickly(t testing.TB, r *tillRig, kind string) pos.Sale {
	t.Helper()
	start := time.Now()
	s := r.sell(t, kind)
	if d := time.Since(start); d > saleBudget {
		t.Fatalf("a sale took %s with the store server away", d)
	}
	return s
}

// The network between till and server drops, stalls and resets (a proxy
// on 127.0.0.1), each for a while, then comes back: sales go on at the
// counter, the status says unreachable (since when), and afterwards the
// server holds every sale exactly once and the reports agree.
func TestFaultNetworkCutThenBack(t *testing.T) {
	st := startStore(t)
	px := newProxy(t, strings.TrimPrefix(st.url, "http://"))
	r := newTill(t, "till-1", "http://"+px.addr(), st.tokenFile(t, "till-1"))
	r.sell(t, "approved")
	waitSynced(t, r.svc, 30*time.Second)
	for _, m := range []int32{modeDrop, modeStall, modeReset} {
		t.Run(modeNames[m], func(t *testing.T) {
			px.set(m)
			cut := time.Now()
			var status pos.SyncStatus
			for i := 0; time.Since(cut) < cutFor() || i < 3; i++ {
				if i < 3 || i%10 == 0 {
					if s := sellQuickly(t, r, "approved"); s.Status != pos.Approved {
						t.Fatalf("sale %s", s.Status)
					}
				}
				r.svc.SyncNow()
				time.Sleep(50 * time.Millisecond)
				status = r.svc.SyncStatus()
			}
			// A stalled request ends at the uploader's timeout at the latest.
			deadline := time.Now().Add(20 * time.Second)
			for status.State != pos.SyncUnreachable && time.Now().Before(deadline) {
				time.Sleep(50 * time.Millisecond)
				status = r.svc.SyncStatus()
			}
			if status.State != pos.SyncUnreachable || status.Since.IsZero() || status.Waiting == 0 {
				t.Fatalf("status during the cut: %+v", status)
			}
			px.set(modePass)
			waitSynced(t, r.svc, 60*time.Second)
		})
	}
	assertExactlyOnce(t, st.ledger, "till-1", r.cfg.Journal.Path)
	assertReportsEqual(t, st.ledger, r)
}

// The store server, a real process, is killed (SIGKILL) again and again
// while a till ships a stream of sales, and started again on the same
// address: every sale ends on the server exactly once.
func TestFaultServerKilledDuringBatches(t *testing.T) {
	dbURL := pgtest.New(t)
	srv, addr := startServerChild(t, dbURL, "127.0.0.1:0")
	ctx := ctxT(t)
	pool, err := store.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	l := store.NewLedger(pool, nil)
	rig := &storeRig{ledger: l, url: "http://" + addr, dbURL: dbURL}
	r := newTill(t, "till-1", rig.url, rig.tokenFile(t, "till-1"))
	for kill := 0; kill < 3; kill++ {
		for i := 0; i < 40; i++ {
			sellQuickly(t, r, "approved")
		}
		// The uploader is mid-stream: kill the server under it.
		time.Sleep(time.Duration(5+kill*7) * time.Millisecond)
		srv.kill()
		for i := 0; i < 10; i++ {
			sellQuickly(t, r, "approved")
		}
		srv, _ = startServerChild(t, dbURL, addr)
		r.svc.SyncNow()
	}
	waitSynced(t, r.svc, 60*time.Second)
	assertExactlyOnce(t, l, "till-1", r.cfg.Journal.Path)
	assertReportsEqual(t, l, r)
}

// A till, a real process, is killed (SIGKILL) while it sells and ships;
// started again on the same journal it ships the rest, each event once.
func TestFaultTillKilledMidUpload(t *testing.T) {
	st := startStore(t)
	token := st.tokenFile(t, "till-k")
	path := filepath.Join(t.TempDir(), "journal.db")
	for round := 1; round <= 2; round++ {
		c := startChild(t, "VOUCHERPOS_STORE_CHILD=till", "VOUCHERPOS_CHILD_TERMINAL=till-k",
			"VOUCHERPOS_CHILD_JOURNAL="+path, "VOUCHERPOS_CHILD_STORE="+st.url, "VOUCHERPOS_CHILD_TOKEN="+token)
		for {
			n, _ := strconv.Atoi(c.waitLine(t, "SOLD ", 60*time.Second))
			if n >= 30*round {
				break
			}
		}
		c.kill()
	}
	r := &tillRig{cfg: tillConfig("till-k", "http://127.0.0.1:1/merchant", path, st.url, token), clock: &tickClock{}}
	r.open(t)
	waitSynced(t, r.svc, 60*time.Second)
	assertExactlyOnce(t, st.ledger, "till-k", path)
	assertReportsEqual(t, st.ledger, r)
}

// The database drops every session under the server (as a restart does:
// pg_terminate_backend) again and again while a till ships; the pool
// reconnects and every sale ends on the server once.
func TestFaultDatabaseRestartedUnderTheServer(t *testing.T) {
	st := startStore(t)
	r := newTill(t, "till-1", st.url, st.tokenFile(t, "till-1"))
	killed := 0
	for i := 0; i < 60; i++ {
		sellQuickly(t, r, "approved")
		if i%6 == 3 {
			killed += pgtest.TerminateBackends(t, st.dbURL)
		}
	}
	if killed == 0 {
		t.Log("no backend was connected when terminated (the test still checks recovery)")
	}
	waitSynced(t, r.svc, 60*time.Second)
	assertExactlyOnce(t, st.ledger, "till-1", r.cfg.Journal.Path)
	assertReportsEqual(t, st.ledger, r)
	if code, _ := httpGet(t, st.url+"/healthz"); code != 200 {
		t.Fatalf("healthz after the restarts: %d", code)
	}
}

func httpGet(t testing.TB, url string) (int, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(resp.Body)
	return resp.StatusCode, b.Bytes()
}

// A batch captured on the wire and sent again, whole or in part, changes
// nothing.
func TestFaultBatchReplayed(t *testing.T) {
	st := startStore(t)
	tokenPath := st.tokenFile(t, "till-1")
	r := newTill(t, "till-1", st.url, tokenPath)
	for i := 0; i < 5; i++ {
		r.sell(t, "approved")
	}
	waitSynced(t, r.svc, 30*time.Second)
	j, err := journal.Open(r.cfg.Journal.Path, journal.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	tok, _ := os.ReadFile(tokenPath)
	for _, from := range []int64{0, 3} {
		prev, events, _ := j.OutboxAfter(ctxT(t), from, 100)
		body, _ := json.Marshal(syncwire.Batch{Version: syncwire.Version, TerminalID: "till-1", PrevHash: prev, Head: int64(len(events)) + from, Events: events})
		for range 2 {
			req, _ := http.NewRequest("POST", st.url+"/v1/events", bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(string(tok)))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var ack syncwire.Ack
			json.NewDecoder(resp.Body).Decode(&ack)
			resp.Body.Close()
			if resp.StatusCode != 200 || ack.Stored != 0 {
				t.Fatalf("replay from %d: %d %+v", from, resp.StatusCode, ack)
			}
		}
	}
	assertExactlyOnce(t, st.ledger, "till-1", r.cfg.Journal.Path)
	assertReportsEqual(t, st.ledger, r)
}

// A journal edited by hand is caught: an event changed before it was
// shipped is refused (its hash no longer follows), and a journal replaced
// by another is a chain conflict, kept aside and shown by `server tills`.
// Either way the server keeps the true sales exactly once.
func TestFaultJournalEditedByHand(t *testing.T) {
	st := startStore(t)
	tokenPath := st.tokenFile(t, "till-1")
	px := newProxy(t, strings.TrimPrefix(st.url, "http://"))
	r := newTill(t, "till-1", "http://"+px.addr(), tokenPath)
	for i := 0; i < 3; i++ {
		r.sell(t, "approved")
	}
	waitSynced(t, r.svc, 30*time.Second)
	want, _ := tillReports(t, r)

	// 1. Offline, a sale is made, then its amount is edited in the file.
	px.set(modeDrop)
	r.sell(t, "approved")
	r.svc.Close()
	db, err := sql.Open("sqlite", r.cfg.Journal.Path)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`DROP TRIGGER outbox_append_only_update`,
		`UPDATE outbox SET payload = replace(payload, '"amount_charged":', '"amount_charged":9') WHERE seq = (SELECT max(seq) FROM outbox)`} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(q, err)
		}
	}
	db.Close()
	px.set(modePass)
	r.open(t)
	st2 := waitState(t, r.svc, pos.SyncRefused)
	if !strings.Contains(st2.Reason, "refused a batch") {
		t.Fatalf("edited journal: %+v", st2)
	}
	got, _ := tillReportsFromLedger(t, st.ledger)
	if fmt.Sprint(sortedMap(got)) != fmt.Sprint(sortedMap(want)) {
		t.Fatalf("after the edit the server holds %v, want the 3 true sales %v", sortedMap(got), sortedMap(want))
	}
	r.svc.Close()

	// 2. The journal is replaced by a new one with the same till's token.
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(r.cfg.Journal.Path + suffix)
	}
	r.open(t)
	r.sell(t, "approved")
	// Refused at once (the server holds more than this journal), then, once
	// the new journal's events are offered, a chain conflict.
	deadline := time.Now().Add(30 * time.Second)
	st3 := r.svc.SyncStatus()
	for !strings.Contains(st3.Reason, "chain conflict") && time.Now().Before(deadline) {
		r.svc.SyncNow()
		time.Sleep(50 * time.Millisecond)
		st3 = r.svc.SyncStatus()
	}
	if st3.State != pos.SyncRefused || !strings.Contains(st3.Reason, "chain conflict") {
		t.Fatalf("replaced journal: %+v", st3)
	}
	tills, err := st.ledger.Tills(ctxT(t))
	if err != nil || len(tills) != 1 || tills[0].Conflicts == 0 {
		t.Fatalf("tills = %+v, %v; want a chain conflict", tills, err)
	}
	var out bytes.Buffer
	store.WriteTills(&out, tills, zone)
	if !strings.Contains(out.String(), "CHAIN CONFLICT") {
		t.Fatalf("server tills:\n%s", out.String())
	}
	got, _ = tillReportsFromLedger(t, st.ledger)
	if fmt.Sprint(sortedMap(got)) != fmt.Sprint(sortedMap(want)) {
		t.Fatalf("after the replacement the server holds %v, want %v", sortedMap(got), sortedMap(want))
	}
}

func waitState(t testing.TB, svc *pos.Service, want pos.SyncState) pos.SyncStatus {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if st := svc.SyncStatus(); st.State == want {
			return st
		}
		svc.SyncNow()
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("state %v never came: %+v", want, svc.SyncStatus())
	return pos.SyncStatus{}
}

// tillReportsFromLedger is the server's report lines in lineKey form.
func tillReportsFromLedger(t testing.TB, l *store.Ledger) (map[lineKey]sums, store.Report) {
	t.Helper()
	rep, err := l.Report(ctxT(t), day0, "")
	if err != nil {
		t.Fatal(err)
	}
	got := map[lineKey]sums{}
	for _, ln := range rep.ByProvider() {
		got[lineKey{ln.ProviderCode, ln.Status}] = sums{ln.Count, ln.Requested, ln.Charged, ln.Fee, ln.VAT}
	}
	return got, rep
}

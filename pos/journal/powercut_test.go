package journal

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A till killed mid-write, over and over: a child process (this test binary,
// re-run) streams sales through the journal — pending, approved with a
// change voucher, declined, unknown then resolved — and reports each commit
// as it returns; the parent kills it with SIGKILL at a random moment, then
// opens the journal as the next start would. Every time the journal must
// open, pass SQLite's integrity check, hold every commit the child reported,
// and every row must be one consistent state with its event log.
//
// SIGKILL tests the atomicity of each transaction and the WAL's recovery; a
// real power cut also needs the disk to honour fsync (synchronous=FULL),
// which no test inside one machine can pull the plug on.
func TestKilledDuringWrites(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns child processes")
	}
	t.Parallel()
	path := filepath.Join(t.TempDir(), "data", "journal.db")
	rounds := 8
	if v := os.Getenv("VOUCHERPOS_POWERCUT_ROUNDS"); v != "" {
		fmt.Sscan(v, &rounds) // more kills, by hand
	}
	reported := map[string]string{} // reference → the last state the child reported committed
	total := 0
	for round := range rounds {
		cmd := exec.Command(os.Args[0], "-test.run=^TestKilledDuringWritesChild$")
		cmd.Env = append(os.Environ(), "VOUCHERPOS_POWERCUT_JOURNAL="+path, fmt.Sprintf("VOUCHERPOS_POWERCUT_ROUND=%d", round))
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Kill after a random number of commits: anywhere in a transaction.
		killAt := 5 + rand.IntN(150)
		lines := make(chan string, 64)
		go func() {
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				lines <- sc.Text()
			}
			close(lines)
		}()
		n := 0
		deadline := time.After(30 * time.Second)
	read:
		for n < killAt {
			select {
			case line, ok := <-lines:
				if !ok {
					break read
				}
				state, ref, found := strings.Cut(line, " ")
				if found && len(state) == 1 {
					reported[ref] = state
					n++
				}
			case <-deadline:
				cmd.Process.Kill()
				cmd.Wait()
				t.Fatalf("round %d: the child stalled after %d commits", round, n)
			}
		}
		cmd.Process.Kill() // SIGKILL: mid-transaction, most likely
		cmd.Wait()
		for line := range lines { // commits reported before the kill landed
			if state, ref, found := strings.Cut(line, " "); found && len(state) == 1 {
				reported[ref] = state
			}
		}
		if n < killAt {
			t.Fatalf("round %d: the child ended after %d commits, before its kill", round, n)
		}
		total = checkAfterKill(t, path, reported)
	}
	t.Logf("%d kills; the journal opened every time with %d sales at the end, each one consistent; all %d sales reported committed were there", rounds, total, len(reported))
}

// checkAfterKill opens the journal as the next start would and checks it.
func checkAfterKill(t *testing.T, path string, reported map[string]string) int {
	t.Helper()
	j, err := Open(path, Options{Secret: secret})
	if err != nil {
		t.Fatalf("the journal does not open after SIGKILL: %v", err)
	}
	defer j.Close()
	ctx := context.Background()
	var ok string
	if err := j.db.QueryRow(`PRAGMA integrity_check`).Scan(&ok); err != nil || ok != "ok" {
		t.Fatalf("integrity_check: %q %v", ok, err)
	}
	rows, err := j.List(ctx, time.Time{}, time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	byRef := map[string]Sale{}
	for _, s := range rows {
		byRef[s.Reference] = s
		checkConsistent(t, j, s)
	}
	for ref, state := range reported {
		s, found := byRef[ref]
		if !found {
			t.Fatalf("%s was committed (%s) but is not in the journal", ref, state)
		}
		want := map[string][]Status{
			"C": {Pending, Approved, Declined, Unknown},
			"A": {Approved}, "D": {Declined}, "U": {Unknown, Approved},
		}[state]
		if !hasStatus(want, s.Status) {
			t.Fatalf("%s was committed as %s but is %s", ref, state, s.Status)
		}
	}
	var orphans int
	j.db.QueryRow(`SELECT count(*) FROM events WHERE reference NOT IN (SELECT reference FROM sales)`).Scan(&orphans)
	if orphans != 0 {
		t.Fatalf("%d events without their sale", orphans)
	}
	return len(rows)
}

func hasStatus(list []Status, s Status) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// checkConsistent: a row is exactly one of the states a sale can be in,
// and its event log says how it got there.
func checkConsistent(t *testing.T, j *Journal, s Sale) {
	t.Helper()
	ev, err := j.Events(context.Background(), s.Reference)
	if err != nil {
		t.Fatal(err)
	}
	if len(ev) == 0 || ev[0].Kind != "created" {
		t.Fatalf("%s: event log %+v does not start with created", s.Reference, ev)
	}
	kinds := make([]string, len(ev))
	for i, e := range ev {
		kinds[i] = e.Kind
	}
	log := strings.Join(kinds, ",")
	switch s.Status {
	case Pending:
		if s.AmountCharged != 0 || s.KoraReference != "" || s.HasChangePIN || s.Checks != 0 || len(ev) != 1 {
			t.Fatalf("pending sale with an outcome: %+v (%s)", s, log)
		}
	case Unknown:
		if s.AmountCharged != 0 || s.HasChangePIN || s.Checks < 1 || !strings.HasSuffix(log, "checked") {
			t.Fatalf("unknown sale %+v (%s)", s, log)
		}
	case Approved:
		if s.AmountCharged <= 0 || s.KoraReference == "" || !s.HasChangePIN || s.DeclineKind != "" {
			t.Fatalf("approved sale %+v (%s)", s, log)
		}
		if pin, err := j.ChangePIN(context.Background(), s.Reference); err != nil || len(pin) != 16 {
			t.Fatalf("%s: change PIN %q %v", s.Reference, pin, err)
		}
		if !strings.HasSuffix(log, "charged") && !strings.HasSuffix(log, "queried") {
			t.Fatalf("approved sale's log %s", log)
		}
	case Declined:
		if s.AmountCharged != 0 || s.DeclineKind == "" || s.HasChangePIN || !strings.HasSuffix(log, "charged") {
			t.Fatalf("declined sale %+v (%s)", s, log)
		}
	default:
		t.Fatalf("%s: status %q", s.Reference, s.Status)
	}
}

// TestKilledDuringWritesChild is the till TestKilledDuringWrites kills. It
// writes until killed (at most a minute), printing "C|A|D|U reference" after
// each commit returns.
func TestKilledDuringWritesChild(t *testing.T) {
	path := os.Getenv("VOUCHERPOS_POWERCUT_JOURNAL")
	if path == "" {
		t.Skip("runs only as the power-cut test's child")
	}
	j, err := Open(path, Options{Secret: secret})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	round := os.Getenv("VOUCHERPOS_POWERCUT_ROUND")
	end := time.Now().Add(time.Minute)
	for i := 0; time.Now().Before(end); i++ {
		ref := fmt.Sprintf("r%s-%06d", round, i)
		now := time.Now().UTC()
		s := sale(ref)
		s.CreatedAt = now
		if err := j.Create(ctx, s); err != nil {
			t.Fatal(err)
		}
		fmt.Println("C", ref)
		approved := Outcome{Status: Approved, AmountCharged: 12050, Fee: 181, VAT: 27, KoraReference: "KPY-" + ref,
			VoucherSerial: "2025000001", VoucherBalance: 37950, HasBalance: true, VoucherExpiry: now.AddDate(3, 0, 0),
			ChangePIN: fmt.Sprintf("%016d", 1000000000000000+i), Event: "charged"}
		commit := func(state string, err error) {
			if err != nil {
				t.Fatal(err)
			}
			fmt.Println(state, ref)
		}
		switch i % 4 {
		case 0:
			commit("A", j.Record(ctx, ref, now, approved))
		case 1:
			commit("D", j.Record(ctx, ref, now, Outcome{Status: Declined, DeclineKind: "invalid_pin",
				DeclineMessage: "The voucher pin you have entered is invalid.", Event: "charged"}))
		case 2:
			commit("U", j.NoteCheck(ctx, ref, now, now.Add(time.Second), NoAnswer, "query failed"))
			approved.Event = "queried"
			commit("A", j.Record(ctx, ref, now, approved))
		case 3:
			// Left pending, as a sale whose answer never came.
		}
	}
	t.Fatal("the child was never killed")
}

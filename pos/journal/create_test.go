package journal

import (
	"os"
	"path/filepath"
	"testing"
)

// TestNewJournalIsWholeAndInWAL: create leaves nothing beside the journal
// it built, and the file is in WAL mode before the till first opens it (the
// file format bytes 18 and 19 are 2), so that open converts nothing.
func TestNewJournalIsWholeAndInWAL(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "journal.db")
	// What a create a crash interrupted left: cleared, not reused.
	for _, suffix := range []string{".new", ".new-journal", ".new-wal", ".new-shm"} {
		if err := os.WriteFile(path+suffix, []byte("left by a crash"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := create(path); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != "journal.db" {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Fatalf("beside the new journal: %v, want journal.db alone", names)
	}
	head := make([]byte, 100)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.ReadAt(head, 0); err != nil {
		t.Fatal(err)
	}
	if head[18] != 2 || head[19] != 2 {
		t.Fatalf("file format bytes %d %d, want 2 2 (WAL)", head[18], head[19])
	}
	if legacy, err := identify(path); err != nil || legacy {
		t.Fatalf("identify: legacy %v, %v", legacy, err)
	}
	j, err := Open(path, Options{Secret: secret})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	var mode string
	if err := j.db.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Fatalf("journal_mode %q, %v", mode, err)
	}
}

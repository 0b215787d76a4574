package sealbox

import "testing"

func TestSealOpenBoundToLabelAndKey(t *testing.T) {
	a, err := New("sk_test_a", "salt", "info")
	if err != nil {
		t.Fatal(err)
	}
	box, err := a.Seal("VP-1", "1234567890123456")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := a.Open("VP-1", box); err != nil || got != "1234567890123456" {
		t.Fatalf("Open = %q, %v", got, err)
	}
	if _, err := a.Open("VP-2", box); err == nil {
		t.Fatal("opened under another label")
	}
	other, _ := New("sk_test_a", "other salt", "info")
	if _, err := other.Open("VP-1", box); err == nil {
		t.Fatal("opened under another salt")
	}
	if _, err := a.Open("VP-1", box[:5]); err == nil {
		t.Fatal("opened a short box")
	}
	if _, err := New("", "s", "i"); err == nil {
		t.Fatal("an empty secret was accepted")
	}
}

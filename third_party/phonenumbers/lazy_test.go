package phonenumbers

// voucherpos fork: the metadata is decoded on first use (FORK.md).

import (
	"os"
	"os/exec"
	"sync"
	"testing"
)

// TestMetadataDecodedOnFirstUse runs in a fresh process, where nothing has
// parsed a number yet: the metadata must not be decoded by init, and the
// first uses, from several goroutines at once, must all see it whole.
func TestMetadataDecodedOnFirstUse(t *testing.T) {
	if os.Getenv("PHONENUMBERS_LAZY_CHILD") == "1" {
		if currentMetadata != nil || currShortNumberMetadataColl != nil {
			t.Fatal("metadata decoded before first use")
		}
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n, err := Parse("082 123 4567", "ZA")
				if err == nil && !IsValidNumber(n) {
					t.Error("082 123 4567 not valid in ZA")
				}
				if !IsEmergencyNumber("10111", "ZA") {
					t.Error("10111 is not an emergency number in ZA")
				}
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestMetadataDecodedOnFirstUse$", "-test.count=1")
	cmd.Env = append(os.Environ(), "PHONENUMBERS_LAZY_CHILD=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
}

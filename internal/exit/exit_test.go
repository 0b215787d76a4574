package exit

import (
	"errors"
	"fmt"
	"testing"
)

func TestCodesAndMessages(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	for _, tc := range []struct {
		err  error
		code int
		msg  string
	}{
		{nil, OK, ""},
		{boom, Failed, "boom"},
		{UsageError(boom), Usage, "boom"},
		{Fail(boom), Failed, "boom"},
		{fmt.Errorf("open: %w", UsageError(boom)), Usage, "open: boom"},
		{Quiet(Failed), Failed, ""},
		{Quiet(OK), OK, ""},
	} {
		if got := Code(tc.err); got != tc.code {
			t.Errorf("Code(%v) = %d, want %d", tc.err, got, tc.code)
		}
		if got := Message(tc.err); got != tc.msg {
			t.Errorf("Message(%v) = %q, want %q", tc.err, got, tc.msg)
		}
	}
}

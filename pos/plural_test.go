package pos

import "testing"

func TestCount(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want string
	}{{0, "0 sales"}, {1, "1 sale"}, {2, "2 sales"}, {-1, "-1 sale"}} {
		if got := Count(tc.n, "sale", "sales"); got != tc.want {
			t.Errorf("Count(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}

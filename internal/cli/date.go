package cli

import (
	"fmt"
	"strings"
	"time"
)

// ParseDay reads a --date value: YYYY-MM-DD, "today" or "yesterday", in
// the local time zone. "" is today.
func ParseDay(s string, now time.Time) (time.Time, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "today":
		return now, nil
	case "yesterday":
		return now.AddDate(0, 0, -1), nil
	}
	d, err := time.ParseInLocation("2006-01-02", strings.TrimSpace(s), now.Location())
	if err != nil {
		return time.Time{}, fmt.Errorf("date %q: use YYYY-MM-DD, today or yesterday", s)
	}
	return d, nil
}

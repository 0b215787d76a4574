package pos

import "strconv"

// Count writes a count with its noun in the right number: "1 sale",
// "2 sales", "0 sales".
func Count(n int, one, many string) string {
	if n == 1 || n == -1 {
		return strconv.Itoa(n) + " " + one
	}
	return strconv.Itoa(n) + " " + many
}

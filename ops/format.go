package ops

import (
	"fmt"
	"strconv"
	"time"
)

// thousands writes 1243 as 1,243.
func thousands(n int64) string {
	neg := n < 0
	if neg {
		n = -n
	}
	s := strconv.FormatInt(n, 10)
	out := make([]byte, 0, len(s)+len(s)/3)
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	if neg {
		return "-" + string(out)
	}
	return string(out)
}

// cents writes 8410 as "8,410 cents ($84.10)".
func cents(c int64) string {
	sign := ""
	abs := c
	if c < 0 {
		sign, abs = "-", -c
	}
	return fmt.Sprintf("%s cents (%s$%s.%02d)", thousands(c), sign, thousands(abs/100), abs%100)
}

// plural picks the singular or plural noun.
func plural(n int64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// clock writes a time of day in UTC, marked Z as everywhere in the console
// (issue 9 item 8: one time rule), for "open since 03:12:09Z".
func clock(t time.Time) string { return t.UTC().Format("15:04:05Z") }

// ago writes a rounded age.
func ago(d time.Duration) string {
	switch {
	case d < time.Minute:
		return d.Round(time.Second).String()
	case d < time.Hour:
		return d.Round(time.Second).String()
	default:
		return d.Round(time.Minute).String()
	}
}

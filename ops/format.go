package ops

import (
	"fmt"
	"time"

	"gatewayops/internal/numfmt"
)

// thousands writes 1243 as 1,243.
func thousands(n int64) string { return numfmt.Thousands(n) }

// cents writes 8410 as "8,410 cents ($84.10)".
func cents(c int64) string {
	return fmt.Sprintf("%s cents (%s)", thousands(c), numfmt.Dollars(c))
}

// plural picks the singular or plural noun.
func plural(n int64, one, many string) string { return numfmt.Plural(n, one, many) }

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

// Package numfmt writes the counts and amounts the console and the CLI
// show, the same way in both: 1,243, "1 community" and $1,243.05.
package numfmt

import (
	"fmt"
	"strconv"
)

// Thousands writes 1243 as 1,243.
func Thousands(n int64) string {
	neg := n < 0
	if neg {
		n = -n
	}
	s := strconv.FormatInt(n, 10)
	out := make([]byte, 0, len(s)+len(s)/3+1)
	if neg {
		out = append(out, '-')
	}
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	return string(out)
}

// Plural picks the singular or plural noun for n.
func Plural(n int64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// Count writes n and its noun: "1 community", "1,204 communities".
func Count(n int64, one, many string) string { return Thousands(n) + " " + Plural(n, one, many) }

// Dollars writes 124305 cents as $1,243.05 (negative: -$1,243.05).
func Dollars(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	return fmt.Sprintf("%s$%s.%02d", sign, Thousands(cents/100), cents%100)
}

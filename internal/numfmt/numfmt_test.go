package numfmt

import (
	"math"
	"testing"
)

func TestThousandsAndDollars(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 7: "7", 999: "999", 1000: "1,000", 1243: "1,243", 1_000_000: "1,000,000",
		-1243: "-1,243", -999: "-999", math.MaxInt64: "9,223,372,036,854,775,807"} {
		if got := Thousands(n); got != want {
			t.Errorf("Thousands(%d) = %q, want %q", n, got, want)
		}
	}
	for c, want := range map[int64]string{0: "$0.00", 5: "$0.05", 124305: "$1,243.05", 945000000: "$9,450,000.00", -124305: "-$1,243.05"} {
		if got := Dollars(c); got != want {
			t.Errorf("Dollars(%d) = %q, want %q", c, got, want)
		}
	}
	for n, want := range map[int64]string{0: "0 communities", 1: "1 community", 1204: "1,204 communities"} {
		if got := Count(n, "community", "communities"); got != want {
			t.Errorf("Count(%d) = %q, want %q", n, got, want)
		}
	}
}

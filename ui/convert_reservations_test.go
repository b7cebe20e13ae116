package ui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"gatewayops/gateway"
)

// At production size the Redis view's reservation lines still fit an
// 80-column terminal (78 inside its border-less pane, with room to spare)
// and read with separated thousands: the single line they were cut at
// "0 previo" at 80 columns even with nothing in Redis.
func TestReservationLinesFitEightyColumnsAtProductionSize(t *testing.T) {
	c := gateway.ReservationCounts{Communities: 1_204, Live: 4_812, Expired: 1_300_000, Orphaned: 9_700_000,
		PreviousMonth: 250_000, ReservedCents: 945_000_000, OldestExpiredAgeMs: 35 * 24 * 3600 * 1000}
	text := reservationsText(c)
	for _, want := range []string{"reservations by expiry time, 1,204 communities:",
		"  4,812 live, 1,300,000 expired (claimable), 9,700,000 orphaned",
		"reserved $9,450,000.00; 250,000 from earlier months; oldest expired"} {
		if !strings.Contains(text, want) {
			t.Errorf("want %q in\n%s", want, text)
		}
	}
	for _, line := range strings.Split(text, "\n") {
		if w := ansi.StringWidth(line); w > 78 {
			t.Errorf("%d columns: %q", w, line)
		}
	}
	if one := reservationsText(gateway.ReservationCounts{Communities: 1}); !strings.HasPrefix(one, "reservations by expiry time, 1 community:") {
		t.Errorf("one community: %q", one)
	}
}

package ui

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"gatewayops/gateway"
)

// TestRefreshShowsAlarmsWithoutWaitingForStatus holds the admin API's
// status answer until the refresh has returned. The refresh must come back
// with the status call still out (its request not cancelled), and the next
// refresh takes the answer.
func TestRefreshShowsAlarmsWithoutWaitingForStatus(t *testing.T) {
	d := reserveDeadAddresses(t)
	s, _ := startDeadStack(t, "staging", d)
	release := make(chan struct{})
	cancelled := make(chan bool, 1)
	serveOn(t, d.adminAddr, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "/status") {
			http.NotFound(w, r)
			return
		}
		<-release
		cancelled <- r.Context().Err() != nil
		st := gateway.Status{Environment: "staging", ServerTime: time.Now(),
			Reservations: gateway.ReservationCounts{Communities: 7, Live: 42}}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(st)
	}))
	ctx := context.Background()
	first, err := s.backend.Refresh(ctx)
	if err != nil {
		t.Fatal(err)
	}
	close(release) // only now may the status call answer
	if <-cancelled {
		t.Fatal("the refresh waited for the status call and cancelled it: the alarms were held back")
	}
	if strings.Contains(first.Redis, "42 live") {
		t.Fatalf("the first refresh already had the held-back status: %q", first.Redis)
	}
	// The answer is on its way; a following refresh takes it (each waits at
	// most statusGrace, so a slow machine only costs more rounds).
	var next Snapshot
	for range 20 {
		if next, err = s.backend.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(next.Redis, "7 communities, 42 live") {
			return
		}
	}
	t.Fatalf("no later refresh took the status answer: %q", next.Redis)
}

package ui

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"gatewayops/gateway"
)

// TestRefreshShowsAlarmsWithoutWaitingForStatus holds the admin API's
// status answer until a refresh that asked for it has returned. The refresh
// must come back after statusGrace with the status call still out (its
// request not cancelled), and the next refresh takes the answer. (The first
// refresh asks for no status at all: decisions.md 167.)
func TestRefreshShowsAlarmsWithoutWaitingForStatus(t *testing.T) {
	d := reserveDeadAddresses(t)
	s, _ := startDeadStack(t, "staging", d)
	release := make(chan struct{})
	cancelled := make(chan bool, 1)
	serveOn(t, d.adminAddr, heldStatus(release, cancelled))
	ctx := context.Background()
	if _, err := s.backend.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
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
		if strings.Contains(next.Redis, "7 communities:\n  42 live") {
			return
		}
	}
	t.Fatalf("no later refresh took the status answer: %q", next.Redis)
}

// heldStatus is an admin API whose status answers 7 communities and 42 live
// once release is closed; it reports to cancelled (when not nil) whether
// the call was cancelled by then. Other paths are 404.
func heldStatus(release <-chan struct{}, cancelled chan<- bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "/status") {
			http.NotFound(w, r)
			return
		}
		<-release
		if cancelled != nil {
			cancelled <- r.Context().Err() != nil
		}
		st := gateway.Status{Environment: "staging", ServerTime: time.Now(),
			Reservations: gateway.ReservationCounts{Communities: 7, Live: 42}}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(st)
	})
}

// TestLateStatusFailureIsAskedAgain: a status call that failed after its
// refresh gave up on it describes the admin API as it was then. The next
// refresh (the operator's after the outage ended) must not show that old
// failure: it asks again and shows the answer of now.
func TestLateStatusFailureIsAskedAgain(t *testing.T) {
	var f statusFetch
	release := make(chan struct{})
	outage := func(context.Context) (gateway.Status, error) {
		<-release
		return gateway.Status{}, errors.New("503: the gateway's Redis did not answer PING")
	}
	if _, ok := f.get(t.Context(), outage, statusGrace); ok {
		t.Fatal("the refresh took an answer the call had not given")
	}
	close(release)
	late := <-f.pending // the outage answer is in before the next refresh
	f.pending <- late

	asked := 0
	recovered := func(context.Context) (gateway.Status, error) {
		asked++
		return gateway.Status{Reservations: gateway.ReservationCounts{Live: 42}}, nil
	}
	r, ok := f.get(t.Context(), recovered, statusGrace)
	if !ok || r.err != nil || r.v.Reservations.Live != 42 {
		t.Fatalf("the refresh after the outage showed %+v (answered %v), want the recovered status", r, ok)
	}
	if asked != 1 {
		t.Fatalf("status asked %d times after the late failure, want 1", asked)
	}
}

package adminserver_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"gatewayops/gateway"
	"gatewayops/gateway/adminserver"
	"gatewayops/gateway/admintest"
	"gatewayops/gateway/sim"
	"gatewayops/internal/testclock"
)

// TestSummaryOfEveryCommunityUsesAFreshBackgroundIndex: GET
// /reservations/summary of every community reads through the background key
// index while it is at most 30 s old (no SCAN, the same figures as a walk),
// so a community created since is missing until then; after that it walks.
func TestSummaryOfEveryCommunityUsesAFreshBackgroundIndex(t *testing.T) {
	clock, srv := preloadedSummaryServer(t)
	ctx := context.Background()
	want, err := srv.Store.ReservationSummary(ctx, "", 500)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Admin.RefreshSummary(ctx); err != nil {
		t.Fatal(err)
	}
	c := gateway.NewClient(srv.URL, gateway.ClientOptions{APIKey: admintest.Key})
	summary := func() (gateway.ReservationSummary, int64) {
		t.Helper()
		if err := srv.RDB.ConfigResetStat(ctx).Err(); err != nil {
			t.Fatal(err)
		}
		sum, err := c.ReservationSummary(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		return sum, commandCalls(t, srv.RDB)["scan"]
	}
	got, scans := summary()
	if scans != 0 {
		t.Fatalf("the summary sent %d SCANs with a fresh background index", scans)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("through the index\n got %+v\nwant %+v (a walk's)", got, want)
	}
	if _, err := sim.New(srv.Store, sim.Config{Communities: []string{"c3"}, Seed: 2}).Preload(ctx, 10, 0); err != nil {
		t.Fatal(err)
	}
	clock.Advance(30 * time.Second)
	if got, scans = summary(); scans != 0 || len(got.Communities) != 2 {
		t.Fatalf("index 30 s old: %d SCANs, %d communities; want 0 and 2 (c3 is newer than the index)", scans, len(got.Communities))
	}
	clock.Advance(time.Second)
	if got, scans = summary(); scans == 0 || len(got.Communities) != 3 || got.Communities[2].Live != 10 {
		t.Fatalf("index 31 s old: %d SCANs, communities %+v; want a walk that finds c3's 10 live", scans, got.Communities)
	}
}

// preloadedSummaryServer is the reference admin server on a test clock over
// a Redis preloaded with 500 reservations in communities c1 and c2 (10 %
// stale), as the summary tests start.
func preloadedSummaryServer(t *testing.T) (*testclock.Clock, *admintest.Server) {
	t.Helper()
	clock := testclock.New(time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC))
	srv := admintest.Start(t, admintest.Options{Now: clock.Now,
		Config: func(c *adminserver.Config) { c.KeyLimitInProcess = true }})
	if _, err := sim.New(srv.Store, sim.Config{Communities: []string{"c1", "c2"}, Seed: 1}).Preload(context.Background(), 500, 0.10); err != nil {
		t.Fatal(err)
	}
	return clock, srv
}

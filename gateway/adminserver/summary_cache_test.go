package adminserver_test

import (
	"context"
	"reflect"
	"testing"

	"gatewayops/gateway"
	"gatewayops/gateway/admintest"
	"gatewayops/gateway/sim"
)

// TestSummaryRoundsAfterTheFirstAreWarm: the background round and GET
// /reservations/summary of every community go through the summary cache
// (decision 160): after the first round fills it, neither reads a page of
// hashes (no SORT_RO), and both give what a cold summary gives.
func TestSummaryRoundsAfterTheFirstAreWarm(t *testing.T) {
	_, srv := preloadedSummaryServer(t)
	ctx := context.Background()
	if err := srv.Admin.RefreshSummary(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := sim.New(srv.Store, sim.Config{Communities: []string{"c1"}, Seed: 2}).Preload(ctx, 20, 0); err != nil {
		t.Fatal(err)
	}
	if err := srv.RDB.ConfigResetStat(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	if err := srv.Admin.RefreshSummary(ctx); err != nil {
		t.Fatal(err)
	}
	c := gateway.NewClient(srv.URL, gateway.ClientOptions{APIKey: admintest.Key})
	got, err := c.ReservationSummary(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if pages := commandCalls(t, srv.RDB)["sort_ro"]; pages != 0 {
		t.Fatalf("a background round and a summary after the first round read %d pages of hashes", pages)
	}
	want, err := srv.Store.ReservationSummary(ctx, "", 500)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) || got.Totals.Live != want.Totals.Live || want.Totals.Live == 0 {
		t.Fatalf("warm\n got %+v\nwant %+v (cold)", got, want)
	}
}

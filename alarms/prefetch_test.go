package alarms_test

import (
	"context"
	"testing"
	"time"

	"gatewayops/alarms"
	"gatewayops/alarms/cwlocal"
)

// sumCalls is every CloudWatch call the local service answered.
func sumCalls(svc *cwlocal.Service) int {
	n := 0
	for _, c := range svc.Calls() {
		n += c
	}
	return n
}

// TestPrefetchIsTheNextRefresh: Prefetch polls once in the background (the
// console starts it as soon as the session and catalog are ready); the
// next Refresh returns that poll's snapshot and asks CloudWatch nothing,
// and the one after polls again.
func TestPrefetchIsTheNextRefresh(t *testing.T) {
	svc, url := cwlocal.StartForTest(t)
	cat := manyAlarms(30)
	if err := svc.ProvisionCatalog(cat); err != nil {
		t.Fatal(err)
	}
	poller := alarms.NewPoller(newSource(t, url, "arrakis-test-"), cat, alarms.PollerOptions{FastStart: true})
	<-poller.Prefetch(context.Background(), time.Minute)
	asked := sumCalls(svc)
	first := poller.Refresh(context.Background())
	if asked == 0 || len(first.Alarms) != 30 {
		t.Fatalf("the prefetched refresh asked CloudWatch %d times and has %d alarms; want some calls and 30", asked, len(first.Alarms))
	}
	if h := first.Health[alarms.BackendCloudWatch]; h.Stale || h.Calls != asked {
		t.Fatalf("the prefetched snapshot's health is %+v; want fresh, counting the %d calls", h, asked)
	}
	if sumCalls(svc) != asked {
		t.Fatal("Refresh polled again instead of returning the prefetch")
	}
	poller.Refresh(context.Background())
	if sumCalls(svc) == asked {
		t.Fatal("the Refresh after the prefetched one did not poll")
	}
}

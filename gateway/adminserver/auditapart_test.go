package adminserver_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"gatewayops/gateway"
	"gatewayops/gateway/adminserver"
)

// fromAddr is an HTTP client whose connections come from 127.0.0.n.
func fromAddr(n int) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, byte(n/250), byte(1+n%250))}}
	return &http.Client{Transport: &http.Transport{DialContext: d.DialContext, DisableKeepAlives: true}}
}

// TestKeylessFloodNeverEvictsWriteRecords: key-less and bad-key requests
// from 300 loopback addresses, interleaved with on-call writes. Every write
// record stays, with gap-free ids 1..n; every failure is counted in the auth
// aggregates, one record per source; the valid key is never refused.
func TestKeylessFloodNeverEvictsWriteRecords(t *testing.T) {
	f := newFixture(t, nil)
	const sources, perSource, writes = 300, 3, 6
	w := 0
	for i := range sources {
		for j := range perSource {
			req, _ := http.NewRequest("GET", f.ts.URL+gateway.APIPrefix+"/flags", nil)
			if j == 1 {
				req.Header.Set(gateway.HeaderAPIKey, "gwk-guess")
			}
			resp, err := fromAddr(i).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized && resp.StatusCode != http.StatusForbidden {
				t.Fatalf("source %d: %d", i, resp.StatusCode)
			}
		}
		if i%(sources/writes) == 0 {
			w++
			r := f.do(call{method: "PUT", path: "/flags/agent_enabled", body: fmt.Sprintf(`{"enabled":%v}`, w%2 == 0),
				headers: writeHeaders(fmt.Sprint("flood-", w))})
			if r.status != http.StatusOK {
				t.Fatalf("write %d during the flood: %d %s", w, r.status, r.body)
			}
		}
	}
	recs := f.auditRecords()
	if len(recs) != writes {
		t.Fatalf("%d write records kept, want all %d", len(recs), writes)
	}
	for i, rec := range recs {
		if want := fmt.Sprint(writes - i); rec.ID != want || rec.Action != "flags.set" {
			t.Fatalf("record %d: id %s action %s, want id %s (gap-free, newest first)", i, rec.ID, rec.Action, want)
		}
	}
	auth := f.authRecords()
	if len(auth) != sources || authCount(auth) != sources*perSource {
		t.Fatalf("auth aggregates: %d records counting %d, want %d records counting %d", len(auth), authCount(auth), sources, sources*perSource)
	}
}

// TestPerKeyLimitHoldsAcrossReplicas: two admin servers over one Redis share
// the per-key budget; while Redis is down each falls back to its own.
func TestPerKeyLimitHoldsAcrossReplicas(t *testing.T) {
	f := newFixture(t, func(c *adminserver.Config) { c.RateLimitPerMinute = 3 })
	key, err := adminserver.NewKey(testKeyName, testKey)
	if err != nil {
		t.Fatal(err)
	}
	second, err := adminserver.New(adminserver.Config{Store: gateway.NewStore(f.rdb, gateway.StoreOptions{}), Redis: f.rdb,
		Keys: []adminserver.Key{key}, Environment: "staging", RateLimitPerMinute: 3, Now: f.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	ts2 := httptest.NewServer(second.Handler())
	defer ts2.Close()
	get := func(base string) int {
		req, _ := http.NewRequest("GET", base+gateway.APIPrefix+"/flags", nil)
		req.Header.Set(gateway.HeaderAPIKey, testKey)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	got := []int{get(f.ts.URL), get(ts2.URL), get(f.ts.URL), get(ts2.URL)}
	if fmt.Sprint(got) != "[200 200 200 429]" {
		t.Fatalf("four requests over two replicas at 3/min: %v, want [200 200 200 429]", got)
	}
	if n := f.rdb.Exists(context.Background(), "rate:gatewayops:key:"+testKeyName).Val(); n != 1 {
		t.Fatal("the per-key limit is not in Redis")
	}
	// Redis down: the limit still holds, per replica, in process.
	f.redis.Kill()
	statuses := []int{get(ts2.URL), get(ts2.URL), get(ts2.URL), get(ts2.URL)}
	if statuses[3] != http.StatusTooManyRequests || statuses[0] != http.StatusServiceUnavailable {
		t.Fatalf("with Redis down: %v, want three 503 then 429", statuses)
	}
}

// TestDryRunsAndReplaysAreAuditedAsSuch.
func TestDryRunsAndReplaysAreAuditedAsSuch(t *testing.T) {
	f := newFixture(t, nil)
	dry := call{method: "POST", path: "/reservations/drain", body: `{"dryRun":true}`, headers: writeHeaders("dry-1")}
	if r := f.do(dry); r.status != http.StatusOK {
		t.Fatalf("dry run: %d %s", r.status, r.body)
	}
	dry.headers = map[string]string{gateway.HeaderOperator: "bob", gateway.HeaderIdempotencyKey: "dry-1"}
	if r := f.do(dry); r.status != http.StatusOK || r.header.Get(gateway.HeaderReplayed) != "true" {
		t.Fatalf("replay: %d %s", r.status, r.body)
	}
	recs := f.auditRecords()
	if len(recs) != 2 {
		t.Fatalf("%d records", len(recs))
	}
	if !recs[1].DryRun || recs[1].Operator != "alice" || recs[1].Replayed {
		t.Errorf("dry run record %+v, want dryRun by alice", recs[1])
	}
	if !recs[0].Replayed || recs[0].Operator != "bob" || !strings.Contains(recs[0].Detail, "replay") {
		t.Errorf("replay record %+v, want replayed by bob", recs[0])
	}
}

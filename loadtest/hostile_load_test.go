package loadtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gatewayops/gateway"
	"gatewayops/gateway/adminserver"
	"gatewayops/gateway/redisproc"
)

// TestLoadHostileRound: key-less and bad-key floods from 340 loopback
// addresses while three on-call keys write at a pace within the contract's
// 30 requests per minute. Every write record must be kept, no valid request
// may be refused (429), and the latency of valid requests is reported.
func TestLoadHostileRound(t *testing.T) {
	p := params(loadParams{clients: 64, duration: 20 * time.Second}, loadParams{clients: 8, duration: 2 * time.Second})
	const sources, oncall, writesPerKey = 340, 3, 8
	_, rdb := redisproc.ForTest(t)
	var keys []adminserver.Key
	var secrets []string
	for i := range oncall {
		secret := fmt.Sprintf("gwk-oncall-%d-0123456789abcdef", i)
		k, err := adminserver.NewKey(fmt.Sprint("oncall", i), secret)
		if err != nil {
			t.Fatal(err)
		}
		keys, secrets = append(keys, k), append(secrets, secret)
	}
	srv, err := adminserver.New(adminserver.Config{Store: gateway.NewStore(rdb, gateway.StoreOptions{}), Redis: rdb,
		Keys: keys, Environment: "staging", RateLimitPerMinute: adminserver.DefaultRateLimitPerMinute})
	if err != nil {
		t.Fatal(err)
	}
	api := httptest.NewServer(srv.Handler())
	defer api.Close()
	deadline := time.Now().Add(p.duration)

	var hostile, hostileLimited atomic.Int64
	var wg sync.WaitGroup
	for g := range p.clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := g; time.Now().Before(deadline); n += p.clients {
				if flood(api.URL, n%sources, n%2 == 0) == http.StatusTooManyRequests {
					hostileLimited.Add(1)
				}
				hostile.Add(1)
			}
		}()
	}
	tallies := make([]adminTally, oncall)
	for i := range oncall {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := gateway.NewClient(api.URL, gateway.ClientOptions{APIKey: secrets[i], Operator: "oncall", MaxRetries: -1})
			for w := range writesPerKey {
				start := time.Now()
				_, err := c.SetFlag(context.Background(), "agent_enabled", w%2 == 0, gateway.NewIdempotencyKey())
				var apiErr *gateway.APIError
				switch {
				case err == nil:
					tallies[i].ok++
					tallies[i].writes++
					tallies[i].latencies = append(tallies[i].latencies, time.Since(start))
				case errors.As(err, &apiErr) && apiErr.Status == http.StatusTooManyRequests:
					tallies[i].limited++
				default:
					tallies[i].failures = append(tallies[i].failures, err.Error())
				}
				time.Sleep(p.duration / writesPerKey) // a pace within 30 per minute
			}
		}()
	}
	wg.Wait()
	total := sumTallies(t, tallies)
	kept, err := rdb.LLen(context.Background(), adminserver.AuditKey).Result()
	if err != nil {
		t.Fatal(err)
	}
	line := fmt.Sprintf("LOAD hostile sources=%d flood_clients=%d seconds=%.0f hostile=%d hostile_429=%d writes=%d write_records_kept=%d valid_429=%d",
		sources, p.clients, p.duration.Seconds(), hostile.Load(), hostileLimited.Load(), total.writes, kept, total.limited)
	sortDurations(total.latencies)
	if n := len(total.latencies); n > 0 {
		line += fmt.Sprintf(" valid_p50=%s valid_p99=%s valid_max=%s", percentile(total.latencies, 50).Round(time.Microsecond),
			percentile(total.latencies, 99).Round(time.Microsecond), total.latencies[n-1].Round(time.Microsecond))
	}
	t.Log(line)
	fmt.Println(line)
	if total.limited != 0 {
		t.Errorf("%d valid requests refused with 429 within the contract's rate", total.limited)
	}
	if int(kept) != total.writes || total.writes != oncall*writesPerKey {
		t.Errorf("write records kept %d, writes %d, want all %d", kept, total.writes, oncall*writesPerKey)
	}
}

// flood sends one key-less (or bad-key) request from 127.0.0.(2+src%250).
func flood(base string, src int, badKey bool) int {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, byte(1+src/250), 0, byte(2+src%250))}}
	c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DialContext: d.DialContext, DisableKeepAlives: true}}
	req, _ := http.NewRequest("GET", base+gateway.APIPrefix+"/flags", nil)
	if badKey {
		req.Header.Set(gateway.HeaderAPIKey, "gwk-guess-0123456789")
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

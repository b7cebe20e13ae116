package loadtest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"gatewayops/gateway"
	"gatewayops/gateway/adminserver"
	"gatewayops/gateway/redisproc"
)

// adminTally is one client's count of outcomes and its latencies.
type adminTally struct {
	ok, limited, writes int
	latencies           []time.Duration
	failures            []string
}

// TestLoadAdminServer runs many concurrent typed clients (each with its own
// connection pool) against the real admin server over a real redis-server for
// a fixed time: a mix of every read and one write in ten. Most clients have
// their own API key under a generous limit; the last noisyClients share one
// key, so the limiter has someone to refuse in a long round. The only error
// allowed is 429 from the limiter, which must carry Retry-After; every write
// that succeeded must be audited exactly once. Percentiles are of the
// successful requests (a 429 costs the server almost nothing).
func TestLoadAdminServer(t *testing.T) {
	p := params(loadParams{clients: 200, duration: 30 * time.Second}, loadParams{clients: 20, duration: time.Second})
	const noisyClients = 20
	keysN := p.clients - noisyClients + 1
	_, rdb := redisproc.ForTest(t)
	store := gateway.NewStore(rdb, gateway.StoreOptions{})
	var keys []adminserver.Key
	var secrets []string
	for i := range keysN {
		secret := fmt.Sprintf("gwk-load-%02d-0123456789abcdef", i)
		k, err := adminserver.NewKey("load"+strconv.Itoa(i), secret)
		if err != nil {
			t.Fatal(err)
		}
		keys, secrets = append(keys, k), append(secrets, secret)
	}
	srv, err := adminserver.New(adminserver.Config{Store: store, Redis: rdb, Keys: keys, Environment: "staging",
		RateLimitPerMinute: 1200})
	if err != nil {
		t.Fatal(err)
	}
	api := httptest.NewServer(srv.Handler())
	defer api.Close()

	// Requests run to completion on a background context (the server
	// finishes a write even if its client leaves, so a cancelled request
	// would leave its outcome unknown); the round ends at the deadline
	// between requests.
	deadline := time.Now().Add(p.duration)
	tallies := make([]adminTally, p.clients)
	var wg sync.WaitGroup
	for i := range p.clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := gateway.NewClient(api.URL, gateway.ClientOptions{APIKey: secrets[min(i, keysN-1)], Operator: "load",
				MaxRetries: -1, HTTPClient: &http.Client{Timeout: 30 * time.Second}})
			runAdminClient(c, i, deadline, &tallies[i])
		}()
	}
	wg.Wait()
	total := sumTallies(t, tallies)
	if total.ok == 0 {
		t.Fatal("no request succeeded")
	}
	if seq, err := rdb.Get(context.Background(), adminserver.AuditSeqKey).Int(); err != nil || seq != total.writes {
		t.Fatalf("audit holds %d write records (%v), want the %d successful writes", seq, err, total.writes)
	}
	reportLatency(t, "admin-server", p, total)
}

// runAdminClient loops over the request mix until the deadline.
func runAdminClient(c *gateway.Client, id int, deadline time.Time, tally *adminTally) {
	ctx := context.Background()
	for n := 0; time.Now().Before(deadline); n++ {
		start := time.Now()
		write := n%10 == 9
		var err error
		switch {
		case write:
			_, err = c.SetFlag(ctx, "byok_enabled", n%20 == 9, gateway.NewIdempotencyKey())
		case n%4 == 0:
			_, err = c.Status(ctx)
		case n%4 == 1:
			_, err = c.Flags(ctx)
		case n%4 == 2:
			_, err = c.ReservationSummary(ctx, "")
		default:
			_, err = c.Breakers(ctx)
		}
		took := time.Since(start)
		var apiErr *gateway.APIError
		switch {
		case err == nil:
			tally.ok++
			tally.latencies = append(tally.latencies, took)
			if write {
				tally.writes++
			}
		case errors.As(err, &apiErr) && apiErr.Status == http.StatusTooManyRequests &&
			apiErr.Code == gateway.CodeRateLimited && apiErr.RetryAfter > 0:
			tally.limited++
			// A well-behaved client waits as told, rather than spinning on
			// cheap refusals that would crowd out the real work measured.
			time.Sleep(min(apiErr.RetryAfter, time.Until(deadline)))
		default:
			if len(tally.failures) < 3 {
				tally.failures = append(tally.failures, fmt.Sprintf("client %d request %d: %v", id, n, err))
			}
		}
	}
}

func sumTallies(t *testing.T, tallies []adminTally) adminTally {
	t.Helper()
	var total adminTally
	for _, tl := range tallies {
		total.ok += tl.ok
		total.limited += tl.limited
		total.writes += tl.writes
		total.latencies = append(total.latencies, tl.latencies...)
		total.failures = append(total.failures, tl.failures...)
	}
	if len(total.failures) > 0 {
		t.Fatalf("%d failures other than 429, first: %v", len(total.failures), total.failures)
	}
	return total
}

// reportLatency logs the percentiles and prints the LOAD line scripts grep.
func reportLatency(t *testing.T, name string, p loadParams, total adminTally) {
	sortDurations(total.latencies)
	n := len(total.latencies)
	line := fmt.Sprintf("LOAD %s clients=%d seconds=%.0f ok=%d 429=%d writes=%d ok_per_s=%.0f ok_p50=%s ok_p90=%s ok_p99=%s ok_max=%s",
		name, p.clients, p.duration.Seconds(), total.ok, total.limited, total.writes, float64(n)/p.duration.Seconds(),
		percentile(total.latencies, 50).Round(time.Microsecond), percentile(total.latencies, 90).Round(time.Microsecond),
		percentile(total.latencies, 99).Round(time.Microsecond),
		total.latencies[n-1].Round(time.Microsecond))
	t.Log(line)
	fmt.Println(line)
}

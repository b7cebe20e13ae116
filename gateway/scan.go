package gateway

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// Bounds of the adaptive SCAN COUNT. One SCAN call blocks Redis for the
// buckets it walks plus the keys it returns: at COUNT 1000 a sparse page cost
// 0.6-0.7 ms here and a dense one 1.4-2.9 ms (issue 12), so a fixed COUNT is
// either too many round trips for a sparse pattern or too long a stall for a
// dense one. Each call's COUNT is scaled so that the call takes about
// scanTarget.
const (
	scanCountMin = 100
	scanCountMax = 5000
	// scanTarget is what one SCAN call should cost: under the 1.5 ms stall
	// bound with room for a round trip and a busy machine.
	scanTarget = 700 * time.Microsecond
)

// adaptiveScan walks one SCAN MATCH pattern, choosing each call's COUNT from
// how long the previous call took and how many keys it returned.
type adaptiveScan struct {
	pattern  string
	cursor   uint64
	count    int64
	finished bool
	calls    int
}

func newAdaptiveScan(pattern string) *adaptiveScan {
	return &adaptiveScan{pattern: pattern, count: scanCount}
}

func (a *adaptiveScan) done() bool { return a.finished }

// next runs one SCAN call and returns its keys.
func (a *adaptiveScan) next(ctx context.Context, rdb redis.UniversalClient) ([]string, error) {
	start := time.Now()
	keys, cursor, err := rdb.Scan(ctx, a.cursor, a.pattern, a.count).Result()
	if err != nil {
		return nil, fmt.Errorf("scan %s: %w", a.pattern, err)
	}
	a.calls++
	a.count = nextScanCount(a.count, len(keys), time.Since(start))
	a.cursor = cursor
	a.finished = cursor == 0
	return keys, nil
}

// nextScanCount scales count towards scanTarget by the time the last call
// took (at most halving or growing by half per call, so one slow round trip
// on a busy machine does not swing it), and keeps a page that returned keys
// for most of the buckets it walked (a dense pattern, whose reply is the
// expensive part) at most 1000 buckets.
func nextScanCount(count int64, returned int, took time.Duration) int64 {
	ratio := float64(scanTarget) / float64(max(took, time.Microsecond))
	ratio = min(max(ratio, 0.5), 1.5)
	next := int64(float64(count) * ratio)
	if int64(returned) > count/2 {
		next = min(next, scanCount)
	}
	return min(max(next, scanCountMin), scanCountMax)
}

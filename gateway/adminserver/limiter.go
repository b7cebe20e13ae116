package adminserver

import (
	"math"
	"sync"
	"time"
)

// maxBuckets bounds the limiter's memory; when reached, buckets that have
// refilled completely (and so carry no state) are dropped.
const maxBuckets = 10000

// limiter is a token bucket per caller: perMinute tokens, refilled evenly,
// so a caller may burst up to perMinute requests and then one every
// minute/perMinute.
type limiter struct {
	perMinute int
	now       func() time.Time
	mu        sync.Mutex
	buckets   map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newLimiter(perMinute int, now func() time.Time) *limiter {
	return &limiter{perMinute: perMinute, now: now, buckets: map[string]*bucket{}}
}

// allow takes one token for caller; when none is left it returns how long
// until one will be.
func (l *limiter) allow(caller string) (ok bool, retryAfter time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	capacity := float64(l.perMinute)
	ratePerSec := capacity / 60
	b, found := l.buckets[caller]
	if !found {
		if len(l.buckets) >= maxBuckets {
			l.prune(now, capacity, ratePerSec)
		}
		b = &bucket{tokens: capacity, last: now}
		l.buckets[caller] = b
	}
	if elapsed := now.Sub(b.last).Seconds(); elapsed > 0 {
		b.tokens = math.Min(capacity, b.tokens+elapsed*ratePerSec)
	}
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	wait := (1 - b.tokens) / ratePerSec
	return false, time.Duration(math.Ceil(wait)) * time.Second
}

// exhausted reports whether caller has no token left, without taking one.
func (l *limiter) exhausted(caller string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, found := l.buckets[caller]
	if !found {
		return false
	}
	refilled := b.tokens + l.now().Sub(b.last).Seconds()*float64(l.perMinute)/60
	return refilled < 1
}

func (l *limiter) prune(now time.Time, capacity, ratePerSec float64) {
	for k, b := range l.buckets {
		if b.tokens+now.Sub(b.last).Seconds()*ratePerSec >= capacity {
			delete(l.buckets, k)
		}
	}
}

package adminserver

import (
	"fmt"
	"sort"
	"sync"
	"time"

	"gatewayops/gateway"
)

// maxAuthSources bounds the sources one minute's aggregate keeps in memory;
// beyond it, failures are counted under the source "other".
const maxAuthSources = 1000

// authFailures aggregates failed authentications per source address per
// minute in process, so a key-less flood costs one audit record per source
// and minute, never one Redis write per request.
type authFailures struct {
	mu     sync.Mutex
	now    func() time.Time
	minute time.Time
	bySrc  map[string]*authAgg
}

type authAgg struct {
	count      int
	byStatus   map[int]int
	lastAction string // METHOD path of the latest failure
}

func newAuthFailures(now func() time.Time) *authFailures {
	return &authFailures{now: now, bySrc: map[string]*authAgg{}}
}

// add counts one failure; it returns the records of earlier minutes that are
// now complete, for the caller to write.
func (a *authFailures) add(source string, status int, what string) []gateway.AuditRecord {
	a.mu.Lock()
	defer a.mu.Unlock()
	minute := a.now().UTC().Truncate(time.Minute)
	var done []gateway.AuditRecord
	if !minute.Equal(a.minute) {
		done = a.takeLocked()
		a.minute = minute
	}
	agg, ok := a.bySrc[source]
	if !ok {
		if len(a.bySrc) >= maxAuthSources {
			source = "other"
			agg = a.bySrc[source]
		}
		if agg == nil {
			agg = &authAgg{byStatus: map[int]int{}}
			a.bySrc[source] = agg
		}
	}
	agg.count++
	agg.byStatus[status]++
	agg.lastAction = what
	return done
}

// take returns the current minute's aggregates so far and starts afresh.
func (a *authFailures) take() []gateway.AuditRecord {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.takeLocked()
}

func (a *authFailures) takeLocked() []gateway.AuditRecord {
	srcs := make([]string, 0, len(a.bySrc))
	for s := range a.bySrc {
		srcs = append(srcs, s)
	}
	sort.Strings(srcs)
	out := make([]gateway.AuditRecord, 0, len(srcs))
	for _, src := range srcs {
		agg := a.bySrc[src]
		status := 0
		for st, n := range agg.byStatus {
			if n > agg.byStatus[status] || (n == agg.byStatus[status] && st > status) {
				status = st
			}
		}
		out = append(out, gateway.AuditRecord{
			Action: "auth.failed", KeyName: "unknown", At: a.minute, Source: src, Count: agg.count, Status: status,
			Detail: fmt.Sprintf("%d failed authentications in this minute (401: %d, 403: %d); latest %s",
				agg.count, agg.byStatus[401], agg.byStatus[403], agg.lastAction),
		})
	}
	a.bySrc = map[string]*authAgg{}
	return out
}

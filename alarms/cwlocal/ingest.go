package cwlocal

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// Refusal reasons, as /stats counts them.
const (
	refusedInvalid     = "invalid"
	refusedSeriesLimit = "series-limit"
	refusedTooOld      = "too-old"
)

// refusal is why a request (an EMF line) was not stored.
type refusal struct {
	reason, msg string
}

func (r *refusal) Error() string { return r.msg }

// counters are what /stats reports about ingest. The Service's mutex guards them.
type counters struct {
	putRequests, datums, emfLines int
	refused                       map[string]int
}

// batch collects the samples of one request or EMF line, so the store
// takes them all or none.
type batch struct {
	st    *store
	now   time.Time
	items []batchItem
	keys  map[string]bool
}

type batchItem struct {
	id   MetricID
	key  string
	unit string
	smp  sample
}

func (s *Service) newBatch() *batch {
	return &batch{st: s.store, now: s.cfg.Now(), keys: map[string]bool{}}
}

// put adds one sample, refusing it when it is older than every tier keeps.
func (b *batch) put(id MetricID, unit string, smp sample) *refusal {
	if b.st.tierFor(smp.t, smp.highRes, b.now.Unix()) == numTiers {
		return &refusal{refusedTooOld, fmt.Sprintf("metric %s/%s: timestamp %s is older than the retention in force (%s)",
			id.Namespace, id.MetricName, time.Unix(smp.t, 0).UTC().Format(time.RFC3339), b.st.ret)}
	}
	k := id.key()
	b.items = append(b.items, batchItem{id: id, key: k, unit: unit, smp: smp})
	b.keys[k] = true
	return nil
}

// commit stores every sample, or none when the series bound refuses a new identity.
func (b *batch) commit() *refusal {
	if !b.st.admit(b.keys, b.now) {
		return &refusal{refusedSeriesLimit, fmt.Sprintf(
			"series limit reached (%d series no alarm reads, none idle for %s); nothing of this request was stored",
			b.st.maxSeries, evictIdle)}
	}
	for i := range b.items {
		it := &b.items[i]
		b.st.add(it.id, it.key, it.unit, &it.smp, b.now)
	}
	return nil
}

func (s *Service) refuse(reason, what string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refuseLocked(reason, what, err)
}

// refuseLocked counts and logs a refusal. Caller holds the lock.
func (s *Service) refuseLocked(reason, what string, err error) {
	if s.counts.refused == nil {
		s.counts.refused = map[string]int{}
	}
	s.counts.refused[reason]++
	s.cfg.Logger.Warn(what, "reason", reason, "error", err.Error(), "refusedSoFar", s.counts.refused[reason])
}

// compact rolls up and expires buckets of every series.
func (s *Service) compact(now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.store.compactAll(now)
}

// Stats is what GET /stats serves: the store's size, the retention in
// force and every refusal.
type Stats struct {
	Series            int               `json:"series"`
	WatchedSeries     int               `json:"watchedSeries"`
	MaxSeries         int               `json:"maxSeries"`
	EvictedSeries     int               `json:"evictedSeries"`
	MemoryBudgetBytes int64             `json:"memoryBudgetBytes"`
	AccountedBytes    int64             `json:"accountedBytes"`
	Retention         map[string]string `json:"retention"`
	RetentionSummary  string            `json:"retentionSummary"`
	Accepted          map[string]int    `json:"accepted"`
	Refused           map[string]int    `json:"refused"`
}

// Retention is the retention in force.
func (s *Service) Retention() Retention { return s.store.ret }

// Stats returns the store's figures and counters.
func (s *Service) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.store
	r := st.ret
	out := Stats{
		Series: len(st.series), WatchedSeries: len(st.series) - st.unwatched, MaxSeries: st.maxSeries,
		EvictedSeries: st.evicted, MemoryBudgetBytes: s.cfg.MemoryBudget, AccountedBytes: st.bytes,
		Retention:        map[string]string{"1s": r.Second.String(), "60s": r.Minute.String(), "300s": r.FiveMinutes.String(), "3600s": r.Hour.String()},
		RetentionSummary: r.String(),
		Accepted:         map[string]int{"putMetricDataRequests": s.counts.putRequests, "datums": s.counts.datums, "emfLines": s.counts.emfLines},
		Refused:          map[string]int{refusedInvalid: 0, refusedSeriesLimit: 0, refusedTooOld: 0},
	}
	for k, v := range s.counts.refused {
		out.Refused[k] = v
	}
	return out
}

func (s *Service) serveStats(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(s.Stats())
}

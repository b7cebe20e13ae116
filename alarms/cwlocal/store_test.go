package cwlocal

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"
)

// clockService is a Service on a clock the test moves.
func clockService(cfg Config, now *time.Time) *Service {
	cfg.Now = func() time.Time { return *now }
	return New(cfg)
}

func stat(t *testing.T, name string) Statistic {
	t.Helper()
	st, err := ParseStatistic(name)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func emfAt(at time.Time, ns, metric string, v float64, highRes bool) []byte {
	res := ""
	if highRes {
		res = `,"StorageResolution":1`
	}
	return fmt.Appendf(nil, `{"feature":"baseline","_aws":{"Timestamp":%d,"CloudWatchMetrics":[{"Namespace":%q,"Dimensions":[["feature"]],"Metrics":[{"Name":%q,"Unit":"Milliseconds"%s}]}]},%q:%s}`,
		at.UnixMilli(), ns, metric, res, metric, jsonNum(v))
}

// The Done-when flood: 100,000 EMF lines into one series over 30 simulated
// minutes (one every 18 ms), the clock moving with them, and every minute's
// SampleCount and Sum come back exact.
func TestFloodOf100000EMFLinesKeepsEveryMinuteExact(t *testing.T) {
	start := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	now := start
	s := clockService(Config{}, &now)
	const lines = 100000
	wantCnt, wantSum := map[int64]float64{}, map[int64]float64{}
	for i := range lines {
		at := start.Add(time.Duration(i) * 18 * time.Millisecond)
		now = at
		v := float64(i % 997)
		if err := s.IngestEMF(emfAt(at, "Arrakis/AgentGateway", "RequestLatency", v, false)); err != nil {
			t.Fatalf("line %d: %v", i, err)
		}
		m := at.Unix() - at.Unix()%60
		wantCnt[m]++
		wantSum[m] += v
	}
	id := newMetricID("Arrakis/AgentGateway", "RequestLatency", []Dimension{{Name: "feature", Value: "baseline"}})
	cnt := statOf(s, id, start, now.Add(time.Minute), 60, stat(t, "SampleCount"))
	sum := statOf(s, id, start, now.Add(time.Minute), 60, stat(t, "Sum"))
	if len(cnt) != 30 || len(sum) != 30 {
		t.Fatalf("%d and %d minutes answered, want 30", len(cnt), len(sum))
	}
	total := 0.0
	for i := range cnt {
		m := cnt[i].t.Unix()
		if cnt[i].v != wantCnt[m] || sum[i].v != wantSum[m] {
			t.Fatalf("minute %s: SampleCount %v Sum %v, want %v and %v", cnt[i].t, cnt[i].v, sum[i].v, wantCnt[m], wantSum[m])
		}
		total += cnt[i].v
	}
	if st := s.Stats(); total != lines || st.Accepted["emfLines"] != lines || st.Refused[refusedInvalid]+st.Refused[refusedSeriesLimit]+st.Refused[refusedTooOld] != 0 {
		t.Fatalf("total %v, stats %+v", total, st)
	}
}

// Counts are weights: a datum of two values with counts 10,000 and 1 costs
// two stored pairs, and every statistic weighs them.
func TestCountsAreWeightsNotCopies(t *testing.T) {
	s := newTestService()
	before := s.Stats().AccountedBytes
	if err := s.PutMetricData(PutMetricDataInput{Namespace: "N", MetricData: []MetricDatum{{MetricName: "M", Timestamp: &Timestamp{minute(1)},
		Values: []float64{5, 900}, Counts: []float64{10000, 1}}}}); err != nil {
		t.Fatal(err)
	}
	id := newMetricID("N", "M", nil)
	for name, want := range map[string]float64{"SampleCount": 10001, "Sum": 50900, "Minimum": 5, "Maximum": 900, "p50": 5, "p99.99": 5, "p100": 900} {
		got := statOf(s, id, minute(5), t0, 60, stat(t, name))
		if len(got) != 1 || got[0].v != want {
			t.Errorf("%s = %+v, want %v", name, got, want)
		}
	}
	if grew := s.Stats().AccountedBytes - before; grew > bucketBytes+2*16 {
		t.Fatalf("a 2-value datum grew the store by %d bytes", grew)
	}
}

// Past ExactPercentileSamples distinct values a bucket keeps a sketch: every
// percentile is within PercentileRelativeError of exact nearest-rank, in one
// bucket (live sketch) and merged over closed (encoded) ones.
func TestPercentilesPastTheExactCountAreWithinTheStatedError(t *testing.T) {
	now := t0.Add(-10 * time.Minute)
	s := clockService(Config{}, &now)
	rng := rand.New(rand.NewPCG(1, 2))
	var all []float64
	for m := range 5 {
		var vals []float64
		for range 3000 {
			vals = append(vals, math.Round(math.Exp(rng.NormFloat64()*1.2+5)*1000)/1000)
		}
		now = t0.Add(time.Duration(m-10) * time.Minute)
		for i := 0; i < len(vals); i += 150 {
			if err := s.PutMetricData(PutMetricDataInput{Namespace: "N", MetricData: []MetricDatum{{MetricName: "M", Values: vals[i : i+150]}}}); err != nil {
				t.Fatal(err)
			}
		}
		all = append(all, vals...)
	}
	now = t0
	s.compact(now) // every bucket closed: sketches encoded
	id := newMetricID("N", "M", nil)
	for _, p := range []float64{1, 50, 90, 99, 99.9} {
		got := statOf(s, id, t0.Add(-10*time.Minute), t0, 300, stat(t, fmt.Sprintf("p%g", p)))
		want := exactNearestRank(all, p)
		if len(got) != 1 || math.Abs(got[0].v-want) > PercentileRelativeError*math.Abs(want) {
			t.Errorf("p%g = %+v, want %v within %g %%", p, got, want, 100*PercentileRelativeError)
		}
	}
	s.mu.Lock()
	b := s.store.get(id).tiers[tierMinute].buckets[0]
	s.mu.Unlock()
	if b.pct.live != nil || len(b.pct.enc) == 0 || b.pct.exact != nil {
		t.Fatalf("a closed bucket holds live=%v enc=%d exact=%d", b.pct.live != nil, len(b.pct.enc), len(b.pct.exact))
	}
}

func exactNearestRank(v []float64, p float64) float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	return s[max(int(math.Ceil(p/100*float64(len(s)))), 1)-1]
}

// A request that the series bound refuses stores none of its datums, so a
// retry cannot double the others; the refusal is counted.
func TestPutMetricDataIsStoredWholeOrNotAtAll(t *testing.T) {
	s := New(Config{MaxSeries: 2, Now: func() time.Time { return t0 }})
	var data []MetricDatum
	for i := range 3 {
		data = append(data, MetricDatum{MetricName: fmt.Sprintf("M%d", i), Value: f(1)})
	}
	err := s.PutMetricData(PutMetricDataInput{Namespace: "N", MetricData: data})
	if err == nil || !strings.Contains(err.Error(), "nothing of this request was stored") {
		t.Fatalf("err = %v", err)
	}
	if st := s.Stats(); st.Series != 0 || st.Refused[refusedSeriesLimit] != 1 || st.Accepted["datums"] != 0 {
		t.Fatalf("after a refused request: %+v", st)
	}
	bad := append(data[:1:1], MetricDatum{MetricName: "bad", Unit: "Parsecs", Value: f(1)})
	if err := s.PutMetricData(PutMetricDataInput{Namespace: "N", MetricData: bad}); err == nil || s.Stats().Series != 0 {
		t.Fatalf("a bad datum: err %v, %d series", err, s.Stats().Series)
	}
}

// An EMF line whose second directive cannot be stored leaves the first unstored too.
func TestEMFLineIsStoredWholeOrNotAtAll(t *testing.T) {
	s := New(Config{MaxSeries: 1, Now: func() time.Time { return t0 }})
	line := fmt.Sprintf(`{"_aws":{"Timestamp":%d,"CloudWatchMetrics":[{"Namespace":"A","Dimensions":[[]],"Metrics":[{"Name":"X"}]},{"Namespace":"B","Dimensions":[[]],"Metrics":[{"Name":"X"}]}]},"X":1}`, t0.UnixMilli())
	if err := s.IngestEMF([]byte(line)); err == nil || !strings.Contains(err.Error(), "series limit") {
		t.Fatalf("err = %v", err)
	}
	if st := s.Stats(); st.Series != 0 || st.Refused[refusedSeriesLimit] != 1 {
		t.Fatalf("%+v", st)
	}
}

// One namespace flooding new identities cannot take the series an alarm
// reads: those are always admitted. An idle unwatched series gives way.
func TestTheSeriesBoundSparesWhatAlarmsRead(t *testing.T) {
	now := t0
	s := clockService(Config{MaxSeries: 3}, &now)
	if err := s.PutMetricAlarm(maxAlarm("watch", 1, 1, "missing")); err != nil {
		t.Fatal(err)
	}
	refused := 0
	for i := range 10 {
		if err := s.PutMetricData(PutMetricDataInput{Namespace: "Flood", MetricData: []MetricDatum{{MetricName: fmt.Sprintf("F%d", i), Value: f(1)}}}); err != nil {
			refused++
		}
	}
	if refused != 7 {
		t.Fatalf("%d of 10 flood series refused, want 7", refused)
	}
	put(t, s, "N", "M", now, 9) // the alarm's series, beyond the bound
	s.EvaluateAll(now.Add(time.Minute))
	if st, _, _ := state(s, "watch"); st != StateAlarm {
		t.Fatalf("the watched alarm is %s", st)
	}
	now = now.Add(evictIdle)
	if err := s.PutMetricData(PutMetricDataInput{Namespace: "Flood", MetricData: []MetricDatum{{MetricName: "late", Value: f(1)}}}); err != nil {
		t.Fatalf("an idle series did not give way: %v", err)
	}
	if st := s.Stats(); st.Refused[refusedSeriesLimit] != 7 || st.EvictedSeries != 1 || st.WatchedSeries != 1 || st.Series != 4 {
		t.Fatalf("%+v", st)
	}
}

// With age, buckets roll up to 5 min and 1 h (sums kept), and data older
// than the last tier is refused with the retention in force.
func TestBucketsRollUpWithAgeAndOldDataIsRefused(t *testing.T) {
	now := t0
	s := clockService(Config{MemoryBudget: 1, MaxSeries: 1}, &now) // the minimum: 10 buckets a tier
	ret := s.Retention()
	if ret.Minute != 10*time.Minute || ret.FiveMinutes != 50*time.Minute || ret.Hour != 10*time.Hour {
		t.Fatalf("retention %v", ret)
	}
	start := t0.Truncate(time.Hour)
	for m := range 180 {
		now = start.Add(time.Duration(m) * time.Minute)
		put(t, s, "N", "M", now, 1, 2)
	}
	s.compact(now)
	id := newMetricID("N", "M", nil)
	s.mu.Lock()
	sr := s.store.get(id)
	n := [numTiers]int{}
	for i := range sr.tiers {
		n[i] = len(sr.tiers[i].buckets)
	}
	s.mu.Unlock()
	if n[tierMinute] > 11 || n[tierFiveMinutes] > 11 || n[tierHour] < 2 {
		t.Fatalf("buckets per tier %v", n)
	}
	sum := statOf(s, id, start, now.Add(time.Minute), 3600, stat(t, "Sum"))
	cnt := statOf(s, id, start, now.Add(time.Minute), 3600, stat(t, "SampleCount"))
	if len(sum) != 3 || sum[0].v != 180 || cnt[0].v != 120 || sum[2].v != 180 {
		t.Fatalf("hourly sums %+v counts %+v", sum, cnt)
	}
	err := s.PutMetricData(PutMetricDataInput{Namespace: "N", MetricData: []MetricDatum{{MetricName: "M", Timestamp: &Timestamp{now.Add(-11 * time.Hour)}, Value: f(1)}}})
	if err == nil || !strings.Contains(err.Error(), "older than the retention in force") || s.Stats().Refused[refusedTooOld] != 1 {
		t.Fatalf("old datum: %v", err)
	}
}

// Standard-resolution data answers no period under 60 s; high-resolution does.
func TestSubMinutePeriodsNeedHighResolution(t *testing.T) {
	s := newTestService()
	if err := s.IngestEMF(emfAt(t0.Add(-25*time.Second), "N", "Std", 3, false)); err != nil {
		t.Fatal(err)
	}
	if err := s.IngestEMF(emfAt(t0.Add(-25*time.Second), "N", "Hi", 3, true)); err != nil {
		t.Fatal(err)
	}
	dims := []Dimension{{Name: "feature", Value: "baseline"}}
	sum := stat(t, "Sum")
	if got := statOf(s, newMetricID("N", "Std", dims), t0.Add(-time.Minute), t0, 10, sum); len(got) != 0 {
		t.Fatalf("standard resolution at 10 s: %+v", got)
	}
	if got := statOf(s, newMetricID("N", "Std", dims), t0.Add(-time.Minute), t0, 60, sum); len(got) != 1 {
		t.Fatalf("standard resolution at 60 s: %+v", got)
	}
	if got := statOf(s, newMetricID("N", "Hi", dims), t0.Add(-time.Minute), t0, 10, sum); len(got) != 1 || !got[0].t.Equal(t0.Add(-30*time.Second)) {
		t.Fatalf("high resolution at 10 s: %+v", got)
	}
}

// GET /stats serves the retention in force and the refusals.
func TestStatsEndpoint(t *testing.T) {
	s, url := serve(t, New(Config{MaxSeries: 1, Now: func() time.Time { return t0 }}))
	s.IngestEMF([]byte("not json"))
	resp, err := http.Get(url + "/stats")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st Stats
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	if st.Refused[refusedInvalid] != 1 || st.Retention["60s"] == "" || st.MemoryBudgetBytes != DefaultMemoryBudget || !strings.Contains(st.RetentionSummary, "60 s buckets") {
		t.Fatalf("%+v", st)
	}
}

// Late samples that push a closed bucket past the exact count leave it
// encoded, not holding a live sketch.
func TestLateDataKeepsAClosedBucketEncoded(t *testing.T) {
	s := newTestService()
	vals := make([]float64, 150)
	for i := range vals {
		vals[i] = float64(i)
	}
	if err := s.PutMetricData(PutMetricDataInput{Namespace: "N", MetricData: []MetricDatum{{MetricName: "M", Timestamp: &Timestamp{minute(10)}, Values: vals}}}); err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.store.get(newMetricID("N", "M", nil)).tiers[tierMinute].buckets[0]
	if b.pct.live != nil || len(b.pct.enc) == 0 {
		t.Fatalf("a 10-minute-old bucket: live=%v enc=%d", b.pct.live != nil, len(b.pct.enc))
	}
	if v, ok := b.pct.percentile(s.store.sm, 50); !ok || math.Abs(v-74) > 0.74 {
		t.Fatalf("p50 = %v", v)
	}
}

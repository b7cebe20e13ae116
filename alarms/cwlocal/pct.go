package cwlocal

import (
	"math"
	"sort"

	"github.com/DataDog/sketches-go/ddsketch"
	"github.com/DataDog/sketches-go/ddsketch/mapping"
	ddstore "github.com/DataDog/sketches-go/ddsketch/store"
)

// Percentiles (docs/decisions.md 30): a bucket keeps its samples exactly, as
// (value, count) pairs, while it holds at most ExactPercentileSamples distinct
// values, and percentiles over them are exact nearest-rank. Past that the
// bucket switches to a DDSketch with PercentileRelativeError: every answer is
// within 1 % of the exact nearest-rank value (relative to that value). A closed
// bucket keeps its sketch encoded, so only open buckets hold live sketches.
const (
	ExactPercentileSamples  = 64
	PercentileRelativeError = 0.01
)

// weighted is one sample value and how many times it was seen (Counts are
// weights, never copies).
type weighted struct{ v, n float64 }

// pctData is a bucket's percentile data: exact pairs, a live sketch, or an
// encoded sketch. statOnly marks a bucket that a statistic set fed: its
// samples are unknown, so it answers no percentile (as CloudWatch).
type pctData struct {
	exact    []weighted
	live     *ddsketch.DDSketch
	enc      []byte
	statOnly bool
}

// sketchMapping is shared by every sketch; it is immutable.
type sketchMapping struct{ m mapping.IndexMapping }

func newSketchMapping() sketchMapping {
	m, err := mapping.NewLogarithmicMapping(PercentileRelativeError)
	if err != nil { // only an accuracy outside (0, 1) fails
		panic(err)
	}
	return sketchMapping{m: m}
}

func (sm sketchMapping) newSketch() *ddsketch.DDSketch {
	return ddsketch.NewDDSketch(sm.m, ddstore.NewDenseStore(), ddstore.NewDenseStore())
}

func (sm sketchMapping) decode(b []byte) *ddsketch.DDSketch {
	sk, err := ddsketch.DecodeDDSketch(b, ddstore.DefaultProvider, sm.m)
	if err != nil { // we encoded it ourselves; a failure is a bug, not input
		panic("cwlocal: cannot decode a stored sketch: " + err.Error())
	}
	return sk
}

// add records samples with their weights (nil weights: 1 each).
func (p *pctData) add(sm sketchMapping, vals, weights []float64) {
	if p.statOnly {
		return
	}
	for i, v := range vals {
		n := 1.0
		if weights != nil {
			n = weights[i]
		}
		p.addOne(sm, v, n)
	}
}

func (p *pctData) addOne(sm sketchMapping, v, n float64) {
	if n == 0 {
		return
	}
	if p.live == nil && p.enc == nil {
		for i := range p.exact {
			if p.exact[i].v == v {
				p.exact[i].n += n
				return
			}
		}
		if len(p.exact) < ExactPercentileSamples {
			p.exact = append(p.exact, weighted{v, n})
			return
		}
		p.toSketch(sm)
	}
	if p.live == nil {
		p.live = sm.decode(p.enc)
		defer p.close() // a closed bucket stays encoded after a late sample
	}
	_ = p.live.AddWithCount(v, n) // values are bounded by emf.MaxMagnitude, counts >= 0
}

func (p *pctData) toSketch(sm sketchMapping) {
	p.live = sm.newSketch()
	for _, w := range p.exact {
		_ = p.live.AddWithCount(w.v, w.n)
	}
	p.exact = nil
}

// close encodes a live sketch: a closed bucket costs its encoded bytes only.
func (p *pctData) close() {
	if p.live == nil {
		return
	}
	var b []byte
	p.live.Encode(&b, true)
	p.enc, p.live = b, nil
}

// merge folds o into p (roll-ups and queries).
func (p *pctData) merge(sm sketchMapping, o *pctData) {
	if o.statOnly || p.statOnly {
		p.statOnly, p.exact, p.live, p.enc = true, nil, nil, nil
		return
	}
	if o.live == nil && o.enc == nil {
		for _, w := range o.exact {
			p.addOne(sm, w.v, w.n)
		}
		return
	}
	if p.live == nil && p.enc == nil {
		p.toSketch(sm)
	} else if p.live == nil {
		p.live = sm.decode(p.enc)
		p.enc = nil
	}
	if o.live != nil {
		_ = p.live.MergeWith(o.live)
	} else {
		_ = p.live.DecodeAndMergeWith(o.enc)
	}
}

// bytes is what the data costs in memory, for the budget accounting.
func (p *pctData) bytes() int {
	n := len(p.exact)*16 + len(p.enc)
	if p.live != nil {
		n += 1024 // a live sketch: measured 300-2,500 B
	}
	return n
}

// percentile answers pNN: exact nearest-rank over exact pairs, else the
// sketch's value at the nearest rank (within PercentileRelativeError).
func (p *pctData) percentile(sm sketchMapping, pct float64) (float64, bool) {
	if p.statOnly {
		return 0, false
	}
	if p.live == nil && p.enc == nil {
		return nearestRankWeighted(p.exact, pct)
	}
	sk := p.live
	if sk == nil {
		sk = sm.decode(p.enc)
	}
	n := sk.GetCount()
	if n == 0 {
		return 0, false
	}
	// The sketch's rank is q*(n-1) (0-based); nearest rank is ceil(p/100*n)
	// (1-based). Ask for the quantile whose rank is the nearest rank, so the
	// only error left is the sketch's relative one.
	rank := max(math.Ceil(pct/100*n), 1) - 1
	q := 0.0
	if n > 1 {
		q = min(rank/(n-1), 1)
	}
	v, err := sk.GetValueAtQuantile(q)
	return v, err == nil
}

// nearestRankWeighted is the smallest value such that at least pct % of the
// samples are <= it (rank ceil(pct/100*n)), counting each pair's weight.
// It always returns an observed value, which is what an on-call engineer
// compares with a latency threshold.
func nearestRankWeighted(ws []weighted, pct float64) (float64, bool) {
	if len(ws) == 1 {
		return ws[0].v, ws[0].n > 0
	}
	total := 0.0
	for _, w := range ws {
		total += w.n
	}
	if total == 0 {
		return 0, false
	}
	s := append([]weighted(nil), ws...)
	sort.Slice(s, func(i, j int) bool { return s[i].v < s[j].v })
	rank := max(math.Ceil(pct/100*total), 1)
	seen := 0.0
	for _, w := range s {
		seen += w.n
		if seen >= rank {
			return w.v, true
		}
	}
	return s[len(s)-1].v, true
}

package cwlocal

import (
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode"
)

// compiledQuery is a validated MetricDataQuery.
type compiledQuery struct {
	q      MetricDataQuery
	id     MetricID
	stat   Statistic
	period int
	expr   parsedExpr
	isExpr bool
}

// returns reports whether the query's result is part of the answer (default true).
func (c compiledQuery) returns() bool { return c.q.ReturnData == nil || *c.q.ReturnData }

// compileQueries validates a GetMetricData or math-alarm query list: unique
// ids starting with a lower-case letter, one of MetricStat or Expression, known
// statistics and periods, expressions that parse and name existing ids, no cycles.
func compileQueries(qs []MetricDataQuery, member string) ([]compiledQuery, *APIError) {
	out := make([]compiledQuery, 0, len(qs))
	seen := map[string]bool{}
	for i, q := range qs {
		where := fmt.Sprintf("%s[%d]", member, i)
		if q.Id == "" {
			return nil, errMissing(where + ".Id")
		}
		if !validQueryID(q.Id) {
			return nil, errInvalidValue("%s.Id %q must start with a lower-case letter and hold only letters, digits and _", where, q.Id)
		}
		if seen[q.Id] {
			return nil, errInvalidValue("%s.Id %q is used twice; ids must be unique", where, q.Id)
		}
		seen[q.Id] = true
		c, err := compileQuery(q, where)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	bindMetricsArrays(out)
	for _, c := range out {
		for _, ref := range c.expr.ids {
			if !seen[ref] {
				return nil, errInvalidValue("expression %q of %q references unknown id %q", c.q.Expression, c.q.Id, ref)
			}
		}
	}
	if cyc := findCycle(out); cyc != "" {
		return nil, errInvalidValue("expressions reference each other in a cycle through %q", cyc)
	}
	return out, nil
}

func validQueryID(id string) bool {
	for i, r := range id {
		if i == 0 && !unicode.IsLower(r) {
			return false
		}
		if !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_') {
			return false
		}
	}
	return len(id) <= 255
}

func compileQuery(q MetricDataQuery, where string) (compiledQuery, *APIError) {
	switch {
	case q.MetricStat != nil && q.Expression != "":
		return compiledQuery{}, errCombination("%s sets both MetricStat and Expression; set exactly one", where)
	case q.MetricStat == nil && q.Expression == "":
		return compiledQuery{}, errMissing(where + ".MetricStat or " + where + ".Expression")
	case q.Expression != "":
		pe, err := parseExpr(q.Expression)
		if err != nil {
			return compiledQuery{}, errInvalidValue("%s.Expression: %v", where, err)
		}
		return compiledQuery{q: q, expr: pe, isExpr: true, period: q.Period}, nil
	}
	ms := q.MetricStat
	if ms.Metric == nil || ms.Metric.Namespace == "" || ms.Metric.MetricName == "" {
		return compiledQuery{}, errMissing(where + ".MetricStat.Metric (Namespace and MetricName)")
	}
	stat, err := ParseStatistic(ms.Stat)
	if err != nil {
		return compiledQuery{}, errInvalidValue("%s.MetricStat.Stat: %v", where, err)
	}
	if !ValidPeriod(ms.Period) {
		return compiledQuery{}, errInvalidValue("%s.MetricStat.Period %d is invalid (accepted: 1, 5, 10, 30 or a multiple of 60 up to 31 days)", where, ms.Period)
	}
	if err := checkDimensions(ms.Metric.Dimensions, where+".MetricStat.Metric.Dimensions"); err != nil {
		return compiledQuery{}, err
	}
	id := newMetricID(ms.Metric.Namespace, ms.Metric.MetricName, ms.Metric.Dimensions)
	return compiledQuery{q: q, id: id, stat: stat, period: ms.Period}, nil
}

func checkDimensions(dims []Dimension, member string) *APIError {
	if len(dims) > 30 {
		return errInvalidValue("%s has %d dimensions, at most 30 allowed", member, len(dims))
	}
	seen := map[string]bool{}
	for i, d := range dims {
		if d.Name == "" || d.Value == "" {
			return errInvalidValue("%s[%d] needs a non-empty Name and Value", member, i)
		}
		if seen[d.Name] {
			return errInvalidValue("%s names dimension %q twice", member, d.Name)
		}
		seen[d.Name] = true
	}
	return nil
}

func findCycle(qs []compiledQuery) string {
	byID := map[string]compiledQuery{}
	for _, q := range qs {
		byID[q.q.Id] = q
	}
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(id string) string
	visit = func(id string) string {
		switch state[id] {
		case 1:
			return id
		case 2:
			return ""
		}
		state[id] = 1
		for _, ref := range byID[id].expr.ids {
			if c := visit(ref); c != "" {
				return c
			}
		}
		state[id] = 2
		return ""
	}
	for _, q := range qs {
		if c := visit(q.q.Id); c != "" {
			return c
		}
	}
	return ""
}

// runQueries computes every query's series over [from, to), oldest first.
// The caller holds the service lock.
func (s *Service) runQueries(qs []compiledQuery, from, to time.Time) map[string][]timeValue {
	byID := map[string]compiledQuery{}
	for _, q := range qs {
		byID[q.q.Id] = q
	}
	memo := map[string][]timeValue{}
	var get func(id string) []timeValue
	get = func(id string) []timeValue {
		if v, ok := memo[id]; ok {
			return v
		}
		q := byID[id]
		var out []timeValue
		if q.isExpr {
			inputs := map[string][]timeValue{}
			for _, ref := range q.expr.ids {
				inputs[ref] = get(ref)
			}
			members := s.bindArrays(q.expr, inputs, from, to)
			out = evalExprSeries(q.expr, inputs, members)
		} else if sr := s.store.get(q.id); sr != nil {
			out = s.store.statSeries(sr, from, to, q.period, q.stat, q.q.MetricStat.Unit)
		}
		memo[id] = out
		return out
	}
	for _, q := range qs {
		get(q.q.Id)
	}
	return memo
}

// bindArrays lists each array's member series, reading SEARCH results from
// the store into inputs under keys no query id can have.
func (s *Service) bindArrays(pe parsedExpr, inputs map[string][]timeValue, from, to time.Time) [][]string {
	members := make([][]string, len(pe.arrays))
	for i, a := range pe.arrays {
		if a.kind != arraySearch {
			members[i] = a.ids
			continue
		}
		for j, id := range s.store.search(a.search) {
			k := fmt.Sprintf("search %d.%d", i, j)
			inputs[k] = s.store.statSeries(s.store.get(id), from, to, a.period, a.stat, "")
			members[i] = append(members[i], k)
		}
	}
	return members
}

// evalExprSeries evaluates an expression at every timestamp any input has.
func evalExprSeries(pe parsedExpr, inputs map[string][]timeValue, members [][]string) []timeValue {
	at := map[string]map[int64]float64{}
	var stamps []int64
	seen := map[int64]bool{}
	for id, series := range inputs {
		m := make(map[int64]float64, len(series))
		for _, p := range series {
			k := p.t.Unix()
			m[k] = p.v
			if !seen[k] {
				seen[k] = true
				stamps = append(stamps, k)
			}
		}
		at[id] = m
	}
	sort.Slice(stamps, func(i, j int) bool { return stamps[i] < stamps[j] })
	var out []timeValue
	for _, k := range stamps {
		v, ok := pe.root.eval(&env{members: members, lookup: func(id string) (float64, bool) {
			x, ok := at[id][k]
			return x, ok
		}})
		if ok {
			out = append(out, timeValue{t: time.Unix(k, 0).UTC(), v: v})
		}
	}
	return out
}

// label is a query's default label: its metric name, or its id for an expression.
func (c compiledQuery) label() string {
	if c.q.Label != "" {
		return c.q.Label
	}
	if c.isExpr {
		return c.q.Id
	}
	return c.id.MetricName
}

// maxPeriod is the largest MetricStat period among the queries (the period of a math alarm).
func maxPeriod(qs []compiledQuery) int {
	p := 0
	for _, q := range qs {
		if q.period > p {
			p = q.period
		}
	}
	return p
}

func joinIDs(qs []compiledQuery) string {
	ids := make([]string, len(qs))
	for i, q := range qs {
		ids[i] = q.q.Id
	}
	return strings.Join(ids, ", ")
}

// bindMetricsArrays gives each METRICS() array the request's MetricStat
// queries (those whose label holds the filter) and makes them inputs.
func bindMetricsArrays(qs []compiledQuery) {
	for i := range qs {
		pe := &qs[i].expr
		for a := range pe.arrays {
			if pe.arrays[a].kind != arrayMetrics {
				continue
			}
			var ids []string
			for _, m := range qs {
				if !m.isExpr && strings.Contains(m.label(), pe.arrays[a].filter) {
					ids = append(ids, m.q.Id)
				}
			}
			pe.arrays[a].ids = ids
			pe.ids = append(pe.ids, ids...)
		}
	}
}

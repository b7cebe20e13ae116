package cwlocal

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode"
)

// Arrays of series in metric math: METRICS() (every MetricStat query of the
// request, or those whose label holds a string), a bracket list [m1, m2], and
// SEARCH('...', 'Stat', period) over the store. They are served as arguments
// of SUM, AVG, MIN and MAX, which reduce them to one series per timestamp.

type arrayKind int

const (
	arrayMetrics arrayKind = iota
	arrayList
	arraySearch
)

// arraySrc is one array of an expression; members are bound when it runs.
type arraySrc struct {
	kind   arrayKind
	filter string   // METRICS("filter")
	ids    []string // [m1, m2]
	search searchSpec
	stat   Statistic
	period int
}

// arrayExpr is an array by its index in parsedExpr.arrays; it has no scalar value.
type arrayExpr int

func (arrayExpr) eval(*env) (float64, bool) { return 0, false }

// aggExpr reduces an array at one timestamp over the members that have a value.
type aggExpr struct {
	fn  string
	arr int
}

func (a aggExpr) eval(e *env) (float64, bool) {
	var out float64
	n := 0
	for _, id := range e.members[a.arr] {
		v, ok := e.lookup(id)
		if !ok {
			continue
		}
		switch {
		case n == 0:
			out = v
		case a.fn == "MIN":
			out = min(out, v)
		case a.fn == "MAX":
			out = max(out, v)
		default:
			out += v
		}
		n++
	}
	if n == 0 {
		return 0, false
	}
	if a.fn == "AVG" {
		out /= float64(n)
	}
	return out, true
}

func (p *exprParser) addArray(a arraySrc) expr {
	p.arrays = append(p.arrays, a)
	return arrayExpr(len(p.arrays) - 1)
}

func (p *exprParser) list() (expr, error) {
	var ids []string
	for {
		x, err := p.or()
		if err != nil {
			return nil, err
		}
		id, ok := x.(idExpr)
		if !ok {
			return nil, fmt.Errorf("an array [..] holds query ids only")
		}
		ids = append(ids, string(id))
		if _, ok := p.accept(","); ok {
			continue
		}
		if _, ok := p.accept("]"); !ok {
			return nil, fmt.Errorf("missing ']'")
		}
		return p.addArray(arraySrc{kind: arrayList, ids: ids}), nil
	}
}

// str reads a string literal argument.
func (p *exprParser) str(what string) (string, error) {
	t := p.peek()
	if t == "" || t[0] != '\'' {
		return "", fmt.Errorf("%s must be a quoted string", what)
	}
	p.pos++
	return t[1:], nil
}

func (p *exprParser) metricsCall() (expr, error) {
	a := arraySrc{kind: arrayMetrics}
	if _, ok := p.accept(")"); ok {
		return p.addArray(a), nil
	}
	f, err := p.str("the argument of METRICS")
	if err != nil {
		return nil, err
	}
	if _, ok := p.accept(")"); !ok {
		return nil, fmt.Errorf("METRICS takes at most one string")
	}
	a.filter = f
	return p.addArray(a), nil
}

func (p *exprParser) searchCall() (expr, error) {
	q, err := p.str("the first argument of SEARCH")
	if err != nil {
		return nil, err
	}
	spec, err := parseSearch(q)
	if err != nil {
		return nil, err
	}
	statName := ""
	if _, ok := p.accept(","); ok {
		statName, err = p.str("the statistic of SEARCH")
	}
	if err != nil {
		return nil, err
	}
	stat, serr := ParseStatistic(statName)
	if serr != nil {
		return nil, fmt.Errorf("SEARCH: %v", serr)
	}
	period := 0
	if _, ok := p.accept(","); ok {
		t := p.peek()
		n, err := strconv.Atoi(t)
		if err != nil || !ValidPeriod(n) {
			return nil, fmt.Errorf("SEARCH: period %q is not a valid period", t)
		}
		p.pos++
		period = n
	}
	if _, ok := p.accept(")"); !ok || period == 0 {
		return nil, fmt.Errorf(`SEARCH takes a search expression, a statistic and a period, e.g. SEARCH('{Arrakis/AgentGateway,feature} MetricName="RequestCount"', 'Sum', 60)`)
	}
	return p.addArray(arraySrc{kind: arraySearch, search: spec, stat: stat, period: period}), nil
}

// searchSpec is the SEARCH subset served: an optional schema
// {Namespace,DimName,...} (exactly those dimension names), Key="Value"
// terms (MetricName, Namespace or a dimension) and bare words, all of which
// must match (a word matches a whole token of a name or value, ignoring case).
type searchSpec struct {
	schema   bool
	ns       string
	dimNames []string
	exact    [][2]string
	words    []string
}

func parseSearch(q string) (searchSpec, error) {
	var sp searchSpec
	q = strings.TrimSpace(q)
	if strings.HasPrefix(q, "{") {
		end := strings.IndexByte(q, '}')
		if end < 0 {
			return sp, fmt.Errorf("SEARCH: schema %q has no closing '}'", q)
		}
		parts := strings.Split(q[1:end], ",")
		sp.schema, sp.ns = true, unquote(parts[0])
		for _, d := range parts[1:] {
			sp.dimNames = append(sp.dimNames, unquote(d))
		}
		sort.Strings(sp.dimNames)
		q = q[end+1:]
	}
	for _, term := range strings.Fields(q) {
		if k, v, ok := strings.Cut(term, "="); ok {
			sp.exact = append(sp.exact, [2]string{unquote(k), unquote(v)})
			continue
		}
		sp.words = append(sp.words, strings.ToLower(unquote(term)))
	}
	if !sp.schema && len(sp.exact) == 0 && len(sp.words) == 0 {
		return sp, fmt.Errorf("SEARCH: the search expression is empty")
	}
	return sp, nil
}

func unquote(s string) string { return strings.Trim(strings.TrimSpace(s), `"`) }

func (sp searchSpec) matches(id MetricID) bool {
	if sp.schema {
		if id.Namespace != sp.ns || len(id.Dimensions) != len(sp.dimNames) {
			return false
		}
		for i, d := range id.Dimensions { // both sorted by name
			if d.Name != sp.dimNames[i] {
				return false
			}
		}
	}
	for _, kv := range sp.exact {
		if !exactMatch(id, kv[0], kv[1]) {
			return false
		}
	}
	tokens := idTokens(id)
	for _, w := range sp.words {
		if !tokens[w] {
			return false
		}
	}
	return true
}

func exactMatch(id MetricID, k, v string) bool {
	switch k {
	case "MetricName":
		return id.MetricName == v
	case "Namespace":
		return id.Namespace == v
	}
	for _, d := range id.Dimensions {
		if d.Name == k {
			return d.Value == v
		}
	}
	return false
}

func idTokens(id MetricID) map[string]bool {
	out := map[string]bool{}
	add := func(s string) {
		out[strings.ToLower(s)] = true
		for _, t := range strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
			out[strings.ToLower(t)] = true
		}
	}
	add(id.Namespace)
	add(id.MetricName)
	for _, d := range id.Dimensions {
		add(d.Name)
		add(d.Value)
	}
	return out
}

// maxSearchSeries bounds what one SEARCH reads, as CloudWatch does (500).
const maxSearchSeries = 500

// search returns the identities a SEARCH matches, in identity order.
func (st *store) search(sp searchSpec) []MetricID {
	var out []MetricID
	for _, s := range st.series {
		if sp.matches(s.id) {
			out = append(out, s.id)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key() < out[j].key() })
	return out[:min(len(out), maxSearchSeries)]
}

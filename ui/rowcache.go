package ui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/lipgloss/v2"

	"gatewayops/alarms"
	"gatewayops/internal/termsafe"
)

// A list row is cut in three: what is left of SINCE (cursor, state, name)
// and what is right of it (values, trend, lint mark) are rendered and
// measured once per change of what they show, and kept; SINCE, the only
// part that moves by itself, is formatted per frame. Width measurement of
// styled text (grapheme by grapheme, in lipgloss) was half a frame's cost
// at 1,000 alarms (issue 12 item 9).

// rowKey is everything the cached parts of a row show, as the alarm's own
// fields (formatting them per frame would cost what the cache saves).
type rowKey struct {
	name, evalState  string
	state            alarms.State
	composite        bool
	rule, unit, cmp  string
	recent           int
	last             alarms.Datapoint // the evaluated point
	series           *alarms.Point    // the series' backing array: a new read is a new array
	points           int
	threshold        float64
	hasThreshold     bool
	muted, actionsOn bool
	mutedUntil       time.Time
	lint             lintKind
	cols             [4]int // name, value, newest and trend widths
	prefix           string
}

// rowParts are a row's rendered parts and their widths in cells.
type rowParts struct {
	left, right   string
	leftW, rightW int
}

// rowCache keeps the parts of the rows drawn in the last two frames (the
// older generation is dropped at each turn, so it holds about two
// screens). Shared by the model's copies through the list; nil caches
// nothing.
type rowCache struct {
	cur, old map[rowKey]rowParts
	selected map[selKey]string // the selected row, styled whole
	list     listKey           // the whole list's last text, and what it showed
	listText string
	listOK   bool
}

// listKey is what the whole list's text depends on: the rebuild (new
// data, lint or filter), the scroll, the selection, the size and the clock
// at the resolution its ages show.
type listKey struct {
	built         *int
	n, all        int
	offset        int
	selected      string
	filter        string
	width, height int
	clock         int64
}

func (l alarmList) viewKey(now time.Time) listKey {
	return listKey{built: l.built, n: len(l.visible), all: len(l.all), offset: l.offset,
		selected: l.selected, filter: l.filter, width: l.width, height: l.height, clock: l.ageClock(now)}
}

// view is the list's text for k, rendered again only when k changed.
func (c *rowCache) view(k listKey, render func() string) string {
	if c == nil {
		return render()
	}
	if !c.listOK || c.list != k {
		c.listText, c.list, c.listOK = render(), k, true
	}
	return c.listText
}

// selKey is the selected row's parts and its SINCE text.
type selKey struct {
	row   rowKey
	since string
	width int
}

func newRowCache() *rowCache {
	return &rowCache{cur: map[rowKey]rowParts{}, old: map[rowKey]rowParts{}, selected: map[selKey]string{}}
}

// turn starts a frame: what the last-but-one frame drew is forgotten.
func (c *rowCache) turn() {
	if c == nil {
		return
	}
	c.old, c.cur = c.cur, make(map[rowKey]rowParts, len(c.cur))
	if len(c.selected) > 4 {
		clear(c.selected)
	}
}

// forget drops everything (the styles changed).
func (c *rowCache) forget() {
	if c != nil {
		c.cur, c.old, c.selected = map[rowKey]rowParts{}, map[rowKey]rowParts{}, map[selKey]string{}
		c.listOK = false
	}
}

func (c *rowCache) parts(k rowKey, build func() rowParts) rowParts {
	if c == nil {
		return build()
	}
	if p, ok := c.cur[k]; ok {
		return p
	}
	p, ok := c.old[k]
	if !ok {
		p = build()
	}
	c.cur[k] = p
	return p
}

// lintKind is which lint mark a row carries.
type lintKind int

const (
	lintNone lintKind = iota
	lintWaiting
	lintUnseen
	lintNeverFires
)

func (l alarmList) lintKindOf(name string) lintKind {
	if _, ok := l.waiting[name]; ok {
		return lintWaiting // lint waits for the first data
	}
	k := lintNone
	for _, f := range l.lint[name] {
		if f.Kind != alarms.FindingUnseenValue {
			return lintNeverFires
		}
		k = lintUnseen
	}
	return k
}

// lintMark is ⚠ when the alarm queries an identity nothing publishes (it can
// never fire), ~ when only a dimension value has not been seen yet (a
// failure counter before its first failure, or a typo), ◌ while lint waits
// for the first data, blank otherwise.
func (l alarmList) lintMark(name string) string {
	switch l.lintKindOf(name) {
	case lintWaiting:
		return l.styles.Muted.Render("◌ ")
	case lintNeverFires:
		return l.styles.Warn.Render("⚠ ")
	case lintUnseen:
		return l.styles.Muted.Render("~ ")
	}
	return "  "
}

func (l alarmList) rowKeyOf(a alarms.Alarm, cols [4]int) rowKey {
	k := rowKey{name: a.Name, evalState: a.EvaluationState, state: a.State, composite: a.Composite,
		rule: a.Rule, unit: a.Unit, cmp: a.Comparison, recent: len(a.Recent), points: len(a.Series),
		threshold: a.Threshold, hasThreshold: a.HasThreshold, muted: a.Muted, actionsOn: a.ActionsEnabled,
		mutedUntil: a.MutedUntil, lint: l.lintKindOf(a.Name), cols: cols, prefix: l.prefix}
	if len(a.Recent) > 0 {
		k.last = a.Recent[len(a.Recent)-1]
	}
	if len(a.Series) > 0 {
		k.series = &a.Series[0]
	}
	return k
}

// buildRow renders the parts of a row that do not move by themselves.
func (l alarmList) buildRow(a alarms.Alarm, k rowKey) rowParts {
	vals := make([]float64, len(a.Series))
	for i, p := range a.Series {
		vals[i] = p.Value
	}
	var th *float64
	if a.HasThreshold {
		th = &a.Threshold
	}
	name := termsafe.String(strings.TrimPrefix(a.Name, l.prefix)) // names come from CloudWatch
	if a.EvaluationState != "" {
		name += " [" + termsafe.String(a.EvaluationState) + "]"
	}
	name += muteMark(a)
	nameW, valueW, newestW, sparkW := k.cols[0], k.cols[1], k.cols[2], k.cols[3]
	left := l.stateCell(a.State) + " " + fit(name, nameW)
	right := fit(valueCell(a, newestW), valueW) + " " + l.styles.Muted.Render(fit(newestText(a), newestW)) + " " +
		fit(sparkline(vals, sparkW, th), sparkW) + " " + l.lintMark(a.Name)
	return rowParts{left: left, right: right, leftW: lipgloss.Width(left), rightW: lipgloss.Width(right)}
}

// rowColumns is the widths of the flexible columns, once per frame.
func (l alarmList) rowColumns() [4]int {
	n, v, nw, sp := l.columns()
	return [4]int{n, v, nw, sp}
}

// row is one alarm's line, exactly the list's width.
func (l alarmList) row(a alarms.Alarm, now time.Time) string {
	return l.rowWith(a, now, l.rowColumns())
}

func (l alarmList) rowWith(a alarms.Alarm, now time.Time, cols [4]int) string {
	k := l.rowKeyOf(a, cols)
	p := l.rows.parts(k, func() rowParts { return l.buildRow(a, k) })
	since := "-"
	if !a.Since.IsZero() {
		since = listAge(now.Sub(a.Since))
	}
	since = fmt.Sprintf("%7s", since) // ASCII: its width is its length
	line := p.left + " " + since + " " + p.right
	if w := p.leftW + 1 + len(since) + 1 + p.rightW; w < l.width-1 {
		line += strings.Repeat(" ", l.width-1-w)
	} else if w > l.width-1 {
		line = fit(line, l.width-1)
	}
	if a.Name != l.selected {
		return " " + line
	}
	sk := selKey{row: k, since: since, width: l.width}
	if l.rows != nil {
		if s, ok := l.rows.selected[sk]; ok {
			return s
		}
	}
	s := l.styles.Selected.Render("▶" + line)
	if l.rows != nil {
		l.rows.selected[sk] = s
	}
	return s
}

// countsKey is the list rebuild the header's counts were taken at: every
// snapshot applied rebuilds the list (a filter does too, and only costs a
// recount), whatever the backend did with its slice.
type countsKey struct {
	built *int
	n     int
}

// stateCounts is the header's ALARM, NO DATA and OK counts of the snapshot
// shown, counted once per snapshot: the header is drawn every second.
func (m Model) stateCounts() (alarm, nodata, ok int) {
	k := countsKey{built: m.list.built, n: len(m.snap.Alarms)}
	c := m.cache
	if c != nil && k.built != nil && c.countsOK && c.countsOf == k {
		return c.counts[0], c.counts[1], c.counts[2]
	}
	for _, a := range m.snap.Alarms {
		switch stateRank(a.State) {
		case 0:
			alarm++
		case 3:
			ok++
		default:
			nodata++
		}
	}
	if c != nil {
		c.counts, c.countsOf, c.countsOK = [3]int{alarm, nodata, ok}, k, true
	}
	return alarm, nodata, ok
}

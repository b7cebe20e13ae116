package ui

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"gatewayops/alarms"

	"gatewayops/internal/termsafe"
)

// alarmList is the left panel: one row per alarm, worst first. The selection
// is kept by alarm name, never by index, so a refresh that reorders the list
// (a new ALARM sorts to the top) never moves the cursor off the alarm the
// operator is reading.
type alarmList struct {
	styles   *Styles
	keys     KeyMap
	all      []alarms.Alarm
	lint     map[string][]alarms.Finding // alarm name -> lint findings
	waiting  map[string]time.Time        // alarm name -> when its lint findings count (first data could exist)
	valueW   int                         // measured by measure() on every rebuild
	newestW  int
	nameW    int
	want     int
	visible  []alarms.Alarm // all, filtered and sorted
	filter   string
	selected string // alarm name
	prefix   string // common name prefix of all alarms, shown once in the column head
	offset   int
	width    int
	height   int
	rows     *rowCache // rendered row parts, shared by the list's copies (rowcache.go)
	// built is new at every rebuild: the identity of what visible holds
	// (a copy of the list shares it; a list rebuilt from a copy does not).
	built *int
}

func newAlarmList(st *Styles, keys KeyMap) alarmList {
	return alarmList{styles: st, keys: keys, lint: map[string][]alarms.Finding{}, rows: newRowCache()}
}

// SetSize sets the panel's inner size in cells.
func (l *alarmList) SetSize(w, h int) { l.width, l.height = w, h; l.scroll() }

// SetAlarms replaces the list's data and keeps the selection by name.
func (l *alarmList) SetAlarms(as []alarms.Alarm, lint map[string][]alarms.Finding) {
	l.SetAlarmsWaiting(as, lint, nil)
}

// SetAlarmsWaiting is SetAlarms with the alarms whose lint waits for first data.
func (l *alarmList) SetAlarmsWaiting(as []alarms.Alarm, lint map[string][]alarms.Finding, waiting map[string]time.Time) {
	l.waiting = waiting
	l.all = as
	l.prefix = commonNamePrefix(as)
	if lint == nil {
		lint = map[string][]alarms.Finding{}
	}
	l.lint = lint
	l.rebuild()
}

// SetFilter keeps only alarms whose name, state or metric contains f (case-insensitive).
func (l *alarmList) SetFilter(f string) { l.filter = f; l.rebuild() }

// Selected returns the selected alarm; ok is false on an empty list.
// SelectFiring moves the cursor to the alarm name when it is on the list
// and in ALARM; it reports whether it did.
func (l *alarmList) SelectFiring(name string) bool {
	for _, a := range l.visible {
		if a.Name == name && a.State == alarms.StateAlarm {
			l.selected = name
			l.scroll()
			return true
		}
	}
	return false
}

func (l alarmList) Selected() (alarms.Alarm, bool) {
	i := l.index()
	if i < 0 {
		return alarms.Alarm{}, false
	}
	return l.visible[i], true
}

func (l *alarmList) rebuild() {
	l.built = new(int)
	// The order is sorted as indexes, not as alarms: an Alarm is a few
	// hundred bytes, and moving them through the sort was 38 % of applying
	// a 1,000-alarm snapshot (about 1.7 ms of the first frame).
	order := l.matching()
	slices.SortStableFunc(order, func(i, j int) int { return compareAlarms(&l.all[i], &l.all[j]) })
	l.visible = make([]alarms.Alarm, len(order)) // fresh: old model copies may share the old array
	for k, i := range order {
		l.visible[k] = l.all[i]
	}
	l.measure()
	if l.index() < 0 && len(l.visible) > 0 {
		l.selected = l.visible[0].Name
	}
	l.scroll()
}

// compareAlarms orders ALARM before no data before OK, then by severity,
// then name.
func compareAlarms(a, b *alarms.Alarm) int {
	if ra, rb := stateRank(a.State), stateRank(b.State); ra != rb {
		return cmp.Compare(ra, rb)
	}
	if ra, rb := severityRank(a.Severity), severityRank(b.Severity); ra != rb {
		return cmp.Compare(ra, rb)
	}
	return strings.Compare(a.Name, b.Name)
}

func stateRank(s alarms.State) int {
	switch s {
	case alarms.StateAlarm:
		return 0
	case alarms.StateInsufficientData:
		return 1
	case alarms.StateOK:
		return 3
	default:
		return 2
	}
}

func severityRank(s string) int {
	switch strings.ToLower(s) {
	case "critical":
		return 0
	case "high":
		return 1
	case "medium":
		return 2
	case "low":
		return 3
	default:
		return 4
	}
}

func (l alarmList) index() int {
	for i, a := range l.visible {
		if a.Name == l.selected {
			return i
		}
	}
	return -1
}

// Update moves the selection; it returns selectionChangedMsg when it moved.
func (l alarmList) Update(msg tea.Msg) (alarmList, tea.Cmd) {
	km, ok := msg.(tea.KeyPressMsg)
	if !ok || len(l.visible) == 0 {
		return l, nil
	}
	i, before := l.index(), l.selected
	page := max(l.height-2, 1)
	switch {
	case key.Matches(km, l.keys.Up):
		i--
	case key.Matches(km, l.keys.Down):
		i++
	case key.Matches(km, l.keys.Top):
		i = 0
	case key.Matches(km, l.keys.Bottom):
		i = len(l.visible) - 1
	case key.Matches(km, l.keys.PageUp):
		i -= page
	case key.Matches(km, l.keys.PageDown):
		i += page
	default:
		return l, nil
	}
	i = min(max(i, 0), len(l.visible)-1)
	l.selected = l.visible[i].Name
	l.scroll()
	if l.selected == before {
		return l, nil
	}
	return l, func() tea.Msg { return selectionChangedMsg{Name: l.selected} }
}

// headLines is the column heads, plus the filter line while a filter is set.
func (l alarmList) headLines() int {
	if l.filter != "" {
		return 2
	}
	return 1
}

// rowsWanted is the height that shows every visible alarm.
func (l alarmList) rowsWanted() int { return l.headLines() + max(len(l.visible), 1) }

// scroll keeps the selected row on screen.
func (l *alarmList) scroll() {
	rows := max(l.height-l.headLines(), 1)
	i := max(l.index(), 0)
	if i < l.offset {
		l.offset = i
	}
	if i >= l.offset+rows {
		l.offset = i - rows + 1
	}
	l.offset = min(l.offset, max(len(l.visible)-rows, 0))
}

// View renders the column heads and the visible rows at the panel's size.
func (l alarmList) View(now time.Time) string {
	if l.width <= 0 || l.height <= 0 {
		return ""
	}
	return l.rows.view(l.viewKey(now), func() string { return l.render(now) })
}

// render draws the list (View, when its cache misses).
func (l alarmList) render(now time.Time) string {
	if l.height == 1 && len(l.visible) > 0 {
		// One line: the selected alarm only (the stacked layout while a step runs).
		a, _ := l.Selected()
		l.rows.turn()
		return l.row(a, now)
	}
	var b strings.Builder
	if l.filter != "" {
		// The filter lives in the list's own head: a status message cannot hide it.
		b.WriteString(l.styles.Warn.Render(fit(fmt.Sprintf("filter %q: %d of %d alarms  (/ edit, esc clears)", l.filter, len(l.visible), len(l.all)), l.width)) + "\n")
	}
	b.WriteString(l.styles.Muted.Render(fit(l.head(), l.width)))
	if len(l.visible) == 0 {
		msg := "no alarms yet (waiting for the first refresh)"
		if l.filter != "" {
			msg = fmt.Sprintf("no alarm matches filter %q (esc clears)", l.filter)
		} else if len(l.all) > 0 {
			msg = "no alarms"
		}
		b.WriteString("\n" + l.styles.Muted.Render(fit(msg, l.width)))
		return clampLines(b.String(), l.height)
	}
	rows := max(l.height-l.headLines(), 1)
	end := min(l.offset+rows, len(l.visible))
	l.rows.turn()
	cols := l.rowColumns()
	for i := l.offset; i < end; i++ {
		b.WriteByte('\n')
		b.WriteString(l.rowWith(l.visible[i], now, cols))
	}
	return clampLines(b.String(), l.height)
}

// valueWidths are the widths of the evaluated-value column and the newest-
// point column: as wide as the widest visible value, so a threshold is never
// cut ("485056 ms > 100000" is not "485056 ms > 100…").
func (l alarmList) valueWidths() (value, newest int) {
	value, newest = l.valueW, l.newestW
	if l.width < 100 {
		newest = 0 // narrow: a newer point is marked "*" after the value instead
	}
	return value, newest
}

// measure computes, once per data or filter change, the widths the value
// columns and the whole list want, so a frame costs O(rows on screen).
func (l *alarmList) measure() {
	value, newest, name := len("EVALUATED"), 0, 20
	for _, a := range l.visible {
		value = max(value, cellWidth(evaluatedText(a)))
		newest = max(newest, cellWidth(newestText(a)))
		name = max(name, cellWidth(termsafe.String(strings.TrimPrefix(a.Name, l.prefix))+muteMark(a)))
	}
	if newest > 0 {
		newest = max(newest, len("NEWEST"))
	}
	l.valueW, l.newestW, l.nameW = min(value+2, 30), min(newest, 16), min(name, 40)
	l.want = 1 + 10 + 1 + min(name, 40) + 1 + 7 + 1 + l.valueW + 1 + 12 + 1 + 10 + 2
}

// wantWidth is the width that shows every column and the longest short name.
func (l alarmList) wantWidth() int { return l.want }

// valueCell is the evaluated value, marked "*" when a newer point is not
// evaluated yet and there is no NEWEST column to show it.
func valueCell(a alarms.Alarm, newestW int) string {
	if newestW == 0 && newestText(a) != "" {
		return evaluatedText(a) + " *"
	}
	return evaluatedText(a)
}

// columns computes the widths of the flexible name column, the value
// columns and the sparkline.
func (l alarmList) columns() (name, value, newest, spark int) {
	value, newest = l.valueWidths()
	// A row is cursor 1 + state 10 + name + since 7 + value + newest + trend
	// + lint 2, with a space between each: 25 cells besides the flexible ones.
	fixed := 1 + 10 + 7 + 2 + 6 + value + newest
	// The trend gets what the longest name leaves (up to 12 cells, none under
	// 4): a name is what the operator reads first.
	if spark = min(l.width-fixed-l.nameW, 12); spark < 4 {
		spark = 0
	}
	name = max(l.width-fixed-spark, 8)
	return name, value, newest, spark
}

func (l alarmList) head() string {
	name, value, newest, spark := l.columns()
	title := "ALARM"
	if l.prefix != "" {
		title += " (" + l.prefix + "…)"
	}
	valueHead := "EVALUATED"
	if newest == 0 && value >= len("EVALUATED (*newer)") {
		valueHead = "EVALUATED (*newer)"
	}
	return fmt.Sprintf("  %-9s %-*s %7s %-*s %-*s %-*s", "STATE", name, ansi.Truncate(title, name, "…"), "SINCE",
		value, valueHead, newest, ansi.Truncate("NEWEST", newest, ""), spark, ansi.Truncate("TREND", spark, ""))
}

// muteMark tells the two kinds of silence apart: a mute rule ends by
// itself at its expiry; disabled actions stay off until someone turns them on.
func muteMark(a alarms.Alarm) string {
	switch {
	case a.Muted && !a.MutedUntil.IsZero():
		return " [muted to " + utcClock(a.MutedUntil) + "]"
	case a.Muted:
		return " [muted]"
	case !a.ActionsEnabled && !a.Composite:
		return " [actions OFF]"
	}
	return ""
}

// stateCell is symbol + word + colour, fixed 10 cells wide.
func (l alarmList) stateCell(s alarms.State) string {
	text := fmt.Sprintf("%s %-8s", s.Symbol(), stateWord(s))
	switch s {
	case alarms.StateAlarm:
		return l.styles.Bad.Render(text)
	case alarms.StateOK:
		return l.styles.Good.Render(text)
	default:
		return l.styles.Unknown.Render(text)
	}
}

// stateWord is the upper-case word for the list ("ALARM", "OK", "NO DATA").
func stateWord(s alarms.State) string { return strings.ToUpper(s.Word()) }

// ShortHelp and FullHelp make the list a help.KeyMap.
func (l alarmList) ShortHelp() []key.Binding {
	return []key.Binding{l.keys.Up, l.keys.Down, l.keys.Filter}
}
func (l alarmList) FullHelp() [][]key.Binding {
	return [][]key.Binding{{l.keys.Up, l.keys.Down, l.keys.Top, l.keys.Bottom, l.keys.PageUp, l.keys.PageDown}}
}

// commonNamePrefix is the prefix all alarm names share, cut after the last
// "-" so that only whole words are hidden ("arrakis-staging-agent-"). With
// fewer than two alarms nothing is hidden.
func commonNamePrefix(as []alarms.Alarm) string {
	if len(as) < 2 {
		return ""
	}
	p := as[0].Name
	for _, a := range as[1:] {
		p = commonPrefix(p, a.Name)
	}
	return p[:strings.LastIndex(p, "-")+1]
}

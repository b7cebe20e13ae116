package ui

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"gatewayops/alarms"
)

// The alarm detail is the CloudWatch console's alarm page in text: the metric
// identity (namespace, name, every dimension), statistic, period, condition,
// M of N, missing-data treatment, state and reason, a chart of the series
// with a time axis and the threshold line, and the state history read with
// DescribeAlarmHistory. It opens with d and updates with every refresh.

// historyMsg carries one alarm's history.
type alarmHistoryMsg struct {
	id    int
	alarm string
	items []alarms.HistoryItem
	err   error
}

// historyWindow is how far back the detail's history reaches.
const historyWindow = 24 * time.Hour

func (m Model) openDetail() (tea.Model, tea.Cmd) {
	a, ok := m.list.Selected()
	if !ok {
		m.setStatus("no alarm selected", true)
		return m, nil
	}
	m.detailAlarm, m.detailHist, m.detailErr = a.Name, nil, ""
	w, _ := m.inner()
	m.openPager(pagerDetail, "Alarm detail: "+a.Name+" (times UTC)", m.detailText(a, w))
	id := m.newID()
	m.detailID = id
	b, ctx, name := m.backend, m.opts.Context, a.Name
	return m, func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		items, err := b.AlarmHistory(ctx, name, historyWindow)
		return alarmHistoryMsg{id: id, alarm: name, items: items, err: err}
	}
}

func (m Model) handleAlarmHistory(msg alarmHistoryMsg) (tea.Model, tea.Cmd) {
	if msg.id != m.detailID {
		return m, nil
	}
	m.detailHist, m.detailErr = msg.items, ""
	if msg.err != nil {
		m.detailErr = msg.err.Error()
	}
	m.refreshDetail()
	return m, nil
}

// refreshDetail re-renders an open detail from the current snapshot.
func (m *Model) refreshDetail() {
	if m.modal != modalPager || m.pagerOf != pagerDetail {
		return
	}
	for _, a := range m.snap.Alarms {
		if a.Name == m.detailAlarm {
			w, _ := m.inner()
			m.pager.SetContent(m.detailText(a, w))
			return
		}
	}
}

// detailText renders the whole page for width w.
func (m Model) detailText(a alarms.Alarm, w int) string {
	st := m.styles
	kv := func(k, v string) string { return st.Header.Render(padRight(k, 14)) + v }
	lines := []string{
		kv("State", fmt.Sprintf("%s %s since %s (%s)", a.State.Symbol(), stateWord(a.State), utcClock(a.Since), age(m.now().Sub(a.Since)))),
		kv("Evaluated", evaluatedText(a)+"   "+newestText(a)),
	}
	if a.EvaluationState != "" {
		lines = append(lines, kv("Evaluation", a.EvaluationState))
	}
	lines = append(lines, metricLines(a, kv)...)
	lines = append(lines,
		kv("Condition", conditionText(a)),
		kv("Datapoints", fmt.Sprintf("%d out of %d to alarm (M of N)", max(a.DatapointsToAlarm, a.EvaluationPeriods), a.EvaluationPeriods)),
		kv("Missing data", treatMissingText(a.TreatMissingData)),
		kv("Actions", actionsText(a)),
	)
	if a.Reason != "" {
		lines = append(lines, strings.Split(ansi.Wrap(kv("State reason", a.Reason), w, " "), "\n")...)
	}
	lines = append(lines, "", st.Title.Render("Metric (oldest → newest, threshold ┄)"))
	lines = append(lines, chart(a, max(w-12, 20), 8)...)
	lines = append(lines, "", st.Title.Render("State history (DescribeAlarmHistory, last 24h, newest first)"))
	lines = append(lines, m.historyLines(w)...)
	return strings.Join(lines, "\n")
}

func metricLines(a alarms.Alarm, kv func(k, v string) string) []string {
	if a.Composite {
		return []string{kv("Rule", a.Rule)}
	}
	if len(a.Metrics) > 0 {
		out := []string{kv("Metric math", fmt.Sprintf("%d queries", len(a.Metrics)))}
		for _, q := range a.Metrics {
			switch {
			case q.Expression != "":
				out = append(out, kv("  "+q.ID, "= "+q.Expression))
			case q.Metric != nil:
				out = append(out, kv("  "+q.ID, fmt.Sprintf("%s %s {%s} %s %ds", q.Metric.Namespace, q.Metric.MetricName, dimsText(q.Metric.Dimensions), q.Metric.Stat, q.Metric.Period)))
			}
		}
		return out
	}
	return []string{
		kv("Namespace", a.Namespace),
		kv("Metric", a.MetricName),
		kv("Dimensions", dimsText(a.Dimensions)),
		kv("Statistic", fmt.Sprintf("%s   period %d s", a.Statistic, a.Period)),
	}
}

func dimsText(ds []alarms.Dimension) string {
	if len(ds) == 0 {
		return "(none)"
	}
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = d.Name + "=" + d.Value
	}
	return strings.Join(parts, ", ")
}

func conditionText(a alarms.Alarm) string {
	if !a.HasThreshold {
		return a.Comparison
	}
	return fmt.Sprintf("%s %s %s (%s)", orDash(a.MetricName), alarms.ComparisonSymbol(a.Comparison), alarms.FormatValue(a.Threshold, a.Unit), a.Comparison)
}

func treatMissingText(t string) string {
	switch t {
	case "", "missing":
		return "missing (not counted; no data keeps the state)"
	case "notBreaching":
		return "notBreaching (counted as good)"
	case "breaching":
		return "breaching (counted as bad)"
	case "ignore":
		return "ignore (the state is kept)"
	}
	return t
}

func actionsText(a alarms.Alarm) string {
	switch {
	case a.Muted:
		return "muted" + strings.TrimSuffix(strings.TrimPrefix(muteMark(a), " [muted"), "]")
	case !a.ActionsEnabled:
		return "DISABLED (ActionsEnabled=false, no expiry; M ends it)"
	}
	return "enabled"
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func (m Model) historyLines(w int) []string {
	if m.detailErr != "" {
		return []string{m.styles.Stale.Render("history unavailable: " + m.detailErr)}
	}
	if m.detailHist == nil {
		return []string{m.styles.Muted.Render("reading…")}
	}
	if len(m.detailHist) == 0 {
		return []string{m.styles.Muted.Render("no history in the last 24h")}
	}
	var out []string
	for _, h := range m.detailHist {
		out = append(out, fit(utcClock(h.At)+"  "+padRight(h.Type, 20)+" "+h.Summary, w))
	}
	return out
}

// chart draws the series as a dot per column on a grid of height rows, the
// threshold as a dotted row, a value axis on the left and a time axis under
// it (UTC). NaN points are gaps.
func chart(a alarms.Alarm, width, height int) []string {
	pts := a.Series
	if len(pts) == 0 {
		return []string{"  no datapoints in the window"}
	}
	if len(pts) > width {
		pts = pts[len(pts)-width:]
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, p := range pts {
		if !math.IsNaN(p.Value) {
			lo, hi = math.Min(lo, p.Value), math.Max(hi, p.Value)
		}
	}
	if a.HasThreshold {
		lo, hi = math.Min(lo, a.Threshold), math.Max(hi, a.Threshold)
	}
	if math.IsInf(lo, 0) {
		return []string{"  every datapoint in the window is missing"}
	}
	if hi == lo {
		hi = lo + 1
	}
	row := func(v float64) int { return int(math.Round((hi - v) / (hi - lo) * float64(height-1))) }
	step := min(max(width/len(pts), 1), 6) // a short series is spread over the width
	cols := len(pts) * step
	grid := make([][]rune, height)
	for i := range grid {
		grid[i] = []rune(strings.Repeat(" ", cols))
	}
	if a.HasThreshold {
		for x := range grid[row(a.Threshold)] {
			grid[row(a.Threshold)][x] = '┄'
		}
	}
	for i, p := range pts {
		if !math.IsNaN(p.Value) {
			grid[row(p.Value)][i*step] = '●'
		}
	}
	out := make([]string, 0, height+2)
	for i, r := range grid {
		label := ""
		switch {
		case i == 0:
			label = alarms.FormatValue(hi, a.Unit)
		case i == height-1:
			label = alarms.FormatValue(lo, a.Unit)
		case a.HasThreshold && i == row(a.Threshold):
			label = alarms.FormatValue(a.Threshold, a.Unit)
		}
		out = append(out, fmt.Sprintf("%10s ┤%s", ansi.Truncate(label, 10, ""), string(r)))
	}
	out = append(out, strings.Repeat(" ", 11)+"└"+strings.Repeat("─", cols))
	first, last := utcClock(pts[0].Time), utcClock(pts[len(pts)-1].Time)
	gap := max(cols-step+1-len(first)-len(last), 1)
	return append(out, strings.Repeat(" ", 12)+first+strings.Repeat(" ", gap)+last)
}

package alarms

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/aws/smithy-go"
)

// Backend names in Snapshot.Health.
const (
	BackendCloudWatch = "cloudwatch"
)

// Health is the freshness of one backend's data.
type Health struct {
	LastSuccess time.Time `json:"lastSuccess,omitzero"`
	LastError   string    `json:"lastError,omitempty"`
	// Throttled is true when the last error was CloudWatch throttling.
	Throttled        bool      `json:"throttled,omitempty"`
	ErrorAt          time.Time `json:"errorAt,omitzero"`
	Calls            int       `json:"calls"`
	MetricsRequested int       `json:"metricsRequested"`
	CostUSD          float64   `json:"costUSD"`
	// Stale is true when the last refresh failed and the data shown is older.
	Stale      bool      `json:"stale"`
	StaleSince time.Time `json:"staleSince,omitzero"`
}

// PanelSeries is one dashboard panel with its returned lines.
type PanelSeries struct {
	Panel Panel  `json:"panel"`
	Lines []Line `json:"lines"`
}

// Snapshot is everything one refresh produced.
type Snapshot struct {
	Alarms []Alarm       `json:"alarms"`
	Panels []PanelSeries `json:"panels"`
	Lint   []Finding     `json:"lint"`
	// MutesUnknown says why mute state could not be read (e.g. no IAM
	// permission); alarms then show Muted=false without proof. Not fatal.
	MutesUnknown string            `json:"mutesUnknown,omitempty"`
	Health       map[string]Health `json:"health"`
	TakenAt      time.Time         `json:"takenAt"`
}

// InAlarm counts the alarms in ALARM.
func (s Snapshot) InAlarm() int {
	n := 0
	for _, a := range s.Alarms {
		if a.State == StateAlarm {
			n++
		}
	}
	return n
}

// PollerOptions tune the refresh cadence; zero values take the defaults.
type PollerOptions struct {
	// AlarmInterval applies while anything is in ALARM (default 10s).
	AlarmInterval time.Duration
	// QuietInterval applies while nothing is in ALARM (default 30s).
	QuietInterval time.Duration
	// MaxBackoff caps the exponential backoff after errors (default 5m).
	MaxBackoff time.Duration
	// Window is how much history the sparklines and panels show (default 1h).
	Window time.Duration
	// Lint runs the monitoring lint (ListMetrics per distinct metric) each refresh.
	Lint bool
	// SkipMutes skips the one ListAlarmMuteRules call per refresh that marks
	// alarms muted by gatewayops' own rules.
	SkipMutes bool
	// Now is the clock (default time.Now); tests pin it.
	Now func() time.Time
}

func (o PollerOptions) withDefaults() PollerOptions {
	if o.AlarmInterval <= 0 {
		o.AlarmInterval = 10 * time.Second
	}
	if o.QuietInterval <= 0 {
		o.QuietInterval = 30 * time.Second
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 5 * time.Minute
	}
	if o.Window <= 0 {
		o.Window = time.Hour
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// Poller turns the source and the catalog into snapshots. It keeps the last
// good snapshot so a failing backend shows old data marked stale, never nothing.
// Refresh and Run are not meant to be called concurrently.
type Poller struct {
	src      *Source
	catalog  Catalog
	opts     PollerOptions
	last     Snapshot
	health   Health
	failures int
}

// NewPoller polls src for the alarms and panels of catalog (already ForEnv'd).
func NewPoller(src *Source, catalog Catalog, opts PollerOptions) *Poller {
	return &Poller{src: src, catalog: catalog, opts: opts.withDefaults()}
}

// Refresh makes one refresh: ceil(alarms/100) DescribeAlarms, ONE GetMetricData
// for every alarm sparkline and panel query (up to 500), one ListAlarmMuteRules
// (unless SkipMutes) and, with Lint, one ListMetrics per distinct metric. On
// error it returns the last good data, marked stale, with the error in Health;
// LastError and ErrorAt stay after recovery so the console can show them.
func (p *Poller) Refresh(ctx context.Context) Snapshot {
	now := p.opts.Now()
	snap, err := p.fetch(ctx, now)
	if err != nil {
		p.failures++
		if !p.health.Stale {
			p.health.StaleSince = p.health.LastSuccess
		}
		p.health.Stale, p.health.LastError, p.health.ErrorAt = true, err.Error(), now
		p.health.Throttled = IsThrottle(err)
		snap = p.last
	} else {
		p.failures = 0
		p.health.Stale, p.health.StaleSince, p.health.LastSuccess = false, time.Time{}, now
		p.health.Throttled = false
		p.last = snap
	}
	u := p.src.Usage()
	p.health.Calls, p.health.MetricsRequested, p.health.CostUSD = total(u.Calls), u.MetricsRequested, u.CostUSD
	snap.Health = map[string]Health{BackendCloudWatch: p.health}
	return snap
}

func total(calls map[string]int) int {
	n := 0
	for _, v := range calls {
		n += v
	}
	return n
}

func (p *Poller) fetch(ctx context.Context, now time.Time) (Snapshot, error) {
	list, err := p.src.Alarms(ctx)
	if err != nil {
		return Snapshot{}, err
	}
	enrich(list, p.catalog)
	groups := viewGroups(list, p.catalog.Panels)
	lines, err := p.src.Series(ctx, groups, now.Add(-p.opts.Window), now)
	if err != nil {
		return Snapshot{}, err
	}
	snap := Snapshot{Alarms: list, TakenAt: now}
	for i := range snap.Alarms {
		snap.Alarms[i].Series = firstLine(lines[alarmKey(snap.Alarms[i].Name)])
	}
	for i, panel := range p.catalog.Panels {
		snap.Panels = append(snap.Panels, PanelSeries{Panel: panel, Lines: lines[panelKey(i)]})
	}
	if !p.opts.SkipMutes {
		snap.MutesUnknown = p.markMuted(ctx, snap.Alarms)
	}
	if p.opts.Lint {
		defs := LintTargets(list, p.catalog)
		inv, err := p.src.Inventory(ctx, defs)
		if err != nil {
			return Snapshot{}, err
		}
		snap.Lint = Lint(defs, inv)
	}
	return snap, nil
}

// markMuted sets Muted on alarms that an ACTIVE gatewayops mute rule targets
// (the rule name carries the alarm name, so one list call covers every alarm).
// It returns the reason when mute state could not be read.
func (p *Poller) markMuted(ctx context.Context, list []Alarm) string {
	rules, err := p.src.ListMutes(ctx, "")
	if err != nil {
		return err.Error()
	}
	active := map[string]bool{}
	for _, r := range rules {
		if alarm, ok := strings.CutPrefix(r.Name, MuteRuleName("")); ok && r.Status == "ACTIVE" {
			active[alarm] = true
		}
	}
	for i := range list {
		list[i].Muted = active[list[i].Name]
	}
	return ""
}

// enrich adds what CloudWatch does not know: severity and display unit from the catalog.
func enrich(list []Alarm, c Catalog) {
	for i := range list {
		def, ok := c.Find(list[i].Name)
		if !ok {
			continue
		}
		list[i].Severity = def.Severity
		if list[i].Unit == "" && def.Metric != nil {
			list[i].Unit = def.Metric.Unit
		}
		if list[i].Unit == "" && len(def.Metrics) > 0 && hasPercentLabel(def.Metrics) {
			list[i].Unit = "Percent"
		}
	}
}

func hasPercentLabel(qs []MetricQuery) bool {
	for _, q := range qs {
		if q.ReturnData && len(q.Label) > 0 && q.Label[len(q.Label)-1] == '%' {
			return true
		}
	}
	return false
}

func alarmKey(name string) string { return "alarm:" + name }
func panelKey(i int) string       { return fmt.Sprintf("panel:%d", i) }

func firstLine(ls []Line) []Point {
	if len(ls) == 0 {
		return nil
	}
	return ls[0].Points
}

// viewGroups is every query the view needs: one group per metric alarm (its
// metric, or its math with only the alarm's expression returned) and one per panel.
func viewGroups(list []Alarm, panels []Panel) []QueryGroup {
	var groups []QueryGroup
	for _, a := range list {
		switch {
		case a.Composite:
			continue
		case len(a.Metrics) > 0:
			groups = append(groups, QueryGroup{Key: alarmKey(a.Name), Queries: a.Metrics})
		case a.MetricName != "":
			stat := &MetricStat{Namespace: a.Namespace, MetricName: a.MetricName, Dimensions: a.Dimensions, Stat: a.Statistic, Period: a.Period}
			groups = append(groups, QueryGroup{Key: alarmKey(a.Name), Queries: []MetricQuery{{ID: "m", Metric: stat, ReturnData: true}}})
		}
	}
	for i, pn := range panels {
		groups = append(groups, QueryGroup{Key: panelKey(i), Queries: pn.Queries})
	}
	return groups
}

// NextDelay is how long to wait before the next refresh: the alarm interval
// while something fires, the quiet interval otherwise, and after consecutive
// failures an exponential backoff with full jitter, capped at MaxBackoff.
func (p *Poller) NextDelay(last Snapshot) time.Duration {
	base := p.opts.QuietInterval
	if last.InAlarm() > 0 {
		base = p.opts.AlarmInterval
	}
	if p.failures == 0 {
		return base
	}
	backoff := base << min(p.failures, 16)
	if backoff > p.opts.MaxBackoff || backoff <= 0 {
		backoff = p.opts.MaxBackoff
	}
	// Half fixed, half random: never hammer in lockstep, never retry instantly.
	return backoff/2 + rand.N(backoff/2+1)
}

// Failures is the number of consecutive failed refreshes.
func (p *Poller) Failures() int { return p.failures }

// Run refreshes until ctx ends, sending each snapshot to out.
func (p *Poller) Run(ctx context.Context, out chan<- Snapshot) {
	for {
		snap := p.Refresh(ctx)
		select {
		case out <- snap:
		case <-ctx.Done():
			return
		}
		t := time.NewTimer(p.NextDelay(snap))
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return
		}
	}
}

// IsThrottle reports whether err is CloudWatch throttling (the poller backs off either way).
func IsThrottle(err error) bool {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		switch ae.ErrorCode() {
		case "Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException":
			return true
		}
	}
	return false
}

// RefreshPerPanel is the baseline the benchmark compares Refresh against: it
// reads the same data the way a CloudWatch dashboard does, one GetMetricData
// per alarm sparkline and per panel. It does not touch the poller's state.
func (p *Poller) RefreshPerPanel(ctx context.Context) (Snapshot, error) {
	now := p.opts.Now()
	list, err := p.src.Alarms(ctx)
	if err != nil {
		return Snapshot{}, err
	}
	enrich(list, p.catalog)
	snap := Snapshot{Alarms: list, TakenAt: now}
	start := now.Add(-p.opts.Window)
	groups := viewGroups(list, p.catalog.Panels)
	lines := map[string][]Line{}
	for _, g := range groups {
		one, err := p.src.Series(ctx, []QueryGroup{g}, start, now)
		if err != nil {
			return Snapshot{}, err
		}
		lines[g.Key] = one[g.Key]
	}
	for i := range snap.Alarms {
		snap.Alarms[i].Series = firstLine(lines[alarmKey(snap.Alarms[i].Name)])
	}
	for i, panel := range p.catalog.Panels {
		snap.Panels = append(snap.Panels, PanelSeries{Panel: panel, Lines: lines[panelKey(i)]})
	}
	return snap, nil
}

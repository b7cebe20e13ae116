package alarms

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/smithy-go"

	"gatewayops/internal/future"
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
	// CostPerDayUSD is the running GetMetricData cost: the metrics requested
	// over the last hour, scaled to a day (0 until two refreshes span time).
	CostPerDayUSD float64 `json:"costPerDayUSD"`
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

	// ScreenRows is how many alarm rows the console shows until it says
	// which (SetOnScreen); their series are asked for once per period, and
	// the others' rarely. 0 counts every alarm as shown (one-shot callers
	// such as `gatewayops alarms`, which print every row); the console sets
	// the rows its pane can show (60 in a 200x60 pane).
	ScreenRows int
	// FiringInterval is how often the series of an alarm in ALARM off
	// screen, and of panels while no panel view is on screen, are asked for
	// (default 10m).
	FiringInterval time.Duration
	// SlowInterval is how often every other series is asked for (default 30m).
	SlowInterval time.Duration
	// SweepInterval is how often the prefix is listed in full to find
	// alarms the catalog lacks; in between, the known names are read by
	// AlarmNames in parallel batches (default 5m).
	SweepInterval time.Duration
	// LintInterval is how often the lint re-reads ListMetrics (default 5m).
	LintInterval time.Duration
	// FastStart makes the first refresh read only the catalog's alarms
	// (AlarmNames batches, in parallel) and no series, lint or sweep, so the
	// first list with states is drawn at once; NextDelay then asks for the
	// rest right away. Off, the first refresh is complete (one-shot callers).
	FastStart bool
}

// DefaultScreenRows is the alarm rows a console counts as shown until it
// says which: the list of a 200x60 pane, rounded up to the pane's height.
const DefaultScreenRows = 60

// followUp is the delay before the refresh that completes a FastStart one.
const followUp = 10 * time.Millisecond

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
	o.FiringInterval = orDefault(o.FiringInterval, 10*time.Minute)
	o.SlowInterval = orDefault(o.SlowInterval, 30*time.Minute)
	o.SweepInterval = orDefault(o.SweepInterval, 5*time.Minute)
	o.LintInterval = orDefault(o.LintInterval, 5*time.Minute)
	return o
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// Poller turns the source and the catalog into snapshots. It keeps the last
// good snapshot so a failing backend shows old data marked stale, never nothing.
// Refresh and Run are not meant to be called concurrently.
type Poller struct {
	src      *Source
	catalog  Catalog
	index    CatalogIndex
	opts     PollerOptions
	last     Snapshot
	health   Health
	failures int

	ls        listState
	completed bool // a complete refresh has run (FastStart defers one)
	deferred  bool // the last refresh was a FastStart one: the rest is due now
	series    *schedule
	inventory Inventory
	lintAt    time.Time
	cost      costMeter
	metrics   int // MetricsRequested at the end of the last refresh

	screen screenState
	// plannedShown is the on-screen set the schedule's queue was planned
	// with; muted is the active mute rules the last snapshot was marked
	// from; unapplied is the alarms whose series were fetched since the
	// last snapshot handed out (a failed refresh's fetch shows in the next).
	plannedShown map[string]bool
	muted        map[string]time.Time
	unapplied    map[string]bool

	// prefetch is a refresh Prefetch started; the next Refresh returns it.
	prefetch atomic.Pointer[future.Future[Snapshot]]
}

// screenState is what the console says is on screen; it is set from the UI's
// goroutine, so it has its own lock.
type screenState struct {
	mu     sync.Mutex
	set    bool
	alarms map[string]bool
	panels bool
}

// NewPoller polls src for the alarms and panels of catalog (already ForEnv'd).
func NewPoller(src *Source, catalog Catalog, opts PollerOptions) *Poller {
	p := &Poller{src: src, catalog: catalog, index: NewCatalogIndex(catalog), opts: opts.withDefaults(), series: newSchedule()}
	for _, a := range catalog.Alarms {
		p.ls.known = append(p.ls.known, a.Name)
	}
	return p
}

// SetOnScreen tells the poller which alarm rows are on screen and whether a
// panel view is: their series are asked for once per period, every other
// series rarely. Until it is called the first ScreenRows alarms in
// DisplayLess order count as on screen, and so do the panels. Safe to call
// while a refresh runs; it applies from the next one.
func (p *Poller) SetOnScreen(alarmNames []string, panels bool) {
	m := make(map[string]bool, len(alarmNames))
	for _, n := range alarmNames {
		m[n] = true
	}
	p.screen.mu.Lock()
	p.screen.set, p.screen.alarms, p.screen.panels = true, m, panels
	p.screen.mu.Unlock()
}

// onScreen is the alarm names on screen (a map SetOnScreen replaces and
// never writes, so the poller may keep it) and whether panels are; n and
// at are the list, read only when the console has not said.
func (p *Poller) onScreen(n int, at func(int) *Alarm) (map[string]bool, bool) {
	p.screen.mu.Lock()
	defer p.screen.mu.Unlock()
	if p.screen.set {
		return p.screen.alarms, p.screen.panels
	}
	// Panels count as shown until the console says otherwise: stale panels
	// in an incident cost more than their 1,440 requests a day per metric.
	if p.opts.ScreenRows <= 0 {
		return topNamesOf(n, n, at), true
	}
	return topNamesOf(n, p.opts.ScreenRows, at), true
}

// Refresh makes one refresh. The alarms: every SweepInterval (and first) a
// full prefix listing, one per state in parallel; in between one
// DescribeAlarmHistory page per 100 changes in the account since the last
// read, then DescribeAlarms by AlarmNames (100 a call, four in flight) for
// the changed alarms and the rows on screen. Then one GetMetricData per 500
// DUE metrics (on-screen series once per period, the rest rarely), one
// ListAlarmMuteRules (unless SkipMutes) and, with Lint, every LintInterval,
// one ListMetrics per distinct metric. On error it returns the last good
// data, marked stale, with the error in Health; LastError and ErrorAt stay
// after recovery so the console can show them.
func (p *Poller) Refresh(ctx context.Context) Snapshot {
	if f := p.prefetch.Swap(nil); f != nil {
		// It owns the poller's state until it ends, so it is waited for
		// whatever ctx says; its own timeout bounds it.
		snap, _ := f.Wait()
		return snap
	}
	return p.refresh(ctx)
}

// Prefetch starts a Refresh now, in the background, bounded by timeout;
// the next Refresh returns its snapshot instead of polling, and the channel
// closes when it has answered. The console
// calls it the moment the session and the catalog are ready, so its first
// poll runs beside the runbook library's parse (1-2 ms) instead of after
// it (decisions.md 176).
func (p *Poller) Prefetch(ctx context.Context, timeout time.Duration) <-chan struct{} {
	f := future.Start(func() (Snapshot, error) {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		return p.refresh(ctx), nil
	})
	p.prefetch.Store(f)
	return f.Done()
}

func (p *Poller) refresh(ctx context.Context) Snapshot {
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
	p.health.CostPerDayUSD = p.cost.add(now, u.MetricsRequested-p.metrics)
	p.metrics = u.MetricsRequested
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
	fast := p.opts.FastStart && !p.completed && !p.deferred && p.catalogUnderPrefix()
	var mutes *future.Future[[]MuteRule]
	if !p.opts.SkipMutes {
		// The mute rules do not depend on the alarms: read them beside the
		// listing instead of after it (one round trip less before the
		// first frame). Every return below waits for the call first.
		mutes = future.Start(func() ([]MuteRule, error) { return p.src.ListMutes(ctx, "") })
		defer mutes.Wait()
	}
	next := p.ls.clone()
	rd, err := p.list(ctx, &next, now, fast)
	if err != nil {
		return Snapshot{}, err
	}
	l := p.startList(rd)
	snap := Snapshot{TakenAt: now}
	if !fast {
		if err := p.fillSeries(ctx, l, rd.read, &snap, now); err != nil {
			return Snapshot{}, err
		}
	}
	var muted map[string]time.Time
	if mutes != nil {
		snap.MutesUnknown, muted = p.markMuted(l, rd.read, mutes)
	}
	snap.Alarms = l.commit()
	if p.opts.Lint && !fast {
		if err := p.lint(ctx, &snap, now); err != nil {
			return Snapshot{}, err
		}
	}
	p.completed, p.deferred = p.completed || !fast, fast
	// Only now: a refresh that failed half-way re-reads what it read, and
	// the next one marks and fills from what the last snapshot holds.
	p.ls = next
	if muted != nil {
		p.muted = muted
	}
	if !fast {
		clear(p.unapplied)
	}
	return snap, nil
}

// listRead is what a refresh's listing gives: a new list (a sweep, the
// first refresh, a change in the set of names), every alarm in it read
// now; or the last snapshot's list, not to be written, and the alarms read
// by name (got) with where they sit in it (read).
type listRead struct {
	alarms []Alarm
	fresh  bool
	read   []int
	got    []Alarm
}

// catalogUnderPrefix: a FastStart refresh reads the catalog's names, which
// shows nothing when none is under the source's prefix; then it sweeps.
func (p *Poller) catalogUnderPrefix() bool {
	for _, n := range p.ls.known {
		if strings.HasPrefix(n, p.src.Prefix()) {
			return true
		}
	}
	return false
}

// list reads the alarms. Every SweepInterval (and first) it lists the
// whole prefix (then any known name the sweep missed, e.g. one that changed
// state between its per-state listings, by name). In between it reads only
// what can have changed: the alarms the account's history names since the
// last read, and the rows on screen (their values move without a state
// change), by AlarmNames; everything else keeps its last read. A refresh
// then costs O(changes + screen), not O(alarms): 10,000 alarms read in full
// every 10 s would also be 10 DescribeAlarms a second, over CloudWatch's
// default quota of 9. A FastStart first refresh reads the catalog's names.
func (p *Poller) list(ctx context.Context, ls *listState, now time.Time, fast bool) (listRead, error) {
	if fast {
		list, err := p.src.AlarmsNamed(ctx, ls.known)
		return listRead{alarms: list, fresh: true}, err
	}
	if ls.swept && now.Sub(ls.sweptAt) < p.opts.SweepInterval {
		return p.incremental(ctx, ls)
	}
	ls.mark.reset(now)
	list, err := p.src.Alarms(ctx)
	if err != nil {
		return listRead{}, err
	}
	found := make(map[string]bool, len(list))
	for _, a := range list {
		found[a.Name] = true
	}
	var missed []string
	for _, n := range ls.known {
		if !found[n] && strings.HasPrefix(n, p.src.Prefix()) && p.wasListed(n) {
			missed = append(missed, n)
		}
	}
	if len(missed) > 0 {
		more, err := p.src.AlarmsNamed(ctx, missed)
		if err != nil {
			return listRead{}, err
		}
		list = mergeAlarms(list, more)
	}
	ls.known = p.knownNames(list)
	ls.swept, ls.sweptAt = true, now
	return listRead{alarms: list, fresh: true}, nil
}

// incremental reads the alarms changed since the mark and those on screen.
// When the read leaves the set of names as it was, the refresh edits the
// last list (decisions.md 145); else it merges them into a new one (a name
// asked for that does not come back was deleted).
func (p *Poller) incremental(ctx context.Context, ls *listState) (listRead, error) {
	changes, err := p.src.ChangesSince(ctx, ls.mark.at)
	if err != nil {
		return listRead{}, err
	}
	want := map[string]bool{}
	for _, c := range ls.mark.advance(changes) {
		want[c] = true
	}
	last := p.last.Alarms
	shown, _ := p.onScreen(len(last), func(i int) *Alarm { return &last[i] })
	for n := range shown {
		want[n] = true
	}
	names := make([]string, 0, len(want))
	for n := range want {
		names = append(names, n)
	}
	sort.Strings(names)
	got, err := p.src.AlarmsNamed(ctx, names)
	if err != nil {
		return listRead{}, err
	}
	if read, ok := locateRead(last, want, got); ok {
		return listRead{alarms: last, read: read, got: got}, nil
	}
	list, renamed := mergeRead(last, want, got)
	if renamed { // known is the catalog's names and the list's: unchanged unless the list's are
		ls.known = p.knownNames(list)
	}
	return listRead{alarms: list, fresh: true}, nil
}

// mergeRead is last with every name in asked replaced by its fresh read
// (or dropped when the read did not return it), plus new alarms, by name;
// renamed is whether the set of names changed. It copies last once and
// finds each alarm read by binary search (last is sorted by name): at
// 10,000 alarms a refresh reads about 60 of them.
func mergeRead(last []Alarm, asked map[string]bool, got []Alarm) (out []Alarm, renamed bool) {
	out = make([]Alarm, len(last), len(last)+len(got))
	copy(out, last) // sorted by name, as every list the poller keeps (wasListed searches it too)
	fresh := make(map[string]bool, len(got))
	added := false
	for _, a := range got {
		fresh[a.Name] = true
		if i, found := slices.BinarySearchFunc(out[:len(last)], a.Name, nameIs); found {
			out[i] = a
		} else {
			out, added = append(out, a), true
		}
	}
	var gone map[string]bool
	for n := range asked {
		if _, found := slices.BinarySearchFunc(out[:len(last)], n, nameIs); found && !fresh[n] {
			if gone == nil {
				gone = map[string]bool{}
			}
			gone[n] = true
		}
	}
	if gone != nil {
		out = slices.DeleteFunc(out, func(a Alarm) bool { return gone[a.Name] })
	}
	if added { // only new alarms can break the order
		slices.SortFunc(out, byName)
	}
	return out, added || gone != nil
}

func byName(a, b Alarm) int           { return strings.Compare(a.Name, b.Name) }
func nameIs(a Alarm, name string) int { return strings.Compare(a.Name, name) }

// listState is what the listing carries from one refresh to the next.
type listState struct {
	// known is every alarm name the poller reads by AlarmNames: the
	// catalog's and those the last sweep or change found. It is replaced,
	// never written in place, so clone shares it.
	known   []string
	mark    changeMark // where the next history read starts
	swept   bool
	sweptAt time.Time
}

// clone copies what a refresh may change, so a failed one changes nothing
// (known is shared: a refresh replaces it).
func (l listState) clone() listState { return l }

// historySkew is how far before the local clock a full read's history
// mark starts: history timestamps are CloudWatch's clock, and a change
// during the read must not fall between the read and the mark. A clock off
// by more than this loses changes until the next sweep (SweepInterval).
const historySkew = 2 * time.Minute

// changeMark is the position in the account's alarm history: the next read
// starts one millisecond (history's precision) after the newest change read.
// Exclusive, because a bulk change puts hundreds of items in one
// millisecond and an inclusive start would re-read them every refresh; an
// item that CloudWatch makes visible later than a newer one is caught by
// the screen's own reads or the next sweep.
type changeMark struct {
	at time.Time
}

func (m *changeMark) reset(now time.Time) { m.at = now.Add(-historySkew) }

// advance returns the alarms the changes name and moves the mark past the newest.
func (m *changeMark) advance(changes []Change) []string {
	out := make([]string, 0, len(changes))
	next := m.at
	for _, c := range changes {
		if c.At.Before(m.at) {
			continue
		}
		out = append(out, c.Alarm)
		if after := c.At.Truncate(time.Millisecond).Add(time.Millisecond); after.After(next) {
			next = after
		}
	}
	m.at = next
	return out
}

// wasListed: a name worth a second look after a sweep is one the last
// snapshot had (a catalog alarm that does not exist costs nothing more).
func (p *Poller) wasListed(name string) bool {
	i := sort.Search(len(p.last.Alarms), func(i int) bool { return p.last.Alarms[i].Name >= name })
	return i < len(p.last.Alarms) && p.last.Alarms[i].Name == name
}

// knownNames is the catalog's names plus every listed name, sorted.
func (p *Poller) knownNames(list []Alarm) []string {
	seen := make(map[string]bool, len(list)+len(p.catalog.Alarms))
	var out []string
	for _, a := range p.catalog.Alarms {
		if !seen[a.Name] {
			seen[a.Name] = true
			out = append(out, a.Name)
		}
	}
	for _, a := range list {
		if !seen[a.Name] {
			seen[a.Name] = true
			out = append(out, a.Name)
		}
	}
	sort.Strings(out)
	return out
}

// fillSeries asks for the due groups only, then gives the alarms and
// panels their cached lines (fetched now or earlier). The schedule's queue
// holds the alarms by when they are next due, so a steady refresh looks at
// the due ones and those it read or that moved on or off screen, not at
// every alarm (decisions.md 145).
func (p *Poller) fillSeries(ctx context.Context, l *nextList, read []int, snap *Snapshot, now time.Time) error {
	if p.series.start.IsZero() {
		p.series.start = now
	}
	shown, panelsShown := p.onScreen(len(l.alarms), l.at)
	p.replan(l, read, shown)
	due, names := p.dueAlarms(l, shown, now)
	var panels []int
	for i, pn := range p.catalog.Panels {
		g := QueryGroup{Key: panelKey(i), Queries: pn.Queries}
		t, every := p.panelTier(panelsShown)
		if p.series.panelDue(i, groupPeriod(g), t, every, now) && metricCount(g) > 0 {
			due, panels = append(due, g), append(panels, i)
		}
	}
	if len(due) > 0 {
		lines, err := p.src.Series(ctx, due, now.Add(-p.opts.Window), now)
		if err != nil {
			for _, n := range names { // still due: back in the queue
				if i, ok := l.index(n); ok {
					p.planAlarm(l, i, shown)
				}
			}
			return err
		}
		if p.unapplied == nil {
			p.unapplied = map[string]bool{}
		}
		for k, n := range names {
			p.series.storeAlarm(n, lines[due[k].Key], now)
			p.unapplied[n] = true
			if i, ok := l.index(n); ok {
				p.planAlarm(l, i, shown)
			}
		}
		for _, i := range panels {
			p.series.storePanel(i, lines[panelKey(i)], now)
		}
	}
	p.applySeries(l, read)
	for i, panel := range p.catalog.Panels {
		snap.Panels = append(snap.Panels, PanelSeries{Panel: panel, Lines: p.series.panelLines(i)})
	}
	return nil
}

// lint re-reads the inventory every LintInterval and judges every refresh's
// alarms against the last one read.
func (p *Poller) lint(ctx context.Context, snap *Snapshot, now time.Time) error {
	fresh := p.inventory == nil || now.Sub(p.lintAt) >= p.opts.LintInterval
	if !fresh && len(snap.Alarms) == len(p.last.Alarms) && p.last.Lint != nil {
		// Same alarms, same inventory: the findings cannot have changed
		// (a changed definition, or one alarm replaced by another, is judged
		// at the next inventory read).
		snap.Lint = p.last.Lint
		return nil
	}
	defs := LintTargets(snap.Alarms, p.catalog)
	if fresh {
		inv, err := p.src.Inventory(ctx, defs)
		if err != nil {
			return err
		}
		p.inventory, p.lintAt = inv, now
	}
	snap.Lint = Lint(defs, p.inventory)
	return nil
}

// markMuted sets Muted on alarms that an ACTIVE gatewayops mute rule targets
// (the rule name carries the alarm name, so one list call covers every alarm).
// It returns the reason when mute state could not be read, else the rules
// it marked from (by alarm name, their expiry).
func (p *Poller) markMuted(l *nextList, read []int, mutes *future.Future[[]MuteRule]) (string, map[string]time.Time) {
	rules, err := mutes.Wait()
	if err != nil {
		return err.Error(), nil
	}
	active := map[string]time.Time{}
	for _, r := range rules {
		if alarm, ok := strings.CutPrefix(r.Name, MuteRuleName("")); ok && r.Status == "ACTIVE" {
			active[alarm] = r.ExpiresAt
		}
	}
	p.applyMutes(l, read, active)
	return "", active
}

// enrich adds what CloudWatch does not know: severity and display unit from the catalog.
func enrich(list []Alarm, c CatalogIndex) {
	for i := range list {
		enrichOne(&list[i], c)
	}
}

func enrichOne(a *Alarm, c CatalogIndex) {
	def, ok := c.Find(a.Name)
	if !ok {
		return
	}
	a.Severity = def.Severity
	if a.Unit == "" && def.Metric != nil {
		a.Unit = def.Metric.Unit
	}
	if a.Unit == "" && len(def.Metrics) > 0 && hasPercentLabel(def.Metrics) {
		a.Unit = "Percent"
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
		if g, ok := alarmGroup(a); ok {
			groups = append(groups, g)
		}
	}
	for i, pn := range panels {
		groups = append(groups, QueryGroup{Key: panelKey(i), Queries: pn.Queries})
	}
	return groups
}

// alarmPeriod is the period of the alarm's sparkline (its group's, as groupPeriod).
func alarmPeriod(a *Alarm) time.Duration {
	p := a.Period
	for _, q := range a.Metrics {
		if q.Metric != nil {
			p = max(p, q.Metric.Period)
		}
	}
	if p <= 0 {
		p = 60
	}
	return time.Duration(p) * time.Second
}

// alarmGroup is the sparkline query of one alarm; false for a composite.
func alarmGroup(a Alarm) (QueryGroup, bool) {
	switch {
	case a.Composite:
		return QueryGroup{}, false
	case len(a.Metrics) > 0:
		return QueryGroup{Key: alarmKey(a.Name), Queries: a.Metrics}, true
	case a.MetricName != "":
		stat := &MetricStat{Namespace: a.Namespace, MetricName: a.MetricName, Dimensions: a.Dimensions, Stat: a.Statistic, Period: a.Period}
		return QueryGroup{Key: alarmKey(a.Name), Queries: []MetricQuery{{ID: "m", Metric: stat, ReturnData: true}}}, true
	}
	return QueryGroup{}, false
}

// NextDelay is how long to wait before the next refresh: the alarm interval
// while something fires, the quiet interval otherwise, and after consecutive
// failures an exponential backoff with full jitter, capped at MaxBackoff.
func (p *Poller) NextDelay(last Snapshot) time.Duration {
	if p.deferred && p.failures == 0 {
		return followUp // a FastStart refresh: the series and lint come next
	}
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
	enrich(list, p.index)
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

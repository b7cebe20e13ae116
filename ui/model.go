// Package ui is the gatewayops console: a Bubble Tea program whose root model
// owns layout, focus, routing and error state and delegates to small panels
// (alarm list, runbook, palette, confirmation, views). Everything slow runs in
// a tea.Cmd against a Backend and comes back as a typed message tagged with a
// request id; Update does no I/O.
package ui

import (
	"context"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"

	"gatewayops/alarms"

	"gatewayops/internal/termsafe"
)

// Options tune the console; the zero value is usable.
type Options struct {
	// RefreshEvery is the poll interval (default 30s).
	RefreshEvery time.Duration
	// NoColor drops colour (NO_COLOR); symbols and words stay.
	NoColor bool
	// Now is the clock (default time.Now); tests inject a fixed one.
	Now func() time.Time
	// Context bounds every backend call (default context.Background()).
	Context context.Context
	// Notice is one line shown under the header (the demo says what it is).
	Notice string
	// Log returns the console log's newest lines (go-redis, AWS SDK and std
	// log lines, already redacted and sanitised), oldest first; nil: none.
	// In memory and cheap: called in Update when the log view opens.
	Log func() []string
	// LogPath is the file the log is also written to, named in the view.
	LogPath string
	// Drill is the rehearsal this console runs on (nil: none); see drill.go.
	Drill Drill
	// BackgroundRender renders runbooks off the event loop, the pane saying
	// "Formatting the runbook…" meanwhile, so no frame (the first list above
	// all) waits behind Glamour. Run sets it; tests that read the runbook
	// straight after an Update leave it off.
	BackgroundRender bool
	// frames says when a frame is on screen (Run sets it): a background
	// render starts once the frame with its placeholder is written.
	frames *frameClock
}

func (o Options) withDefaults() Options {
	if o.RefreshEvery <= 0 {
		o.RefreshEvery = 30 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Context == nil {
		o.Context = context.Background()
	}
	return o
}

type view int

const (
	viewAlarms view = iota
	viewMetrics
	viewRedis
	viewFlags
	viewJournal
	viewCount
)

var viewNames = [viewCount]string{"Alarms", "Metrics", "Redis", "Flags", "Journal"}

type modal int

const (
	modalNone modal = iota
	modalHelp
	modalPalette
	modalFilter
	modalConfirm
	modalArm
	modalPager // a scrollable text over the body: output, journal entry, alarm detail
	modalUndo
	modalMutes
)

// Model is the root model of the console.
type Model struct {
	backend Backend
	opts    Options
	styles  *Styles
	keys    KeyMap
	md      *markdown
	help    help.Model
	spin    spinner.Model
	rollout *rolloutFeed // ECS rollout progress from the action in flight

	width, height int
	dark          bool // the styles are for a dark background (assumed until the terminal says)
	resizeGen     int
	view          view
	modal         modal
	focusSteps    bool
	geom          geometry // the panes' last layout (relayout skips an unchanged one)

	list    alarmList
	runbook runbookPanel
	palette palette
	filter  filterInput
	confirm confirmDialog
	arm     armForm
	flags   flagsView
	journal journalView
	pager   pager
	undo    undoList
	mutes   mutesList
	pagerOf pagerKind

	snap        Snapshot // shown
	pending     *Snapshot
	hasSnap     bool
	lastStates  map[string]alarms.State
	refreshID   int
	refreshing  bool
	tickGen     int
	refreshErr  string
	errSince    time.Time
	paused      bool
	muted       bool
	bells       int
	safety      Safety
	run         runPane
	nextID      int
	status      statusMsg
	journalID   int
	exportID    int
	armID       int
	lastExport  string
	fix         *fixNote     // the last verified fix, until its alarm moves
	gen         int          // bumped by every message but the clock tick (the body cache key)
	cache       *renderCache // the last rendered body
	clockOn     bool
	detailAlarm string
	detailHist  []alarms.HistoryItem
	detailErr   string
	detailID    int
	firstSnapAt time.Time     // the first snapshot: lint waits for data that could exist
	first       *firstHandoff // Run's prefetched first refresh, for Init to wait on (program.go)
	clockGen    int
	shown       shownState // what the backend was last told is on screen (screen.go)
	drill       drillView  // the drill's status and report (Options.Drill)
}

// New builds the console over a backend. It does no I/O: the first refresh
// is started by Init.
func New(b Backend, opts Options) Model {
	opts = opts.withDefaults()
	st := NewStyles(true, opts.NoColor)
	keys := DefaultKeyMap()
	md := newMarkdown(true, opts.NoColor)
	md.background, md.frames = opts.BackgroundRender, opts.frames
	if opts.Drill != nil {
		b = drillBackend{Backend: b, drill: opts.Drill} // every applied step reaches the drill
	}
	m := Model{
		backend: b, opts: opts, styles: &st, keys: keys, md: md,
		help: help.New(), spin: spinner.New(spinner.WithSpinner(spinner.Line)), rollout: newRolloutFeed(),
		lastStates: map[string]alarms.State{},
		cache:      &renderCache{},
		safety:     b.Safety(),
		dark:       true,
	}
	m.help.Styles = helpStyles(true, opts.NoColor)
	m.refreshID, m.refreshing = 1, true // the first refresh: Init issues it
	m.list = newAlarmList(m.styles, keys)
	m.runbook = newRunbookPanel(m.styles, keys, md)
	m.palette = newPalette(m.styles, b.Complete, b.Check)
	m.filter = newFilterInput()
	m.flags = newFlagsView(m.styles, keys)
	m.journal = newJournalView(m.styles, keys)
	return m
}

// Init asks for the background colour and issues the first refresh, whose
// request id New minted (Init cannot keep state). When Run prefetched that
// refresh, Init first waits up to firstRefreshWait for it (m.first): an
// answer in time goes to the first Update, ahead of every queued message,
// and Init issues no refresh. Otherwise the refresh is a command of Init's
// own, not a tick's: its answer joins the message queue the moment it is
// ready instead of after the tick's turn behind the terminal's start-up
// reports. Its snapshot starts the poll chain (rearm).
func (m Model) Init() tea.Cmd {
	b := m.backend
	loadHistory := func() tea.Msg { h, err := b.History(); return historyMsg{lines: h, err: err} }
	first := m.refreshCmd()
	if m.first.await(m.refreshCmd()) {
		first = nil // its answer is handed to the first Update
	}
	return tea.Batch(tea.RequestBackgroundColor, first, loadHistory, m.waitDrill(0))
}

// Update routes one message, then re-lays the panes out if what they show
// changed their sizes (an action pane appeared, the focus moved). No I/O here.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if answer, ok := m.first.take(); ok {
		return m.updateAfter(answer, msg) // Init's answered first refresh goes first
	}
	if tick, ok := msg.(clockTickMsg); ok {
		return m.handleClock(tick) // only the header and ages move: the body cache stays valid
	}
	if terminalReport(msg) {
		return m, nil // nothing on screen changes: the frame Bubble Tea asks for next is the cached one
	}
	m.gen++
	next, cmd := m.route(msg)
	if mm, ok := next.(Model); ok {
		mm.relayout()
		mm.reportScreen()
		mm.showDrillReport() // a report that waited for a dialog to close
		if c := mm.startClock(); c != nil {
			cmd = tea.Batch(cmd, c)
		}
		if c := mm.runbook.RenderLater(); c != nil {
			cmd = tea.Batch(cmd, c)
		}
		return mm, cmd
	}
	return next, cmd
}

// updateAfter applies first, then msg, and batches both commands.
func (m Model) updateAfter(first, msg tea.Msg) (tea.Model, tea.Cmd) {
	next, cmd := m.Update(first)
	mm, ok := next.(Model)
	if !ok {
		return next, cmd
	}
	next, more := mm.Update(msg)
	return next, tea.Batch(cmd, more)
}

// terminalReport is a report Bubble Tea sends at start-up that the console
// does not use (the renderer applies the colour profile itself). Four of
// them arrive before the first list, each followed by a View; passed to
// route they bumped the generation and re-rendered the empty body for
// nothing. A report route comes to handle must leave this list.
func terminalReport(msg tea.Msg) bool {
	switch msg.(type) {
	case tea.EnvMsg, tea.ColorProfileMsg, tea.ModeReportMsg, tea.KeyboardEnhancementsMsg, tea.TerminalVersionMsg:
		return true
	}
	return false
}

// route is a switch that delegates.
func (m Model) route(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		return m.handleResize(msg)
	case resizeSettledMsg:
		if msg.gen == m.resizeGen {
			m.setSize(msg.width, msg.height)
		}
		return m, nil
	case tea.BackgroundColorMsg:
		if msg.IsDark() == m.dark || m.opts.NoColor {
			return m, nil // the styles and rendered runbooks already fit (NO_COLOR: one set for both)
		}
		m.dark = msg.IsDark()
		st := NewStyles(msg.IsDark(), m.opts.NoColor)
		*m.styles = st
		m.md.Restyle(msg.IsDark(), m.opts.NoColor)
		m.help.Styles = helpStyles(msg.IsDark(), m.opts.NoColor)
		m.list.rows.forget() // rows rendered in the old colours
		m.runbook.layout()
		return m, nil
	case tea.KeyPressMsg:
		return m.handleKey(msg)
	case rolloutMsg:
		return m.handleRollout(msg)
	case spinner.TickMsg:
		if m.run.phase != phasePlanning && m.run.phase != phaseApplying {
			return m, nil // nothing in progress: let the spinner stop
		}
		var cmd tea.Cmd
		m.spin, cmd = m.spin.Update(msg)
		return m, cmd
	}
	return m.handleResult(msg)
}

// handleResult applies the answers of slow commands and panel messages.
func (m Model) handleResult(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case refreshTickMsg:
		return m.handleTick(msg)
	case snapshotMsg:
		return m.handleSnapshot(msg)
	case runbookRenderedMsg:
		if m.runbook.hasRB && m.runbook.rb.ID == msg.id {
			m.runbook.layout() // the rendering is in the cache now
		}
		return m, nil
	case selectionChangedMsg:
		m.showSelected()
		return m, nil
	case planMsg:
		return m.handlePlan(msg)
	case confirmDoneMsg:
		return m.handleConfirmDone(msg)
	case applyMsg:
		return m.handleApply(msg)
	case paletteSubmitMsg:
		m.modal = modalNone
		b, line := m.backend, msg.Line
		save := func() tea.Msg {
			if err := b.AddHistory(line); err != nil {
				return statusMsg{text: "palette history not saved: " + err.Error(), isErr: true}
			}
			return nil
		}
		mm, cmd := m.startRun(msg.Line)
		return mm, tea.Batch(cmd, save)
	case snippetMsg:
		return m.handleSnippet(msg)
	case alarmHistoryMsg:
		return m.handleAlarmHistory(msg)
	case historyMsg:
		if msg.err == nil {
			m.palette.SetHistory(msg.lines)
		}
		return m, nil
	case paletteClosedMsg:
		m.modal = modalNone
		return m, nil
	case armSubmitMsg:
		return m.handleArmSubmit(msg)
	case armCancelMsg:
		m.modal = modalNone
		return m, nil
	case armMsg:
		return m.handleArmDone(msg)
	case journalMsg:
		return m.handleJournal(msg)
	case exportMsg:
		return m.handleExport(msg)
	case drillStatusMsg:
		return m.handleDrill(msg)
	case statusMsg:
		m.status = msg
		return m, nil
	}
	return m, nil
}

// Bells is how many times the console rang the bell (tests read it).
func (m Model) Bells() int { return m.bells }

func (m Model) now() time.Time { return m.opts.Now() }

func (m *Model) newID() int { m.nextID++; return m.nextID }

// setStatus shows a transient line in the status bar for ttl.
func (m *Model) setStatus(text string, isErr bool) {
	m.status = statusMsg{text: termsafe.String(text), isErr: isErr, until: m.now().Add(15 * time.Second)}
}

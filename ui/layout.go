package ui

import (
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"
)

// The console has three layouts, chosen by the terminal size:
//   - wide (140 columns or more): alarm list left, runbook and action pane right;
//   - stacked (80x24 up to 139 columns): the list on top at full width, the
//     runbook under it; while steps have the focus or an action runs, the list
//     shrinks to the selected alarm's row so plan, confirmation and verdict fit;
//   - single (below 80x24): one pane at a time, the focused one.
//
// In every layout a step runs only when its row is on screen (stepOnScreen).
type layoutMode int

const (
	layoutWide layoutMode = iota
	layoutStacked
	layoutSingle
)

// Sizes that choose the layout (outer terminal size, frame included).
const (
	minFullWidth, minFullHeight = 80, 24
	wideWidth                   = 140
	// minRunbookWidth is what the right column keeps in the wide layout.
	minRunbookWidth = 40
)

func (m Model) layoutMode() layoutMode {
	switch {
	case m.width < minFullWidth || m.height < minFullHeight:
		return layoutSingle
	case m.width < wideWidth:
		return layoutStacked
	}
	return layoutWide
}

// geometry is where the panes of the alarms view go, in cells of the body.
type geometry struct {
	mode                layoutMode
	listW, listH        int // 0 when the list is not shown
	rightW, rightH      int // 0 when the runbook column is not shown
	runH                int // lines of the action pane inside the right column
	showList, showRight bool
}

// geometry computes the panes for a body of w x h cells.
func (m Model) geometry(w, h int) geometry {
	g := geometry{mode: m.layoutMode()}
	switch g.mode {
	case layoutWide:
		g.listW = min(max(w*45/100, min(m.list.wantWidth(), w/2)), w-minRunbookWidth-1)
		g.listH, g.rightW, g.rightH = h, max(w-g.listW-1, 10), h
		g.showList, g.showRight = true, true
	case layoutStacked:
		g.listW, g.rightW = w, w
		g.listH = min(m.list.rowsWanted(), max(h/2, 3))
		if m.focusSteps || m.run.phase != phaseIdle {
			g.listH = 1 // the selected alarm's row keeps the context
		}
		g.rightH = max(h-g.listH-1, 3)
		g.showList, g.showRight = true, true
	default:
		if m.focusSteps {
			g.rightW, g.rightH, g.showRight = w, h, true
		} else {
			g.listW, g.listH, g.showList = w, h, true
		}
	}
	if g.showRight && m.run.phase != phaseIdle {
		need := m.run.lineCount(g.rightW) + 1 // + the rule above it
		g.runH = min(max(need, 4), max(g.rightH*2/3, 4))
	}
	return g
}

// relayout sizes the panels for the current geometry; it does nothing when
// the geometry did not change, so a tick or a refresh costs no re-layout.
func (m *Model) relayout() {
	if m.width == 0 {
		return
	}
	iw, _ := m.inner()
	g := m.geometry(iw, m.bodyHeight())
	if g == m.geom {
		return
	}
	m.geom = g
	m.list.SetSize(max(g.listW, 1), max(g.listH, 1))
	m.runbook.SetSize(max(g.rightW, 10), max(g.rightH-g.runH, 3))
}

// alarmsBody draws the alarms view in the current geometry.
func (m Model) alarmsBody(w, h int, now time.Time) string {
	g := m.geometry(w, h)
	var right string
	if g.showRight {
		right = m.rightColumn(g, now)
	}
	switch {
	case g.mode == layoutWide:
		left := clampLines(m.list.View(now), h)
		sep := strings.TrimRight(strings.Repeat("│\n", h), "\n")
		return m.joins().joinColumns(left, m.list.width, m.styles.Muted.Render(sep), right)
	case g.showList && g.showRight:
		rule := m.styles.Muted.Render(strings.Repeat("─", w))
		return clampLines(clampLines(m.list.View(now), g.listH)+"\n"+rule+"\n"+right, h)
	case g.showRight:
		return clampLines(right, h)
	}
	return clampLines(m.list.View(now), h)
}

// rightColumn is the runbook panel and, while an action is shown, the
// action pane. Neither moves by itself outside a step in flight, so it is
// kept per model generation and layout (a clock tick re-renders the list's
// ages, not the runbook).
func (m Model) rightColumn(g geometry, now time.Time) string {
	c := m.cache
	if c == nil || m.run.phase == phasePlanning || m.run.phase == phaseApplying {
		return m.renderRight(g, now)
	}
	if !c.rightOK || c.rightGen != m.gen || c.rightGeom != g {
		c.right, c.rightGen, c.rightGeom, c.rightOK = m.renderRight(g, now), m.gen, g, true
	}
	return c.right
}

// joins is the body cache's measured blocks (nil: measure every time).
func (m Model) joins() *joinCache {
	if m.cache == nil {
		return nil
	}
	return &m.cache.join
}

func (m Model) renderRight(g geometry, now time.Time) string {
	right := m.runbook.View(now)
	if g.runH == 0 {
		return clampLines(right, g.rightH)
	}
	rbH := max(g.rightH-g.runH, 0)
	pane := m.run.View(m.styles, m.spin.View(), g.rightW, g.runH-1, now)
	rule := m.styles.Muted.Render(strings.Repeat("━", g.rightW))
	return clampLines(clampLines(right, rbH)+"\n"+rule+"\n"+pane, g.rightH)
}

// stepOnScreen is true when the selected step's row, with its whole command,
// is on the screen the operator sees: Enter never runs a step nobody can read.
func (m Model) stepOnScreen(st Step, n int) bool {
	want := "▶ " + strconv.Itoa(n+1) + ". " + st.Command
	return strings.Contains(ansi.Strip(m.render()), want)
}

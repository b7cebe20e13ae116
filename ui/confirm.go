package ui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// enterGuard is how long after a dialog opens an Enter is ignored: a held or
// auto-repeated Enter from the key that opened the dialog must not confirm it.
const enterGuard = 500 * time.Millisecond

// confirmDialog asks before a write. Cancel is focused when it opens and
// Enter only ever activates Cancel: in a standard environment the confirming
// key is "y", never Enter (the key that started the action), which is what
// ops.Policy checks. In a protected environment the operator types the
// environment name and then presses Enter.
type confirmDialog struct {
	styles    *Styles
	id        int // request id of the action being confirmed
	title     string
	undo      bool // the write undoes an earlier one (from the undo stack)
	noChange  bool // the plan found nothing to change: confirming sends nothing
	plan      string
	protected bool
	envName   string
	openedAt  time.Time
	input     textinput.Model
	hint      string // why the last key did nothing
	width     int
	height    int
	offset    int // first plan line shown: a long plan scrolls inside the dialog
}

// confirmDoneMsg is the dialog's answer.
type confirmDoneMsg struct {
	ID        int
	Confirmed bool
	Typed     string // what the operator typed (protected environments)
	Key       string // the key that confirmed ("y", or "enter" after typing the name)
}

func newConfirmDialog(st *Styles, id int, title, plan string, protected bool, env string, now time.Time) confirmDialog {
	in := textinput.New()
	in.Prompt = "type " + env + " to confirm: "
	in.CharLimit = 64
	in.SetWidth(40)
	d := confirmDialog{styles: st, id: id, title: title, plan: plan, protected: protected, envName: env, openedAt: now, input: in}
	if protected {
		d.input.Focus()
	}
	return d
}

// Update handles one key; now is the time of the key press (injected so the
// Enter guard is testable without sleeping).
func (d confirmDialog) Update(msg tea.Msg, now time.Time) (confirmDialog, tea.Cmd) {
	km, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return d, nil
	}
	d.hint = ""
	switch km.String() {
	case "esc", "ctrl+c":
		return d, d.answer(false)
	case "enter":
		return d.enter(now)
	case "down", "pgdown", "up", "pgup":
		return d.scroll(km.String()), nil
	}
	if !d.protected && (km.String() == "j" || km.String() == "k") {
		return d.scroll(map[string]string{"j": "down", "k": "up"}[km.String()]), nil
	}
	if d.protected {
		var cmd tea.Cmd
		d.input, cmd = d.input.Update(msg)
		return d, cmd
	}
	switch km.String() {
	case "y", "Y":
		return d, d.answerKey(true, "y")
	case "n", "N", "q":
		return d, d.answer(false)
	}
	d.hint = "press y to confirm, n or esc to cancel"
	return d, nil
}

func (d confirmDialog) enter(now time.Time) (confirmDialog, tea.Cmd) {
	if now.Sub(d.openedAt) < enterGuard {
		d.hint = "Enter ignored right after the dialog opened; press it again"
		return d, nil
	}
	if d.protected {
		if strings.TrimSpace(d.input.Value()) != d.envName {
			d.hint = fmt.Sprintf("typed %q does not match the environment name %q", d.input.Value(), d.envName)
			return d, nil
		}
		return d, d.answerKey(true, "enter")
	}
	return d, d.answer(false) // Enter is on Cancel
}

func (d confirmDialog) answer(yes bool) tea.Cmd { return d.answerKey(yes, "") }

func (d confirmDialog) answerKey(yes bool, k string) tea.Cmd {
	id, typed := d.id, d.input.Value()
	return func() tea.Msg { return confirmDoneMsg{ID: id, Confirmed: yes, Typed: typed, Key: k} }
}

// scroll moves the plan window by a line or half a window.
func (d confirmDialog) scroll(k string) confirmDialog {
	step := 1
	if strings.HasPrefix(k, "pg") {
		step = max(d.planRoom()/2, 1)
	}
	if strings.HasSuffix(k, "up") {
		step = -step
	}
	d.offset = min(max(d.offset+step, 0), max(len(d.planLines())-d.planRoom(), 0))
	return d
}

// SetSize sets the dialog's maximum size (the body it is drawn over).
func (d *confirmDialog) SetSize(w, h int) { d.width, d.height = w, h }

func (d confirmDialog) textWidth() int { return max(min(d.width, 100)-4, 20) }

func (d confirmDialog) planLines() []string {
	return strings.Split(ansi.Wrap(d.plan, d.textWidth(), " "), "\n")
}

// planRoom is how many plan lines fit: the body less the title, buttons,
// hints and frame (about 10 lines; a no-change plan's note takes 2-3 more).
func (d confirmDialog) planRoom() int {
	if d.height <= 0 {
		return len(d.planLines())
	}
	chrome := 10
	if d.noChange {
		chrome += len(strings.Split(ansi.Wrap(noChangeNote, d.textWidth(), " "), "\n")) + 1
	}
	return max(d.height-chrome, 3)
}

// noChangeNote says what confirming a plan that changes nothing does.
const noChangeNote = "Confirming sends nothing to the gateway: it records the check in the journal and verifies the state."

// planView is the visible part of the plan with markers for the rest, so
// the buttons are always on screen however long the plan is.
func (d confirmDialog) planView() string {
	lines, room := d.planLines(), d.planRoom()
	if len(lines) <= room {
		return strings.Join(lines, "\n")
	}
	off := min(d.offset, len(lines)-room)
	shown := lines[off : off+room]
	head, tail := "", ""
	if off > 0 {
		head = d.styles.Muted.Render(fmt.Sprintf("▲ %d plan lines above (↑)", off)) + "\n"
	}
	if rest := len(lines) - off - room; rest > 0 {
		tail = "\n" + d.styles.Warn.Render(fmt.Sprintf("▼ %d more plan lines: ↓/pgdown reads them before you confirm", rest))
	}
	return head + strings.Join(shown, "\n") + tail
}

// View renders the plan, the buttons and what confirms.
func (d confirmDialog) View() string {
	var b strings.Builder
	label := "CONFIRM: "
	switch {
	case d.noChange:
		label = "NOTHING TO CHANGE: "
	case d.undo:
		label = "CONFIRM UNDO: "
	}
	b.WriteString(d.styles.Title.Render(ansi.Wrap(label+d.title, d.textWidth(), " ")) + "\n\n")
	b.WriteString(d.planView() + "\n\n")
	cancel, cancelLabel := d.styles.ButtonSel, "> Cancel <"
	confirm, confirmLabel := d.styles.Button, "  Confirm (y)  "
	if d.noChange {
		// The plan said "nothing to change" and the dialog still asked to
		// confirm a write: say what confirming does instead.
		b.WriteString(ansi.Wrap(noChangeNote, d.textWidth(), " ") + "\n\n")
		confirmLabel = "  Record and verify (y)  "
	}
	if d.protected {
		b.WriteString(d.styles.Bad.Render("PROTECTED environment "+d.envName+": this write needs the name typed.") + "\n")
		b.WriteString(d.input.View() + "\n\n")
		b.WriteString(cancel.Render(cancelLabel) + "   enter: confirm when the name matches   esc: cancel\n")
	} else {
		b.WriteString(cancel.Render(cancelLabel) + " " + confirm.Render(confirmLabel) + "\n")
		yes := "y: confirm"
		if d.noChange {
			yes = "y: record and verify"
		}
		b.WriteString(d.styles.Muted.Render(yes+"   enter/n/esc: cancel") + "\n")
	}
	if d.hint != "" {
		b.WriteString(d.styles.Warn.Render(d.hint) + "\n")
	}
	return d.styles.Dialog.Render(strings.TrimRight(b.String(), "\n"))
}

// ShortHelp and FullHelp make the dialog a help.KeyMap.
func (d confirmDialog) ShortHelp() []key.Binding {
	if d.protected {
		return []key.Binding{
			key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "confirm (name typed)")),
			key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
		}
	}
	return []key.Binding{
		key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "confirm")),
		key.NewBinding(key.WithKeys("n", "esc", "enter"), key.WithHelp("enter/n/esc", "cancel")),
		key.NewBinding(key.WithKeys("j", "k"), key.WithHelp("j/k", "scroll plan")),
	}
}
func (d confirmDialog) FullHelp() [][]key.Binding { return [][]key.Binding{d.ShortHelp()} }

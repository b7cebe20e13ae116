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
	plan      string
	protected bool
	envName   string
	openedAt  time.Time
	input     textinput.Model
	hint      string // why the last key did nothing
	width     int
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

// SetSize sets the dialog's maximum width.
func (d *confirmDialog) SetSize(w, _ int) { d.width = w }

// View renders the plan, the buttons and what confirms.
func (d confirmDialog) View() string {
	w := max(min(d.width, 100)-4, 20)
	var b strings.Builder
	b.WriteString(d.styles.Title.Render("CONFIRM: "+d.title) + "\n\n")
	b.WriteString(ansi.Wrap(d.plan, w, " ") + "\n\n")
	cancel, cancelLabel := d.styles.ButtonSel, "> Cancel <"
	confirm, confirmLabel := d.styles.Button, "  Confirm (y)  "
	if d.protected {
		b.WriteString(d.styles.Bad.Render("PROTECTED environment "+d.envName+": this write needs the name typed.") + "\n")
		b.WriteString(d.input.View() + "\n\n")
		b.WriteString(cancel.Render(cancelLabel) + "   enter: confirm when the name matches   esc: cancel\n")
	} else {
		b.WriteString(cancel.Render(cancelLabel) + " " + confirm.Render(confirmLabel) + "\n")
		b.WriteString(d.styles.Muted.Render("y: confirm   enter/n/esc: cancel") + "\n")
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
	}
}
func (d confirmDialog) FullHelp() [][]key.Binding { return [][]key.Binding{d.ShortHelp()} }

package ui

import "charm.land/bubbles/v2/key"

// KeyMap is every global key of the console. It is built by DefaultKeyMap and
// the help screen is generated from it, so a key and its help never disagree.
type KeyMap struct {
	Up, Down, Top, Bottom  key.Binding
	PageUp, PageDown       key.Binding
	Focus                  key.Binding // tab: alarm list <-> runbook steps
	Run                    key.Binding // enter: run the selected step
	Undo                   key.Binding
	Views                  key.Binding // 1-5: switch view (help only)
	NextView               key.Binding
	Palette, Filter, Help  key.Binding
	Refresh, Pause, Mute   key.Binding
	Arm, Export, Toggle    key.Binding
	Back, Quit             key.Binding
	ViewAlarms, ViewMetric key.Binding
	ViewRedis, ViewFlags   key.Binding
	ViewJournal            key.Binding
	Detail, Output, Copy   key.Binding
	Mutes, Log             key.Binding
}

// DefaultKeyMap returns the console's keys: vim motions plus arrows.
func DefaultKeyMap() KeyMap {
	b := func(keys []string, helpKey, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(helpKey, desc))
	}
	return KeyMap{
		Up:          b([]string{"k", "up"}, "↑/k", "up"),
		Down:        b([]string{"j", "down"}, "↓/j", "down"),
		Top:         b([]string{"g", "home"}, "g", "top"),
		Bottom:      b([]string{"G", "end"}, "G", "bottom"),
		PageUp:      b([]string{"ctrl+u", "pgup"}, "ctrl+u", "page up"),
		PageDown:    b([]string{"ctrl+d", "pgdown"}, "ctrl+d", "page down"),
		Focus:       b([]string{"tab"}, "tab", "alarms/steps"),
		Run:         b([]string{"enter"}, "enter", "run step"),
		Undo:        b([]string{"u"}, "u", "undo stack"),
		Detail:      b([]string{"d"}, "d", "alarm detail"),
		Output:      b([]string{"o"}, "o", "full output"),
		Copy:        b([]string{"c"}, "c", "copy runbook shell"),
		Mutes:       b([]string{"M"}, "M", "mutes"),
		Log:         b([]string{"L"}, "L", "console log"),
		Views:       b([]string{"1", "2", "3", "4", "5"}, "1-5", "views"),
		NextView:    b([]string{"]"}, "]", "next view"),
		Palette:     b([]string{":"}, ":", "command"),
		Filter:      b([]string{"/"}, "/", "filter"),
		Help:        b([]string{"?"}, "?", "help"),
		Refresh:     b([]string{"r"}, "r", "refresh"),
		Pause:       b([]string{"p"}, "p", "pause"),
		Mute:        b([]string{"m"}, "m", "mute bell"),
		Arm:         b([]string{"A"}, "A", "arm/disarm writes"),
		Export:      b([]string{"e"}, "e", "export timeline"),
		Toggle:      b([]string{"space"}, "space", "toggle flag"),
		Back:        b([]string{"esc"}, "esc", "back"),
		Quit:        b([]string{"q", "ctrl+c"}, "q", "quit"),
		ViewAlarms:  b([]string{"1"}, "1", "alarms"),
		ViewMetric:  b([]string{"2"}, "2", "metrics"),
		ViewRedis:   b([]string{"3"}, "3", "redis"),
		ViewFlags:   b([]string{"4"}, "4", "flags"),
		ViewJournal: b([]string{"5"}, "5", "journal"),
	}
}

// ShortHelp is the footer of the alarm list (the root model shows the
// focused panel's or dialog's own help instead where there is one).
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Up, k.Down, k.Run, k.Detail, k.Palette, k.Filter, k.Undo, k.Views, k.Help, k.Quit}
}

// FullHelp is the help screen, one column per group.
func (k KeyMap) FullHelp() [][]key.Binding {
	groups := k.helpGroups()
	out := make([][]key.Binding, len(groups))
	for i, g := range groups {
		out[i] = g.keys
	}
	return out
}

// bindings is a list of keys as a help.KeyMap (the footer of one panel).
type bindings []key.Binding

func (b bindings) ShortHelp() []key.Binding  { return b }
func (b bindings) FullHelp() [][]key.Binding { return [][]key.Binding{b} }

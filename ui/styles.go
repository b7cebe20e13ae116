package ui

import (
	"image/color"

	"charm.land/bubbles/v2/help"

	"charm.land/lipgloss/v2"
)

// Styles holds every lipgloss style the console uses. It is built by
// NewStyles and rebuilt when the terminal reports its background colour; no
// style lives in a package variable.
//
// Colour is never the only carrier of meaning: every state also has a symbol
// and a word, so the console reads the same with NO_COLOR set.
type Styles struct {
	NoColor bool

	App        lipgloss.Style
	Header     lipgloss.Style
	EnvSafe    lipgloss.Style // standard environments (staging)
	EnvDanger  lipgloss.Style // protected environment, read-only
	EnvArmed   lipgloss.Style // protected environment, armed for writes
	Paused     lipgloss.Style
	Muted      lipgloss.Style // dim secondary text
	Stale      lipgloss.Style // backend data older than it should be
	Error      lipgloss.Style
	Good       lipgloss.Style
	Bad        lipgloss.Style
	Unknown    lipgloss.Style
	Warn       lipgloss.Style
	Selected   lipgloss.Style
	Title      lipgloss.Style
	Border     lipgloss.Style // inactive panel frame
	Focused    lipgloss.Style // active panel frame
	Protected  lipgloss.Style // frame of the whole screen in a protected environment
	Dialog     lipgloss.Style
	Button     lipgloss.Style
	ButtonSel  lipgloss.Style
	Tab        lipgloss.Style
	TabActive  lipgloss.Style
	StatusLine lipgloss.Style
}

// NewStyles builds the styles for a dark or light background; noColor drops
// every colour (NO_COLOR) but keeps bold, reverse and borders so focus and
// selection stay visible.
func NewStyles(isDark, noColor bool) Styles {
	ld := lipgloss.LightDark(isDark)
	c := func(light, dark string) color.Color {
		if noColor {
			return lipgloss.NoColor{}
		}
		return ld(lipgloss.Color(light), lipgloss.Color(dark))
	}
	red, green, amber := c("#B00020", "#FF5F5F"), c("#1B7F3B", "#5FD787"), c("#9A6700", "#FFD75F")
	grey, blue, white := c("#6E6E6E", "#8A8A8A"), c("#0550AE", "#5FAFFF"), c("#FFFFFF", "#FFFFFF")
	bgRed, bgAmber, bgGreen := c("#B00020", "#AF0000"), c("#9A6700", "#AF8700"), c("#1B7F3B", "#005F00")
	if noColor {
		white = lipgloss.NoColor{}
	}
	s := Styles{NoColor: noColor}
	s.App = lipgloss.NewStyle()
	s.Header = lipgloss.NewStyle().Bold(true)
	s.EnvSafe = lipgloss.NewStyle().Bold(true).Foreground(white).Background(bgGreen).Padding(0, 1)
	s.EnvDanger = lipgloss.NewStyle().Bold(true).Foreground(white).Background(bgRed).Padding(0, 1)
	s.EnvArmed = lipgloss.NewStyle().Bold(true).Foreground(white).Background(bgAmber).Padding(0, 1).Blink(false)
	s.Paused = lipgloss.NewStyle().Bold(true).Reverse(true).Padding(0, 1)
	s.Muted = lipgloss.NewStyle().Foreground(grey)
	s.Stale = lipgloss.NewStyle().Foreground(amber).Bold(true)
	s.Error = lipgloss.NewStyle().Foreground(red).Bold(true)
	s.Good = lipgloss.NewStyle().Foreground(green)
	s.Bad = lipgloss.NewStyle().Foreground(red).Bold(true)
	s.Unknown = lipgloss.NewStyle().Foreground(amber)
	s.Warn = lipgloss.NewStyle().Foreground(amber)
	s.Selected = lipgloss.NewStyle().Reverse(true)
	s.Title = lipgloss.NewStyle().Bold(true).Foreground(blue)
	s.Border = lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(grey)
	s.Focused = lipgloss.NewStyle().Border(lipgloss.ThickBorder()).BorderForeground(blue)
	s.Protected = lipgloss.NewStyle().Border(lipgloss.DoubleBorder()).BorderForeground(red)
	s.Dialog = lipgloss.NewStyle().Border(lipgloss.DoubleBorder()).BorderForeground(amber).Padding(0, 1)
	s.Button = lipgloss.NewStyle().Padding(0, 1)
	s.ButtonSel = lipgloss.NewStyle().Padding(0, 1).Reverse(true).Bold(true)
	s.Tab = lipgloss.NewStyle().Padding(0, 1).Foreground(grey)
	s.TabActive = lipgloss.NewStyle().Padding(0, 1).Bold(true).Underline(true)
	s.StatusLine = lipgloss.NewStyle().Foreground(grey)
	return s
}

// helpStyles are the key-help styles: the bubble's defaults, or bold keys
// and plain text with NO_COLOR.
func helpStyles(isDark, noColor bool) help.Styles {
	if !noColor {
		return help.DefaultStyles(isDark)
	}
	key := lipgloss.NewStyle().Bold(true)
	plain := lipgloss.NewStyle()
	return help.Styles{Ellipsis: plain, ShortKey: key, ShortDesc: plain, ShortSeparator: plain,
		FullKey: key, FullDesc: plain, FullSeparator: plain}
}

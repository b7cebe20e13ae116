package ui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"gatewayops/alarms"
)

var t0 = time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC)

func press(s string) tea.KeyPressMsg {
	switch s {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "space":
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	case "ctrl+c":
		return tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	}
	r := []rune(s)[0]
	return tea.KeyPressMsg{Code: r, Text: s}
}

func testStyles() *Styles { s := NewStyles(true, true); return &s }

func sampleAlarms() []alarms.Alarm {
	return []alarms.Alarm{
		{Name: "arrakis-staging-agent-latency-p99", State: alarms.StateOK, Since: t0.Add(-2 * time.Hour), Threshold: 5000, HasThreshold: true,
			Comparison: "GreaterThanThreshold", Unit: "Milliseconds", Severity: "high", ActionsEnabled: true,
			Series: []alarms.Point{{Value: 100}, {Value: 200}, {Value: 150}}},
		{Name: "arrakis-staging-agent-circuit-breaker-open", State: alarms.StateOK, Since: t0.Add(-time.Hour), Threshold: 0, HasThreshold: true,
			Comparison: "GreaterThanThreshold", Severity: "critical", ActionsEnabled: true},
		{Name: "arrakis-staging-agent-error-rate-high", State: alarms.StateInsufficientData, Since: t0.Add(-90 * time.Second), Severity: "high",
			Threshold: 5, HasThreshold: true, Comparison: "GreaterThanThreshold", Unit: "Percent", ActionsEnabled: true},
	}
}

func TestAlarmListKeepsSelectionByNameWhenAnAlarmFires(t *testing.T) {
	l := newAlarmList(testStyles(), DefaultKeyMap())
	l.SetSize(100, 10)
	as := sampleAlarms()
	l.SetAlarms(as, nil)
	// Worst first: no data sorts above OK; critical above high.
	first, _ := l.Selected()
	if first.Name != "arrakis-staging-agent-error-rate-high" {
		t.Fatalf("first row = %q, want the no-data alarm", first.Name)
	}
	l, _ = l.Update(press("j"))
	l, _ = l.Update(press("j"))
	sel, _ := l.Selected()
	if sel.Name != "arrakis-staging-agent-latency-p99" {
		t.Fatalf("after j j selected %q", sel.Name)
	}
	as[1].State = alarms.StateAlarm // the breaker fires and sorts to the top
	l.SetAlarms(as, nil)
	sel, _ = l.Selected()
	if sel.Name != "arrakis-staging-agent-latency-p99" {
		t.Fatalf("a new ALARM moved the cursor to %q", sel.Name)
	}
	if l.visible[0].Name != "arrakis-staging-agent-circuit-breaker-open" {
		t.Fatalf("ALARM not sorted first: %q", l.visible[0].Name)
	}
}

func TestAlarmListRowsShowSymbolWordSinceValueAndLint(t *testing.T) {
	l := newAlarmList(testStyles(), DefaultKeyMap())
	l.SetSize(120, 6)
	as := sampleAlarms()
	as[1].State = alarms.StateAlarm
	as[1].Recent = []alarms.Datapoint{{Value: 1}, {Value: 3}}
	l.SetAlarms(as, map[string][]alarms.Finding{"arrakis-staging-agent-latency-p99": {{Kind: alarms.FindingIdentity, Message: "no metric matches"}}})
	out := ansi.Strip(l.View(t0))
	for _, want := range []string{"✗ ALARM", "✓ OK", "? NO DATA", "1h00m", "1m", "3 > 0", "no data > 5", "⚠", "STATE"} {
		if !strings.Contains(out, want) {
			t.Errorf("list view lacks %q:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "\n") + 1; n != 6 {
		t.Errorf("view has %d lines, want exactly the panel height 6", n)
	}
}

func TestAlarmListFilter(t *testing.T) {
	l := newAlarmList(testStyles(), DefaultKeyMap())
	l.SetSize(100, 10)
	l.SetAlarms(sampleAlarms(), nil)
	l.SetFilter("LATENCY")
	if len(l.visible) != 1 || l.visible[0].Name != "arrakis-staging-agent-latency-p99" {
		t.Fatalf("filter kept %v", l.visible)
	}
	l.SetFilter("nothing-like-this")
	if out := ansi.Strip(l.View(t0)); !strings.Contains(out, `no alarm matches filter "nothing-like-this"`) {
		t.Fatalf("empty filter result not explained:\n%s", out)
	}
}

func TestSparklineAndAge(t *testing.T) {
	th := 10.0
	if got := sparkline([]float64{0, 5, 10}, 3, &th); got != "▁▄█" {
		t.Errorf("sparkline = %q", got)
	}
	if got := sparkline([]float64{1, 1}, 4, nil); got != "  ▁▁" {
		t.Errorf("flat padded sparkline = %q", got)
	}
	cases := map[time.Duration]string{4 * time.Second: "4s", 133 * time.Second: "2m13s", 3*time.Hour + 5*time.Minute: "3h05m", 50 * time.Hour: "2d02h", -time.Second: "0s"}
	for d, want := range cases {
		if got := age(d); got != want {
			t.Errorf("age(%v) = %q, want %q", d, got, want)
		}
	}
	// The list's SINCE column: seconds only for an alarm's first minute.
	listCases := map[time.Duration]string{59 * time.Second: "59s", 60 * time.Second: "1m", 133 * time.Second: "2m",
		59*time.Minute + 59*time.Second: "59m", time.Hour: "1h00m", 3*time.Hour + 5*time.Minute: "3h05m", -time.Second: "0s"}
	for d, want := range listCases {
		if got := listAge(d); got != want {
			t.Errorf("listAge(%v) = %q, want %q", d, got, want)
		}
	}
}

func runCmd(cmd tea.Cmd) tea.Msg {
	if cmd == nil {
		return nil
	}
	return cmd()
}

func TestConfirmCancelIsFocusedAndEnterGuard(t *testing.T) {
	d := newConfirmDialog(testStyles(), 7, "breaker.reset component=kms", "reset breaker kms: open -> closed", false, "staging", t0)
	if !strings.Contains(ansi.Strip(d.View()), "> Cancel <") {
		t.Fatalf("Cancel not focused:\n%s", ansi.Strip(d.View()))
	}
	// Enter within the guard does nothing at all.
	d, cmd := d.Update(press("enter"), t0.Add(100*time.Millisecond))
	if cmd != nil {
		t.Fatalf("enter inside the guard answered %v", runCmd(cmd))
	}
	// Enter after the guard, on Cancel, cancels.
	_, cmd = d.Update(press("enter"), t0.Add(time.Second))
	if got := runCmd(cmd).(confirmDoneMsg); got.Confirmed || got.ID != 7 {
		t.Fatalf("enter on Cancel = %+v", got)
	}
	// y confirms at once.
	_, cmd = d.Update(press("y"), t0.Add(10*time.Millisecond))
	if got := runCmd(cmd).(confirmDoneMsg); !got.Confirmed || got.Key != "y" {
		t.Fatalf("y did not confirm: %+v", got)
	}
	// Enter never confirms a standard write, even after tab: it differs from no key.
	d, _ = d.Update(press("tab"), t0.Add(time.Second))
	_, cmd = d.Update(press("enter"), t0.Add(time.Second))
	if got := runCmd(cmd).(confirmDoneMsg); got.Confirmed {
		t.Fatalf("enter confirmed a write")
	}
}

func TestConfirmProtectedNeedsEnvironmentName(t *testing.T) {
	d := newConfirmDialog(testStyles(), 1, "flags.set agent_enabled=false", "agent_enabled: true -> false", true, "production", t0)
	later := t0.Add(time.Second)
	for _, r := range "prod" {
		d, _ = d.Update(press(string(r)), later)
	}
	d, cmd := d.Update(press("enter"), later)
	if cmd != nil {
		t.Fatalf("a wrong name confirmed: %v", runCmd(cmd))
	}
	if !strings.Contains(ansi.Strip(d.View()), `"prod" does not match the environment name "production"`) {
		t.Fatalf("mismatch not explained:\n%s", ansi.Strip(d.View()))
	}
	// y is just a letter here, it does not confirm.
	d, cmd = d.Update(press("y"), later)
	if msg, ok := runCmd(cmd).(confirmDoneMsg); ok {
		t.Fatalf("y confirmed a protected write: %+v", msg)
	}
	d.input.SetValue("production")
	_, cmd = d.Update(press("enter"), later)
	if got := runCmd(cmd).(confirmDoneMsg); !got.Confirmed || got.Typed != "production" {
		t.Fatalf("typed name did not confirm: %+v", got)
	}
}

func TestArmDurationValidation(t *testing.T) {
	for _, bad := range []string{"", "soon", "10s", "2h"} {
		if _, err := parseArmDuration(bad); err == nil || !strings.Contains(err.Error(), "1m to 1h0m0s") {
			t.Errorf("parseArmDuration(%q) err = %v", bad, err)
		}
	}
	if d, err := parseArmDuration("15m"); err != nil || d != 15*time.Minute {
		t.Errorf("15m = %v %v", d, err)
	}
}

func TestMarkdownRendererBuiltOncePerWidthAndCached(t *testing.T) {
	md := newMarkdown(true, true)
	a := md.Render("rb", "# Title\n\nSome *text*.", 60)
	b := md.Render("rb", "# Title\n\nSome *text*.", 60)
	md.Render("rb2", "# Other", 60)
	if a != b || !strings.Contains(ansi.Strip(a), "Title") {
		t.Fatalf("render = %q", a)
	}
	if md.Renderers() != 1 {
		t.Fatalf("renderers built = %d, want 1 for one width", md.Renderers())
	}
	md.Render("rb", "# Title", 80)
	if md.Renderers() != 2 {
		t.Fatalf("renderers built = %d, want 2 for two widths", md.Renderers())
	}
}

func TestAlarmListGolden(t *testing.T) {
	l := newAlarmList(testStyles(), DefaultKeyMap())
	l.SetSize(110, 6)
	as := sampleAlarms()
	as[1].State = alarms.StateAlarm
	as[1].Recent = []alarms.Datapoint{{Value: 2}}
	as[1].Series = []alarms.Point{{Value: 0}, {Value: 0}, {Value: 2}, {Value: 2}}
	l.SetAlarms(as, map[string][]alarms.Finding{"arrakis-staging-agent-error-rate-high": {{Kind: alarms.FindingIdentity, Message: "no published metric matches"}}})
	golden.RequireEqual(t, ansi.Strip(l.View(t0)))
}

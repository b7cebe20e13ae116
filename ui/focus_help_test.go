package ui

import (
	"strings"
	"testing"
)

// footer is the last line of the screen: the key help.
func footer(m Model) string {
	lines := strings.Split(screen(m), "\n")
	return lines[len(lines)-1]
}

func TestFilterStaysInTheListHeadAfterAStatusMessage(t *testing.T) {
	m := sized(t, startStack(t, "staging", false), 120, 30)
	m = update(t, m, press("/"))
	for _, r := range "latency" {
		m = update(t, m, press(string(r)))
	}
	m = update(t, m, press("enter"))
	m = update(t, m, press("m")) // "bell muted" takes the status line
	scr := screen(m)
	if !strings.Contains(scr, "bell muted") {
		t.Fatalf("the status message is not shown:\n%s", scr)
	}
	if !strings.Contains(scr, `filter "latency": 1 of 3 alarms`) {
		t.Fatalf("the list does not say it is filtered once a status message came:\n%s", scr)
	}
	if !strings.Contains(footer(m), "esc clear filter") {
		t.Fatalf("footer does not offer clearing the filter: %q", footer(m))
	}
}

func TestFooterHelpIsThatOfTheFocusedPanelOrDialog(t *testing.T) {
	m := sized(t, startStack(t, "staging", false), 120, 30)
	if f := footer(m); !strings.Contains(f, "enter steps") || !strings.Contains(f, "q quit") {
		t.Fatalf("list footer = %q", f)
	}
	m = toStep(t, m, "breaker.reset component=kms")
	if f := footer(m); !strings.Contains(f, "enter run step") || !strings.Contains(f, "esc alarms") {
		t.Fatalf("steps footer = %q", f)
	}
	next, _ := m.Update(press("enter"))
	m = next.(Model)
	m = update(t, m, planMsg{id: m.run.id, plan: Plan{Command: "breaker.reset component=kms", Write: true, Summary: "reset breaker kms -> closed"}})
	f := footer(m)
	if !strings.Contains(f, "y confirm") || !strings.Contains(f, "enter/n/esc cancel") || strings.Contains(f, "run step") || strings.Contains(f, "quit") {
		t.Fatalf("inside the confirm dialog the footer = %q", f)
	}
}

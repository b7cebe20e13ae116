package ui

import "testing"

func TestJoinListSoftBreaks(t *testing.T) {
	src := "Intro paragraph\nstays as written.\n\n" +
		"- Only 5xx count. The failure modes are not 5xx:\n  the limiter fails closed.\n" +
		"- Sources:\n  1. loa-finn: retried,\n     then surfaced.\n  2. breaker open.\n\n" +
		"```bash\n- not a list\n  continued\n```\n" +
		"| a | b |\n|---|---|\n"
	want := "Intro paragraph\nstays as written.\n\n" +
		"- Only 5xx count. The failure modes are not 5xx: the limiter fails closed.\n" +
		"- Sources:\n  1. loa-finn: retried, then surfaced.\n  2. breaker open.\n\n" +
		"```bash\n- not a list\n  continued\n```\n" +
		"| a | b |\n|---|---|\n"
	if got := joinListSoftBreaks(src); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestIsListItem(t *testing.T) {
	for line, want := range map[string]bool{"- a": true, "  * b": true, "+ c": true, "12. d": true, "3) e": true,
		"-a": false, "1.5 ms": false, "**bold**": false, "plain": false, "": false, "7.": false} {
		if got := isListItem(line); got != want {
			t.Errorf("isListItem(%q) = %t, want %t", line, got, want)
		}
	}
}

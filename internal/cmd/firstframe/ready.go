package main

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// The readiness rules are scripts/bench_console.sh's list_ready and
// runbook_ready, line for line, so the pty figures and the tmux figures
// of docs/benchmarks.md section 5 wait for the same screen.
var (
	headerLine = regexp.MustCompile(` ALARM .* NO DATA .* OK`)
	firstRow   = regexp.MustCompile(` 0000 `)
)

// listState is what the list rule found on one screen.
type listState struct {
	counted bool // a header line with the three state counts was found
	sum     int  // the counts on the first such line, added up
	row     bool // a line holds the first alarm's row (" 0000 ")
}

// readList applies list_ready's awk program to a screen: the first line
// matching / ALARM .* NO DATA .* OK/ gives the counts (every field followed by
// "ALARM", "NO" or "OK", read as awk reads a number), and any line matching
// / 0000 / is the first alarm's row.
func readList(screen string) listState {
	var st listState
	for _, line := range strings.Split(screen, "\n") {
		if !st.counted && headerLine.MatchString(line) {
			f := strings.Fields(line)
			for i := 0; i+1 < len(f); i++ {
				if f[i+1] == "ALARM" || f[i+1] == "NO" || f[i+1] == "OK" {
					st.sum += awkNumber(f[i])
				}
			}
			st.counted = true
		}
		if firstRow.MatchString(line) {
			st.row = true
		}
	}
	return st
}

// ready says whether the list of n alarms is drawn.
func (st listState) ready(n int) bool { return st.counted && st.sum == n && st.row }

// String says what was missing, for the timeout error.
func (st listState) String() string {
	head := "no header line with ALARM, NO DATA and OK counts"
	if st.counted {
		head = fmt.Sprintf("header counts adding up to %d", st.sum)
	}
	row := "the first alarm's row (' 0000 ') not drawn"
	if st.row {
		row = "the first alarm's row drawn"
	}
	return head + ", " + row
}

// runbookReady is runbook_ready: the runbook column and the help line.
func runbookReady(screen string) bool {
	return strings.Contains(screen, "Runbook:") && strings.Contains(screen, "q quit")
}

// awkNumber reads a field as awk's `sum += $i` does: its longest leading
// decimal number, 0 when it starts with none (the state glyphs ✗ ? ✓).
func awkNumber(s string) int {
	end := 0
	if end < len(s) && (s[end] == '+' || s[end] == '-') {
		end++
	}
	for end < len(s) && s[end] >= '0' && s[end] <= '9' {
		end++
	}
	n, err := strconv.Atoi(s[:end])
	if err != nil {
		return 0
	}
	return n
}

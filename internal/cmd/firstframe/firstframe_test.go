package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/charmbracelet/x/term"
)

// helperEnv names the helper a re-executed test binary plays on the pty.
const helperEnv = "FIRSTFRAME_TEST_HELPER"

func TestMain(m *testing.M) {
	if mode := os.Getenv(helperEnv); mode != "" {
		os.Exit(helper(mode))
	}
	os.Exit(m.Run())
}

// helper draws console-like frames with cursor moves on its terminal. The
// "console" frame is finished only after the terminal answered three
// queries a Bubble Tea v2 program sends (DECRQM 2026, OSC 11, and a cursor
// position report), so it can only be drawn if firstframe wires the
// emulator's answers back into the pty; the answers are drawn too.
func helper(mode string) int {
	switch mode {
	case "console":
		st, err := term.MakeRaw(os.Stdin.Fd())
		if err != nil {
			fmt.Println("raw:", err)
			return 1
		}
		defer func() { _ = term.Restore(os.Stdin.Fd(), st) }()
		in := bufio.NewReader(os.Stdin)
		fmt.Print("\x1b[?1049h\x1b[2J\x1b[1;1H ✗ 4 ALARM  ? 3 NO DATA  ✓ 2 OK") // 9 of 10: not yet
		fmt.Print("\x1b[4;1H▶✗ ALARM    0000    5m no data > 1000")
		mode := ask(in, "\x1b[?2026$p", 'y')
		bg := ask(in, "\x1b]11;?\a", '\a')
		pos := ask(in, "\x1b[6n", 'R')
		fmt.Print("\x1b[1;1H\x1b[2K ✗ 4 ALARM  ? 3 NO DATA  ✓ 3 OK") // now 10
		fmt.Printf("\x1b[6;1Hanswers %q %q %q", mode, bg, pos)
		fmt.Print("\x1b[30;60H# Runbook: Agent p99 latency high")
		_ = ask(in, "\x1b[6n", 'R') // the list alone is one read, the runbook's help line the next
		fmt.Print("\x1b[60;1H tab step  q quit")
		_, _ = in.ReadByte() // hold the frame until stopped
	case "partial":
		fmt.Print("\x1b[2J\x1b[1;1H ✗ 4 ALARM  ? 3 NO DATA  ✓ 2 OK\r\n▶✗ ALARM    0000")
		_, _ = bufio.NewReader(os.Stdin).ReadByte() // never completes the list
	case "version":
		fmt.Println("gatewayops v0.0.0-test")
		fmt.Fprintln(os.Stderr, "a log line")
	case "exit-early":
		fmt.Print("\x1b[2J\x1b[1;1Hno alarms here")
		return 3
	}
	return 0
}

// ask writes a query and reads the terminal's answer up to its last byte.
func ask(in *bufio.Reader, query string, last byte) string {
	fmt.Print(query)
	answer, _ := in.ReadString(last)
	return answer
}

// runTool runs firstframe on this test binary in the given helper mode.
func runTool(t *testing.T, mode string, flags ...string) (stdout, stderr string, code int) {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(helperEnv, mode)
	var out, errb bytes.Buffer
	args := append(append([]string{"--size", "200x60"}, flags...), "--", self)
	code = run(args, &out, &errb, nil)
	return out.String(), errb.String(), code
}

// marks reads the "key value" lines firstframe printed.
func marks(t *testing.T, out string) map[string]float64 {
	t.Helper()
	got := map[string]float64{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Fields(line)
		if len(f) != 2 {
			t.Fatalf("line %q of %q is not 'key value'", line, out)
		}
		v, err := strconv.ParseFloat(f[1], 64)
		if err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		got[f[0]] = v
	}
	return got
}

func TestListAndRunbookWaitForTheCompleteFrameAndTheTerminalsAnswers(t *testing.T) {
	out, errs, code := runTool(t, "console", "--until-list", "10", "--until-runbook", "--timeout", "20s")
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, errs)
	}
	m := marks(t, out)
	list, okL := m["list_ms"]
	rb, okR := m["runbook_ms"]
	if !okL || !okR || len(m) != 2 {
		t.Fatalf("want list_ms and runbook_ms, got %q", out)
	}
	if list <= 0 || rb < list {
		t.Fatalf("list_ms %v, runbook_ms %v: want 0 < list <= runbook", list, rb)
	}
}

func TestTheAnswersReachTheCommand(t *testing.T) {
	// The helper draws the answers it read; a 10-alarm list that never
	// completes shows the last screen in the error, answers included.
	_, errs, code := runTool(t, "console", "--until-list", "11", "--timeout", "3s")
	if code != 1 {
		t.Fatalf("exit %d, want 1; stderr:\n%s", code, errs)
	}
	for _, want := range []string{`"\x1b[?2026;0$y"`, `"\x1b]11;rgb:0000/0000/0000\a"`, `"\x1b[4;38R"`} {
		if !strings.Contains(errs, want) {
			t.Errorf("the screen lacks the answer %s:\n%s", want, errs)
		}
	}
}

func TestAScreenThatNeverSatisfiesTimesOutShowingTheLastScreen(t *testing.T) {
	out, errs, code := runTool(t, "partial", "--until-list", "10", "--until-runbook", "--timeout", "500ms")
	if code != 1 || out != "" {
		t.Fatalf("exit %d, stdout %q: want 1 and nothing measured", code, out)
	}
	for _, want := range []string{
		"timed out after",
		"(still running)",
		// the row ends the line: ' 0000 ' with its blank after is not on it
		"the first list of 10 alarms (header counts adding up to 9, the first alarm's row (' 0000 ') not drawn); ",
		"the frame with the runbook",
		"last screen:\n ✗ 4 ALARM  ? 3 NO DATA  ✓ 2 OK\n▶✗ ALARM    0000",
	} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errs)
		}
	}
}

func TestUntilExitTimesLaunchToExit(t *testing.T) {
	out, errs, code := runTool(t, "version", "--until-exit")
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, errs)
	}
	m := marks(t, out)
	if v, ok := m["exit_ms"]; !ok || len(m) != 1 || v <= 0 {
		t.Fatalf("want one positive exit_ms, got %q", out)
	}
}

func TestStderrGoesToTheFileAsked(t *testing.T) {
	file := t.TempDir() + "/err.log"
	out, errs, code := runTool(t, "version", "--until-exit", "--stderr", file)
	if code != 0 || !strings.HasPrefix(out, "exit_ms ") {
		t.Fatalf("exit %d, stdout %q, stderr:\n%s", code, out, errs)
	}
	got, err := os.ReadFile(file)
	if err != nil || string(got) != "a log line\n" {
		t.Fatalf("the stderr file holds %q (%v), want the helper's log line", got, err)
	}
}

func TestACommandThatExitsBeforeTheListFailsWithItsStatusAndScreen(t *testing.T) {
	_, errs, code := runTool(t, "exit-early", "--until-list", "10", "--timeout", "20s")
	if code != 1 {
		t.Fatalf("exit %d, want 1; stderr:\n%s", code, errs)
	}
	for _, want := range []string{"the command exited", "exit status 3", "no header line", "last screen:\nno alarms here"} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errs)
		}
	}
}

func TestUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--until-list", "10"}, "no command given"},
		{[]string{"--", "true"}, "nothing to wait for"},
		{[]string{"--size", "200", "--until-exit", "--", "true"}, `--size "200"`},
		{[]string{"--until-list", "-1", "--", "true"}, "--until-list -1"},
		{[]string{"--keep", "--until-exit", "--", "true"}, "cannot be kept"},
	} {
		var out, errb bytes.Buffer
		if code := run(tc.args, &out, &errb, nil); code != 2 || !strings.Contains(errb.String(), tc.want) {
			t.Errorf("%q: exit %d, stderr %q; want 2 and %q", tc.args, code, errb.String(), tc.want)
		}
	}
}

func TestListRuleIsTheBenchScripts(t *testing.T) {
	header := " [1 Alarms]   2 Metrics    3 Redis    4 Flags    5 Journal    ✗ 4 ALARM  ? 3 NO DATA  ✓ 3 OK"
	row := "▶✗ ALARM    0000                                   5m15s no data > 1000"
	for _, tc := range []struct {
		screen string
		n      int
		want   bool
	}{
		{header + "\n" + row, 10, true},
		{header + "\n" + row, 9, false}, // counts add up to 10
		{header, 10, false},             // no row yet
		{row, 10, false},                // no header yet
		{" ✗ 334 ALARM  ? 333 NO DATA  ✓ 333 OK\n" + row, 1000, true},    // 1,000 alarms
		{header + "\n ✗ 1 ALARM  ? 0 NO DATA  ✓ 0 OK\n" + row, 10, true}, // only the first header counts
		{" ✗ 4 ALARM ? 3 NO DATA ✓ 3 OK\n" + row, 10, true},
		{"✗ 4 ALARM  ? 3 NODATA  ✓ 3 OK\n" + row, 10, false}, // not the header's words
	} {
		if got := readList(tc.screen).ready(tc.n); got != tc.want {
			t.Errorf("ready(%d) of %q = %v, want %v", tc.n, tc.screen, got, tc.want)
		}
	}
	if !runbookReady("x Runbook: y\n q quit") || runbookReady("Runbook: only") {
		t.Error("runbookReady wants both 'Runbook:' and 'q quit'")
	}
}

func TestKeepLeavesTheCommandRunningUntilStopped(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(helperEnv, "console")
	pr, pw := io.Pipe()
	stop := make(chan os.Signal, 1)
	code := make(chan int, 1)
	var errb bytes.Buffer
	go func() {
		code <- run([]string{"--until-list", "10", "--keep", "--timeout", "20s", "--", self}, pw, &errb, stop)
		_ = pw.Close()
	}()
	lines := bufio.NewScanner(pr)
	var pid int
	for pid == 0 && lines.Scan() {
		_, _ = fmt.Sscanf(lines.Text(), "pid %d", &pid)
	}
	if pid == 0 {
		t.Fatalf("no pid line; stderr:\n%s", errb.String())
	}
	if err := syscall.Kill(pid, 0); err != nil {
		t.Fatalf("the kept command %d is not running: %v", pid, err)
	}
	stop <- syscall.SIGTERM
	for lines.Scan() { // the pipe closes when run returns
	}
	if c := <-code; c != 0 {
		t.Fatalf("exit %d, stderr:\n%s", c, errb.String())
	}
	if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Fatalf("the command %d is still there after the stop: %v", pid, err)
	}
}

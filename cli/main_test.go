package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func runCLI(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = dispatch(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestUnknownCommandFailsWithASuggestion(t *testing.T) {
	cases := map[string]string{"frobnicate": "", "alrms": "alarms", "jounral": "journal", "docter": "doctor", "preflite": "preflight", "adm": "admin-server"}
	for typo, want := range cases {
		code, _, errs := runCLI(typo)
		if code != exitUsage || !strings.Contains(errs, `unknown command "`+typo+`"`) {
			t.Errorf("%s: exit %d, stderr %q", typo, code, errs)
		}
		if hint := "(did you mean " + want + "?)"; want != "" && !strings.Contains(errs, hint) {
			t.Errorf("%s: stderr %q lacks %q", typo, errs, hint)
		}
		if want == "" && strings.Contains(errs, "did you mean") {
			t.Errorf("%s: a suggestion for a word nothing resembles: %q", typo, errs)
		}
	}
}

func TestVersion(t *testing.T) {
	code, out, _ := runCLI("version")
	if code != 0 || !strings.HasPrefix(out, "gatewayops ") {
		t.Fatalf("exit %d, stdout %q", code, out)
	}
	if code, _, errs := runCLI("version", "extra"); code != exitUsage || !strings.Contains(errs, `unexpected argument "extra"`) {
		t.Fatalf("version extra: %d %q", code, errs)
	}
}

// Every way of asking for the top-level help lists every command and the
// exit table on stdout, and exits 0.
func TestHelpListsEveryCommandAndTheExitTable(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"-h"}, {"--help"}} {
		code, out, errs := runCLI(args...)
		if code != 0 || errs != "" {
			t.Errorf("%v: exit %d, stderr %q", args, code, errs)
		}
		for name := range commands() {
			if !strings.Contains(out, "\n  "+name+" ") {
				t.Errorf("%v does not list %q", args, name)
			}
		}
		if !strings.Contains(out, exitTable) {
			t.Errorf("%v does not print the exit table", args)
		}
	}
	code, out, _ := runCLI("help", "alarms")
	if code != 0 || !strings.Contains(out, "usage: gatewayops alarms") {
		t.Errorf("help alarms: %d %q", code, out)
	}
}

// helpArgs and usageArgs are, per subcommand, a way to ask for its help and
// a command line with a usage error. The test fails when a subcommand is
// added without them.
var helpArgs = map[string][]string{
	"console": {"console", "-h"}, "demo": {"demo", "-h"}, "alarms": {"alarms", "-h"}, "run": {"run", "-h"},
	"runbook": {"runbook", "-h"}, "preflight": {"preflight", "-h"}, "journal": {"journal", "-h"},
	"doctor": {"doctor", "-h"}, "admin-server": {"admin-server", "-h"}, "cloudwatch-local": {"cloudwatch-local", "-h"},
	"version": {"version", "-h"}, "drill": {"drill", "-h"}, "record": {"record", "-h"},
}

var usageArgs = map[string][]string{
	"console": {"console", "--bogus"}, "demo": {"demo", "--incident-after", "1ms"}, "alarms": {"alarms", "--bogus"},
	"run": {"run"}, "runbook": {"runbook", "frob"}, "preflight": {"preflight", "pool-claims", "--hours", "0"},
	"journal": {"journal", "export", "--since", "-1h"}, "doctor": {"doctor", "--bogus"},
	"admin-server": {"admin-server", "--rate-limit", "0"}, "cloudwatch-local": {"cloudwatch-local", "--env", ""},
	"version": {"version", "extra"}, "drill": {"drill", "nope"}, "record": {"record", "--since", "1s", "--out", "x"},
}

func TestEverySubcommandFollowsTheExitTable(t *testing.T) {
	for name, cmd := range commands() {
		h, ok := helpArgs[name]
		u, ok2 := usageArgs[name]
		if !ok || !ok2 {
			t.Errorf("%s: no help/usage case in this test", name)
			continue
		}
		if code, out, herr := runCLI(h...); code != 0 || !strings.Contains(out, "usage: gatewayops") || herr != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want 0 and the usage on stdout only", h, code, out, herr)
		}
		want := exitUsage
		if cmd.class == classCheck {
			want = checkUnknown
		}
		code, _, errs := runCLI(u...)
		if code != want || errs == "" {
			t.Errorf("%v: exit %d, stderr %q; want %d and a message", u, code, errs, want)
		}
		if n := strings.Count("\n"+errs, "\ngatewayops"); n != 1 {
			t.Errorf("%v: the error is printed %d times: %q", u, n, errs)
		}
	}
}

func TestExitTableMapsEveryKind(t *testing.T) {
	cases := []struct {
		c    class
		err  error
		want int
	}{
		{classAction, nil, 0}, {classAction, silent(kindFailed), 1}, {classAction, usagef("x"), 2}, {classAction, refusedErr(errString("x")), 3},
		{classAction, errString("plain"), 1}, {classAction, silent(kindInProgress), 4},
		{classCheck, nil, 0}, {classCheck, silent(kindWarning), 1}, {classCheck, silent(kindCritical), 2},
		{classCheck, usagef("x"), 3}, {classCheck, unknownErr(errString("x")), 3}, {classCheck, errString("plain"), 3},
	}
	for _, c := range cases {
		if got := exitCode(c.c, c.err); got != c.want {
			t.Errorf("exitCode(%d, %v) = %d, want %d", c.c, c.err, got, c.want)
		}
	}
}

type errString string

func (e errString) Error() string { return string(e) }

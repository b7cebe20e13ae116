package runbooks

import (
	"bytes"
	"strings"
	"testing"
)

// FuzzParse: Parse never panics, and whatever it accepts is consistent:
// valid severity, Source is the tail of the input, and every step is one
// non-empty line that its Line number points at.
func FuzzParse(f *testing.F) {
	f.Add([]byte(validRunbook))
	for _, name := range wantRunbooks {
		if src, err := embedded.ReadFile(name + ".md"); err == nil {
			f.Add(src)
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		rb, err := Parse("fuzz", src)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "runbook fuzz") {
				t.Fatalf("error without the runbook name: %v", err)
			}
			return
		}
		if severityRank(rb.Severity) == len(Severities()) {
			t.Fatalf("accepted severity %q", rb.Severity)
		}
		if len(rb.AlarmPatterns)+len(rb.Metrics) == 0 {
			t.Fatal("accepted a runbook that answers nothing")
		}
		if !bytes.HasSuffix(src, rb.Source) {
			t.Fatal("Source is not the tail of the input")
		}
		lines := strings.Split(string(src), "\n")
		for i, st := range rb.Steps {
			if st.Index != i || st.Command == "" || strings.ContainsAny(st.Command, "\r\n") {
				t.Fatalf("bad step %+v", st)
			}
			if st.Line < 1 || st.Line > len(lines) || strings.TrimSpace(lines[st.Line-1]) != st.Command {
				t.Fatalf("step %+v: Line does not point at the command", st)
			}
		}
	})
}

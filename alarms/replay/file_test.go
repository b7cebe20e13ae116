package replay

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"gatewayops/alarms"
)

func sampleRecording() *Recording {
	from := time.Date(2026, 11, 30, 13, 0, 0, 0, time.UTC)
	return &Recording{
		Header: Header{Version: Version, Env: "staging", Region: "us-east-1", Prefix: "arrakis-staging-", From: from, To: from.Add(2 * time.Hour), RecordedAt: from.Add(2 * time.Hour)},
		Alarms: []Alarm{{Name: "arrakis-staging-agent-latency-p99-high", Metric: &Stat{Namespace: ns, MetricName: "RequestLatency", Stat: "p99", Period: 60},
			ComparisonOperator: "GreaterThanThreshold", Threshold: 5000, EvaluationPeriods: 5, State: "OK", StateSince: from}},
		Transitions: []Transition{{Alarm: "arrakis-staging-agent-latency-p99-high", At: from.Add(time.Minute), From: "OK", To: "ALARM", Reason: "r", ReasonData: `{"a":1}`}},
		Series: []Series{
			{ID: 1, Namespace: ns, MetricName: "RequestLatency", Dimensions: []alarms.Dimension{{Name: "feature", Value: "byok"}}, Period: 60, Percentiles: []string{"p99"}, Listed: true,
				Points: []Point{{Series: 1, T: from, SampleCount: 3, Sum: 30.5, Minimum: 1, Maximum: 20, Percentiles: map[string]float64{"p99": 20}},
					{Series: 1, T: from.Add(time.Minute), SampleCount: 1, Sum: 7, Minimum: 7, Maximum: 7}}},
			{ID: 2, Namespace: ns, MetricName: "RequestLatency", Period: 60, Percentiles: []string{"p99"}},
		},
	}
}

func encode(t *testing.T, rec *Recording) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := Write(&b, rec); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestWriteReadKeepsEverything(t *testing.T) {
	rec := sampleRecording()
	got, err := Read(bytes.NewReader(encode(t, rec)))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, rec) {
		t.Fatalf("read back differs:\n got %+v\nwant %+v", got, rec)
	}
	if n := bytes.Count(encode(t, rec), []byte("\n")); n != 1+1+1+2+2+1 {
		t.Fatalf("%d lines, want header, alarm, transition, 2 series, 2 points, end", n)
	}
}

// readErr reads data and returns its *LineError, failing when there is none.
func readErr(t *testing.T, data []byte) *LineError {
	t.Helper()
	_, err := Read(bytes.NewReader(data))
	var le *LineError
	if !errors.As(err, &le) {
		t.Fatalf("err = %v, want a *LineError", err)
	}
	return le
}

func lines(data []byte) []string { return strings.SplitAfter(string(data), "\n") }

func TestBadFilesNameTheLine(t *testing.T) {
	good := encode(t, sampleRecording())
	ls := lines(good) // the last element is "" after the final newline
	total := len(ls) - 1
	cases := []struct {
		name     string
		data     string
		line     int
		contains string
	}{
		{"truncated last line", strings.Join(ls[:total-1], "") + ls[total-1][:10], total, "cut short"},
		{"cut at a line boundary", strings.Join(ls[:total-1], ""), total - 1, "without its end record"},
		{"wrong version", strings.Replace(string(good), `"version":1`, `"version":2`, 1), 1, "version 2 is not supported"},
		{"garbage line 4", strings.Join(ls[:3], "") + "garbage\n" + strings.Join(ls[4:], ""), 4, "not a record"},
		{"unknown kind", strings.Join(ls[:2], "") + `{"kind":"blob"}` + "\n" + strings.Join(ls[2:], ""), 3, `"blob"`},
		{"point before its series", strings.Join(ls[:3], "") + ls[5] + strings.Join(ls[3:], ""), 4, "no earlier line declares"},
		{"no header", strings.Join(ls[1:], ""), 1, "first line must be the header"},
		{"empty", "", 1, "empty"},
		{"record after the end", string(good) + ls[1], total + 1, "after the end record"},
		{"transition to no state", strings.Replace(string(good), `"to":"ALARM"`, `"to":"RED"`, 1), 3, `to "RED"`},
		{"transition of an undeclared alarm", strings.Replace(string(good), `"alarm":"arrakis-staging-agent-latency-p99-high","at"`, `"alarm":"other","at"`, 1), 3, `"other", which no earlier line`},
		{"unknown field", strings.Replace(string(good), `"sampleCount":3`, `"sampleCount":3,"extra":1`, 1), 5, "unknown field"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			le := readErr(t, []byte(c.data))
			if le.Line != c.line || !strings.Contains(le.Error(), c.contains) {
				t.Fatalf("error %q (line %d), want line %d containing %q", le.Error(), le.Line, c.line, c.contains)
			}
		})
	}
}

func TestReadFileNamesThePath(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rec.jsonl")
	if err := os.WriteFile(path, []byte("{\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := ReadFile(path)
	if err == nil || !strings.Contains(err.Error(), path+": line 1:") {
		t.Fatalf("err = %v, want the path and line 1", err)
	}
}

func TestWriteFileLeavesNoPartialFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "rec.jsonl")
	if err := WriteFile(path, sampleRecording()); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadFile(path); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("dir holds %d files, want only the recording", len(entries))
	}
	if err := WriteFile(filepath.Join(dir, "missing", "rec.jsonl"), sampleRecording()); err == nil {
		t.Fatal("writing into a missing directory succeeded")
	}
	// A write that fails half way (JSON has no NaN) leaves neither the
	// recording nor its temporary file.
	bad := sampleRecording()
	bad.Series[0].Points[0].Sum = math.NaN()
	badPath := filepath.Join(dir, "bad.jsonl")
	if err := WriteFile(badPath, bad); err == nil {
		t.Fatal("a recording with a NaN datapoint was written")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("after a failed write the dir holds %d files, want only the first recording", len(entries))
	}
}

package replay

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
)

// line is the envelope of one record: its kind and exactly one payload.
type line struct {
	Kind       string      `json:"kind"`
	Header     *Header     `json:"header,omitempty"`
	Alarm      *Alarm      `json:"alarm,omitempty"`
	Transition *Transition `json:"transition,omitempty"`
	Series     *Series     `json:"series,omitempty"`
	Point      *Point      `json:"point,omitempty"`
	End        *End        `json:"end,omitempty"`
}

// payloads counts the payloads set, and says whether the one matching Kind is.
func (l *line) payloads() (n int, matches bool) {
	set := map[string]bool{KindHeader: l.Header != nil, KindAlarm: l.Alarm != nil, KindTransition: l.Transition != nil,
		KindSeries: l.Series != nil, KindPoint: l.Point != nil, KindEnd: l.End != nil}
	for _, ok := range set {
		if ok {
			n++
		}
	}
	return n, set[l.Kind]
}

// Write writes the recording: the header, the alarms, the transitions, each
// series followed by its points, and the end record.
func Write(w io.Writer, rec *Recording) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	n := 0
	put := func(l line) error {
		n++
		return enc.Encode(l)
	}
	h := rec.Header
	h.Version = Version
	if err := put(line{Kind: KindHeader, Header: &h}); err != nil {
		return err
	}
	for i := range rec.Alarms {
		if err := put(line{Kind: KindAlarm, Alarm: &rec.Alarms[i]}); err != nil {
			return err
		}
	}
	for i := range rec.Transitions {
		if err := put(line{Kind: KindTransition, Transition: &rec.Transitions[i]}); err != nil {
			return err
		}
	}
	for i := range rec.Series {
		s := &rec.Series[i]
		if err := put(line{Kind: KindSeries, Series: s}); err != nil {
			return err
		}
		for j := range s.Points {
			s.Points[j].Series = s.ID
			if err := put(line{Kind: KindPoint, Point: &s.Points[j]}); err != nil {
				return err
			}
		}
	}
	if err := enc.Encode(line{Kind: KindEnd, End: &End{Records: n}}); err != nil {
		return err
	}
	return bw.Flush()
}

// WriteFile writes the recording to path through a temporary file renamed
// into place, so a failed or interrupted record never leaves half a file
// under the name asked for.
func WriteFile(path string, rec *Recording) error {
	tmp := path + ".partial"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if err := errors.Join(Write(f, rec), f.Sync(), f.Close()); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return os.Rename(tmp, path)
}

// LineError is a bad line of a recording: its number (1-based) and why.
type LineError struct {
	Line int
	Msg  string
}

func (e *LineError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

func lineErr(n int, format string, args ...any) error {
	return &LineError{Line: n, Msg: fmt.Sprintf(format, args...)}
}

// maxLine bounds one record (a long StateReasonData fits many times over).
const maxLine = 4 << 20

// ReadFile reads and checks a recording; every error names the file and the line.
func ReadFile(path string) (*Recording, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rec, err := Read(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return rec, nil
}

// Read reads a recording whole. A bad line, a line cut short, a version
// this package does not read, or a file that ends before its end record is
// an error naming the line (*LineError).
func Read(r io.Reader) (*Recording, error) {
	rd := &reader{rec: &Recording{}, series: map[int]int{}}
	br := bufio.NewReaderSize(r, 64<<10)
	for {
		raw, err := readLine(br)
		if len(raw) == 0 && errors.Is(err, io.EOF) {
			return rd.finish()
		}
		rd.n++
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, lineErr(rd.n, "%v", err)
		}
		if err != nil { // EOF after data: the last line has no newline
			return nil, lineErr(rd.n, "the line is cut short (no newline at its end): the file is truncated")
		}
		if err := rd.take(raw); err != nil {
			return nil, err
		}
	}
}

// readLine returns one line with its newline, or what is left at EOF.
func readLine(br *bufio.Reader) ([]byte, error) {
	var buf []byte
	for {
		chunk, err := br.ReadSlice('\n')
		buf = append(buf, chunk...)
		if len(buf) > maxLine {
			return buf, fmt.Errorf("the line is longer than %d bytes", maxLine)
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			return buf, err
		}
	}
}

type reader struct {
	rec    *Recording
	n      int
	ended  bool
	series map[int]int // series id -> index in rec.Series
}

func (rd *reader) take(raw []byte) error {
	if rd.ended {
		return lineErr(rd.n, "a record after the end record")
	}
	var l line
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&l); err != nil {
		return lineErr(rd.n, "not a record of a gatewayops recording: %v", err)
	}
	if rd.n == 1 {
		return rd.header(&l)
	}
	if n, ok := l.payloads(); n != 1 || !ok {
		return lineErr(rd.n, "a %q record must carry exactly its own payload", l.Kind)
	}
	switch l.Kind {
	case KindHeader:
		return lineErr(rd.n, "a second header")
	case KindAlarm:
		return rd.alarm(l.Alarm)
	case KindTransition:
		return rd.transition(l.Transition)
	case KindSeries:
		return rd.addSeries(l.Series)
	case KindPoint:
		return rd.point(l.Point)
	case KindEnd:
		return rd.end(l.End)
	}
	return lineErr(rd.n, "unknown record kind %q", l.Kind)
}

func (rd *reader) header(l *line) error {
	if l.Kind != KindHeader || l.Header == nil {
		return lineErr(1, "the first line must be the header, found a %q record", l.Kind)
	}
	h := l.Header
	if h.Version != Version {
		return lineErr(1, "version %d is not supported (this gatewayops reads version %d)", h.Version, Version)
	}
	if !h.To.After(h.From) {
		return lineErr(1, "the window's end %s is not after its start %s", h.To, h.From)
	}
	rd.rec.Header = *h
	return nil
}

func (rd *reader) alarm(a *Alarm) error {
	if a.Name == "" || (a.Metric == nil) == (len(a.Metrics) == 0) {
		return lineErr(rd.n, "an alarm needs a name and either a metric or metric-math queries")
	}
	rd.rec.Alarms = append(rd.rec.Alarms, *a)
	return nil
}

var states = map[string]bool{"OK": true, "ALARM": true, "INSUFFICIENT_DATA": true}

func (rd *reader) transition(t *Transition) error {
	known := false
	for _, a := range rd.rec.Alarms {
		known = known || a.Name == t.Alarm
	}
	switch {
	case !known:
		return lineErr(rd.n, "a transition of alarm %q, which no earlier line declares", t.Alarm)
	case !states[t.To] || (t.From != "" && !states[t.From]):
		return lineErr(rd.n, "a transition from %q to %q: states are OK, ALARM and INSUFFICIENT_DATA", t.From, t.To)
	}
	rd.rec.Transitions = append(rd.rec.Transitions, *t)
	return nil
}

func (rd *reader) addSeries(s *Series) error {
	if _, dup := rd.series[s.ID]; dup {
		return lineErr(rd.n, "series %d is declared twice", s.ID)
	}
	if s.Period <= 0 {
		return lineErr(rd.n, "series %d has period %d", s.ID, s.Period)
	}
	rd.series[s.ID] = len(rd.rec.Series)
	rd.rec.Series = append(rd.rec.Series, *s)
	return nil
}

func (rd *reader) point(p *Point) error {
	i, ok := rd.series[p.Series]
	if !ok {
		return lineErr(rd.n, "a point of series %d, which no earlier line declares", p.Series)
	}
	if p.SampleCount <= 0 || p.Minimum > p.Maximum {
		return lineErr(rd.n, "a point needs sampleCount > 0 and minimum <= maximum")
	}
	s := &rd.rec.Series[i]
	if n := len(s.Points); n > 0 && !p.T.After(s.Points[n-1].T) {
		return lineErr(rd.n, "series %d: point %s is not after the one before it", s.ID, p.T.Format("15:04:05"))
	}
	s.Points = append(s.Points, *p)
	return nil
}

func (rd *reader) end(e *End) error {
	if e.Records != rd.n-1 {
		return lineErr(rd.n, "the end record counts %d records, the file holds %d before it", e.Records, rd.n-1)
	}
	rd.ended = true
	return nil
}

func (rd *reader) finish() (*Recording, error) {
	switch {
	case rd.n == 0:
		return nil, lineErr(1, "the file is empty: no header")
	case !rd.ended:
		return nil, lineErr(rd.n, "the file ends after this line without its end record: it is truncated")
	}
	return rd.rec, nil
}

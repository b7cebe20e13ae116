package alarms

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

// QueryGroup is the queries of one alarm or one panel. Query ids are unique
// within a group; Series makes them unique across groups.
type QueryGroup struct {
	Key     string
	Queries []MetricQuery
}

// Line is one returned series.
type Line struct {
	ID     string  `json:"id"`
	Label  string  `json:"label"`
	Points []Point `json:"points"`
	// Status is Complete, PartialData, InternalError or Forbidden.
	Status string `json:"status,omitempty"`
}

// Window is the time range that Series actually asked for, aligned to the period.
type Window struct {
	Start, End time.Time
	Period     time.Duration
}

// AlignWindow aligns the window to the largest period of the groups: start
// rounded down, end rounded up. Aligned windows hit the same buckets on every
// refresh (CloudWatch serves them fastest); rounding the end up rather than
// down keeps the newest minute of a 60 s panel visible even when another
// query in the same call has a 15-minute period.
func AlignWindow(groups []QueryGroup, start, end time.Time) Window {
	period := 60
	for _, g := range groups {
		for _, q := range g.Queries {
			if q.Metric != nil && q.Metric.Period > period {
				period = q.Metric.Period
			}
		}
	}
	p := time.Duration(period) * time.Second
	w := Window{Start: start.Truncate(p), End: end.Truncate(p), Period: p}
	if w.End.Before(end) || !w.End.After(w.Start) {
		w.End = w.End.Add(p)
	}
	return w
}

// Series fetches every group's returned lines with as few GetMetricData calls as
// the 500-query limit allows: one call for up to 500 queries. A group is never
// split across calls, because its expressions refer to its other queries.
func (s *Source) Series(ctx context.Context, groups []QueryGroup, start, end time.Time) (map[string][]Line, error) {
	w := AlignWindow(groups, start, end)
	out := map[string][]Line{}
	for _, chunk := range chunkGroups(groups, maxQueriesPerCall) {
		if err := s.fetchChunk(ctx, chunk, w, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// chunkGroups packs whole groups into chunks of at most limit queries.
func chunkGroups(groups []QueryGroup, limit int) [][]QueryGroup {
	var chunks [][]QueryGroup
	var cur []QueryGroup
	n := 0
	for _, g := range groups {
		if n > 0 && n+len(g.Queries) > limit {
			chunks = append(chunks, cur)
			cur, n = nil, 0
		}
		cur = append(cur, g)
		n += len(g.Queries)
	}
	if len(cur) > 0 {
		chunks = append(chunks, cur)
	}
	return chunks
}

// wireRef remembers which group and query a prefixed wire id belongs to.
type wireRef struct {
	group string
	id    string
	label string
}

func (s *Source) fetchChunk(ctx context.Context, chunk []QueryGroup, w Window, out map[string][]Line) error {
	in := &cloudwatch.GetMetricDataInput{
		StartTime: aws.Time(w.Start),
		EndTime:   aws.Time(w.End),
		ScanBy:    types.ScanByTimestampAscending,
	}
	refs := map[string]wireRef{}
	metrics := 0
	for gi, g := range chunk {
		prefix := fmt.Sprintf("g%d_", gi)
		ids := map[string]bool{}
		for _, q := range g.Queries {
			ids[q.ID] = true
		}
		for _, q := range g.Queries {
			wid := prefix + q.ID
			refs[wid] = wireRef{group: g.Key, id: q.ID, label: q.Label}
			in.MetricDataQueries = append(in.MetricDataQueries, toSDKQuery(q, wid, prefixIDs(q.Expression, prefix, ids)))
			if q.Metric != nil {
				metrics++
			}
		}
	}
	for page := 0; ; page++ {
		// Metrics requested are billed per call, pages included.
		s.count("GetMetricData", metrics)
		resp, err := s.cw.GetMetricData(ctx, in)
		if err != nil {
			return fmt.Errorf("GetMetricData (%d queries): %w", len(in.MetricDataQueries), err)
		}
		for _, r := range resp.MetricDataResults {
			ref, ok := refs[aws.ToString(r.Id)]
			if !ok {
				return fmt.Errorf("GetMetricData returned unknown query id %q", aws.ToString(r.Id))
			}
			appendResult(out, ref, r)
		}
		if aws.ToString(resp.NextToken) == "" {
			return nil
		}
		in.NextToken = resp.NextToken
	}
}

// appendResult adds one result to its group's line, merging pages.
func appendResult(out map[string][]Line, ref wireRef, r types.MetricDataResult) {
	lines := out[ref.group]
	idx := -1
	for i := range lines {
		if lines[i].ID == ref.id {
			idx = i
		}
	}
	if idx < 0 {
		label := aws.ToString(r.Label)
		if ref.label != "" {
			label = ref.label
		}
		lines = append(lines, Line{ID: ref.id, Label: label, Status: string(r.StatusCode)})
		idx = len(lines) - 1
	}
	for i, ts := range r.Timestamps {
		if i < len(r.Values) {
			lines[idx].Points = append(lines[idx].Points, Point{Time: ts, Value: r.Values[i]})
		}
	}
	out[ref.group] = lines
}

// prefixIDs rewrites the query ids an expression refers to (e.g. "errors / total")
// into their wire ids, leaving function names and quoted strings alone.
func prefixIDs(expr, prefix string, ids map[string]bool) string {
	if expr == "" {
		return ""
	}
	var b strings.Builder
	var quote byte
	for i := 0; i < len(expr); {
		c := expr[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
			b.WriteByte(c)
			i++
		case c == '\'' || c == '"':
			quote = c
			b.WriteByte(c)
			i++
		case isIdentStart(c):
			j := i + 1
			for j < len(expr) && isIdentPart(expr[j]) {
				j++
			}
			if tok := expr[i:j]; ids[tok] {
				b.WriteString(prefix + tok)
			} else {
				b.WriteString(tok)
			}
			i = j
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String()
}

func isIdentStart(c byte) bool { return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isIdentPart(c byte) bool  { return isIdentStart(c) || c >= '0' && c <= '9' }

package alarms

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/smithy-go/logging"

	"gatewayops/internal/awsload"
	"gatewayops/internal/sdkhttp"
)

// CostPerMetricUSD is the GetMetricData price: $0.01 per 1,000 metrics requested.
const CostPerMetricUSD = 0.01 / 1000

// maxQueriesPerCall is GetMetricData's limit on MetricDataQueries per request.
const maxQueriesPerCall = 500

// ClientOptions configure the CloudWatch client. Empty fields fall through to the
// standard chain (AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL_CLOUDWATCH, shared config).
type ClientOptions struct {
	Region  string
	Profile string
	// Endpoint overrides the service endpoint (cwlocal, a VPC endpoint).
	Endpoint string
	// RetryMaxAttempts overrides the SDK's retry attempts when > 0; the poller
	// does its own backoff, so callers usually set 1.
	RetryMaxAttempts int
	// Anonymous skips request signing (for a local endpoint without credentials).
	Anonymous bool
	// Logger receives the SDK's own log lines (nil: the SDK's default, which
	// writes to stderr; the console passes its log sink).
	Logger logging.Logger
}

// NewClient builds a CloudWatch client from the standard AWS config chain.
func NewClient(ctx context.Context, o ClientOptions) (*cloudwatch.Client, error) {
	cfg, err := awsload.Config(ctx, awsload.Options{Region: o.Region, Profile: o.Profile,
		RetryMaxAttempts: o.RetryMaxAttempts, Anonymous: o.Anonymous, Logger: o.Logger,
		LocalPlainHTTP: o.Anonymous && IsLocalEndpoint(o.Endpoint) && strings.HasPrefix(o.Endpoint, "http://")})
	if err != nil {
		return nil, fmt.Errorf("loading AWS config: %w", err)
	}
	if cfg.Region == "" {
		return nil, errors.New("no AWS region: pass --region or set AWS_REGION")
	}
	return cloudwatch.NewFromConfig(cfg, func(co *cloudwatch.Options) {
		co.HTTPClient = sdkhttp.Wrap(co.HTTPClient) // docs/decisions.md 34
		if o.Endpoint != "" {
			co.BaseEndpoint = aws.String(o.Endpoint)
		}
	}), nil
}

// Usage is the API usage of one Source since it was created.
type Usage struct {
	Calls            map[string]int `json:"calls"`
	MetricsRequested int            `json:"metricsRequested"`
	CostUSD          float64        `json:"costUSD"`
}

// Source reads alarms and metrics from CloudWatch through the SDK, counting
// every call so the console can show its own cost.
type Source struct {
	cw     *cloudwatch.Client
	prefix string

	mu      sync.Mutex
	calls   map[string]int
	metrics int
}

// NewSource reads the alarms whose names start with prefix ("" = all).
func NewSource(cw *cloudwatch.Client, prefix string) *Source {
	return &Source{cw: cw, prefix: prefix, calls: map[string]int{}}
}

// Prefix is the alarm name prefix this source reads.
func (s *Source) Prefix() string { return s.prefix }

func (s *Source) count(op string, metrics int) {
	s.mu.Lock()
	s.calls[op]++
	s.metrics += metrics
	s.mu.Unlock()
}

// Usage returns a copy of the call counters.
func (s *Source) Usage() Usage {
	s.mu.Lock()
	defer s.mu.Unlock()
	calls := make(map[string]int, len(s.calls))
	for k, v := range s.calls {
		calls[k] = v
	}
	return Usage{Calls: calls, MetricsRequested: s.metrics, CostUSD: float64(s.metrics) * CostPerMetricUSD}
}

// describeParallel is how many DescribeAlarms requests one listing keeps in
// flight. CloudWatch's default DescribeAlarms quota is 9 requests per second
// per account and region; four in flight overlap the round trips without
// making a console a throttling risk for everything else in the account.
const describeParallel = 4

// describeBatch is DescribeAlarms' limit on AlarmNames (and MaxRecords).
const describeBatch = 100

// sweepStates splits the prefix sweep: DescribeAlarms pages by NextToken
// only, so three listings, one per state, are the way to overlap its pages.
var sweepStates = [...]types.StateValue{types.StateValueAlarm, types.StateValueOk, types.StateValueInsufficientData}

// Alarms lists every metric and composite alarm under the prefix: one
// paginated listing per state, run concurrently, merged and sorted by name.
// An alarm that changes state between the listings can appear in two (the
// newest state update wins) or, rarely, in none; Poller.Refresh reads
// known names by AlarmNames, which has no such gap.
func (s *Source) Alarms(ctx context.Context) ([]Alarm, error) {
	parts := make([][]Alarm, len(sweepStates))
	errs := make([]error, len(sweepStates))
	var wg sync.WaitGroup
	for i, st := range sweepStates {
		wg.Go(func() {
			in := s.describeInput()
			in.StateValue = st
			if s.prefix != "" {
				in.AlarmNamePrefix = aws.String(s.prefix)
			}
			parts[i], errs[i] = s.describeAll(ctx, in)
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return mergeAlarms(parts...), nil
}

// AlarmsNamed reads the named alarms (those that exist; names outside the
// prefix are skipped) in batches of 100 AlarmNames, describeParallel
// batches at a time, sorted by name. Each batch is one call.
func (s *Source) AlarmsNamed(ctx context.Context, names []string) ([]Alarm, error) {
	var batches [][]string
	var cur []string
	for _, n := range names {
		if !strings.HasPrefix(n, s.prefix) {
			continue
		}
		if cur = append(cur, n); len(cur) == describeBatch {
			batches, cur = append(batches, cur), nil
		}
	}
	if len(cur) > 0 {
		batches = append(batches, cur)
	}
	parts := make([][]Alarm, len(batches))
	errs := make([]error, len(batches))
	sem := make(chan struct{}, describeParallel)
	var wg sync.WaitGroup
	for i, b := range batches {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			in := s.describeInput()
			in.AlarmNames = b
			parts[i], errs[i] = s.describeAll(ctx, in)
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return mergeAlarms(parts...), nil
}

func (s *Source) describeInput() *cloudwatch.DescribeAlarmsInput {
	return &cloudwatch.DescribeAlarmsInput{
		AlarmTypes: []types.AlarmType{types.AlarmTypeMetricAlarm, types.AlarmTypeCompositeAlarm},
		MaxRecords: aws.Int32(describeBatch),
	}
}

// describeAll follows one listing's NextToken to its end.
func (s *Source) describeAll(ctx context.Context, in *cloudwatch.DescribeAlarmsInput) ([]Alarm, error) {
	var out []Alarm
	for {
		s.count("DescribeAlarms", 0)
		page, err := s.cw.DescribeAlarms(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("DescribeAlarms: %w", err)
		}
		for _, m := range page.MetricAlarms {
			out = append(out, fromMetricAlarm(m))
		}
		for _, c := range page.CompositeAlarms {
			out = append(out, fromCompositeAlarm(c))
		}
		if aws.ToString(page.NextToken) == "" {
			return out, nil
		}
		in.NextToken = page.NextToken
	}
}

// mergeAlarms is the union of the parts sorted by name; an alarm in two
// parts keeps its newest state update.
func mergeAlarms(parts ...[]Alarm) []Alarm {
	var out []Alarm
	for _, p := range parts {
		out = append(out, p...)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	merged := out[:0]
	for _, a := range out {
		if k := len(merged) - 1; k >= 0 && merged[k].Name == a.Name {
			if a.UpdatedAt.After(merged[k].UpdatedAt) {
				merged[k] = a
			}
			continue
		}
		merged = append(merged, a)
	}
	return merged
}

// HistoryItem is one state change (or configuration/action event) of an alarm.
type HistoryItem struct {
	At      time.Time `json:"at"`
	Type    string    `json:"type"`
	Summary string    `json:"summary"`
	Data    string    `json:"data,omitempty"`
}

// History returns the alarm's history since the given time, newest first.
func (s *Source) History(ctx context.Context, alarm string, since time.Time) ([]HistoryItem, error) {
	in := &cloudwatch.DescribeAlarmHistoryInput{
		AlarmName: aws.String(alarm),
		StartDate: aws.Time(since),
		EndDate:   aws.Time(time.Now()),
		ScanBy:    types.ScanByTimestampDescending,
	}
	var out []HistoryItem
	for {
		s.count("DescribeAlarmHistory", 0)
		page, err := s.cw.DescribeAlarmHistory(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("DescribeAlarmHistory %s: %w", alarm, err)
		}
		for _, h := range page.AlarmHistoryItems {
			out = append(out, HistoryItem{
				At: aws.ToTime(h.Timestamp), Type: string(h.HistoryItemType),
				Summary: aws.ToString(h.HistorySummary), Data: aws.ToString(h.HistoryData),
			})
		}
		if aws.ToString(page.NextToken) == "" {
			return out, nil
		}
		in.NextToken = page.NextToken
	}
}

// Change is one alarm history item of the account: which alarm, and when.
type Change struct {
	Alarm string
	At    time.Time
}

// ChangesSince lists the history items of every alarm (state updates,
// configuration updates, actions) at or after since, oldest first, all
// pages. DescribeAlarmHistory without AlarmName covers the whole account and
// has no prefix filter, so alarms outside the prefix come back too.
func (s *Source) ChangesSince(ctx context.Context, since time.Time) ([]Change, error) {
	in := &cloudwatch.DescribeAlarmHistoryInput{
		StartDate:  aws.Time(since),
		ScanBy:     types.ScanByTimestampAscending,
		AlarmTypes: []types.AlarmType{types.AlarmTypeMetricAlarm, types.AlarmTypeCompositeAlarm},
		MaxRecords: aws.Int32(100),
	}
	var out []Change
	for {
		s.count("DescribeAlarmHistory", 0)
		page, err := s.cw.DescribeAlarmHistory(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("DescribeAlarmHistory: %w", err)
		}
		for _, h := range page.AlarmHistoryItems {
			out = append(out, Change{Alarm: aws.ToString(h.AlarmName), At: aws.ToTime(h.Timestamp)})
		}
		if aws.ToString(page.NextToken) == "" {
			return out, nil
		}
		in.NextToken = page.NextToken
	}
}

// MetricIdentity is a metric as CloudWatch identifies it: namespace, name and
// the full dimension set.
type MetricIdentity struct {
	Namespace  string      `json:"namespace"`
	MetricName string      `json:"metricName"`
	Dimensions []Dimension `json:"dimensions,omitempty"`
}

// ListMetrics lists every published metric with this namespace and name, all
// dimension sets, all pages.
func (s *Source) ListMetrics(ctx context.Context, namespace, metric string) ([]MetricIdentity, error) {
	in := &cloudwatch.ListMetricsInput{Namespace: aws.String(namespace), MetricName: aws.String(metric)}
	var out []MetricIdentity
	for {
		s.count("ListMetrics", 0)
		page, err := s.cw.ListMetrics(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("ListMetrics %s %s: %w", namespace, metric, err)
		}
		for _, m := range page.Metrics {
			id := MetricIdentity{Namespace: aws.ToString(m.Namespace), MetricName: aws.ToString(m.MetricName)}
			for _, d := range m.Dimensions {
				id.Dimensions = append(id.Dimensions, Dimension{Name: aws.ToString(d.Name), Value: aws.ToString(d.Value)})
			}
			out = append(out, id)
		}
		if aws.ToString(page.NextToken) == "" {
			return out, nil
		}
		in.NextToken = page.NextToken
	}
}

// IsLocalEndpoint is true for a CloudWatch endpoint on this machine (cwlocal):
// it checks no signatures, so requests go unsigned and need no credentials.
func IsLocalEndpoint(endpoint string) bool {
	u, err := url.Parse(endpoint)
	if err != nil || endpoint == "" {
		return false
	}
	host := u.Hostname()
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

package cwlocal

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"
)

// The request and response shapes below carry the CloudWatch member names
// exactly (json tags), so one set of types serves both wire protocols.

// Timestamp is a CloudWatch timestamp: epoch seconds as a JSON number (AWS
// JSON 1.0) or CBOR tag 1 (RPC v2 CBOR, handled by the CBOR encoder).
type Timestamp struct{ time.Time }

// TS wraps t for a response field.
func TS(t time.Time) *Timestamp { return &Timestamp{t.UTC()} }

// MarshalJSON writes epoch seconds with millisecond precision.
func (t Timestamp) MarshalJSON() ([]byte, error) {
	return []byte(strconv.FormatFloat(epochSeconds(t.Time), 'f', -1, 64)), nil
}

// UnmarshalJSON reads epoch seconds (a number).
func (t *Timestamp) UnmarshalJSON(b []byte) error {
	var f float64
	if err := json.Unmarshal(b, &f); err != nil || string(b) == "null" {
		return fmt.Errorf("timestamp must be a number of epoch seconds, got %s", b)
	}
	if math.Abs(f) > 253402300799 {
		return fmt.Errorf("timestamp %v is out of range", f)
	}
	sec, frac := math.Modf(f)
	t.Time = time.Unix(int64(sec), int64(math.Round(frac*1e3))*1e6).UTC()
	return nil
}

func epochSeconds(t time.Time) float64 { return float64(t.UnixMilli()) / 1e3 }

// Metric is a metric identity on the wire.
type Metric struct {
	Namespace  string      `json:"Namespace,omitempty"`
	MetricName string      `json:"MetricName,omitempty"`
	Dimensions []Dimension `json:"Dimensions,omitempty"`
}

// MetricStatWire is a MetricStat member.
type MetricStatWire struct {
	Metric *Metric `json:"Metric,omitempty"`
	Period int     `json:"Period,omitempty"`
	Stat   string  `json:"Stat,omitempty"`
	Unit   string  `json:"Unit,omitempty"`
}

// MetricDataQuery is one query of GetMetricData or of a math alarm.
type MetricDataQuery struct {
	Id         string          `json:"Id"`
	MetricStat *MetricStatWire `json:"MetricStat,omitempty"`
	Expression string          `json:"Expression,omitempty"`
	Label      string          `json:"Label,omitempty"`
	ReturnData *bool           `json:"ReturnData,omitempty"`
	Period     int             `json:"Period,omitempty"`
}

// MessageData is a message attached to a result.
type MessageData struct {
	Code  string `json:"Code,omitempty"`
	Value string `json:"Value,omitempty"`
}

// MetricDataResult is one query's answer.
type MetricDataResult struct {
	Id         string        `json:"Id"`
	Label      string        `json:"Label,omitempty"`
	StatusCode string        `json:"StatusCode"`
	Timestamps []Timestamp   `json:"Timestamps"`
	Values     []float64     `json:"Values"`
	Messages   []MessageData `json:"Messages,omitempty"`
}

// GetMetricDataInput is the GetMetricData request.
type GetMetricDataInput struct {
	MetricDataQueries []MetricDataQuery `json:"MetricDataQueries"`
	StartTime         *Timestamp        `json:"StartTime"`
	EndTime           *Timestamp        `json:"EndTime"`
	NextToken         string            `json:"NextToken"`
	ScanBy            string            `json:"ScanBy"`
	MaxDatapoints     *int              `json:"MaxDatapoints"`
}

// GetMetricDataOutput is the GetMetricData response.
type GetMetricDataOutput struct {
	MetricDataResults []MetricDataResult `json:"MetricDataResults"`
	NextToken         string             `json:"NextToken,omitempty"`
	Messages          []MessageData      `json:"Messages,omitempty"`
}

// ListMetricsInput is the ListMetrics request.
type ListMetricsInput struct {
	Namespace      string            `json:"Namespace"`
	MetricName     string            `json:"MetricName"`
	Dimensions     []DimensionFilter `json:"Dimensions"`
	NextToken      string            `json:"NextToken"`
	RecentlyActive string            `json:"RecentlyActive"`
}

// ListMetricsOutput is the ListMetrics response.
type ListMetricsOutput struct {
	Metrics   []Metric `json:"Metrics"`
	NextToken string   `json:"NextToken,omitempty"`
}

// StatisticSet is a pre-aggregated datum.
type StatisticSet struct {
	SampleCount *float64 `json:"SampleCount"`
	Sum         *float64 `json:"Sum"`
	Minimum     *float64 `json:"Minimum"`
	Maximum     *float64 `json:"Maximum"`
}

// MetricDatum is one datum of PutMetricData.
type MetricDatum struct {
	MetricName        string        `json:"MetricName"`
	Dimensions        []Dimension   `json:"Dimensions"`
	Timestamp         *Timestamp    `json:"Timestamp"`
	Value             *float64      `json:"Value"`
	Values            []float64     `json:"Values"`
	Counts            []float64     `json:"Counts"`
	StatisticValues   *StatisticSet `json:"StatisticValues"`
	Unit              string        `json:"Unit"`
	StorageResolution *int          `json:"StorageResolution"`
}

// PutMetricDataInput is the PutMetricData request.
type PutMetricDataInput struct {
	Namespace  string        `json:"Namespace"`
	MetricData []MetricDatum `json:"MetricData"`
}

// Tag is a resource tag.
type Tag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

// PutMetricAlarmInput is the PutMetricAlarm request.
type PutMetricAlarmInput struct {
	AlarmName               string            `json:"AlarmName"`
	AlarmDescription        string            `json:"AlarmDescription"`
	ActionsEnabled          *bool             `json:"ActionsEnabled"`
	AlarmActions            []string          `json:"AlarmActions"`
	OKActions               []string          `json:"OKActions"`
	InsufficientDataActions []string          `json:"InsufficientDataActions"`
	Namespace               string            `json:"Namespace"`
	MetricName              string            `json:"MetricName"`
	Dimensions              []Dimension       `json:"Dimensions"`
	Statistic               string            `json:"Statistic"`
	ExtendedStatistic       string            `json:"ExtendedStatistic"`
	Period                  int               `json:"Period"`
	Unit                    string            `json:"Unit"`
	Metrics                 []MetricDataQuery `json:"Metrics"`
	EvaluationPeriods       int               `json:"EvaluationPeriods"`
	DatapointsToAlarm       int               `json:"DatapointsToAlarm"`
	Threshold               *float64          `json:"Threshold"`
	ComparisonOperator      string            `json:"ComparisonOperator"`
	TreatMissingData        string            `json:"TreatMissingData"`
	Tags                    []Tag             `json:"Tags"`
}

// MetricAlarm is an alarm as DescribeAlarms returns it.
type MetricAlarm struct {
	AlarmName                          string            `json:"AlarmName"`
	AlarmArn                           string            `json:"AlarmArn"`
	AlarmDescription                   string            `json:"AlarmDescription,omitempty"`
	AlarmConfigurationUpdatedTimestamp *Timestamp        `json:"AlarmConfigurationUpdatedTimestamp,omitempty"`
	ActionsEnabled                     bool              `json:"ActionsEnabled"`
	OKActions                          []string          `json:"OKActions"`
	AlarmActions                       []string          `json:"AlarmActions"`
	InsufficientDataActions            []string          `json:"InsufficientDataActions"`
	StateValue                         string            `json:"StateValue"`
	StateReason                        string            `json:"StateReason,omitempty"`
	StateReasonData                    string            `json:"StateReasonData,omitempty"`
	StateUpdatedTimestamp              *Timestamp        `json:"StateUpdatedTimestamp,omitempty"`
	StateTransitionedTimestamp         *Timestamp        `json:"StateTransitionedTimestamp,omitempty"`
	MetricName                         string            `json:"MetricName,omitempty"`
	Namespace                          string            `json:"Namespace,omitempty"`
	Statistic                          string            `json:"Statistic,omitempty"`
	ExtendedStatistic                  string            `json:"ExtendedStatistic,omitempty"`
	Dimensions                         []Dimension       `json:"Dimensions"`
	Period                             int               `json:"Period,omitempty"`
	Unit                               string            `json:"Unit,omitempty"`
	EvaluationPeriods                  int               `json:"EvaluationPeriods"`
	DatapointsToAlarm                  int               `json:"DatapointsToAlarm"`
	Threshold                          float64           `json:"Threshold"`
	ComparisonOperator                 string            `json:"ComparisonOperator"`
	TreatMissingData                   string            `json:"TreatMissingData,omitempty"`
	Metrics                            []MetricDataQuery `json:"Metrics,omitempty"`
	EvaluationState                    string            `json:"EvaluationState,omitempty"`
}

// DescribeAlarmsInput is the DescribeAlarms request.
type DescribeAlarmsInput struct {
	AlarmNames      []string `json:"AlarmNames"`
	AlarmNamePrefix string   `json:"AlarmNamePrefix"`
	AlarmTypes      []string `json:"AlarmTypes"`
	StateValue      string   `json:"StateValue"`
	ActionPrefix    string   `json:"ActionPrefix"`
	MaxRecords      *int     `json:"MaxRecords"`
	NextToken       string   `json:"NextToken"`
}

// DescribeAlarmsOutput is the DescribeAlarms response.
type DescribeAlarmsOutput struct {
	MetricAlarms    []MetricAlarm    `json:"MetricAlarms"`
	CompositeAlarms []CompositeAlarm `json:"CompositeAlarms"`
	NextToken       string           `json:"NextToken,omitempty"`
}

// PutCompositeAlarmInput is the PutCompositeAlarm request.
type PutCompositeAlarmInput struct {
	AlarmName               string   `json:"AlarmName"`
	AlarmRule               string   `json:"AlarmRule"`
	AlarmDescription        string   `json:"AlarmDescription"`
	ActionsEnabled          *bool    `json:"ActionsEnabled"`
	AlarmActions            []string `json:"AlarmActions"`
	OKActions               []string `json:"OKActions"`
	InsufficientDataActions []string `json:"InsufficientDataActions"`
	Tags                    []Tag    `json:"Tags"`
}

// CompositeAlarm is a composite alarm as DescribeAlarms returns it.
type CompositeAlarm struct {
	AlarmName                          string     `json:"AlarmName"`
	AlarmArn                           string     `json:"AlarmArn"`
	AlarmDescription                   string     `json:"AlarmDescription,omitempty"`
	AlarmRule                          string     `json:"AlarmRule"`
	AlarmConfigurationUpdatedTimestamp *Timestamp `json:"AlarmConfigurationUpdatedTimestamp,omitempty"`
	ActionsEnabled                     bool       `json:"ActionsEnabled"`
	OKActions                          []string   `json:"OKActions"`
	AlarmActions                       []string   `json:"AlarmActions"`
	InsufficientDataActions            []string   `json:"InsufficientDataActions"`
	StateValue                         string     `json:"StateValue"`
	StateReason                        string     `json:"StateReason,omitempty"`
	StateReasonData                    string     `json:"StateReasonData,omitempty"`
	StateUpdatedTimestamp              *Timestamp `json:"StateUpdatedTimestamp,omitempty"`
	StateTransitionedTimestamp         *Timestamp `json:"StateTransitionedTimestamp,omitempty"`
}

// AlarmNamesInput names alarms (DeleteAlarms, Enable/DisableAlarmActions).
type AlarmNamesInput struct {
	AlarmNames []string `json:"AlarmNames"`
}

// DescribeAlarmsForMetricInput is the DescribeAlarmsForMetric request.
type DescribeAlarmsForMetricInput struct {
	Namespace         string      `json:"Namespace"`
	MetricName        string      `json:"MetricName"`
	Dimensions        []Dimension `json:"Dimensions"`
	Statistic         string      `json:"Statistic"`
	ExtendedStatistic string      `json:"ExtendedStatistic"`
	Period            int         `json:"Period"`
	Unit              string      `json:"Unit"`
}

// DescribeAlarmsForMetricOutput is the DescribeAlarmsForMetric response.
type DescribeAlarmsForMetricOutput struct {
	MetricAlarms []MetricAlarm `json:"MetricAlarms"`
}

// GetMetricStatisticsInput is the GetMetricStatistics request.
type GetMetricStatisticsInput struct {
	Namespace          string      `json:"Namespace"`
	MetricName         string      `json:"MetricName"`
	Dimensions         []Dimension `json:"Dimensions"`
	StartTime          *Timestamp  `json:"StartTime"`
	EndTime            *Timestamp  `json:"EndTime"`
	Period             int         `json:"Period"`
	Statistics         []string    `json:"Statistics"`
	ExtendedStatistics []string    `json:"ExtendedStatistics"`
	Unit               string      `json:"Unit"`
}

// Datapoint is one period of GetMetricStatistics.
type Datapoint struct {
	Timestamp          *Timestamp         `json:"Timestamp"`
	SampleCount        *float64           `json:"SampleCount,omitempty"`
	Average            *float64           `json:"Average,omitempty"`
	Sum                *float64           `json:"Sum,omitempty"`
	Minimum            *float64           `json:"Minimum,omitempty"`
	Maximum            *float64           `json:"Maximum,omitempty"`
	Unit               string             `json:"Unit,omitempty"`
	ExtendedStatistics map[string]float64 `json:"ExtendedStatistics,omitempty"`
}

// GetMetricStatisticsOutput is the GetMetricStatistics response.
type GetMetricStatisticsOutput struct {
	Label      string      `json:"Label"`
	Datapoints []Datapoint `json:"Datapoints"`
}

// ResourceInput names a resource by ARN (ListTagsForResource).
type ResourceInput struct {
	ResourceARN string `json:"ResourceARN"`
}

// TagResourceInput is the TagResource request.
type TagResourceInput struct {
	ResourceARN string `json:"ResourceARN"`
	Tags        []Tag  `json:"Tags"`
}

// UntagResourceInput is the UntagResource request.
type UntagResourceInput struct {
	ResourceARN string   `json:"ResourceARN"`
	TagKeys     []string `json:"TagKeys"`
}

// ListTagsForResourceOutput is the ListTagsForResource response.
type ListTagsForResourceOutput struct {
	Tags []Tag `json:"Tags"`
}

// AlarmHistoryItem is one history record.
type AlarmHistoryItem struct {
	AlarmName       string     `json:"AlarmName"`
	AlarmType       string     `json:"AlarmType"`
	Timestamp       *Timestamp `json:"Timestamp"`
	HistoryItemType string     `json:"HistoryItemType"`
	HistorySummary  string     `json:"HistorySummary"`
	HistoryData     string     `json:"HistoryData"`
}

// DescribeAlarmHistoryInput is the DescribeAlarmHistory request.
type DescribeAlarmHistoryInput struct {
	AlarmName       string     `json:"AlarmName"`
	AlarmTypes      []string   `json:"AlarmTypes"`
	HistoryItemType string     `json:"HistoryItemType"`
	StartDate       *Timestamp `json:"StartDate"`
	EndDate         *Timestamp `json:"EndDate"`
	MaxRecords      *int       `json:"MaxRecords"`
	NextToken       string     `json:"NextToken"`
	ScanBy          string     `json:"ScanBy"`
}

// DescribeAlarmHistoryOutput is the DescribeAlarmHistory response.
type DescribeAlarmHistoryOutput struct {
	AlarmHistoryItems []AlarmHistoryItem `json:"AlarmHistoryItems"`
	NextToken         string             `json:"NextToken,omitempty"`
}

// SetAlarmStateInput is the SetAlarmState request.
type SetAlarmStateInput struct {
	AlarmName       string `json:"AlarmName"`
	StateValue      string `json:"StateValue"`
	StateReason     string `json:"StateReason"`
	StateReasonData string `json:"StateReasonData"`
}

// Schedule is when a mute rule is active.
type Schedule struct {
	Expression string `json:"Expression,omitempty"`
	Duration   string `json:"Duration,omitempty"`
	Timezone   string `json:"Timezone,omitempty"`
}

// Rule wraps a mute rule's schedule.
type Rule struct {
	Schedule *Schedule `json:"Schedule,omitempty"`
}

// MuteTargets names the alarms a mute rule applies to.
type MuteTargets struct {
	AlarmNames []string `json:"AlarmNames"`
}

// PutAlarmMuteRuleInput is the PutAlarmMuteRule request.
type PutAlarmMuteRuleInput struct {
	Name        string       `json:"Name"`
	Description string       `json:"Description"`
	Rule        *Rule        `json:"Rule"`
	MuteTargets *MuteTargets `json:"MuteTargets"`
	StartDate   *Timestamp   `json:"StartDate"`
	ExpireDate  *Timestamp   `json:"ExpireDate"`
	Tags        []Tag        `json:"Tags"`
}

// AlarmMuteRuleNameInput names one mute rule (Get/DeleteAlarmMuteRule).
type AlarmMuteRuleNameInput struct {
	AlarmMuteRuleName string `json:"AlarmMuteRuleName"`
}

// ListAlarmMuteRulesInput is the ListAlarmMuteRules request.
type ListAlarmMuteRulesInput struct {
	AlarmName  string   `json:"AlarmName"`
	Statuses   []string `json:"Statuses"`
	MaxRecords *int     `json:"MaxRecords"`
	NextToken  string   `json:"NextToken"`
}

// AlarmMuteRuleSummary is one entry of ListAlarmMuteRules.
type AlarmMuteRuleSummary struct {
	AlarmMuteRuleArn     string     `json:"AlarmMuteRuleArn"`
	ExpireDate           *Timestamp `json:"ExpireDate,omitempty"`
	LastUpdatedTimestamp *Timestamp `json:"LastUpdatedTimestamp,omitempty"`
	MuteType             string     `json:"MuteType,omitempty"`
	Status               string     `json:"Status"`
}

// ListAlarmMuteRulesOutput is the ListAlarmMuteRules response.
type ListAlarmMuteRulesOutput struct {
	AlarmMuteRuleSummaries []AlarmMuteRuleSummary `json:"AlarmMuteRuleSummaries"`
	NextToken              string                 `json:"NextToken,omitempty"`
}

// GetAlarmMuteRuleOutput is the GetAlarmMuteRule response.
type GetAlarmMuteRuleOutput struct {
	AlarmMuteRuleArn     string       `json:"AlarmMuteRuleArn"`
	Name                 string       `json:"Name"`
	Description          string       `json:"Description,omitempty"`
	Rule                 *Rule        `json:"Rule,omitempty"`
	MuteTargets          *MuteTargets `json:"MuteTargets,omitempty"`
	StartDate            *Timestamp   `json:"StartDate,omitempty"`
	ExpireDate           *Timestamp   `json:"ExpireDate,omitempty"`
	LastUpdatedTimestamp *Timestamp   `json:"LastUpdatedTimestamp,omitempty"`
	MuteType             string       `json:"MuteType,omitempty"`
	Status               string       `json:"Status"`
}

// empty is the body of operations that return nothing.
type empty struct{}

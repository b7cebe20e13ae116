package cwlocal

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/smithy-go/encoding/cbor"
)

// jsRequest sends what the JS SDK v3 sends for an AWS JSON 1.0 call.
func jsRequest(t *testing.T, url, op, body string) (int, http.Header, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url+"/", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	req.Header.Set("X-Amz-Target", "GraniteServiceVersion20100801."+op)
	req.Header.Set("x-amz-user-agent", "aws-sdk-js/3.700.0")
	return do(t, req, false)
}

// cborRequest sends the same members as RPC v2 CBOR, timestamps as tag 1.
func cborRequest(t *testing.T, url, op, body string) (int, http.Header, map[string]any) {
	t.Helper()
	var tree any
	if err := json.Unmarshal([]byte(body), &tree); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, url+cborPrefix+op, bytes.NewReader(cbor.Encode(jsonToCBOR(tree, ""))))
	req.Header.Set("Content-Type", "application/cbor")
	req.Header.Set("Smithy-Protocol", "rpc-v2-cbor")
	return do(t, req, true)
}

var timestampMembers = map[string]bool{"StartTime": true, "EndTime": true, "StartDate": true, "EndDate": true, "Timestamp": true, "ExpireDate": true}

func jsonToCBOR(v any, key string) cbor.Value {
	switch x := v.(type) {
	case map[string]any:
		m := cbor.Map{}
		for k, e := range x {
			m[k] = jsonToCBOR(e, k)
		}
		return m
	case []any:
		l := cbor.List{}
		for _, e := range x {
			l = append(l, jsonToCBOR(e, key))
		}
		return l
	case float64:
		if timestampMembers[key] {
			return &cbor.Tag{ID: 1, Value: cbor.Float64(x)}
		}
		if x == math.Trunc(x) && x >= 0 {
			return cbor.Uint(uint64(x))
		}
		return cbor.Float64(x)
	case string:
		return cbor.String(x)
	case bool:
		return cbor.Bool(x)
	}
	return &cbor.Nil{}
}

func do(t *testing.T, req *http.Request, isCBOR bool) (int, http.Header, map[string]any) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var tree map[string]any
	if isCBOR {
		if resp.Header.Get("Smithy-Protocol") != "rpc-v2-cbor" || resp.Header.Get("Content-Type") != "application/cbor" {
			t.Fatalf("CBOR response headers %v", resp.Header)
		}
		v, err := cbor.Decode(b)
		if err != nil {
			t.Fatalf("response is not CBOR: %v", err)
		}
		raw, _ := cborToTree(v, 0)
		jb, _ := json.Marshal(raw)
		json.Unmarshal(jb, &tree)
	} else {
		if resp.Header.Get("Content-Type") != "application/x-amz-json-1.0" {
			t.Fatalf("JSON response content type %q", resp.Header.Get("Content-Type"))
		}
		if err := json.Unmarshal(b, &tree); err != nil {
			t.Fatalf("response is not JSON: %v: %s", err, b)
		}
	}
	return resp.StatusCode, resp.Header, tree
}

func TestJSONProtocolMatchesCBOR(t *testing.T) {
	s := newTestService()
	_, url := serve(t, s)
	at := float64(minute(2).Unix())
	putData := `{"Namespace":"Arrakis/AgentGateway","MetricData":[{"MetricName":"RequestLatency","Dimensions":[{"Name":"feature","Value":"ensemble"}],"Timestamp":` +
		jsonNum(at) + `,"Values":[120,80,4000],"Unit":"Milliseconds"}]}`
	if code, _, body := jsRequest(t, url, "PutMetricData", putData); code != 200 || len(body) != 0 {
		t.Fatalf("PutMetricData: %d %v", code, body)
	}
	alarm := `{"AlarmName":"arrakis-staging-agent-latency-p99-high","Namespace":"Arrakis/AgentGateway","MetricName":"RequestLatency",` +
		`"Dimensions":[{"Name":"feature","Value":"ensemble"}],"ExtendedStatistic":"p99","Period":60,"EvaluationPeriods":5,"DatapointsToAlarm":1,` +
		`"Threshold":3000,"ComparisonOperator":"GreaterThanThreshold","TreatMissingData":"notBreaching"}`
	if code, _, body := jsRequest(t, url, "PutMetricAlarm", alarm); code != 200 {
		t.Fatalf("PutMetricAlarm: %d %v", code, body)
	}
	s.EvaluateAll(t0)
	reads := map[string]string{
		"DescribeAlarms":       `{"AlarmNamePrefix":"arrakis-staging-agent-","MaxRecords":10}`,
		"DescribeAlarmHistory": `{"AlarmName":"arrakis-staging-agent-latency-p99-high","ScanBy":"TimestampAscending"}`,
		"ListMetrics":          `{"Namespace":"Arrakis/AgentGateway","Dimensions":[{"Name":"feature"}]}`,
		"GetMetricData": `{"StartTime":` + jsonNum(float64(minute(10).Unix())) + `,"EndTime":` + jsonNum(float64(t0.Unix())) +
			`,"MetricDataQueries":[{"Id":"p","MetricStat":{"Metric":{"Namespace":"Arrakis/AgentGateway","MetricName":"RequestLatency",` +
			`"Dimensions":[{"Name":"feature","Value":"ensemble"}]},"Period":60,"Stat":"p99"}}]}`,
	}
	for op, body := range reads {
		jc, _, jb := jsRequest(t, url, op, body)
		cc, _, cb := cborRequest(t, url, op, body)
		if jc != 200 || cc != 200 || !reflect.DeepEqual(jb, cb) {
			t.Errorf("%s: JSON %d %v\nCBOR %d %v", op, jc, jb, cc, cb)
		}
	}
	_, _, da := jsRequest(t, url, "DescribeAlarms", reads["DescribeAlarms"])
	a := da["MetricAlarms"].([]any)[0].(map[string]any)
	if a["StateValue"] != "ALARM" || a["StateTransitionedTimestamp"] != float64(t0.Unix()) {
		t.Fatalf("alarm %v", a)
	}
	_, _, gm := jsRequest(t, url, "GetMetricData", reads["GetMetricData"])
	r := gm["MetricDataResults"].([]any)[0].(map[string]any)
	if !reflect.DeepEqual(r["Values"], []any{4000.0}) || !reflect.DeepEqual(r["Timestamps"], []any{at}) || r["StatusCode"] != "Complete" {
		t.Fatalf("GetMetricData %v", r)
	}
}

func jsonNum(f float64) string { b, _ := json.Marshal(f); return string(b) }

func TestJSONProtocolErrors(t *testing.T) {
	s := newTestService()
	_, url := serve(t, s)
	cases := []struct {
		op, body, code, queryHeader, msg string
		status                           int
	}{
		{"PutMetricData", `{"MetricData":[{"MetricName":"x","Value":1}]}`, "com.amazonaws.cloudwatch#MissingRequiredParameterException", "MissingParameter;Sender", "Namespace is required", 400},
		{"DescribeAlarms", `{"MaxRecords":"ten"}`, "com.amazonaws.cloudwatch#InvalidParameterValueException", "InvalidParameterValue;Sender", "member MaxRecords: expected a number, got a JSON string", 400},
		{"DescribeAlarms", `{"AlarmNames":["a"],"AlarmNamePrefix":"b"}`, "com.amazonaws.cloudwatch#InvalidParameterCombinationException", "InvalidParameterCombination;Sender", "cannot be used together", 400},
		{"DescribeAlarms", `{"NextToken":"zzz"}`, "com.amazonaws.cloudwatch#InvalidNextToken", "InvalidNextToken;Sender", "NextToken", 400},
		{"SetAlarmState", `{"AlarmName":"none","StateValue":"OK","StateReason":"r"}`, "com.amazonaws.cloudwatch#ResourceNotFound", "ResourceNotFound;Sender", "Alarm none not found", 404},
		{"DeleteDashboards", `{}`, "UnknownOperationException", "UnknownOperationException;Sender", "Unknown operation \"DeleteDashboards\" (supported: DeleteAlarmMuteRule", 400},
		{"DeleteAlarms", `{}`, "com.amazonaws.cloudwatch#MissingRequiredParameterException", "MissingParameter;Sender", "AlarmNames is required", 400},
		{"DescribeAlarms", `[1,2]`, "SerializationException", "SerializationException;Sender", "must be a JSON object", 400},
		{"DescribeAlarms", `{"MaxRecords":`, "SerializationException", "SerializationException;Sender", "must be a JSON object", 400},
		{"GetMetricData", `{"StartTime":"yesterday","EndTime":1,"MetricDataQueries":[]}`, "com.amazonaws.cloudwatch#InvalidParameterValueException", "InvalidParameterValue;Sender", "timestamp must be a number of epoch seconds", 400},
	}
	for _, c := range cases {
		status, h, body := jsRequest(t, url, c.op, c.body)
		if status != c.status || body["__type"] != c.code || h.Get("X-Amzn-Query-Error") != c.queryHeader || !strings.Contains(body["message"].(string), c.msg) {
			t.Errorf("%s %s: %d %v %q", c.op, c.body, status, body, h.Get("X-Amzn-Query-Error"))
		}
	}
	s.SetThrottle(1)
	status, h, body := jsRequest(t, url, "DescribeAlarms", `{}`)
	if status != 400 || body["__type"] != "Throttling" || h.Get("X-Amzn-Query-Error") != "Throttling;Sender" {
		t.Fatalf("throttle: %d %v %v", status, body, h)
	}
	s.SetFailures(1)
	status, h, body = jsRequest(t, url, "DescribeAlarms", `{}`)
	if status != 500 || body["__type"] != "com.amazonaws.cloudwatch#InternalServiceFault" || h.Get("X-Amzn-Query-Error") != "InternalServiceError;Receiver" {
		t.Fatalf("failure: %d %v %v", status, body, h)
	}
	if got := s.Calls()["DescribeAlarms"]; got != 7 {
		t.Fatalf("DescribeAlarms calls %d, want 7", got)
	}
}

func TestTransportLimits(t *testing.T) {
	s := New(Config{MaxBodyBytes: 1024, Now: func() time.Time { return t0 }})
	_, url := serve(t, s)
	big := `{"Namespace":"` + strings.Repeat("x", 2000) + `"}`
	if status, _, body := jsRequest(t, url, "ListMetrics", big); status != 413 || !strings.Contains(body["message"].(string), "larger than 1024 bytes") {
		t.Fatalf("oversized: %d %v", status, body)
	}
	// A gzip bomb is cut at the limit after decompression.
	var zb bytes.Buffer
	zw := gzip.NewWriter(&zb)
	zw.Write([]byte(big))
	zw.Close()
	req, _ := http.NewRequest(http.MethodPost, url+"/", &zb)
	req.Header.Set("X-Amz-Target", "GraniteServiceVersion20100801.ListMetrics")
	req.Header.Set("Content-Encoding", "gzip")
	if status, _, _ := do(t, req, false); status != 413 {
		t.Fatalf("gzip oversized: %d", status)
	}
	req, _ = http.NewRequest(http.MethodPost, url+"/", strings.NewReader(`{}`))
	req.Header.Set("X-Amz-Target", "Logs_20140328.PutLogEvents")
	if status, _, body := do(t, req, false); status != 400 || !strings.Contains(body["message"].(string), "must be GraniteServiceVersion20100801.<Operation>") {
		t.Fatalf("wrong target: %d %v", status, body)
	}
	req, _ = http.NewRequest(http.MethodPost, url+cborPrefix+"DescribeAlarms", strings.NewReader("\xff\x00"))
	if status, _, body := do(t, req, true); status != 400 || body["__type"] != "SerializationException" {
		t.Fatalf("bad CBOR: %d %v", status, body)
	}
}

func TestEMFEndpoint(t *testing.T) {
	s := newTestService()
	_, url := serve(t, s)
	lines := `{"feature":"baseline","_aws":{"Timestamp":1795749000000,"CloudWatchMetrics":[{"Dimensions":[["feature"]],"Metrics":[{"Name":"RequestCount","Unit":"Count"}],"Namespace":"Arrakis/AgentGateway"}]},"RequestCount":1}

not json
{"_aws":{"Timestamp":1795749000000,"CloudWatchMetrics":[{"Namespace":"Arrakis/Economic","Dimensions":[[]],"Metrics":[{"Name":"lot_expiry_count"}]}]},"lot_expiry_count":3}
{"_aws":{"Timestamp":1795749000000,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[["feature"]],"Metrics":[{"Name":"M"}]}]},"M":1}
`
	resp, err := http.Post(url+"/emf", "application/x-ndjson", strings.NewReader(lines))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got emfResult
	json.NewDecoder(resp.Body).Decode(&got)
	if resp.StatusCode != 200 || got.Accepted != 2 || got.Rejected != 2 || len(got.Errors) != 2 ||
		!strings.HasPrefix(got.Errors[0], "line 3: emf: not a JSON object") || !strings.Contains(got.Errors[1], `line 5: emf: CloudWatchMetrics[0]: dimension "feature" has no root key`) {
		t.Fatalf("%d %+v", resp.StatusCode, got)
	}
	if len(s.store.series) != 2 {
		t.Fatalf("%d series", len(s.store.series))
	}
}

func TestIngestReaderAndBounds(t *testing.T) {
	s := New(Config{MaxSeries: 2, Now: func() time.Time { return t0 }})
	var b strings.Builder
	for i := range 5 {
		b.WriteString(`{"_aws":{"Timestamp":` + jsonNum(float64(minute(5-i).UnixMilli())) + `,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[[]],"Metrics":[{"Name":"M"}]}]},"M":` + jsonNum(float64(i)) + "}\n")
	}
	acc, rej, err := s.IngestReader(strings.NewReader(b.String() + "garbage\n"))
	if err != nil || acc != 5 || rej != 1 {
		t.Fatalf("%d %d %v", acc, rej, err)
	}
	sum, _ := ParseStatistic("Sum")
	got := statOf(s, newMetricID("N", "M", nil), minute(10), t0, 60, sum)
	if len(got) != 5 || got[0].v != 0 || got[4].v != 4 { // every minute is kept
		t.Fatalf("minutes %+v", got)
	}
	if err := s.PutMetricData(PutMetricDataInput{Namespace: "N", MetricData: []MetricDatum{{MetricName: "K", Value: f(1)}}}); err != nil {
		t.Fatal(err)
	}
	err = s.PutMetricData(PutMetricDataInput{Namespace: "N", MetricData: []MetricDatum{{MetricName: "third", Value: f(1)}}})
	if err == nil || !strings.Contains(err.Error(), "series limit reached (2 series no alarm reads") {
		t.Fatalf("series bound: %v", err)
	}
}

package emf

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// libraryLine is the exact emitRequestComplete example of gateway-domain.md 1.3.
const libraryLine = `{"feature":"baseline","communityId":"6f1c…","poolId":"cheap","isStream":false,"statusCode":502,"_aws":{"Timestamp":1760000000000,"LogGroupName":"<see note>","CloudWatchMetrics":[{"Dimensions":[["feature"]],"Metrics":[{"Name":"RequestLatency","Unit":"Milliseconds"},{"Name":"RequestCount","Unit":"Count"},{"Name":"Error5xxCount","Unit":"Count"}],"Namespace":"Arrakis/AgentGateway"}]},"RequestLatency":1834,"RequestCount":1,"Error5xxCount":1}`

// defaultDimsLine is FinalizeFailure with the library's default dimension set.
const defaultDimsLine = `{"LogGroup":"arrakis-production-api","ServiceName":"arrakis-production-api","ServiceType":"AWS::ECS::Container","communityId":"c1","reason":"redis_timeout","_aws":{"Timestamp":1760000060000,"CloudWatchMetrics":[{"Dimensions":[["LogGroup","ServiceName","ServiceType"]],"Metrics":[{"Name":"FinalizeFailure","Unit":"Count"}],"Namespace":"Arrakis/AgentGateway"}]},"FinalizeFailure":1}`

// economicLine is the hand-written Arrakis/Economic shape: _aws first, dims after.
const economicLine = `{"_aws":{"Timestamp":1760000120000,"CloudWatchMetrics":[{"Namespace":"Arrakis/Economic","Dimensions":[["community_id","operation"]],"Metrics":[{"Name":"reserve_latency_ms","Unit":"Milliseconds"}]}]},"community_id":"c42","operation":"reserve","reserve_latency_ms":12.5}`

// economicNoDims uses the empty dimension set [[]].
const economicNoDims = `{"_aws":{"Timestamp":1760000180000,"CloudWatchMetrics":[{"Namespace":"Arrakis/Economic","Dimensions":[[]],"Metrics":[{"Name":"lot_expiry_count","Unit":"Count"}]}]},"lot_expiry_count":7}`

func TestParseLibraryShape(t *testing.T) {
	got, err := Parse([]byte(libraryLine))
	if err != nil {
		t.Fatal(err)
	}
	ts := time.UnixMilli(1760000000000).UTC()
	dims := []Dimension{{"feature", "baseline"}}
	want := []Datum{
		{"Arrakis/AgentGateway", "RequestLatency", dims, "Milliseconds", ts, []float64{1834}, 60},
		{"Arrakis/AgentGateway", "RequestCount", dims, "Count", ts, []float64{1}, 60},
		{"Arrakis/AgentGateway", "Error5xxCount", dims, "Count", ts, []float64{1}, 60},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
}

func TestParseDefaultDimensionSet(t *testing.T) {
	got, err := Parse([]byte(defaultDimsLine))
	if err != nil {
		t.Fatal(err)
	}
	want := []Dimension{{"LogGroup", "arrakis-production-api"}, {"ServiceName", "arrakis-production-api"}, {"ServiceType", "AWS::ECS::Container"}}
	if len(got) != 1 || !reflect.DeepEqual(got[0].Dimensions, want) || got[0].MetricName != "FinalizeFailure" {
		t.Fatalf("got %+v", got)
	}
}

func TestParseEconomicShapes(t *testing.T) {
	got, err := Parse([]byte(economicLine))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Namespace != "Arrakis/Economic" || got[0].Values[0] != 12.5 ||
		!reflect.DeepEqual(got[0].Dimensions, []Dimension{{"community_id", "c42"}, {"operation", "reserve"}}) {
		t.Fatalf("got %+v", got)
	}
	got, err = Parse([]byte(economicNoDims))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || len(got[0].Dimensions) != 0 || got[0].Values[0] != 7 || got[0].Unit != "Count" {
		t.Fatalf("empty dimension set: got %+v", got)
	}
}

func TestParseArraysSetsAndResolution(t *testing.T) {
	line := `{"a":"x","b":"y","_aws":{"Timestamp":1000,"CloudWatchMetrics":[` +
		`{"Namespace":"N","Dimensions":[["a"],["a","b"],[]],"Metrics":[{"Name":"M","StorageResolution":1},{"Name":"K","Unit":"Percent"}]}]},` +
		`"M":[1,2,3],"K":4}`
	got, err := Parse([]byte(line))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 6 {
		t.Fatalf("want 2 metrics x 3 sets = 6 data, got %d", len(got))
	}
	if !reflect.DeepEqual(got[0].Values, []float64{1, 2, 3}) || got[0].StorageResolution != 1 || got[0].Unit != "None" {
		t.Fatalf("first datum %+v", got[0])
	}
	if len(got[1].Dimensions) != 2 || len(got[2].Dimensions) != 0 || got[3].MetricName != "K" || got[3].StorageResolution != 60 {
		t.Fatalf("sets/order wrong: %+v", got)
	}
}

func TestParseRejects(t *testing.T) {
	many := make([]string, 101)
	for i := range many {
		many[i] = "1"
	}
	dims31 := make([]string, 31)
	roots31 := ""
	for i := range dims31 {
		dims31[i] = fmt.Sprintf(`"d%d"`, i)
		roots31 += fmt.Sprintf(`"d%d":"v",`, i)
	}
	meta := func(dims, metrics string) string {
		return `"_aws":{"Timestamp":1000,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":` + dims + `,"Metrics":` + metrics + `}]}`
	}
	cases := map[string]struct{ line, reason string }{
		"not json":            {`hello`, "not a JSON object"},
		"array":               {`[1]`, "not a JSON object"},
		"empty":               {`  `, "empty line"},
		"no _aws":             {`{"M":1}`, "missing _aws"},
		"_aws not object":     {`{"_aws":3}`, "_aws is not an object"},
		"timestamp missing":   {`{"_aws":{"CloudWatchMetrics":[]}}`, "missing _aws.Timestamp"},
		"timestamp string":    {`{"_aws":{"Timestamp":"now","CloudWatchMetrics":[]}}`, "Timestamp must be a number"},
		"timestamp null":      {`{"_aws":{"Timestamp":null,"CloudWatchMetrics":[]}}`, "Timestamp must be a number"},
		"timestamp negative":  {`{"_aws":{"Timestamp":-5,"CloudWatchMetrics":[]}}`, "out of range"},
		"no directives":       {`{"_aws":{"Timestamp":1}}`, "missing _aws.CloudWatchMetrics"},
		"directives not list": {`{"_aws":{"Timestamp":1,"CloudWatchMetrics":{}}}`, "must be an array"},
		"directives empty":    {`{"_aws":{"Timestamp":1,"CloudWatchMetrics":[]}}`, "is empty"},
		"no namespace":        {`{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Dimensions":[[]],"Metrics":[{"Name":"M"}]}]},"M":1}`, "missing Namespace"},
		"no dimensions":       {`{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"N","Metrics":[{"Name":"M"}]}]},"M":1}`, "missing Dimensions"},
		"no metrics":          {`{` + meta(`[[]]`, `[]`) + `}`, "Metrics is empty"},
		"metric root missing": {`{` + meta(`[[]]`, `[{"Name":"M"}]`) + `}`, `metric "M" has no root value`},
		"metric no name":      {`{` + meta(`[[]]`, `[{"Unit":"Count"}]`) + `,"M":1}`, "no Name"},
		"dimension missing":   {`{` + meta(`[["feature"]]`, `[{"Name":"M"}]`) + `,"M":1}`, `dimension "feature" has no root key`},
		"dimension number":    {`{"feature":3,` + meta(`[["feature"]]`, `[{"Name":"M"}]`) + `,"M":1}`, "must have a string value"},
		"dimension empty":     {`{"feature":"",` + meta(`[["feature"]]`, `[{"Name":"M"}]`) + `,"M":1}`, "empty value"},
		"dimension twice":     {`{"f":"a",` + meta(`[["f","f"]]`, `[{"Name":"M"}]`) + `,"M":1}`, "twice"},
		"31 dimensions":       {`{` + roots31 + meta(`[[`+strings.Join(dims31, ",")+`]]`, `[{"Name":"M"}]`) + `,"M":1}`, "at most 30"},
		"value string":        {`{` + meta(`[[]]`, `[{"Name":"M"}]`) + `,"M":"fast"}`, "must be a number or an array"},
		"value null":          {`{` + meta(`[[]]`, `[{"Name":"M"}]`) + `,"M":null}`, "value is null"},
		"value mixed array":   {`{` + meta(`[[]]`, `[{"Name":"M"}]`) + `,"M":[1,"x"]}`, "must be a number or an array"},
		"value empty array":   {`{` + meta(`[[]]`, `[{"Name":"M"}]`) + `,"M":[]}`, "array is empty"},
		"101 values":          {`{` + meta(`[[]]`, `[{"Name":"M"}]`) + `,"M":[` + strings.Join(many, ",") + `]}`, "at most 100"},
		"huge value":          {`{` + meta(`[[]]`, `[{"Name":"M"}]`) + `,"M":1e300}`, "outside CloudWatch's range"},
		"huge in array":       {`{` + meta(`[[]]`, `[{"Name":"M"}]`) + `,"M":[1,-1e200]}`, "outside CloudWatch's range"},
		"bad unit":            {`{` + meta(`[[]]`, `[{"Name":"M","Unit":"Furlongs"}]`) + `,"M":1}`, `unknown Unit "Furlongs" (accepted: Seconds`},
		"bad resolution":      {`{` + meta(`[[]]`, `[{"Name":"M","StorageResolution":5}]`) + `,"M":1}`, "StorageResolution must be 1 or 60"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := Parse([]byte(c.line))
			if err == nil {
				t.Fatalf("accepted: %+v", got)
			}
			if got != nil {
				t.Fatalf("returned data with an error: %+v", got)
			}
			if !strings.Contains(err.Error(), c.reason) {
				t.Fatalf("error %q does not say %q", err, c.reason)
			}
		})
	}
}

func TestSeedCorpusHoldsTheReferenceLines(t *testing.T) {
	// The fuzz seeds must include the exact 1.3 lines; guard against them drifting.
	want := map[string]string{"library_request_complete": libraryLine, "default_dimension_set": defaultDimsLine,
		"economic_dims": economicLine, "economic_empty_set": economicNoDims}
	for name, line := range want {
		b, err := os.ReadFile(filepath.Join("testdata", "fuzz", "FuzzParse", name))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), fmt.Sprintf("%q", line)) {
			t.Errorf("seed %s does not hold the reference line", name)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(libraryLine))
	f.Fuzz(func(t *testing.T, line []byte) {
		data, err := Parse(line)
		if err != nil {
			if data != nil {
				t.Fatalf("data with error")
			}
			return
		}
		for _, d := range data {
			if d.Namespace == "" || d.MetricName == "" || len(d.Values) == 0 || len(d.Dimensions) > MaxDimensionsPerSet {
				t.Fatalf("accepted an invalid datum %+v", d)
			}
		}
	})
}

// BenchmarkParse is one gateway line through a reused Parser; compare it
// with BenchmarkDecodeMapBaseline in the same run.
func BenchmarkParse(b *testing.B) {
	line := []byte(libraryLine)
	var p Parser
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Parse(line); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeMapBaseline is the floor of issue 11 item 9: decoding the
// same line with encoding/json into a map, and nothing else.
func BenchmarkDecodeMapBaseline(b *testing.B) {
	line := []byte(libraryLine)
	b.ReportAllocs()
	for b.Loop() {
		var doc map[string]any
		if err := json.Unmarshal(line, &doc); err != nil {
			b.Fatal(err)
		}
	}
}

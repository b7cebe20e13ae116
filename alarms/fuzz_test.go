package alarms

import (
	"encoding/json"
	"reflect"
	"testing"
)

// FuzzParseCatalog: any input either fails with an error or yields a catalog
// that validates and survives ForEnv; it never panics.
func FuzzParseCatalog(f *testing.F) {
	// Small seeds: the embedded catalogs are tens of kilobytes, which makes
	// the fuzzer spend its time minimizing instead of exploring.
	f.Add([]byte(goodAlarm))
	f.Fuzz(func(t *testing.T, raw []byte) {
		c, err := ParseCatalog(raw)
		if err != nil {
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("ParseCatalog accepted a catalog that does not validate: %v", err)
		}
		if got := c.ForEnv("production"); len(got.Alarms) != len(c.Alarms) || len(got.Panels) != len(c.Panels) {
			t.Fatal("ForEnv changed the number of alarms or panels")
		}
	})
}

// FuzzStateReasonData: CloudWatch's free-form JSON never panics the parser and
// never yields more datapoints than it carries.
func FuzzStateReasonData(f *testing.F) {
	f.Add(`{"version":"1.0","statistic":"Maximum","period":60,"recentDatapoints":[1.0,2.0],"threshold":0.5,"evaluatedDatapoints":[{"timestamp":"2026-11-27T03:09:00.000+0000","sampleCount":1.0,"value":2.0}]}`)
	f.Add(`{"recentDatapoints":[]}`)
	f.Add(``)
	f.Fuzz(func(t *testing.T, raw string) {
		_, recent, err := parseStateReasonData(raw)
		if err != nil && recent != nil {
			t.Fatal("an error must come without datapoints")
		}
		if len(recent) > len(raw) {
			t.Fatalf("%d datapoints from %d bytes", len(recent), len(raw))
		}
	})
}

// FuzzStateReasonDataReadsAsEncodingJSONDid: the v2 decoder with v1's
// leniencies (decisions.md 170) reads every input encoding/json accepted
// into the same struct.
func FuzzStateReasonDataReadsAsEncodingJSONDid(f *testing.F) {
	f.Add(`{"version":"1.0","statistic":"Maximum","period":60,"recentDatapoints":[1.0,2.0],"threshold":0.5,"evaluatedDatapoints":[{"timestamp":"2026-11-27T03:09:00.000+0000","sampleCount":1.0,"value":2.0}]}`)
	f.Add(`{"Threshold":3,"RECENTDATAPOINTS":[1],"threshold":4,"evaluatedDatapoints":[{"value":null},{"value":1e3}]}`)
	f.Add(`{"recentDatapoints":null,"x":"\xff"}`)
	f.Fuzz(func(t *testing.T, raw string) {
		var want stateReasonData
		if json.Unmarshal([]byte(raw), &want) != nil {
			return
		}
		var got stateReasonData
		if err := decodeStateReasonData([]byte(raw), &got); err != nil {
			t.Fatalf("encoding/json read %q, the v2 decoder failed: %v", raw, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: v2 read %+v, encoding/json %+v", raw, got, want)
		}
	})
}

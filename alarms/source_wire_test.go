package alarms

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/smithy-go/encoding/cbor"
)

// Composite alarms: cwlocal evaluates metric alarms only, so the composite
// shape and the request's AlarmTypes are checked at the wire. The sweep is
// one listing per state (this server answers every state alike, so each
// alarm comes back three times and is merged once).
func TestAlarmsReadsMetricAndCompositeAlarmsOverEveryPage(t *testing.T) {
	since := time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)
	w := newWireServer(t, func(op string, req cbor.Map) (int, []byte) {
		if op != "DescribeAlarms" {
			return http.StatusBadRequest, nil
		}
		if cborStr(req, "NextToken") == "" {
			return cborOK(cbor.Map{"NextToken": cbor.String("p2"), "MetricAlarms": cbor.List{cbor.Map{
				"AlarmName": cbor.String("arrakis-x-agent-a"), "StateValue": cbor.String("ALARM"),
				"StateTransitionedTimestamp": cborTime(since), "Threshold": cbor.Float64(5),
				"ComparisonOperator": cbor.String("GreaterThanThreshold"), "EvaluationState": cbor.String("PARTIAL_DATA"),
				"ExtendedStatistic": cbor.String("p99"), "Period": cbor.Uint(60), "EvaluationPeriods": cbor.Uint(5),
				"StateReasonData": cbor.String(`{"recentDatapoints":[7.5]}`),
			}}})
		}
		return cborOK(cbor.Map{"CompositeAlarms": cbor.List{cbor.Map{
			"AlarmName": cbor.String("arrakis-x-agent-composite"), "StateValue": cbor.String("INSUFFICIENT_DATA"),
			"AlarmRule": cbor.String(`ALARM("arrakis-x-agent-a")`), "ActionsSuppressedBy": cbor.String("WaitPeriod"),
		}}})
	})
	src := NewSource(w.client(t), "arrakis-x-")
	list, err := src.Alarms(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	reqs := w.requests("DescribeAlarms")
	states, follow := map[string]int{}, 0
	for _, r := range reqs {
		states[cborStr(r, "StateValue")]++
		if cborStr(r, "NextToken") == "p2" {
			follow++
		}
	}
	if len(reqs) != 6 || follow != 3 || states["ALARM"] != 2 || states["OK"] != 2 || states["INSUFFICIENT_DATA"] != 2 {
		t.Fatalf("pages requested = %d, by state %v, NextToken followed %d times", len(reqs), states, follow)
	}
	first := reqs[0]
	if cborStr(first, "AlarmNamePrefix") != "arrakis-x-" || first["MaxRecords"] != cbor.Uint(100) {
		t.Fatalf("request = %#v", first)
	}
	if types, _ := first["AlarmTypes"].(cbor.List); len(types) != 2 {
		t.Fatalf("AlarmTypes = %#v, want metric and composite", first["AlarmTypes"])
	}
	if len(list) != 2 {
		t.Fatalf("alarms = %+v", list)
	}
	a, c := list[0], list[1]
	if a.State != StateAlarm || !a.Since.Equal(since) || a.Statistic != "p99" || a.EvaluationState != "PARTIAL_DATA" || a.ValueVsThreshold() != "7.5 > 5" {
		t.Fatalf("metric alarm = %+v (%s)", a, a.ValueVsThreshold())
	}
	if !c.Composite || c.State.IsOK() || !c.ActionsSuppressed || !strings.Contains(c.Rule, "ALARM(") {
		t.Fatalf("composite alarm = %+v", c)
	}
	if u := src.Usage(); u.Calls["DescribeAlarms"] != 6 {
		t.Fatalf("usage = %+v", u)
	}
}

// A malformed body cannot be produced by cwlocal; the refresh must fail
// cleanly, name the operation, and keep nothing half-parsed.
func TestMalformedResponseBodyFailsTheRefresh(t *testing.T) {
	w := newWireServer(t, func(op string, req cbor.Map) (int, []byte) {
		return http.StatusOK, []byte{0xbf, 0x61} // an indefinite map cut off mid-key
	})
	p := NewPoller(NewSource(w.client(t), ""), DefaultCatalog(), PollerOptions{})
	snap := p.Refresh(context.Background())
	h := snap.Health[BackendCloudWatch]
	if !h.Stale || !strings.Contains(h.LastError, "DescribeAlarms") || len(snap.Alarms) != 0 || p.Failures() != 1 {
		t.Fatalf("health = %+v, alarms = %d", h, len(snap.Alarms))
	}
}

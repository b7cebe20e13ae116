package alarms

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/smithy-go/encoding/cbor"
)

// cwlocal serves no mute-rule operations, so these run against the wire server
// and check what the real SDK client sends and how it reads the answer.
func muteServer(t *testing.T) *wireServer {
	return newWireServer(t, func(op string, req cbor.Map) (int, []byte) {
		switch op {
		case "PutAlarmMuteRule", "DeleteAlarmMuteRule":
			return cborOK(cbor.Map{})
		case "ListAlarmMuteRules":
			return cborOK(cbor.Map{"AlarmMuteRuleSummaries": cbor.List{cbor.Map{
				"AlarmMuteRuleArn": cbor.String("arn:aws:cloudwatch:us-east-1:123456789012:alarm-mute-rule:gatewayops-mute-a1"),
				"Status":           cbor.String("ACTIVE"),
				"MuteType":         cbor.String("ONE_TIME"),
				"ExpireDate":       cborTime(time.Date(2026, 11, 27, 5, 0, 0, 0, time.UTC)),
			}}})
		}
		return http.StatusBadRequest, cbor.Encode(cbor.Map{"__type": cbor.String("UnknownOperationException")})
	})
}

func TestMuteSendsAOneTimeRuleForTheAlarm(t *testing.T) {
	w := muteServer(t)
	src := NewSource(w.client(t), "")
	if err := src.Mute(context.Background(), "a1", 90*time.Minute, "deploying a fix"); err != nil {
		t.Fatal(err)
	}
	reqs := w.requests("PutAlarmMuteRule")
	if len(reqs) != 1 {
		t.Fatalf("PutAlarmMuteRule calls = %d", len(reqs))
	}
	req := reqs[0]
	if cborStr(req, "Name") != "gatewayops-mute-a1" || cborStr(req, "Description") != "deploying a fix" {
		t.Fatalf("request = %#v", req)
	}
	sched := req["Rule"].(cbor.Map)["Schedule"].(cbor.Map)
	if cborStr(sched, "Duration") != "PT90M" || !strings.HasPrefix(cborStr(sched, "Expression"), "at(") {
		t.Fatalf("schedule = %#v", sched)
	}
	targets := req["MuteTargets"].(cbor.Map)["AlarmNames"].(cbor.List)
	if len(targets) != 1 || targets[0] != cbor.String("a1") {
		t.Fatalf("targets = %#v", targets)
	}
	if u := src.Usage(); u.Calls["PutAlarmMuteRule"] != 1 {
		t.Fatalf("usage = %+v", u)
	}
}

func TestMuteRejectsBadInputWithoutCalling(t *testing.T) {
	w := muteServer(t)
	src := NewSource(w.client(t), "")
	cases := []struct {
		alarm  string
		d      time.Duration
		reason string
		want   string
	}{
		{"a1", 30 * time.Second, "r", "must be whole minutes between 1m and 360h"},
		{"a1", 16 * 24 * time.Hour, "r", "must be whole minutes between 1m and 360h"},
		{"a1", 90 * time.Second, "r", "must be whole minutes"},
		{"a1", time.Hour, "  ", "a reason is required"},
		{"", time.Hour, "r", "alarm name is empty"},
	}
	for _, c := range cases {
		err := src.Mute(context.Background(), c.alarm, c.d, c.reason)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Mute(%q, %s, %q) = %v, want %q", c.alarm, c.d, c.reason, err, c.want)
		}
	}
	if n := len(w.requests("PutAlarmMuteRule")); n != 0 {
		t.Fatalf("bad input reached the wire %d times", n)
	}
}

func TestUnmuteAndListMutes(t *testing.T) {
	w := muteServer(t)
	src := NewSource(w.client(t), "")
	if err := src.Unmute(context.Background(), "a1"); err != nil {
		t.Fatal(err)
	}
	if got := cborStr(w.requests("DeleteAlarmMuteRule")[0], "AlarmMuteRuleName"); got != "gatewayops-mute-a1" {
		t.Fatalf("deleted %q", got)
	}
	rules, err := src.ListMutes(context.Background(), "a1")
	if err != nil {
		t.Fatal(err)
	}
	if len(rules) != 1 || rules[0].Name != "gatewayops-mute-a1" || rules[0].Status != "ACTIVE" || rules[0].ExpiresAt.Hour() != 5 {
		t.Fatalf("rules = %+v", rules)
	}
	if got := cborStr(w.requests("ListAlarmMuteRules")[0], "AlarmName"); got != "a1" {
		t.Fatalf("ListAlarmMuteRules filtered by %q", got)
	}
}

package alarms

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/aws/smithy-go/encoding/cbor"
)

// TestMuteRulesAreReadBesideTheAlarms: a refresh asks for the mute rules
// while its alarm listing is out, not after it: the first frame waits for
// one round trip, not two. The listing here is answered only once the mute
// rules have been asked for.
func TestMuteRulesAreReadBesideTheAlarms(t *testing.T) {
	mutesAsked := make(chan struct{})
	var once sync.Once
	w := newWireServer(t, func(op string, req cbor.Map) (int, []byte) {
		switch op {
		case "ListAlarmMuteRules":
			once.Do(func() { close(mutesAsked) })
			return cborOK(cbor.Map{"AlarmMuteRuleSummaries": cbor.List{}})
		case "DescribeAlarms":
			select {
			case <-mutesAsked:
			case <-time.After(10 * time.Second): // a bound on the old order's wait, not a timing assertion
				t.Error("the alarm listing had to be answered before the mute rules were asked for")
			}
			return cborOK(cbor.Map{"MetricAlarms": cbor.List{cbor.Map{
				"AlarmName": cbor.String("arrakis-x-agent-error-rate-high"), "StateValue": cbor.String("OK"),
			}}})
		}
		return http.StatusBadRequest, nil
	})
	cat := DefaultCatalog().ForEnv("x")
	p := NewPoller(NewSource(w.client(t), "arrakis-x-"), cat, PollerOptions{FastStart: true})
	snap := p.Refresh(context.Background())
	if h := snap.Health[BackendCloudWatch]; h.Stale || snap.MutesUnknown != "" || len(snap.Alarms) == 0 {
		t.Fatalf("refresh: health %+v, mutes unknown %q, %d alarms", h, snap.MutesUnknown, len(snap.Alarms))
	}
	if n := len(w.requests("ListAlarmMuteRules")); n != 1 {
		t.Fatalf("ListAlarmMuteRules asked %d times, want 1", n)
	}
}

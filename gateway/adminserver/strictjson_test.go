package adminserver_test

import (
	"net/http"
	"strings"
	"testing"

	"gatewayops/gateway"
)

// TestEveryWriteRouteRefusesDuplicateAndCaseVariantKeys: on every route that
// takes a body, a duplicate member or a case variant of a member (which
// encoding/json would have matched case-insensitively, last one winning) is
// 400 INVALID_REQUEST and changes nothing. The breaker reset takes no body at
// all, so any object with members is refused there.
func TestEveryWriteRouteRefusesDuplicateAndCaseVariantKeys(t *testing.T) {
	f := newFixture(t, nil)
	routes := []struct{ method, path, dup, variant string }{
		{"POST", "/reservations/drain", `{"dryRun":true,"dryRun":false}`, `{"dryRun":true,"community":"c7","DryRun":false}`},
		{"PUT", "/flags/agent_enabled", `{"enabled":false,"enabled":true}`, `{"enabled":false,"Enabled":true}`},
		{"PUT", "/enforcement/pool-claims", `{"mode":"reject","mode":"warn"}`, `{"mode":"reject","MODE":"warn"}`},
		{"POST", "/breakers/kms/reset", `{"a":1,"a":2}`, `{"A":1,"a":2}`},
	}
	for _, rt := range routes {
		for kind, body := range map[string]string{"duplicate": rt.dup, "case variant": rt.variant} {
			t.Run(rt.path+" "+kind, func(t *testing.T) {
				before := f.snapshot()
				r := f.do(call{method: rt.method, path: rt.path, body: body, headers: writeHeaders("strict-" + strings.ReplaceAll(kind, " ", "") + rt.path)})
				if r.status != http.StatusBadRequest || r.errorBody(t).Error != gateway.CodeInvalidRequest {
					t.Fatalf("%s: %d %s", body, r.status, r.body)
				}
				msg := r.errorBody(t).Message
				if rt.path != "/breakers/kms/reset" && !strings.Contains(msg, "duplicate field") && !strings.Contains(msg, "unknown field") {
					t.Errorf("message %q names neither a duplicate nor an unknown field", msg)
				}
				f.assertUnchanged(before, body)
			})
		}
	}
}

// TestEveryReadRouteRefusesRepeatedQueryParameters: the same rule for
// query strings.
func TestEveryReadRouteRefusesRepeatedQueryParameters(t *testing.T) {
	f := newFixture(t, nil)
	for _, path := range []string{
		"/status?x=1&x=2", "/breakers?a=1&a=2", "/reservations/summary?community=c1&community=c2",
		"/reservations?community=c1&Community=c2", "/budget?month=2026-03&month=2026-04", "/flags?a=&a=",
		"/enforcement/pool-claims?a=1&A=2", "/audit?cursor=5&cursor=6",
	} {
		r := f.do(call{method: "GET", path: path})
		if r.status != http.StatusBadRequest || r.errorBody(t).Error != gateway.CodeInvalidRequest ||
			!strings.Contains(r.errorBody(t).Message, "query parameter") {
			t.Errorf("GET %s: %d %s", path, r.status, r.body)
		}
	}
}

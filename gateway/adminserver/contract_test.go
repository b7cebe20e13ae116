package adminserver_test

import (
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"gatewayops/gateway"
)

// openAPIDoc is the part of openapi.yaml the contract tests read.
type openAPIDoc struct {
	OpenAPI string                               `yaml:"openapi"`
	Paths   map[string]map[string]map[string]any `yaml:"paths"`
	Comps   struct {
		Schemas map[string]struct {
			Properties map[string]any `yaml:"properties"`
		} `yaml:"schemas"`
	} `yaml:"components"`
}

func loadOpenAPI(t *testing.T) openAPIDoc {
	t.Helper()
	raw, err := os.ReadFile("../openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc openAPIDoc
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("openapi.yaml does not parse: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.1") {
		t.Fatalf("openapi: %q, want 3.1.x", doc.OpenAPI)
	}
	return doc
}

func isHTTPMethod(s string) bool {
	switch s {
	case "get", "put", "post", "delete", "patch", "head", "options":
		return true
	}
	return false
}

func TestEveryServedRouteIsInOpenAPIAndViceVersa(t *testing.T) {
	doc := loadOpenAPI(t)
	var documented []string
	for path, item := range doc.Paths {
		for method := range item {
			if isHTTPMethod(method) {
				documented = append(documented, strings.ToUpper(method)+" "+path)
			}
		}
	}
	f := newFixture(t, nil)
	var served []string
	for _, r := range f.srv.Routes() {
		served = append(served, r.Method+" "+r.Path)
	}
	sort.Strings(documented)
	sort.Strings(served)
	if strings.Join(documented, "\n") != strings.Join(served, "\n") {
		t.Errorf("routes differ\nopenapi.yaml:\n  %s\nserver:\n  %s", strings.Join(documented, "\n  "), strings.Join(served, "\n  "))
	}
	if len(served) != 14 {
		t.Errorf("server serves %d operations, want the 12 of Admin API v1 and /healthz, /readyz", len(served))
	}
	// And the documented routes really answer (not the catch-all 404).
	for _, r := range f.srv.Routes() {
		path := strings.NewReplacer("{component}", "kms", "{name}", "agent_enabled").Replace(r.Path)
		if path == gateway.HealthzPath || path == gateway.ReadyzPath {
			continue // no key needed: TestHealthEndpoints
		}
		rep := f.do(call{method: r.Method, path: strings.TrimPrefix(path, gateway.APIPrefix), noKey: true})
		if rep.status != 401 {
			t.Errorf("%s %s without key: %d, want 401 from the route's pipeline", r.Method, path, rep.status)
		}
	}
}

// TestOpenAPISchemasMatchTypes compares each schema's properties with the
// JSON field names of the Go type of the same name in gateway/types.go.
func TestOpenAPISchemasMatchTypes(t *testing.T) {
	doc := loadOpenAPI(t)
	types := []any{
		gateway.ErrorBody{}, gateway.Status{}, gateway.RedisHealth{}, gateway.Breaker{}, gateway.BreakerList{},
		gateway.BreakerReset{}, gateway.ReservationTotals{}, gateway.CommunityReservations{}, gateway.ReservationSummary{},
		gateway.Reservation{}, gateway.ReservationPage{}, gateway.DrainRequest{}, gateway.CommunityDrain{},
		gateway.DrainResult{}, gateway.BudgetCounters{}, gateway.BudgetList{}, gateway.Flags{}, gateway.FlagChange{},
		gateway.FlagSetRequest{}, gateway.Enforcement{}, gateway.EnforcementSetRequest{}, gateway.EnforcementChange{},
		gateway.AuditRecord{}, gateway.AuditList{}, gateway.Health{},
	}
	for _, v := range types {
		typ := reflect.TypeOf(v)
		schema, ok := doc.Comps.Schemas[typ.Name()]
		if !ok {
			t.Errorf("openapi.yaml has no schema %s", typ.Name())
			continue
		}
		var want, got []string
		for i := range typ.NumField() {
			name, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
			if name != "" && name != "-" {
				want = append(want, name)
			}
		}
		for p := range schema.Properties {
			got = append(got, p)
		}
		sort.Strings(want)
		sort.Strings(got)
		if strings.Join(want, ",") != strings.Join(got, ",") {
			t.Errorf("schema %s properties %v, Go type fields %v", typ.Name(), got, want)
		}
	}
}

package ops

import (
	"strings"
	"testing"
)

func TestFlagsBackendKeys(t *testing.T) {
	base := "[environments.staging]\nregion = \"us-east-1\"\nadmin_url = \"https://admin.example\"\nsafety = \"standard\"\n"
	cfg, err := ParseConfig([]byte(base))
	if err != nil {
		t.Fatal(err)
	}
	if e := cfg.Environments["staging"]; e.FlagsBackend != BackendRuntime {
		t.Fatalf("default backend %q", e.FlagsBackend)
	}
	cfg, err = ParseConfig([]byte(base + "flags_backend = \"ecs\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if tg := cfg.Environments["staging"].ECSTarget(); tg.Cluster != "arrakis-staging-cluster" || tg.Service != "arrakis-staging-api" || tg.Container != "api" {
		t.Fatalf("defaults %+v", tg)
	}
	cfg, err = ParseConfig([]byte(base + "flags_backend = \"ecs\"\ncluster = \"c\"\nservice = \"s\"\ncontainer = \"k\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if tg := cfg.Environments["staging"].ECSTarget(); tg.Cluster != "c" || tg.Service != "s" || tg.Container != "k" {
		t.Fatalf("explicit %+v", tg)
	}
	for raw, want := range map[string]string{
		"flags_backend = \"ECS\"\n": `flags_backend "ECS": accepted values are runtime`,
		"cluster = \"c\"\n":         `cluster, service and container apply to flags_backend = "ecs" only`,
	} {
		if _, err := ParseConfig([]byte(base + raw)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v", raw, err)
		}
	}
}

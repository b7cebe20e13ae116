package ops

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"gatewayops/gateway"
)

// redis.diagnose against a Redis that does not answer fails (exit 1 in the
// CLI) and says why in one line, instead of a report of empty sections.
func TestRedisDiagnoseFailsWhenRedisIsDown(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{Network: "unix", Addr: filepath.Join(t.TempDir(), "none.sock")})
	t.Cleanup(func() { _ = rdb.Close() })
	policy, err := NewPolicy("staging", Standard, nil)
	if err != nil {
		t.Fatal(err)
	}
	journal, err := OpenJournal(filepath.Join(t.TempDir(), "j.jsonl"), NewRedactor())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = journal.Close() })
	r := &Runner{Registry: DefaultRegistry(), Policy: policy, Journal: journal, Operator: "t",
		Env: &Env{Name: "staging", Inspector: gateway.NewInspector(rdb)}}
	out, err := r.Run(context.Background(), "redis.diagnose", Confirmation{})
	if err != nil {
		t.Fatal(err)
	}
	if out.OK() || !out.Result.Failed {
		t.Fatalf("a dead Redis reads as OK: %+v", out.Result)
	}
	if text := out.Result.Text(); !strings.HasPrefix(text, "redis unreachable: ") || !strings.Contains(text, "no such file") {
		t.Errorf("result = %q", text)
	}
}

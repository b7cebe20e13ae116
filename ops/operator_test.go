package ops

import (
	"os/user"
	"testing"
)

// A shell without $USER (tmux, cron, systemd) still yields an operator: the
// admin API refuses writes without X-Operator.
func TestOperatorNameWithoutUSER(t *testing.T) {
	t.Setenv("USER", "")
	want := "unknown"
	if u, err := user.Current(); err == nil && u.Username != "" {
		want = u.Username
	}
	if got := (Config{}).OperatorName(); got != want {
		t.Errorf("OperatorName() = %q, want %q", got, want)
	}
	if got := (Config{Operator: "alice"}).OperatorName(); got != "alice" {
		t.Errorf("configured operator ignored: %q", got)
	}
	t.Setenv("USER", "bob")
	if got := (Config{}).OperatorName(); got != "bob" {
		t.Errorf("$USER ignored: %q", got)
	}
}

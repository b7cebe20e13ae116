package cli

import (
	"fmt"
	"os"
	"testing"
)

// TestMain keeps the developer's own config and state out of every test:
// XDG_CONFIG_HOME and XDG_STATE_HOME point at empty temporary directories
// unless a test sets its own.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "gatewayops-cli-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for k, sub := range map[string]string{"XDG_CONFIG_HOME": "config", "XDG_STATE_HOME": "state"} {
		if err := os.Setenv(k, dir+"/"+sub); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	_ = os.Unsetenv("GATEWAYOPS_ENV")
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

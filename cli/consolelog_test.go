package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"gatewayops/alarms"
	"gatewayops/alarms/cwlocal"
	"gatewayops/gateway/admintest"
)

// captureFD2 points the process's file descriptor 2 at a pipe until the
// returned function is called, which gives back what was written there:
// go-redis's default logger writes to fd 2 directly, whatever the command's
// stderr writer is.
func captureFD2(t *testing.T) func() string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	saved, err := unix.Dup(2)
	if err != nil {
		t.Fatal(err)
	}
	if err := unix.Dup2(int(w.Fd()), 2); err != nil {
		t.Fatal(err)
	}
	done := make(chan string)
	go func() {
		b, _ := io.ReadAll(r)
		done <- string(b)
	}()
	return func() string {
		_ = unix.Dup2(saved, 2)
		_ = unix.Close(saved)
		w.Close()
		return <-done
	}
}

// waitUntil polls cond (no timing assertion: the deadline only ends a hung test).
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	waitUntilOr(t, what, cond, func() string { return "" })
}

// waitUntilOr is waitUntil that, when the condition never holds, reports
// diag() and every goroutine's stack: a console that never draws is a hang
// to be found, not a slow machine to wait longer for.
func waitUntilOr(t *testing.T, what string, cond func() bool, diag func() string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			stacks := make([]byte, 1<<20)
			stacks = stacks[:runtime.Stack(stacks, true)]
			t.Fatalf("never: %s\n%s\ngoroutines:\n%s", what, diag(), stacks)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Issue 9 item 2: Redis dies under the full-screen console; go-redis's
// "failed to dial" lines go to the console log (file and view), never to
// the screen or stderr.
func TestRedisDyingUnderTheConsoleWritesNothingToTheTerminal(t *testing.T) {
	isolateAWSConfig(t)
	admin := admintest.Start(t, admintest.Options{Environment: "staging", KeyName: "cli", Key: cliAdminKey})
	cw, cwURL := cwlocal.StartForTest(t)
	if err := cw.ProvisionCatalog(alarms.DefaultCatalog().ForEnv("staging")); err != nil {
		t.Fatal(err)
	}
	xdg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", xdg)
	t.Setenv("XDG_STATE_HOME", filepath.Join(xdg, "state"))
	t.Setenv("GATEWAYOPS_TEST_ADMIN_KEY", cliAdminKey)
	t.Setenv("GATEWAYOPS_TEST_REDIS_URL", admin.Redis.URL())
	path := filepath.Join(xdg, "gatewayops", "config.toml")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	cfg := fmt.Sprintf("[environments.staging]\nregion = \"us-east-1\"\nalarm_prefix = \"arrakis-staging-agent-\"\ncloudwatch_endpoint = %q\n"+
		"admin_url = %q\nadmin_key_env = \"GATEWAYOPS_TEST_ADMIN_KEY\"\nredis_url_env = \"GATEWAYOPS_TEST_REDIS_URL\"\nsafety = \"standard\"\n", cwURL, admin.HTTP.URL)
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	logFile := filepath.Join(xdg, "state", "gatewayops", consoleLogName)

	fd2 := captureFD2(t)
	in, keys := io.Pipe()
	screen, stderr := &lockedBuffer{}, &lockedBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"--refresh", "1s"}, stdio{In: in, Out: screen, Err: stderr}) }()
	// The terminal reports its size in-band (mode 2048), as a real one does: 80x24.
	go func() { _, _ = keys.Write([]byte("\x1b[48;24;80;0;0t")) }()
	waitUntil(t, "the console drew its header", func() bool {
		select {
		case c := <-done:
			t.Fatalf("the console ended (exit %d): stderr %q screen %q", c, stderr.String(), screen.String())
		default:
		}
		return strings.Contains(screen.String(), "STAGING")
	})
	admin.Redis.Kill()
	waitUntil(t, "go-redis logged the failed dial into the console log", func() bool {
		b, _ := os.ReadFile(logFile)
		return strings.Contains(string(b), "failed to dial")
	})
	cancel()
	keys.Close()
	code := <-done
	raw := fd2()
	if code != 0 {
		t.Errorf("console exit %d, stderr %q", code, stderr.String())
	}
	for name, out := range map[string]string{"screen": screen.String(), "stderr": stderr.String(), "fd 2": raw} {
		for _, line := range []string{"failed to dial", "pool.go", "redis: "} {
			if strings.Contains(out, line) {
				t.Errorf("%s holds a raw log line (%q)", name, line)
			}
		}
	}
	b, _ := os.ReadFile(logFile)
	if !strings.Contains(string(b), " redis: ") || strings.ContainsRune(string(b), 0x1b) {
		t.Errorf("the console log lacks the redis source or holds an escape: %q", b)
	}
}

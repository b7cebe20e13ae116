package redisproc

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// TestHelperStartAndWait is not a test on its own: the parent test runs it
// in a child process that starts redis-server, prints its pid and waits.
func TestHelperStartAndWait(t *testing.T) {
	dir := os.Getenv("REDISPROC_HELPER_DIR")
	if dir == "" {
		return // only meaningful as the helper of TestRedisDiesWithParent
	}
	srv, err := Start(dir)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println(srv.cmd.Process.Pid)
	time.Sleep(time.Minute)
}

func TestRedisDiesWithParent(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperStartAndWait$")
	cmd.Env = append(os.Environ(), "REDISPROC_HELPER_DIR="+t.TempDir())
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("helper printed no pid: %v", err)
	}
	pid, err := strconv.Atoi(line[:len(line)-1])
	if err != nil {
		t.Fatalf("helper printed %q", line)
	}
	_ = cmd.Process.Kill() // SIGKILL: no cleanup code in the parent runs
	_ = cmd.Wait()
	deadline := time.Now().Add(5 * time.Second)
	for syscall.Kill(pid, 0) == nil {
		if time.Now().After(deadline) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("redis-server %d outlived its killed parent", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

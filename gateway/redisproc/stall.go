package redisproc

import (
	"context"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// StallHook is a go-redis hook for fault tests: when the client is about to
// send the Nth command that Match accepts (counted once per logical command:
// go-redis's own re-sends happen below hooks), it freezes redis-server with
// SIGSTOP for For and then lets it continue (SIGCONT). A real stall, not a
// fake: the kernel keeps accepting connections and buffering commands, and
// Redis runs them all once it resumes.
type StallHook struct {
	T     testing.TB
	Pid   int
	N     int32
	For   time.Duration
	Match func(redis.Cmder) bool
	seen  atomic.Int32
}

// Seen is how many matching commands passed the hook.
func (h *StallHook) Seen() int32 { return h.seen.Load() }

func (h *StallHook) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h *StallHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}

func (h *StallHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if h.Match(cmd) && h.seen.Add(1) == h.N {
			if err := syscall.Kill(h.Pid, syscall.SIGSTOP); err != nil {
				h.T.Errorf("SIGSTOP redis-server: %v", err)
			}
			time.AfterFunc(h.For, func() { _ = syscall.Kill(h.Pid, syscall.SIGCONT) })
		}
		return next(ctx, cmd)
	}
}

// PidForTest reads redis-server's pid from INFO and makes sure a failed test
// never leaves it stopped.
func PidForTest(t testing.TB, rdb redis.UniversalClient) int {
	t.Helper()
	info := rdb.Info(context.Background(), "server").Val()
	for _, line := range strings.Split(info, "\r\n") {
		if v, ok := strings.CutPrefix(line, "process_id:"); ok {
			pid, err := strconv.Atoi(v)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = syscall.Kill(pid, syscall.SIGCONT) })
			return pid
		}
	}
	t.Fatal("no process_id in INFO server")
	return 0
}

// ScriptCalls is how many EVALSHA and EVAL commands Redis has executed.
func ScriptCalls(t testing.TB, rdb redis.UniversalClient) int64 {
	t.Helper()
	var n int64
	for _, line := range strings.Split(rdb.Info(context.Background(), "commandstats").Val(), "\r\n") {
		for _, c := range []string{"cmdstat_evalsha:calls=", "cmdstat_eval:calls="} {
			if v, ok := strings.CutPrefix(line, c); ok {
				calls, _ := strconv.ParseInt(strings.SplitN(v, ",", 2)[0], 10, 64)
				n += calls
			}
		}
	}
	return n
}

// IsScript matches EVALSHA and EVAL.
func IsScript(cmd redis.Cmder) bool {
	name := cmd.Name()
	return name == "evalsha" || name == "eval"
}

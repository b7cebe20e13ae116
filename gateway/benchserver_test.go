package gateway_test

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// serverWatch measures work server-side, where a loaded machine's
// scheduling shows less: every command of slowLogFrom or longer goes to the
// slowlog (slowlog-log-slower-than, in microseconds), which gives the
// longest single top-level command (the stall every other client sees) and
// the sum of those. Redis 7 also logs the commands a script runs (client
// "?:0"); they are left out, as is PING (the probe's own traffic). The
// threshold keeps a drain of 10^6 members (millions of commands inside its
// scripts) from filling the log; every command it leaves out is shorter
// than it, so the longest is exact.
type serverWatch struct {
	rdb         *redis.Client
	pid         int
	preemptedAt int64
}

// slowlogLen and slowLogFrom: see serverWatch.
const (
	slowlogLen  = 1_000_000
	slowLogFrom = "100"
)

func watchServer(b *testing.B, rdb *redis.Client) *serverWatch {
	b.Helper()
	ctx := context.Background()
	for _, err := range []error{
		rdb.ConfigSet(ctx, "slowlog-log-slower-than", slowLogFrom).Err(),
		rdb.ConfigSet(ctx, "slowlog-max-len", strconv.Itoa(slowlogLen)).Err(),
		rdb.SlowLogReset(ctx).Err(),
	} {
		if err != nil {
			b.Fatal(err)
		}
	}
	w := &serverWatch{rdb: rdb, pid: serverPid(b, rdb)}
	w.preemptedAt = preemptions(w.pid)
	return w
}

// serverPid is redis-server's process id (INFO server).
func serverPid(b *testing.B, rdb *redis.Client) int {
	b.Helper()
	for _, line := range strings.Split(rdb.Info(context.Background(), "server").Val(), "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "process_id:"); ok {
			if pid, err := strconv.Atoi(v); err == nil {
				return pid
			}
		}
	}
	b.Fatal("INFO server has no process_id")
	return 0
}

// preemptions is how often the kernel took the CPU from redis-server's main
// thread (the one running commands) while it could run: its involuntary
// context switches. A command over the stall bound while this grew is the
// machine's doing more likely than the command's; -1 when unreadable.
func preemptions(pid int) int64 {
	raw, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if v, ok := strings.CutPrefix(line, "nonvoluntary_ctxt_switches:"); ok {
			n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			if err == nil {
				return n
			}
		}
	}
	return -1
}

// serverFigures is what one piece of work cost Redis.
type serverFigures struct {
	total    time.Duration // sum of the top-level commands of slowLogFrom or longer, PING excluded
	longest  time.Duration // longest single command, PING excluded
	commands int64
	longCmd  string
	over     int64 // top-level commands longer than stallBound
	// preempted counts redis-server's involuntary context switches during
	// the work (see preemptions); -1 when /proc could not be read.
	preempted int64
}

// stallBound is the bound on the longest single command; a command
// over it on this shared machine may be the server preempted mid-command,
// so the count says whether one outlier or the design is over.
const stallBound = 1500 * time.Microsecond

// finish reads the figures and turns the slowlog back to its default.
func (w *serverWatch) finish(b *testing.B) serverFigures {
	b.Helper()
	ctx := context.Background()
	var f serverFigures
	logs, err := w.rdb.SlowLogGet(ctx, -1).Result()
	if err != nil {
		b.Fatal(err)
	}
	for _, l := range logs { // top-level commands only: a script's calls are inside its entry
		name := strings.ToLower(firstArg(l.Args))
		if name == "ping" || name == "slowlog" || name == "config" || name == "info" || strings.HasPrefix(l.ClientAddr, "?") {
			continue // the probe, this watch, or a command inside a script (client "?:0")
		}
		f.total += l.Duration
		f.commands++
		if l.Duration > stallBound {
			f.over++
		}
		if l.Duration > f.longest {
			f.longest, f.longCmd = l.Duration, name
		}
	}
	if now := preemptions(w.pid); now >= 0 && w.preemptedAt >= 0 {
		f.preempted = now - w.preemptedAt
	} else {
		f.preempted = -1
	}
	if len(logs) >= slowlogLen {
		b.Fatalf("the slowlog filled up (%d entries): the server figures would miss commands", len(logs))
	}
	_ = w.rdb.ConfigSet(ctx, "slowlog-log-slower-than", "10000").Err()
	_ = w.rdb.ConfigSet(ctx, "slowlog-max-len", "128").Err()
	_ = w.rdb.SlowLogReset(ctx).Err()
	return f
}

func firstArg(args []string) string {
	if len(args) == 0 {
		return ""
	}
	return args[0]
}

// note records the server figures of one run (see runFigures).
func (f serverFigures) note(note func(unit string, v float64)) {
	note("server_ms", float64(f.total.Microseconds())/1000)
	note("server_longest_ms", float64(f.longest.Microseconds())/1000)
	note("server_commands", float64(f.commands))
	note("server_over_1.5ms", float64(f.over))
	note("server_preempted", float64(f.preempted))
}

// report adds the server figures to the benchmark's metrics.
func (f serverFigures) report(b *testing.B) {
	b.ReportMetric(float64(f.total.Microseconds())/1000, "server_ms")
	b.ReportMetric(float64(f.longest.Microseconds())/1000, "server_longest_ms")
	b.ReportMetric(float64(f.commands), "server_commands")
	b.ReportMetric(float64(f.over), "server_over_1.5ms")
	b.ReportMetric(float64(f.preempted), "server_preempted")
	b.Logf("longest command: %s (%v)", f.longCmd, f.longest)
}

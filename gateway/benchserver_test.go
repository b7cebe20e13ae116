package gateway_test

import (
	"context"
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
	rdb *redis.Client
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
	return &serverWatch{rdb: rdb}
}

// serverFigures is what one piece of work cost Redis.
type serverFigures struct {
	total    time.Duration // sum of the top-level commands of slowLogFrom or longer, PING excluded
	longest  time.Duration // longest single command, PING excluded
	commands int64
	longCmd  string
	over     int64 // top-level commands longer than stallBound
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
}

// report adds the server figures to the benchmark's metrics.
func (f serverFigures) report(b *testing.B) {
	b.ReportMetric(float64(f.total.Microseconds())/1000, "server_ms")
	b.ReportMetric(float64(f.longest.Microseconds())/1000, "server_longest_ms")
	b.ReportMetric(float64(f.commands), "server_commands")
	b.ReportMetric(float64(f.over), "server_over_1.5ms")
	b.Logf("longest command: %s (%v)", f.longCmd, f.longest)
}

package cli

import (
	"context"
	"fmt"
	"io"
	"sync"

	"gatewayops/internal/termsafe"
	"gatewayops/ops"
)

// withRolloutLines makes ECS actions print their progress, one line per
// change, while `run` waits: rollout state and counts, the service's new
// events, then the effect check. With --json the lines go to stderr so
// stdout stays one JSON document. Ctrl-C ends ctx: the action detaches (ECS
// goes on) and says so, and the journal records "rollout in progress".
func withRolloutLines(ctx context.Context, std stdio, asJSON bool) context.Context {
	w := std.Out
	if asJSON {
		w = std.Err
	}
	var mu sync.Mutex
	last := ""
	return ops.WithProgress(ctx, func(p ops.Progress) {
		mu.Lock()
		defer mu.Unlock()
		for _, e := range p.Rollout.Events {
			fmt.Fprintln(w, "  event "+termsafe.String(e))
		}
		if p.Message != "" && p.Message != last {
			last = p.Message
			printProgress(w, p)
		}
	})
}

func printProgress(w io.Writer, p ops.Progress) {
	if p.Phase == ops.PhaseRollout && !p.Finished {
		fmt.Fprintf(w, "progress: %s %s\n", bar(p.Rollout.Running, p.Rollout.Desired, 20), termsafe.String(p.Message))
		return
	}
	fmt.Fprintln(w, "progress: "+termsafe.String(p.Message))
}

// bar is a text progress bar of running/desired tasks.
func bar(n, of, width int) string {
	if of <= 0 {
		of = 1
	}
	filled := min(max(n*width/of, 0), width)
	b := make([]byte, 0, width+2)
	b = append(b, '[')
	for i := 0; i < width; i++ {
		if i < filled {
			b = append(b, '#')
		} else {
			b = append(b, '.')
		}
	}
	return string(append(b, ']'))
}

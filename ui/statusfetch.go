package ui

import (
	"context"
	"time"

	"gatewayops/gateway"
)

// statusGrace is how long a refresh waits for the admin API's status before
// it shows the alarms with the last status values: a slow admin API (or the
// first status after its start, which waits for the first key discovery)
// never holds the alarm list back for more than this. Status costs
// O(communities), milliseconds, so a healthy one lands in the same refresh.
const statusGrace = 500 * time.Millisecond

// statusFetch runs the admin status call of a refresh in the background;
// a result that comes in after statusGrace is taken by the next refresh.
// It is used under live.mu only.
type statusFetch struct {
	pending chan statusResult // nil when no call is in flight
}

type statusResult struct {
	st  gateway.Status
	err error
}

// get starts a call unless one is in flight and waits for it at most
// statusGrace; ok is false when it has not answered yet. A call left out by
// an earlier refresh is taken if it succeeded; if it failed, its error says
// how the admin API was when that refresh asked, not now (it may have
// recovered since), so this refresh asks again within the same grace.
func (f *statusFetch) get(ctx context.Context, call func(context.Context) (gateway.Status, error)) (statusResult, bool) {
	late := f.pending != nil
	if !late {
		f.start(ctx, call)
	}
	grace := time.NewTimer(statusGrace)
	defer grace.Stop()
	for {
		select {
		case r := <-f.pending:
			f.pending = nil
			if r.err != nil && late {
				late = false
				f.start(ctx, call)
				continue
			}
			return r, true
		case <-grace.C:
		case <-ctx.Done():
		}
		return statusResult{}, false
	}
}

// start sends one status call in the background.
func (f *statusFetch) start(ctx context.Context, call func(context.Context) (gateway.Status, error)) {
	ch := make(chan statusResult, 1)
	f.pending = ch
	go func() {
		// The call outlives the refresh that started it (bounded by statusTimeout).
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), statusTimeout)
		defer cancel()
		st, err := call(cctx)
		ch <- statusResult{st: st, err: err}
	}()
}

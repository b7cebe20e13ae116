package ui

import (
	"context"
	"time"

	"gatewayops/gateway"
)

// statusGrace is how long a refresh waits for the admin API's status (and
// the Redis read) before it shows the alarms with the last values: a slow
// admin API (or the first status after its start, which waits for the first
// key discovery) never holds the alarm list back for more than this. Status
// costs O(communities), milliseconds, so a healthy one lands in the same
// refresh. The console's first refresh asks for neither (live.firstReads).
const statusGrace = 500 * time.Millisecond

// backgroundRead runs one backend read of a refresh (the admin status, the
// Redis diagnosis) in the background, started before the alarms are read so
// the two overlap; a result that comes in after the refresh stopped waiting
// is taken by the next refresh. It is used under live.mu only.
type backgroundRead[T any] struct {
	pending chan readResult[T] // nil when no call is in flight
	// current: the call in flight was started by this refresh (begin), so
	// its failure is news, not an old answer to ask again.
	current bool
}

type readResult[T any] struct {
	v   T
	err error
}

// statusFetch is the admin status call.
type statusFetch = backgroundRead[gateway.Status]

// begin starts a call unless one is in flight.
func (f *backgroundRead[T]) begin(ctx context.Context, call func(context.Context) (T, error)) {
	if f.pending == nil {
		f.start(ctx, call)
		f.current = true
	}
}

// get starts a call unless one is in flight and waits for it at most
// grace (zero: takes only an answer already in); ok is false when it has
// not answered yet. A call left out by an earlier refresh is taken if it
// succeeded; if it failed, its error says how the backend was when that
// refresh asked, not now (it may have recovered since), so this refresh
// asks again within the same grace.
func (f *backgroundRead[T]) get(ctx context.Context, call func(context.Context) (T, error), grace time.Duration) (readResult[T], bool) {
	late := f.pending != nil && !f.current
	if f.pending == nil {
		f.start(ctx, call)
	}
	f.current = false // what is still out when this returns is the next refresh's late answer
	timer := time.NewTimer(grace)
	defer timer.Stop()
	for {
		var r readResult[T]
		select {
		case r = <-f.pending:
		default: // an answer already in wins over a zero grace
			select {
			case r = <-f.pending:
			case <-timer.C:
				return r, false
			case <-ctx.Done():
				return r, false
			}
		}
		f.pending = nil
		if r.err != nil && late {
			late = false
			f.start(ctx, call)
			continue
		}
		return r, true
	}
}

// start sends one call in the background.
func (f *backgroundRead[T]) start(ctx context.Context, call func(context.Context) (T, error)) {
	ch := make(chan readResult[T], 1)
	f.pending = ch
	go func() {
		// The call outlives the refresh that started it (bounded by statusTimeout).
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), statusTimeout)
		defer cancel()
		v, err := call(cctx)
		ch <- readResult[T]{v: v, err: err}
	}()
}

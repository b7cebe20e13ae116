// Package future runs one call on a goroutine of its own and hands its
// result to whoever waits for it, as often as they ask: the start-up loads
// that overlap (the catalog, the runbooks and the session) and a refresh's
// calls that need not wait for each other (the mute rules beside the
// alarms).
package future

// Future is a call under way or done.
type Future[T any] struct {
	done chan struct{}
	v    T
	err  error
}

// Start runs call on a goroutine of its own.
func Start[T any](call func() (T, error)) *Future[T] {
	f := &Future[T]{done: make(chan struct{})}
	go func() {
		defer close(f.done)
		f.v, f.err = call()
	}()
	return f
}

// Done is closed when the call has returned (for a select beside a
// context).
func (f *Future[T]) Done() <-chan struct{} { return f.done }

// Wait blocks until the call has returned and gives its result; every Wait
// gives the same one.
func (f *Future[T]) Wait() (T, error) {
	<-f.done
	return f.v, f.err
}

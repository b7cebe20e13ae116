package future

import (
	"errors"
	"testing"
)

func TestWaitGivesTheCallsResultToEveryWaiter(t *testing.T) {
	release := make(chan struct{})
	calls := 0
	f := Start(func() (int, error) {
		<-release
		calls++
		return 7, errors.New("seven")
	})
	close(release)
	for range 3 {
		if v, err := f.Wait(); v != 7 || err == nil || err.Error() != "seven" {
			t.Fatalf("Wait = %v, %v; want 7, seven", v, err)
		}
	}
	if calls != 1 {
		t.Fatalf("the call ran %d times, want 1", calls)
	}
}

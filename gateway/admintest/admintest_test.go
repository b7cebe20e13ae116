package admintest_test

import (
	"context"
	"testing"
	"time"

	"gatewayops/gateway"
	"gatewayops/gateway/admintest"
	"gatewayops/internal/testclock"
)

func TestStartServesTheAPIOnTheGivenClock(t *testing.T) {
	clk := testclock.New(time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC))
	s := admintest.Start(t, admintest.Options{Environment: "prod", Protected: true, Now: clk.Now})
	st, err := gateway.NewClient(s.URL, gateway.ClientOptions{APIKey: admintest.Key}).Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st.Environment != "prod" || !st.Protected || !st.ServerTime.Equal(clk.Now()) || !st.Redis.OK {
		t.Errorf("status = %+v", st)
	}
	if _, err := gateway.NewClient(s.URL, gateway.ClientOptions{APIKey: "wrong-key-0123456789"}).Status(context.Background()); err == nil {
		t.Error("a wrong key was accepted")
	}
}

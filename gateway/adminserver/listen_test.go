package adminserver_test

import (
	"context"
	"net"
	"strings"
	"testing"

	"gatewayops/gateway"
	"gatewayops/gateway/adminserver"
	"gatewayops/gateway/admintest"
	"gatewayops/gateway/redisproc"
)

func TestServeTLSAndGracefulShutdown(t *testing.T) {
	_, rdb := redisproc.ForTest(t)
	keys, err := adminserver.ParseKeys(testKeyName + ":" + testKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, key := admintest.SelfSignedCert(t, t.TempDir())
	srv, err := adminserver.New(adminserver.Config{
		Store: gateway.NewStore(rdb, gateway.StoreOptions{}), Redis: rdb, Keys: keys,
		Environment: "staging", TLSCertFile: cert, TLSKeyFile: key,
	})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()

	base := "https://" + ln.Addr().String()
	c := gateway.NewClient(base, gateway.ClientOptions{APIKey: testKey, InsecureSkipVerify: true})
	st, err := c.Status(context.Background())
	if err != nil || !st.Redis.OK {
		t.Fatalf("status over TLS: %+v %v", st, err)
	}
	// Without skipping verification the self-signed certificate is refused.
	strict := gateway.NewClient(base, gateway.ClientOptions{APIKey: testKey, MaxRetries: -1})
	if _, err := strict.Status(context.Background()); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("unverified certificate accepted: %v", err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("graceful shutdown: %v", err)
	}
	if _, err := c.Status(context.Background()); err == nil {
		t.Error("server still answers after shutdown")
	}
}

func TestNewRefusesIncompleteConfig(t *testing.T) {
	_, rdb := redisproc.ForTest(t)
	keys, _ := adminserver.ParseKeys(testKeyName + ":" + testKey)
	store := gateway.NewStore(rdb, gateway.StoreOptions{})
	cases := map[string]adminserver.Config{
		"Store":       {Redis: rdb, Keys: keys, Environment: "x"},
		"Redis":       {Store: store, Keys: keys, Environment: "x"},
		"API keys":    {Store: store, Redis: rdb, Environment: "x"},
		"Environment": {Store: store, Redis: rdb, Keys: keys},
		"TLS":         {Store: store, Redis: rdb, Keys: keys, Environment: "x", TLSCertFile: "c.pem"},
		"RateLimit":   {Store: store, Redis: rdb, Keys: keys, Environment: "x", RateLimitPerMinute: -1},
	}
	for want, cfg := range cases {
		if _, err := adminserver.New(cfg); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("config missing %s: err %v", want, err)
		}
	}
}

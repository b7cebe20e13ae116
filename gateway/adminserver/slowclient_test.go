package adminserver_test

import (
	"context"
	"io"
	"net"
	"testing"
	"time"

	"gatewayops/gateway"
	"gatewayops/gateway/adminserver"
	"gatewayops/gateway/redisproc"
)

// A client that opens a connection and dribbles its headers (slowloris) is
// hung up on once the header timeout passes, instead of holding a connection
// and a goroutine forever; a normal client on the same server is unaffected.
func TestServerHangsUpOnAClientThatNeverFinishesItsHeaders(t *testing.T) {
	_, rdb := redisproc.ForTest(t)
	keys, err := adminserver.ParseKeys(testKeyName + ":" + testKey)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := adminserver.New(adminserver.Config{Store: gateway.NewStore(rdb, gateway.StoreOptions{}), Redis: rdb, Keys: keys, Environment: "staging"})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go func() { _ = srv.Serve(ctx, ln) }()

	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, "GET "+gateway.APIPrefix+"/status HTTP/1.1\r\nHost: x\r\n"); err != nil {
		t.Fatal(err)
	}
	// The headers never end. The server must close the connection on its own;
	// 30 s is far above its 5 s header timeout, so this is not a timing assertion.
	_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	if _, err := io.ReadAll(conn); err != nil {
		t.Fatalf("the server kept a stalled client's connection open: %v", err)
	}
	c := gateway.NewClient("http://"+ln.Addr().String(), gateway.ClientOptions{APIKey: testKey})
	if _, err := c.Status(context.Background()); err != nil {
		t.Fatalf("a normal client after the slow one: %v", err)
	}
}

package adminserver

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"gatewayops/gateway"
	"gatewayops/gateway/redisproc"
)

// TestSlowBodyIs408WithoutAddresses: a client that sends its headers and then
// stalls mid-body gets 408 REQUEST_TIMEOUT in the API's shape, and the
// message names no address. The server's read timeout is shortened to make
// the stall real without waiting 15 s.
func TestSlowBodyIs408WithoutAddresses(t *testing.T) {
	_, rdb := redisproc.ForTest(t)
	key, _ := NewKey("oncall", "gwk-slowbody-0123456789abcdef")
	srv, err := New(Config{Store: gateway.NewStore(rdb, gateway.StoreOptions{}), Redis: rdb, Keys: []Key{key}, Environment: "staging"})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: srv.Handler(), ReadTimeout: 300 * time.Millisecond}
	go func() { _ = hs.Serve(ln) }()
	t.Cleanup(func() { _ = hs.Shutdown(context.Background()) })
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	req := "PUT " + gateway.APIPrefix + "/flags/agent_enabled HTTP/1.1\r\nHost: x\r\nX-API-Key: gwk-slowbody-0123456789abcdef\r\n" +
		"X-Operator: alice\r\nIdempotency-Key: slow-1\r\nContent-Type: application/json\r\nContent-Length: 17\r\n\r\n{\"enabled\":"
	if _, err := io.WriteString(conn, req); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body gateway.ErrorBody
	raw, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(raw, &body)
	if resp.StatusCode != http.StatusRequestTimeout || body.Error != gateway.CodeRequestTimeout || body.RequestID == "" {
		t.Fatalf("slow body: %d %s", resp.StatusCode, raw)
	}
	if strings.Contains(string(raw), "127.0.0.1") || strings.Contains(string(raw), ln.Addr().String()) {
		t.Fatalf("the answer names an address: %s", raw)
	}
}

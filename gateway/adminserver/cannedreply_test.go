package adminserver_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"gatewayops/gateway"
	"gatewayops/gateway/adminserver"
	"gatewayops/gateway/admintest"
	"gatewayops/gateway/redisproc"
)

// serveRaw starts a server on a real loopback listener for raw TCP clients.
func serveRaw(t *testing.T, tlsFiles ...string) string {
	t.Helper()
	_, rdb := redisproc.ForTest(t)
	keys, err := adminserver.ParseKeys(testKeyName + ":" + testKey)
	if err != nil {
		t.Fatal(err)
	}
	cfg := adminserver.Config{Store: gateway.NewStore(rdb, gateway.StoreOptions{}), Redis: rdb, Keys: keys, Environment: "staging"}
	if len(tlsFiles) == 2 {
		cfg.TLSCertFile, cfg.TLSKeyFile = tlsFiles[0], tlsFiles[1]
	}
	srv, err := adminserver.New(cfg)
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
	t.Cleanup(func() { cancel(); <-done })
	return ln.Addr().String()
}

// rawExchange sends raw bytes (first a valid request when warm, on the same
// connection) and returns the last response read.
func rawExchange(t *testing.T, addr string, warm bool, raw string) (*http.Response, []byte) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	return exchangeOn(t, conn, warm, raw)
}

func exchangeOn(t *testing.T, conn net.Conn, warm bool, raw string) (*http.Response, []byte) {
	t.Helper()
	defer conn.Close()
	// A bound on a hung server, far above any real answer time: not a timing assertion.
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	br := bufio.NewReader(conn)
	if warm {
		if _, err := io.WriteString(conn, "GET "+gateway.HealthzPath+" HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		if resp.StatusCode != 200 || resp.Header.Get(gateway.HeaderRequestID) == "" {
			t.Fatalf("warm-up /healthz: %d, X-Request-Id %q", resp.StatusCode, resp.Header.Get(gateway.HeaderRequestID))
		}
	}
	// Written concurrently: the server may answer before it has read it all.
	go func() { _, _ = io.WriteString(conn, raw) }()
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("reading the answer: %v", err)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading the body: %v", err)
	}
	return resp, body
}

// Requests net/http refuses before any handler runs still answer with
// X-Request-Id and {error, message, requestId}, valid against openapi.yaml's
// ErrorBody, echoing nothing of the request (its key) and no address.
func TestHeaderRefusalsCarryRequestIDAndErrorShape(t *testing.T) {
	addr := serveRaw(t)
	get := "GET " + gateway.APIPrefix + "/status HTTP/1.1\r\nHost: x\r\nX-API-Key: " + testKey + "\r\n"
	cases := []struct {
		name   string
		raw    string
		status int
		code   string
	}{
		{"oversized header", get + "X-Pad: " + strings.Repeat("a", 200<<10) + "\r\n\r\n", 431, gateway.CodeHeadersTooLarge},
		{"bare CR in a header line", get + "X-Bad: a\rb\r\n\r\n", 400, gateway.CodeInvalidRequest},
		{"bare CR in the request line", "GET /\r" + gateway.APIPrefix + "/status HTTP/1.1\r\nHost: x\r\n\r\n", 400, gateway.CodeInvalidRequest},
	}
	doc, err := contractDoc()
	if err != nil {
		t.Fatalf("openapi.yaml: %v", err)
	}
	schema := doc.Components.Schemas["ErrorBody"].Value
	for _, tc := range cases {
		for _, warm := range []bool{false, true} {
			name := tc.name
			if warm {
				name += " after a good request on the connection"
			}
			t.Run(name, func(t *testing.T) {
				resp, body := rawExchange(t, addr, warm, tc.raw)
				id := resp.Header.Get(gateway.HeaderRequestID)
				if resp.StatusCode != tc.status || id == "" || resp.Header.Get("Content-Type") != "application/json" {
					t.Fatalf("got %d, X-Request-Id %q, Content-Type %q: %s", resp.StatusCode, id, resp.Header.Get("Content-Type"), body)
				}
				var eb gateway.ErrorBody
				if err := json.Unmarshal(body, &eb); err != nil || eb.Error != tc.code || eb.RequestID != id || eb.Message == "" {
					t.Fatalf("body %s (%v): want error %s with requestId %s", body, err, tc.code, id)
				}
				var generic any
				_ = json.Unmarshal(body, &generic)
				if err := schema.VisitJSON(generic); err != nil {
					t.Errorf("body does not match openapi.yaml ErrorBody: %v", err)
				}
				if s := string(body); strings.Contains(s, testKey) || strings.Contains(s, "127.0.0.1") {
					t.Errorf("the answer echoes the key or an address: %s", s)
				}
			})
		}
	}
}

// Over TLS the canned reply is rewritten too (the wrapper sits above TLS),
// and a normal request on the same server still answers.
func TestHeaderRefusalOverTLSCarriesRequestID(t *testing.T) {
	cert, key := admintest.SelfSignedCert(t, t.TempDir())
	addr := serveRaw(t, cert, key)
	conn, err := tls.Dial("tcp", addr, &tls.Config{InsecureSkipVerify: true})
	if err != nil {
		t.Fatal(err)
	}
	resp, body := exchangeOn(t, conn, true, "GET /x HTTP/1.1\r\nHost: x\r\nX-Bad: a\rb\r\n\r\n")
	var eb gateway.ErrorBody
	if resp.StatusCode != 400 || json.Unmarshal(body, &eb) != nil || eb.Error != gateway.CodeInvalidRequest ||
		eb.RequestID == "" || eb.RequestID != resp.Header.Get(gateway.HeaderRequestID) {
		t.Fatalf("over TLS: %d %v: %s", resp.StatusCode, resp.Header, body)
	}
}

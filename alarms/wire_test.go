package alarms

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/smithy-go/encoding/cbor"
)

// wireServer speaks Smithy RPC v2 CBOR at the HTTP level, for what cwlocal
// does not serve (mute rules) and for faults it cannot produce (malformed
// bodies). Each test gives it a handler per operation; it records the decoded
// requests, so tests check what the real SDK client put on the wire.
type wireServer struct {
	t       *testing.T
	srv     *httptest.Server
	mu      sync.Mutex
	reqs    map[string][]cbor.Map
	handler func(op string, req cbor.Map) (status int, body []byte)
}

func newWireServer(t *testing.T, h func(op string, req cbor.Map) (int, []byte)) *wireServer {
	w := &wireServer{t: t, reqs: map[string][]cbor.Map{}, handler: h}
	w.srv = httptest.NewServer(http.HandlerFunc(w.serve))
	t.Cleanup(w.srv.Close)
	return w
}

func (w *wireServer) serve(rw http.ResponseWriter, r *http.Request) {
	const base = "/service/GraniteServiceVersion20100801/operation/"
	op, ok := strings.CutPrefix(r.URL.Path, base)
	raw, _ := io.ReadAll(r.Body)
	if !ok || r.Header.Get("Smithy-Protocol") != "rpc-v2-cbor" {
		w.t.Errorf("request %s is not Smithy RPC v2 CBOR (Smithy-Protocol %q)", r.URL.Path, r.Header.Get("Smithy-Protocol"))
		rw.WriteHeader(http.StatusBadRequest)
		return
	}
	req := cbor.Map{}
	if len(raw) > 0 {
		v, err := cbor.Decode(raw)
		if err != nil {
			w.t.Errorf("%s: request body is not CBOR: %v", op, err)
		} else if m, isMap := v.(cbor.Map); isMap {
			req = m
		}
	}
	w.mu.Lock()
	w.reqs[op] = append(w.reqs[op], req)
	w.mu.Unlock()
	status, body := w.handler(op, req)
	rw.Header().Set("Smithy-Protocol", "rpc-v2-cbor")
	rw.Header().Set("Content-Type", "application/cbor")
	rw.WriteHeader(status)
	_, _ = rw.Write(body)
}

func (w *wireServer) requests(op string) []cbor.Map {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]cbor.Map(nil), w.reqs[op]...)
}

func (w *wireServer) client(t *testing.T) *cloudwatch.Client {
	t.Helper()
	cw, err := NewClient(context.Background(), ClientOptions{Region: "us-east-1", Endpoint: w.srv.URL, Anonymous: true, RetryMaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	return cw
}

func cborOK(m cbor.Map) (int, []byte) { return http.StatusOK, cbor.Encode(m) }

func cborTime(t time.Time) cbor.Value {
	return &cbor.Tag{ID: 1, Value: cbor.Float64(float64(t.UnixMilli()) / 1000)}
}

func cborStr(m cbor.Map, key string) string {
	s, _ := m[key].(cbor.String)
	return string(s)
}

package sdkhttp

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// The premise, against the real library: smithy-go's request body answers
// WriteTo with io.EOF once it is closed.
func TestSmithyBodyWriteToFailsWithEOFOnceClosed(t *testing.T) {
	req := smithyhttp.NewStackRequest().(*smithyhttp.Request)
	req.Method, req.ContentLength = http.MethodPost, 3
	req, err := req.SetStream(bytes.NewReader([]byte("abc")))
	if err != nil {
		t.Fatal(err)
	}
	body := req.Build(context.Background()).Body
	wt, ok := body.(io.WriterTo)
	if !ok {
		t.Fatalf("%T has no WriteTo", body)
	}
	body.Close()
	if n, err := wt.WriteTo(io.Discard); n != 0 || err != io.EOF {
		t.Fatalf("WriteTo after Close = %d, %v; want 0, io.EOF", n, err)
	}
	if _, ok := any(readOnly{body}).(io.WriterTo); ok {
		t.Fatal("the wrapper still exposes WriteTo")
	}
}

// safeLikeBody behaves as smithy-go's body does (WriteTo returns io.EOF
// once closed); its WriteTo waits at a gate, so the test can order the
// events of the race: the server answers, the caller closes the body, then
// the transport drains it.
type safeLikeBody struct {
	mu     sync.Mutex
	r      *bytes.Reader
	closed bool
	gate   chan struct{}
}

func (b *safeLikeBody) Read(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return 0, io.EOF
	}
	return b.r.Read(p)
}

func (b *safeLikeBody) WriteTo(w io.Writer) (int64, error) {
	<-b.gate
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return 0, io.EOF
	}
	return b.r.WriteTo(w)
}

func (b *safeLikeBody) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	return nil
}

// raceOnce sends one request whose body is closed after the answer's headers
// and before the transport's drain, and reads a 1 MB answer; it returns the
// read error.
func raceOnce(t *testing.T, wrap func(aws.HTTPClient) aws.HTTPClient) error {
	proceed := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.ReadAll(r.Body)
		w.Write(bytes.Repeat([]byte("a"), 64<<10))
		w.(http.Flusher).Flush()
		<-proceed // until the client's transport is done with the request
		w.Write(bytes.Repeat([]byte("b"), 1<<20))
	}))
	defer srv.Close()
	connClosed, wroteOK := make(chan struct{}), make(chan struct{})
	var once sync.Once
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		return closeSignal{Conn: c, once: &once, ch: connClosed}, err
	}}
	defer tr.CloseIdleConnections()
	trace := &httptrace.ClientTrace{WroteRequest: func(i httptrace.WroteRequestInfo) {
		if i.Err == nil {
			close(wroteOK)
		}
	}}
	body := &safeLikeBody{r: bytes.NewReader([]byte("payload")), gate: make(chan struct{})}
	req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace), http.MethodPost, srv.URL, body)
	req.ContentLength = 7
	resp, err := wrap(&http.Client{Transport: tr}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body.Close()     // what smithy-go does once it has the response
	close(body.gate) // now the transport drains the closed body
	select {
	case <-connClosed:
	case <-wroteOK:
	}
	close(proceed)
	_, err = io.ReadAll(resp.Body)
	return err
}

type closeSignal struct {
	net.Conn
	once *sync.Once
	ch   chan struct{}
}

func (c closeSignal) Close() error {
	c.once.Do(func() { close(c.ch) })
	return c.Conn.Close()
}

// Without the fix the drain's io.EOF closes the connection under the
// answer (the flaky "use of closed network connection"); with it the whole
// answer arrives.
func TestAnAnswerBeforeTheDrainKeepsItsConnection(t *testing.T) {
	err := raceOnce(t, func(c aws.HTTPClient) aws.HTTPClient { return c })
	if err == nil || !strings.Contains(err.Error(), "use of closed network connection") {
		t.Fatalf("unwrapped client: err = %v, want the closed-connection failure reproduced", err)
	}
	if err := raceOnce(t, Wrap); err != nil {
		t.Fatalf("wrapped client: %v", err)
	}
}

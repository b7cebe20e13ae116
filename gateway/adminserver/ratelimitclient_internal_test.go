package adminserver

import (
	"bytes"
	"context"
	"net"
	"sync"
	"testing"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"

	"gatewayops/gateway"
	"gatewayops/gateway/redisproc"
)

// scriptReplyDropper is a loopback proxy to redis-server that, once, lets
// the first script call (EVALSHA) through and cuts the connection instead
// of passing back its reply: the script ran, the client cannot know. This
// fault cannot be produced with a real Redis on demand, so it is made at the
// wire.
type scriptReplyDropper struct {
	ln     net.Listener
	socket string
	mu     sync.Mutex
	done   bool // the one cut has happened
}

func (p *scriptReplyDropper) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		go p.pipe(c)
	}
}

func (p *scriptReplyDropper) pipe(client net.Conn) {
	defer client.Close()
	server, err := net.Dial("unix", p.socket)
	if err != nil {
		return
	}
	defer server.Close()
	cut := make(chan struct{})
	go func() { // replies: dropped, with the connection, once a script was sent
		buf := make([]byte, 64<<10)
		for {
			n, err := server.Read(buf)
			if err != nil {
				return
			}
			select {
			case <-cut:
				client.Close()
				return
			default:
			}
			if _, err := client.Write(buf[:n]); err != nil {
				return
			}
		}
	}()
	buf := make([]byte, 64<<10)
	for {
		n, err := client.Read(buf)
		if err != nil {
			return
		}
		p.mu.Lock()
		first := !p.done && bytes.Contains(bytes.ToLower(buf[:n]), []byte("evalsha"))
		if first {
			p.done = true
			close(cut)
		}
		p.mu.Unlock()
		if _, err := server.Write(buf[:n]); err != nil {
			return
		}
	}
}

// One request whose rate-limit script ran but whose reply was lost counts
// once, not twice: the limiter's client does not retry it blindly.
func TestRateLimitScriptIsNotRetriedAfterALostReply(t *testing.T) {
	srv, direct := redisproc.ForTest(t)
	ctx := context.Background()
	limit := redis_rate.PerMinute(30)
	// Loads the script (so the next call is one EVALSHA) and counts request 1.
	if _, err := redis_rate.NewLimiter(direct).Allow(ctx, "gatewayops:key:ops", limit); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	proxy := &scriptReplyDropper{ln: ln, socket: srv.Socket()}
	go proxy.serve()
	viaProxy := redis.NewClient(&redis.Options{Addr: ln.Addr().String()}) // go-redis's default: 3 retries
	t.Cleanup(func() { viaProxy.Close() })
	keys, _ := ParseKeys("ops:gwk-live-9f8e7d6c5b4a39281706f5e4")
	s, err := New(Config{Store: gateway.NewStore(direct, gateway.StoreOptions{}), Redis: viaProxy, Keys: keys, Environment: "staging"})
	if err != nil {
		t.Fatal(err)
	}
	// Request 2: its script runs in Redis, its reply is cut. The in-process
	// fallback admits it.
	if ok, _ := s.keyLimit(ctx, "ops"); !ok {
		t.Fatal("request 2 refused")
	}
	proxy.mu.Lock()
	cut := proxy.done
	proxy.mu.Unlock()
	if !cut {
		t.Fatal("the proxy saw no script call: the fault was not made")
	}
	// Request 3 asked directly: two counted before it means 30-3 remain.
	res, err := redis_rate.NewLimiter(direct).Allow(ctx, "gatewayops:key:ops", limit)
	if err != nil {
		t.Fatal(err)
	}
	if res.Remaining != 27 {
		t.Fatalf("after 3 requests %d of 30 remain, want 27: the lost-reply request was counted %d times", res.Remaining, 30-res.Remaining-2)
	}
}

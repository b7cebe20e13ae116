// Package latencyproxy is a loopback TCP proxy that degrades the path to a
// server for real: it holds every chunk a client sends for a set delay
// before forwarding it (each request round trip then takes at least that
// long), or cuts the path (live connections closed, new ones closed on
// accept, as a dropped security group rule or a dead route looks to the
// client). Drills put it in front of redis-server; it knows nothing of
// Redis. It listens on 127.0.0.1 only.
package latencyproxy

import (
	"errors"
	"io"
	"net"
	"sync"
	"time"
)

// Stats counts what the proxy did, for tests that assert counts rather
// than timings.
type Stats struct {
	// Accepted connections forwarded; Refused ones closed while cut.
	Accepted, Refused int
	// Delayed is how many client chunks waited for the delay; Forwarded
	// how many client chunks reached the server in all.
	Delayed, Forwarded int
}

// Proxy forwards 127.0.0.1:port to one target (tcp or unix).
type Proxy struct {
	ln              net.Listener
	network, target string
	// wait is how a chunk waits for the delay (time.Sleep unless a test
	// counts the waits instead).
	wait func(time.Duration)

	mu    sync.Mutex
	delay time.Duration
	cut   bool
	conns map[net.Conn]struct{}
	stats Stats
	wg    sync.WaitGroup
}

// Options shape a proxy; the zero value is a plain forwarder.
type Options struct {
	// Wait replaces time.Sleep for the delay (tests).
	Wait func(time.Duration)
}

// New listens on 127.0.0.1:0 and forwards to target over network ("tcp"
// or "unix").
func New(network, target string, opts Options) (*Proxy, error) {
	if network != "tcp" && network != "unix" {
		return nil, errors.New("latencyproxy: network must be tcp or unix, got " + network)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Proxy{ln: ln, network: network, target: target, wait: opts.Wait, conns: map[net.Conn]struct{}{}}
	if p.wait == nil {
		p.wait = time.Sleep
	}
	p.wg.Add(1)
	go p.accept()
	return p, nil
}

// Addr is the proxy's listening address, host:port.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// SetDelay makes every client chunk wait d before it is forwarded (0: none).
// It applies to chunks read from now on, on live connections too.
func (p *Proxy) SetDelay(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.delay = max(d, 0)
}

// Delay is the current delay.
func (p *Proxy) Delay() time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.delay
}

// Cut closes every live connection and closes new ones as soon as they
// are accepted, until Restore.
func (p *Proxy) Cut() {
	p.mu.Lock()
	p.cut = true
	live := make([]net.Conn, 0, len(p.conns))
	for c := range p.conns {
		live = append(live, c)
	}
	p.mu.Unlock()
	for _, c := range live {
		_ = c.Close()
	}
}

// Restore ends a Cut: new connections are forwarded again.
func (p *Proxy) Restore() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut = false
}

// Stats returns the counts so far.
func (p *Proxy) Stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stats
}

// Close stops listening, closes every connection and waits for the
// forwarding goroutines.
func (p *Proxy) Close() error {
	err := p.ln.Close()
	p.Cut()
	p.wg.Wait()
	return err
}

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return // listener closed
		}
		if !p.admit(c) {
			_ = c.Close()
			continue
		}
		p.wg.Add(1)
		go p.serve(c)
	}
}

// admit registers c unless the path is cut.
func (p *Proxy) admit(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cut {
		p.stats.Refused++
		return false
	}
	p.stats.Accepted++
	p.conns[c] = struct{}{}
	return true
}

func (p *Proxy) track(c net.Conn, on bool) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !on {
		delete(p.conns, c)
		return true
	}
	if p.cut {
		return false
	}
	p.conns[c] = struct{}{}
	return true
}

// serve forwards one client connection; either side closing ends both.
func (p *Proxy) serve(client net.Conn) {
	defer p.wg.Done()
	defer p.track(client, false)
	defer client.Close()
	server, err := net.Dial(p.network, p.target)
	if err != nil {
		return
	}
	if !p.track(server, true) { // cut while dialling
		_ = server.Close()
		return
	}
	defer p.track(server, false)
	defer server.Close()
	done := make(chan struct{})
	go func() {
		_, _ = io.Copy(client, server)
		_ = client.Close()
		close(done)
	}()
	p.upstream(client, server)
	_ = server.Close()
	<-done
}

// upstream copies client chunks to the server, each after the delay.
func (p *Proxy) upstream(client, server net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := client.Read(buf)
		if n > 0 {
			p.hold()
			if _, werr := server.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// hold waits the current delay for one chunk and counts it.
func (p *Proxy) hold() {
	p.mu.Lock()
	d := p.delay
	p.stats.Forwarded++
	if d > 0 {
		p.stats.Delayed++
	}
	p.mu.Unlock()
	if d > 0 {
		p.wait(d)
	}
}

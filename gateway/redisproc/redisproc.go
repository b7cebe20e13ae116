// Package redisproc runs a private redis-server child process on a unix socket.
//
// Tests use it to talk to a real Redis (never a mock), and the demo uses it as
// its embedded Redis. The server keeps nothing on disk and listens on no TCP
// port, so it never collides with another Redis on the machine.
package redisproc

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Server is one running redis-server child.
type Server struct {
	dir    string
	socket string
	binary string
	extra  []string
	cmd    *exec.Cmd
	exited chan struct{}
}

// ErrNoRedisServer means redis-server is not installed.
var ErrNoRedisServer = errors.New("redis-server not found on PATH (Debian: apt-get install -y redis-server)")

// Start launches redis-server with its socket in dir. extraArgs are passed to
// redis-server as-is (for example "--maxmemory", "1mb").
func Start(dir string, extraArgs ...string) (*Server, error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, ErrNoRedisServer
	}
	s := &Server{dir: dir, socket: filepath.Join(dir, "redis.sock"), binary: bin, extra: extraArgs}
	if err := s.launch(); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Server) launch() error {
	args := []string{
		"--port", "0",
		"--unixsocket", s.socket,
		"--unixsocketperm", "700",
		"--save", "",
		"--appendonly", "no",
		"--dir", s.dir,
		"--logfile", filepath.Join(s.dir, "redis.log"),
		"--daemonize", "no",
	}
	s.cmd = exec.Command(s.binary, append(args, s.extra...)...)
	dieWithParent(s.cmd)
	if err := s.cmd.Start(); err != nil {
		return fmt.Errorf("start redis-server: %w", err)
	}
	s.exited = make(chan struct{})
	go func(cmd *exec.Cmd, done chan struct{}) {
		_ = cmd.Wait()
		close(done)
	}(s.cmd, s.exited)
	return s.waitReady(10 * time.Second)
}

func (s *Server) waitReady(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	rdb := redis.NewClient(&redis.Options{Network: "unix", Addr: s.socket, MaxRetries: -1})
	defer rdb.Close()
	for time.Now().Before(deadline) {
		select {
		case <-s.exited:
			return fmt.Errorf("redis-server exited at start; log: %s", s.logTail())
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		err := rdb.Ping(ctx).Err()
		cancel()
		if err == nil {
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("redis-server did not answer PING within %s; log: %s", limit, s.logTail())
}

func (s *Server) logTail() string {
	b, _ := os.ReadFile(filepath.Join(s.dir, "redis.log"))
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > 5 {
		lines = lines[len(lines)-5:]
	}
	return strings.Join(lines, " | ")
}

// Socket is the unix socket path the server listens on.
func (s *Server) Socket() string { return s.socket }

// URL is a go-redis URL for the server (unix://path).
func (s *Server) URL() string { return "unix://" + s.socket }

// Client returns a new go-redis client for the server; the caller closes it.
func (s *Server) Client() *redis.Client {
	return redis.NewClient(&redis.Options{Network: "unix", Addr: s.socket})
}

// Kill stops the server abruptly (SIGKILL), as a crash would. Data is lost.
func (s *Server) Kill() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	<-s.exited
}

// Restart starts the server again on the same socket after Kill or Stop.
func (s *Server) Restart() error {
	_ = os.Remove(s.socket)
	return s.launch()
}

// Stop shuts the server down and waits for it to exit.
func (s *Server) Stop() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	select {
	case <-s.exited:
		return
	default:
	}
	_ = s.cmd.Process.Signal(os.Interrupt)
	select {
	case <-s.exited:
	case <-time.After(5 * time.Second):
		s.Kill()
	}
}

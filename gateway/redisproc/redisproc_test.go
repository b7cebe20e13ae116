package redisproc

import (
	"context"
	"testing"
)

func TestStartKillRestart(t *testing.T) {
	srv, rdb := ForTest(t)
	ctx := context.Background()
	if err := rdb.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatal(err)
	}
	srv.Kill()
	if err := rdb.Ping(ctx).Err(); err == nil {
		t.Fatal("PING succeeded against a killed server")
	}
	if err := srv.Restart(); err != nil {
		t.Fatal(err)
	}
	if err := rdb.Ping(ctx).Err(); err != nil {
		t.Fatalf("PING after restart: %v", err)
	}
	if n := rdb.Exists(ctx, "k").Val(); n != 0 {
		t.Fatalf("key survived a crash of a server that keeps nothing on disk: exists=%d", n)
	}
}

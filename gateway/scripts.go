package gateway

import (
	"embed"

	"github.com/redis/go-redis/v9"
)

//go:embed lua/*.lua
var luaFS embed.FS

// scripts are the Lua scripts of the data model. go-redis runs them with
// EVALSHA and falls back to EVAL on NOSCRIPT, as the gateway does.
type scripts struct {
	reserve, finalize, reap, drainBatch, reconcile, breaker *redis.Script
}

func loadScripts() scripts {
	load := func(name string) *redis.Script {
		src, err := luaFS.ReadFile("lua/" + name + ".lua")
		if err != nil {
			// The files are embedded at build time; a missing one is a build defect.
			panic("gateway: embedded script missing: " + name)
		}
		return redis.NewScript(string(src))
	}
	return scripts{
		reserve:    load("reserve"),
		finalize:   load("finalize"),
		reap:       load("reap"),
		drainBatch: load("drain_batch"),
		reconcile:  load("reconcile"),
		breaker:    load("breaker"),
	}
}

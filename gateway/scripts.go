package gateway

import (
	"embed"

	"github.com/redis/go-redis/v9"
)

//go:embed lua/*.lua
var luaFS embed.FS

// scripts are the Lua scripts of the data model, run with EVALSHA and EVAL
// on NOSCRIPT, as the gateway does. The gateway-equivalent writes are sent
// without go-redis's retries (runNoRetry); the admin writes run as
// OnceScripts, idempotent per call (once.go); the read-only dry runs of drain
// and reconcile run plain. The breaker script is idempotent for one nowMs
// (a failure's member is its ms), so a re-send changes nothing.
type scripts struct {
	reserve, finalize, reap, drainBatch, reconcile         *plainScript
	drainBatchOnce, reconcileOnce, setFlag, setEnforcement *OnceScript
	breaker                                                *redis.Script
}

func loadScripts() scripts {
	src := func(name string) string {
		b, err := luaFS.ReadFile("lua/" + name + ".lua")
		if err != nil {
			// The files are embedded at build time; a missing one is a build defect.
			panic("gateway: embedded script missing: " + name)
		}
		return string(b)
	}
	return scripts{
		reserve:        newPlainScript(src("reserve")),
		finalize:       newPlainScript(src("finalize")),
		reap:           newPlainScript(src("reap")),
		drainBatch:     newPlainScript(src("drain_batch")),
		reconcile:      newPlainScript(src("reconcile")),
		drainBatchOnce: NewOnceScript(src("drain_batch")),
		reconcileOnce:  NewOnceScript(src("reconcile")),
		setFlag:        NewOnceScript(setFlagSrc),
		setEnforcement: NewOnceScript(setEnforcementSrc),
		breaker:        redis.NewScript(src("breaker")),
	}
}

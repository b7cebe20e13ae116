package gateway

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/redis/go-redis/v9"
)

// Writes and unknown outcomes.
//
// go-redis re-sends a command on a new connection after a read timeout or a
// cut connection. For a write that re-send is blind: Redis may already have
// run the first copy (or run it later, from the dead connection's buffer),
// so a script would run twice. Every write script of the admin operations is
// therefore made idempotent per call: OnceScript wraps the script so that it
// first looks for the result stored under a one-time token (the last key) and,
// when found, returns that result without running again; otherwise it runs
// and stores its result under the token in the same atomic call. Re-sending
// the same call, by go-redis or by RunOnce, then answers the first run's
// result whichever copy reaches Redis first. Gateway-equivalent scripts that
// must stay byte-identical to the gateway's semantics run with NoRetry instead.

const (
	// OnceKeyPrefix names the token keys that hold a once-script's result.
	OnceKeyPrefix = "gatewayops:once:"
	// OnceResultTTL is how long a result stays readable: far longer than any
	// retry of the call that wrote it.
	OnceResultTTL = 10 * time.Minute
	// onceAttempts bounds RunOnce's own re-sends after go-redis gave up.
	onceAttempts = 4
)

// OnceScript is a write script made idempotent per call (see above).
type OnceScript struct{ s *redis.Script }

// onceWrap runs the body as a function; KEYS and ARGV keep their indices
// because the token key and its TTL are appended last.
const onceWrap = `local tokenKey = KEYS[#KEYS]
local prev = redis.call('GET', tokenKey)
if prev then return cjson.decode(prev) end
local function body()
%s
end
local r = body()
redis.call('SET', tokenKey, cjson.encode(r), 'PX', ARGV[#ARGV])
return r
`

// NewOnceScript wraps src; src must return a value cjson can encode (numbers,
// strings, arrays of them) and must not use #KEYS or #ARGV.
func NewOnceScript(src string) *OnceScript {
	return &OnceScript{s: redis.NewScript(fmt.Sprintf(onceWrap, src))}
}

// NewOnceToken is a fresh random token.
func NewOnceToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand never fails on supported platforms
	return hex.EncodeToString(b[:])
}

// RunOnce runs the script once under a fresh token: transport failures and
// timeouts are re-sent (by go-redis, then here up to onceAttempts times while
// ctx lives) with the same token, so the effect is applied exactly once and
// the reply is the one of the run that applied it. An error left after that is
// an unknown outcome: ErrOutcomeUnknown names the token to read it back.
func RunOnce(ctx context.Context, rdb redis.Scripter, sc *OnceScript, keys []string, args ...any) *redis.Cmd {
	return RunOnceToken(ctx, rdb, sc, NewOnceToken(), keys, args...)
}

// RunOnceToken is RunOnce with a caller-chosen token.
func RunOnceToken(ctx context.Context, rdb redis.Scripter, sc *OnceScript, token string, keys []string, args ...any) *redis.Cmd {
	keys = append(append([]string(nil), keys...), OnceKeyPrefix+token)
	args = append(append([]any(nil), args...), ms(OnceResultTTL))
	var cmd *redis.Cmd
	for range onceAttempts {
		cmd = sc.s.Run(ctx, rdb, keys, args...)
		if !unknownOutcome(cmd.Err()) || ctx.Err() != nil {
			break
		}
	}
	if unknownOutcome(cmd.Err()) {
		cmd.SetErr(&OutcomeUnknownError{Token: token, Err: cmd.Err()})
	}
	return cmd
}

// OutcomeUnknownError is a write whose effect is not known: Redis may or may
// not have applied it. Reading OnceKeyPrefix+Token tells.
type OutcomeUnknownError struct {
	Token string
	Err   error
}

func (e *OutcomeUnknownError) Error() string {
	return fmt.Sprintf("outcome unknown (Redis did not answer; result readable under %s%s for %s): %v",
		OnceKeyPrefix, e.Token, OnceResultTTL, e.Err)
}

func (e *OutcomeUnknownError) Unwrap() error { return e.Err }

// unknownOutcome is true for failures after which the command may or may not
// have run: anything but success, a nil reply or an error reply from Redis.
func unknownOutcome(err error) bool {
	if err == nil || errors.Is(err, redis.Nil) {
		return false
	}
	var rerr redis.Error
	if errors.As(err, &rerr) {
		return false
	}
	// A connection that could not be made never carried the command: the
	// outcome is known (not applied), and re-dialling a Redis that is down
	// only delays the answer.
	var opErr *net.OpError
	return !(errors.As(err, &opErr) && opErr.Op == "dial")
}

// noRetryCmd is a command go-redis must never re-send (its NoRetry gate).
type noRetryCmd struct{ *redis.Cmd }

func (noRetryCmd) NoRetry() bool { return true }

// plainScript is a script with its source, so it can be sent without the
// client library's retries.
type plainScript struct {
	src  string
	hash string
	*redis.Script
}

func newPlainScript(src string) *plainScript {
	sc := redis.NewScript(src)
	return &plainScript{src: src, hash: sc.Hash(), Script: sc}
}

// runNoRetry sends EVALSHA (EVAL when Redis lacks the script) exactly once:
// for the gateway-equivalent scripts, whose replies (RESERVED, FINALIZED,
// REAPED counts) would be wrong on a second run, an error is better than a
// blind re-send. NOSCRIPT means the script did not run, so EVAL is safe.
func runNoRetry(ctx context.Context, rdb redis.UniversalClient, sc *plainScript, keys []string, args ...any) *redis.Cmd {
	cmd := evalCmd(ctx, "evalsha", sc.hash, keys, args)
	_ = rdb.Process(ctx, noRetryCmd{cmd})
	if err := cmd.Err(); err != nil && redis.HasErrorPrefix(err, "NOSCRIPT") {
		cmd = evalCmd(ctx, "eval", sc.src, keys, args)
		_ = rdb.Process(ctx, noRetryCmd{cmd})
	}
	return cmd
}

func evalCmd(ctx context.Context, name, script string, keys []string, args []any) *redis.Cmd {
	all := make([]any, 0, 3+len(keys)+len(args))
	all = append(all, name, script, len(keys))
	for _, k := range keys {
		all = append(all, k)
	}
	all = append(all, args...)
	return redis.NewCmd(ctx, all...)
}

package adminserver

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"gatewayops/gateway"
)

// Idempotency records: a finished write's response lives for a day, as the
// Idempotency-Key contract says; a claim of a write still being applied
// lives PendingLease and is renewed every PendingLease/3 while its request
// runs, so a claim whose process died frees its key within PendingLease and
// the same key then applies. The admin client retries 409
// IDEMPOTENCY_KEY_IN_PROGRESS for longer than PendingLease
// (gateway.DefaultPendingWindow).
const (
	IdemKeyPrefix = "gatewayops:idem:"
	IdemTTL       = 24 * time.Hour
	PendingLease  = 15 * time.Second
	MaxIdemKeyLen = 128
)

// idemRecord is what Redis holds under gatewayops:idem:{sha256(keyName|key)}.
type idemRecord struct {
	State       string `json:"state"` // pending or done
	Fingerprint string `json:"fingerprint"`
	// Owner is the request id of a pending claim: a re-sent claim of the
	// same request recognises its own record.
	Owner  string          `json:"owner,omitempty"`
	Status int             `json:"status,omitempty"`
	Body   json.RawMessage `json:"body,omitempty"`
}

const (
	idemPending = "pending"
	idemDone    = "done"
)

// Every idempotency step is a script that compares the stored record with
// this request's own, so a re-send after a timeout (go-redis re-sends) finds
// its own claim instead of someone else's.
var (
	// claim: ARGV pending record, lease ms. Returns {1} when this request owns
	// the key, else {0, stored record}.
	claimScript = redis.NewScript(`
local v = redis.call('GET', KEYS[1])
if not v then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return {1}
end
if v == ARGV[1] then return {1} end
return {0, v}`)
	// renew: ARGV pending record, lease ms.
	renewScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0`)
	// finish: ARGV pending record, done record, ttl ms. 1 when stored.
	finishScript = redis.NewScript(`
local v = redis.call('GET', KEYS[1])
if v == ARGV[1] or v == ARGV[2] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return 1
end
return 0`)
	// release: ARGV pending record.
	releaseScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`)
)

// idempotency guards writes so one Idempotency-Key applies at most once.
type idempotency struct {
	rdb   redis.UniversalClient
	lease time.Duration
}

// claim is one request's hold on an idempotency key.
type claim struct {
	redisKey, fp string
	pending      string // this request's pending record, exactly as stored
}

// IdemRedisKey is the Redis key of an idempotency record; it scopes the client's key to the API key that sent it, so two
// callers choosing the same key never see each other's results.
func IdemRedisKey(keyName, idemKey string) string {
	sum := sha256.Sum256([]byte(keyName + "|" + idemKey))
	return IdemKeyPrefix + hex.EncodeToString(sum[:])
}

// fingerprint identifies the intended action: the operation and its body.
func fingerprint(method, path string, body []byte) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s %s\n", method, path)
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

func (s idempotency) leaseMs() int64 {
	if s.lease <= 0 {
		return PendingLease.Milliseconds()
	}
	return s.lease.Milliseconds()
}

// begin claims redisKey for the request requestID. It returns a stored
// response to replay, or nil when the caller now owns the key and must apply
// the write.
func (s idempotency) begin(ctx context.Context, redisKey, fp, requestID string) (*idemRecord, claim, error) {
	pending, _ := json.Marshal(idemRecord{State: idemPending, Fingerprint: fp, Owner: requestID})
	c := claim{redisKey: redisKey, fp: fp, pending: string(pending)}
	vals, err := claimScript.Run(ctx, s.rdb, []string{redisKey}, c.pending, s.leaseMs()).Slice()
	if err != nil {
		return nil, c, err
	}
	if len(vals) == 1 {
		return nil, c, nil
	}
	raw, _ := vals[1].(string)
	var rec idemRecord
	if err := json.Unmarshal([]byte(raw), &rec); err != nil {
		return nil, c, fmt.Errorf("idempotency record is not JSON: %w", err)
	}
	switch {
	case rec.State != idemDone:
		return nil, c, errorf(http.StatusConflict, gateway.CodeIdempotencyPending,
			"a request with this Idempotency-Key is still being applied; retry with the same key shortly")
	case rec.Fingerprint != fp:
		return nil, c, errorf(http.StatusUnprocessableEntity, gateway.CodeIdempotencyReuse,
			"this Idempotency-Key was already used for a different request (other operation or body); use a new key for a new action")
	}
	return &rec, c, nil
}

// hold renews the claim every lease/3 until the returned stop is called.
func (s idempotency) hold(c claim) (stop func()) {
	every := time.Duration(s.leaseMs()) * time.Millisecond / 3
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				ctx, cancel := context.WithTimeout(context.Background(), every)
				_ = renewScript.Run(ctx, s.rdb, []string{c.redisKey}, c.pending, s.leaseMs()).Err()
				cancel()
			}
		}
	}()
	var once sync.Once
	return func() { once.Do(func() { close(done); <-stopped }) }
}

// errClaimLost means the claim expired before the response could be stored.
var errClaimLost = errors.New("the idempotency claim expired before the response was stored")

// finish stores the response so a repeat replays it.
func (s idempotency) finish(ctx context.Context, c claim, status int, body []byte) error {
	rec, err := json.Marshal(idemRecord{State: idemDone, Fingerprint: c.fp, Status: status, Body: body})
	if err != nil {
		return err
	}
	n, err := finishScript.Run(ctx, s.rdb, []string{c.redisKey}, c.pending, rec, IdemTTL.Milliseconds()).Int()
	if err != nil {
		return err
	}
	if n != 1 {
		return errClaimLost
	}
	return nil
}

// release forgets a claim whose write failed on the server side, so a retry
// with the same key applies it instead of replaying the failure.
func (s idempotency) release(ctx context.Context, c claim) error {
	return releaseScript.Run(ctx, s.rdb, []string{c.redisKey}, c.pending).Err()
}

// validIdemKey checks the Idempotency-Key header: 1-128 printable ASCII.
func validIdemKey(k string) bool {
	if k == "" || len(k) > MaxIdemKeyLen {
		return false
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 0x20 || k[i] > 0x7e {
			return false
		}
	}
	return true
}

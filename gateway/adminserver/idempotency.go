package adminserver

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/redis/go-redis/v9"

	"gatewayops/gateway"
)

// Idempotency records live for a day, as the Idempotency-Key contract says.
const (
	IdemKeyPrefix = "gatewayops:idem:"
	IdemTTL       = 24 * time.Hour
	MaxIdemKeyLen = 128
)

// idemRecord is what Redis holds under gatewayops:idem:{sha256(keyName|key)}.
type idemRecord struct {
	State       string          `json:"state"` // pending or done
	Fingerprint string          `json:"fingerprint"`
	Status      int             `json:"status,omitempty"`
	Body        json.RawMessage `json:"body,omitempty"`
}

const (
	idemPending = "pending"
	idemDone    = "done"
)

// idempotency guards writes so one Idempotency-Key applies at most once.
type idempotency struct {
	rdb redis.UniversalClient
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

// begin claims redisKey for this request. It returns a stored response to
// replay, or nil when the caller now owns the key and must apply the write.
func (s idempotency) begin(ctx context.Context, redisKey, fp string) (*idemRecord, error) {
	pending, _ := json.Marshal(idemRecord{State: idemPending, Fingerprint: fp})
	for range 2 { // a second round covers a record expiring between SET and GET
		claimed, err := s.rdb.SetNX(ctx, redisKey, pending, IdemTTL).Result()
		if err != nil {
			return nil, err
		}
		if claimed {
			return nil, nil
		}
		raw, err := s.rdb.Get(ctx, redisKey).Bytes()
		if errors.Is(err, redis.Nil) {
			continue
		}
		if err != nil {
			return nil, err
		}
		var rec idemRecord
		if err := json.Unmarshal(raw, &rec); err != nil {
			return nil, fmt.Errorf("idempotency record is not JSON: %w", err)
		}
		switch {
		case rec.State != idemDone:
			return nil, errorf(http.StatusConflict, gateway.CodeIdempotencyPending,
				"a request with this Idempotency-Key is still being applied; retry with the same key shortly")
		case rec.Fingerprint != fp:
			return nil, errorf(http.StatusUnprocessableEntity, gateway.CodeIdempotencyReuse,
				"this Idempotency-Key was already used for a different request (other operation or body); use a new key for a new action")
		}
		return &rec, nil
	}
	return nil, errors.New("idempotency record vanished twice while being read")
}

// finish stores the response so a repeat replays it.
func (s idempotency) finish(ctx context.Context, redisKey, fp string, status int, body []byte) error {
	rec, err := json.Marshal(idemRecord{State: idemDone, Fingerprint: fp, Status: status, Body: body})
	if err != nil {
		return err
	}
	return s.rdb.Set(ctx, redisKey, rec, IdemTTL).Err()
}

// release forgets a claim whose write failed on the server side, so a retry
// with the same key applies it instead of replaying the failure.
func (s idempotency) release(ctx context.Context, redisKey string) error {
	return s.rdb.Del(ctx, redisKey).Err()
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

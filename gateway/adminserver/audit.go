package adminserver

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"gatewayops/gateway"
)

// Redis keys of the audit trail. Write records and failed authentications
// are kept apart, each with its own cap, so a flood of key-less calls can
// never evict a write record; both lists number their records gap-free.
const (
	AuditKey    = "gatewayops:audit"     // LIST of write records, newest first, JSON AuditRecord
	AuditSeqKey = "gatewayops:audit:seq" // INCR counter: the id of the newest record
	AuditMaxLen = 10000                  // LTRIM bound; write records have no TTL

	// AuthAuditKey holds failed authentications aggregated per source
	// address per minute (AuditRecord with Source and Count).
	AuthAuditKey    = "gatewayops:audit:auth"
	AuthAuditSeqKey = "gatewayops:audit:auth:seq"
	AuthAuditMaxLen = 10000
	// AuthAuditTTL: the list expires this long after its last append.
	AuthAuditTTL = 7 * 24 * time.Hour
)

// appendAuditSrc numbers and pushes one record atomically, so record ids
// are gap-free and the id of the head record always equals the counter;
// listAuditSrc relies on that to turn a cursor into a list index.
const appendAuditSrc = `
local id = redis.call('INCR', KEYS[2])
local rec = string.gsub(ARGV[1], '"id":""', '"id":"' .. id .. '"', 1)
redis.call('LPUSH', KEYS[1], rec)
redis.call('LTRIM', KEYS[1], 0, tonumber(ARGV[2]) - 1)
if tonumber(ARGV[3]) > 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
  redis.call('PEXPIRE', KEYS[2], ARGV[3])
end
return id
`

// listAuditSrc returns up to ARGV[2] records older than cursor id ARGV[1]
// (” = from the newest).
const listAuditSrc = `
local head = tonumber(redis.call('GET', KEYS[2]) or '0')
local start = 0
if ARGV[1] ~= '' then start = head - tonumber(ARGV[1]) + 1 end
if start < 0 then start = 0 end
return redis.call('LRANGE', KEYS[1], start, start + tonumber(ARGV[2]) - 1)
`

// auditLog writes and reads the audit trail in Redis.
type auditLog struct {
	rdb         redis.UniversalClient
	key, seqKey string
	maxLen      int
	ttl         time.Duration // 0: none
	appendScpt  *gateway.OnceScript
	listScpt    *redis.Script
}

func newAuditLog(rdb redis.UniversalClient) auditLog {
	return auditLog{rdb: rdb, key: AuditKey, seqKey: AuditSeqKey, maxLen: AuditMaxLen,
		appendScpt: gateway.NewOnceScript(appendAuditSrc), listScpt: redis.NewScript(listAuditSrc)}
}

func newAuthAuditLog(rdb redis.UniversalClient) auditLog {
	a := newAuditLog(rdb)
	a.key, a.seqKey, a.maxLen, a.ttl = AuthAuditKey, AuthAuditSeqKey, AuthAuditMaxLen, AuthAuditTTL
	return a
}

// append stores rec; its ID is assigned by Redis.
func (a auditLog) append(ctx context.Context, rec gateway.AuditRecord) (string, error) {
	rec.ID = "" // the script fills in the id
	b, err := json.Marshal(rec)
	if err != nil {
		return "", fmt.Errorf("encode audit record: %w", err)
	}
	// Once per call: a re-sent append after a timeout must not number and
	// push the record a second time.
	id, err := gateway.RunOnce(ctx, a.rdb, a.appendScpt, []string{a.key, a.seqKey}, string(b), a.maxLen, a.ttl.Milliseconds()).Int64()
	if err != nil {
		return "", err
	}
	return strconv.FormatInt(id, 10), nil
}

// list returns up to limit records, newest first, older than cursor.
func (a auditLog) list(ctx context.Context, cursor string, limit int) (gateway.AuditList, error) {
	if cursor != "" {
		if n, err := strconv.ParseInt(cursor, 10, 64); err != nil || n < 1 {
			return gateway.AuditList{}, invalid("cursor must be the nextCursor of a previous page (a positive integer)")
		}
	}
	raw, err := a.listScpt.Run(ctx, a.rdb, []string{a.key, a.seqKey}, cursor, limit+1).StringSlice()
	if err != nil {
		return gateway.AuditList{}, err
	}
	out := gateway.AuditList{Records: make([]gateway.AuditRecord, 0, len(raw))}
	for i, s := range raw {
		if i == limit {
			out.NextCursor = out.Records[limit-1].ID
			break
		}
		var rec gateway.AuditRecord
		if err := json.Unmarshal([]byte(s), &rec); err != nil {
			return gateway.AuditList{}, fmt.Errorf("audit record %d is not JSON: %w", i, err)
		}
		out.Records = append(out.Records, rec)
	}
	return out, nil
}

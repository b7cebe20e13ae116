-- One bounded drain batch: at most ARGV[2] expiry members older than the
-- cutoff. Each member is claimed by DEL of its hash, so a concurrent finalize
-- or reaper never double-counts; a member whose hash already expired is an
-- orphan: removed, counted, nothing reclaimed.
-- The hash name has no month in it: when a user reuses an idempotency key
-- across a month boundary, last month's member names this month's live hash.
-- A hash is therefore claimed through a member only when the hash's
-- created_at_ms + reservation TTL equals the member's score (the expiry the
-- reserve wrote for exactly this hash); otherwise the member is an orphan and
-- the hash is left alone.
-- KEYS: reserved, expiry zset (reservation hashes are built from the prefix,
-- as the gateway's reaper does: single-node Redis only, not cluster-safe)
-- ARGV: cutoffScore, batchSize, reservation key prefix, dryRun (1/0), counterTtlMs,
--       dryRunOffset, reservationTtlMs
local cutoff = tonumber(ARGV[1])
local n = tonumber(ARGV[2])
local dry = ARGV[4] == '1'
local ttl = tonumber(ARGV[7])
local page
if dry then
  -- Nothing is removed in a dry run, so page by rank (O(log N + n)) instead
  -- of re-reading the same first n members.
  local offset = tonumber(ARGV[6])
  page = redis.call('ZRANGE', KEYS[2], offset, offset + n - 1, 'WITHSCORES')
else
  page = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', cutoff, 'WITHSCORES', 'LIMIT', 0, n)
end
local seen, claimed, reclaimed = 0, 0, 0
local orphans = {}
for i = 1, #page, 2 do
  local m, score = page[i], tonumber(page[i + 1])
  if score > cutoff then break end
  seen = seen + 1
  local key = ARGV[3] .. m
  local h = redis.call('HMGET', key, 'estimated_cost', 'created_at_ms')
  local owned = h[1] ~= false and tonumber(h[2]) ~= nil and tonumber(h[2]) + ttl == score
  if owned and not dry then
    owned = redis.call('DEL', key) == 1
  end
  if not dry then
    redis.call('ZREM', KEYS[2], m)
  end
  if owned then
    claimed = claimed + 1
    reclaimed = reclaimed + (tonumber(h[1]) or 0)
  else
    orphans[#orphans + 1] = m
  end
end
if not dry and reclaimed > 0 and redis.call('EXISTS', KEYS[1]) == 1 then
  local left = redis.call('DECRBY', KEYS[1], reclaimed)
  if left < 0 then
    redis.log(redis.LOG_WARNING, 'ACCOUNTING_DRIFT reserved below zero: ' .. KEYS[1])
    redis.call('SET', KEYS[1], 0)
  end
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[5]))
end
return {seen, claimed, reclaimed, orphans}

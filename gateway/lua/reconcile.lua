-- Recompute reserved := sum of estimated_cost of the live reservations of one
-- community/month in ONE call, so no reserve or finalize can slip between the
-- read and the write. Bounded: refuses when more than ARGV[2] members remain.
-- A hash counts for this month only when its created_at_ms + reservation TTL
-- equals the member's score (see drain_batch.lua: hash names carry no month).
-- KEYS: reserved, expiry zset
-- ARGV: cutoffScore (members at or below it are being drained), maxLive,
--       reservation key prefix, dryRun (1/0), counterTtlMs, reservationTtlMs
local cutoff = tonumber(ARGV[1])
local maxLive = tonumber(ARGV[2])
local ttl = tonumber(ARGV[6])
local count = redis.call('ZCOUNT', KEYS[2], '(' .. ARGV[1], '+inf')
local before = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
if count > maxLive then
  return {'TOO_MANY', count, before, before}
end
local page = redis.call('ZRANGEBYSCORE', KEYS[2], '(' .. ARGV[1], '+inf', 'WITHSCORES')
local sum = 0
for i = 1, #page, 2 do
  local h = redis.call('HMGET', ARGV[3] .. page[i], 'estimated_cost', 'created_at_ms')
  if tonumber(h[2]) ~= nil and tonumber(h[2]) + ttl == tonumber(page[i + 1]) then
    sum = sum + (tonumber(h[1]) or 0)
  end
end
if ARGV[4] ~= '1' and sum ~= before then
  redis.call('SET', KEYS[1], sum, 'PX', tonumber(ARGV[5]))
end
return {'OK', count, before, sum}

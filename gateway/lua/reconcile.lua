-- Recompute reserved := sum of estimated_cost of the live reservations of one
-- community/month in ONE call, so no reserve or finalize can slip between the
-- read and the write. Bounded: refuses when more than ARGV[2] members remain.
-- KEYS: reserved, expiry zset
-- ARGV: cutoffScore (members at or below it are being drained), maxLive,
--       reservation key prefix, dryRun (1/0), counterTtlMs
local cutoff = tonumber(ARGV[1])
local maxLive = tonumber(ARGV[2])
local count = redis.call('ZCOUNT', KEYS[2], '(' .. ARGV[1], '+inf')
local before = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
if count > maxLive then
  return {'TOO_MANY', count, before, before}
end
local members = redis.call('ZRANGEBYSCORE', KEYS[2], '(' .. ARGV[1], '+inf')
local sum = 0
for _, m in ipairs(members) do
  sum = sum + (tonumber(redis.call('HGET', ARGV[3] .. m, 'estimated_cost') or '0') or 0)
end
if ARGV[4] ~= '1' and sum ~= before then
  redis.call('SET', KEYS[1], sum, 'PX', tonumber(ARGV[5]))
end
return {'OK', count, before, sum}

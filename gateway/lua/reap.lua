-- The gateway's reaper (budget-reaper.lua semantics): ONE unbounded call over
-- every expired member. Kept only as the gateway-equivalent baseline; the
-- console drains with drain_batch.lua instead.
-- KEYS: reserved, expiry zset   ARGV: nowMs, reservation key prefix, counterTtlMs
local now = tonumber(ARGV[1])
if now == nil or now <= 0 then return {'INVALID_INPUT', 0, 0} end
local members = redis.call('ZRANGEBYSCORE', KEYS[2], 0, now)
local reclaimed = 0
for _, m in ipairs(members) do
  local key = ARGV[2] .. m
  local estimate = tonumber(redis.call('HGET', key, 'estimated_cost') or '0') or 0
  if redis.call('DEL', key) == 1 then reclaimed = reclaimed + estimate end
end
redis.call('ZREMRANGEBYSCORE', KEYS[2], 0, now)
if reclaimed > 0 then
  local left = redis.call('DECRBY', KEYS[1], reclaimed)
  if left < 0 then
    redis.log(redis.LOG_WARNING, 'ACCOUNTING_DRIFT reserved below zero: ' .. KEYS[1])
    redis.call('SET', KEYS[1], 0)
  end
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
end
return {'REAPED', #members, reclaimed}

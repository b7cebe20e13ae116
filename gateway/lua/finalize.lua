-- Finalize a reservation (semantics of the gateway's budget-finalize.lua).
-- KEYS: committed, reserved, reservation hash, expiry zset, finalized marker
-- ARGV: actualCents, expiryMember, counterTtlMs, markerTtlMs
if redis.call('EXISTS', KEYS[5]) == 1 then
  return {'ALREADY_FINALIZED', 0}
end
local actual = tonumber(ARGV[1])
if actual == nil or actual ~= actual or actual < 0 then actual = 0 end
actual = math.floor(actual)
local counterTtl = tonumber(ARGV[3])
local estimate = tonumber(redis.call('HGET', KEYS[3], 'estimated_cost') or '0') or 0
local status = 'LATE_FINALIZE'
-- DEL==1 means this call owns the reservation; a reaper or drain that got
-- there first already released its estimate, so reserved is left alone.
if redis.call('DEL', KEYS[3]) == 1 then
  local left = redis.call('DECRBY', KEYS[2], estimate)
  if left < 0 then
    redis.log(redis.LOG_WARNING, 'ACCOUNTING_DRIFT reserved below zero: ' .. KEYS[2])
    redis.call('SET', KEYS[2], 0)
  end
  redis.call('PEXPIRE', KEYS[2], counterTtl)
  status = 'FINALIZED'
end
redis.call('INCRBY', KEYS[1], actual)
redis.call('PEXPIRE', KEYS[1], counterTtl)
redis.call('ZREM', KEYS[4], ARGV[2])
redis.call('SET', KEYS[5], actual, 'PX', tonumber(ARGV[4]))
return {status, actual}

-- Reserve a budget estimate (semantics of the gateway's budget-reserve.lua).
-- KEYS: committed, reserved, limit, reservation hash, expiry zset
-- ARGV: estimatedCents, user, idempotencyKey, community, modelAlias, nowMs, ttlMs, counterTtlMs, graceMs
local cost = tonumber(ARGV[1])
local now = tonumber(ARGV[6])
local ttl = tonumber(ARGV[7])
if cost == nil or cost ~= cost or cost < 0 or now == nil or now <= 0 or ttl == nil or ttl <= 0 then
  return {'INVALID_INPUT', 0, 0, 0}
end
-- An existing hash is an idempotent retry (the finalized marker is not
-- consulted, exactly like the gateway).
if redis.call('EXISTS', KEYS[4]) == 1 then
  return {'ALREADY_RESERVED', 0, 0, 0}
end
local committed = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
local reserved = tonumber(redis.call('GET', KEYS[2]) or '0') or 0
local limit = tonumber(redis.call('GET', KEYS[3]) or '0') or 0
local effective = committed + reserved
-- A 0-cent (BYOK) reserve is refused too once effective spend is over the
-- limit, exactly as the gateway's step 3 does (gateway-domain.md 4.3).
if effective + cost > limit then
  local remaining = limit - effective
  if remaining < 0 then remaining = 0 end
  return {'BUDGET_EXCEEDED', remaining, limit, 0}
end
local counterTtl = tonumber(ARGV[8])
redis.call('INCRBY', KEYS[2], cost)
redis.call('PEXPIRE', KEYS[1], counterTtl)
redis.call('PEXPIRE', KEYS[2], counterTtl)
redis.call('HSET', KEYS[4], 'estimated_cost', cost, 'community_id', ARGV[4], 'user_id', ARGV[2],
  'idempotency_key', ARGV[3], 'model_alias', ARGV[5], 'created_at_ms', now)
redis.call('PEXPIRE', KEYS[4], ttl + tonumber(ARGV[9]))
redis.call('ZADD', KEYS[5], now + ttl, ARGV[2] .. ':' .. ARGV[3])
redis.call('PEXPIRE', KEYS[5], counterTtl)
local used = effective + cost
local remaining = limit - used
if remaining < 0 then remaining = 0 end
local warning = 0
if limit > 0 and used / limit >= 0.80 then warning = 1 end
return {'RESERVED', remaining, limit, warning}

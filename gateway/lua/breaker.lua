-- Fleet-wide breaker transitions (semantics of redis-circuit-breaker.ts).
-- KEYS: circuit:{component} hash, circuit:{component}:failures zset
-- ARGV: op (check|success|failure|reset), nowMs, windowMs, threshold, resetMs
local op = ARGV[1]
local now = tonumber(ARGV[2])
local state = redis.call('HGET', KEYS[1], 'state')
if op == 'check' then
  if not state or state == 'closed' then return {1, 'closed'} end
  if state == 'open' then
    local opened = tonumber(redis.call('HGET', KEYS[1], 'openedAt') or '0') or 0
    if now - opened >= tonumber(ARGV[5]) then
      redis.call('HSET', KEYS[1], 'state', 'half-open')
      return {1, 'half-open'}
    end
    return {0, 'open'}
  end
  -- half-open: every caller is a probe (no single-probe limit, as in the gateway)
  return {1, state}
end
if op == 'success' or op == 'reset' then
  if op == 'reset' and redis.call('EXISTS', KEYS[1]) == 0 and redis.call('EXISTS', KEYS[2]) == 0 then
    return {1, 'closed'}
  end
  if op == 'reset' or state == 'half-open' then
    -- reset leaves exactly what a successful probe leaves from half-open
    redis.call('HSET', KEYS[1], 'state', 'closed')
    redis.call('HDEL', KEYS[1], 'openedAt', 'failures')
    redis.call('DEL', KEYS[2])
    return {1, 'closed'}
  end
  -- In every other state, open included, success clears the failure
  -- records and leaves the state (gateway-domain.md 3.3).
  redis.call('DEL', KEYS[2])
  redis.call('HDEL', KEYS[1], 'failures')
  return {1, state or 'closed'}
end
if op == 'failure' then
  if state == 'half-open' then
    redis.call('HSET', KEYS[1], 'state', 'open', 'openedAt', now)
    return {0, 'open'}
  end
  -- migrate the legacy CSV field into the zset before counting
  local legacy = redis.call('HGET', KEYS[1], 'failures')
  if legacy and legacy ~= '' then
    for ts in string.gmatch(legacy, '[^,]+') do
      local t = tonumber(ts)
      if t then redis.call('ZADD', KEYS[2], t, ts) end
    end
  end
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - tonumber(ARGV[3]))
  redis.call('ZADD', KEYS[2], now, tostring(now))
  local count = redis.call('ZCARD', KEYS[2])
  local next = 'closed'
  if count >= tonumber(ARGV[4]) then
    next = 'open'
    redis.call('HSET', KEYS[1], 'state', 'open', 'openedAt', now)
  else
    redis.call('HSET', KEYS[1], 'state', 'closed')
  end
  local all = redis.call('ZRANGE', KEYS[2], 0, -1)
  redis.call('HSET', KEYS[1], 'failures', table.concat(all, ','))
  return {0, next}
end
return redis.error_reply('unknown breaker op ' .. tostring(op))

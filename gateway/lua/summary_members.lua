-- Re-reads named members of one expiry set with their hashes, for
-- SummaryCache's warm summary (the members whose hash Redis said was
-- written, deleted, expired or evicted since the last round). Read-only;
-- one call reads at most the caller's batch (128), about 400 lookups.
-- A member counts as found exactly as summary_page.lua finds it: in the set,
-- and its hash has estimated_cost (SORT ... GET finds nothing in a key that
-- is not a hash, so neither does this: HMGET's WRONGTYPE is caught).
-- KEYS: expiry zset
-- ARGV: reservation key prefix, member...
-- Returns member, score, estimated_cost, created_at_ms ('' when missing),
-- PEXPIRETIME of the hash, for each member found; the others are gone.
local out = {}
for i = 2, #ARGV do
  local m = ARGV[i]
  local score = redis.call('ZSCORE', KEYS[1], m)
  if score then
    local k = ARGV[1] .. m
    local ok, h = pcall(redis.call, 'HMGET', k, 'estimated_cost', 'created_at_ms')
    if ok and h[1] then
      local n = #out
      out[n + 1], out[n + 2], out[n + 3], out[n + 4] = m, score, h[1], h[2] or ''
      out[n + 5] = redis.call('PEXPIRETIME', k)
    end
  end
end
return out

-- One bounded drain batch: at most ARGV[2] expiry members older than the
-- cutoff. Each member is claimed by DEL of its hash, so a concurrent finalize
-- or reaper never double-counts; a member whose hash already expired is an
-- orphan: removed, counted, nothing reclaimed.
-- KEYS: reserved, expiry zset (reservation hashes are built from the prefix,
-- as the gateway's reaper does: single-node Redis only, not cluster-safe)
-- ARGV: cutoffScore, batchSize, reservation key prefix, dryRun (1/0), counterTtlMs, dryRunOffset
local cutoff = tonumber(ARGV[1])
local n = tonumber(ARGV[2])
local dry = ARGV[4] == '1'
local members
if dry then
  -- Nothing is removed in a dry run, so page by rank (O(log N + n)) instead
  -- of re-reading the same first n members.
  local offset = tonumber(ARGV[6])
  local page = redis.call('ZRANGE', KEYS[2], offset, offset + n - 1, 'WITHSCORES')
  members = {}
  for i = 1, #page, 2 do
    if tonumber(page[i + 1]) > cutoff then break end
    members[#members + 1] = page[i]
  end
else
  members = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', cutoff, 'LIMIT', 0, n)
end
local claimed, reclaimed = 0, 0
local orphans = {}
for _, m in ipairs(members) do
  local key = ARGV[3] .. m
  local estimate = redis.call('HGET', key, 'estimated_cost')
  local owned
  if dry then
    owned = estimate ~= false
  else
    owned = redis.call('DEL', key) == 1
    redis.call('ZREM', KEYS[2], m)
  end
  if owned then
    claimed = claimed + 1
    reclaimed = reclaimed + (tonumber(estimate) or 0)
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
return {#members, claimed, reclaimed, orphans}

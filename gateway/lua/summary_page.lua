-- One time-boxed page of a reservation summary: reads the members of one
-- expiry set after a (score, member) cursor in ascending order, each joined
-- with its hash's estimated_cost, and stops before a chunk would take it
-- past ARGV[5] microseconds of work, so no page blocks Redis for long
-- whatever the set's size. Read-only.
-- The hashes are read by SORT_RO ... BY nosort LIMIT ... GET, which walks the
-- sorted set's rank range and fetches prefix..member->estimated_cost in C:
-- about a third of the cost of one HMGET per member from Lua. A member with
-- no hash is an orphan; one with a hash is expired when its rank is below
-- the first member scored after now, else live. (A hash of the same name but
-- another reservation, the month collision drain_batch.lua guards against,
-- cannot be found here: the caller reads only members expired less than the
-- hash's lifetime ago, in the current month, whose own hash the gateway's
-- reserve would not have overwritten.)
-- KEYS: expiry zset (reservation hashes are built from the prefix, as the
-- gateway's reaper does: single-node Redis only, not cluster-safe)
-- ARGV: reservation key prefix, nowMs, cursorScore, cursorMember ('' = start
--       after every member scored <= cursorScore), budgetUs, collect ('1':
--       also return every member found with a hash, for SummaryCache's fill)
-- Returns {live, liveCents, expired, expiredCents, orphans, done (1/0),
--          nextScore, nextMember, collected}: collected is {} unless asked,
--          else member, score, estimated_cost, created_at_ms ('' when
--          missing), PEXPIRETIME of the hash, for each member found.
local key, prefix = KEYS[1], ARGV[1]
local score, member = ARGV[3], ARGV[4]
local t = redis.call('TIME')
local last = tonumber(t[1]) * 1000000 + tonumber(t[2])
local began, deadline = last, last + tonumber(ARGV[5])

-- rank of the first member after the cursor
local rank
if member == '' then
  rank = redis.call('ZCOUNT', key, '-inf', score)
else
  rank = redis.call('ZRANK', key, member)
  if rank and redis.call('ZSCORE', key, member) == score then
    rank = rank + 1
  else -- the cursor's member went away: count what is at or before it
    rank = redis.call('ZCOUNT', key, '-inf', '(' .. score)
    for _, m in ipairs(redis.call('ZRANGE', key, score, score, 'BYSCORE')) do
      if m <= member then rank = rank + 1 end
    end
  end
end
local firstLive = redis.call('ZCOUNT', key, '-inf', ARGV[2])
local pattern = prefix .. '*->estimated_cost'
local collect = ARGV[6] == '1'
local created = prefix .. '*->created_at_ms'
local collected = {}
local tonumber = tonumber
local counts = {0, 0, 0, 0} -- live, liveCents, expired, expiredCents
local orphans = 0
-- A collecting chunk costs Redis about five times a plain one (the score
-- formatted, two more lookups and a reply of five values per member found:
-- measured with callgrind, ~30,000 instructions a member against ~6,000),
-- so it is a quarter of the size: one chunk stays well inside the budget.
local chunk = collect and 32 or 128
-- collectChunk reads n members from rank with the same estimates as the
-- plain chunk (false where no hash), appending each member found to
-- collected; it returns the estimates and how many members it read.
local function collectChunk(from, n)
  local zs = redis.call('ZRANGE', key, from, from + n - 1, 'WITHSCORES')
  local vals = redis.call('SORT_RO', key, 'BY', 'nosort', 'LIMIT', from, n, 'GET', pattern, 'GET', created)
  local ests = {}
  for i = 1, #zs / 2 do
    local v = vals[2 * i - 1]
    ests[i] = v
    if v then
      local m = zs[2 * i - 1]
      local c = #collected
      collected[c + 1], collected[c + 2], collected[c + 3] = m, zs[2 * i], v
      collected[c + 4] = vals[2 * i] or ''
      collected[c + 5] = redis.call('PEXPIRETIME', prefix .. m)
    end
  end
  return ests, #zs / 2
end
while true do
  -- A chunk lies wholly below firstLive (expired) or at or above it (live),
  -- so no member is compared with it.
  local n, at = chunk, 1
  if rank < firstLive then
    n, at = math.min(chunk, firstLive - rank), 3
  end
  local vals, got
  if collect then
    vals, got = collectChunk(rank, n)
  else
    vals = redis.call('SORT_RO', key, 'BY', 'nosort', 'LIMIT', rank, n, 'GET', pattern)
    got = #vals
  end
  local found, cents = 0, 0
  for i = 1, #vals do
    local v = vals[i]
    if v then
      found, cents = found + 1, cents + (tonumber(v) or 0)
    end
  end
  counts[at], counts[at + 1] = counts[at] + found, counts[at + 1] + cents
  orphans = orphans + got - found
  rank = rank + got
  if got < n then
    return {counts[1], counts[2], counts[3], counts[4], orphans, 1, '', '', collected}
  end
  -- Stop before another full chunk would end past the deadline (the chunk
  -- cut at firstLive is scaled up to one).
  local t = redis.call('TIME')
  local us = tonumber(t[1]) * 1000000 + tonumber(t[2])
  local took = (us - last) * chunk / n
  last = us
  -- Collecting, turning the reply into RESP (and collecting its garbage)
  -- comes after the clock's last look and costs about an eighth of reading
  -- what it holds (callgrind: 12 % of a collecting call), so an eighth of
  -- the time spent so far is kept for it; and a call stops at 256 members
  -- found whatever the clock says.
  if collect then
    took = took + (us - began) / 8
  end
  if us + took >= deadline or #collected >= 5 * 256 then
    local z = redis.call('ZRANGE', key, rank - 1, rank - 1, 'WITHSCORES')
    return {counts[1], counts[2], counts[3], counts[4], orphans, 0, z[2], z[1], collected}
  end
end

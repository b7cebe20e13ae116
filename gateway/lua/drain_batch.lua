-- One bounded, time-boxed drain batch over the expiry members scored at or
-- below the cutoff. Each member is claimed by DEL of its hash, so a
-- concurrent finalize or reaper never double-counts; a member whose hash
-- already expired is an orphan: removed, counted, nothing reclaimed.
-- The hash name has no month in it: when a user reuses an idempotency key
-- across a month boundary, last month's member names this month's live hash.
-- A hash is therefore claimed through a member only when the hash's
-- created_at_ms + reservation TTL equals the member's score (the expiry the
-- reserve wrote for exactly this hash); otherwise the member is an orphan and
-- the hash is left alone. That check is needed only where another month's
-- reserve may have written the hash: the caller turns it off (ARGV[10] = '0')
-- for the current month's set away from the month's edges (decisions.md 185).
-- A member scored at or below ARGV[9] (the hash window's start: expired
-- longer ago than its hash lives, decisions.md 74) has no hash of its own
-- left, so it is an orphan without looking: such members are the lowest
-- ranks of the set and go by one ZREMRANGEBYRANK instead of one read each
-- (at most 4 x batchSize of them per call, beside at most batchSize read,
-- both inside the time box).
-- Every 16 members the script looks at the clock and returns before another
-- 16 would take it past ARGV[8] microseconds, so no batch blocks Redis for long.
-- KEYS: reserved, expiry zset (reservation hashes are built from the prefix,
-- as the gateway's reaper does: single-node Redis only, not cluster-safe)
-- ARGV: cutoffScore, batchSize, reservation key prefix, dryRun (1/0), counterTtlMs,
--       dryRunOffset, reservationTtlMs, budgetUs, hashWindowStartScore,
--       checkOwnership (1/0)
-- Returns {seen, claimed, reclaimed, orphans, orphanSample (<= 20), done (1/0), nextDryRunOffset,
--          reserved before the batch, reserved after it, members left at or below the cutoff,
--          the batch's start on Redis's clock ("<seconds><microseconds, 6 digits>"),
--          members whose hash it read (seen less those removed by rank),
--          how long it ran on Redis's clock in microseconds}
-- (the counters as stored, false when missing, so the caller needs no GETs of its own; what is
-- left and when the batch ran let a caller keep a second batch queued behind this one and order
-- replies that come back on different connections); a reserved counter that is not an integer
-- stops the batch before it changes anything (done, nothing seen).
-- clock is Redis's time in microseconds, and TIME's reply.
local call, tonumber = redis.call, tonumber
local function clock()
  local t = call('TIME')
  return tonumber(t[1]) * 1000000 + tonumber(t[2]), t
end
local started, t = clock()
-- As a string: the once-wrapper stores replies through cjson, which keeps
-- 14 digits of a number, and a 16-digit time would come back rounded.
local ranAt = t[1] .. string.format('%06d', tonumber(t[2]))
local before = call('GET', KEYS[1])
if before and not string.match(before, '^-?%d+$') then
  return {0, 0, 0, 0, {}, 1, tonumber(ARGV[6]), before, before, 0, ranAt, 0, 0}
end
local cutoff = tonumber(ARGV[1])
local n = tonumber(ARGV[2])
local dry = ARGV[4] == '1'
local ttl = tonumber(ARGV[7])
local offset = tonumber(ARGV[6])
local prefix = ARGV[3]
local last = started
local deadline = last + tonumber(ARGV[8])
-- overdue says whether another chunk like the last one would end past the
-- deadline, so a batch ends near its budget, not a chunk after it (a chunk
-- costs more on a bigger set: the longest command stays flat with size).
local function overdue()
  local us = clock()
  local chunk = us - last
  last = us
  return us + chunk >= deadline
end
-- lap starts the next chunk's clock without looking at the deadline.
local function lap()
  last = clock()
end
local seen, claimed, reclaimed, orphans = 0, 0, 0, 0
local sample = {}
local visited = 0
local byRank = 0
-- The members past their hash's lifetime, by rank: at most 4n (one range
-- removal of 4n costs about what n reads do), besides the n read below, in
-- chunks of 512 inside the time box (a chunk costs more on a bigger set).
local old = call('ZCOUNT', KEYS[2], '-inf', math.min(cutoff, tonumber(ARGV[9])))
local first = dry and offset or 0
local k = math.min(old - first, 4 * n)
if k > 0 then
  sample = call('ZRANGE', KEYS[2], first, first + math.min(k, 20) - 1)
  local gone = 0
  while gone < k do
    local c = math.min(512, k - gone)
    if not dry then call('ZREMRANGEBYRANK', KEYS[2], 0, c - 1) end
    gone = gone + c
    if gone < k and overdue() then break end
  end
  seen, orphans, offset, byRank = gone, gone, offset + gone, gone
  if old - first > gone then -- more are left: read none of the younger ones yet
    visited = n
  end
end
-- The members up to the cutoff, one by one, at most n: pages of up to 128
-- by rank, the clock looked at every 16 members (a page costs two range
-- calls, 16 members ~80 us), so a batch fills its time box whatever a
-- member costs.
local stopped = false
-- Members at or below the cutoff are ranks 0..upto-1 (the set is ordered by
-- score), so a page of ranks needs no score to know where the cutoff is.
local upto = call('ZCOUNT', KEYS[2], '-inf', cutoff)
-- check: whether a hash is claimed only when created_at_ms + TTL is the
-- member's score (ARGV[10] = '1'; see the header). The caller leaves it off
-- for the current month's set away from the month's edges: every member there
-- was written by a reserve of this month together with the hash it names,
-- and a later reserve of that name in this month rewrites the member's
-- score, so the hash is the member's own. One HGET then does what an HMGET
-- of two fields and a page with scores did, at half the cost a member.
local check = ARGV[10] == '1'
if visited < n then lap() end -- the removal by rank is not a chunk of reads
while visited < n do
  -- By rank (O(log N + n)): a dry run removes nothing, so it pages from
  -- its offset; a live one removes what it read, so it starts at rank 0.
  local from = dry and offset or 0
  local want = math.min(128, n - visited, upto - from)
  if want <= 0 then break end
  local page, step
  if check then
    page, step = call('ZRANGE', KEYS[2], from, from + want - 1, 'WITHSCORES'), 2
  else
    page, step = call('ZRANGE', KEYS[2], from, from + want - 1), 1
  end
  local removed = 0
  for i = 1, #page, step do
    local m = page[i]
    seen, visited, offset = seen + 1, visited + 1, offset + 1
    local key = prefix .. m
    local est, owned
    if check then
      local h = call('HMGET', key, 'estimated_cost', 'created_at_ms')
      local created = tonumber(h[2])
      est = h[1]
      owned = est ~= false and created ~= nil and created + ttl == tonumber(page[i + 1])
    else
      est = call('HGET', key, 'estimated_cost')
      owned = est ~= false
    end
    if owned and not dry then
      owned = call('DEL', key) == 1
    end
    removed = removed + 1
    if owned then
      claimed = claimed + 1
      reclaimed = reclaimed + (tonumber(est) or 0)
    else
      orphans = orphans + 1
      if #sample < 20 then sample[#sample + 1] = m end
    end
    if removed % 16 == 0 and visited < n and overdue() then
      stopped = true
      break
    end
  end
  if not dry and removed > 0 then
    -- What was read is ranks 0..removed-1: one range removal, not a ZREM per member.
    call('ZREMRANGEBYRANK', KEYS[2], 0, removed - 1)
    upto = upto - removed
  end
  if stopped or #page < want * step then break end
end
-- What is left: a live batch removed what it read, a dry run pages past it.
local left = upto - (dry and offset or 0)
local done = left > 0 and 0 or 1
local after = before
if not dry and reclaimed > 0 and before then
  local counter = call('DECRBY', KEYS[1], reclaimed)
  if counter < 0 then
    redis.log(redis.LOG_WARNING, 'ACCOUNTING_DRIFT reserved below zero: ' .. KEYS[1])
    call('SET', KEYS[1], 0)
    counter = 0
  end
  call('PEXPIRE', KEYS[1], tonumber(ARGV[5]))
  after = tostring(counter)
end
local took = clock() - started
return {seen, claimed, reclaimed, orphans, sample, done, offset, before, after, left, ranAt, seen - byRank, took}

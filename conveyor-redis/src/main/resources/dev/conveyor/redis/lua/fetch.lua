-- Leases up to max jobs from one or more queues (standalone Redis: all queues in one call; Redis Cluster: one
-- queue per call, as every key of a call must live in one slot). Per queue it first promotes delayed jobs that
-- fell due and reclaims expired leases (back to ready; a worker quarantines a job lost maxDeliveries times), then
-- takes the best ready jobs of all queues: lowest score (higher priority, then earlier runAt), then lowest id.
-- KEYS = {prefix:queue}:ready of each queue
-- ARGV[1] = now (ms), ARGV[2] = lease deadline (ms), ARGV[3] = max, ARGV[4] = fencing token (decimal string),
-- ARGV[5] = mode: 'lease', or 'peek' (promote and reclaim, then return the max best candidates of the one queue
-- without leasing them), ARGV[6] = most jobs promoted and reclaimed per queue per call.
-- Returns {leased, notes, leasedColumns, nextDue}: leased = the job hashes, per job, flat: queueIndex, id, envelope, attempt,
-- deliveries, runAt, priority; notes = warnings about records that are not Conveyor jobs (skipped); leasedColumns =
-- the column jobs, per job, flat: queueIndex, id, envelope (attempt 0, deliveries 1, runAt and priority the
-- envelope's: fewer values per job, the most common kind); nextDue (see the end). In 'peek' mode: {{id, score, ...},
-- notes}.
local now = tonumber(ARGV[1])
local leaseUntil = ARGV[2]
local max = tonumber(ARGV[3])
local token = ARGV[4]
local mode = ARGV[5]
local limit = tonumber(ARGV[6])
-- Numbers go to redis.call as the text they came in or as %d: Lua turns a number into text with printf("%.14g"),
-- which cost a fetch of one job more than a tenth of its time.
local nowArg, limitArg = ARGV[1], ARGV[6]
local function int(n) return string.format('%d', n) end
local notes = {}
-- #include common

-- Ends a reclaimed job (DEAD or CANCELLED) with a reason; frees its unique key unless held for uniqueFor.
local function endAs(base, key, id, state, reason)
  redis.call('HSET', key, 'state', state, 'deadReason', reason, 'finishedAt', now, 'updatedAt', now)
  redis.call('HDEL', key, 'token', 'leaseUntil')
  redis.call('ZADD', base .. string.lower(state), now, id)
  local u = redis.call('HMGET', key, 'uniqueKey', 'uniqueFor')
  if u[1] and u[1] ~= '' and num(u[2], 0) <= 0 and redis.call('HGET', base .. 'unique', u[1]) == id then
    redis.call('HDEL', base .. 'unique', u[1])
  end
end

local bases = {}
local usable = {}
for qi, readyKey in ipairs(KEYS) do
  bases[qi] = string.sub(readyKey, 1, -6)
  usable[qi] = true
end

-- Key types. A read of a key of another type fails before anything is written, so a call checks with TYPE only
-- the keys it writes without having read them first, and only before the path that writes them: the common
-- fetch checks one key (tok), where checking all nine was half of a one-job fetch's commands. Reads are
-- protected (pcall): a key of another type skips its queue with a note, the other queues are fetched.
local function skip(qi, note)
  if usable[qi] then notes[#notes + 1] = note end
  usable[qi] = false
end
local WANT = {ready = 'zset', scheduled = 'zset', leased = 'zset', dead = 'zset', cancelled = 'zset',
  batches = 'zset', unique = 'hash', env = 'hash', tok = 'hash'}
local function checkTypes(qi, suffixes)
  local base = bases[qi]
  for _, suffix in ipairs(suffixes) do
    local t = redis.call('TYPE', base .. suffix).ok
    local want = WANT[suffix]
    if t ~= 'none' and t ~= want then
      skip(qi, base .. suffix .. ' is a ' .. t .. ', not a ' .. want .. '; queue skipped')
      return false
    end
  end
  return usable[qi]
end
local EVERY = {'ready', 'scheduled', 'leased', 'dead', 'cancelled', 'unique', 'env', 'tok', 'batches'}
-- A protected read's answer, or nil after skipping the queue (the note names the key of another type).
local function read(qi, ...)
  local r = redis.pcall(...)
  if type(r) == 'table' and r.err then
    if checkTypes(qi, EVERY) then skip(qi, bases[qi] .. ' answered ' .. r.err .. '; queue skipped') end
    return nil
  end
  return r
end

for qi, base in ipairs(bases) do
  -- What housekeeping there is (reads only), and only when there is some, every key's type first.
  local due = read(qi, 'ZRANGEBYSCORE', base .. 'scheduled', '-inf', nowArg, 'LIMIT', '0', limitArg)
  local batches = due and read(qi, 'ZRANGEBYSCORE', base .. 'batches', '-inf', nowArg, 'LIMIT', '0', limitArg)
  local expired = batches and read(qi, 'ZRANGEBYSCORE', base .. 'leased', '-inf', nowArg, 'LIMIT', '0', limitArg)
  if expired and (#due > 0 or #batches > 0 or #expired > 0) then checkTypes(qi, EVERY) end
  -- tok is written at the end of a lease without a read before: the one key the common path checks.
  if usable[qi] then checkTypes(qi, {'tok'}) end
  if usable[qi] then
    -- Promote delayed jobs that fell due.
    if #due > 0 then redis.call('ZREM', base .. 'scheduled', unpack(due)) end
    for _, id in ipairs(due) do
      local key = base .. 'job:' .. id
      local h = redis.pcall('HMGET', key, 'priority', 'runAt', 'state')
      if type(h) == 'table' and not h.err and h[3] then
        -- added now, not later: the lease step below reads the ready set
        redis.call('ZADD', base .. 'ready', readyScore(h[1], h[2]), id)
        redis.call('HSET', key, 'state', 'READY')
      else
        notes[#notes + 1] = key .. ' (in ' .. base .. 'scheduled) is not a job hash; entry dropped'
      end
    end
    -- Column jobs of fetches whose leases expired become job hashes in leased (materialize), which the next step
    -- takes back like any other; then the fetch's record goes.
    for _, t in ipairs(batches) do
      local rec = base .. 'lease:' .. t
      local ids = redis.pcall('HGET', rec, 'ids')
      local ok, list = pcall(cjson.decode, type(ids) == 'string' and ids or '')
      if ok and type(list) == 'table' then
        for _, id in ipairs(list) do
          local cur = type(id) == 'string' and redis.call('HGET', base .. 'tok', id)
          if cur and string.match(cur, '^([^:]*)') == t then materialize(base, id) end
        end
      else
        notes[#notes + 1] = rec .. ' is not a lease record; dropped'
      end
      if redis.call('TYPE', rec).ok == 'hash' then redis.call('DEL', rec) end
      redis.call('ZREM', base .. 'batches', t)
    end
    -- Reclaim expired leases: a lease ends at its deadline (read again when expired fetches just put their column
    -- jobs there).
    if #batches > 0 then
      expired = redis.call('ZRANGEBYSCORE', base .. 'leased', '-inf', nowArg, 'LIMIT', '0', limitArg)
    end
    for _, id in ipairs(expired) do
      -- a column job becomes a job hash first (while still in leased, so it reads as RUNNING)
      materialize(base, id)
      redis.call('ZREM', base .. 'leased', id)
      local key = base .. 'job:' .. id
      if isHash(key) then
        local h = redis.call('HMGET', key, 'attempt', 'deliveries', 'maxDeliveries', 'priority', 'runAt',
          'cancelRequested', 'startedDelivery')
        local attempt, deliveries = num(h[1], 0), num(h[2], 0)
        local lost = deliveries - attempt
        -- After the first, a lost lease counts only if its handler had started (the 'started' settle operation).
        local unproven = lost >= 2 and num(h[7], 0) ~= deliveries
        if h[6] == '1' then
          -- Its worker is gone and it was cancelled: it ends here rather than running again.
          endAs(base, key, id, 'CANCELLED', 'cancelled')
        else
          -- Even one lost maxDeliveries times goes back to ready: the worker that leases it next buries it unrun
          -- (quarantine is the worker's call, so its workflow and listeners hear of it).
          -- Lost before its handler started: the delivery is given back, as a release does.
          if unproven then redis.call('HSET', key, 'deliveries', deliveries - 1) end
          redis.call('HSET', key, 'state', 'READY', 'updatedAt', now)
          -- progress belongs to the lost run
          redis.call('HDEL', key, 'token', 'leaseUntil', 'progress', 'startedDelivery')
          redis.call('ZADD', base .. 'ready', readyScore(h[4], h[5]), id)
        end
      else
        notes[#notes + 1] = key .. ' (in ' .. base .. 'leased) is not a job hash; entry dropped'
      end
    end
  end
end

if mode == 'peek' then
  local out = {}
  if usable[1] then out = read(1, 'ZRANGE', bases[1] .. 'ready', '0', int(max - 1), 'WITHSCORES') or {} end
  return {out, notes}
end

local leased = {} -- flat: queueIndex, id, envelope, attempt, deliveries, runAt, priority per job
local leasedColumns = {} -- flat: queueIndex, id, envelope per job
local taken = 0
local leasedAdds = {}
local tokAdds = {}
local columnIds = {} -- per queue, the column jobs leased: one lease record per queue and call, no per-job deadline
for qi, base in ipairs(bases) do
  leasedAdds[qi] = batch('ZADD', base .. 'leased')
  tokAdds[qi] = batch('HSET', base .. 'tok')
  columnIds[qi] = {}
end
-- A running column job's tok entry: the fetch's token and time, the same text for every job of the fetch (its
-- priority and runAt are its envelope's).
local tokValue = token .. '::' .. ARGV[1]
-- Lengths of tokAdds[qi], columnIds[qi] and leasedColumns, kept here: Lua 5.1's length operator searches for the
-- end of a table, and at one call per job that was a visible share of the server's time.
local tokCount, idCount, columnCount = {}, {}, 0
for qi in ipairs(bases) do tokCount[qi], idCount[qi] = 0, 0 end
-- Leases job id of queue qi, just taken out of its ready set, when it is a job hash (anything else is dropped with
-- a note).
local function leaseHash(qi, id)
  local base = bases[qi]
  local key = base .. 'job:' .. id
  -- pcall: a key of another type answers an error value instead of aborting the whole call (no TYPE needed).
  local h = redis.pcall('HMGET', key, 'envelope', 'attempt', 'deliveries', 'runAt', 'state', 'fairKey', 'priority')
  if type(h) == 'table' and not h.err and (h[1] or h[5]) then
    -- The key's last placed job leaves ready: forget it, so the fair map holds only keys with waiting jobs.
    if h[6] and redis.pcall('HGET', base .. 'fair', h[6]) == id then redis.call('HDEL', base .. 'fair', h[6]) end
    local deliveries = num(h[3], 0) + 1
    redis.call('HSET', key, 'state', 'RUNNING', 'deliveries', deliveries, 'token', token,
      'leaseUntil', leaseUntil, 'updatedAt', now)
    local adds = leasedAdds[qi]
    adds[#adds + 1] = leaseUntil
    adds[#adds + 1] = id
    local n = #leased
    leased[n + 1], leased[n + 2], leased[n + 3] = qi, id, h[1] or false
    leased[n + 4], leased[n + 5], leased[n + 6] = tostring(num(h[2], 0)), tostring(deliveries), h[4] or false
    leased[n + 7] = h[7] or false
    taken = taken + 1
  else
    notes[#notes + 1] = key .. ' (in ' .. base .. 'ready) is not a job hash; entry dropped'
  end
end

-- Leases ids of queue qi, just taken out of its ready set; envelopes[k] is ids[k]'s env entry (a column job: first
-- delivery, no attempt yet, its runAt and priority are its envelope's, which Java reads) or false (a job hash).
local function leaseFrom(qi, ids, envelopes)
  local toks, cids = tokAdds[qi], columnIds[qi]
  local t, c, n = tokCount[qi], idCount[qi], columnCount
  for k = 1, #ids do
    local id, envelope = ids[k], envelopes[k]
    if envelope then
      toks[t + 1], toks[t + 2] = id, tokValue
      cids[c + 1] = id
      leasedColumns[n + 1], leasedColumns[n + 2], leasedColumns[n + 3] = qi, id, envelope
      t, c, n = t + 2, c + 1, n + 3
      taken = taken + 1
    else
      leaseHash(qi, id)
    end
  end
  tokCount[qi], idCount[qi], columnCount = t, c, n
end

while taken < max do
  local need = max - taken
  if #bases == 1 then
    -- One queue (the common case): the best at once, and one HMGET finds the column jobs among them
    if not usable[1] then break end
    -- (not ZPOPMIN: it answers each score as text, and Redis 7.0 formats a double with printf, which cost more
    -- than the rest of the lease of a column job)
    -- read before anything leaves ready: a key of another type then skips the queue with nothing removed
    local ids = read(1, 'ZRANGE', bases[1] .. 'ready', '0', int(need - 1))
    if not ids or #ids == 0 then break end
    local envelopes = read(1, 'HMGET', bases[1] .. 'env', unpack(ids))
    if not envelopes then break end
    redis.call('ZREMRANGEBYRANK', bases[1] .. 'ready', '0', int(#ids - 1))
    leaseFrom(1, ids, envelopes)
  else
    -- Several: peek each, merge by score then id, then remove the chosen ones.
    local candidates = {}
    for qi, base in ipairs(bases) do
      if usable[qi] then
        local r = read(qi, 'ZRANGE', base .. 'ready', '0', int(need - 1), 'WITHSCORES') or {}
        for j = 1, #r, 2 do candidates[#candidates + 1] = {qi, r[j], tonumber(r[j + 1])} end
      end
    end
    if #candidates == 0 then break end
    table.sort(candidates, function(a, b)
      if a[3] ~= b[3] then return a[3] < b[3] end
      return lexLess(a[2], b[2])
    end)
    -- The chosen, per queue: out of ready and leased with one ZREM and one HMGET of their envelopes each.
    local perQueue = {}
    for j = 1, math.min(need, #candidates) do
      local qi = candidates[j][1]
      perQueue[qi] = perQueue[qi] or {}
      local list = perQueue[qi]
      list[#list + 1] = candidates[j][2]
    end
    for qi, list in pairs(perQueue) do
      local envelopes = read(qi, 'HMGET', bases[qi] .. 'env', unpack(list)) -- (a skipped queue is not peeked again)
      if envelopes then
        redis.call('ZREM', bases[qi] .. 'ready', unpack(list))
        leaseFrom(qi, list, envelopes)
      end
    end
  end
end
for qi, ids in ipairs(columnIds) do
  if #ids > 0 then
    local base = bases[qi]
    local written = redis.pcall('HSET', base .. 'lease:' .. token, 'ids', cjson.encode(ids), 'left', int(#ids))
    if type(written) == 'number' then
      redis.call('ZADD', base .. 'batches', leaseUntil, token)
    else
      -- the record's key holds foreign data: each job's deadline goes into leased instead, as job hashes' do
      notes[#notes + 1] = base .. 'lease:' .. token .. ' holds foreign data; leases kept one by one instead'
      for _, id in ipairs(ids) do
        local adds = leasedAdds[qi]
        adds[#adds + 1] = leaseUntil
        adds[#adds + 1] = id
      end
    end
  end
end
flush()
-- When the queues ran dry (fewer jobs taken than asked for): when their next work is due (ms as text), the
-- earliest delayed job, job lease or fetch lease among them, '' when none is, so that the worker can wait that
-- long without asking the server again; false when a queue was skipped (it asks, as it does after a full fetch).
local nextDue = false
if taken < max then
  nextDue = ''
  local earliest
  for qi, base in ipairs(bases) do
    if not usable[qi] then
      nextDue = false
      break
    end
    for _, suffix in ipairs({'scheduled', 'leased', 'batches'}) do
      local first = redis.call('ZRANGE', base .. suffix, '0', '0', 'WITHSCORES')
      local at = tonumber(first[2])
      if at and (not earliest or at < earliest) then earliest = at end
    end
  end
  if nextDue and earliest then nextDue = int(earliest) end
end
return {leased, notes, leasedColumns, nextDue}

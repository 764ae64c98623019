-- Stores new jobs of one queue, each atomically with its id and unique-key checks, in the given order.
-- KEYS[1] = {prefix:queue}:ready (the other keys of the queue share its "{prefix:queue}:" base); on a standalone
-- server also KEYS[2] = {prefix}:index and KEYS[3] = {prefix}:queues: then the script does the id index's work
-- too (index.lua, which Redis Cluster runs as a call of its own, as those keys live in another slot): an id
-- indexed under any queue whose job still exists is a duplicate, and each stored job is indexed.
-- ARGV[1] = now (epoch ms), ARGV[2] = wake-up channel, ARGV[3] = queue name, ARGV[4] = c, the number of column
-- jobs (common.lua) that follow as 3 values each: id, score ((9 - priority) * 1e13 + runAt), envelope; then the
-- jobs stored as job hashes, 13 values per job:
--   id, state (READY|SCHEDULED), score (ready: (9 - priority) * 1e13 + runAt; scheduled: runAt),
--   priority, runAt (ms), attempt, deliveries, maxDeliveries, task, uniqueKey ('' = none),
--   uniqueFor (ms, '' = none), envelope (the JSON envelope of docs/PROTOCOL.md), fairKey ('' = none)
-- A READY job with a fairness key is placed by start-time fair queuing (FairOrder in the Java code): its runAt
-- and score become max(min(now, head), last + 1), head = the runAt of the first ready job of its priority, last
-- = the runAt of the key's last placed job while that one is still ready ({prefix:queue}:fair maps key -> id).
-- Publishes the queue name on the wake-up channel when anything was stored (a new delayed job may be due
-- sooner than an idle worker's current wait). Returns per job 0 (stored), 1 (a duplicate: the id exists), the
-- holder's id as a string (a duplicate: the unique key is held) or 2 (the job's key holds something that is
-- not a Conveyor job; nothing stored), column jobs first, in the order given.
local base = string.sub(KEYS[1], 1, -6)
local now = tonumber(ARGV[1])
local UNFINISHED = {READY = true, SCHEDULED = true, RUNNING = true}
-- #include common

local columns = tonumber(ARGV[4])
local firstHash = 5 + 3 * columns -- the first job hash's values
-- Key types, all checked before the first write, so that a batch is stored whole or refused whole. TYPE only for
-- the keys this call may write without reading them first (as in fetch.lua): column jobs alone write ready, all
-- and env (and the queues set) unread, and the index is read first; job hashes may write every key.
local function wrongType(key, want)
  local t = redis.call('TYPE', key).ok
  if t ~= 'none' and t ~= want then
    return redis.error_reply('WRONGTYPE conveyor: ' .. key .. ' is a ' .. t .. ', expected a ' .. want)
  end
  return nil
end
local HASHES = {unique = true, fair = true, env = true}
local suffixes = #ARGV >= firstHash and {'ready', 'scheduled', 'all', 'unique', 'fair', 'env'} or {'ready', 'all', 'env'}
for _, suffix in ipairs(suffixes) do
  local refused = wrongType(base .. suffix, HASHES[suffix] and 'hash' or 'zset')
  if refused then return refused end
end
local indexKey, queuesKey = KEYS[2], KEYS[3]
if indexKey then
  local refused = wrongType(queuesKey, 'set')
  if refused then return refused end
end

-- Whether the job that holds a unique key still holds it: unfinished, or finished less than uniqueFor ago.
local function holds(holder)
  local key = base .. 'job:' .. holder
  if redis.call('TYPE', key).ok ~= 'hash' then return false end
  local h = redis.call('HMGET', key, 'state', 'finishedAt', 'uniqueFor')
  if UNFINISHED[h[1]] then return true end
  local finished, keep = tonumber(h[2]), tonumber(h[3])
  return finished ~= nil and keep ~= nil and keep > 0 and finished + keep > now
end

local readyAdds = batch('ZADD', base .. 'ready')
local scheduledAdds = batch('ZADD', base .. 'scheduled')
local allAdds = batch('ZADD', base .. 'all')
local envAdds = batch('HSET', base .. 'env')

-- Which ids exist already (the loops below add the ones they store, so a repeat within the batch is a duplicate).
local ids = {}
for i = 5, firstHash - 1, 3 do ids[#ids + 1] = ARGV[i] end
for i = firstHash, #ARGV, 13 do ids[#ids + 1] = ARGV[i] end
local exists = {}
local indexAdds = indexKey and batch('HSET', indexKey)
if indexKey then
  -- Standalone: every job of every queue is in the index (this script, index.lua before it in Redis Cluster, and
  -- a producer in another language all write it), so one HMGET of the index answers for the whole batch: an id
  -- it does not name is new. An id it names is a duplicate while its job is still there (an entry whose job is
  -- gone, e.g. deleted by an operator whose index clean-up did not run, is taken over).
  local prefix = string.sub(indexKey, 2, -8) -- '{prefix}:index'
  for i = 1, #ids, 4000 do
    local queues = redis.pcall('HMGET', indexKey, unpack(ids, i, math.min(#ids, i + 3999)))
    if queues.err then return wrongType(indexKey, 'hash') or queues end -- (nothing written yet)
    for k = 1, #queues do
      local named, id = queues[k], ids[i + k - 1]
      local namedBase -- the keys of the queue the index names, if it names one
      if named == ARGV[3] then
        namedBase = base
      elseif named and #named <= 64 and string.match(named, '^[%w_%.%-]+$') then
        namedBase = '{' .. prefix .. ':' .. named .. '}:'
      end
      if namedBase and (redis.call('ZSCORE', namedBase .. 'all', id)
          or redis.call('EXISTS', namedBase .. 'job:' .. id) == 1) then
        exists[id] = true
      end
    end
  end
else
  -- Redis Cluster: the index is in another slot (index.lua ran before this call); the queue's own id set tells,
  -- one ZMSCORE per batch (every stored job is in it).
  for i = 1, #ids, 4000 do
    local scores = redis.call('ZMSCORE', base .. 'all', unpack(ids, i, math.min(#ids, i + 3999)))
    for k = 1, #scores do
      if scores[k] then exists[ids[i + k - 1]] = true end
    end
  end
end

-- Fair places: heads per priority and lasts per key are read once per call, then carried along the batch.
local heads, lasts = {}, {}
local function place(priority, fairKey)
  local p = math.floor(num(priority, 5))
  if heads[p] == nil then
    local low = (9 - p) * 10000000000000
    local first = redis.call('ZRANGEBYSCORE', base .. 'ready', low, '(' .. (low + 10000000000000), 'LIMIT', 0, 1, 'WITHSCORES')
    heads[p] = first[2] and (tonumber(first[2]) - low) or false
  end
  if lasts[fairKey] == nil then
    lasts[fairKey] = false
    local lastId = redis.call('HGET', base .. 'fair', fairKey)
    if lastId then
      local h = redis.pcall('HMGET', base .. 'job:' .. lastId, 'state', 'runAt')
      if type(h) == 'table' and not h.err and h[1] == 'READY' then lasts[fairKey] = num(h[2], 0) end
    end
  end
  local start = heads[p] and math.min(now, heads[p]) or now
  local at = lasts[fairKey] and math.max(start, lasts[fairKey] + 1) or start
  lasts[fairKey] = at
  return at
end

local out = {}
local wake = false
-- A job just stored: its id into its state's sorted set (adds) with score, and into the queue's id set; answered
-- 0 (stored), and workers are woken.
local function stored(adds, score, id)
  adds[#adds + 1] = score
  adds[#adds + 1] = id
  allAdds[#allAdds + 1] = '0' -- text: a Lua number would be formatted on every call
  allAdds[#allAdds + 1] = id
  if indexAdds then
    indexAdds[#indexAdds + 1] = id
    indexAdds[#indexAdds + 1] = ARGV[3]
  end
  out[#out + 1] = 0
  wake = true
end
-- Column jobs, the common case: what stored() does, written out with counters (a helper call and a length
-- operator per append cost a visible share of the server's time at thousands of jobs per call).
local queueName = ARGV[3]
local o, e, r, a, x = #out, #envAdds, #readyAdds, #allAdds, indexAdds and #indexAdds or 0
for i = 5, firstHash - 1, 3 do
  local id = ARGV[i]
  o = o + 1
  if exists[id] then
    out[o] = 1
  else
    exists[id] = true
    out[o] = 0
    envAdds[e + 1], envAdds[e + 2] = id, ARGV[i + 2]
    readyAdds[r + 1], readyAdds[r + 2] = ARGV[i + 1], id
    allAdds[a + 1], allAdds[a + 2] = '0', id -- text: a Lua number would be formatted on every call
    e, r, a = e + 2, r + 2, a + 2
    if indexAdds then
      indexAdds[x + 1], indexAdds[x + 2] = id, queueName
      x = x + 2
    end
    wake = true
  end
end
for i = firstHash, #ARGV, 13 do
  local id, state, score, priority, runAt = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4]
  local attempt, deliveries, maxDeliveries, task = ARGV[i + 5], ARGV[i + 6], ARGV[i + 7], ARGV[i + 8]
  local uniqueKey, uniqueFor, envelope, fairKey = ARGV[i + 9], ARGV[i + 10], ARGV[i + 11], ARGV[i + 12]
  local key = base .. 'job:' .. id
  if exists[id] then
    out[#out + 1] = 1
  else
    local holder = false
    if uniqueKey ~= '' then
      holder = redis.call('HGET', base .. 'unique', uniqueKey)
      if holder and not holds(holder) then holder = false end
    end
    if holder then
      out[#out + 1] = holder
    else
      local placed = state == 'READY' and fairKey ~= ''
      if placed then
        runAt = place(priority, fairKey)
        score = readyScore(priority, runAt)
      end
      -- One protected HSET per job: a key of another type (foreign data) answers an error and is left alone.
      local written
      if uniqueKey ~= '' then
        written = redis.pcall('HSET', key, 'envelope', envelope, 'state', state, 'priority', priority,
          'runAt', runAt, 'attempt', attempt, 'deliveries', deliveries, 'maxDeliveries', maxDeliveries,
          'task', task, 'updatedAt', now, 'uniqueKey', uniqueKey, 'uniqueFor', uniqueFor)
      else
        written = redis.pcall('HSET', key, 'envelope', envelope, 'state', state, 'priority', priority,
          'runAt', runAt, 'attempt', attempt, 'deliveries', deliveries, 'maxDeliveries', maxDeliveries,
          'task', task, 'updatedAt', now)
      end
      if type(written) ~= 'number' then
        out[#out + 1] = 2
      else
        exists[id] = true
        if uniqueKey ~= '' then redis.call('HSET', base .. 'unique', uniqueKey, id) end
        if placed then
          redis.call('HSET', key, 'fairKey', fairKey)
          redis.call('HSET', base .. 'fair', fairKey, id)
        end
        stored(state == 'READY' and readyAdds or scheduledAdds, score, id)
      end
    end
  end
end
flush()
if wake and queuesKey then redis.call('SADD', queuesKey, ARGV[3]) end
if wake then redis.call('PUBLISH', ARGV[2], ARGV[3]) end
return out

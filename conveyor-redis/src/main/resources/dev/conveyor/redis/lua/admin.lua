-- Operator changes to the jobs of one queue: redrive, cancel, delete, purge and prune.
-- KEYS[1] = {prefix:queue}:ready
-- ARGV[1] = operation, ARGV[2] = now (ms), ARGV[3] = wake-up channel, ARGV[4] = queue name, then:
--   redrive: ids                 -> ids re-driven (DEAD or CANCELLED, not corrupt records -> READY now)
--   cancel:  done channel, ids   -> per id 'C' (was ready or scheduled: CANCELLED now), 'R' (running: the
--                                   cancel is requested), 'F' (already finished) or 'N' (no such job)
--   delete:  ids                 -> ids deleted (any state but RUNNING; unique keys freed)
--   purge:   state, batch        -> {ids deleted, entries examined} from the first batch of that state's set
--   prune:   state, cutoff (ms, exclusive; '' = any age), limit
--                                -> ids deleted: finished before cutoff, oldest finished first (ties by id),
--                                   skipping jobs whose unique key is still held (finishedAt + uniqueFor > now);
--                                   succeeded jobs with their own keep time once it has passed, whatever the
--                                   cutoff, and never before
-- The caller removes the deleted ids from the {prefix}:index hash (another slot in Redis Cluster).
local op = ARGV[1]
local now = tonumber(ARGV[2])
local base = string.sub(KEYS[1], 1, -6)
local SETS = {'ready', 'scheduled', 'leased', 'succeeded', 'dead', 'cancelled', 'kept', 'all'}
local FINISHED = {succeeded = true, dead = true, cancelled = true}
local UNFINISHED = {READY = true, SCHEDULED = true, RUNNING = true}
-- #include common

for _, suffix in ipairs(SETS) do
  local t = redis.call('TYPE', base .. suffix).ok
  if t ~= 'none' and t ~= 'zset' then
    return redis.error_reply('WRONGTYPE conveyor: ' .. base .. suffix .. ' is a ' .. t .. ', expected a zset')
  end
end
local uniqueType = redis.call('TYPE', base .. 'unique').ok
if uniqueType ~= 'none' and uniqueType ~= 'hash' then
  return redis.error_reply('WRONGTYPE conveyor: ' .. base .. 'unique is a ' .. uniqueType .. ', expected a hash')
end

local function remove(id)
  local key = base .. 'job:' .. id
  for _, suffix in ipairs(SETS) do redis.call('ZREM', base .. suffix, id) end
  for _, column in ipairs({'env', 'tok', 'res'}) do redis.call('HDEL', base .. column, id) end
  if isHash(key) then
    local u = redis.call('HGET', key, 'uniqueKey')
    if u and u ~= '' and redis.call('HGET', base .. 'unique', u) == id then redis.call('HDEL', base .. 'unique', u) end
    redis.call('DEL', key)
  end
end

local function holdsKey(holder)
  local key = base .. 'job:' .. holder
  if not isHash(key) then return false end
  local h = redis.call('HMGET', key, 'state', 'finishedAt', 'uniqueFor')
  if UNFINISHED[h[1]] then return true end
  local finished, keep = tonumber(h[2]), tonumber(h[3])
  return finished ~= nil and keep ~= nil and keep > 0 and finished + keep > now
end

local out = {}
if op == 'redrive' then
  for i = 5, #ARGV do
    local id = ARGV[i]
    local key = base .. 'job:' .. id
    if isHash(key) then
      local h = redis.call('HMGET', key, 'state', 'corrupt', 'priority', 'uniqueKey')
      if (h[1] == 'DEAD' or h[1] == 'CANCELLED') and h[2] ~= '1' then
        redis.call('ZREM', base .. string.lower(h[1]), id)
        redis.call('HSET', key, 'state', 'READY', 'attempt', 0, 'deliveries', 0, 'runAt', now, 'updatedAt', now)
        redis.call('HDEL', key, 'finishedAt', 'deadReason', 'result', 'token', 'leaseUntil', 'cancelRequested',
          'progress')
        local priority = math.floor(num(h[3], 5))
        if priority < 0 then priority = 0 elseif priority > 9 then priority = 9 end
        redis.call('ZADD', base .. 'ready', (9 - priority) * 10000000000000 + now, id)
        if h[4] and h[4] ~= '' then
          local holder = redis.call('HGET', base .. 'unique', h[4])
          if not holder or (holder ~= id and not holdsKey(holder)) then redis.call('HSET', base .. 'unique', h[4], id) end
        end
        out[#out + 1] = id
      end
    end
  end
  if #out > 0 then redis.call('PUBLISH', ARGV[3], ARGV[4]) end
  return out
elseif op == 'cancel' then
  local cancelled = false
  for i = 6, #ARGV do
    local id = ARGV[i]
    local key = base .. 'job:' .. id
    materialize(base, id) -- a column job (common.lua) becomes a job hash first
    local h = isHash(key) and redis.call('HMGET', key, 'state', 'uniqueKey', 'uniqueFor') or {false}
    if not h[1] then
      out[#out + 1] = 'N'
    elseif h[1] == 'RUNNING' then
      redis.call('HSET', key, 'cancelRequested', '1', 'updatedAt', now)
      out[#out + 1] = 'R'
    elseif h[1] == 'READY' or h[1] == 'SCHEDULED' then
      redis.call('ZREM', base .. 'ready', id)
      redis.call('ZREM', base .. 'scheduled', id)
      redis.call('HSET', key, 'state', 'CANCELLED', 'deadReason', 'cancelled', 'finishedAt', now, 'updatedAt', now)
      redis.call('ZADD', base .. 'cancelled', now, id)
      if h[2] and h[2] ~= '' and num(h[3], 0) <= 0 and redis.call('HGET', base .. 'unique', h[2]) == id then
        redis.call('HDEL', base .. 'unique', h[2])
      end
      cancelled = true
      out[#out + 1] = 'C'
    else
      out[#out + 1] = 'F'
    end
  end
  if cancelled then redis.call('PUBLISH', ARGV[5], ARGV[4]) end
  return out
elseif op == 'delete' then
  for i = 5, #ARGV do
    local id = ARGV[i]
    local key = base .. 'job:' .. id
    materialize(base, id)
    if isHash(key) and redis.call('HGET', key, 'state') ~= 'RUNNING' then
      remove(id)
      out[#out + 1] = id
    end
  end
  return out
elseif op == 'purge' then
  local set = ARGV[5]
  if not FINISHED[set] then return redis.error_reply('conveyor: purge of ' .. tostring(set)) end
  local ids = redis.call('ZRANGE', base .. set, 0, num(ARGV[6], 500) - 1)
  for _, id in ipairs(ids) do
    local key = base .. 'job:' .. id
    if set == 'succeeded' and not isHash(key) and redis.call('HEXISTS', base .. 'env', id) == 1 then
      remove(id) -- a column job (common.lua) in the succeeded set: succeeded
      out[#out + 1] = id
    elseif not isHash(key) then
      redis.call('ZREM', base .. set, id)
    elseif string.lower(redis.call('HGET', key, 'state') or '') == set then
      remove(id)
      out[#out + 1] = id
    else
      redis.call('ZREM', base .. set, id) -- a stale entry: the job has moved on
    end
  end
  return {out, #ids}
elseif op == 'prune' then
  local set = ARGV[5]
  if not FINISHED[set] then return redis.error_reply('conveyor: prune of ' .. tostring(set)) end
  -- Succeeded jobs with their own keep time (settle.lua): kept lists them by the time they may go, and their
  -- score in succeeded is that time too, so the age pass below meets them only once they may go anyway. The
  -- age pass with no cutoff (a count limit) stops at now: it never takes such a job early.
  local cutoff = ARGV[6] == '' and (set == 'succeeded' and ARGV[2] or '+inf') or ('(' .. ARGV[6])
  local limit = num(ARGV[7], 100)
  -- What may go: this state, and its unique key no longer held.
  local function prunable(id)
    local key = base .. 'job:' .. id
    local h = isHash(key) and redis.call('HMGET', key, 'state', 'finishedAt', 'uniqueFor') or {false, false, false}
    if not h[1] and set == 'succeeded' and redis.call('HEXISTS', base .. 'env', id) == 1 then
      h = {'SUCCEEDED', 0, false} -- a column job (common.lua): no unique key to keep
    end
    local keep = tonumber(h[3])
    if string.lower(h[1] or '') ~= set then return false end -- not this state (or not a job): left alone
    return not (keep ~= nil and num(h[2], 0) + keep > now) -- else its unique key is still held
  end
  -- Deletes what may go among the ids of sorted set key scored up to max, oldest first; an entry that stale(id)
  -- says is out of date is dropped from key, any other one that may not go yet is stepped over.
  local function sweep(key, max, stale)
    local offset = 0
    while #out < limit do
      local ids = redis.call('ZRANGEBYSCORE', key, '-inf', max, 'LIMIT', offset, 200)
      if #ids == 0 then break end
      for _, id in ipairs(ids) do
        if #out >= limit then break end
        if prunable(id) then
          remove(id)
          out[#out + 1] = id
        elseif stale and stale(id) then
          redis.call('ZREM', key, id)
        else
          offset = offset + 1 -- a held unique key, or not this state: tried again next time
        end
      end
    end
  end
  if set == 'succeeded' then
    -- an entry of kept whose job is no longer succeeded (deleted, or foreign data) is dropped
    sweep(base .. 'kept', now, function(id) return not redis.call('ZSCORE', base .. 'succeeded', id) end)
  end
  sweep(base .. set, cutoff, nil)
  return out
end
return redis.error_reply('conveyor: unknown operation ' .. tostring(op))

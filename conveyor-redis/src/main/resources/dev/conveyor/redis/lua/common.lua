-- Helpers shared by the scripts, put in place of each script's "-- #include common" line when the script is
-- loaded (LuaScript): Redis runs every script on its own, so they cannot import each other. A script that
-- includes this defines `now` (ms) before the include line; unused helpers cost nothing.

local function num(v, default)
  local x = tonumber(v)
  if x == nil or x ~= x then return default end
  return x
end

local function isHash(key)
  return redis.call('TYPE', key).ok == 'hash'
end

local function readyScore(priority, runAt)
  priority = math.floor(num(priority, 5))
  if priority < 0 then priority = 0 elseif priority > 9 then priority = 9 end
  runAt = num(runAt, now)
  if runAt < 0 then runAt = 0 elseif runAt > 9999999999999 then runAt = 9999999999999 end
  return (9 - priority) * 10000000000000 + runAt
end

-- Byte-wise string order (Lua's < follows the server's locale).
local function lexLess(a, b)
  local n = math.min(#a, #b)
  for i = 1, n do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x < y end
  end
  return #a < #b
end

local function appendError(key, json)
  local errors = redis.call('HGET', key, 'errors')
  if errors and string.sub(errors, 1, 1) == '[' and string.sub(errors, -1) == ']' and #errors > 2 then
    errors = string.sub(errors, 1, -2) .. ',' .. json .. ']'
  else
    errors = '[' .. json .. ']'
  end
  redis.call('HSET', key, 'errors', errors)
end

-- The job's own keep time after success (ms), from the header conveyor-keep-result-ms of its envelope, or false.
-- The envelope is decoded only when it names the header (a plain find first: most never do).
local function keepResultMs(envelope)
  if type(envelope) ~= 'string' or not string.find(envelope, 'conveyor-keep-result-ms', 1, true) then return false end
  local ok, doc = pcall(cjson.decode, envelope)
  if not ok or type(doc) ~= 'table' or type(doc.headers) ~= 'table' then return false end
  local v = doc.headers['conveyor-keep-result-ms']
  if type(v) ~= 'string' or not string.match(v, '^%d+$') or #v > 13 then return false end
  return tonumber(v)
end

-- Sorted-set changes of the whole batch, sent as one variadic command per set at the end: one redis.call per
-- set instead of one per job (each call costs about as much as its work). Nothing in the loop reads these sets.
local pending = {}
local function batch(cmd, key)
  local list = {}
  pending[#pending + 1] = {cmd, key, list}
  return list
end
local function flush()
  for _, p in ipairs(pending) do
    local list = p[3]
    for i = 1, #list, 4000 do -- unpack has a stack limit; 4000 keeps score/member pairs together
      redis.call(p[1], p[2], unpack(list, i, math.min(#list, i + 3999)))
    end
  end
end

-- Column jobs (docs/PROTOCOL.md, "Column jobs"): a job the Java broker enqueued ready, with no unique or fairness
-- key and fresh counters, has no job hash while it goes the common way (ready -> running -> succeeded). Its
-- envelope is a field of {prefix:queue}:env, its result of {prefix:queue}:res, and its state is where it is: in
-- the ready or succeeded sorted set, or running while {prefix:queue}:tok holds its lease ("token::fetchedAt"; a
-- broker version before 2026-11-26 wrote "token:score:fetchedAt", its ready score kept).
-- A running column job's deadline is its fetch's: {prefix:queue}:batches scores each fetch token by its lease
-- deadline, and {prefix:queue}:lease:<token> (a hash: ids = JSON list of the ids, left = how many are not settled
-- yet) lets an expired fetch's jobs be found. So enqueue, fetch and ack write a few variadic commands per batch
-- instead of a hash per job, and a fetch writes no per-job deadline. Anything else done to such a job first turns
-- it into an ordinary job hash (materialize) and then runs the code written for job hashes.
-- (A column job leased by a broker version before lease batches has its deadline in leased instead.)
local BAND = 10000000000000

local function fmt(x)
  return string.format('%.0f', x)
end

-- The lease deadline (ms, as text) of running column job id under fetch token: its fetch's, or (leased by an older
-- broker version) its own entry in leased; nil when neither is there (the lease is gone).
local function leaseDeadline(base, token, id)
  local d = token and token ~= '' and redis.call('ZSCORE', base .. 'batches', token)
  if d then return d end
  return redis.call('ZSCORE', base .. 'leased', id) or nil
end

-- n jobs of fetch token's batch are settled (acked, or turned into job hashes): the batch's record goes when none
-- is left. A record that is not a hash (foreign data) is left alone.
local function settledFromBatch(base, token, n)
  local rec = base .. 'lease:' .. token
  local left = redis.pcall('HINCRBY', rec, 'left', string.format('%d', -n)) -- %d: no printf of a double
  if type(left) == 'number' and left <= 0 then
    redis.call('DEL', rec)
    redis.call('ZREM', base .. 'batches', token)
  end
end

-- Epoch milliseconds of an instant as Java's Instant.toString writes it in an envelope (UTC, "Z", 0 to 9
-- fraction digits: 2026-11-26T13:46:49.409093155Z), truncated like the broker's scores; nil for anything else.
local function instantMs(s)
  if type(s) ~= 'string' then return nil end
  local y, mo, d, h, mi, sec, frac = string.match(s, '^(%d%d%d%d)%-(%d%d)%-(%d%d)T(%d%d):(%d%d):(%d%d)%.?(%d*)Z$')
  if not y then return nil end
  y, mo, d = tonumber(y), tonumber(mo), tonumber(d)
  if mo < 1 or mo > 12 or d < 1 or d > 31 then return nil end
  -- days since 1970-01-01 of a proleptic Gregorian date (the civil-from-days algorithm, inverted)
  if mo <= 2 then y = y - 1 end
  local era = math.floor(y / 400)
  local yoe = y - era * 400
  local doy = math.floor((153 * ((mo + 9) % 12) + 2) / 5) + d - 1
  local days = era * 146097 + yoe * 365 + math.floor(yoe / 4) - math.floor(yoe / 100) + doy - 719468
  local seconds = ((days * 24 + tonumber(h)) * 60 + tonumber(mi)) * 60 + tonumber(sec)
  return seconds * 1000 + tonumber(string.sub(frac .. '000', 1, 3))
end

-- The fields a job hash would hold for column job id, or nil when id is not a column job.
local function columnFields(base, id)
  local env = redis.call('HGET', base .. 'env', id)
  if not env then return nil end
  local f = {envelope = env, attempt = '0'}
  -- task, maxDeliveries, priority and runAt from the envelope (cold paths only; a garbled one reads as task-less,
  -- default 3 deliveries, and as its ready score says or due now with priority 5)
  local ok, doc = pcall(cjson.decode, env)
  local enveloped -- its ready score as the envelope gives it
  if ok and type(doc) == 'table' then
    if type(doc.task) == 'string' then f.task = doc.task end
    if type(doc.maxDeliveries) == 'number' then f.maxDeliveries = fmt(doc.maxDeliveries) end
    local p = type(doc.priority) == 'number' and doc.priority or 5
    local at = instantMs(doc.runAt)
    if at and p >= 0 and p <= 9 and p == math.floor(p) then enveloped = readyScore(p, at) end
  end
  f.maxDeliveries = f.maxDeliveries or '3'
  local score
  local t = redis.call('HGET', base .. 'tok', id)
  if t then
    local token, s, at = string.match(t, '^([^:]*):([^:]*):(.*)$')
    f.state, f.deliveries, f.token = 'RUNNING', '1', token or ''
    f.leaseUntil = leaseDeadline(base, token, id) or '0'
    f.updatedAt = at
    score = tonumber(s) or enveloped -- the score as an older version kept it, else the envelope's
  else
    score = redis.call('ZSCORE', base .. 'ready', id)
    if score then
      f.state, f.deliveries = 'READY', '0'
      score = tonumber(score)
    else
      local finished = redis.call('ZSCORE', base .. 'succeeded', id)
      if finished then
        f.state, f.deliveries, f.finishedAt, f.updatedAt = 'SUCCEEDED', '1', finished, finished
        f.result = redis.call('HGET', base .. 'res', id) or nil
      end
    end
  end
  if score then
    local p = 9 - math.floor(score / BAND)
    f.priority, f.runAt = tostring(p), fmt(score - (9 - p) * BAND)
    f.updatedAt = f.updatedAt or f.runAt
  end
  return f
end

-- Column job id as a flat field/value list (HGETALL's shape), or nil.
local function flatten(f)
  local out = {}
  for k, v in pairs(f) do
    out[#out + 1] = k
    out[#out + 1] = v
  end
  return out
end
local function columnFlat(base, id)
  local f = columnFields(base, id)
  return f and flatten(f) or nil
end

-- Turns column job id into a job hash (same state, same sets); true if it did. False when id is not a column
-- job, or when its job key holds something else (foreign data: left alone, and the job stays a column job).
local function materialize(base, id)
  local f = columnFields(base, id)
  if not f then return false end
  local written = redis.pcall('HSET', base .. 'job:' .. id, unpack(flatten(f)))
  if type(written) ~= 'number' then return false end
  if f.state == 'RUNNING' then
    -- a running job hash is in leased by its deadline; its fetch's batch has one job fewer to wait for
    redis.call('ZADD', base .. 'leased', f.leaseUntil, id)
    if redis.call('ZSCORE', base .. 'batches', f.token) then settledFromBatch(base, f.token, 1) end
  end
  redis.call('HDEL', base .. 'env', id)
  redis.call('HDEL', base .. 'tok', id)
  redis.call('HDEL', base .. 'res', id)
  return true
end

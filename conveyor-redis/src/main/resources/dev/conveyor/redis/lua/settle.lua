-- Changes leased jobs of one queue under their fencing tokens: ack, retry, bury, extend, release or progress.
-- An item whose lease is not current (another token, expired at now, job gone or not RUNNING) changes nothing.
-- A job whose cancel was requested (field cancelRequested) ends CANCELLED when it is retried or buried.
-- KEYS[1] = {prefix:queue}:ready
-- ARGV[1] = operation, ARGV[2] = now (ms), ARGV[3] = wake-up channel, ARGV[4] = queue name, ARGV[5] = the
-- channel told (with the queue name) when jobs finished, for waiters on results; then per item
-- (id, token, a) for an ack, (id, token, a, b, c) for the others, where a, b, c depend on the operation:
--   ack:     a = the result JSON, or '' for none
--   retry:   a = runAt (ms), b = attempts to add (0|1), c = error JSON ('' for a postponement: none)
--   bury:    a = attempts to add (0|1), b = error JSON, c = dead reason; a trailing '!' on a marks the record
--            corrupt (it cannot be re-driven)
--   extend:  a = new lease deadline (ms)
--   release: (none used)
--   progress: a = the progress JSON ({"percent":…,"message":…,"at":…})
--   started: (none used) marks the handler of this delivery started (startedDelivery = deliveries), so the
--            reclaim counts this lease toward quarantine if its worker is lost
-- Returns per item 1 (applied), 0 (stale) or, for extend, 2 (applied, and a cancel was requested).
local op = ARGV[1]
local now = tonumber(ARGV[2])
local base = string.sub(KEYS[1], 1, -6)
local out = {}
local wake = false
local finished = false
-- #include common
-- now as the text a sorted-set score is sent as, formatted once per call: a Lua number passed to redis.call is
-- formatted again on every call, and number formatting was a visible share of the server's time.
local nowText = fmt(now)

local leasedRemoves = batch('ZREM', base .. 'leased')
local leasedAdds = batch('ZADD', base .. 'leased')
local adds = {READY = batch('ZADD', base .. 'ready'), SCHEDULED = batch('ZADD', base .. 'scheduled'),
  SUCCEEDED = batch('ZADD', base .. 'succeeded'), DEAD = batch('ZADD', base .. 'dead'),
  CANCELLED = batch('ZADD', base .. 'cancelled')}
local function add(state, score, id)
  local list = adds[state]
  list[#list + 1] = score
  list[#list + 1] = id
end

local keptAdds = batch('ZADD', base .. 'kept')

-- Ends a job in a finished state; frees its unique key unless it is held for uniqueFor after finishing.
-- (token and leaseUntil are left as they were: they mean something only while the state is RUNNING.)
-- A succeeded job with its own keep time (header conveyor-keep-result-ms) is scored in succeeded by the
-- time it may go (finishedAt + keep) and listed in kept, so the pruner finds it then, not by its finish time.
local function finish(key, id, state, h)
  redis.call('HSET', key, 'state', state, 'finishedAt', now, 'updatedAt', now)
  leasedRemoves[#leasedRemoves + 1] = id
  local keep = state == 'SUCCEEDED' and keepResultMs(redis.call('HGET', key, 'envelope'))
  if keep then
    add(state, now + keep, id)
    keptAdds[#keptAdds + 1] = now + keep
    keptAdds[#keptAdds + 1] = id
  else
    add(state, nowText, id)
  end
  if h[4] and h[4] ~= '' and num(h[5], 0) <= 0 and redis.call('HGET', base .. 'unique', h[4]) == id then
    redis.call('HDEL', base .. 'unique', h[4])
  end
end

local OPS = {ack = true, retry = true, bury = true, extend = true, release = true, progress = true, started = true}
if not OPS[op] then return redis.error_reply('conveyor: unknown operation ' .. tostring(op)) end

-- Key types, checked before anything is written: a batch either applies or is refused whole. TYPE is asked only
-- of keys the call may write without reading them first (a read of a key of another type fails with nothing
-- written yet): an ack of column jobs only, the common call, checks the four it writes that way, where checking
-- all twelve was half of a one-job ack's commands.
local HASHES = {unique = true, env = true, tok = true, res = true}
local function wrongType(suffixes)
  for _, suffix in ipairs(suffixes) do
    local t = redis.call('TYPE', base .. suffix).ok
    local want = HASHES[suffix] and 'hash' or 'zset'
    if t ~= 'none' and t ~= want then
      return redis.error_reply('WRONGTYPE conveyor: ' .. base .. suffix .. ' is a ' .. t .. ', expected a ' .. want)
    end
  end
  return nil
end
local EVERY = {'ready', 'scheduled', 'leased', 'succeeded', 'dead', 'cancelled', 'kept', 'unique', 'env', 'tok', 'res',
  'batches'}
if op ~= 'ack' then
  local refused = wrongType(EVERY)
  if refused then return refused end
end

-- Leases of column jobs (common.lua): their tokens, one HMGET for the batch; each fetch's deadline, once per call.
local ids = {}
local stride = op == 'ack' and 3 or 5
for i = 6, #ARGV, stride do ids[#ids + 1] = ARGV[i] end
local toks = {}
for i = 1, #ids, 4000 do
  local part = redis.pcall('HMGET', base .. 'tok', unpack(ids, i, math.min(#ids, i + 3999)))
  if part.err then return wrongType({'tok'}) or part end
  for k = 1, #part do toks[i + k - 1] = part[k] end
end
if op == 'ack' then
  -- Column jobs write succeeded, res, and batches and leased (read one job at a time in the loop); a job hash's
  -- ack may write any key, as other operations do.
  local columnsOnly = true
  for k = 1, #ids do
    if not toks[k] then columnsOnly = false break end
  end
  local refused = wrongType(columnsOnly and {'succeeded', 'res', 'batches', 'leased'} or EVERY)
  if refused then return refused end
end
local fetchDeadlines = {} -- fetch token -> its lease deadline (ms), or false when its record is gone
local function fetchDeadline(t)
  local d = fetchDeadlines[t]
  if d == nil then
    d = tonumber(redis.call('ZSCORE', base .. 'batches', t) or '') or false
    fetchDeadlines[t] = d
  end
  return d
end
local settledPerFetch = {} -- fetch token -> column jobs of that fetch acked in this call
local tokRemoves = batch('HDEL', base .. 'tok')
local results = batch('HSET', base .. 'res')

local tokenOf = {} -- a tok entry's value -> its token: one match per fetch, as its jobs share the value
local n = 0
for i = 6, #ARGV, stride do
  local id, token, a, b, c = ARGV[i], ARGV[i + 1], ARGV[i + 2], nil, nil
  if stride == 5 then b, c = ARGV[i + 3], ARGV[i + 4] end
  n = n + 1
  local column = toks[n]
  local key -- the job hash's key, made only for job hashes (most acks are of column jobs)
  local stuck = false
  if column and op ~= 'ack' then
    -- anything but an ack works on a job hash: make one (it keeps the lease as it is); a job key holding
    -- foreign data cannot become one, and the item is answered stale
    stuck = not materialize(base, id)
    column = false
  end
  local h, current, leaseToken, ownDeadline
  if stuck then
    current = false
  elseif column then
    -- ack of a column job: its token, and its fetch's deadline still ahead (or its own in leased, if an older
    -- broker version leased it)
    leaseToken = tokenOf[column]
    if not leaseToken then
      leaseToken = string.match(column, '^([^:]*)')
      tokenOf[column] = leaseToken
    end
    local deadline = fetchDeadline(leaseToken)
    if not deadline then
      deadline = tonumber(redis.call('ZSCORE', base .. 'leased', id) or '')
      ownDeadline = deadline ~= nil
    end
    current = leaseToken == token and (deadline or 0) > now
  else
    key = base .. 'job:' .. id
    -- pcall: a key of another type answers an error value instead of aborting the batch (no TYPE needed).
    h = redis.pcall('HMGET', key, 'state', 'token', 'leaseUntil', 'uniqueKey', 'uniqueFor', 'attempt',
      'deliveries', 'priority', 'runAt', 'cancelRequested')
    current = type(h) == 'table' and not h.err and h[1] == 'RUNNING' and h[2] == token and num(h[3], 0) > now
  end
  if not current then
    out[#out + 1] = 0
  elseif column then
    out[#out + 1] = 1
    finished = true
    if ownDeadline then
      leasedRemoves[#leasedRemoves + 1] = id
    else
      settledPerFetch[leaseToken] = (settledPerFetch[leaseToken] or 0) + 1
    end
    tokRemoves[#tokRemoves + 1] = id
    add('SUCCEEDED', nowText, id)
    if a ~= '' then
      results[#results + 1] = id
      results[#results + 1] = a
    end
  else
    out[#out + 1] = 1
    if op == 'ack' or op == 'bury' or (op == 'retry' and h[10] == '1') then finished = true end
    if op == 'ack' then
      if a ~= '' then redis.call('HSET', key, 'result', a) end
      finish(key, id, 'SUCCEEDED', h)
    elseif op == 'retry' then
      local runAt = num(a, now)
      if c ~= '' then appendError(key, c) end -- a postponement records no error
      leasedRemoves[#leasedRemoves + 1] = id
      -- a garbled attempt count is read as 0 rather than failing the whole batch
      local attempt = num(h[6], 0) + num(b, 0)
      -- A postponement (no error: a rate or concurrency limit) gives its delivery back, as a release does, so
      -- waiting on a limit never counts towards quarantine.
      local deliveries = num(h[7], 1)
      if c == '' then deliveries = math.max(0, deliveries - 1) end
      redis.call('HDEL', key, 'progress') -- progress belongs to the run that ended
      if h[10] == '1' then -- a cancelled job is not retried
        redis.call('HSET', key, 'runAt', a, 'attempt', attempt, 'deadReason', 'cancelled')
        finish(key, id, 'CANCELLED', h)
      elseif runAt <= now then
        redis.call('HSET', key, 'state', 'READY', 'runAt', a, 'attempt', attempt, 'deliveries', deliveries,
          'updatedAt', now)
        add('READY', readyScore(h[8], runAt), id)
        wake = true
      else
        redis.call('HSET', key, 'state', 'SCHEDULED', 'runAt', a, 'attempt', attempt, 'deliveries', deliveries,
          'updatedAt', now)
        add('SCHEDULED', runAt, id)
      end
    elseif op == 'bury' then
      local corrupt = string.sub(a, -1) == '!'
      if corrupt then
        a = string.sub(a, 1, -2)
        redis.call('HSET', key, 'corrupt', '1')
      end
      appendError(key, b)
      if h[10] == '1' then -- the run was stopped by a cancel: no attempt used
        redis.call('HSET', key, 'deadReason', 'cancelled')
        finish(key, id, 'CANCELLED', h)
      else
        redis.call('HSET', key, 'deadReason', c, 'attempt', num(h[6], 0) + num(a, 0))
        finish(key, id, 'DEAD', h)
      end
    elseif op == 'extend' then
      redis.call('HSET', key, 'leaseUntil', a)
      leasedAdds[#leasedAdds + 1] = a
      leasedAdds[#leasedAdds + 1] = id
      if h[10] == '1' then out[#out] = 2 end
    elseif op == 'progress' then
      redis.call('HSET', key, 'progress', a)
    elseif op == 'started' then
      redis.call('HSET', key, 'startedDelivery', num(h[7], 0))
    elseif op == 'release' then
      leasedRemoves[#leasedRemoves + 1] = id
      if h[10] == '1' then -- handed back after a cancel: it ends here instead of running again
        redis.call('HSET', key, 'deadReason', 'cancelled')
        finish(key, id, 'CANCELLED', h)
        finished = true
      else
        local deliveries = num(h[7], 1) - 1
        if deliveries < 0 then deliveries = 0 end
        redis.call('HSET', key, 'state', 'READY', 'deliveries', deliveries, 'updatedAt', now)
        redis.call('HDEL', key, 'progress', 'startedDelivery')
        add('READY', readyScore(h[8], h[9]), id)
        wake = true
      end
    end
  end
end
for t, n in pairs(settledPerFetch) do settledFromBatch(base, t, n) end
flush()
if wake then redis.call('PUBLISH', ARGV[3], ARGV[4]) end
if finished then redis.call('PUBLISH', ARGV[5], ARGV[4]) end
return out

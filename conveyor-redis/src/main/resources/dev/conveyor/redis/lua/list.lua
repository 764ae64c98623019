-- One step of a listing of one queue's jobs in id order: scans up to ARGV[6] ids of {prefix:queue}:all after
-- ARGV[4] and returns the jobs that match. The caller repeats from the returned position until it has enough.
-- KEYS[1] = {prefix:queue}:ready
-- ARGV[1] = now (ms), ARGV[2] = state ('' = any; a SCHEDULED job that is due counts as READY), ARGV[3] = task
-- ('' = any), ARGV[4] = list after this id ('' = from the start), ARGV[5] = most matches wanted, ARGV[6] = most
-- ids examined.
-- Returns {matches, last id examined or false, 1 if the listing reached the end else 0}; each match is
-- {id, field1, value1, field2, value2, ...} (the job hash).
local base = string.sub(KEYS[1], 1, -6)
local now = tonumber(ARGV[1])
local state, task, after = ARGV[2], ARGV[3], ARGV[4]
local want, budget = tonumber(ARGV[5]), tonumber(ARGV[6])
-- #include common
local t = redis.call('TYPE', base .. 'all').ok
if t ~= 'none' and t ~= 'zset' then
  return redis.error_reply('WRONGTYPE conveyor: ' .. base .. 'all is a ' .. t .. ', expected a zset')
end
local matches = {}

-- Adds the job to the matches if it is in the wanted state and task; true once enough were found.
local function consider(id)
  local key = base .. 'job:' .. id
  local h, entry
  if redis.call('TYPE', key).ok == 'hash' then
    h = redis.call('HMGET', key, 'state', 'task', 'runAt')
  else
    local f = columnFields(base, id) -- a column job (common.lua)
    if not f then return false end
    h = {f.state or false, f.task or false, f.runAt or false}
    entry = flatten(f)
  end
  local visible = h[1]
  if visible == 'SCHEDULED' and (tonumber(h[3]) or 0) <= now then visible = 'READY' end
  if (state == '' or visible == state) and (task == '' or h[2] == task) then
    entry = entry or redis.call('HGETALL', key)
    table.insert(entry, 1, id)
    matches[#matches + 1] = entry
  end
  return #matches >= want
end

-- With a state filter whose sorted sets are small next to the whole queue (a dead-letter view of a busy
-- queue), list from those sets instead of scanning every id.
-- (Running column jobs are the fields of the tok hash, not members of leased.)
local STATE_SETS = {READY = {'ready', 'scheduled'}, SCHEDULED = {'scheduled'}, RUNNING = {'leased', 'tok'},
  SUCCEEDED = {'succeeded'}, DEAD = {'dead'}, CANCELLED = {'cancelled'}}
local sets = STATE_SETS[state]
if sets then
  local n = 0
  for _, suffix in ipairs(sets) do
    local st = redis.call('TYPE', base .. suffix).ok
    if st == 'zset' then
      n = n + redis.call('ZCARD', base .. suffix)
    elseif st == 'hash' and suffix == 'tok' then
      n = n + redis.call('HLEN', base .. suffix)
    elseif st ~= 'none' then
      n = math.huge
    end
  end
  if n <= 10000 and n * 8 < redis.call('ZCARD', base .. 'all') then
    local ids = {}
    for _, suffix in ipairs(sets) do
      local members = suffix == 'tok' and redis.call('HKEYS', base .. suffix) or redis.call('ZRANGE', base .. suffix, 0, -1)
      for _, id in ipairs(members) do
        if after == '' or lexLess(after, id) then ids[#ids + 1] = id end
      end
    end
    table.sort(ids, lexLess)
    for _, id in ipairs(ids) do
      if consider(id) then return {matches, id, 0} end
    end
    return {matches, false, 1}
  end
end

local ids = redis.call('ZRANGEBYLEX', base .. 'all', after == '' and '-' or ('(' .. after), '+', 'LIMIT', 0, budget)
local last = false
for _, id in ipairs(ids) do
  last = id
  if consider(id) then return {matches, id, 0} end
end
return {matches, last, #ids < budget and 1 or 0}

-- Counts one queue's jobs by state (a SCHEDULED job that is due counts as READY) and finds the runAt of the
-- longest-waiting ready job.
-- KEYS[1] = {prefix:queue}:ready; ARGV[1] = now (ms)
-- Returns {ready, scheduled, running, succeeded, dead, cancelled, oldest ready runAt (ms) or false}.
local base = string.sub(KEYS[1], 1, -6)
local now = tonumber(ARGV[1])
for _, suffix in ipairs({'ready', 'scheduled', 'leased', 'succeeded', 'dead', 'cancelled'}) do
  local t = redis.call('TYPE', base .. suffix).ok
  if t ~= 'none' and t ~= 'zset' then
    return redis.error_reply('WRONGTYPE conveyor: ' .. base .. suffix .. ' is a ' .. t .. ', expected a zset')
  end
end
local tokType = redis.call('TYPE', base .. 'tok').ok
if tokType ~= 'none' and tokType ~= 'hash' then
  return redis.error_reply('WRONGTYPE conveyor: ' .. base .. 'tok is a ' .. tokType .. ', expected a hash')
end
local dueScheduled = redis.call('ZCOUNT', base .. 'scheduled', '-inf', now)
local out = {
  redis.call('ZCARD', base .. 'ready') + dueScheduled,
  redis.call('ZCARD', base .. 'scheduled') - dueScheduled,
  redis.call('ZCARD', base .. 'leased') + redis.call('HLEN', base .. 'tok'), -- job hashes, and column jobs
  redis.call('ZCARD', base .. 'succeeded'),
  redis.call('ZCARD', base .. 'dead'),
  redis.call('ZCARD', base .. 'cancelled'),
}
-- Ready scores are (9 - priority) * 1e13 + runAt: the earliest runAt is the first entry of some priority band.
local oldest = nil
for band = 0, 9 do
  local low = band * 10000000000000
  local first = redis.call('ZRANGEBYSCORE', base .. 'ready', low, '(' .. (low + 10000000000000), 'WITHSCORES',
    'LIMIT', 0, 1)
  if #first > 0 then
    local runAt = tonumber(first[2]) - low
    if oldest == nil or runAt < oldest then oldest = runAt end
  end
end
local due = redis.call('ZRANGEBYSCORE', base .. 'scheduled', '-inf', now, 'WITHSCORES', 'LIMIT', 0, 1)
if #due > 0 then
  local runAt = tonumber(due[2])
  if oldest == nil or runAt < oldest then oldest = runAt end
end
out[7] = oldest ~= nil and tostring(oldest) or false
return out

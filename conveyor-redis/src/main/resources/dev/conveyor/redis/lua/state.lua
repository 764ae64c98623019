-- Compare-and-set of one entry of the shared state (StateStore): schedules' fire times, pause flags.
-- KEYS[1] = {prefix}:state (hash key -> value; one slot for all of the prefix's state)
-- ARGV[1] = key, ARGV[2] = '1' if a value is expected (ARGV[3]) or '0' if the key must be absent,
-- ARGV[4] = '1' to store ARGV[5] or '0' to delete the key.
-- Returns {1} when written, {0} when the stored value was not the expected one.
local t = redis.call('TYPE', KEYS[1]).ok
if t ~= 'none' and t ~= 'hash' then
  return redis.error_reply('WRONGTYPE conveyor: ' .. KEYS[1] .. ' is a ' .. t .. ', expected a hash')
end
local current = redis.call('HGET', KEYS[1], ARGV[1])
if ARGV[2] == '1' then
  if current ~= ARGV[3] then return {0} end
elseif current then
  return {0}
end
if ARGV[4] == '1' then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[5])
else
  redis.call('HDEL', KEYS[1], ARGV[1])
end
return {1}

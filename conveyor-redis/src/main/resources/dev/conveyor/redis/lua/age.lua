-- Priority aging: moves up to limit ready jobs of one queue from priority p to p + 1, those ready since
-- readySince or earlier (runAt <= readySince), earliest first. The runAt part of the score is kept; only the
-- priority band changes (one band is 1e13 wide, see readyScore).
-- KEYS[1] = {prefix:queue}:ready
-- ARGV[1] = now (ms), ARGV[2] = priority (0-8), ARGV[3] = readySince (ms), ARGV[4] = limit
-- Returns how many jobs moved.
local base = string.sub(KEYS[1], 1, -6)
local now = tonumber(ARGV[1])
local p = tonumber(ARGV[2])
local readySince = tonumber(ARGV[3])
local limit = tonumber(ARGV[4])
-- #include common
local t = redis.call('TYPE', KEYS[1]).ok
if t ~= 'zset' then return 0 end
local low = (9 - p) * BAND
local hits = redis.call('ZRANGEBYSCORE', KEYS[1], low, low + math.max(0, readySince), 'LIMIT', 0, limit, 'WITHSCORES')
local moved = 0
for i = 1, #hits, 2 do
  local id, score = hits[i], tonumber(hits[i + 1])
  local key = base .. 'job:' .. id
  materialize(base, id) -- a column job (common.lua) becomes a job hash: it changes its priority
  -- Only a job hash that says READY moves (pcall: a foreign key of another type answers an error value).
  if redis.pcall('HGET', key, 'state') == 'READY' then
    redis.call('HSET', key, 'priority', p + 1, 'updatedAt', now)
    redis.call('ZADD', KEYS[1], score - BAND, id)
    moved = moved + 1
  end
end
return moved

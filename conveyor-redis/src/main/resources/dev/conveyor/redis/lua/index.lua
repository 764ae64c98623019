-- Registers job ids in the id -> queue index and the queue in the queue registry (one slot: {prefix}).
-- KEYS[1] = {prefix}:index (hash id -> queue), KEYS[2] = {prefix}:queues (set of queue names)
-- ARGV = id1, queue1, id2, queue2, ...
-- Returns, per pair, false when the id is now indexed under that queue, or the other queue it already names.
-- Runs before the jobs' enqueue script (in Redis Cluster the index lives in another slot), so an entry whose
-- job was never stored can exist: readers treat an entry without a job as "not found".
for i, key in ipairs(KEYS) do
  local t = redis.call('TYPE', key).ok
  if t ~= 'none' and t ~= (i == 1 and 'hash' or 'set') then
    return redis.error_reply('WRONGTYPE conveyor: ' .. key .. ' is a ' .. t)
  end
end
local out = {}
local seen = {}
for i = 1, #ARGV, 2 do
  local id, queue = ARGV[i], ARGV[i + 1]
  if redis.call('HSETNX', KEYS[1], id, queue) == 1 then
    out[#out + 1] = false
  else
    local current = redis.call('HGET', KEYS[1], id)
    if current == queue then out[#out + 1] = false else out[#out + 1] = current end
  end
  if not seen[queue] then
    redis.call('SADD', KEYS[2], queue)
    seen[queue] = true
  end
end
return out

-- Registers job ids in the id -> queue index and the queues in the queue registry (one slot: {prefix}).
-- KEYS[1] = {prefix}:index (hash id -> queue), KEYS[2] = {prefix}:queues (set of queue names)
-- ARGV = id1, queue1, id2, queue2, ...
-- Returns, per pair, false when the id is now indexed under that queue, or the other queue it already names.
-- Runs before the jobs' enqueue script (in Redis Cluster the index lives in another slot), so an entry whose
-- job was never stored can exist: readers treat an entry without a job as "not found". A few calls per batch,
-- not per job: one HMGET, one HSET of the new entries, one SADD.
for i, key in ipairs(KEYS) do
  local t = redis.call('TYPE', key).ok
  if t ~= 'none' and t ~= (i == 1 and 'hash' or 'set') then
    return redis.error_reply('WRONGTYPE conveyor: ' .. key .. ' is a ' .. t)
  end
end
local ids, queues = {}, {}
for i = 1, #ARGV, 2 do
  ids[#ids + 1] = ARGV[i]
  queues[#queues + 1] = ARGV[i + 1]
end
local current = {}
for i = 1, #ids, 4000 do -- unpack has a stack limit
  local part = redis.call('HMGET', KEYS[1], unpack(ids, i, math.min(#ids, i + 3999)))
  for k = 1, #part do current[i + k - 1] = part[k] end
end
local out, news, claimed, seenQueue, newQueues = {}, {}, {}, {}, {}
for k, id in ipairs(ids) do
  local queue = queues[k]
  local existing = current[k] or claimed[id]
  if not existing then
    claimed[id] = queue
    news[#news + 1] = id
    news[#news + 1] = queue
    out[k] = false
  elseif existing == queue then
    out[k] = false
  else
    out[k] = existing
  end
  if not seenQueue[queue] then
    seenQueue[queue] = true
    newQueues[#newQueues + 1] = queue
  end
end
for i = 1, #news, 4000 do redis.call('HSET', KEYS[1], unpack(news, i, math.min(#news, i + 3999))) end
for i = 1, #newQueues, 4000 do redis.call('SADD', KEYS[2], unpack(newQueues, i, math.min(#newQueues, i + 3999))) end
return out

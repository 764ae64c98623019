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

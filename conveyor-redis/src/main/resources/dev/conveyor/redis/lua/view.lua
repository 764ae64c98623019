-- Reads one job of one queue for inspection (get): its job hash, or for a column job (common.lua) the fields
-- a job hash would hold. Changes nothing.
-- KEYS[1] = {prefix:queue}:ready; ARGV[1] = id
-- Returns the flat field/value list of HGETALL; empty when there is no such job (or its key holds foreign data).
local base = string.sub(KEYS[1], 1, -6)
local now = 0
-- #include common
local id = ARGV[1]
local key = base .. 'job:' .. id
local t = redis.call('TYPE', key).ok
if t == 'hash' then return redis.call('HGETALL', key) end
if t ~= 'none' then return {} end
if redis.call('TYPE', base .. 'env').ok ~= 'hash' then return {} end
return columnFlat(base, id) or {}

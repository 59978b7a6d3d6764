-- schedule_left.lua: free seats of one schedule, counted without scanning seats.
-- Read-only.
--
-- KEYS[1] meta  KEYS[2] holds  KEYS[3] sold
-- ARGV: none
--
-- Returns total - sold - live holds, or -1 when the state is not loaded.

local total = redis.call('HGET', KEYS[1], 'total')
if not total then
  return -1
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
return tonumber(total) - redis.call('SCARD', KEYS[3])
       - redis.call('ZCOUNT', KEYS[2], '(' .. now, '+inf')

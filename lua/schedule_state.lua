-- schedule_state.lua: the live state of one schedule for its seat map. Read-only.
--
-- KEYS[1] meta  KEYS[2] holds  KEYS[3] sold
-- ARGV: none
--
-- Returns {0} when the state is not loaded, else
--   {1, total seats, {sold seat ids}, {seat ids under a live hold}}.

local total = redis.call('HGET', KEYS[1], 'total')
if not total then
  return {0}
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
return {1, tonumber(total), redis.call('SMEMBERS', KEYS[3]),
        redis.call('ZRANGEBYSCORE', KEYS[2], '(' .. now, '+inf')}

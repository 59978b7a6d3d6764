-- queue_overview.lua: what operators see at GET /api/admin/queue. Read-only.
--
-- KEYS[1] waiting  KEYS[2] working  KEYS[3] settings  KEYS[4] admissions
-- ARGV: none
--
-- Returns {waiting, working, capacity|false, batch_size|false, tick_ms|false, paused|false,
--          admitted in the last minute}; false where no runtime override is stored.

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local s = redis.call('HMGET', KEYS[3], 'capacity', 'batch_size', 'tick_ms', 'paused')
local sum = 0
for _, entry in ipairs(redis.call('ZRANGEBYSCORE', KEYS[4], now - 60000, '+inf')) do
  sum = sum + tonumber(string.match(entry, ':(%d+)$'))
end
return {redis.call('ZCARD', KEYS[1]), redis.call('ZCARD', KEYS[2]), s[1], s[2], s[3], s[4], sum}

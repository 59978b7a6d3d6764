-- hold_seat.lua: take a seat for a user until now + ttl, if nobody holds or bought it.
-- Expired holds stop counting at their expiry instant: no sweeper is needed for the seat
-- to be free again. Time comes from redis.call('TIME').
--
-- KEYS[1] meta        HASH total; absent when the schedule's state is not loaded
-- KEYS[2] holds       ZSET seat id -> hold expiry (ms)
-- KEYS[3] holders     HASH seat id -> holder's user id
-- KEYS[4] sold        SET seat ids
-- KEYS[5] user holds  ZSET seat id -> hold expiry (ms), this user's holds in this schedule
-- ARGV[1] seat id     ARGV[2] user id
-- ARGV[3] hold length (ms)
-- ARGV[4] most live holds per user in this schedule
--
-- Returns {'ok', expiry ms} | {'unavailable', 0} | {'limit', 0} | {'missing', 0}
-- ('missing': load the schedule's state from the database, then call again).

if redis.call('EXISTS', KEYS[1]) == 0 then
  return {'missing', 0}
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

-- Forget holds that have ended, so the hash and set stay as small as the live holds.
local ended = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, 1000)
if #ended > 0 then
  redis.call('ZREM', KEYS[2], unpack(ended))
  redis.call('HDEL', KEYS[3], unpack(ended))
end

if redis.call('SISMEMBER', KEYS[4], ARGV[1]) == 1 then
  return {'unavailable', 0}
end
local expiry = tonumber(redis.call('ZSCORE', KEYS[2], ARGV[1]))
if expiry and expiry > now then
  return {'unavailable', 0}
end
redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', now)
if redis.call('ZCARD', KEYS[5]) >= tonumber(ARGV[4]) then
  return {'limit', 0}
end

local until_ms = now + tonumber(ARGV[3])
redis.call('ZADD', KEYS[2], until_ms, ARGV[1])
redis.call('HSET', KEYS[3], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[5], until_ms, ARGV[1])
redis.call('PEXPIREAT', KEYS[5], until_ms)
return {'ok', until_ms}

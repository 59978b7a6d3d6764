-- queue_join.lua: the first call for a user appends a new token to the back of the
-- waiting line; any later call (even one racing the first) gets the live token's state.
--
-- KEYS[1] tokens      HASH user id -> "jti:iat:exp" (seconds)
-- KEYS[2] waiting     ZSET user id -> arrival number
-- KEYS[3] heartbeats  ZSET user id -> last heartbeat (ms)
-- KEYS[4] working     ZSET user id -> session end (ms)
-- KEYS[5] arrivals    STRING counter, the source of arrival numbers
-- ARGV[1] user id
-- ARGV[2] candidate token id (UUID), used only when a new token is created
-- ARGV[3] token lifetime (seconds)
--
-- Returns {record, 'waiting', position, 0} or {record, 'working', 0, session end (ms)};
-- record is "jti:iat:exp" of the user's one live token.

local now = now_ms()
local state = live_state(KEYS[1], KEYS[2], KEYS[3], KEYS[4], ARGV[1], now)
if state then
  return state
end
local iat = math.floor(now / 1000)
local record = ARGV[2] .. ':' .. iat .. ':' .. (iat + tonumber(ARGV[3]))
local arrival = redis.call('INCR', KEYS[5])
redis.call('HSET', KEYS[1], ARGV[1], record)
redis.call('ZADD', KEYS[2], arrival, ARGV[1])
redis.call('ZADD', KEYS[3], now, ARGV[1])
return {record, 'waiting', redis.call('ZRANK', KEYS[2], ARGV[1]) + 1, 0}

-- queue_join.lua: the first call for a user appends them to the back of the waiting line
-- with a new arrival stamp; any later call (even one racing the first) gets the live
-- token's state.
--
-- KEYS[1] waiting     ZSET user id -> arrival stamp (µs)
-- KEYS[2] heartbeats  ZSET user id -> last heartbeat (ms)
-- KEYS[3] working     ZSET user id -> session end (ms)
-- KEYS[4] admitted    HASH user id -> arrival stamp, working users only
-- KEYS[5] last stamp  STRING the latest arrival stamp handed out
-- ARGV[1] user id
-- ARGV[2] token lifetime (s)
--
-- Returns {stamp, 'waiting', position, 0, joined} or {stamp, 'working', 0, session end (ms),
-- 0}; joined is 1 when this call created the token. Stamps are the join time in µs, made
-- strictly increasing, so the line is in arrival order and no two tokens share a stamp.

local now = now_ms()
local state = live_state(KEYS[1], KEYS[2], KEYS[3], KEYS[4], ARGV[1], tonumber(ARGV[2]), now)
if state then
  state[5] = 0
  return state
end
local stamp = math.max(now * 1000, (tonumber(redis.call('GET', KEYS[5])) or 0) + 1)
local text = string.format('%d', stamp)
redis.call('SET', KEYS[5], text)
redis.call('ZADD', KEYS[1], text, ARGV[1])
redis.call('ZADD', KEYS[2], now, ARGV[1])
return {stamp, 'waiting', redis.call('ZRANK', KEYS[1], ARGV[1]) + 1, 0, 1}

-- queue_check.lua: is this token's working session live? The guard of every booking
-- route: one call, read-only.
--
-- KEYS[1] admitted  HASH user id -> arrival stamp, working users only
-- KEYS[2] working   ZSET user id -> session end (ms)
-- ARGV[1] user id
-- ARGV[2] the token's arrival stamp (µs), carried in its id
--
-- Returns the session end (ms) when the user's working token is this one, else 0. An
-- older token of the same user never passes.

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then
  return 0
end
local session_end = tonumber(redis.call('ZSCORE', KEYS[2], ARGV[1]))
if session_end and session_end > now then
  return session_end
end
return 0

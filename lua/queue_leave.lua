-- queue_leave.lua: end a working session now (after payment), so the place in the working
-- set goes to the next waiting user.
--
-- KEYS[1] admitted  HASH user id -> arrival stamp, working users only
-- KEYS[2] working   ZSET user id -> session end (ms)
-- ARGV[1] user id
-- ARGV[2] the token's arrival stamp (µs); only that token's session ends
--
-- Returns 1 when a session ended, 0 when that token had none (a waiting token is left
-- alone).

if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then
  return 0
end
redis.call('HDEL', KEYS[1], ARGV[1])
return redis.call('ZREM', KEYS[2], ARGV[1])

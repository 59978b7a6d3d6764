-- hold_release.lua: end a user's hold on a seat now (the user cancelled).
--
-- KEYS[1] holds  KEYS[2] holders  KEYS[3] user holds
-- ARGV[1] seat id  ARGV[2] user id
--
-- Returns 1 when the user's hold ended, 0 when the user held no such seat.

if redis.call('HGET', KEYS[2], ARGV[1]) ~= ARGV[2] then
  return 0
end
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
return 1

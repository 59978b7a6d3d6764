-- seat_sell.lua: a payment committed in the database; the seat is sold and its hold ends.
-- Runs even when the schedule's state is not loaded, so a later load merges with it.
--
-- KEYS[1] holds  KEYS[2] holders  KEYS[3] sold  KEYS[4] user holds
-- ARGV[1] seat id
--
-- Returns 1.

redis.call('SADD', KEYS[3], ARGV[1])
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[4], ARGV[1])
return 1

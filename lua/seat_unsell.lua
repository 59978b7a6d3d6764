-- seat_unsell.lua: a refund committed in the database; the seat is on sale again.
--
-- KEYS[1] sold
-- ARGV[1] seat id
--
-- Returns 1 when the seat was marked sold, else 0.

return redis.call('SREM', KEYS[1], ARGV[1])

-- schedule_load.lua: load a schedule's state from the database's facts, once. Concurrent
-- loaders race safely: only the first one (meta absent) writes; sold seats are merged
-- with any sold marks written since (seat_sell.lua runs without a loaded state).
--
-- KEYS[1] meta  KEYS[2] holds  KEYS[3] holders  KEYS[4] sold
-- ARGV[1] total seats
-- ARGV[2] n, the number of sold seat ids that follow
-- ARGV[3 .. 2+n] sold seat ids
-- ARGV[3+n ..] live holds as triples: seat id, expiry ms, user id
--
-- Returns 1 when this call loaded the state, 0 when it was already loaded.

if redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
local n = tonumber(ARGV[2])
for i = 3, 2 + n, 1000 do
  redis.call('SADD', KEYS[4], unpack(ARGV, i, math.min(i + 999, 2 + n)))
end
for i = 3 + n, #ARGV, 3 do
  if redis.call('SISMEMBER', KEYS[4], ARGV[i]) == 0 then
    redis.call('ZADD', KEYS[2], ARGV[i + 1], ARGV[i])
    redis.call('HSET', KEYS[3], ARGV[i], ARGV[i + 2])
  end
end
redis.call('HSET', KEYS[1], 'total', ARGV[1])
return 1

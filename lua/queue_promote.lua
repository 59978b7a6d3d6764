-- queue_promote.lua: one scheduler tick. Ends expired working sessions, drops waiting
-- users whose last heartbeat is too old, then admits the oldest waiting users up to the
-- capacity of working users, at most one batch. Every instance runs it every tick; a tick
-- closer than 0.9 × tick_ms to the last one (by any instance) is skipped, so N instances
-- admit exactly what one would.
--
-- KEYS[1] waiting     ZSET user id -> arrival stamp (µs)
-- KEYS[2] heartbeats  ZSET user id -> last heartbeat (ms)
-- KEYS[3] working     ZSET user id -> session end (ms)
-- KEYS[4] admitted    HASH user id -> arrival stamp, working users only
-- KEYS[5] settings    HASH capacity, batch_size, tick_ms, paused (runtime overrides), last_tick
-- KEYS[6] admissions  ZSET "tick ms:count" -> tick ms, the last minute's admissions
-- ARGV[1] default capacity        ARGV[2] default batch size
-- ARGV[3] default tick (ms)       ARGV[4] default paused (0 or 1)
-- ARGV[5] session length (ms)     ARGV[6] idle timeout (ms)
-- ARGV[7] most sessions ended and idle users dropped per tick (bounds the tick's time)
--
-- Returns {ran (0|1), admitted, sessions ended, idle dropped, waiting, working,
--          admitted in the last minute, tick ms in force, tick of the oldest of those
--          admissions (ms, 0 without one), capacity in force, batch size in force,
--          paused (0|1)}.

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local s = redis.call('HMGET', KEYS[5], 'capacity', 'batch_size', 'tick_ms', 'paused', 'last_tick')
local capacity = tonumber(s[1]) or tonumber(ARGV[1])
local batch = tonumber(s[2]) or tonumber(ARGV[2])
local tick = tonumber(s[3]) or tonumber(ARGV[3])
local paused = tonumber(s[4]) or tonumber(ARGV[4])
local last_tick = tonumber(s[5]) or 0
local limit = tonumber(ARGV[7])

-- The admissions of the last minute and the tick of the oldest of them.
local function admitted_last_minute()
  redis.call('ZREMRANGEBYSCORE', KEYS[6], '-inf', now - 60000)
  local sum, since = 0, 0
  for _, entry in ipairs(redis.call('ZRANGE', KEYS[6], 0, -1)) do
    local tick, count = string.match(entry, '^(%d+):(%d+)$')
    sum = sum + tonumber(count)
    if since == 0 then
      since = tonumber(tick)
    end
  end
  return sum, since
end

if now - last_tick < tick * 0.9 then
  local sum, since = admitted_last_minute()
  return {0, 0, 0, 0, redis.call('ZCARD', KEYS[1]), redis.call('ZCARD', KEYS[3]), sum, tick, since,
          capacity, batch, paused}
end
redis.call('HSET', KEYS[5], 'last_tick', now)

-- Lua's unpack() is bounded by the C stack; remove members in slices.
local function remove(key, command, members)
  for i = 1, #members, 1000 do
    redis.call(command, key, unpack(members, i, math.min(i + 999, #members)))
  end
end

local ended = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now, 'LIMIT', 0, limit)
remove(KEYS[3], 'ZREM', ended)
remove(KEYS[4], 'HDEL', ended)

local idle = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now - tonumber(ARGV[6]), 'LIMIT', 0, limit)
remove(KEYS[1], 'ZREM', idle)
remove(KEYS[2], 'ZREM', idle)

local admitted = 0
if paused ~= 1 then
  local room = math.min(capacity - redis.call('ZCARD', KEYS[3]), batch)
  if room > 0 then
    -- {user, stamp, user, stamp, ...}; stamps stay strings, exact.
    local next_users = redis.call('ZRANGE', KEYS[1], 0, room - 1, 'WITHSCORES')
    admitted = #next_users / 2
    if admitted > 0 then
      redis.call('ZREMRANGEBYRANK', KEYS[1], 0, admitted - 1)
      local session_end = string.format('%d', now + tonumber(ARGV[5]))
      for i = 1, #next_users, 1000 do
        local users, sessions, stamps = {}, {}, {}
        for j = i, math.min(i + 999, #next_users), 2 do
          users[#users + 1] = next_users[j]
          sessions[#sessions + 1] = session_end
          sessions[#sessions + 1] = next_users[j]
          stamps[#stamps + 1] = next_users[j]
          stamps[#stamps + 1] = next_users[j + 1]
        end
        redis.call('ZREM', KEYS[2], unpack(users))
        redis.call('ZADD', KEYS[3], unpack(sessions))
        redis.call('HSET', KEYS[4], unpack(stamps))
      end
      redis.call('ZADD', KEYS[6], now, now .. ':' .. admitted)
    end
  end
end

local sum, since = admitted_last_minute()
return {1, admitted, #ended, #idle, redis.call('ZCARD', KEYS[1]), redis.call('ZCARD', KEYS[3]),
        sum, tick, since, capacity, batch, paused}

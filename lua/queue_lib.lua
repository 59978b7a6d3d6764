-- queue_lib.lua: shared helpers, prepended by the Rust wrappers to queue_status.lua and
-- queue_join.lua (it is not a script on its own).
--
-- A token is identified by its user and arrival stamp (Unix µs, strictly increasing):
-- the service derives the token id and times from the two, so a waiting user costs one
-- entry in `waiting` and one in `heartbeats` and nothing else.
--
-- Time comes from redis.call('TIME'), never from the caller: every instance then agrees
-- on one clock, whatever their own clocks say. Stamps pass through string.format('%d')
-- because Lua would print a 16-digit number in exponent form.

local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- Whether a token that arrived at `stamp` (µs) and lives `ttl` seconds is alive at `now`
-- (ms). The issue time is the stamp's whole second, as in the token's `iat` claim.
local function alive(stamp, ttl, now)
  return (math.floor(stamp / 1000000) + ttl) * 1000 > now
end

-- The live state of a user's token, with a heartbeat for waiting users, or nil when the
-- user has no live token. A token that expired or whose session ended is forgotten here,
-- so the next join starts a fresh one.
--   waiting, heartbeats, working, admitted: the queue's keys; user: user id;
--   ttl: token lifetime (s); now: ms
-- Returns {stamp, 'waiting', position (1-based), 0} or {stamp, 'working', 0, session end ms}.
local function live_state(waiting, heartbeats, working, admitted, user, ttl, now)
  local stamp = tonumber(redis.call('ZSCORE', waiting, user))
  if stamp then
    if alive(stamp, ttl, now) then
      redis.call('ZADD', heartbeats, now, user)
      return {stamp, 'waiting', redis.call('ZRANK', waiting, user) + 1, 0}
    end
    redis.call('ZREM', waiting, user)
    redis.call('ZREM', heartbeats, user)
    return nil
  end
  stamp = tonumber(redis.call('HGET', admitted, user))
  if stamp then
    local session_end = tonumber(redis.call('ZSCORE', working, user))
    if session_end and session_end > now and alive(stamp, ttl, now) then
      return {stamp, 'working', 0, session_end}
    end
    redis.call('HDEL', admitted, user)
    redis.call('ZREM', working, user)
  end
  return nil
end

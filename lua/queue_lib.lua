-- queue_lib.lua: shared helpers, prepended by the Rust wrappers to queue_status.lua and
-- queue_join.lua (it is not a script on its own).
--
-- Time comes from redis.call('TIME'), never from the caller: every instance then agrees
-- on one clock, whatever their own clocks say.

local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- The live state of a user's token, with a heartbeat for waiting users, or nil when the
-- user has no live token. A token that expired, whose session ended or that was dropped
-- is forgotten here, so the next join starts a fresh one.
--   tokens, waiting, heartbeats, working: the queue's keys; user: user id; now: ms
-- Returns {record, 'waiting', position (1-based), 0} or {record, 'working', 0, session end ms}.
local function live_state(tokens, waiting, heartbeats, working, user, now)
  local record = redis.call('HGET', tokens, user)
  if not record then
    return nil
  end
  local exp = tonumber(string.match(record, ':(%d+)$'))
  local rank = redis.call('ZRANK', waiting, user)
  local session_end = tonumber(redis.call('ZSCORE', working, user))
  if exp and exp * 1000 > now then
    if rank then
      redis.call('ZADD', heartbeats, now, user)
      return {record, 'waiting', rank + 1, 0}
    end
    if session_end and session_end > now then
      return {record, 'working', 0, session_end}
    end
  end
  redis.call('HDEL', tokens, user)
  redis.call('ZREM', waiting, user)
  redis.call('ZREM', heartbeats, user)
  redis.call('ZREM', working, user)
  return nil
end

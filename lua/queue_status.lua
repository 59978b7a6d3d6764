-- queue_status.lua: the state of a user's live token, counted as a heartbeat.
--
-- KEYS[1] tokens      HASH user id -> "jti:iat:exp" (seconds)
-- KEYS[2] waiting     ZSET user id -> arrival number
-- KEYS[3] heartbeats  ZSET user id -> last heartbeat (ms), waiting users only
-- KEYS[4] working     ZSET user id -> session end (ms)
-- ARGV[1] user id
--
-- Returns nil when the user has no live token, else
--   {record, 'waiting', position (1-based), 0} or {record, 'working', 0, session end (ms)}.
-- Positions come from ZRANK: O(log N) and exact.

return live_state(KEYS[1], KEYS[2], KEYS[3], KEYS[4], ARGV[1], now_ms())

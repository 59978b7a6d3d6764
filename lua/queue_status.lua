-- queue_status.lua: the state of a user's live token, counted as a heartbeat.
--
-- KEYS[1] waiting     ZSET user id -> arrival stamp (µs), the line
-- KEYS[2] heartbeats  ZSET user id -> last heartbeat (ms), waiting users only
-- KEYS[3] working     ZSET user id -> session end (ms)
-- KEYS[4] admitted    HASH user id -> arrival stamp, working users only
-- ARGV[1] user id
-- ARGV[2] token lifetime (s)
--
-- Returns nil when the user has no live token, else
--   {stamp, 'waiting', position (1-based), 0} or {stamp, 'working', 0, session end (ms)}.
-- Positions come from ZRANK: O(log N) and exact.

return live_state(KEYS[1], KEYS[2], KEYS[3], KEYS[4], ARGV[1], tonumber(ARGV[2]), now_ms())

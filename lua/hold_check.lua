-- hold_check.lua: does this user hold this seat right now? Read-only.
--
-- KEYS[1] meta  KEYS[2] holds  KEYS[3] holders  KEYS[4] sold
-- ARGV[1] seat id  ARGV[2] user id
--
-- Returns {'held', expiry ms} when the user's hold is live, {'sold', 0} when the seat is
-- sold, {'none', 0} otherwise, {'missing', 0} when the schedule's state is not loaded.

if redis.call('EXISTS', KEYS[1]) == 0 then
  return {'missing', 0}
end
if redis.call('SISMEMBER', KEYS[4], ARGV[1]) == 1 then
  return {'sold', 0}
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local expiry = tonumber(redis.call('ZSCORE', KEYS[2], ARGV[1]))
if expiry and expiry > now and redis.call('HGET', KEYS[3], ARGV[1]) == ARGV[2] then
  return {'held', expiry}
end
return {'none', 0}

-- Moves a user's read marker in a room forward (never back) and tells all their connections.
-- KEYS[1] {user}:reads (hash room -> seq)   KEYS[2] {user}:rooms (set of joined rooms)
-- ARGV[1] room   ARGV[2] seq   ARGV[3] the user's events channel
-- Returns the marker after the call.
local current = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
local seq = tonumber(ARGV[2])
redis.call('SADD', KEYS[2], ARGV[1])
if seq <= current then
  return current
end
redis.call('HSET', KEYS[1], ARGV[1], seq)
redis.call('SPUBLISH', ARGV[3], '{"type":"read","room":' .. cjson.encode(ARGV[1]) .. ',"seq":' .. seq .. '}')
return seq

-- Checks a session and extends it (sessions expire after a TTL without use).
-- KEYS[1] the name's claim key   KEYS[2] the session's key
-- ARGV[1] session id   ARGV[2] TTL in seconds
-- Returns the username, or false if the session is unknown, expired or revoked.
local username = redis.call('GET', KEYS[2])
if not username then return false end
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  redis.call('DEL', KEYS[2])
  return false
end
redis.call('EXPIRE', KEYS[1], ARGV[2])
redis.call('EXPIRE', KEYS[2], ARGV[2])
return username

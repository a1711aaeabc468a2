-- Ends a session and frees its username at once.
-- KEYS[1] the name's claim key   KEYS[2] the session's key
-- ARGV[1] hash of the token
-- Returns 1 if the session existed, 0 otherwise.
local existed = redis.call('DEL', KEYS[2])
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
end
return existed

-- Ends a session, frees its username at once, and tells the user's connections (the
-- gateways close those of this session with 4401).
-- KEYS[1] the name's claim key   KEYS[2] the session's key
-- ARGV[1] session id   ARGV[2] the user's events channel
-- Returns 1 if the session existed, 0 otherwise.
local existed = redis.call('DEL', KEYS[2])
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
end
redis.call('SPUBLISH', ARGV[2], '{"type":"revoked","sid":' .. cjson.encode(ARGV[1]) .. '}')
return existed

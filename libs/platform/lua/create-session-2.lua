-- Claims a username for a new session, atomically with the session itself.
-- KEYS[1] the name's claim key   KEYS[2] the new session's key
-- ARGV[1] session id   ARGV[2] the username as typed   ARGV[3] TTL in seconds
-- Returns 1 if the name was free and is now claimed, 0 if another session holds it.
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[3]) then
  return 0
end
redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[3])
return 1

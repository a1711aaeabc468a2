-- Where a user stands in a room, in one call: banned?, muted until?, the room's admin?,
-- a member? (the last only matters for private rooms).
-- KEYS[1] {room}:banned   KEYS[2] {room}:muted   KEYS[3] {room}:admins   KEYS[4] {room}:members
-- ARGV[1] the username key
-- Returns { banned (0/1), muted until (ms, or false), admin (0/1), member (0/1) }.
return {
  redis.call('SISMEMBER', KEYS[1], ARGV[1]),
  redis.call('HGET', KEYS[2], ARGV[1]),
  redis.call('SISMEMBER', KEYS[3], ARGV[1]),
  redis.call('SISMEMBER', KEYS[4], ARGV[1]),
}

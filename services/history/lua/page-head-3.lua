-- What a request for a room's latest page checks first, in one call: whether the caller is
-- a member (which only matters for a private room), and the two numbers that say whether a
-- page read before is still the room's latest page: the head seq (every stored message and
-- every edit, delete or reaction takes the next seq) and the log's length (retention trims
-- the log without moving the head).
-- KEYS[1] {room}:members   KEYS[2] {room}:seq   KEYS[3] {room}:log
-- ARGV[1] the username key
-- Returns { member (0/1), head seq (or false: an empty room), log length }.
return {
  redis.call('SISMEMBER', KEYS[1], ARGV[1]),
  redis.call('GET', KEYS[2]),
  redis.call('XLEN', KEYS[3]),
}

-- Forwards a typing notice unless the user sent one in the room within the throttle window.
-- KEYS[1] {room}:typing:<user>   ARGV[1] throttle (ms)   ARGV[2] the room's live channel
-- ARGV[3] the typing frame (JSON)
-- Returns 1 if forwarded, 0 if throttled.
if redis.call('SET', KEYS[1], '1', 'PX', ARGV[1], 'NX') then
  redis.call('SPUBLISH', ARGV[2], ARGV[3])
  return 1
end
return 0

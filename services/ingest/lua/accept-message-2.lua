-- Accepts a message with a clientMsgId exactly once: the idempotency record and the
-- partition entry are written together, so a crash can never leave one without the other.
-- KEYS[1] the partition stream   KEYS[2] the idempotency key (same partition slot)
-- ARGV[1] the new message id     ARGV[2] idempotency TTL in seconds
-- ARGV[3..] the entry's field/value pairs
-- Returns { message id, 1 if newly accepted or 0 if it was accepted before }.
local existing = redis.call('GET', KEYS[2])
if existing then
  return { existing, 0 }
end
redis.call('XADD', KEYS[1], '*', unpack(ARGV, 3))
redis.call('SET', KEYS[2], ARGV[1], 'EX', ARGV[2])
return { ARGV[1], 1 }

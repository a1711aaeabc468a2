-- Extends a partition lease if the caller still holds it.
-- KEYS[1] the lease key   ARGV[1] worker id   ARGV[2] TTL in ms
-- Returns 1 if renewed, 0 if the lease is someone else's or gone.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0

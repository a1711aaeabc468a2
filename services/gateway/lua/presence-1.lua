-- Changes a room's presence and publishes the room's user list when it changed.
-- KEYS[1] {room}:presence (sorted set of '<username>|<connection>' scored by expiry, ms)
-- ARGV[1] 'join' | 'leave' | 'refresh'   ARGV[2] now (ms)   ARGV[3] new expiry (ms)
-- ARGV[4] the room's live channel   ARGV[5] room   ARGV[6..] the connections' members
-- Returns the room's users after the change: sorted, each once, expired ones removed; for a
-- 'refresh' that adds and expires nothing (the usual case) it returns an empty list at once
-- instead of scanning the room.
local function users(min)
  local members = redis.call('ZRANGEBYSCORE', KEYS[1], min, '+inf')
  local seen, list = {}, {}
  for _, member in ipairs(members) do
    local user = string.match(member, '^([^|]+)|')
    if user and not seen[user] then
      seen[user] = true
      table.insert(list, user)
    end
  end
  table.sort(list)
  return list
end

local op = ARGV[1]
if op == 'refresh' and redis.call('ZCOUNT', KEYS[1], '-inf', ARGV[2]) == 0 then
  local present = true
  for i = 6, #ARGV do
    if not redis.call('ZSCORE', KEYS[1], ARGV[i]) then
      present = false
      break
    end
  end
  -- Nothing expired and every member is still there: the user list cannot have changed.
  if present then
    for i = 6, #ARGV do
      redis.call('ZADD', KEYS[1], ARGV[3], ARGV[i])
    end
    redis.call('PEXPIREAT', KEYS[1], ARGV[3])
    return {}
  end
end

-- Before: the last state anyone was told of, expired members included, so that an expiry
-- (a gateway that died) is published as a change too.
local before = users('-inf')
for i = 6, #ARGV do
  if op == 'join' then
    redis.call('ZADD', KEYS[1], ARGV[3], ARGV[i])
  elseif op == 'refresh' then
    -- Not XX: after a Redis outage longer than the TTL the members are gone and come back.
    redis.call('ZADD', KEYS[1], ARGV[3], ARGV[i])
  else
    redis.call('ZREM', KEYS[1], ARGV[i])
  end
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
local after = users('(' .. ARGV[2])
if redis.call('ZCARD', KEYS[1]) > 0 then
  redis.call('PEXPIREAT', KEYS[1], ARGV[3])
end
if table.concat(before, '|') ~= table.concat(after, '|') then
  -- cjson would write an empty list as {}.
  local list = #after == 0 and '[]' or cjson.encode(after)
  redis.call('SPUBLISH', ARGV[4], '{"type":"presence","room":' .. cjson.encode(ARGV[5]) .. ',"users":' .. list .. '}')
end
return after

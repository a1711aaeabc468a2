-- Stores one message in its room's ordered log and publishes it, atomically: the message
-- gets the next seq, or nothing happens if this message id was stored before.
-- KEYS[1] {room}:seq   KEYS[2] {room}:log   KEYS[3] {room}:stored:<id>   KEYS[4] {room}:meta
-- KEYS[5] {room}:stored:<id of the room's previous entry in the same batch> (checked if ARGV[9] == '1')
-- KEYS[6] {room}:ids (message id -> seq)   KEYS[7] {room}:replies:<replyTo> (used if ARGV[12] ~= '')
-- ARGV[1] room   ARGV[2] message id   ARGV[3] user   ARGV[4] text   ARGV[5] ts (epoch ms)
-- ARGV[6] clientMsgId or ''   ARGV[7] {room}:live channel   ARGV[8] TTL of the stored-id record (s)
-- ARGV[9] '1' if the previous entry must be stored first
-- ARGV[10] when ingest accepted it (epoch ms): on the live frame as `acceptedAt`, for the
--          gateways' delivery-latency metric (not part of the stored message)
-- ARGV[11] W3C traceparent of the commit's span, or '' (tracing off): on the live frame as
--          `traceparent`, so each gateway's delivery joins the message's trace
-- ARGV[12] seq of the message replied to, or ''   ARGV[13] mentioned users, comma-separated, or ''
-- ARGV[14] '1' if a bot of the room posted it
-- Returns { seq, 1 } when stored now, { seq, 0 } when it had been stored before, and
-- { 0, 2 } when the previous entry is not stored (its commit failed): a batch is pipelined,
-- and this keeps a later message of the room from overtaking one that failed.
local stored = redis.call('GET', KEYS[3])
if stored then
  return { tonumber(stored), 0 }
end
if ARGV[9] == '1' and redis.call('EXISTS', KEYS[5]) == 0 then
  return { 0, 2 }
end
local seq = redis.call('INCR', KEYS[1])
local message = { id = ARGV[2], room = ARGV[1], seq = seq, user = ARGV[3], text = ARGV[4], ts = tonumber(ARGV[5]) }
local fields = { 'id', ARGV[2], 'user', ARGV[3], 'text', ARGV[4], 'ts', ARGV[5] }
if ARGV[6] ~= '' then
  message.clientMsgId = ARGV[6]
  table.insert(fields, 'clientMsgId'); table.insert(fields, ARGV[6])
end
if ARGV[12] ~= '' then
  message.replyTo = tonumber(ARGV[12])
  table.insert(fields, 'replyTo'); table.insert(fields, ARGV[12])
  redis.call('RPUSH', KEYS[7], seq)
end
if ARGV[13] ~= '' then
  local mentions = {}
  for name in string.gmatch(ARGV[13], '[^,]+') do table.insert(mentions, name) end
  message.mentions = mentions
  table.insert(fields, 'mentions'); table.insert(fields, ARGV[13])
end
if ARGV[14] == '1' then
  message.bot = true
  table.insert(fields, 'bot'); table.insert(fields, '1')
end
redis.call('XADD', KEYS[2], seq .. '-0', unpack(fields))
redis.call('SET', KEYS[3], seq, 'EX', ARGV[8])
redis.call('HSET', KEYS[6], ARGV[2], seq)
redis.call('HSET', KEYS[4], 'lastMessageAt', ARGV[5])
local event = { type = 'message', room = ARGV[1], message = message, acceptedAt = tonumber(ARGV[10]) }
if ARGV[11] ~= '' then
  event.traceparent = ARGV[11]
end
redis.call('SPUBLISH', ARGV[7], cjson.encode(event))
return { seq, 1 }

-- Applies one change to a stored message (edit, delete, reaction) as an entry of its own in
-- the room's log, atomically: it gets the next seq, the room's state overlay is updated, and
-- the event frame is published; or, if the change is not (or no longer) allowed, nothing
-- but the record that it was handled.
-- KEYS[1] {room}:seq   KEYS[2] {room}:log   KEYS[3] {room}:stored:<event id>   KEYS[4] {room}:meta
-- KEYS[5] {room}:stored:<previous entry in the batch> (checked if ARGV[9] == '1')
-- KEYS[6] {room}:ids   KEYS[7] {room}:state   KEYS[8] {room}:stored:<target message id>
-- ARGV[1] room   ARGV[2] event id   ARGV[3] kind: edit | delete | react | unreact
-- ARGV[4] who makes the change   ARGV[5] ts (epoch ms)   ARGV[6] target message id
-- ARGV[7] the new text (edit) or the emoji (react, unreact), else ''
-- ARGV[8] '1' if the user may delete anyone's message (an admin)   ARGV[9] '1' if the previous entry must be stored first
-- ARGV[10] accepted at (epoch ms)   ARGV[11] traceparent or ''   ARGV[12] {room}:live channel
-- ARGV[13] TTL of the stored-id record (s)   ARGV[14] most distinct reactions on one message
-- Returns { seq, 1 } when applied now; { seq, 0 } when handled before (seq 0: it was refused);
-- { 0, 2 } when the previous entry is not stored; { 0, 3, reason } when refused now.
local stored = redis.call('GET', KEYS[3])
if stored then
  return { tonumber(stored), 0 }
end
if ARGV[9] == '1' and redis.call('EXISTS', KEYS[5]) == 0 then
  return { 0, 2 }
end
-- A refused change is recorded as handled (seq 0), so that a redelivery is not retried and
-- the next entry of the batch, which names this one as its predecessor, goes ahead.
local function refuse(reason)
  redis.call('SET', KEYS[3], 0, 'EX', ARGV[13])
  return { 0, 3, reason }
end

local kind, actor, ts = ARGV[3], ARGV[4], ARGV[5]
local target = redis.call('HGET', KEYS[6], ARGV[6]) or redis.call('GET', KEYS[8])
if not target or tonumber(target) == 0 then
  return refuse('no such message')
end
local entry = redis.call('XRANGE', KEYS[2], target .. '-0', target .. '-0')[1]
if not entry then
  return refuse('message no longer kept')
end
local author, bot
for i = 1, #entry[2], 2 do
  if entry[2][i] == 'user' then author = entry[2][i + 1] end
  if entry[2][i] == 'bot' then bot = true end
  if entry[2][i] == 'kind' then return refuse('not a message') end
end
local raw = redis.call('HGET', KEYS[7], target)
local state = raw and cjson.decode(raw) or {}
if state.deleted then
  return refuse('message deleted')
end
-- A bot's message is nobody's own, whoever holds the bot's name.
local own = author ~= nil and not bot and string.lower(author) == string.lower(actor)

local fields = { 'kind', kind, 'id', ARGV[2], 'target', target, 'messageId', ARGV[6], 'user', actor, 'ts', ts }
local frame = { room = ARGV[1], target = tonumber(target), messageId = ARGV[6], user = actor }
if kind == 'edit' then
  if not own then return refuse('not the author') end
  state.text = ARGV[7]
  state.editedAt = tonumber(ts)
  table.insert(fields, 'text'); table.insert(fields, ARGV[7])
  frame.type = 'edited'; frame.text = ARGV[7]; frame.editedAt = tonumber(ts)
elseif kind == 'delete' then
  if not own and ARGV[8] ~= '1' then return refuse('not the author') end
  state = { deleted = true }
  frame.type = 'deleted'
else
  local emoji, me = ARGV[7], string.lower(actor)
  local reactions = state.reactions or {}
  local found
  for i, r in ipairs(reactions) do
    if r.e == emoji then found = i end
  end
  local count
  if kind == 'react' then
    if not found then
      if #reactions >= tonumber(ARGV[14]) then return refuse('too many reactions') end
      table.insert(reactions, { e = emoji, u = { me } })
      count = 1
    else
      local users = reactions[found].u
      for _, u in ipairs(users) do
        if u == me then return refuse('already reacted') end
      end
      table.insert(users, me)
      count = #users
    end
  else
    if not found then return refuse('no such reaction') end
    local users, kept = reactions[found].u, {}
    for _, u in ipairs(users) do
      if u ~= me then table.insert(kept, u) end
    end
    if #kept == #users then return refuse('no such reaction') end
    count = #kept
    if count == 0 then table.remove(reactions, found) else reactions[found].u = kept end
  end
  -- An empty Lua table would encode as an object, not an array: drop it instead.
  if #reactions == 0 then state.reactions = nil else state.reactions = reactions end
  table.insert(fields, 'emoji'); table.insert(fields, emoji)
  table.insert(fields, 'count'); table.insert(fields, count)
  frame.type = 'reaction'; frame.emoji = emoji; frame.added = kind == 'react'; frame.count = count
end

local seq = redis.call('INCR', KEYS[1])
redis.call('XADD', KEYS[2], seq .. '-0', unpack(fields))
if next(state) == nil then
  redis.call('HDEL', KEYS[7], target)
else
  redis.call('HSET', KEYS[7], target, cjson.encode(state))
end
redis.call('SET', KEYS[3], seq, 'EX', ARGV[13])
redis.call('HSET', KEYS[4], 'lastMessageAt', ts)
frame.seq = seq
frame.acceptedAt = tonumber(ARGV[10])
if ARGV[11] ~= '' then frame.traceparent = ARGV[11] end
redis.call('SPUBLISH', ARGV[12], cjson.encode(frame))
return { seq, 1 }

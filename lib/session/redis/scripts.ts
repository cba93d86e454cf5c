/**
 * The store's writes, each one Lua script on one key, so that it is atomic
 * (on a Redis Cluster too): a change never lands on a session that ended
 * meanwhile, and two changes at once each keep what they wrote. ARGV[1] is
 * the key's TTL in milliseconds.
 */

/** KEYS[1] a new session, ARGV[2…] its fields and values. Returns 1, or 0 if the id is taken. */
export const CREATE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1`;

/**
 * Writes the fields a change set and deletes those it removed, only if the
 * session still exists and stays within ARGV[2] bytes. ARGV[3]: n; ARGV[4]:
 * empty, or "=" and the device binding (`d`) the change read, which must be
 * the record's still; then n field/value pairs, then the fields to delete.
 * Returns {1, size}, {0, 0} when the session is gone, {-1, size} when it
 * would be too large, {3, 0} when its binding changed meanwhile (a renewal
 * came first: no challenge is used twice), and {2, 0}
 * when the change left it holding nothing of its own (no user, no
 * permanence, no value): it is then deleted. Judged here, on the record as
 * it is, not on what the change read: a value another change set meanwhile
 * keeps the session.
 */
export const UPDATE = `
if redis.call('EXISTS', KEYS[1]) == 0 then return {0, 0} end
local n = tonumber(ARGV[3])
local fields = {}
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do fields[all[i]] = all[i + 1] end
if ARGV[4] ~= '' and '=' .. (fields['d'] or '') ~= ARGV[4] then return {3, 0} end
for i = 5, 4 + 2 * n, 2 do fields[ARGV[i]] = ARGV[i + 1] end
for i = 5 + 2 * n, #ARGV do fields[ARGV[i]] = nil end
local size = 0
for field, value in pairs(fields) do size = size + #field + #value end
if size > tonumber(ARGV[2]) then return {-1, size} end
if n > 0 then redis.call('HSET', KEYS[1], unpack(ARGV, 5, 4 + 2 * n)) end
if #ARGV >= 5 + 2 * n then redis.call('HDEL', KEYS[1], unpack(ARGV, 5 + 2 * n)) end
local kept = false
for field in pairs(fields) do
  if field == 'u' or field == 'p' or string.sub(field, 1, 2) == 'v.' then kept = true end
end
if not kept then
  redis.call('DEL', KEYS[1])
  return {2, 0}
end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return {1, size}`;

/** A session in use slides forward: its refreshedAt (ARGV[2]) and TTL, never backwards. */
export const TOUCH = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if tonumber(redis.call('HGET', KEYS[1], 'r') or '0') >= tonumber(ARGV[2]) then return 1 end
redis.call('HSET', KEYS[1], 'r', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1`;

/**
 * KEYS[1] a user's index: ARGV[2] the session id, scored by when it expires
 * (ARGV[3], ms), never lowered; the index lives as long as its longest member.
 */
export const INDEX = `
redis.call('ZADD', KEYS[1], 'GT', ARGV[3], ARGV[2])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return 1`;

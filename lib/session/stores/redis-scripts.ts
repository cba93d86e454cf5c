/**
 * The Redis store's writes, each one Lua script so that it is atomic: a
 * change never lands on a session that ended meanwhile, and two changes at
 * once each keep what they wrote. (Keys other than KEYS[] are named inside
 * LIST only; the store runs on one Redis server, not a cluster.)
 */

/**
 * Every script takes the same first arguments: KEYS[1] the session, KEYS[2]
 * (when it has a user) the user's index; ARGV[1] the TTL in ms, ARGV[2] the
 * session's id, ARGV[3] its score in the index (when it expires), ARGV[4]
 * the index's own TTL in ms. What follows is the script's own.
 */
const KEEP = `
redis.call('PEXPIRE', KEYS[1], ARGV[1])
if KEYS[2] then
  redis.call('ZADD', KEYS[2], ARGV[3], ARGV[2])
  redis.call('PEXPIRE', KEYS[2], ARGV[4])
end`;

/** ARGV[5…]: field, value, … Returns 1, or 0 if the id is taken. */
export const CREATE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 5))
${KEEP}
return 1`;

/**
 * Writes the fields a change set and deletes those it removed, only if the
 * session still exists and would stay within the size limit.
 * ARGV[5]: max bytes, ARGV[6]: n (fields set), then n field/value pairs, then the fields to delete.
 * Returns {1, size}, {0, 0} when the session is gone, {-1, 0} for a record of an earlier version, {-2, size} when too large.
 */
export const UPDATE = `
local kind = redis.call('TYPE', KEYS[1]).ok
if kind == 'string' then return {-1, 0} end
if kind ~= 'hash' then return {0, 0} end
local n = tonumber(ARGV[6])
local fields = {}
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do fields[all[i]] = all[i + 1] end
for i = 7, 6 + 2 * n, 2 do fields[ARGV[i]] = ARGV[i + 1] end
for i = 7 + 2 * n, #ARGV do fields[ARGV[i]] = nil end
local size = 0
for field, value in pairs(fields) do size = size + #field + #value end
if size > tonumber(ARGV[5]) then return {-2, size} end
if n > 0 then redis.call('HSET', KEYS[1], unpack(ARGV, 7, 6 + 2 * n)) end
if #ARGV >= 7 + 2 * n then redis.call('HDEL', KEYS[1], unpack(ARGV, 7 + 2 * n)) end
${KEEP}
return {1, size}`;

/**
 * A session in use slides forward: its refreshedAt (ARGV[5]) and TTL only,
 * and never backwards (a change or a later refresh may have come first).
 * Returns 1, 0 when the session is gone, -1 for a record of an earlier version.
 */
export const TOUCH = `
local kind = redis.call('TYPE', KEYS[1]).ok
if kind == 'string' then return -1 end
if kind ~= 'hash' then return 0 end
if tonumber(redis.call('HGET', KEYS[1], 'r') or '0') >= tonumber(ARGV[5]) then return 1 end
redis.call('HSET', KEYS[1], 'r', ARGV[5])
${KEEP}
return 1`;
/**
 * A record of an earlier version (a JSON string) becomes a hash, keeping
 * its TTL, if it is still the one that was read. KEYS: session. ARGV: the
 * JSON that was read, then field/value pairs. Returns 1, or 0 if it changed meanwhile.
 */
export const MIGRATE = `
if redis.call('TYPE', KEYS[1]).ok ~= 'string' or redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
local ttl = redis.call('PTTL', KEYS[1])
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
if ttl > 0 then redis.call('PEXPIRE', KEYS[1], ttl) end
return 1`;

/**
 * A user's live sessions: expired members dropped from the index, then each
 * session's listing fields. KEYS: user index. ARGV: now ms, the prefix of session keys.
 * Returns {id, "hash", {u, c, r, a}} or {id, "string", json} for each.
 */
export const LIST = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
local out = {}
for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local key = ARGV[2] .. id
  local kind = redis.call('TYPE', key).ok
  if kind == 'hash' then
    table.insert(out, {id, 'hash', redis.call('HMGET', key, 'u', 'c', 'r', 'a')})
  elseif kind == 'string' then
    table.insert(out, {id, 'string', redis.call('GET', key)})
  end
end
return out`;

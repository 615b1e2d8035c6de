/**
 * Lua for the idempotency record: one hash per key with status, payloadHash, leaseExpiresAt, attempt, outcome.
 * Numbers that need exact digits (timestamps, TTLs) are computed by the caller and passed in as strings.
 */

/**
 * KEYS[1] record. ARGV: payloadHash, leaseUntilMs, nowMs, ttlMs, claimToken.
 * Returns {"conflict"} | {"completed", outcomeJson} | {"in_progress", leaseExpiresAt} | {"claimed", attempt}.
 * claimToken is unique per claim() call: when the client resends the call after a reconnect (the reply was
 * lost, the write was not), the script recognises its own lease instead of reporting it as someone else's.
 */
export const CLAIM_LUA = `
local rec = redis.call('HMGET', KEYS[1], 'status', 'payloadHash', 'leaseExpiresAt', 'attempt', 'outcome', 'claimToken')
local attempt = 1
if rec[1] then
  if rec[2] ~= ARGV[1] then return {'conflict'} end
  if rec[1] == 'COMPLETED' then return {'completed', rec[5]} end
  if rec[6] == ARGV[5] then return {'claimed', tonumber(rec[4])} end
  if tonumber(rec[3]) > tonumber(ARGV[3]) then return {'in_progress', rec[3]} end
  attempt = (tonumber(rec[4]) or 0) + 1
end
redis.call('HSET', KEYS[1], 'status', 'IN_PROGRESS', 'payloadHash', ARGV[1], 'leaseExpiresAt', ARGV[2],
  'attempt', tostring(attempt), 'claimToken', ARGV[5])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return {'claimed', attempt}
`;

/** KEYS[1] record. ARGV: payloadHash, outcomeJson, ttlSeconds. Returns 1 if completed, 0 if not ours. */
export const COMPLETE_LUA = `
local rec = redis.call('HMGET', KEYS[1], 'status', 'payloadHash')
if rec[1] ~= 'IN_PROGRESS' or rec[2] ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'status', 'COMPLETED', 'outcome', ARGV[2])
redis.call('HDEL', KEYS[1], 'leaseExpiresAt')
redis.call('EXPIRE', KEYS[1], ARGV[3])
return 1
`;

/** KEYS[1] record. ARGV: payloadHash. Deletes our IN_PROGRESS record; returns 1 if deleted. */
export const RELEASE_LUA = `
local rec = redis.call('HMGET', KEYS[1], 'status', 'payloadHash')
if rec[1] ~= 'IN_PROGRESS' or rec[2] ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
return 1
`;

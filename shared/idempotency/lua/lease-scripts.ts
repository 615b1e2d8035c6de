/** Lua for the per-user lease: a hash {owner, leaseUntil} that also expires on its own when the lease lapses. */

/** KEYS[1] lease. ARGV: owner, leaseUntilMs, nowMs, ttlMs. Returns 1 if acquired or extended, 0 if held by another. */
export const ACQUIRE_LEASE_LUA = `
local cur = redis.call('HMGET', KEYS[1], 'owner', 'leaseUntil')
if cur[1] and cur[1] ~= ARGV[1] and tonumber(cur[2]) > tonumber(ARGV[3]) then return 0 end
redis.call('HSET', KEYS[1], 'owner', ARGV[1], 'leaseUntil', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1
`;

/** KEYS[1] lease. ARGV: owner. Deletes the lease if owner holds it. */
export const RELEASE_LEASE_LUA = `
if redis.call('HGET', KEYS[1], 'owner') == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
`;

/**
 * Lua for the fleet-wide token bucket: one hash {tokens, sec, usec} per bucket.
 *
 * The clock is Redis TIME, not the caller's: every process then refills against one clock, so a function
 * instance whose clock runs ahead cannot mint tokens. TIME is non-deterministic; on Redis >= 5 scripts are
 * replicated by their effects, so writing after it is allowed. replicate_commands() asks for that mode on
 * 3.2/4.x and is a no-op (kept for compatibility) on 7.x. Seconds and microseconds are stored separately because
 * Lua's number-to-string keeps only 14 significant digits.
 *
 * A grant needs one whole token and spends `cost` (>= 1) of them; the balance may go negative (debt), which
 * everyone then waits out. A throttled process passes cost = 1 / its AIMD factor, so it takes a larger share of
 * the fleet budget per call and the fleet as a whole slows down, while grants x cost never exceed
 * rate x time + burst.
 *
 * KEYS[1] bucket. ARGV: ratePerSecond, burst, cost. Returns {1, 0} when granted, {0, waitMs} otherwise.
 */
export const TOKEN_BUCKET_LUA = `
if redis.replicate_commands then redis.replicate_commands() end
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local now = redis.call('TIME')
local sec, usec = tonumber(now[1]), tonumber(now[2])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'sec', 'usec')
local tokens = burst
if state[1] and state[2] and state[3] then
  local elapsedUs = (sec - tonumber(state[2])) * 1000000 + (usec - tonumber(state[3]))
  if elapsedUs < 0 then elapsedUs = 0 end
  tokens = math.min(burst, tonumber(state[1]) + elapsedUs * rate / 1000000)
end
local granted, waitMs = 0, 0
if tokens >= 1 then
  tokens = tokens - cost
  granted = 1
else
  waitMs = math.ceil((1 - tokens) * 1000 / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'sec', now[1], 'usec', now[2])
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) * 1000 / rate) + 1000)
return {granted, waitMs}
`;

/**
 * Lua for per-field versions: one hash per user, with "v:<field>" (version) and "h:<field>" (value hash).
 * Versions are compared byte by byte: Lua's string "<" goes through strcoll, i.e. the server's locale.
 */

/**
 * KEYS[1] user fields hash. ARGV: ttlSeconds, then (field, version, valueHash) triples.
 * Returns the fields whose stored version is newer (those are not written). At an equal version (the same
 * change again, e.g. recording its value once EIAM answered) only the value hash is replaced.
 */
export const WRITE_FIELDS_LUA = `
local function newer(a, b)
  local n = math.min(#a, #b)
  for i = 1, n do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x > y end
  end
  return #a > #b
end
local rejected = {}
local stored = 0
for i = 2, #ARGV, 3 do
  local field, version, valueHash = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local current = redis.call('HGET', KEYS[1], 'v:' .. field)
  if not current or newer(version, current) then
    redis.call('HSET', KEYS[1], 'v:' .. field, version, 'h:' .. field, valueHash)
    stored = stored + 1
  elseif newer(current, version) then
    rejected[#rejected + 1] = field
  elseif redis.call('HGET', KEYS[1], 'h:' .. field) ~= valueHash then
    redis.call('HSET', KEYS[1], 'h:' .. field, valueHash)
    stored = stored + 1
  end
end
if stored > 0 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return rejected
`;

/**
 * Lua scripts, so that each ownership step is one atomic round trip. They
 * touch two keys (a session's key and its node's set), so they need a single
 * Redis (or Valkey) server or a replicated primary, not Redis Cluster.
 */

/** KEYS: session key, node set. ARGV: node. Returns the holder, or nil when the node now holds the key. */
export const CLAIM = `
local held = redis.call('GET', KEYS[1])
if held then return held end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('SADD', KEYS[2], KEYS[1])
return false`;

/** KEYS: session key, node set. ARGV: node. */
export const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
redis.call('SREM', KEYS[2], KEYS[1])
return 0`;

/** KEYS: node set. ARGV: node. Frees every key the node still holds. */
export const RELEASE_NODE = `
for _, key in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if redis.call('GET', key) == ARGV[1] then redis.call('DEL', key) end
end
redis.call('DEL', KEYS[1])
return 0`;

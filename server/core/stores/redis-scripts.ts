/**
 * The Lua scripts of the Redis stores: every read-then-write runs as one script, so it is atomic
 * however many emulator processes share the Redis (a Request-Key's claim above all). Keys are
 * passed in KEYS; values tagged with the global epoch are written `<epoch>|<value>` and read as
 * absent when the epoch has moved on (a full reset).
 *
 * Layout under the prefix P (redis-layout.ts): `P ctx` hash (clock offsets, epochs, defaults),
 * `P appkeys` hash (registered appKeys), `P queue` list (scenario shots), `P kp:<gen>:<appKey>:<service>`
 * hashes (key pairs), `P rk:<requestKey>` hashes and the `P rk-index` list of them, `P lock:<gen>:<appKey>` and
 * `P calls:<gen>:<appKey>` hashes, `P tok:<token>` hashes, `P secret-check` (a check value of
 * EMULATOR_REDIS_SECRET, which no reset removes).
 */

/** A tagged value of the current epoch, or false. Shared by the scripts that read tags. */
const TAGGED = `
local function tagged(raw, epoch)
  if not raw then return false end
  local bar = string.find(raw, '|', 1, true)
  if not bar or string.sub(raw, 1, bar - 1) ~= epoch then return false end
  return string.sub(raw, bar + 1)
end
`;

/** A script and how many of its arguments are keys. */
export interface ScriptDefinition {
  numberOfKeys: number;
  lua: string;
}

/**
 * Every script by name (ioredis defines each as a command: EVALSHA, and EVAL once after a Redis
 * restart emptied its script cache).
 */
export const SCRIPTS = {
  /**
   * The context of a request: KEYS ctx, appkeys, queue; ARGV appKey. Returns the global epoch,
   * the global offset, the appKey's epoch, offset and defaults (false when absent or of an
   * older epoch), its registered secret and the queue length.
   */
  emuContext: {
    numberOfKeys: 3,
    lua: `${TAGGED}
local a = 'a:' .. ARGV[1] .. ':'
local v = redis.call('HMGET', KEYS[1], 'g:epoch', 'g:offset', a .. 'epoch', a .. 'offset', a .. 'defaults')
local epoch = v[1] or '0'
return { epoch, v[2] or '0', tagged(v[3], epoch), tagged(v[4], epoch), tagged(v[5], epoch),
  redis.call('HGET', KEYS[2], ARGV[1]), redis.call('LLEN', KEYS[3]) }`,
  },

  /** Clock offsets: KEYS ctx; ARGV appKey or ''. Returns the global offset and the appKey's. */
  emuOffsets: {
    numberOfKeys: 1,
    lua: `${TAGGED}
local v = redis.call('HMGET', KEYS[1], 'g:epoch', 'g:offset', 'a:' .. ARGV[1] .. ':offset')
local epoch = v[1] or '0'
return { v[2] or '0', tagged(v[3], epoch) or '0' }`,
  },

  /** Advances a clock: KEYS ctx; ARGV ms, appKey or '', ttl seconds. */
  emuAdvance: {
    numberOfKeys: 1,
    lua: `${TAGGED}
if ARGV[2] == '' then
  redis.call('HINCRBY', KEYS[1], 'g:offset', ARGV[1])
else
  local epoch = redis.call('HGET', KEYS[1], 'g:epoch') or '0'
  local field = 'a:' .. ARGV[2] .. ':offset'
  local now = tonumber(tagged(redis.call('HGET', KEYS[1], field), epoch) or '0')
  redis.call('HSET', KEYS[1], field, epoch .. '|' .. string.format('%d', now + tonumber(ARGV[1])))
end
redis.call('EXPIRE', KEYS[1], ARGV[3])
return 1`,
  },

  /**
   * Resets one appKey or all: KEYS ctx, queue; ARGV appKey or '', a fresh epoch id, ttl,
   * prefix. One appKey: a new epoch of it (its Request-Keys live on under the old one, refused),
   * its key rings, locks and counters of the old epoch deleted, its offset and defaults gone, its
   * queue entries removed. All: a new global epoch (everything of the old one is refused, and
   * expires), the context hash (every offset, default and appKey epoch) and the queue emptied. (The deleted key names are built here, so
   * the stores need a Redis that is not a cluster.)
   */
  emuReset: {
    numberOfKeys: 2,
    lua: `${TAGGED}
if ARGV[1] == '' then
  -- Every appKey's fields are tagged with the global epoch the new one replaces: drop them all,
  -- so the hash does not keep the fields of every appKey ever reset or removed.
  redis.call('DEL', KEYS[1], KEYS[2])
  redis.call('HSET', KEYS[1], 'g:epoch', ARGV[2])
else
  local epoch = redis.call('HGET', KEYS[1], 'g:epoch') or '0'
  local a = 'a:' .. ARGV[1] .. ':'
  local old = epoch .. '.' .. (tagged(redis.call('HGET', KEYS[1], a .. 'epoch'), epoch) or '0')
  local P = ARGV[4]
  redis.call('DEL', P .. 'kp:' .. old .. ':' .. ARGV[1] .. ':credit-card', P .. 'kp:' .. old .. ':' .. ARGV[1] .. ':id-card',
    P .. 'lock:' .. old .. ':' .. ARGV[1], P .. 'calls:' .. old .. ':' .. ARGV[1])
  redis.call('HSET', KEYS[1], a .. 'epoch', epoch .. '|' .. ARGV[2])
  redis.call('HDEL', KEYS[1], a .. 'offset', a .. 'defaults')
  local shots = redis.call('LRANGE', KEYS[2], 0, -1)
  for i = 1, #shots do
    if cjson.decode(shots[i]).appKey == ARGV[1] then redis.call('LSET', KEYS[2], i - 1, '__gone__') end
  end
  redis.call('LREM', KEYS[2], 0, '__gone__')
end
redis.call('EXPIRE', KEYS[1], ARGV[3])
return 1`,
  },

  /** Sets an appKey's defaults: KEYS ctx; ARGV appKey, JSON list or '' to remove, ttl. */
  emuSetDefaults: {
    numberOfKeys: 1,
    lua: `
local field = 'a:' .. ARGV[1] .. ':defaults'
if ARGV[2] == '' then redis.call('HDEL', KEYS[1], field) return 1 end
local epoch = redis.call('HGET', KEYS[1], 'g:epoch') or '0'
redis.call('HSET', KEYS[1], field, epoch .. '|' .. ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return 1`,
  },

  /** Every appKey's defaults of the current epoch: KEYS ctx. Returns [appKey, JSON, ...]. */
  emuDefaults: {
    numberOfKeys: 1,
    lua: `${TAGGED}
local all = redis.call('HGETALL', KEYS[1])
local epoch = redis.call('HGET', KEYS[1], 'g:epoch') or '0'
local out = {}
for i = 1, #all, 2 do
  local appKey = string.match(all[i], '^a:(.*):defaults$')
  local value = appKey and tagged(all[i + 1], epoch)
  if value then out[#out + 1] = appKey; out[#out + 1] = value end
end
return out`,
  },

  /**
   * Takes one shot of the first queue entry for the appKey (or for any) that serves the
   * endpoint: KEYS queue; ARGV appKey, endpoint. Returns the scenario name or false.
   */
  emuTakeShot: {
    numberOfKeys: 1,
    lua: `
local shots = redis.call('LRANGE', KEYS[1], 0, -1)
for i = 1, #shots do
  local shot = cjson.decode(shots[i])
  if shot.appKey == nil or shot.appKey == ARGV[1] then
    local serves = false
    for _, e in ipairs(shot.endpoints) do if e == '*' or e == ARGV[2] then serves = true end end
    if serves then
      shot.remaining = shot.remaining - 1
      if shot.remaining <= 0 then
        redis.call('LSET', KEYS[1], i - 1, '__gone__')
        redis.call('LREM', KEYS[1], 1, '__gone__')
      else
        redis.call('LSET', KEYS[1], i - 1, cjson.encode(shot))
      end
      return shot.scenario
    end
  end
end
return false`,
  },

  /** Registers an appKey: KEYS appkeys; ARGV appKey, secret, max, ttl. */
  emuRegister: {
    numberOfKeys: 1,
    lua: `
local known = redis.call('HGET', KEYS[1], ARGV[1])
if known then
  if known ~= ARGV[2] then return 'conflict' end
  -- Registering again (each test run does) keeps the registrations alive.
  redis.call('EXPIRE', KEYS[1], ARGV[4])
  return 'unchanged'
end
if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) then return 'full' end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[4])
return 'created'`,
  },

  /**
   * Issues a key version: KEYS ring; ARGV mode ('first': only if the ring has none, else the
   * current one is answered; 'next': always), id, public key, encrypted private key, issuedAt,
   * first version, ttl. Returns version, id, public key, encrypted private key, issuedAt of the
   * current version after the call: the caller's, or the one another process made first.
   */
  emuIssueKey: {
    numberOfKeys: 1,
    lua: `
if ARGV[1] == 'first' then
  local current = redis.call('HGET', KEYS[1], 'current')
  if current then
    local version = string.match(current, '^(%S+)')
    local v = redis.call('HMGET', KEYS[1], 'i:' .. version, 'p:' .. version, 'k:' .. version, 't:' .. version)
    return { version, v[1], v[2], v[3], v[4] }
  end
end
local version = tostring(redis.call('HINCRBY', KEYS[1], 'next', 1) - 1 + tonumber(ARGV[6]))
redis.call('HSET', KEYS[1], 'i:' .. version, ARGV[2], 'p:' .. version, ARGV[3], 'k:' .. version, ARGV[4], 't:' .. version, ARGV[5], 'current', version .. ' ' .. ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[7])
return { version, ARGV[2], ARGV[3], ARGV[4], ARGV[5] }`,
  },

  /** Revokes a version: KEYS ring; ARGV version, ttl. Returns 1, or 0 if it was never issued. */
  emuRevokeKey: {
    numberOfKeys: 1,
    lua: `
if redis.call('HEXISTS', KEYS[1], 'i:' .. ARGV[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'r:' .. ARGV[1], '1')
redis.call('EXPIRE', KEYS[1], ARGV[2])
return 1`,
  },

  /**
   * Issues a Request-Key: KEYS entry, index; ARGV the key, appKey, generation, idType, values,
   * verdict, issuedAt, expiresAt, ttl seconds, most keys held, prefix. The index lists the keys
   * newest first; past the bound the oldest leave it and are deleted, in the same script, so the
   * bound holds however many processes issue at once (an expired one left in the index counts
   * until it is the oldest; its deletion is then a no-op).
   */
  emuIssueRequestKey: {
    numberOfKeys: 2,
    lua: `
redis.call('HSET', KEYS[1], 'appKey', ARGV[2], 'gen', ARGV[3], 'idType', ARGV[4], 'values', ARGV[5], 'verdict', ARGV[6],
  'issuedAt', ARGV[7], 'expiresAt', ARGV[8], 'state', 'fresh')
redis.call('EXPIRE', KEYS[1], ARGV[9])
redis.call('LPUSH', KEYS[2], ARGV[1])
for _ = 1, redis.call('LLEN', KEYS[2]) - tonumber(ARGV[10]) do
  redis.call('DEL', ARGV[11] .. 'rk:' .. redis.call('RPOP', KEYS[2]))
end
redis.call('EXPIRE', KEYS[2], ARGV[9])
return 1`,
  },

  /**
   * Claims a Request-Key: KEYS entry; ARGV appKey, generation, now (the appKey's clock), claim
   * id, lease end and wall-clock now. A claim whose lease ran out (its holder never came back)
   * counts as fresh. Returns 'unknown', {'foreign', owner}, 'consumed', 'claimed',
   * {'expired', expiresAt}, or {'ok', idType, values, verdict}.
   */
  emuClaim: {
    numberOfKeys: 1,
    lua: `
local e = redis.call('HMGET', KEYS[1], 'appKey', 'gen', 'state', 'expiresAt', 'leaseUntil', 'idType', 'values', 'verdict')
if not e[1] then return { 'unknown' } end
if e[1] ~= ARGV[1] then return { 'foreign', e[1] } end
if e[2] ~= ARGV[2] then return { 'unknown' } end
if e[3] == 'consumed' then return { 'consumed' } end
if e[3] == 'claimed' and tonumber(e[5] or '0') > tonumber(ARGV[6]) then return { 'claimed' } end
if tonumber(ARGV[3]) >= tonumber(e[4]) then return { 'expired', e[4] } end
redis.call('HSET', KEYS[1], 'state', 'claimed', 'claim', ARGV[4], 'leaseUntil', ARGV[5])
return { 'ok', e[6], e[7], e[8] }`,
  },

  /** Ends a claim: KEYS entry; ARGV claim id, 'consume' or 'release'. */
  emuUnclaim: {
    numberOfKeys: 1,
    lua: `
local e = redis.call('HMGET', KEYS[1], 'state', 'claim')
if e[1] ~= 'claimed' or e[2] ~= ARGV[1] then return 0 end
if ARGV[2] == 'consume' then
  redis.call('HSET', KEYS[1], 'state', 'consumed')
  redis.call('HDEL', KEYS[1], 'values', 'verdict', 'claim', 'leaseUntil')
else
  redis.call('HSET', KEYS[1], 'state', 'fresh')
  redis.call('HDEL', KEYS[1], 'claim', 'leaseUntil')
end
return 1`,
  },

  /** Stores a token under the current global epoch: KEYS token, ctx; ARGV keyId, expiresAt, ttl ms. */
  emuPutToken: {
    numberOfKeys: 2,
    lua: `
local epoch = redis.call('HGET', KEYS[2], 'g:epoch') or '0'
redis.call('HSET', KEYS[1], 'keyId', ARGV[1], 'expiresAt', ARGV[2], 'revoked', '0', 'epoch', epoch)
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1`,
  },

  /** A token of the current global epoch: KEYS token, ctx. Returns keyId, expiresAt, revoked, or false. */
  emuGetToken: {
    numberOfKeys: 2,
    lua: `
local t = redis.call('HMGET', KEYS[1], 'keyId', 'expiresAt', 'revoked', 'epoch')
if not t[1] then return false end
if t[4] ~= (redis.call('HGET', KEYS[2], 'g:epoch') or '0') then return false end
return { t[1], t[2], t[3] }`,
  },

  /**
   * Compares the check value of this emulator's EMULATOR_REDIS_SECRET with the one stored under
   * the prefix, storing it when there is none: KEYS secret-check; ARGV check value, ttl. Returns
   * 1 (the same, or stored now; kept ttl seconds more) or 0 (another secret's).
   */
  emuSecretCheck: {
    numberOfKeys: 1,
    lua: `
local known = redis.call('GET', KEYS[1])
if known and known ~= ARGV[1] then return 0 end
if known then redis.call('EXPIRE', KEYS[1], ARGV[2]) else redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2]) end
return 1`,
  },

  /** Revokes a token if it is the key's: KEYS token; ARGV keyId. */
  emuRevokeToken: {
    numberOfKeys: 1,
    lua: `
if redis.call('HGET', KEYS[1], 'keyId') == ARGV[1] then redis.call('HSET', KEYS[1], 'revoked', '1') end
return 1`,
  },
} as const satisfies Record<string, ScriptDefinition>;

/** A script's name. */
export type ScriptName = keyof typeof SCRIPTS;

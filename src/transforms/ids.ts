import {createHash, createHmac} from 'node:crypto'

import {UUID_PATTERN} from '../util.js'
import {fail, ok, type TransformResult} from './types.js'

const NIL_UUID = '00000000-0000-0000-0000-000000000000'
// Joins key parts: a control character no export puts in a cell, so `['a b', 'c']` and `['a', 'b c']` differ.
const KEY_SEPARATOR = '\u001f'
// An SS 12000 entity name (`Person`, `Group`) or a template's own label for one (`StudentEnrolment`).
const ENTITY = /^[A-Za-z][A-Za-z0-9]*$/
// 16 bytes (128 bits) at least: enough that the secret cannot be guessed either.
const MIN_SECRET_BYTES = 16
const SECRET = new RegExp(`^(?:[0-9a-fA-F]{2}){${MIN_SECRET_BYTES},}$`)

/**
 * True if `value` can be an organisation's id namespace: a UUID in canonical 8-4-4-4-12 form (either case), other
 * than the nil UUID, which would mean the config was never filled in.
 */
export function isValidNamespace(value: string): boolean {
  return UUID_PATTERN.test(value) && value !== NIL_UUID
}

/**
 * RFC 4122 (RFC 9562) version-5 UUID: SHA-1 of the namespace's 16 bytes followed by the UTF-8 name, with the version
 * and variant bits set. Returned in lower case. The DNS namespace with `www.example.com` gives
 * `2ed6657d-e927-568b-95e1-2665a8aea6a2`.
 * @throws RangeError if `namespace` is not a UUID (configuration is checked before any row is read).
 */
export function uuidV5(namespace: string, name: string): string {
  if (!UUID_PATTERN.test(namespace)) throw new RangeError(`uuidV5: the namespace must be a UUID, got '${namespace}'`)
  const hash = createHash('sha1')
    .update(Buffer.from(namespace.replaceAll('-', ''), 'hex'))
    .update(name, 'utf8')
    .digest()
  const bytes = hash.subarray(0, 16)
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80
  const hex = bytes.toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

export interface DeriveIdOptions {
  /** The organisation's id namespace (a UUID from the config). */
  namespace: string
  /** The entity type, e.g. `Person`, `Group`: the same legacy key in two entity types gives two ids. */
  entity: string
  /** The legacy key columns' values, in the template's order. Used verbatim: `7A` and `7a` are different keys. */
  key: readonly string[]
  /** The organisation's id secret, hex (`generateSecret`). Needed when `sensitive`. */
  secret?: string
  /** The key holds a civic number (or other personal data that must not be recoverable from the id). */
  sensitive: boolean
}

/**
 * A stable SS 12000 id (lower-case UUID) for an entity from its legacy key: the same namespace, entity and key always
 * give the same id, so reruns and diffs line up, and any change to them gives another.
 * - Not sensitive: `uuidV5(namespace, entity + ':' + key parts joined by U+001F)`. Anyone with the namespace can
 *   compute it, which is the point for class names and staff signatures. The secret is not used even when given,
 *   so that these ids stay reproducible from the namespace alone.
 * - Sensitive (the key holds a personnummer): the UUIDv5 name is instead the hex HMAC-SHA256 of that same text under
 *   the organisation's secret. A plain hash would not do: a birth date leaves only 10,000 candidate numbers, so
 *   anyone could hash them all and match the id. Without the secret the HMAC cannot be computed.
 * Problems: an invalid namespace (`transform.id.namespace`), an entity name that is not letters and digits
 * (`transform.id.entity`), no key parts or an empty one (`transform.id.key-empty`), a part holding U+001F
 * (`transform.id.key-separator`), a sensitive key without a secret (`transform.id.secret-missing`) or with one that
 * is not at least 32 hex digits (`transform.id.secret-invalid`). Upper- and lower-case hex secrets are the same.
 */
export function deriveId(options: DeriveIdOptions): TransformResult<string> {
  if (!isValidNamespace(options.namespace)) return fail('transform.id.namespace')
  if (!ENTITY.test(options.entity)) return fail('transform.id.entity')
  if (options.key.length === 0 || options.key.some((part) => part === '')) return fail('transform.id.key-empty')
  if (options.key.some((part) => part.includes(KEY_SEPARATOR))) return fail('transform.id.key-separator')
  const text = `${options.entity}:${options.key.join(KEY_SEPARATOR)}`
  if (!options.sensitive) return ok(uuidV5(options.namespace, text))
  if (options.secret === undefined || options.secret === '') return fail('transform.id.secret-missing')
  if (!SECRET.test(options.secret)) return fail('transform.id.secret-invalid')
  const mac = createHmac('sha256', Buffer.from(options.secret, 'hex')).update(text, 'utf8').digest('hex')
  return ok(uuidV5(options.namespace, mac))
}

/**
 * A new id secret as lower-case hex. The caller supplies the randomness (`ss12000 init` passes
 * `crypto.randomBytes(32)`), so this module stays pure.
 * @throws RangeError for fewer than 16 bytes.
 */
export function generateSecret(randomBytes: Uint8Array): string {
  if (randomBytes.length < MIN_SECRET_BYTES) {
    throw new RangeError(`generateSecret needs at least ${MIN_SECRET_BYTES} random bytes, got ${randomBytes.length}`)
  }
  return Buffer.from(randomBytes).toString('hex')
}

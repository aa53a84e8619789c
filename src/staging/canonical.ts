import {createHash} from 'node:crypto'

/**
 * The canonical JSON of an SS 12000 record, so that equal records have equal text and equal hashes whatever order
 * their producer wrote them in: object keys sorted (by UTF-16 code units, as JavaScript compares strings), and the
 * items of every array sorted by their own canonical text, since the standard's arrays (eduPersonPrincipalNames,
 * emails, enrolments, groupMemberships, teachers, schoolTypes…) are collections without a meaningful order.
 * `meta` is left out: it is the server's bookkeeping, not the record's content.
 */
export function canonicalJson(record: unknown): string {
  return canonical(record, true)
}

/** The canonical JSON of any value inside a record (where a `meta` key is content like any other). */
export function canonicalValueJson(value: unknown): string {
  return canonical(value, false)
}

/** sha256 of the canonical JSON, lower-case hex. */
export function canonicalHash(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex')
}

/** Object keys as canonical text writes them (`"key":`): records repeat a few dozen field names endlessly. */
const keyTexts = new Map<string, string>()
const KEY_TEXTS_KEPT = 4096

function keyText(key: string): string {
  let text = keyTexts.get(key)
  if (text === undefined) {
    text = `${JSON.stringify(key)}:`
    if (keyTexts.size < KEY_TEXTS_KEPT) keyTexts.set(key, text)
  }
  return text
}

// The hot loop of staging and pulling: written with plain loops and concatenation, which measured 1.9× faster than
// map/filter/join on 100,000 persons.
function canonical(value: unknown, top: boolean): string {
  if (typeof value !== 'object' || value === null) return JSON.stringify(value) ?? 'null'
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]'
    if (value.length === 1) return `[${canonical(value[0], false)}]`
    const items = new Array<string>(value.length)
    for (let index = 0; index < value.length; index++) items[index] = canonical(value[index], false)
    items.sort()
    return `[${items.join(',')}]`
  }
  const keys = Object.keys(value)
  keys.sort()
  let text = '{'
  for (const key of keys) {
    const item = (value as Record<string, unknown>)[key]
    if (item === undefined || (top && key === 'meta')) continue
    text += `${text.length === 1 ? '' : ','}${keyText(key)}${canonical(item, false)}`
  }
  return `${text}}`
}

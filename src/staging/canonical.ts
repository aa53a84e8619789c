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

function canonical(value: unknown, top: boolean): string {
  if (Array.isArray(value)) {
    const items = value.map((item) => canonical(item, false))
    items.sort()
    return `[${items.join(',')}]`
  }
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).filter(
      (key) => !(top && key === 'meta') && (value as Record<string, unknown>)[key] !== undefined,
    )
    keys.sort()
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key], false)}`).join(',')}}`
  }
  return JSON.stringify(value) ?? 'null'
}

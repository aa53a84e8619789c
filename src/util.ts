/** Small helpers several layers need, kept in one place. */

/** A JSON object: not null, not an array. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

/** A typed array twice as long, with the same values first (for per-record columns that grow with the input). */
export function doubled<T extends Uint8Array | Int32Array>(from: T): T {
  const to = new (from.constructor as new (length: number) => T)(from.length * 2)
  to.set(from)
  return to
}

/** A moment as RFC 3339 in the machine's local time with its offset (`2026-11-27T09:15:02+01:00`), to the second. */
export function localTimestamp(date: Date = new Date()): string {
  const pad = (value: number) => String(Math.abs(value)).padStart(2, '0')
  const offset = -date.getTimezoneOffset()
  const sign = offset < 0 ? '-' : '+'
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}` +
    `${sign}${pad(Math.trunc(offset / 60))}:${pad(offset % 60)}`
  )
}

/** A UUID in its canonical 8-4-4-4-12 form, either case. */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** An RFC 3339 date-time with seconds and an offset (`Z` or `±hh:mm`), as the SS 12000 API's parameters take it. */
export const RFC3339_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/

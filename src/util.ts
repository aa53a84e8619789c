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

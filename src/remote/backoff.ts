/** How often and how patiently to retry. */
export interface RetryOptions {
  /** Attempts in all, the first included. Default 5. */
  attempts?: number
  /** The backoff's first ceiling; it doubles with each attempt. Default 500 ms. */
  baseDelayMs?: number
  /** The longest wait, also for a server's Retry-After. Default 30 s. */
  maxDelayMs?: number
}

export type RetryPolicy = Required<RetryOptions>

export const DEFAULT_RETRY: RetryPolicy = {attempts: 5, baseDelayMs: 500, maxDelayMs: 30_000}

/**
 * The milliseconds a `Retry-After` header asks for: delay-seconds or an HTTP date (RFC 9110 §10.2.3). A date in the
 * past is 0; an unreadable value is undefined.
 */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null) return undefined
  const text = value.trim()
  if (/^\d+$/.test(text)) return Number(text) * 1000
  // Every HTTP date form starts with the day's name; Date.parse alone would read '-5' as a year.
  if (!/^[A-Za-z]{3}/.test(text)) return undefined
  const date = Date.parse(text)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

/**
 * The wait before attempt `attempt + 1`: the server's Retry-After when it gave one, otherwise exponential backoff
 * with full jitter (a random wait up to base·2^(attempt−1)), both capped at `maxDelayMs`.
 */
export function retryDelay(
  policy: RetryPolicy,
  attempt: number,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, policy.maxDelayMs)
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1))
  return Math.floor(random() * ceiling)
}

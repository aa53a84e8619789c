import {setTimeout as sleep} from 'node:timers/promises'

import {RemoteError, type ToolkitErrorOptions} from '../errors.js'
import {maskCivicNumbersInText} from '../validation/identity.js'
import {parseRetryAfter, retryDelay, type RetryPolicy} from './backoff.js'
import type {Deviations} from './deviations.js'
import type {Semaphore} from './semaphore.js'
import {excerpt, readServerMessage} from './server-message.js'
import {displayUrl} from './url.js'

/** A request failed for good: after its retries, or at once for an answer that retrying cannot change. */
export class RemoteRequestError extends RemoteError {
  constructor(
    message: string,
    /** `GET`, `POST`, `PUT`, `DELETE`. */
    readonly method: string,
    /** The URL as shown in the message (no secrets). */
    readonly url: string,
    /** The last HTTP status, undefined when no answer came (network failure, timeout). */
    readonly status: number | undefined,
    /** The server's own error code, when its body had one. */
    readonly serverCode: string | undefined,
    options: ToolkitErrorOptions = {},
  ) {
    super(message, options)
  }
}

/** One request, as the transport sends it. */
export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE'
  url: URL
  headers?: Record<string, string>
  body?: string
  /**
   * Statuses other than 2xx that are answered rather than thrown, for the caller to read (a write API's refusals,
   * such as 400, 409 and 413). They are never retried.
   */
  answerStatuses?: readonly number[]
  /** A write's 2xx answer may be empty whatever its status (its json is then undefined); otherwise only 201–205. */
  emptyOk?: boolean
}

/**
 * A 2xx answer whose body is JSON (undefined for an empty body of 201–205), or an answer with one of the request's
 * `answerStatuses` (json undefined when its body is not JSON; `text` has it).
 */
export interface JsonAnswer {
  status: number
  headers: Headers
  json: unknown
  /** The body as it came, for an answer with one of the request's `answerStatuses` only. */
  text?: string
  /**
   * The attempt that got this answer, from 1. More than 1 means earlier attempts got no usable answer: a write may
   * have been done by one of them (its answer lost), which matters for a request that is not idempotent (POST).
   */
  attempts: number
}

/** What the client tells about a retry it is about to make (for progress output). */
export interface RetryEvent {
  /** `GET https://…/persons?limit=100`, as messages show it. */
  request: string
  /** The attempt that failed, from 1. */
  attempt: number
  attempts: number
  /** How long the client waits before the next attempt. */
  delayMs: number
  /** What went wrong: `answer 503 Service Unavailable: …`, `no answer within 30000 ms`. */
  reason: string
}

/** Per-exchange hooks: credentials, the 401 refresh, the concurrency slots and the advice for refusals. */
export interface ExchangeHooks {
  /** The Authorization header for an attempt, if any. */
  authorization?: () => Promise<string | undefined>
  /**
   * Asked once per exchange after a 401 to an attempt that sent `used`: true when fresh credentials are worth one
   * more try (the try does not count as an attempt).
   */
  refreshAfter401?: (used: string) => Promise<boolean>
  /** Held while a request is in flight (not while waiting to retry). */
  slots?: Semaphore
  /** Next steps for a refusal with this status, instead of the general ones. */
  actionsFor?: (status: number) => string[] | undefined
}

export interface TransportOptions {
  /** Names the server in warnings. */
  server: string
  timeoutMs: number
  retry: RetryPolicy
  userAgent: string
  deviations: Deviations
  secrets: Secrets
  now: () => number
  onRetry?: (event: RetryEvent) => void
}

/** Every secret the client holds, kept out of anything it says. */
export class Secrets {
  private readonly values = new Set<string>()

  add(value: string): void {
    if (value.length >= 4) this.values.add(value)
  }

  /**
   * `text` with every secret the client holds replaced (the ones it sends are all it knows; a pattern such as
   * "whatever follows Bearer" would also eat a server's prose, "a valid bearer token is required").
   */
  redact(text: string): string {
    let out = text
    for (const value of this.values) out = out.split(value).join('[redacted]')
    return out
  }
}

type Outcome =
  | {ok: true; status: number; statusText: string; headers: Headers; text: string}
  | {ok: false; reason: string; retryable: boolean; actions?: string[]}

/** 408 Request Timeout, 429 Too Many Requests and the 5xx that may pass (501 and 505 will not). */
function retryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599 && status !== 501 && status !== 505)
}

const TLS_CODE = /CERT|UNABLE_TO_(?:GET|VERIFY)/

/**
 * Sends requests with a per-attempt timeout and retries transient failures: network errors, timeouts, a body cut off
 * or not JSON, 408, 429 and 5xx, with exponential backoff and full jitter or the server's Retry-After. Certificate
 * checks are Node's own and stay on (a private CA goes in NODE_EXTRA_CA_CERTS). Redirects are not followed, so that
 * credentials go nowhere but where the user pointed.
 */
export class Transport {
  constructor(private readonly options: TransportOptions) {}

  async exchange(request: HttpRequest, hooks: ExchangeHooks = {}): Promise<JsonAnswer> {
    const shown = `${request.method} ${displayUrl(request.url)}`
    const {attempts} = this.options.retry
    let refreshed = false
    let attempt = 1
    for (;;) {
      const authorization = hooks.authorization ? await hooks.authorization() : undefined
      const release = hooks.slots ? await hooks.slots.acquire() : undefined
      let outcome: Outcome
      try {
        outcome = await this.attempt(request, authorization)
      } finally {
        release?.()
      }

      let reason: string
      let retryAfterMs: number | undefined
      if (!outcome.ok) {
        if (!outcome.retryable) {
          throw this.fail(request, `${shown} failed: ${outcome.reason}.`, undefined, undefined, outcome.actions)
        }
        reason = outcome.reason
      } else if (outcome.status >= 200 && outcome.status < 300) {
        const json = readJson(outcome.status, outcome.text, request.emptyOk ?? false)
        if (json.ok) return {status: outcome.status, headers: outcome.headers, json: json.value, attempts: attempt}
        reason = `a ${outcome.status} answer whose body is ${json.problem}`
      } else if (request.answerStatuses?.includes(outcome.status)) {
        const json = readJson(outcome.status, outcome.text, true)
        return {
          status: outcome.status,
          headers: outcome.headers,
          json: json.ok ? json.value : undefined,
          text: outcome.text,
          attempts: attempt,
        }
      } else if (
        outcome.status === 401 &&
        authorization !== undefined &&
        hooks.refreshAfter401 !== undefined &&
        !refreshed
      ) {
        refreshed = true
        if (await hooks.refreshAfter401(authorization)) continue
        throw this.refusal(request, shown, outcome, hooks)
      } else if (retryableStatus(outcome.status)) {
        reason = `answer ${statusLine(outcome)}${this.messageOf(outcome.text).text}`
        retryAfterMs = parseRetryAfter(outcome.headers.get('retry-after'), this.options.now())
      } else {
        throw this.refusal(request, shown, outcome, hooks)
      }

      if (attempt >= attempts) {
        const status = outcome.ok ? outcome.status : undefined
        const message =
          attempts === 1
            ? `${shown} failed: ${reason}.`
            : `${shown} failed ${attempts} times; the last time: ${reason}.`
        throw this.fail(request, message, status, undefined, [
          'The server may be down or overloaded: try again later, or allow more attempts (--retries).',
        ])
      }
      const delayMs = retryDelay(this.options.retry, attempt, retryAfterMs)
      this.options.onRetry?.({request: this.clean(shown), attempt, attempts, delayMs, reason: this.clean(reason)})
      await sleep(delayMs)
      attempt++
    }
  }

  private async attempt(request: HttpRequest, authorization: string | undefined): Promise<Outcome> {
    const headers: Record<string, string> = {
      accept: 'application/json',
      'user-agent': this.options.userAgent,
      ...request.headers,
    }
    if (authorization !== undefined) headers.authorization = authorization
    const {timeoutMs} = this.options
    // One signal for the headers and the body: a server that stalls half-way through a page times out as well.
    const signal = AbortSignal.timeout(timeoutMs)
    let response: Response
    try {
      response = await fetch(request.url, {
        method: request.method,
        headers,
        ...(request.body === undefined ? {} : {body: request.body}),
        redirect: 'manual',
        signal,
      })
    } catch (error) {
      return networkFailure(error, timeoutMs, 'request')
    }
    try {
      const text = await response.text()
      return {ok: true, status: response.status, statusText: response.statusText, headers: response.headers, text}
    } catch (error) {
      return networkFailure(error, timeoutMs, 'body')
    }
  }

  /** The server's message from an error body, as ` — code: message`, and its code. */
  private messageOf(text: string): {text: string; code?: string} {
    const message = readServerMessage(text)
    if (message === undefined) return {text: ''}
    if (message.shape === 'fastapi') {
      this.options.deviations.report('fastapi-errors', () => {
        return `${this.options.server} answers errors FastAPI-style {"detail": …} instead of {"code", "message"}; read the detail as the message.`
      })
    }
    const code = message.code === undefined ? '' : `${message.code}: `
    // The message goes inside a sentence of the client's own, which ends it.
    return {
      text: ` — ${code}${message.message.replace(/[.\s]+$/, '')}`,
      ...(message.code === undefined ? {} : {code: message.code}),
    }
  }

  private refusal(
    request: HttpRequest,
    shown: string,
    outcome: Extract<Outcome, {ok: true}>,
    hooks: ExchangeHooks,
  ): RemoteRequestError {
    const {status} = outcome
    if (status >= 300 && status < 400) {
      const location = outcome.headers.get('location')
      let target = 'elsewhere'
      if (location !== null) {
        try {
          target = displayUrl(new URL(location, request.url))
        } catch {
          target = 'an unreadable Location'
        }
      }
      return this.fail(
        request,
        `${shown} answered ${statusLine(outcome)}, a redirect to ${target}.`,
        status,
        undefined,
        ['Redirects are not followed, so that credentials go only where you pointed: use that URL if you trust it.'],
      )
    }
    const message = this.messageOf(outcome.text)
    return this.fail(
      request,
      `${shown} answered ${statusLine(outcome)}${message.text}.`,
      status,
      message.code,
      hooks.actionsFor?.(status) ?? defaultActions(status),
    )
  }

  private fail(
    request: HttpRequest,
    message: string,
    status: number | undefined,
    serverCode: string | undefined,
    actions: string[] = [],
  ): RemoteRequestError {
    return new RemoteRequestError(
      this.clean(message),
      request.method,
      this.clean(displayUrl(request.url)),
      status,
      serverCode === undefined ? undefined : this.clean(serverCode),
      {actions},
    )
  }

  /** No secret and no whole civic number in anything the client says. */
  private clean(text: string): string {
    return maskCivicNumbersInText(this.options.secrets.redact(text))
  }
}

function statusLine(outcome: {status: number; statusText: string}): string {
  return outcome.statusText === '' ? String(outcome.status) : `${outcome.status} ${outcome.statusText}`
}

function defaultActions(status: number): string[] {
  switch (status) {
    case 401:
      return [
        'The server refused the credentials: check the token (SS12000_TOKEN, --token-stdin) or client credentials; it may have expired.',
      ]
    case 403:
      return ['The credentials may not read this: check what the token was issued for (its scope or access list).']
    case 404:
      return ['Check the URL: the base URL ends with the API version, such as https://host/v2.0.']
    default:
      return []
  }
}

/**
 * The JSON of a 2xx body. What is wrong with one that is not JSON: a JSON body cut short is described by its length
 * only (its text is records, personal data), anything else (a proxy's HTML page) by an excerpt.
 */
function readJson(
  status: number,
  text: string,
  emptyOk: boolean,
): {ok: true; value: unknown} | {ok: false; problem: string} {
  if (text.trim() === '') {
    return status === 200 && !emptyOk ? {ok: false, problem: 'empty'} : {ok: true, value: undefined}
  }
  try {
    return {ok: true, value: JSON.parse(text) as unknown}
  } catch {
    return /^\s*[[{]/.test(text)
      ? {ok: false, problem: `JSON that is cut short or broken (${text.length} characters)`}
      : {ok: false, problem: `not JSON: ${excerpt(text)}`}
  }
}

function errorCode(error: unknown): string | undefined {
  const code = (error as {code?: unknown} | null)?.code
  return typeof code === 'string' ? code : undefined
}

function isTimeout(error: unknown): boolean {
  const name = (error as {name?: unknown} | null)?.name
  const causeName = (error as {cause?: {name?: unknown}} | null)?.cause?.name
  return name === 'TimeoutError' || causeName === 'TimeoutError'
}

/** What a failure without an answer was, and whether it may pass. */
function networkFailure(error: unknown, timeoutMs: number, phase: 'request' | 'body'): Outcome {
  if (isTimeout(error)) {
    const reason =
      phase === 'request' ? `no answer within ${timeoutMs} ms` : `the body did not arrive within ${timeoutMs} ms`
    return {ok: false, reason, retryable: true}
  }
  const cause = (error as {cause?: unknown} | null)?.cause
  const code = errorCode(cause) ?? errorCode(error)
  const message = cause instanceof Error ? cause.message : error instanceof Error ? error.message : String(error)
  const detail = code === undefined || message.includes(code) ? message : `${code}: ${message}`
  if (code === 'ENOTFOUND') {
    return {
      ok: false,
      reason: 'the host name does not resolve (ENOTFOUND)',
      retryable: false,
      actions: ['Check the host name in the URL.'],
    }
  }
  if (code !== undefined && TLS_CODE.test(code)) {
    return {
      ok: false,
      reason: `the server's certificate is not trusted (${code})`,
      retryable: false,
      actions: [
        "If the server's certificate comes from a private CA, point NODE_EXTRA_CA_CERTS at that CA's PEM file. Certificate checks are never turned off.",
      ],
    }
  }
  if (phase === 'body')
    return {ok: false, reason: `the connection closed before the body was complete (${detail})`, retryable: true}
  if (code === 'ECONNREFUSED') return {ok: false, reason: 'the connection was refused (ECONNREFUSED)', retryable: true}
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') {
    return {ok: false, reason: `the connection was closed without an answer (${detail})`, retryable: true}
  }
  return {ok: false, reason: `the request failed (${detail})`, retryable: true}
}

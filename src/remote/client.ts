import {RemoteError, UsageError} from '../errors.js'
import {ENTITY_NAMING, type EntityName} from '../schema/entity-names.js'
import {checkedToken, type ClientAuth, OAuth2Tokens} from './auth.js'
import {DEFAULT_RETRY, type RetryOptions, type RetryPolicy} from './backoff.js'
import {Deviations} from './deviations.js'
import {type ExchangeHooks, type RetryEvent, Secrets, Transport} from './http.js'
import {Semaphore} from './semaphore.js'
import {addDeletedIds, type DeletedIds, type ListPage, readListPage, readPageToken} from './tolerant-reading.js'
import {checkRemoteUrl, displayUrl, type Query, resolveUrl} from './url.js'

export type {Query} from './url.js'
export type {DeletedIds, ListPage} from './tolerant-reading.js'
export type {RetryEvent} from './http.js'

export interface ClientOptions {
  /** The API's base URL, e.g. `https://host/v2.0` (a trailing slash is fine). */
  baseUrl: string
  /** A bearer token, or OAuth2 client credentials; none for an open server. See `resolveClientAuth`. */
  auth?: ClientAuth
  /** Allow plain http to hosts other than this machine (loopback may always use http). */
  insecureHttp?: boolean
  /** Per attempt, headers and body together. Default 30 s. */
  timeoutMs?: number
  /** Default: 5 attempts, backoff from 500 ms, waits of at most 30 s. */
  retry?: RetryOptions
  /** Requests in flight at once across the client (all collections). Default 4. */
  concurrency?: number
  /** Pages one listing may take before it is taken for an endless loop. Default 100,000. */
  maxPages?: number
  /** Each tolerated deviation from the standard, once per kind (per collection where that matters). Default: stderr. */
  warn?: (message: string) => void
  /** Each retry, before its wait (for progress output). */
  onRetry?: (event: RetryEvent) => void
  /** Default `ss12000-toolkit`. */
  userAgent?: string
  /** The clock, in epoch milliseconds: token expiry, Retry-After dates and the civic-number century rule. */
  now?: () => number
}

export interface PagesOptions {
  /** The page size to ask for (`limit`); the server may give fewer. */
  limit?: number
  /** Overrides the client's `maxPages` for this listing. */
  maxPages?: number
}

/** What a write was answered with. */
export interface WriteAnswer {
  /** 2xx, or one of the statuses the caller asked to read. */
  status: number
  /** The body as JSON; undefined when it was empty (or, for a refusal the caller reads, not JSON). */
  json: unknown
  /** The body as it came, for a status the caller asked to read. */
  text?: string
  /** The attempt that got this answer, from 1; more than 1 means an earlier attempt may have been done. */
  attempts: number
}

/** What a whole listing came to. */
export interface PagingSummary {
  pages: number
  records: number
}

const DEFAULTS = {timeoutMs: 30_000, concurrency: 4, maxPages: 100_000, userAgent: 'ss12000-toolkit'}

/**
 * A client of an SS 12000:2020 read API (TK450 and Skolverket's profile): auth, paging, retries, timeouts, bounded
 * concurrency and tolerant reading. Everything it cannot survive is a RemoteError (exit 4) naming the request; every
 * deviation it tolerates is warned about once. Certificate checks stay on: for a private CA, start Node with
 * NODE_EXTRA_CA_CERTS=/path/to/ca.pem.
 */
export class Ss12000Client {
  /** The base URL as messages show it. */
  readonly server: string
  private readonly base: URL
  private readonly transport: Transport
  private readonly deviations: Deviations
  private readonly slots: Semaphore
  private readonly hooks: ExchangeHooks
  private readonly maxPages: number
  private readonly now: () => number

  /** @throws UsageError for a URL or option that cannot be used (plain http off loopback without `insecureHttp`). */
  constructor(options: ClientOptions) {
    const insecureHttp = options.insecureHttp ?? false
    this.base = checkRemoteUrl(options.baseUrl, 'The API URL', insecureHttp)
    this.base.search = ''
    this.server = displayUrl(this.base).replace(/\/+$/, '')
    const retry: RetryPolicy = {...DEFAULT_RETRY, ...definedOnly(options.retry ?? {})}
    const timeoutMs = options.timeoutMs ?? DEFAULTS.timeoutMs
    const concurrency = options.concurrency ?? DEFAULTS.concurrency
    this.maxPages = options.maxPages ?? DEFAULTS.maxPages
    checkWhole('retry.attempts', retry.attempts, 1)
    checkWhole('retry.baseDelayMs', retry.baseDelayMs, 0)
    checkWhole('retry.maxDelayMs', retry.maxDelayMs, 0)
    checkWhole('timeoutMs', timeoutMs, 1)
    checkWhole('concurrency', concurrency, 1)
    checkWhole('maxPages', this.maxPages, 1)
    this.now = options.now ?? Date.now
    this.deviations = new Deviations(options.warn ?? ((message) => process.stderr.write(`Warning: ${message}\n`)))
    this.slots = new Semaphore(concurrency)
    const secrets = new Secrets()
    this.transport = new Transport({
      server: this.server,
      timeoutMs,
      retry,
      userAgent: options.userAgent ?? DEFAULTS.userAgent,
      deviations: this.deviations,
      secrets,
      now: this.now,
      ...(options.onRetry === undefined ? {} : {onRetry: options.onRetry}),
    })
    const auth = options.auth
    if (auth === undefined) {
      this.hooks = {slots: this.slots}
    } else if (auth.kind === 'bearer') {
      const header = `Bearer ${checkedToken(auth.token, 'The bearer token')}`
      secrets.add(auth.token)
      this.hooks = {slots: this.slots, authorization: async () => header}
    } else {
      const tokenUrl = checkRemoteUrl(auth.tokenUrl, 'The token URL', insecureHttp)
      const tokens = new OAuth2Tokens(auth, tokenUrl, this.transport, secrets, this.deviations, this.now)
      this.hooks = {
        slots: this.slots,
        authorization: async () => `Bearer ${await tokens.token()}`,
        refreshAfter401: async (used) => {
          tokens.invalidate(used.replace(/^Bearer /, ''))
          return true
        },
      }
    }
  }

  /** Every warning given so far, in order. */
  get warnings(): readonly string[] {
    return this.deviations.messages
  }

  /** GET `path` (relative to the base URL) as JSON. */
  async getJson(path: string, query?: Query): Promise<unknown> {
    const answer = await this.transport.exchange({method: 'GET', url: resolveUrl(this.base, path, query)}, this.hooks)
    return answer.json
  }

  /**
   * POST a JSON body to `path` and read the JSON answer. Retried like a GET, so meant for the read API's lookups
   * (`/persons/lookup`), which are safe to repeat; writes go through `sendJson`.
   */
  async postJson(path: string, body: unknown, query?: Query): Promise<unknown> {
    const request = {
      method: 'POST' as const,
      url: resolveUrl(this.base, path, query),
      headers: {'content-type': 'application/json'},
      body: JSON.stringify(body),
    }
    return (await this.transport.exchange(request, this.hooks)).json
  }

  /**
   * Sends a write (`POST`, `PUT`, `DELETE`) with a JSON body to `path` and reads the answer. Transient failures
   * (network errors, timeouts, 408, 429, 5xx) are retried like a read's, so a write may reach the server more than
   * once: `attempts` above 1 tells the caller that an earlier attempt may have been done with its answer lost (a
   * retried POST can then meet the records it created itself). A 2xx answer, or one with a status in `answerStatuses`
   * (refusals the caller reads, such as 400, 409 and 413), is returned; anything else is a RemoteRequestError.
   */
  async sendJson(
    method: 'POST' | 'PUT' | 'DELETE',
    path: string,
    body: unknown,
    options: {answerStatuses?: readonly number[]; query?: Query} = {},
  ): Promise<WriteAnswer> {
    const request = {
      method,
      url: resolveUrl(this.base, path, options.query),
      headers: {'content-type': 'application/json'},
      body: JSON.stringify(body),
      emptyOk: true,
      answerStatuses: options.answerStatuses ?? [],
    }
    const answer = await this.transport.exchange(request, {...this.hooks, actionsFor: writeActions})
    return {
      status: answer.status,
      json: answer.json,
      attempts: answer.attempts,
      ...(answer.text === undefined ? {} : {text: answer.text}),
    }
  }

  /** One page of a collection (`persons`, `organisations`…): its records, normalized, and the next page's token. */
  async page(collection: string, query?: Query): Promise<ListPage> {
    const url = resolveUrl(this.base, collection, query)
    const answer = await this.transport.exchange({method: 'GET', url}, this.hooks)
    const page = readListPage(answer.json, collection, this.readContext())
    if (typeof page === 'string') throw new RemoteError(`GET ${displayUrl(url)}: ${page}.`)
    return page
  }

  /**
   * Every page of a collection, first to last, as arrays of normalized records. The first request carries `query`
   * (filters, `limit`); later ones only `pageToken` and `limit`, as the standard wants. Ends when pageToken is absent
   * or null; a token seen before, or more than `maxPages` pages, is an endless loop and a RemoteError.
   */
  async *pages(
    collection: string,
    query: Query = {},
    options: PagesOptions = {},
  ): AsyncGenerator<Record<string, unknown>[], PagingSummary> {
    const limit = options.limit === undefined ? query.limit : String(checkWhole('limit', options.limit, 1))
    const maxPages = checkWhole('maxPages', options.maxPages ?? this.maxPages, 1)
    const seen = new Set<string>(typeof query.pageToken === 'string' ? [query.pageToken] : [])
    const summary: PagingSummary = {pages: 0, records: 0}
    // The next page is asked for before this one is handed over, so the server works while the caller does.
    let pending = this.prefetch(collection, {...query, limit})
    for (;;) {
      const page = await pending
      summary.pages++
      summary.records += page.records.length
      const token = page.pageToken
      if (token !== undefined) {
        this.checkLoop(`/${collection}`, token, seen, summary.pages, maxPages)
        pending = this.prefetch(collection, {pageToken: token, limit})
      }
      yield page.records
      if (token === undefined) return summary
    }
  }

  /** A page asked for ahead: its failure is the awaiting caller's, never an unhandled rejection if it stops early. */
  private prefetch(collection: string, query: Query): Promise<ListPage> {
    const page = this.page(collection, query)
    page.catch(() => {})
    return page
  }

  /**
   * The ids deleted since `after` (RFC 3339), by entity type, from `GET /deletedEntities` (every page). `entities`
   * narrows the types asked for (all when empty). A server's flat list of ids is read as the one type asked for, or
   * kept in `unattributed` when several were (warned either way).
   */
  async deletedEntities(after: string, entities: readonly EntityName[] = []): Promise<DeletedIds> {
    for (const entity of entities) {
      if (ENTITY_NAMING[entity].deletedKey === undefined) {
        throw new UsageError(`${entity} has no deletedEntities in SS 12000; its deletions show only in a full listing.`)
      }
    }
    const result: DeletedIds = {byEntity: new Map(), unattributed: []}
    const context = this.readContext()
    const seen = new Set<string>()
    let query: Query = {after, entities: entities.length === 0 ? undefined : [...entities]}
    for (let pages = 1; ; pages++) {
      const url = resolveUrl(this.base, 'deletedEntities', query)
      const body = (await this.transport.exchange({method: 'GET', url}, this.hooks)).json
      if (!addDeletedIds(body, entities, result, context)) {
        throw new RemoteError(`GET ${displayUrl(url)}: the answer is not a deletedEntities answer {"data": {...}}.`)
      }
      const token = Array.isArray(body)
        ? undefined
        : readPageToken((body as {pageToken?: unknown}).pageToken, 'deletedEntities', context)
      if (token === false) throw new RemoteError(`GET ${displayUrl(url)}: its pageToken is neither a string nor null.`)
      if (token === undefined) return result
      this.checkLoop('/deletedEntities', token, seen, pages, this.maxPages)
      query = {pageToken: token}
    }
  }

  private checkLoop(path: string, token: string, seen: Set<string>, pages: number, maxPages: number): void {
    if (seen.has(token)) {
      throw new RemoteError(
        `${this.server}${path} sent a pageToken it had sent before, after ${pages} page(s): an endless paging loop, stopped.`,
        {actions: ["The server's paging is broken; report it to its supplier."]},
      )
    }
    if (pages >= maxPages) {
      throw new RemoteError(
        `${this.server}${path} still had more after ${maxPages} pages: taken for an endless paging loop and stopped.`,
        {actions: ['Ask for larger pages (limit), or allow more pages if the collection really is that large.']},
      )
    }
    seen.add(token)
  }

  private readContext() {
    return {
      server: this.server,
      deviations: this.deviations,
      referenceDate: new Date(this.now()).toISOString().slice(0, 10),
    }
  }
}

/** Next steps for a refused write (the read side's defaults speak of reading). */
function writeActions(status: number): string[] | undefined {
  switch (status) {
    case 401:
    case 403:
      return ['The server refused to let these credentials write: check the token and what it was issued for.']
    case 404:
      return ["Check the URL: it is the write API's base, under which the collections (/persons, …) are."]
    case 405:
      return ['The server does not take this kind of write at this URL: check that it is a write API.']
    default:
      return undefined
  }
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined)) as Partial<T>
}

function checkWhole(name: string, value: number, min: number): number {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new UsageError(`${name} must be a whole number of at least ${min}, not ${value}.`)
  }
  return value
}

import {randomUUID} from 'node:crypto'
import {setTimeout as sleep} from 'node:timers/promises'

import type {FastifyError, FastifyInstance, FastifyReply} from 'fastify'

import type {EntityName} from '../schema/entity-names.js'
import type {ProfileName} from '../schema/profiles.js'
import type {StagingDatabase} from '../staging/database.js'
import {isRecord, UUID_PATTERN} from '../util.js'
import {bodyErrors} from './body-check.js'
import {PageTokens} from './page-token.js'

/**
 * SS 12000 subscriptions (webhooks) for `serve`: `POST|GET /subscriptions`, `GET|PATCH|DELETE /subscriptions/{id}`
 * (SPEC-NOTES §3, Subscriptions), kept per scope in the staging database's `subscription` table (migration 3), and
 * the notifier that POSTs `{"modifiedEntites": […], "modifiedEntities": […]}` / `{"deletedEntities": true}` to each
 * live subscription's target after a write.
 *
 * Wiring (not done here; app.ts and ingest.ts belong to the server's owner):
 * 1. `ServerOptions` gets `subscriptions?: Omit<SubscriptionOptions, 'scope'>`, and `buildServer` calls, once, after
 *    the auth hook is added and before it returns:
 *      const notifier = options.subscriptions
 *        ? registerSubscriptions(app, base, {...options.subscriptions, scope: options.scope})
 *        : undefined
 *    `options.subscriptions.db` must be a connection the read API does not stream pages from: the service's writer
 *    connection (the ingest API's) serves both. The routes sit in an encapsulated plugin, so call it before
 *    `listen`/`ready`; the app's auth hook and error handler apply to them. `app.close()` closes the notifier.
 * 2. `IngestOptions` gets `notifier?: SubscriptionNotifier` (buildServer passes the one above), and ingest.ts calls
 *    it right after each `writer.commit()`: in `write()` (POST, PUT)
 *      options.notifier?.notify({modified: [entity], deleted: false})
 *    and in the DELETE handler
 *      options.notifier?.notify({modified: [entity], deleted: true})
 *    notify returns at once and never throws; deliveries run after the response.
 * 3. services/serve.ts passes `subscriptions: {db: writer, now: options.now}` (opening the writer connection when
 *    subscriptions are on, not only with --ingest). `app.close()` closes the notifier: it abandons retries still
 *    waiting. To deliver everything queued first, buildServer hands the notifier out (e.g. on its return value) and
 *    the service awaits `notifier.idle()` before `app.close()`.
 */

export interface SubscriptionOptions {
  /** A connection that writes: not one the read API has page streams open on. */
  db: StagingDatabase
  scope: string
  /** The current time, RFC 3339. */
  now: () => string
  /** Whose Code_ObjectType list `resourceTypes` is checked against (default `ss12000-2020`, all 18 types). */
  profile?: ProfileName
  /** How long a subscription lives after POST or PATCH, in days (default 90, as Skolverket's). */
  lifetimeDays?: number
  /** The page tokens of `GET /subscriptions` (default: tokens of its own). */
  pageTokens?: PageTokens
  delivery?: DeliveryPolicy
  /** Where a notification that could not be delivered is reported (default: a line on stderr). */
  warn?: (message: string) => void
}

/** How notifications are sent. */
export interface DeliveryPolicy {
  /** Attempts per notification, the first included (default 4, as Skolverket's). */
  attempts?: number
  /** Milliseconds to wait before the 2nd, 3rd… attempt; the last value repeats (default 1 s, 5 s, 25 s). */
  delays?: readonly number[]
  /** Milliseconds one attempt may take (default 10 s). */
  timeout?: number
  /** What sends the request (default: the global fetch). */
  send?: typeof fetch
}

/** A write the subscribers should hear of. */
export interface Change {
  /** The entity types the write touched. */
  modified: readonly EntityName[]
  /** The write removed records of those types (of any type, when `modified` is empty). */
  deleted: boolean
}

export interface SubscriptionNotifier {
  /**
   * Queues a notification for every live subscription whose resourceTypes name one of `change.modified` (every live
   * subscription for a deletion of unnamed types). Returns at once and never throws. Notifications for a
   * subscription that pile up while one is being delivered to it go out as one.
   */
  notify(change: Change): void
  /** Resolves when every queued notification has been delivered or given up. */
  idle(): Promise<void>
  /** Takes no more notifications, abandons waiting retries and aborts requests in flight; resolves when all stopped. */
  close(): Promise<void>
}

/** A subscription as the API shows it (the standard's Subscription). */
export interface StoredSubscription {
  id: string
  expires: string
  name: string
  target: string
  resourceTypes: Array<{resource: string}>
}

interface SubscriptionRow {
  id: string
  name: string
  target: string
  resource_types: string
  expires: string
}

interface Pending {
  modified: Set<string>
  deleted: boolean
}

const COLLECTION = 'subscriptions'
const DAY = 24 * 60 * 60 * 1000
const DEFAULT_DELAYS = [1000, 5000, 25000]

/**
 * Registers the subscription routes under `base` (e.g. `/v2.0`) and returns the notifier the writes call. Errors are
 * the standard's `{code, message}`: 400 for a bad body, id or parameter, 404 for an unknown or expired id.
 */
export function registerSubscriptions(
  app: FastifyInstance,
  base: string,
  options: SubscriptionOptions,
): SubscriptionNotifier {
  const {db, scope} = options
  const lifetime = (options.lifetimeDays ?? 90) * DAY
  const pageTokens = options.pageTokens ?? new PageTokens()
  const profile = options.profile ?? 'ss12000-2020'
  const warn = options.warn ?? ((message: string) => void process.stderr.write(`${message}\n`))
  const now = () => {
    const time = Date.parse(options.now())
    if (Number.isNaN(time)) throw new Error(`now() gave ${options.now()}, not an RFC 3339 date-time`)
    return time
  }
  const iso = (time: number) => new Date(time).toISOString()

  const statements = {
    insert: db.prepare(
      `INSERT INTO subscription (scope, id, name, target, resource_types, created, expires)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ),
    get: db.prepare<[string, string, string], SubscriptionRow>(
      `SELECT id, name, target, resource_types, expires FROM subscription WHERE scope = ? AND id = ? AND expires > ?`,
    ),
    page: db.prepare<[string, string, string, number], SubscriptionRow>(
      `SELECT id, name, target, resource_types, expires FROM subscription
       WHERE scope = ? AND expires > ? AND id > ? ORDER BY id LIMIT ?`,
    ),
    live: db.prepare<[string, string], SubscriptionRow>(
      `SELECT id, name, target, resource_types, expires FROM subscription WHERE scope = ? AND expires > ?`,
    ),
    renew: db.prepare(`UPDATE subscription SET expires = ? WHERE scope = ? AND id = ? AND expires > ?`),
    remove: db.prepare(`DELETE FROM subscription WHERE scope = ? AND id = ? AND expires > ?`),
    purge: db.prepare(`DELETE FROM subscription WHERE scope = ? AND expires <= ?`),
  }
  const find = (id: string, at: number) => statements.get.get(scope, id.toLowerCase(), iso(at))

  app.register(async (routes) => {
    // PATCH and DELETE carry no body in the standard, but clients often still send `Content-Type: application/json`.
    const parseJson = routes.getDefaultJsonParser('error', 'error')
    routes.removeContentTypeParser('application/json')
    routes.addContentTypeParser('application/json', {parseAs: 'string'}, (request, body, done) => {
      if (body === '') return done(null, undefined)
      return parseJson(request, body as string, done)
    })
    // Fastify's own 4xx (an unparsable body, a wrong content type) as the standard's error body; anything else
    // (the app's auth errors among them) goes on to the app's error handler.
    routes.setErrorHandler((error: FastifyError, _request, reply) => {
      if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
        return reply.status(400).send({code: 'BadRequest', message: error.message})
      }
      throw error
    })

    routes.post(`${base}/${COLLECTION}`, async (request, reply) => {
      const checked = checkCreateSubscription(request.body, profile)
      if (typeof checked === 'string') return badRequest(reply, checked)
      const at = now()
      const subscription: StoredSubscription = {id: randomUUID(), expires: iso(at + lifetime), ...checked}
      db.transaction(() => {
        statements.purge.run(scope, iso(at))
        statements.insert.run(
          scope,
          subscription.id,
          subscription.name,
          subscription.target,
          JSON.stringify(subscription.resourceTypes),
          iso(at),
          subscription.expires,
        )
      })()
      return reply.status(201).send(subscription)
    })

    routes.get(`${base}/${COLLECTION}`, async (request, reply) => {
      const query = (request.query ?? {}) as Record<string, string | string[]>
      const others = Object.keys(query).filter((key) => key !== 'limit' && key !== 'pageToken')
      if (others.length > 0) {
        return badRequest(reply, `/${COLLECTION} takes only limit and pageToken, not ${others.join(', ')}.`)
      }
      let limit: number | undefined
      if (query.limit !== undefined) {
        const text = typeof query.limit === 'string' ? query.limit : ''
        limit = Number(text)
        if (!/^\d+$/.test(text) || limit < 1) return badRequest(reply, 'limit must be an integer of at least 1.')
      }
      let after = ''
      if (query.pageToken !== undefined) {
        const state = typeof query.pageToken === 'string' ? pageTokens.read(query.pageToken) : undefined
        if (!state || state.collection !== COLLECTION) {
          return badRequest(reply, `The pageToken is not one this server issued for /${COLLECTION}.`)
        }
        after = state.after
        limit ??= state.limit
      }
      // One row more than the page tells whether another page follows; -1 is SQLite's "no limit".
      const rows = statements.page.all(scope, iso(now()), after, limit === undefined ? -1 : limit + 1)
      const more = limit !== undefined && rows.length > limit
      const data = (more ? rows.slice(0, limit) : rows).map(fromRow)
      const last = data.at(-1)
      const pageToken =
        more && last ? pageTokens.issue({collection: COLLECTION, query: {}, after: last.id, limit: limit!}) : null
      return reply.send({data, pageToken})
    })

    routes.get<{Params: {id: string}}>(`${base}/${COLLECTION}/:id`, async (request, reply) => {
      const {id} = request.params
      if (!UUID_PATTERN.test(id)) return badId(reply, id)
      const row = find(id, now())
      return row ? reply.send(fromRow(row)) : notFound(reply, id)
    })

    routes.patch<{Params: {id: string}}>(`${base}/${COLLECTION}/:id`, async (request, reply) => {
      const {id} = request.params
      if (!UUID_PATTERN.test(id)) return badId(reply, id)
      const at = now()
      const renewed = statements.renew.run(iso(at + lifetime), scope, id.toLowerCase(), iso(at)).changes > 0
      const row = renewed ? find(id, at) : undefined
      return row ? reply.send(fromRow(row)) : notFound(reply, id)
    })

    routes.delete<{Params: {id: string}}>(`${base}/${COLLECTION}/:id`, async (request, reply) => {
      const {id} = request.params
      if (!UUID_PATTERN.test(id)) return badId(reply, id)
      const at = now()
      const removed = db.transaction(() => {
        const changes = statements.remove.run(scope, id.toLowerCase(), iso(at)).changes
        statements.purge.run(scope, iso(at))
        return changes > 0
      })()
      return removed ? reply.status(204).send() : notFound(reply, id)
    })
  })

  const notifier = createNotifier({
    live: () => statements.live.all(scope, iso(now())).map(fromRow),
    find: (id) => {
      const row = find(id, now())
      return row ? fromRow(row) : undefined
    },
    delivery: options.delivery ?? {},
    warn,
  })
  app.addHook('onClose', async () => notifier.close())
  return notifier
}

/** The body's name, target and resourceTypes, or why it is not a CreateSubscription. */
function checkCreateSubscription(
  body: unknown,
  profile: ProfileName,
): Omit<StoredSubscription, 'id' | 'expires'> | string {
  if (!isRecord(body)) return 'The body must be a JSON object {"name", "target", "resourceTypes": [{"resource"}]}.'
  const errors = bodyErrors('CreateSubscription', body, profile, 'Subscription')
  if (errors !== undefined) return errors
  const {name, target, resourceTypes} = body as {
    name: string
    target: string
    resourceTypes: Array<{resource?: string}>
  }
  if (!isWebUrl(target)) return `target must be an absolute http or https URL, not ${JSON.stringify(target)}.`
  // The schema leaves resource optional, but an entry without one subscribes to nothing.
  const resources = resourceTypes.map((entry) => entry.resource)
  if (resources.length === 0 || resources.some((resource) => resource === undefined)) {
    return 'resourceTypes must name at least one Code_ObjectType, each as {"resource": "<type>"}.'
  }
  return {name, target, resourceTypes: resources.map((resource) => ({resource: resource!}))}
}

function isWebUrl(text: string): boolean {
  try {
    const url = new URL(text)
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== ''
  } catch {
    return false
  }
}

function fromRow(row: SubscriptionRow): StoredSubscription {
  return {
    id: row.id,
    expires: row.expires,
    name: row.name,
    target: row.target,
    resourceTypes: JSON.parse(row.resource_types) as Array<{resource: string}>,
  }
}

function badRequest(reply: FastifyReply, message: string): FastifyReply {
  return reply.status(400).send({code: 'BadRequest', message})
}

function badId(reply: FastifyReply, id: string): FastifyReply {
  return badRequest(reply, `A subscription id is a UUID, not ${JSON.stringify(id)}.`)
}

function notFound(reply: FastifyReply, id: string): FastifyReply {
  return reply.status(404).send({code: 'NotFound', message: `No subscription with id ${id} (or it has expired).`})
}

interface NotifierSources {
  /** The live subscriptions of the scope. */
  live: () => StoredSubscription[]
  /** One live subscription, or undefined once it is deleted or expired. */
  find: (id: string) => StoredSubscription | undefined
  delivery: DeliveryPolicy
  warn: (message: string) => void
}

/** Queues per subscription, one delivery at a time each; what arrives meanwhile waits, merged, for the next one. */
function createNotifier(sources: NotifierSources): SubscriptionNotifier {
  const attempts = Math.max(1, sources.delivery.attempts ?? 4)
  const delays = sources.delivery.delays ?? DEFAULT_DELAYS
  const timeout = sources.delivery.timeout ?? 10_000
  const send = sources.delivery.send ?? fetch
  const pending = new Map<string, Pending>()
  const running = new Map<string, Promise<void>>()
  const stop = new AbortController()

  function notify(change: Change): void {
    if (stop.signal.aborted) return
    try {
      const touched = new Set<string>(change.modified)
      for (const subscription of sources.live()) {
        const wanted = subscription.resourceTypes.map((type) => type.resource).filter((type) => touched.has(type))
        if (wanted.length === 0 && !(change.deleted && touched.size === 0)) continue
        const next = pending.get(subscription.id) ?? {modified: new Set<string>(), deleted: false}
        if (change.deleted) next.deleted = true
        else for (const type of wanted) next.modified.add(type)
        pending.set(subscription.id, next)
        if (!running.has(subscription.id)) running.set(subscription.id, drain(subscription.id))
      }
    } catch (error) {
      sources.warn(`Subscriptions: a change could not be queued for notification: ${(error as Error).message}`)
    }
  }

  async function drain(id: string): Promise<void> {
    try {
      // Start after the write's own turn, so the notifications one request makes go out as one.
      await new Promise((resolve) => setImmediate(resolve))
      for (let next = pending.get(id); next !== undefined && !stop.signal.aborted; next = pending.get(id)) {
        pending.delete(id)
        await deliver(id, next)
      }
    } catch (error) {
      sources.warn(`Subscription ${id}: notifying failed: ${(error as Error).message}`)
    } finally {
      // No await between the last look at `pending` and here: a notify after it starts a drain of its own.
      running.delete(id)
    }
  }

  async function deliver(id: string, what: Pending): Promise<void> {
    const modified = [...what.modified]
    const body = JSON.stringify({
      // The standard spells it modifiedEntites; Skolverket's code sends modifiedEntities (SPEC-NOTES §3): send both.
      ...(modified.length > 0 ? {modifiedEntites: modified, modifiedEntities: modified} : {}),
      ...(what.deleted ? {deletedEntities: true} : {}),
    })
    let failure = ''
    let target = ''
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (attempt > 1) {
        try {
          await sleep(delays[Math.min(attempt - 2, delays.length - 1)] ?? 0, undefined, {signal: stop.signal})
        } catch {
          break
        }
      }
      // Read it again each time: a subscription deleted or expired meanwhile is not notified.
      const subscription = sources.find(id)
      if (!subscription) return
      target = subscription.target
      try {
        const response = await send(target, {
          method: 'POST',
          headers: {'content-type': 'application/json', 'user-agent': 'ss12000-toolkit'},
          body,
          redirect: 'manual',
          signal: AbortSignal.any([stop.signal, AbortSignal.timeout(timeout)]),
        })
        await response.body?.cancel().catch(() => undefined)
        if (response.status >= 200 && response.status < 300) return
        failure = `HTTP ${response.status}`
      } catch (error) {
        failure = describeFailure(error)
      }
    }
    const why = stop.signal.aborted ? 'the server is closing' : `${attempts} attempts, the last: ${failure}`
    sources.warn(`Subscription ${id}: ${target} was not notified of ${body} (${why}).`)
  }

  async function idle(): Promise<void> {
    while (running.size > 0) await Promise.allSettled([...running.values()])
  }

  return {
    notify,
    idle,
    async close() {
      stop.abort()
      for (const id of pending.keys()) {
        sources.warn(`Subscription ${id}: a queued notification was dropped (the server is closing).`)
      }
      pending.clear()
      await idle()
    },
  }
}

function describeFailure(error: unknown): string {
  const cause = (error as {cause?: {code?: string; message?: string}}).cause
  if (cause?.code) return cause.code
  return (error as Error).message ?? String(error)
}

import {Readable} from 'node:stream'
import {timingSafeEqual} from 'node:crypto'

import Fastify, {type FastifyInstance, type FastifyReply, type FastifyRequest} from 'fastify'

import {ENTITY_NAMES, ENTITY_NAMING, entityFromName, type EntityName} from '../schema/entity-names.js'
import type {StagingDatabase} from '../staging/database.js'
import {isRecord, RFC3339_DATE_TIME, UUID_PATTERN} from '../util.js'
import {aggregatedAttendance} from './aggregated-attendance.js'
import {expansionsOf, withExpansions} from './expand.js'
import {
  ARRAY_FILTERS,
  COLLECTION_FILTERS,
  LOOKUP_KEYS,
  parameterFormat,
  RELATIONSHIP_FILTERS,
  relationshipCondition,
  REQUIRED_FILTERS,
  SORT_KEYS,
  type SqlCondition,
} from './filters.js'
import {type PageState, PageTokens} from './page-token.js'
import {type IngestOptions, registerIngest} from './ingest.js'
import {registerSubscriptions, type SubscriptionNotifier, type SubscriptionOptions} from './subscriptions.js'
import {watchBatches} from './batch-watch.js'
import {type ClientReportOptions, registerClientReports} from './client-reports.js'
import {withReferenceNames} from './reference-names.js'
import {type ListQuery, RecordStore, type ServedRecord} from './store.js'

export interface ServerOptions {
  db: StagingDatabase
  scope: string
  /** Bearer tokens accepted; undefined serves without auth (the command allows that on loopback only). */
  tokens?: string[]
  pageTokens?: PageTokens
  /** Where the API lives, e.g. `/v2.0` (the standard's servers entry); '' for the root. */
  basePath?: string
  /** TLS: PEM certificate and key. */
  https?: {cert: Buffer; key: Buffer}
  /** Serve Skolverket's ingest API too (writes land as batches of their own). */
  ingest?: Omit<IngestOptions, 'scope'>
  /** Take the clients' reports (`POST /log`, `/statistics`); with `ingest`, serve them back (`GET`). */
  clientReports?: Omit<ClientReportOptions, 'scope' | 'read' | 'pageTokens'>
  /** Where the server's own faults are written (default: stderr). */
  log?: (line: string) => void
  /** Serve the standard's subscriptions, and notify them of every batch the scope gets (`watchBatches`). */
  subscriptions?: Omit<SubscriptionOptions, 'scope'> & {watchIntervalMs?: number}
}

const notifiers = new WeakMap<FastifyInstance, SubscriptionNotifier>()

/** The subscriptions' notifier of a server built with them (to wait for its deliveries before closing). */
export function notifierOf(app: FastifyInstance): SubscriptionNotifier | undefined {
  return notifiers.get(app)
}

/** The read API's error body, with the standard's status codes. */
class ApiError extends Error {
  constructor(
    readonly status: 400 | 403 | 404 | 503,
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

/** Collections with a get and lookup (SPEC-NOTES §3); aggregatedAttendance is a list only, computed. */
const SERVED: readonly EntityName[] = ENTITY_NAMES.filter(
  (entity) => entity !== 'AggregatedAttendance' && entity !== 'Subscription',
)

const META_WINDOWS = {
  'meta.created.after': 'createdAfter',
  'meta.created.before': 'createdBefore',
  'meta.modified.after': 'modifiedAfter',
  'meta.modified.before': 'modifiedBefore',
} as const
const DATE = /^\d{4}-\d{2}-\d{2}$/

/** The parameters a list takes besides its filters: they shape the answer, not which records. */
const SHAPING = new Set(['expand', 'expandReferenceNames'])

type FirstPage = Omit<PageState, 'after'> & {after?: string}

export function buildServer(options: ServerOptions): FastifyInstance {
  const app = Fastify({logger: false, ...(options.https ? {https: options.https} : {})}) as unknown as FastifyInstance
  const base = options.basePath ?? ''
  const scope = options.scope
  const store = new RecordStore(options.db)
  const pageTokens = options.pageTokens ?? new PageTokens()

  app.setErrorHandler((error, request, reply) => {
    if (error instanceof ApiError) return reply.status(error.status).send({code: error.code, message: error.message})
    const status = (error as {statusCode?: number}).statusCode
    if (status !== undefined && status >= 400 && status < 500) {
      return reply.status(400).send({code: 'BadRequest', message: (error as Error).message})
    }
    // A fault of the server's own: its log gets the error (queries and stack, never request bodies).
    ;(options.log ?? ((line: string) => process.stderr.write(`${line}\n`)))(
      `ss12000 serve: ${request.method} ${request.url.split('?')[0]} failed: ${(error as Error).stack ?? String(error)}`,
    )
    return reply.status(500).send({code: 'InternalError', message: 'The server failed; see its log.'})
  })

  if (options.tokens !== undefined) {
    const accepted = options.tokens.map((token) => Buffer.from(token))
    app.addHook('onRequest', async (request) => {
      const header = request.headers.authorization ?? ''
      const given = Buffer.from(header.startsWith('Bearer ') ? header.slice(7) : '')
      const ok = accepted.some((token) => token.length === given.length && timingSafeEqual(token, given))
      // The standard answers 403 for a missing or invalid token; it never uses 401.
      if (!ok) throw new ApiError(403, 'Forbidden', 'A valid bearer token is required.')
    })
  }

  for (const entity of SERVED) {
    const collection = ENTITY_NAMING[entity].collection
    app.get(`${base}/${collection}`, async (request, reply) => sendPage(request, reply, entity))
    app.get<{Params: {id: string}}>(`${base}/${collection}/:id`, async (request, reply) => {
      const query = shapingOnly(entity, queryValues(request))
      const record = store.get(scope, entity, request.params.id)
      if (!record) throw new ApiError(404, 'NotFound', `No ${entity} with id ${request.params.id}.`)
      const [shaped] = [...shape(entity, query, [record])]
      return reply.type('application/json').send(shaped!.text)
    })
    app.post<{Body: unknown}>(`${base}/${collection}/lookup`, async (request, reply) => {
      const query = shapingOnly(entity, queryValues(request))
      if (!isRecord(request.body)) throw new ApiError(400, 'BadRequest', 'The body must be a JSON object.')
      const keys = LOOKUP_KEYS[entity] ?? {}
      const conditions: SqlCondition[] = []
      let ids: string[] = []
      for (const [key, value] of Object.entries(request.body)) {
        const values = stringList(value, key)
        if (key === 'ids') ids = values
        else if (keys[key]) {
          if (values.length > 0) conditions.push(keys[key](values, scope))
        } else {
          const known = ['ids', ...Object.keys(keys)].join(', ')
          throw new ApiError(400, 'BadRequest', `/${collection}/lookup takes ${known}; not ${key}.`)
        }
      }
      return sendStream(reply, arrayText(shape(entity, query, store.lookup(scope, entity, ids, conditions))))
    })
  }
  app.get(`${base}/${ENTITY_NAMING.AggregatedAttendance.collection}`, async (request, reply) =>
    sendPage(request, reply, 'AggregatedAttendance'),
  )

  app.get(`${base}/deletedEntities`, async (request, reply) => {
    const query = queryValues(request)
    const after = single(query, 'after')
    if (after !== undefined && !RFC3339_DATE_TIME.test(after)) throw badParameter('after', 'an RFC 3339 date-time')
    const entities = (query.entities ?? SERVED.filter((entity) => ENTITY_NAMING[entity].deletedKey)).map((name) => {
      const entity = entityFromName(name)
      if (!entity || ENTITY_NAMING[entity].deletedKey === undefined)
        throw badParameter('entities', 'Code_ObjectType values')
      return entity
    })
    const deleted = store.deleted(scope, after ?? '0000-01-01T00:00:00Z', entities)
    const data: Record<string, string[]> = {}
    for (const [entity, ids] of deleted) data[ENTITY_NAMING[entity].deletedKey!] = ids
    return reply.send({data, pageToken: null})
  })

  /** A page of a collection: the first (filters in the query) or a later one (only pageToken, and limit). */
  async function sendPage(request: FastifyRequest, reply: FastifyReply, entity: EntityName): Promise<FastifyReply> {
    const collection = ENTITY_NAMING[entity].collection
    const given = queryValues(request)
    let state: FirstPage
    if (given.pageToken !== undefined) {
      const others = Object.keys(given).filter((key) => key !== 'pageToken' && key !== 'limit')
      if (others.length > 0) {
        throw new ApiError(
          400,
          'BadRequest',
          `A later page takes only pageToken (and limit), not ${others.join(', ')}.`,
        )
      }
      const read = pageTokens.read(single(given, 'pageToken') ?? '')
      if (!read || read.collection !== collection) {
        throw new ApiError(400, 'BadRequest', 'The pageToken is not one this server issued for this collection.')
      }
      state = {...read, ...(given.limit === undefined ? {} : {limit: parseLimit(given)})}
    } else {
      const {limit: _limit, ...query} = given
      state = {collection, query, ...(given.limit === undefined ? {} : {limit: parseLimit(given)})}
    }
    const more = state.limit === undefined ? undefined : state.limit + 1
    const records =
      entity === 'AggregatedAttendance' ? aggregatedPage(state, more) : store.list(compileQuery(entity, state, more))
    return sendStream(reply, pageText(shape(entity, state.query, records), state, pageTokens))
  }

  /** expand and expandReferenceNames, as the query asks. */
  function shape(
    entity: EntityName,
    query: Record<string, string[]>,
    records: Iterable<ServedRecord>,
  ): Iterable<ServedRecord> {
    const expand = query.expand ?? []
    let shaped = expand.length > 0 ? withExpansions(store, scope, entity, expand, records) : records
    if (expandNames(query)) shaped = withReferenceNames(options.db, scope, entity, shaped)
    return shaped
  }

  /** A get's or lookup's query: only expand and expandReferenceNames, checked. */
  function shapingOnly(entity: EntityName, query: Record<string, string[]>): Record<string, string[]> {
    for (const name of Object.keys(query)) {
      if (!SHAPING.has(name)) throw new ApiError(400, 'BadRequest', `${name} is not a parameter here.`)
    }
    checkShaping(entity, query)
    return query
  }

  function checkShaping(entity: EntityName, query: Record<string, string[]>): void {
    expandNames(query)
    const known = expansionsOf(entity)
    for (const value of query.expand ?? []) {
      if (!known.includes(value)) {
        throw badParameter('expand', known.length > 0 ? `one or more of ${known.join(', ')}` : 'absent here')
      }
    }
  }

  function compileQuery(entity: EntityName, state: FirstPage, limit: number | undefined): ListQuery {
    const collection = ENTITY_NAMING[entity].collection
    checkRequired(entity, state.query)
    checkShaping(entity, state.query)
    const filters = COLLECTION_FILTERS[entity] ?? {}
    const query: ListQuery = {scope, entity, conditions: [], meta: {}, ...(limit === undefined ? {} : {limit})}
    if (state.after !== undefined) query.after = state.after
    if (state.afterKey !== undefined) query.afterKey = state.afterKey
    const relationship: Record<string, string> = {}
    for (const [name, values] of Object.entries(state.query)) {
      if (SHAPING.has(name)) continue
      if (name === 'sortkey') {
        const key = values.length === 1 ? SORT_KEYS[entity]?.[values[0]!] : undefined
        if (!key) {
          const known = Object.keys(SORT_KEYS[entity] ?? {})
          throw badParameter('sortkey', known.length > 0 ? `one of ${known.join(', ')}` : 'absent here')
        }
        query.sort = key
        continue
      }
      if (name in META_WINDOWS) {
        const value = values.length === 1 ? values[0]! : undefined
        if (value === undefined || !RFC3339_DATE_TIME.test(value)) throw badParameter(name, 'one RFC 3339 date-time')
        query.meta[META_WINDOWS[name as keyof typeof META_WINDOWS]] = value
        continue
      }
      const grouped = entity === 'Person' && RELATIONSHIP_FILTERS.includes(name)
      const rule = filters[name]
      if (!rule && !grouped) throw new ApiError(400, 'BadRequest', `${name} is not a filter of /${collection}.`)
      checkValues(entity, name, values)
      if (grouped) relationship[name] = values[0]!
      else query.conditions.push(rule!(values, scope))
    }
    if (Object.keys(relationship).length > 0) query.idSets = [relationshipCondition(relationship, scope)]
    return query
  }

  /** `/aggregatedAttendance`: its own parameters, over the attendance staged. */
  function aggregatedPage(state: FirstPage, limit: number | undefined): Iterable<ServedRecord> {
    const entity = 'AggregatedAttendance'
    checkRequired(entity, state.query)
    checkShaping(entity, state.query)
    const query = state.query
    for (const [name, values] of Object.entries(query)) {
      if (SHAPING.has(name)) continue
      if (!['startDate', 'endDate', 'organisation', 'schoolType', 'student'].includes(name)) {
        throw new ApiError(400, 'BadRequest', `${name} is not a filter of /aggregatedAttendance.`)
      }
      checkValues(entity, name, values)
    }
    return aggregatedAttendance(options.db, {
      scope,
      startDate: query.startDate![0]!,
      endDate: query.endDate![0]!,
      ...(query.organisation ? {organisation: query.organisation[0]!} : {}),
      ...(query.schoolType ? {schoolTypes: query.schoolType} : {}),
      ...(query.student ? {students: query.student} : {}),
      ...(state.after === undefined ? {} : {after: state.after}),
      ...(limit === undefined ? {} : {limit}),
    })
  }

  if (options.ingest) registerIngest(app, base, {...options.ingest, scope})
  if (options.clientReports) {
    registerClientReports(app, base, {...options.clientReports, scope, pageTokens, read: options.ingest !== undefined})
  }
  if (options.subscriptions) {
    const {watchIntervalMs, ...subscriptions} = options.subscriptions
    const notifier = registerSubscriptions(app, base, {...subscriptions, scope})
    notifiers.set(app, notifier)
    const stop = watchBatches(options.db, scope, notifier, watchIntervalMs)
    app.addHook('onClose', async () => stop())
  }

  return app
}

function checkRequired(entity: EntityName, query: Record<string, string[]>): void {
  const missing = (REQUIRED_FILTERS[entity] ?? []).filter((name) => query[name] === undefined)
  if (missing.length > 0) {
    throw new ApiError(400, 'BadRequest', `/${ENTITY_NAMING[entity].collection} requires ${missing.join(' and ')}.`)
  }
}

/** A filter's values: how many (one, unless the standard makes it an array) and their format. */
function checkValues(entity: EntityName, name: string, values: string[]): void {
  if (values.length > 1 && !ARRAY_FILTERS[entity]?.has(name)) throw badParameter(name, 'one value')
  const format = parameterFormat(entity, name)
  for (const value of values) {
    if (format === 'uuid' && !UUID_PATTERN.test(value)) throw badParameter(name, 'a uuid')
    if (format === 'date' && !DATE.test(value)) throw badParameter(name, 'a date (YYYY-MM-DD)')
    if (format === 'date-time' && !RFC3339_DATE_TIME.test(value) && !DATE.test(value)) {
      throw badParameter(name, 'a date-time (RFC 3339) or a date')
    }
    if (Array.isArray(format) && !format.includes(value)) throw badParameter(name, `one of ${format.join(', ')}`)
  }
}

function* pageText(
  records: Iterable<ServedRecord>,
  state: Omit<PageState, 'after'> & {after?: string},
  tokens: PageTokens,
): Generator<string> {
  yield '{"data":['
  let count = 0
  let last: ServedRecord | undefined
  let more = false
  for (const record of records) {
    if (state.limit !== undefined && count === state.limit) {
      more = true
      break
    }
    yield count === 0 ? record.text : `,${record.text}`
    last = record
    count++
  }
  const token =
    more && last !== undefined
      ? tokens.issue({...state, after: last.id, ...(last.key === undefined ? {} : {afterKey: last.key})})
      : null
  yield `],"pageToken":${JSON.stringify(token)}}`
}

function* arrayText(records: Iterable<ServedRecord>): Generator<string> {
  yield '['
  let first = true
  for (const record of records) {
    yield first ? record.text : `,${record.text}`
    first = false
  }
  yield ']'
}

/**
 * Streams the chunks. The first ones are taken before the response starts, so a failing query is a 500 with an error
 * body rather than a connection cut short.
 */
function sendStream(reply: FastifyReply, chunks: Iterable<string>): FastifyReply {
  const iterator = chunks[Symbol.iterator]()
  const head: string[] = []
  for (let step = iterator.next(); ; step = iterator.next()) {
    if (step.done) return reply.type('application/json').send(head.join(''))
    head.push(step.value)
    if (head.length === 2) break
  }
  const rest = function* (): Generator<string> {
    yield head.join('')
    for (let step = iterator.next(); !step.done; step = iterator.next()) yield step.value
  }
  return reply.type('application/json').send(Readable.from(rest()))
}

/** The query string as lists of values (repeated keys are arrays, form/explode style). */
function queryValues(request: FastifyRequest): Record<string, string[]> {
  const values: Record<string, string[]> = {}
  for (const [key, value] of Object.entries((request.query ?? {}) as Record<string, string | string[]>)) {
    values[key] = Array.isArray(value) ? value : [value]
  }
  return values
}

/** `expandReferenceNames=true|false` (absent: false). */
function expandNames(query: Record<string, string[]>): boolean {
  const value = single(query, 'expandReferenceNames')
  if (value === undefined || value === 'false') return false
  if (value === 'true') return true
  throw badParameter('expandReferenceNames', 'true or false')
}

function single(query: Record<string, string[]>, name: string): string | undefined {
  const values = query[name]
  if (values === undefined) return undefined
  if (values.length !== 1) throw badParameter(name, 'one value')
  return values[0]
}

function parseLimit(query: Record<string, string[]>): number {
  const text = single(query, 'limit') ?? ''
  const limit = Number(text)
  if (!/^\d+$/.test(text) || limit < 1) throw badParameter('limit', 'an integer of at least 1')
  return limit
}

function stringList(value: unknown, name: string): string[] {
  if (value === undefined) return []
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw badParameter(name, 'an array of strings')
  }
  return value as string[]
}

function badParameter(name: string, wanted: string): ApiError {
  return new ApiError(400, 'BadRequest', `${name} must be ${wanted}.`)
}

import {Readable} from 'node:stream'
import {timingSafeEqual} from 'node:crypto'

import Fastify, {type FastifyInstance, type FastifyReply, type FastifyRequest} from 'fastify'

import {ENTITY_NAMES, ENTITY_NAMING, entityFromName, type EntityName} from '../schema/entity-names.js'
import type {StagingDatabase} from '../staging/database.js'
import {COLLECTION_FILTERS, REQUIRED_FILTERS, SINGLE_VALUED, SORT_KEYS} from './filters.js'
import {type PageState, PageTokens} from './page-token.js'
import {type IngestOptions, registerIngest} from './ingest.js'
import {withReferenceNames} from './reference-names.js'
import {type ListQuery, RecordStore, type ServedRecord} from './store.js'

/** WORK IN PROGRESS (issue 6): the read API over a staged scope. See SERVE-WIP.md. */
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

/** Collections with a list, get and lookup (SPEC-NOTES §3); the others are not served from staging. */
const SERVED: readonly EntityName[] = ENTITY_NAMES.filter(
  (entity) => entity !== 'AggregatedAttendance' && entity !== 'Subscription',
)

const META_WINDOWS = {
  'meta.created.after': 'createdAfter',
  'meta.created.before': 'createdBefore',
  'meta.modified.after': 'modifiedAfter',
  'meta.modified.before': 'modifiedBefore',
} as const
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/
const DATE = /^\d{4}-\d{2}-\d{2}$/

export function buildServer(options: ServerOptions): FastifyInstance {
  const app = Fastify({logger: false, ...(options.https ? {https: options.https} : {})}) as unknown as FastifyInstance
  const base = options.basePath ?? ''
  const store = new RecordStore(options.db)
  const pageTokens = options.pageTokens ?? new PageTokens()

  app.setErrorHandler((error, _request, reply) => {
    if (error instanceof ApiError) return reply.status(error.status).send({code: error.code, message: error.message})
    const status = (error as {statusCode?: number}).statusCode
    if (status !== undefined && status >= 400 && status < 500) {
      return reply.status(400).send({code: 'BadRequest', message: (error as Error).message})
    }
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
      const record = store.get(options.scope, entity, request.params.id)
      if (!record) throw new ApiError(404, 'NotFound', `No ${entity} with id ${request.params.id}.`)
      const [named] = expandNames(queryValues(request))
        ? withReferenceNames(options.db, options.scope, entity, [record])
        : [record]
      return reply.type('application/json').send(named!.text)
    })
    app.post<{Body: unknown}>(`${base}/${collection}/lookup`, async (request, reply) => {
      const body = request.body as {ids?: unknown; civicNos?: unknown} | null
      const ids = stringList(body?.ids, 'ids')
      const civicNos = entity === 'Person' ? stringList(body?.civicNos, 'civicNos') : []
      return sendStream(reply, arrayText(store.lookup(options.scope, entity, ids, civicNos)))
    })
  }

  app.get(`${base}/deletedEntities`, async (request, reply) => {
    const query = queryValues(request)
    const after = single(query, 'after')
    if (after !== undefined && !DATE_TIME.test(after)) throw badParameter('after', 'an RFC 3339 date-time')
    const entities = (query.entities ?? SERVED.filter((entity) => ENTITY_NAMING[entity].deletedKey)).map((name) => {
      const entity = entityFromName(name)
      if (!entity || ENTITY_NAMING[entity].deletedKey === undefined)
        throw badParameter('entities', 'Code_ObjectType values')
      return entity
    })
    const deleted = store.deleted(options.scope, after ?? '0000-01-01T00:00:00Z', entities)
    const data: Record<string, string[]> = {}
    for (const [entity, ids] of deleted) data[ENTITY_NAMING[entity].deletedKey!] = ids
    return reply.send({data, pageToken: null})
  })

  /** A page of a collection: the first (filters in the query) or a later one (only pageToken, and limit). */
  async function sendPage(request: FastifyRequest, reply: FastifyReply, entity: EntityName): Promise<FastifyReply> {
    const collection = ENTITY_NAMING[entity].collection
    const given = queryValues(request)
    let state: Omit<PageState, 'after'> & {after?: string}
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
    const listQuery = compileQuery(entity, state)
    let records: Iterable<ServedRecord> = store.list({
      ...listQuery,
      ...(state.limit === undefined ? {} : {limit: state.limit + 1}),
    })
    if (expandNames(state.query)) records = withReferenceNames(options.db, options.scope, entity, records)
    return sendStream(reply, pageText(records, state, pageTokens))
  }

  function compileQuery(entity: EntityName, state: Omit<PageState, 'after'> & {after?: string}): ListQuery {
    const filters = COLLECTION_FILTERS[entity] ?? {}
    const missing = (REQUIRED_FILTERS[entity] ?? []).filter((name) => state.query[name] === undefined)
    if (missing.length > 0) {
      throw new ApiError(400, 'BadRequest', `/${ENTITY_NAMING[entity].collection} requires ${missing.join(' and ')}.`)
    }
    const query: ListQuery = {scope: options.scope, entity, conditions: [], meta: {}}
    if (state.after !== undefined) query.after = state.after
    if (state.afterKey !== undefined) query.afterKey = state.afterKey
    for (const [name, values] of Object.entries(state.query)) {
      if (name === 'expandReferenceNames') continue
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
        if (value === undefined || !DATE_TIME.test(value)) throw badParameter(name, 'one RFC 3339 date-time')
        query.meta[META_WINDOWS[name as keyof typeof META_WINDOWS]] = value
        continue
      }
      const rule = filters[name]
      if (!rule)
        throw new ApiError(400, 'BadRequest', `${name} is not a filter of /${ENTITY_NAMING[entity].collection}.`)
      if (SINGLE_VALUED.has(name) && values.length > 1) throw badParameter(name, 'one value')
      if (/Date\.on/.test(name) && !DATE.test(values[0] ?? '')) throw badParameter(name, 'a date (YYYY-MM-DD)')
      if (/Time\.on/.test(name) && !DATE_TIME.test(values[0] ?? '') && !DATE.test(values[0] ?? '')) {
        throw badParameter(name, 'a date-time (RFC 3339) or a date')
      }
      query.conditions.push(rule(values))
    }
    return query
  }

  if (options.ingest) registerIngest(app, base, {...options.ingest, scope: options.scope})

  return app
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

function sendStream(reply: FastifyReply, chunks: Iterable<string>): FastifyReply {
  return reply.type('application/json').send(Readable.from(chunks))
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

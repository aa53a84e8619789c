import type {FastifyError, FastifyInstance, FastifyReply, FastifyRequest} from 'fastify'

import type {ProfileName} from '../schema/profiles.js'
import {getModel} from '../schema/validators.js'
import type {StagingDatabase} from '../staging/database.js'
import {isRecord} from '../util.js'
import {bodyErrors} from './body-check.js'
import {PageTokens} from './page-token.js'

/**
 * What clients report back to `serve`: log entries and synchronisation statistics (SPEC-NOTES §1, LogEntry /
 * StatisticsEntry). Clients POST them, in the standard's spelling (`/log/`, `/statistics/`, TK450) or Skolverket's
 * (`/log`, `/statistics`, skolverket-ref-api-expose.yml); the ingest side reads them back with Skolverket's ingest
 * API (`GET /log`, `GET /statistics`, skolverket-ref-api-ingest.yml). They are kept per scope in the staging
 * database's `client_report` table (migration 4), in the order received.
 *
 * A log message may hold personal data of the client's: it is stored as given and answered to the ingest side, but
 * never written to the server's stdout or stderr (nothing here writes there, and error messages never quote a body).
 *
 * Wiring (not done here; app.ts and services/serve.ts belong to the server's owner):
 * 1. `ServerOptions` gets `clientReports?: Omit<ClientReportOptions, 'scope' | 'read' | 'pageTokens'>`, and
 *    `buildServer` calls, once, after the auth hook is added and before it returns:
 *      if (options.clientReports) {
 *        registerClientReports(app, base, {
 *          ...options.clientReports, scope, pageTokens, read: options.ingest !== undefined,
 *        })
 *      }
 *    so the POSTs are always served and the GETs only with `--ingest`. The routes sit in an encapsulated plugin:
 *    call it before `listen`/`ready`; the app's auth hook (403) and error handler (500) apply to them.
 * 2. services/serve.ts passes `clientReports: {db: writer, now: options.now, ...(options.ingest ? {profile:
 *    options.ingest.profile} : {})}`: the writer connection it already opens for the subscriptions (a GET here reads
 *    a whole page with `.all()`, so it never holds a statement open on it), and with --ingest the ingest profile, so
 *    that under `skolverket` a report names only the five types the ingest file's GET answers may hold.
 * Both spellings are separate routes: with fastify's `ignoreTrailingSlash` on, registering them would clash.
 */

export interface ClientReportOptions {
  /** A connection that writes: not one the read API has page streams open on. */
  db: StagingDatabase
  scope: string
  /** The current time, RFC 3339: when a report was received. */
  now: () => string
  /** The page tokens of the GETs (default: tokens of their own). */
  pageTokens?: PageTokens
  /** Register the GETs (the ingest side) too. */
  read: boolean
  /**
   * Whose Code_ObjectType list `resourceType` is checked against (default `ss12000-2020`, all 18 types: a client may
   * report on any of them; `skolverket` allows its five).
   */
  profile?: ProfileName
}

/** The two kinds of report, as the `client_report.kind` column names them. */
export type ClientReportKind = 'log' | 'statistics'

/** The largest body a POST takes, in bytes (fastify's default; a report is a few hundred bytes). */
export const CLIENT_REPORT_BODY_LIMIT = 1024 * 1024

/** The most entries one GET answers with; a larger `limit`, or none, gives this many and a pageToken. */
export const CLIENT_REPORT_PAGE_MAX = 1000

const KINDS: Record<ClientReportKind, {type: 'LogEntry' | 'StatisticsEntry'; path: string}> = {
  log: {type: 'LogEntry', path: 'log'},
  statistics: {type: 'StatisticsEntry', path: 'statistics'},
}

/** Page token collections: the kind, under a prefix no read API collection has. */
const tokenCollection = (kind: ClientReportKind) => `client-report/${kind}`

/** Fastify's body errors, in words that never quote the body. */
const BODY_ERRORS: Record<string, string> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'The body is not valid JSON.',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'The body is empty; send a JSON object.',
  FST_ERR_CTP_BODY_TOO_LARGE: `The body is larger than ${CLIENT_REPORT_BODY_LIMIT} bytes.`,
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'The body must be JSON, sent as Content-Type: application/json.',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'The Content-Length does not match the body.',
  FST_ERR_CTP_INVALID_TYPE: 'The Content-Type header is not valid.',
}

interface ReportRow {
  id: number
  json: string
}

/**
 * Registers, under `base` (e.g. `/v2.0`): `POST /log/`, `POST /log`, `POST /statistics/`, `POST /statistics` (201,
 * no body, as both files declare), and with `read`, `GET /log` and `GET /statistics` (200
 * `{"logs": [...], "pageToken": <string> | null}`: both list under `logs`, as the ingest file has it; pageToken is
 * null on the last page, as the file's description and the rest of `serve` have it). Errors are the standard's
 * `{code, message}` with 400: a body that is not the schema's, not JSON, not sent as application/json or too large;
 * a bad limit, a pageToken this server did not issue for the path, a parameter other than limit and pageToken.
 */
export function registerClientReports(app: FastifyInstance, base: string, options: ClientReportOptions): void {
  const {db, scope} = options
  const profile = options.profile ?? 'ss12000-2020'
  const pageTokens = options.pageTokens ?? new PageTokens()
  const received = () => {
    const time = Date.parse(options.now())
    if (Number.isNaN(time)) throw new Error(`now() gave ${options.now()}, not an RFC 3339 date-time`)
    return new Date(time).toISOString()
  }
  const statements = {
    insert: db.prepare<[string, ClientReportKind, string, string]>(
      `INSERT INTO client_report (scope, kind, received, json) VALUES (?, ?, ?, ?)`,
    ),
    page: db.prepare<[string, ClientReportKind, number, number], ReportRow>(
      `SELECT id, json FROM client_report WHERE scope = ? AND kind = ? AND id > ? ORDER BY id LIMIT ?`,
    ),
  }

  app.register(async (routes) => {
    // JSON only: fastify's text/plain parser would hand a handler a string.
    routes.removeAllContentTypeParsers()
    routes.addContentTypeParser(
      'application/json',
      {parseAs: 'string', bodyLimit: CLIENT_REPORT_BODY_LIMIT},
      routes.getDefaultJsonParser('error', 'error'),
    )
    // A body fastify cannot take as the standard's error body; anything else (the app's 403 for a missing token, a
    // failure) goes on to the app's error handler.
    routes.setErrorHandler((error: FastifyError, _request, reply) => {
      const reason = BODY_ERRORS[error.code]
      if (reason !== undefined) return badRequest(reply, reason)
      throw error
    })

    for (const kind of Object.keys(KINDS) as ClientReportKind[]) {
      const {path} = KINDS[kind]
      const post = async (request: FastifyRequest, reply: FastifyReply) => {
        const checked = checkEntry(kind, request.body, profile)
        if (typeof checked === 'string') return badRequest(reply, checked)
        statements.insert.run(scope, kind, received(), JSON.stringify(checked))
        return reply.status(201).send()
      }
      routes.post(`${base}/${path}/`, {bodyLimit: CLIENT_REPORT_BODY_LIMIT}, post)
      routes.post(`${base}/${path}`, {bodyLimit: CLIENT_REPORT_BODY_LIMIT}, post)
      if (options.read) routes.get(`${base}/${path}`, async (request, reply) => sendPage(kind, request, reply))
    }
  })

  /** A page of reports in the order received: the first (limit only) or a later one (pageToken, and limit). */
  function sendPage(kind: ClientReportKind, request: FastifyRequest, reply: FastifyReply): FastifyReply {
    const path = KINDS[kind].path
    const query = (request.query ?? {}) as Record<string, string | string[]>
    const others = Object.keys(query).filter((key) => key !== 'limit' && key !== 'pageToken')
    if (others.length > 0)
      return badRequest(reply, `/${path} takes only limit and pageToken, not ${others.join(', ')}.`)
    let limit: number | undefined
    if (query.limit !== undefined) {
      const text = typeof query.limit === 'string' ? query.limit : ''
      limit = Number(text)
      if (!/^\d+$/.test(text) || limit < 1) return badRequest(reply, 'limit must be an integer of at least 1.')
    }
    let after = 0
    if (query.pageToken !== undefined) {
      const state = typeof query.pageToken === 'string' ? pageTokens.read(query.pageToken) : undefined
      if (!state || state.collection !== tokenCollection(kind) || !/^\d+$/.test(state.after)) {
        return badRequest(reply, `The pageToken is not one this server issued for /${path}.`)
      }
      after = Number(state.after)
      limit ??= state.limit
    }
    const size = Math.min(limit ?? CLIENT_REPORT_PAGE_MAX, CLIENT_REPORT_PAGE_MAX)
    // One row more than the page tells whether another follows. All of it at once (.all): the connection writes.
    const rows = statements.page.all(scope, kind, after, size + 1)
    const page = rows.slice(0, size)
    const last = page.at(-1)
    const pageToken =
      rows.length > size && last
        ? pageTokens.issue({
            collection: tokenCollection(kind),
            query: {},
            after: String(last.id),
            ...(limit === undefined ? {} : {limit}),
          })
        : null
    // The stored JSON is the validated entry as text: it goes out as it is, not parsed again.
    const logs = page.map((row) => row.json).join(',')
    return reply.type('application/json').send(`{"logs":[${logs}],"pageToken":${JSON.stringify(pageToken)}}`)
  }
}

/**
 * The body as the entry to store (the schema's fields only), or why it is not a LogEntry / StatisticsEntry. The
 * reasons name the fields and never quote a value (the message field may hold personal data).
 */
function checkEntry(kind: ClientReportKind, body: unknown, profile: ProfileName): Record<string, unknown> | string {
  const {type} = KINDS[kind]
  if (!isRecord(body)) return `The body must be a JSON object, a ${type}.`
  const errors = bodyErrors(type, body, profile)
  if (errors !== undefined) return errors
  const known = Object.keys(getModel({profile, mode: 'payload'}).types[type].properties)
  return Object.fromEntries(Object.entries(body).filter(([field]) => known.includes(field)))
}

function badRequest(reply: FastifyReply, message: string): FastifyReply {
  return reply.status(400).send({code: 'BadRequest', message})
}

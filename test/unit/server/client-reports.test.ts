import type {AddressInfo} from 'node:net'
import {join} from 'node:path'

import Fastify, {type FastifyInstance} from 'fastify'
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'

import {
  CLIENT_REPORT_BODY_LIMIT,
  CLIENT_REPORT_PAGE_MAX,
  type ClientReportOptions,
  registerClientReports,
} from '../../../src/server/client-reports.js'
import {PageTokens} from '../../../src/server/page-token.js'
import {openStagingDatabase, type StagingDatabase} from '../../../src/staging/database.js'
import {makeTempDir} from '../../support/cli.js'

const BASE = '/v2.0'

interface Api {
  url: string
  app: FastifyInstance
}

interface Answer {
  status: number
  contentType: string | null
  text: string
  body: Record<string, unknown> | undefined
}

let temp: {dir: string; cleanup: () => Promise<void>}
let db: StagingDatabase
let dbPath: string
const running: Api[] = []

beforeAll(async () => {
  temp = await makeTempDir('ss12000-client-reports-')
  dbPath = join(temp.dir, 'reports.db')
  db = openStagingDatabase(dbPath)
})
afterEach(async () => {
  for (const api of running.splice(0)) await api.app.close()
})
afterAll(async () => {
  db.close()
  await temp.cleanup()
})

/** A server with the client reports of one scope; its clock ticks a minute per report, at +01:00. */
async function serve(
  scope: string,
  options: Partial<ClientReportOptions> = {},
  setup: (app: FastifyInstance) => void = () => {},
): Promise<Api> {
  let minute = 0
  const app = Fastify()
  setup(app)
  registerClientReports(app, BASE, {
    db,
    scope,
    now: () => `2026-11-27T13:${String(minute++ % 60).padStart(2, '0')}:00+01:00`,
    read: true,
    ...options,
  })
  await app.listen({port: 0, host: '127.0.0.1'})
  const api = {url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}${BASE}`, app}
  running.push(api)
  return api
}

async function call(
  api: Api,
  method: string,
  path: string,
  body?: unknown,
  contentType = 'application/json',
): Promise<Answer> {
  const response = await fetch(`${api.url}${path}`, {
    method,
    ...(body === undefined
      ? {}
      : {headers: {'content-type': contentType}, body: typeof body === 'string' ? body : JSON.stringify(body)}),
  })
  const text = await response.text()
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    text,
    body: text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>),
  }
}

function stored(scope: string): Array<{kind: string; received: string; entry: unknown}> {
  return (
    db.prepare(`SELECT kind, received, json FROM client_report WHERE scope = ? ORDER BY id`).all(scope) as Array<{
      kind: string
      received: string
      json: string
    }>
  ).map((row) => ({kind: row.kind, received: row.received, entry: JSON.parse(row.json)}))
}

const logEntry = {
  message: 'courseCode "MAT101" kan inte mappas mot någon känd kurs.',
  messageType: 'ValueMapping',
  resourceType: 'Syllabus',
  resourceId: '5e10f18c-6d0d-450b-a4b8-fa99e1053f78',
  resourceUrl: 'https://service.example.se/ss12000/activities?expand=syllabus',
  severityLevel: 'Warning',
  timeOfOccurance: '2026-11-27T12:51:31.322Z',
}
const statisticsEntry = {
  resourceType: 'Activity',
  resourceUrl: 'https://service.example.se/ss12000/activities',
  newCount: 2,
  updatedCount: 234,
  deletedCount: 0,
  timeOfOccurance: '2026-11-27T12:51:31.322Z',
}

describe('POST /log and /statistics', () => {
  it("takes both spellings, the standard's (/log/) and Skolverket's (/log): 201, no body, stored in order", async () => {
    const api = await serve('post')
    for (const path of ['/log/', '/log', '/statistics/', '/statistics']) {
      const body = path.startsWith('/log')
        ? {...logEntry, messageType: path}
        : {...statisticsEntry, newCount: path.length}
      const answer = await call(api, 'POST', path, body)
      expect(answer, path).toMatchObject({status: 201, text: '', contentType: null})
    }
    expect(stored('post')).toEqual([
      {kind: 'log', received: '2026-11-27T12:00:00.000Z', entry: {...logEntry, messageType: '/log/'}},
      {kind: 'log', received: '2026-11-27T12:01:00.000Z', entry: {...logEntry, messageType: '/log'}},
      {kind: 'statistics', received: '2026-11-27T12:02:00.000Z', entry: {...statisticsEntry, newCount: 12}},
      {kind: 'statistics', received: '2026-11-27T12:03:00.000Z', entry: {...statisticsEntry, newCount: 11}},
    ])
  })

  it('takes the required fields alone, and application/json with a charset', async () => {
    const api = await serve('minimal')
    const log = {message: 'm', severityLevel: 'Info'}
    const statistics = {resourceType: 'Person', newCount: 0, updatedCount: 0, deletedCount: 0}
    expect((await call(api, 'POST', '/log/', log, 'application/json; charset=utf-8')).status).toBe(201)
    expect((await call(api, 'POST', '/statistics', statistics)).status).toBe(201)
    expect(stored('minimal').map((row) => row.entry)).toEqual([log, statistics])
  })

  it('leaves unknown fields out instead of refusing them', async () => {
    const api = await serve('unknown-fields')
    const answer = await call(api, 'POST', '/log', {...logEntry, id: 'x', client: {name: 'DNP'}})
    expect(answer.status).toBe(201)
    expect(stored('unknown-fields').map((row) => row.entry)).toEqual([logEntry])
  })

  const refused: Array<{name: string; path: string; body: unknown; message: RegExp}> = [
    {
      name: 'a log entry without message and severityLevel',
      path: '/log/',
      body: {messageType: 'x'},
      message: /required field LogEntry\.message is missing.*required field LogEntry\.severityLevel is missing/,
    },
    {
      name: 'a severityLevel that is not Info, Warning or Error',
      path: '/log',
      body: {message: 'm', severityLevel: 'Fatal'},
      message: /LogEntry\.severityLevel must be one of .*Info, Warning, Error/,
    },
    {
      name: 'a resourceType that is no Code_ObjectType',
      path: '/log',
      body: {message: 'm', severityLevel: 'Info', resourceType: 'Persons'},
      message: /LogEntry\.resourceType must be one of .*Person/,
    },
    {
      name: 'a resourceId that is not a UUID',
      path: '/log/',
      body: {message: 'm', severityLevel: 'Info', resourceId: 'P1'},
      message: /LogEntry\.resourceId must be a UUID/,
    },
    {
      name: 'a resourceUrl that is not a URI',
      path: '/log/',
      body: {message: 'm', severityLevel: 'Info', resourceUrl: 'no uri'},
      message: /LogEntry\.resourceUrl must be an absolute URI/,
    },
    {
      name: 'a timeOfOccurance without offset',
      path: '/statistics/',
      body: {...statisticsEntry, timeOfOccurance: '2026-11-27T12:51:31'},
      message: /StatisticsEntry\.timeOfOccurance must be an RFC 3339 date-time/,
    },
    {
      name: 'a statistics entry without its counts',
      path: '/statistics',
      body: {resourceType: 'Person'},
      message: /StatisticsEntry\.newCount is missing.*StatisticsEntry\.updatedCount.*StatisticsEntry\.deletedCount/,
    },
    {
      name: 'counts that are not whole numbers',
      path: '/statistics',
      body: {...statisticsEntry, newCount: 1.5, deletedCount: '0'},
      message: /StatisticsEntry\.newCount must be a whole number.*StatisticsEntry\.deletedCount must be a whole number/,
    },
    {name: 'a JSON array', path: '/log', body: [logEntry], message: /must be a JSON object, a LogEntry/},
    {name: 'JSON null', path: '/statistics/', body: 'null', message: /must be a JSON object, a StatisticsEntry/},
  ]
  for (const {name, path, body, message} of refused) {
    it(`answers 400 {code, message} naming the fields for ${name}, and stores nothing`, async () => {
      const scope = `refused ${name}`
      const api = await serve(scope)
      const answer = await call(api, 'POST', path, body)
      expect(answer.status).toBe(400)
      expect(answer.body).toEqual({code: 'BadRequest', message: expect.stringMatching(message)})
      expect(stored(scope)).toEqual([])
    })
  }

  it('checks resourceType against the profile given: skolverket allows its five types', async () => {
    const api = await serve('skolverket', {profile: 'skolverket'})
    const syllabus = await call(api, 'POST', '/log', logEntry)
    expect(syllabus.status).toBe(400)
    expect(String(syllabus.body?.message)).toMatch(/must be one of the skolverket values: Activity, Duty, Group/)
    expect((await call(api, 'POST', '/log', {...logEntry, resourceType: 'Person'})).status).toBe(201)
  })

  const unreadable: Array<{name: string; body: string | undefined; type?: string; message: RegExp}> = [
    {name: 'a body that is not JSON', body: '{"message": ', message: /^The body is not valid JSON\.$/},
    {name: 'an empty JSON body', body: '', message: /body is empty/},
    {name: 'no body at all', body: undefined, message: /must be a JSON object, a LogEntry/},
    {
      name: 'JSON sent as text/plain',
      body: JSON.stringify(logEntry),
      type: 'text/plain',
      message: /Content-Type: application\/json/,
    },
    {
      name: 'a form',
      body: 'message=m&severityLevel=Info',
      type: 'application/x-www-form-urlencoded',
      message: /Content-Type: application\/json/,
    },
    {
      name: 'a body over the limit',
      body: JSON.stringify({...logEntry, message: 'x'.repeat(CLIENT_REPORT_BODY_LIMIT)}),
      message: /larger than 1048576 bytes/,
    },
  ]
  for (const {name, body, type, message} of unreadable) {
    it(`answers 400 {code, message} for ${name}`, async () => {
      const scope = `unreadable ${name}`
      const api = await serve(scope)
      const answer = await call(api, 'POST', '/log/', body, type)
      expect(answer.status).toBe(400)
      expect(answer.body).toEqual({code: 'BadRequest', message: expect.stringMatching(message)})
      expect(stored(scope)).toEqual([])
    })
  }

  it('keeps what was reported over a restart, on another connection', async () => {
    const first = await serve('restart')
    await call(first, 'POST', '/log/', logEntry)
    await first.app.close()
    running.splice(running.indexOf(first), 1)
    const connection = openStagingDatabase(dbPath)
    try {
      const second = await serve('restart', {db: connection})
      expect((await call(second, 'GET', '/log')).body).toEqual({logs: [logEntry], pageToken: null})
    } finally {
      await running.pop()!.app.close()
      connection.close()
    }
  })

  it('lets the app answer what is not about the body: a 403 of its auth hook stays a 403', async () => {
    const api = await serve('auth', {}, (app) => {
      app.addHook('onRequest', async (request) => {
        if (request.headers.authorization !== 'Bearer ok') {
          throw Object.assign(new Error('A valid bearer token is required.'), {statusCode: 403})
        }
      })
      app.setErrorHandler((error, _request, reply) =>
        reply.status(403).send({code: 'Forbidden', message: (error as Error).message}),
      )
    })
    expect(await call(api, 'POST', '/log/', logEntry)).toMatchObject({status: 403, body: {code: 'Forbidden'}})
    expect(await call(api, 'GET', '/log')).toMatchObject({status: 403, body: {code: 'Forbidden'}})
    expect(stored('auth')).toEqual([])
  })
})

describe('what clients report stays off the server’s output', () => {
  it('writes nothing to stdout or stderr, whether the report is taken, refused or read back', async () => {
    const api = await serve('private')
    const secret = 'Elev Alva Andersson 201002037271 saknar klass'
    const written: string[] = []
    const original = {out: process.stdout.write, err: process.stderr.write}
    const capture = (chunk: unknown) => {
      written.push(String(chunk))
      return true
    }
    process.stdout.write = capture as typeof process.stdout.write
    process.stderr.write = capture as typeof process.stderr.write
    let refusal: Answer
    try {
      expect((await call(api, 'POST', '/log/', {message: secret, severityLevel: 'Error'})).status).toBe(201)
      refusal = await call(api, 'POST', '/log', {message: secret, severityLevel: 'Fatal', resourceId: secret})
      expect((await call(api, 'POST', '/log', `{"message": "${secret}`)).status).toBe(400)
      expect((await call(api, 'GET', '/log')).body).toEqual({
        logs: [{message: secret, severityLevel: 'Error'}],
        pageToken: null,
      })
    } finally {
      process.stdout.write = original.out
      process.stderr.write = original.err
    }
    expect(written).toEqual([])
    // The refusal names the fields, not the values.
    expect(refusal.status).toBe(400)
    expect(refusal.text).not.toContain('Alva')
    expect(refusal.text).not.toContain('201002037271')
  })
})

describe('GET /log and /statistics (the ingest side)', () => {
  async function report(api: Api, count: number): Promise<Array<Record<string, unknown>>> {
    const entries = Array.from({length: count}, (_, index) => ({message: `entry ${index}`, severityLevel: 'Info'}))
    // Both spellings, in turn: they land in one list.
    for (const [index, entry] of entries.entries()) {
      expect((await call(api, 'POST', index % 2 ? '/log' : '/log/', entry)).status).toBe(201)
    }
    return entries
  }

  /** Every page from the first, following pageToken; each page's body checked for shape. */
  async function readAll(api: Api, path: string, limit?: number): Promise<{entries: unknown[]; pages: number}> {
    const entries: unknown[] = []
    let pages = 0
    let query = limit === undefined ? '' : `?limit=${limit}`
    for (;;) {
      const answer = await call(api, 'GET', `${path}${query}`)
      expect(answer.status).toBe(200)
      expect(answer.contentType).toMatch(/^application\/json/)
      expect(Object.keys(answer.body!).sort()).toEqual(['logs', 'pageToken'])
      const {logs, pageToken} = answer.body as {logs: unknown[]; pageToken: string | null}
      pages++
      entries.push(...logs)
      if (pageToken === null) return {entries, pages}
      expect(logs.length).toBe(Math.min(limit ?? CLIENT_REPORT_PAGE_MAX, CLIENT_REPORT_PAGE_MAX))
      query = `?pageToken=${encodeURIComponent(pageToken)}`
    }
  }

  it('gives every entry exactly once, in the order received, at every page size', async () => {
    const api = await serve('paging')
    const entries = await report(api, 23)
    for (const limit of [undefined, 1, 2, 5, 7, 22, 23, 24, 100]) {
      const {entries: read, pages} = await readAll(api, '/log', limit)
      expect(read, `limit ${limit}`).toEqual(entries)
      expect(pages, `limit ${limit}`).toBe(limit === undefined ? 1 : Math.max(1, Math.ceil(23 / limit)))
    }
  })

  it('ends with pageToken null, and answers an empty list for a scope with nothing reported', async () => {
    const api = await serve('empty')
    expect((await call(api, 'GET', '/log')).body).toEqual({logs: [], pageToken: null})
    expect((await call(api, 'GET', '/statistics?limit=3')).body).toEqual({logs: [], pageToken: null})
  })

  it('lets a later page change the limit', async () => {
    const api = await serve('relimit')
    const entries = await report(api, 10)
    const first = await call(api, 'GET', '/log?limit=3')
    expect(first.body!.logs).toEqual(entries.slice(0, 3))
    const token = encodeURIComponent(String(first.body!.pageToken))
    const second = await call(api, 'GET', `/log?pageToken=${token}&limit=5`)
    expect(second.body!.logs).toEqual(entries.slice(3, 8))
    // Without a limit of its own, a later page keeps the first request's.
    const again = await call(api, 'GET', `/log?pageToken=${token}`)
    expect(again.body!.logs).toEqual(entries.slice(3, 6))
  })

  it('lists statistics under `logs` too, apart from the log entries', async () => {
    const api = await serve('kinds')
    await call(api, 'POST', '/log/', logEntry)
    await call(api, 'POST', '/statistics/', statisticsEntry)
    await call(api, 'POST', '/statistics', {...statisticsEntry, deletedCount: 4})
    expect((await call(api, 'GET', '/log')).body).toEqual({logs: [logEntry], pageToken: null})
    expect((await call(api, 'GET', '/statistics')).body).toEqual({
      logs: [statisticsEntry, {...statisticsEntry, deletedCount: 4}],
      pageToken: null,
    })
  })

  it(`answers at most ${CLIENT_REPORT_PAGE_MAX} entries a page, with or without a larger limit`, async () => {
    const api = await serve('large')
    const insert = db.prepare(`INSERT INTO client_report (scope, kind, received, json) VALUES ('large', 'log', 't', ?)`)
    db.transaction(() => {
      for (let i = 0; i < CLIENT_REPORT_PAGE_MAX + 2; i++)
        insert.run(JSON.stringify({message: `${i}`, severityLevel: 'Info'}))
    })()
    for (const limit of [undefined, CLIENT_REPORT_PAGE_MAX + 5]) {
      const {entries, pages} = await readAll(api, '/log', limit)
      expect(entries.map((entry) => (entry as {message: string}).message)).toEqual(
        Array.from({length: CLIENT_REPORT_PAGE_MAX + 2}, (_, i) => `${i}`),
      )
      expect(pages).toBe(2)
    }
  })

  it('keeps scopes apart', async () => {
    const north = await serve('north')
    const south = await serve('south')
    await call(north, 'POST', '/log/', {message: 'north 1', severityLevel: 'Info'})
    await call(south, 'POST', '/log/', {message: 'south 1', severityLevel: 'Info'})
    await call(north, 'POST', '/log', {message: 'north 2', severityLevel: 'Info'})
    const messages = async (api: Api) =>
      ((await call(api, 'GET', '/log?limit=1')).body!.logs as Array<{message: string}>).map((entry) => entry.message)
    expect(await messages(north)).toEqual(['north 1'])
    expect((await readAll(north, '/log', 1)).entries).toEqual([
      {message: 'north 1', severityLevel: 'Info'},
      {message: 'north 2', severityLevel: 'Info'},
    ])
    expect((await readAll(south, '/log', 1)).entries).toEqual([{message: 'south 1', severityLevel: 'Info'}])
  })

  it('takes page tokens only of its own server and path', async () => {
    const tokens = new PageTokens()
    const api = await serve('tokens', {pageTokens: tokens})
    await report(api, 3)
    await call(api, 'POST', '/statistics', statisticsEntry)
    await call(api, 'POST', '/statistics', statisticsEntry)
    const logToken = String((await call(api, 'GET', '/log?limit=1')).body!.pageToken)
    const statisticsToken = String((await call(api, 'GET', '/statistics?limit=1')).body!.pageToken)
    const other = new PageTokens().issue({collection: 'client-report/log', query: {}, after: '1', limit: 1})
    const [payload, signature] = logToken.split('.') as [string, string]
    const forged = `${Buffer.from(JSON.stringify({collection: 'client-report/log', query: {}, after: '0'})).toString('base64url')}.${signature}`
    const readApiToken = tokens.issue({collection: 'persons', query: {}, after: 'x'})
    for (const [name, path, token] of [
      ['a /statistics token on /log', '/log', statisticsToken],
      ['a /log token on /statistics', '/statistics', logToken],
      ["another server's token", '/log', other],
      ['a forged token', '/log', forged],
      ['a token cut short', '/log', payload],
      ["a read API collection's token", '/log', readApiToken],
      ['no token', '/log', ''],
    ] as const) {
      const answer = await call(api, 'GET', `${path}?pageToken=${encodeURIComponent(token)}`)
      expect(answer, name).toMatchObject({status: 400, body: {code: 'BadRequest', message: /pageToken/}})
    }
    expect((await call(api, 'GET', `/log?pageToken=${encodeURIComponent(logToken)}`)).status).toBe(200)
  })

  const badQueries: Array<{query: string; message: RegExp}> = [
    {query: 'limit=0', message: /limit must be an integer of at least 1/},
    {query: 'limit=-1', message: /limit must be an integer of at least 1/},
    {query: 'limit=2.5', message: /limit must be an integer of at least 1/},
    {query: 'limit=ten', message: /limit must be an integer of at least 1/},
    {query: 'limit=', message: /limit must be an integer of at least 1/},
    {query: 'limit=1&limit=2', message: /limit must be an integer of at least 1/},
    {query: 'sortkey=ModifiedDesc', message: /takes only limit and pageToken, not sortkey/},
    {query: 'meta.created.after=2026-01-01T00:00:00Z&offset=1', message: /not meta\.created\.after, offset/},
  ]
  for (const {query, message} of badQueries) {
    it(`answers 400 {code, message} for ?${query}`, async () => {
      const api = await serve('bad queries')
      for (const path of ['/log', '/statistics']) {
        const answer = await call(api, 'GET', `${path}?${query}`)
        expect(answer, path).toMatchObject({status: 400, body: {code: 'BadRequest', message}})
      }
    })
  }

  it('is not there without `read`; the POSTs are', async () => {
    const api = await serve('write only', {read: false})
    expect((await call(api, 'GET', '/log')).status).toBe(404)
    expect((await call(api, 'GET', '/statistics')).status).toBe(404)
    expect((await call(api, 'POST', '/log', logEntry)).status).toBe(201)
    expect((await call(api, 'POST', '/statistics/', statisticsEntry)).status).toBe(201)
  })

  it('serves GET in Skolverket’s spelling only (no /log/)', async () => {
    const api = await serve('spelling')
    expect((await call(api, 'GET', '/log/')).status).toBe(404)
  })
})

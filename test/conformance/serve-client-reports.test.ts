import {readFileSync} from 'node:fs'
import type {AddressInfo} from 'node:net'
import path from 'node:path'

import {Ajv, type ValidateFunction} from 'ajv'
import {default as addFormatsModule} from 'ajv-formats'
import Fastify, {type FastifyInstance} from 'fastify'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {parse} from 'yaml'

import {type ClientReportOptions, registerClientReports} from '../../src/server/client-reports.js'
import {openStagingDatabase, type StagingDatabase} from '../../src/staging/database.js'
import {makeTempDir} from '../support/cli.js'
import {parseExposeYaml, requireOracleDir, SKOLVERKET_EXPOSE_FILE, TK450_FILE} from './oracle.js'

/**
 * What clients report back to `serve` (src/server/client-reports.ts), against the three files that describe it:
 * - the TK450 OpenAPI: `POST /log/` (LogEntry) and `POST /statistics/` (StatisticsEntry);
 * - Skolverket's expose file: the same as `POST /log` and `POST /statistics`, with its five-value Code_ObjectType;
 * - Skolverket's ingest file: `GET /log` and `GET /statistics` (limit, pageToken), answering
 *   `{"logs": [...], "pageToken": <string, nullable>}`, the statistics under `logs` too.
 * Every body sent is checked against the request schema of each file that has the operation (valid, or invalid where
 * the 400 is the schema's); every status against the responses the file declares (400 falls under `default`, whose
 * body is the Error schema in the TK450 and expose files; the ingest file gives its `default` no body); every GET
 * answer against the ingest file's 200 schema.
 */

const INGEST_FILE = 'skolverket-ref-api-ingest.yml'
const oracleDir = requireOracleDir()

interface Response {
  description: string
  content?: Record<string, {schema: unknown}>
  $ref?: string
}
interface Operation {
  requestBody?: {content: Record<string, {schema: {$ref: string}; example?: Record<string, unknown>}>}
  parameters?: Array<{name: string; in: string}>
  responses: Record<string, Response>
}
interface ApiDocument {
  paths: Record<string, Record<string, Operation>>
  components: {schemas: Record<string, unknown>; responses?: Record<string, Response>}
}

const FILES = {
  tk450: JSON.parse(readFileSync(path.join(oracleDir, TK450_FILE), 'utf8')) as ApiDocument,
  expose: parseExposeYaml(readFileSync(path.join(oracleDir, SKOLVERKET_EXPOSE_FILE), 'utf8')) as ApiDocument,
  ingest: parse(readFileSync(path.join(oracleDir, INGEST_FILE), 'utf8')) as ApiDocument,
}
type FileName = keyof typeof FILES

const ajv = new Ajv({strict: false, allErrors: true})
// ajv-formats is CommonJS with `exports.default` (as in src/schema/validators.ts).
;(addFormatsModule as unknown as {default: (ajv: Ajv) => void}).default(ajv)
for (const [name, document] of Object.entries(FILES)) ajv.addSchema({...document, $id: name})

const pointer = (...segments: string[]) =>
  segments.map((segment) => segment.replaceAll('~', '~0').replaceAll('/', '~1')).join('/')

/** The operation of a file, or an error naming what is missing. */
function operationOf(file: FileName, method: string, route: string): Operation {
  const operation = FILES[file].paths[route]?.[method]
  if (!operation) throw new Error(`${file} has no ${method.toUpperCase()} ${route}`)
  return operation
}

/** The validator of the JSON request body `method route` declares in a file. */
function requestValidator(file: FileName, method: string, route: string): ValidateFunction {
  const ref = operationOf(file, method, route).requestBody?.content['application/json']?.schema.$ref
  if (!ref) throw new Error(`${file} has no JSON request body for ${method.toUpperCase()} ${route}`)
  return ajv.getSchema(`${file}${ref}`)!
}

/** The response `method route` declares for a status (or its `default`), with its `$ref` followed. */
function declaredResponse(file: FileName, method: string, route: string, status: number): Response | undefined {
  const responses = operationOf(file, method, route).responses
  const response = responses[String(status)] ?? responses.default
  if (response?.$ref) return FILES[file].components.responses?.[response.$ref.split('/').pop()!]
  return response
}

/** The validator of the JSON body a file declares for `method route` and a status (or its `default`), if any. */
function responseValidator(
  file: FileName,
  method: string,
  route: string,
  status: number,
): ValidateFunction | undefined {
  const responses = operationOf(file, method, route).responses
  const key = responses[String(status)] ? String(status) : 'default'
  const declared = declaredResponse(file, method, route, status)
  if (declared?.content?.['application/json']?.schema === undefined) return undefined
  const at = responses[key]!.$ref
    ? `${file}#/components/responses/${pointer(responses[key]!.$ref!.split('/').pop()!)}`
    : `${file}#/paths/${pointer(route, method, 'responses', key)}`
  return ajv.compile({$ref: `${at}/content/application~1json/schema`})
}

/** Each file's own example of the request body (the TK450 and expose files give the same ones). */
const example = (file: FileName, route: string): Record<string, unknown> =>
  structuredClone(operationOf(file, 'post', route).requestBody?.content['application/json']?.example ?? {})
const logExample = example('tk450', '/log/')
const statisticsExample = example('tk450', '/statistics/')

/** Every log and statistics operation of the three files, as this test covers them. */
const OPERATIONS: Record<FileName, string[]> = {
  tk450: ['post /log/', 'post /statistics/'],
  expose: ['post /log', 'post /statistics'],
  ingest: ['get /log', 'get /statistics'],
}

type Validity = 'valid' | 'invalid'
interface Case {
  name: string
  /** The route as the files name it: '/log/' (TK450) or '/log' (expose), and /statistics alike. */
  route: string
  body?: unknown
  raw?: {text: string; type: string}
  status: 201 | 400
  /** What the request schemas of the files with this operation say of the body (absent: not JSON). */
  schema?: Validity
}

/** The log examples name a Syllabus, outside Skolverket's five types: the cases use an Activity instead. */
const logEntry = {...logExample, resourceType: 'Activity'}
const CASES: Case[] = [
  {name: "TK450's log example, about an Activity", route: '/log/', body: logEntry, status: 201, schema: 'valid'},
  {
    name: "the expose file's log example, about an Activity",
    route: '/log',
    body: {...example('expose', '/log'), resourceType: 'Activity'},
    status: 201,
    schema: 'valid',
  },
  {
    name: 'a log entry with the required fields only',
    route: '/log',
    body: {message: 'm', severityLevel: 'Error'},
    status: 201,
    schema: 'valid',
  },
  {name: "TK450's statistics example", route: '/statistics/', body: statisticsExample, status: 201, schema: 'valid'},
  {
    name: "the expose file's statistics example",
    route: '/statistics',
    body: example('expose', '/statistics'),
    status: 201,
    schema: 'valid',
  },
  {
    name: 'a statistics entry with a field no file has (left out)',
    route: '/statistics/',
    body: {resourceType: 'Person', newCount: 1, updatedCount: 2, deletedCount: 3, client: 'DNP'},
    status: 201,
    schema: 'valid',
  },
  {name: 'a log entry without severityLevel', route: '/log/', body: {message: 'm'}, status: 400, schema: 'invalid'},
  {
    name: 'a severityLevel no file has',
    route: '/log',
    body: {message: 'm', severityLevel: 'Debug'},
    status: 400,
    schema: 'invalid',
  },
  {
    name: 'a resourceId that is not a UUID',
    route: '/log/',
    body: {...logEntry, resourceId: 'S1'},
    status: 400,
    schema: 'invalid',
  },
  {
    name: 'a resourceType no file has',
    route: '/log',
    body: {...logEntry, resourceType: 'Course'},
    status: 400,
    schema: 'invalid',
  },
  {
    name: 'a statistics entry without deletedCount',
    route: '/statistics',
    body: {resourceType: 'Group', newCount: 0, updatedCount: 0},
    status: 400,
    schema: 'invalid',
  },
  {
    name: 'a count as text',
    route: '/statistics/',
    body: {...statisticsExample, newCount: '2'},
    status: 400,
    schema: 'invalid',
  },
  {
    name: 'a timeOfOccurance that is no date-time',
    route: '/statistics',
    body: {...statisticsExample, timeOfOccurance: 'igår'},
    status: 400,
    schema: 'invalid',
  },
  {name: 'a body that is not JSON', route: '/log/', raw: {text: '{"message": ', type: 'application/json'}, status: 400},
  {
    name: 'JSON sent as text/plain',
    route: '/log',
    raw: {text: JSON.stringify(logEntry), type: 'text/plain'},
    status: 400,
  },
]

/** The file whose POST a route is: the TK450 spelling ends in a slash. */
const postFile = (route: string): FileName => (route.endsWith('/') ? 'tk450' : 'expose')
const postFiles = (route: string): Array<[FileName, string]> => [
  ['tk450', route.endsWith('/') ? route : `${route}/`],
  ['expose', route.replace(/\/$/, '')],
]

let temp: {dir: string; cleanup: () => Promise<void>}
let db: StagingDatabase
const servers: FastifyInstance[] = []
let clock = 0
const now = () => `2026-11-27T14:${String(clock++ % 60).padStart(2, '0')}:00+01:00`

beforeAll(async () => {
  temp = await makeTempDir('ss12000-client-reports-conformance-')
  db = openStagingDatabase(path.join(temp.dir, 'reports.db'))
})
afterAll(async () => {
  for (const app of servers) await app.close()
  db.close()
  await temp.cleanup()
})

/** A server with the client reports of a scope, as `serve --ingest` registers them; its base URL. */
async function serve(scope: string, options: Partial<ClientReportOptions> = {}): Promise<string> {
  const app = Fastify()
  registerClientReports(app, '', {db, scope, now, read: true, ...options})
  await app.listen({host: '127.0.0.1', port: 0})
  servers.push(app)
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
}

async function post(
  base: string,
  testCase: Pick<Case, 'route' | 'body' | 'raw'>,
): Promise<{status: number; text: string}> {
  const response = await fetch(`${base}${testCase.route}`, {
    method: 'POST',
    headers: {'content-type': testCase.raw?.type ?? 'application/json'},
    body: testCase.raw?.text ?? JSON.stringify(testCase.body),
  })
  return {status: response.status, text: await response.text()}
}

/** Every page of a GET, from the first with `limit`; each answer checked against the ingest file. */
async function readAll(
  base: string,
  route: string,
  limit: number | undefined,
  problems: unknown[],
): Promise<unknown[]> {
  const validate = responseValidator('ingest', 'get', route, 200)!
  const entries: unknown[] = []
  let query = limit === undefined ? '' : `?limit=${limit}`
  for (let page = 0; page < 100; page++) {
    const response = await fetch(`${base}${route}${query}`)
    const body = (await response.json()) as {logs: unknown[]; pageToken: string | null}
    if (response.status !== 200) {
      problems.push({route, query, status: response.status, body})
      return entries
    }
    if (!validate(body)) problems.push({route, query, body, errors: validate.errors?.slice(0, 3)})
    entries.push(...body.logs)
    if (body.pageToken === null) return entries
    query = `?pageToken=${encodeURIComponent(body.pageToken)}`
  }
  throw new Error(`${route}: more than 100 pages`)
}

describe('client reports against the TK450, expose and ingest files', () => {
  it('has every log and statistics operation of the three files covered, and no other', () => {
    for (const [file, covered] of Object.entries(OPERATIONS) as Array<[FileName, string[]]>) {
      const operations = Object.entries(FILES[file].paths)
        .filter(([route]) => /^\/(log|statistics)\/?$/.test(route))
        .flatMap(([route, methods]) =>
          Object.keys(methods)
            .filter((method) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
            .map((method) => `${method} ${route}`),
        )
      expect(operations.sort(), file).toEqual([...covered].sort())
    }
    for (const route of ['/log/', '/log', '/statistics/', '/statistics']) {
      const ok = CASES.filter((testCase) => testCase.route === route && testCase.status === 201)
      expect(ok.length, route).toBeGreaterThan(0)
    }
    // The GETs take limit and pageToken, and nothing else.
    for (const route of ['/log', '/statistics']) {
      expect(operationOf('ingest', 'get', route).parameters?.map((parameter) => parameter.name)).toEqual([
        'limit',
        'pageToken',
      ])
    }
  })

  it('has validators that can fail', () => {
    expect(requestValidator('tk450', 'post', '/log/')({message: 'm'})).toBe(false)
    expect(
      requestValidator('expose', 'post', '/log')({message: 'm', severityLevel: 'Info', resourceType: 'Syllabus'}),
    ).toBe(false)
    const logs = responseValidator('ingest', 'get', '/log', 200)!
    expect(logs({logs: [{message: 'm'}], pageToken: null})).toBe(false)
    expect(logs({logs: [{message: 'm', severityLevel: 'Info'}], pageToken: null})).toBe(true)
    expect(logs({logs: [], pageToken: 5})).toBe(false)
    const statistics = responseValidator('ingest', 'get', '/statistics', 200)!
    expect(statistics({logs: [{message: 'm', severityLevel: 'Info'}]})).toBe(false)
    expect(responseValidator('tk450', 'post', '/log/', 400)!({errors: ['x']})).toBe(false)
  })

  it('sends what the files describe, and answers with the statuses and bodies they declare', async () => {
    const base = await serve('posts')
    const problems: unknown[] = []
    for (const testCase of CASES) {
      if (testCase.schema !== undefined) {
        for (const [file, route] of postFiles(testCase.route)) {
          const validate = requestValidator(file, 'post', route)
          if (validate(testCase.body) !== (testCase.schema === 'valid')) {
            problems.push({case: testCase.name, file, expected: testCase.schema, errors: validate.errors?.slice(0, 3)})
          }
        }
      }
      const answer = await post(base, testCase)
      if (answer.status !== testCase.status) {
        problems.push({case: testCase.name, status: answer.status, expected: testCase.status, body: answer.text})
        continue
      }
      const file = postFile(testCase.route)
      const declared = declaredResponse(file, 'post', testCase.route, answer.status)
      if (!declared) problems.push({case: testCase.name, file, undeclared: answer.status})
      if (answer.status === 201) {
        // 201 is declared explicitly, without a body.
        if (declared?.content !== undefined) problems.push({case: testCase.name, note: `${file} now declares a body`})
        if (answer.text !== '') problems.push({case: testCase.name, body: answer.text})
        continue
      }
      // 400 is the `default`, whose body is the Error schema {code, message}.
      const validate = responseValidator(file, 'post', testCase.route, answer.status)!
      if (!validate(JSON.parse(answer.text)))
        problems.push({case: testCase.name, body: answer.text, errors: validate.errors})
    }
    expect(problems).toEqual([])
  })

  it('reads back, page by page, what was reported, in the shapes the ingest file declares', async () => {
    const base = await serve('reads')
    const logs = CASES.filter((testCase) => testCase.status === 201 && testCase.route.startsWith('/log'))
    const statistics = CASES.filter((testCase) => testCase.status === 201 && testCase.route.startsWith('/statistics'))
    for (const testCase of [...logs, ...statistics]) expect((await post(base, testCase)).status).toBe(201)
    // What is read back is what was sent, less the fields no file has.
    const known = (schema: string) =>
      Object.keys((FILES.ingest.components.schemas[schema] as {properties: object}).properties)
    const sent = (cases: Case[], schema: string) =>
      cases.map((testCase) =>
        Object.fromEntries(Object.entries(testCase.body as object).filter(([field]) => known(schema).includes(field))),
      )
    const problems: unknown[] = []
    for (const limit of [undefined, 1, 2, 100]) {
      expect(await readAll(base, '/log', limit, problems), `limit ${limit}`).toEqual(sent(logs, 'LogEntry'))
      expect(await readAll(base, '/statistics', limit, problems), `limit ${limit}`).toEqual(
        sent(statistics, 'StatisticsEntry'),
      )
    }
    expect(problems).toEqual([])
  })

  it('answers a bad GET with 400, under the ingest file’s `default`', async () => {
    const base = await serve('bad reads')
    const error = responseValidator('tk450', 'post', '/log/', 400)!
    for (const route of ['/log', '/statistics']) {
      for (const query of ['limit=0', 'limit=x', 'pageToken=forged.token', 'sortkey=ModifiedDesc']) {
        const response = await fetch(`${base}${route}?${query}`)
        expect(response.status, `${route}?${query}`).toBe(400)
        expect(declaredResponse('ingest', 'get', route, 400)?.description).toBe('Unknown error.')
        // The ingest file gives `default` no body; it is the standard's Error, as everywhere in `serve`.
        const body = await response.json()
        expect(error(body), JSON.stringify(body)).toBe(true)
      }
    }
  })

  it("takes the examples' Syllabus by default (TK450), or refuses it as the expose file does (skolverket profile)", async () => {
    // Known divergence: the TK450 Code_ObjectType has 18 types, the expose and ingest files' EndPointsEnum five.
    expect(requestValidator('tk450', 'post', '/log/')(logExample)).toBe(true)
    expect(requestValidator('expose', 'post', '/log')(logExample)).toBe(false)
    const lenient = await serve('syllabus, ss12000-2020')
    expect((await post(lenient, {route: '/log/', body: logExample})).status).toBe(201)
    expect((await post(lenient, {route: '/log', body: logExample})).status).toBe(201)
    // What is read back then names a type the ingest file does not list: serve --ingest should pass its profile.
    const answer = await (await fetch(`${lenient}/log`)).json()
    expect(responseValidator('ingest', 'get', '/log', 200)!(answer)).toBe(false)
    const strict = await serve('syllabus, skolverket', {profile: 'skolverket'})
    for (const route of ['/log/', '/log']) {
      const refused = await post(strict, {route, body: logExample})
      expect(refused.status, route).toBe(400)
      expect(responseValidator(postFile(route), 'post', route, 400)!(JSON.parse(refused.text))).toBe(true)
    }
  })
})

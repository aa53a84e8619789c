import {readFileSync} from 'node:fs'
import type {AddressInfo} from 'node:net'
import path from 'node:path'

import {Ajv, type ValidateFunction} from 'ajv'
import {default as addFormatsModule} from 'ajv-formats'
import type {FastifyInstance} from 'fastify'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {ENTITY_NAMES, ENTITY_NAMING} from '../../src/schema/entity-names.js'
import {buildServer} from '../../src/server/app.js'
import {openStagingDatabase, type StagingDatabase} from '../../src/staging/database.js'
import {stage} from '../../src/services/stage.js'
import {makeTempDir} from '../support/cli.js'
import {requireOracleDir, REPO_ROOT, TK450_FILE} from './oracle.js'

/**
 * What `serve` answers, against the TK450 OpenAPI's response schemas (WORK IN PROGRESS, issue 6): every list page,
 * GET by id, lookup and deletedEntities body the server gives for the staged example validates against the schema the
 * standard declares for that operation and status.
 */

interface Operation {
  responses: Record<string, {content?: Record<string, {schema?: unknown}>; $ref?: string}>
}
const document = JSON.parse(readFileSync(path.join(requireOracleDir(), TK450_FILE), 'utf8')) as {
  paths: Record<string, Record<string, Operation>>
  components: {responses: Record<string, {content?: Record<string, {schema?: unknown}>}>}
}
const ajv = new Ajv({strict: false, allErrors: true})
// ajv-formats is CommonJS with `exports.default` (as in src/schema/validators.ts).
;(addFormatsModule as unknown as {default: (ajv: Ajv) => void}).default(ajv)
ajv.addSchema({...document, $id: 'tk450'})

/** The validator of what the standard says `method path` answers with `status`. */
function responseValidator(method: string, route: string, status: string): ValidateFunction {
  const response = document.paths[route]?.[method]?.responses[status]
  if (!response) throw new Error(`the standard has no ${status} for ${method.toUpperCase()} ${route}`)
  const body = response.$ref
    ? document.components.responses[response.$ref.split('/').pop()!]
    : (response as {content?: Record<string, {schema?: unknown}>})
  const schema = body?.content?.['application/json']?.schema as {$ref?: string} | undefined
  if (!schema?.$ref) throw new Error(`no JSON schema for ${status} of ${method.toUpperCase()} ${route}`)
  return ajv.getSchema(`tk450${schema.$ref}`)!
}

let temp: {dir: string; cleanup: () => Promise<void>}
let db: StagingDatabase
let app: FastifyInstance
let base: string
beforeAll(async () => {
  temp = await makeTempDir('ss12000-serve-conformance-')
  const dbPath = path.join(temp.dir, 'example.db')
  await stage({
    paths: [path.join(REPO_ROOT, 'examples', 'ss12000')],
    dbPath,
    scope: 'example',
    profile: 'ss12000-2020',
    mode: 'payload',
    reveal: false,
    allowPartial: false,
    keepAllIssues: false,
    rejectsPath: path.join(temp.dir, 'rejects.csv'),
    now: () => '2026-11-27T10:00:00+01:00',
  })
  db = openStagingDatabase(dbPath)
  app = buildServer({db, scope: 'example', basePath: '/v2.0'})
  await app.listen({host: '127.0.0.1', port: 0})
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/v2.0`
})
afterAll(async () => {
  await app.close()
  db.close()
  await temp.cleanup()
})

const collections = ENTITY_NAMES.filter((entity) => entity !== 'AggregatedAttendance' && entity !== 'Subscription')
  .map((entity) => ENTITY_NAMING[entity].collection)
  .filter((collection) => document.paths[`/${collection}`]?.get)

describe('serve answers in the shapes the TK450 OpenAPI declares (work in progress)', () => {
  it.each(collections)('/%s: list pages, GET by id, lookup', async (collection) => {
    const errors: unknown[] = []
    const check = (validate: ValidateFunction, body: unknown, what: string) => {
      if (!validate(body)) errors.push({what, errors: validate.errors?.slice(0, 3)})
    }
    const list = responseValidator('get', `/${collection}`, '200')
    const required =
      collection === 'calendarEvents' ? '&startTime.onOrAfter=2000-01-01&startTime.onOrBefore=2100-01-01' : ''
    const first = (await (
      await fetch(`${base}/${collection}?limit=2&expandReferenceNames=true${required}`)
    ).json()) as {
      data: Array<{id: string}>
      pageToken: string | null
    }
    check(list, first, 'first page')
    if (first.pageToken) {
      const next = await (await fetch(`${base}/${collection}?pageToken=${encodeURIComponent(first.pageToken)}`)).json()
      check(list, next, 'next page')
    }
    const item = first.data[0]
    if (item && document.paths[`/${collection}/{id}`]?.get) {
      check(
        responseValidator('get', `/${collection}/{id}`, '200'),
        await (await fetch(`${base}/${collection}/${item.id}`)).json(),
        'by id',
      )
    }
    if (item && document.paths[`/${collection}/lookup`]?.post) {
      const response = await fetch(`${base}/${collection}/lookup`, {
        method: 'POST',
        headers: {'content-type': 'application/json'},
        body: JSON.stringify({ids: [item.id]}),
      })
      check(responseValidator('post', `/${collection}/lookup`, '200'), await response.json(), 'lookup')
    }
    const notFound = await fetch(`${base}/${collection}/00000000-0000-4000-8000-000000000000`)
    if (document.paths[`/${collection}/{id}`]?.get) {
      // The standard declares a 404 without a body; the error body {code, message} is extra.
      expect(notFound.status).toBe(404)
    }
    const bad = await fetch(`${base}/${collection}?limit=0${required}`)
    expect(bad.status).toBe(400)
    check(responseValidator('get', `/${collection}`, '400'), await bad.json(), '400')
    expect(errors).toEqual([])
  })

  it('has validators that can fail', () => {
    const persons = responseValidator('get', '/persons', '200')
    expect(persons({data: [{id: 'not-a-uuid', givenName: 5}], pageToken: null})).toBe(false)
    expect(persons({data: [], pageToken: null})).toBe(true)
  })

  it('/deletedEntities', async () => {
    const validate = responseValidator('get', '/deletedEntities', '200')
    const body = await (await fetch(`${base}/deletedEntities?after=2000-01-01T00:00:00Z`)).json()
    expect(validate(body), JSON.stringify(validate.errors)).toBe(true)
  })
})

import type {AddressInfo} from 'node:net'
import {join} from 'node:path'

import type {FastifyInstance} from 'fastify'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {Ss12000Client} from '../../../src/remote/client.js'
import {RemoteRequestError} from '../../../src/remote/http.js'
import {buildServer} from '../../../src/server/app.js'
import {type BatchInput, type StagedRecord, writeBatch} from '../../../src/staging/batches.js'
import {openStagingDatabase, type StagingDatabase} from '../../../src/staging/database.js'
import {makeTempDir} from '../../support/cli.js'

/** The client against the toolkit's own read API (`ss12000 serve`): the standard as this project reads it. */
let temp: {dir: string; cleanup: () => Promise<void>}
let db: StagingDatabase
let app: FastifyInstance
let baseUrl: string
const TOKEN = 'serve-test-token'
const input = (hour: number): BatchInput => ({
  kind: 'import',
  scope: 's',
  partial: false,
  files: [],
  now: () => `2026-11-27T${String(hour).padStart(2, '0')}:00:00+01:00`,
})
const person = (index: number): StagedRecord => {
  const id = `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`
  return {entity: 'Person', id, value: {id, givenName: `Namn${index}`, familyName: 'Ek'}}
}
const persons = Array.from({length: 23}, (_, index) => person(index))

beforeAll(async () => {
  temp = await makeTempDir('ss12000-remote-')
  db = openStagingDatabase(join(temp.dir, 'serve.db'))
  writeBatch(db, input(9), [...persons, person(99)])
  writeBatch(db, input(10), persons)
  app = buildServer({db, scope: 's', tokens: [TOKEN], basePath: '/v2.0'})
  await app.listen({host: '127.0.0.1', port: 0})
  baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/v2.0`
})
afterAll(async () => {
  await app.close()
  db.close()
  await temp.cleanup()
})

describe('against ss12000 serve', () => {
  it('pages through a collection, sorted and filtered as asked, without a warning', async () => {
    const warnings: string[] = []
    const client = new Ss12000Client({
      baseUrl,
      auth: {kind: 'bearer', token: TOKEN},
      warn: (message) => warnings.push(message),
    })
    const ids: string[] = []
    let pages = 0
    for await (const page of client.pages('persons', {sortkey: 'DisplayNameAsc'}, {limit: 5})) {
      pages++
      ids.push(...page.map((record) => String(record.id)))
    }
    expect(pages).toBe(5)
    expect(ids.sort()).toEqual(persons.map((record) => record.id).sort())
    expect(warnings).toEqual([])
  })

  it('reads deletedEntities', async () => {
    const client = new Ss12000Client({baseUrl, auth: {kind: 'bearer', token: TOKEN}})
    const deleted = await client.deletedEntities('2026-01-01T00:00:00Z', ['Person'])
    expect(Object.fromEntries(deleted.byEntity)).toEqual({Person: [person(99).id]})
  })

  it("reports serve's 403 for a wrong token with its code and message", async () => {
    const client = new Ss12000Client({baseUrl, auth: {kind: 'bearer', token: 'wrong-token'}})
    const error = await client.getJson('persons').catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(RemoteRequestError)
    expect((error as RemoteRequestError).status).toBe(403)
    expect((error as RemoteRequestError).serverCode).toBe('Forbidden')
    expect((error as Error).message).toBe(
      `GET ${baseUrl}/persons answered 403 Forbidden — Forbidden: A valid bearer token is required.`,
    )
  })
})

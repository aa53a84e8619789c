import type {AddressInfo} from 'node:net'
import {join} from 'node:path'

import type {FastifyInstance} from 'fastify'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {buildServer} from '../../../src/server/app.js'
import {writeBatch, type BatchInput, type StagedRecord} from '../../../src/staging/batches.js'
import {openStagingDatabase, type StagingDatabase} from '../../../src/staging/database.js'
import {makeTempDir} from '../../support/cli.js'

let temp: {dir: string; cleanup: () => Promise<void>}
let db: StagingDatabase
let app: FastifyInstance
let base: string
const TOKEN = 'test-token-not-a-secret'
const input = (hour: number): BatchInput => ({
  kind: 'import',
  scope: 's',
  partial: false,
  files: [],
  now: () => `2026-11-27T${String(hour).padStart(2, '0')}:00:00+01:00`,
})
const person = (index: number): StagedRecord => {
  const id = `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`
  return {entity: 'Person', id, value: {id, givenName: `Namn${index}`, familyName: index % 2 ? 'Ek' : 'Al'}}
}
const persons = Array.from({length: 23}, (_, index) => person(index))
const text = (record: StagedRecord, key: string) => String((record.value as Record<string, unknown>)[key])
/** The read API's order: the sort value (text order, as SQLite compares), ties by id ascending. */
function compare(a: StagedRecord, b: StagedRecord, key: string, direction: 1 | -1): number {
  const x = text(a, key)
  const y = text(b, key)
  if (x !== y) return (x < y ? -1 : 1) * direction
  return a.id < b.id ? -1 : 1
}

beforeAll(async () => {
  temp = await makeTempDir('ss12000-serve-')
  db = openStagingDatabase(join(temp.dir, 'serve.db'))
  const lesson: StagedRecord = {
    entity: 'CalendarEvent',
    id: 'c0000000-0000-4000-8000-000000000001',
    value: {
      id: 'c0000000-0000-4000-8000-000000000001',
      activity: {id: 'a0000000-0000-4000-8000-000000000001'},
      startTime: '2026-03-02T08:00:00+01:00',
      endTime: '2026-03-02T09:00:00+01:00',
    },
  }
  writeBatch(db, input(9), [...persons, person(99), lesson])
  writeBatch(db, input(10), [...persons, lesson])
  app = buildServer({db, scope: 's', tokens: [TOKEN]})
  await app.listen({host: '127.0.0.1', port: 0})
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
})
afterAll(async () => {
  await app.close()
  db.close()
  await temp.cleanup()
})

const get = async (path: string, token: string | undefined = TOKEN) => {
  const response = await fetch(`${base}${path}`, {headers: token ? {authorization: `Bearer ${token}`} : {}})
  return {status: response.status, body: (await response.json()) as Record<string, unknown>}
}

describe('the read API', () => {
  it('pages every record exactly once at any page size, the last page without a token', async () => {
    for (const limit of [1, 5, 23, 100]) {
      const seen: string[] = []
      let page = await get(`/persons?limit=${limit}`)
      for (;;) {
        expect(page.status).toBe(200)
        seen.push(...(page.body.data as Array<{id: string}>).map((record) => record.id))
        if (page.body.pageToken === null) break
        page = await get(`/persons?pageToken=${encodeURIComponent(String(page.body.pageToken))}`)
      }
      expect(seen).toEqual(persons.map((record) => record.id).sort())
    }
  })

  it('pages in a sortkey order by keyset, ties broken by id, each record once', async () => {
    for (const [sortkey, order] of [
      ['FamilyNameAsc', (a: StagedRecord, b: StagedRecord) => compare(a, b, 'familyName', 1)],
      ['FamilyNameDesc', (a: StagedRecord, b: StagedRecord) => compare(a, b, 'familyName', -1)],
      ['GivenNameDesc', (a: StagedRecord, b: StagedRecord) => compare(a, b, 'givenName', -1)],
    ] as const) {
      const seen: string[] = []
      let page = await get(`/persons?limit=4&sortkey=${sortkey}`)
      for (;;) {
        expect(page.status).toBe(200)
        seen.push(...(page.body.data as Array<{id: string}>).map((record) => record.id))
        if (page.body.pageToken === null) break
        page = await get(`/persons?pageToken=${encodeURIComponent(String(page.body.pageToken))}`)
      }
      expect(seen, sortkey).toEqual([...persons].sort(order).map((record) => record.id))
    }
    expect((await get('/persons?sortkey=ShoeSizeAsc')).status).toBe(400)
  })

  it('refuses filters with a pageToken, forged tokens, unknown filters and bad values with 400', async () => {
    const first = await get('/persons?limit=2&nameContains=ek')
    const token = encodeURIComponent(String(first.body.pageToken))
    expect((await get(`/persons?pageToken=${token}&nameContains=al`)).status).toBe(400)
    expect((await get(`/persons?pageToken=${token}x`)).status).toBe(400)
    expect((await get('/persons?shoeSize=42')).body).toMatchObject({code: 'BadRequest'})
    expect((await get('/persons?limit=0')).status).toBe(400)
    expect((await get('/persons?meta.modified.after=yesterday')).status).toBe(400)
    // The standard requires a start-time window of calendarEvents.
    expect((await get('/calendarEvents')).body).toMatchObject({
      code: 'BadRequest',
      message: expect.stringContaining('requires'),
    })
    const window = 'startTime.onOrAfter=2026-01-01&startTime.onOrBefore=2026-12-31T23:59:59%2B01:00'
    const lessons = async (after: string) =>
      (
        (await get(`/calendarEvents?startTime.onOrAfter=${after}&startTime.onOrBefore=2026-12-31`)).body
          .data as unknown[]
      ).length
    // 08:00+01:00 is 07:00Z: the window compares instants, whatever the offsets.
    expect(await lessons('2026-03-02T06:30:00Z')).toBe(1)
    expect(await lessons('2026-03-02T07:30:00Z')).toBe(0)
    const until = async (before: string) =>
      (
        (await get(`/calendarEvents?startTime.onOrAfter=2026-01-01&startTime.onOrBefore=${before}`)).body
          .data as unknown[]
      ).length
    // A date alone is the whole day.
    expect(await until('2026-03-02')).toBe(1)
    expect(await until('2026-03-01')).toBe(0)
    expect((await get(`/calendarEvents?${window}`)).status).toBe(200)
  })

  it('answers 403 without a valid token, 404 for an unknown id, and deletedEntities from history', async () => {
    expect((await get('/persons', '')).status).toBe(403)
    expect((await get('/persons', 'wrong')).body).toMatchObject({code: 'Forbidden'})
    expect((await get('/persons/00000000-0000-4000-8000-000000000999')).status).toBe(404)
    const deleted = await get('/deletedEntities?after=2026-11-27T09:00:00%2B01:00&entities=Person')
    expect(deleted.body).toEqual({data: {persons: [person(99).id]}, pageToken: null})
    const one = await get(`/persons/${persons[3]!.id}`)
    expect(one.body).toMatchObject({
      id: persons[3]!.id,
      meta: {created: '2026-11-27T09:00:00+01:00', modified: '2026-11-27T09:00:00+01:00'},
    })
  })
})

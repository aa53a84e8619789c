import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {COLLECTION_FILTERS, LOOKUP_KEYS} from '../../../src/server/filters.js'
import {RecordStore} from '../../../src/server/store.js'
import {writeBatch, type BatchInput, type StagedRecord} from '../../../src/staging/batches.js'
import {openStagingDatabase, type StagingDatabase} from '../../../src/staging/database.js'
import {makeTempDir} from '../../support/cli.js'

let temp: {dir: string; cleanup: () => Promise<void>}
let db: StagingDatabase
let store: RecordStore
const at = (hour: number) => `2026-11-27T${String(hour).padStart(2, '0')}:00:00+01:00`
const input = (hour: number): BatchInput => ({
  kind: 'import',
  scope: 's',
  partial: false,
  files: [],
  now: () => at(hour),
})
const person = (id: string, givenName: string, civicNo: string): StagedRecord => ({
  entity: 'Person',
  id,
  value: {id, givenName, familyName: 'Ek', civicNo: {value: civicNo, nationality: 'SE'}},
})
const group = (id: string, groupType: string): StagedRecord => ({
  entity: 'Group',
  id,
  value: {id, displayName: id, groupType, organisation: {id: 'o1'}, startDate: '2026-08-17'},
})

beforeAll(async () => {
  temp = await makeTempDir('ss12000-store-')
  db = openStagingDatabase(join(temp.dir, 'store.db'))
  writeBatch(db, input(9), [
    person('p1', 'Alva', '201001012386'),
    person('p2', 'Elis', '201002022385'),
    person('p3', 'Saga', '201003032384'),
    group('g1', 'Klass'),
    group('g2', 'Undervisning'),
  ])
  writeBatch(db, input(10), [
    person('p1', 'Alva Maria', '201001012386'),
    person('p2', 'Elis', '201002022385'),
    group('g1', 'Klass'),
    group('g2', 'Undervisning'),
  ])
  store = new RecordStore(db)
})
afterAll(async () => {
  db.close()
  await temp.cleanup()
})

const ids = (records: Iterable<{id: string}>) => [...records].map((record) => record.id)
const list = (overrides: Partial<Parameters<RecordStore['list']>[0]> = {}) =>
  store.list({scope: 's', entity: 'Person', conditions: [], meta: {}, ...overrides})

describe('RecordStore', () => {
  it('pages in id order by keyset, with meta from the batches that created and last changed each record', () => {
    expect(ids(list({limit: 1}))).toEqual(['p1'])
    expect(ids(list({after: 'p1', limit: 5}))).toEqual(['p2'])
    const [first] = list({limit: 1})
    expect(JSON.parse(first!.text)).toEqual({
      meta: {created: at(9), modified: at(10)},
      id: 'p1',
      givenName: 'Alva Maria',
      familyName: 'Ek',
      civicNo: {value: '201001012386', nationality: 'SE'},
    })
  })

  it('filters by meta windows (after exclusive, before inclusive) and by the collection filters', () => {
    expect(ids(list({meta: {modifiedAfter: at(9)}}))).toEqual(['p1'])
    expect(ids(list({meta: {modifiedBefore: at(9)}}))).toEqual(['p2'])
    // 09:30 in UTC+01:00 is 08:30Z: compared as instants, not as text.
    expect(ids(list({meta: {createdAfter: '2026-11-27T08:30:00Z'}}))).toEqual([])
    const nameContains = COLLECTION_FILTERS.Person!.nameContains!
    expect(ids(list({conditions: [nameContains(['alva', 'EK'], 's')]}))).toEqual(['p1'])
    expect(ids(list({conditions: [COLLECTION_FILTERS.Person!.civicNo!(['201002022385'], 's')]}))).toEqual(['p2'])
    const klass = COLLECTION_FILTERS.Group!.groupType!(['Klass'], 's')
    expect(ids(store.list({scope: 's', entity: 'Group', conditions: [klass], meta: {}}))).toEqual(['g1'])
  })

  it('gets and looks up by id and civic number, and tells what a full batch removed', () => {
    expect(store.get('s', 'Person', 'p3')).toBeUndefined()
    expect(store.get('s', 'Person', 'p2')?.id).toBe('p2')
    expect(ids(store.lookup('s', 'Person', ['p2'], [LOOKUP_KEYS.Person!.civicNos!(['201001012386'], 's')]))).toEqual([
      'p1',
      'p2',
    ])
    expect(Object.fromEntries(store.deleted('s', at(9), ['Person', 'Group']))).toEqual({Person: ['p3']})
    expect(store.deleted('s', at(10), ['Person']).size).toBe(0)
  })

  it('keeps an id set while the database is unchanged, and queries it again once another connection writes', () => {
    const named = {
      sql: "SELECT c.id FROM current_record c WHERE c.entity = 'Person' AND c.json LIKE ?",
      params: ['%Elis%'],
    }
    expect(ids(list({idSets: [named], limit: 5}))).toEqual(['p2'])
    const writer = openStagingDatabase(join(temp.dir, 'store.db'))
    try {
      writeBatch(writer, {...input(11), partial: true}, [person('p4', 'Elis', '201004042383')])
    } finally {
      writer.close()
    }
    expect(ids(list({idSets: [named], limit: 5}))).toEqual(['p2', 'p4'])
    expect(ids(list({idSets: [named], limit: 1}))).toEqual(['p2'])
  })
})

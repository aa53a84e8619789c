import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {DuplicateRecordError, writeBatch, type BatchInput, type StagedRecord} from '../../../src/staging/batches.js'
import {openStagingDatabase, type StagingDatabase} from '../../../src/staging/database.js'
import {recordVersions, stagedRecords} from '../../../src/staging/read.js'
import {makeTempDir} from '../../support/cli.js'

let temp: {dir: string; cleanup: () => Promise<void>}
beforeAll(async () => {
  temp = await makeTempDir('ss12000-batches-')
})
afterAll(async () => {
  await temp.cleanup()
})

const input = (overrides: Partial<BatchInput> = {}): BatchInput => ({
  kind: 'import',
  scope: 'se-generic',
  partial: false,
  files: [{path: 'elever.csv', sha256: 'ab'.repeat(32), size: 10}],
  now: () => '2026-11-27T10:00:00+01:00',
  ...overrides,
})
const person = (id: string, givenName: string, extra: Record<string, unknown> = {}): StagedRecord => ({
  entity: 'Person',
  id,
  value: {id, givenName, familyName: 'Ek', ...extra},
  file: 'persons.json',
  line: 2,
})
const counts = (added: number, changed: number, unchanged: number, absent: number) => ({
  records: added + changed + unchanged,
  added,
  changed,
  unchanged,
  absent,
})
const ids = (db: StagingDatabase, scope = 'se-generic', asOf?: number): string[] =>
  [...stagedRecords(db, {scope, ...(asOf === undefined ? {} : {asOf})})].map((record) => record.id)

function withDatabase(name: string, body: (db: StagingDatabase) => void): void {
  const db = openStagingDatabase(join(temp.dir, name))
  try {
    body(db)
  } finally {
    db.close()
  }
}

describe('writeBatch', () => {
  it('stages, restages with 0 changes, and reports a term rollover with the fields that changed', () => {
    withDatabase('rollover.db', (db) => {
      const first = writeBatch(db, input(), [person('p1', 'Alva'), person('p2', 'Elis')])
      expect(first).toMatchObject({batch: 1, entities: {Person: counts(2, 0, 0, 0)}})
      expect(first.unchanged).toBe(false)

      // The same records with keys in another order: canonical JSON makes them equal, and nothing new is written.
      const again = writeBatch(db, input(), [
        {entity: 'Person', id: 'p2', value: {familyName: 'Ek', givenName: 'Elis', id: 'p2'}},
        person('p1', 'Alva'),
      ])
      expect(again).toMatchObject({previous: 1, unchanged: true, entities: {Person: counts(0, 0, 2, 0)}})
      expect(db.prepare(`SELECT COUNT(*) FROM record`).pluck().get()).toBe(2)

      const next = writeBatch(db, input(), [person('p1', 'Alva Maria'), person('p3', 'Saga')])
      expect(next.entities.Person).toEqual({...counts(1, 1, 0, 1), fields: {givenName: 1}})
      expect(ids(db)).toEqual(['p1', 'p3'])
      // The state after each batch can still be read.
      expect(ids(db, 'se-generic', 1)).toEqual(['p1', 'p2'])
      expect(ids(db, 'se-generic', 2)).toEqual(['p1', 'p2'])
    })
  })

  it('never reports absence for a partial batch, and keeps what it lacks', () => {
    withDatabase('partial.db', (db) => {
      writeBatch(db, input(), [person('p1', 'Alva'), person('p2', 'Elis')])
      const partial = writeBatch(db, input({partial: true}), [person('p2', 'Elis Johan')])
      expect(partial.entities.Person).toMatchObject(counts(0, 1, 0, 0))
      const current = [...stagedRecords(db, {scope: 'se-generic'})].map(({id, json, batch}) => ({id, json, batch}))
      expect(current).toEqual([
        {id: 'p1', json: '{"familyName":"Ek","givenName":"Alva","id":"p1"}', batch: 1},
        {id: 'p2', json: '{"familyName":"Ek","givenName":"Elis Johan","id":"p2"}', batch: 2},
      ])
      // A full batch after it compares with that overlay, and starts afresh.
      const full = writeBatch(db, input(), [person('p2', 'Elis Johan')])
      expect(full.entities.Person).toMatchObject(counts(0, 0, 1, 1))
      expect(ids(db)).toEqual(['p2'])
    })
  })

  it('removes what a full batch of some types lacks of those types only', () => {
    withDatabase('types.db', (db) => {
      const group: StagedRecord = {entity: 'Group', id: 'g1', value: {id: 'g1', displayName: '7A'}}
      writeBatch(db, input(), [person('p1', 'Alva'), person('p2', 'Elis'), group])
      const persons = writeBatch(db, input({entities: ['Person']}), [person('p2', 'Elis')])
      expect(persons.entities.Person).toMatchObject(counts(0, 0, 1, 1))
      expect(persons.entities.Group).toBeUndefined()
      expect([...stagedRecords(db, {scope: 'se-generic'})].map(({entity, id}) => `${entity}:${id}`)).toEqual([
        'Group:g1',
        'Person:p2',
      ])
    })
  })

  it('leaves nothing of a batch that fails half-way', () => {
    withDatabase('failing.db', (db) => {
      writeBatch(db, input(), [person('p1', 'Alva')])
      function* failing(): Generator<StagedRecord> {
        yield person('p1', 'Changed')
        throw new Error('the input broke off')
      }
      expect(() => writeBatch(db, input(), failing())).toThrow('the input broke off')
      expect(db.prepare(`SELECT COUNT(*) FROM batch`).pluck().get()).toBe(1)
      expect(db.prepare(`SELECT json FROM current_record`).pluck().all()).toEqual([
        '{"familyName":"Ek","givenName":"Alva","id":"p1"}',
      ])
      expect(writeBatch(db, input(), [person('p1', 'Alva')]).unchanged).toBe(true)
    })
  })

  it('refuses a record twice in one batch, and writes nothing of that batch', () => {
    withDatabase('twice.db', (db) => {
      expect(() => writeBatch(db, input(), [person('p1', 'Alva'), person('p1', 'Alva')])).toThrow(DuplicateRecordError)
      expect(db.prepare(`SELECT COUNT(*) FROM batch`).pluck().get()).toBe(0)
    })
  })

  it('keeps scopes apart', () => {
    withDatabase('scopes.db', (db) => {
      writeBatch(db, input({scope: 'a'}), [person('p1', 'Alva')])
      const other = writeBatch(db, input({scope: 'b'}), [person('p1', 'Alva')])
      expect(other.previous).toBeUndefined()
      expect(other.entities.Person?.added).toBe(1)
      const full = writeBatch(db, input({scope: 'a'}), [])
      expect(full.entities.Person?.absent).toBe(1)
      expect(ids(db, 'a')).toEqual([])
      expect(ids(db, 'b')).toEqual(['p1'])
    })
  })

  it('keeps every version of a record, with removals and returns', () => {
    withDatabase('versions.db', (db) => {
      writeBatch(db, input({label: 'HT 2026'}), [person('p1', 'Alva')])
      writeBatch(db, input(), [person('p1', 'Alva', {emails: [{value: 'alva@example.se', type: 'Privat'}]})])
      writeBatch(db, input(), [])
      const back = writeBatch(db, input(), [person('p1', 'Alva')])
      expect(back.entities.Person).toMatchObject(counts(1, 0, 0, 0))
      const versions = recordVersions(db, 'Person', 'p1')
      expect(versions.map(({batch, json, label}) => ({batch, removed: json === undefined, label}))).toEqual([
        {batch: 1, removed: false, label: 'HT 2026'},
        {batch: 2, removed: false, label: undefined},
        {batch: 3, removed: true, label: undefined},
        {batch: 4, removed: false, label: undefined},
      ])
      expect(ids(db, 'se-generic', 3)).toEqual([])
      // Created by the batch it came back in; a change keeps that.
      writeBatch(db, input(), [person('p1', 'Alva Maria')])
      expect(db.prepare(`SELECT created, batch FROM current WHERE id = 'p1'`).get()).toEqual({created: 4, batch: 5})
    })
  })
})

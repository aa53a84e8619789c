import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {writeBatch, type BatchInput, type StagedRecord} from '../../../src/staging/batches.js'
import {openStagingDatabase} from '../../../src/staging/database.js'
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
const person = (id: string, givenName: string): StagedRecord => ({
  entity: 'Person',
  id,
  value: {id, givenName, familyName: 'Ek'},
  file: 'persons.json',
  line: 2,
})

describe('writeBatch', () => {
  it('stages, restages with 0 changes, and reports a term rollover', () => {
    const db = openStagingDatabase(join(temp.dir, 'rollover.db'))
    try {
      const first = writeBatch(db, input(), [person('p1', 'Alva'), person('p2', 'Elis')])
      expect(first).toMatchObject({batch: 1, entities: {Person: {added: 2, changed: 0, unchanged: 0, absent: 0}}})
      expect(first.unchanged).toBe(false)

      // The same records with keys in another order: canonical JSON makes them equal.
      const again = writeBatch(db, input(), [
        {entity: 'Person', id: 'p2', value: {familyName: 'Ek', givenName: 'Elis', id: 'p2'}},
        person('p1', 'Alva'),
      ])
      expect(again).toMatchObject({previous: 1, unchanged: true, entities: {Person: {unchanged: 2}}})

      const next = writeBatch(db, input(), [person('p1', 'Alva Maria'), person('p3', 'Saga')])
      expect(next.entities.Person).toEqual({added: 1, changed: 1, unchanged: 0, absent: 1})
      const current = db.prepare(`SELECT id FROM current_record ORDER BY id`).pluck().all()
      expect(current).toEqual(['p1', 'p3'])
    } finally {
      db.close()
    }
  })

  it('never reports absence for a partial batch', () => {
    const db = openStagingDatabase(join(temp.dir, 'partial.db'))
    try {
      writeBatch(db, input(), [person('p1', 'Alva'), person('p2', 'Elis')])
      const partial = writeBatch(db, input({partial: true}), [person('p1', 'Alva')])
      expect(partial.entities.Person).toEqual({added: 0, changed: 0, unchanged: 1, absent: 0})
    } finally {
      db.close()
    }
  })

  it('leaves nothing of a batch that fails half-way', () => {
    const db = openStagingDatabase(join(temp.dir, 'failing.db'))
    try {
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
    } finally {
      db.close()
    }
  })

  it('keeps scopes apart', () => {
    const db = openStagingDatabase(join(temp.dir, 'scopes.db'))
    try {
      writeBatch(db, input({scope: 'a'}), [person('p1', 'Alva')])
      const other = writeBatch(db, input({scope: 'b'}), [person('p1', 'Alva')])
      expect(other.previous).toBeUndefined()
      expect(other.entities.Person?.added).toBe(1)
    } finally {
      db.close()
    }
  })
})

describe('the current state after a partial batch', () => {
  it('keeps what the partial batch lacks and takes what it changes', () => {
    const db = openStagingDatabase(join(temp.dir, 'overlay.db'))
    try {
      writeBatch(db, input(), [person('p1', 'Alva'), person('p2', 'Elis')])
      writeBatch(db, input({partial: true}), [person('p2', 'Elis Johan')])
      const current = db.prepare(`SELECT id, json FROM current_record ORDER BY id`).all()
      expect(current).toEqual([
        {id: 'p1', json: '{"familyName":"Ek","givenName":"Alva","id":"p1"}'},
        {id: 'p2', json: '{"familyName":"Ek","givenName":"Elis Johan","id":"p2"}'},
      ])
      // A full batch after it compares with that overlay, and starts afresh.
      const full = writeBatch(db, input(), [person('p2', 'Elis Johan')])
      expect(full.entities.Person).toEqual({added: 0, changed: 0, unchanged: 1, absent: 1})
      expect(db.prepare(`SELECT id FROM current_record`).pluck().all()).toEqual(['p2'])
    } finally {
      db.close()
    }
  })
})

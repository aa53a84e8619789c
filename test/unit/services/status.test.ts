import {writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {UsageError} from '../../../src/errors.js'
import {driftWarnings, status} from '../../../src/services/status.js'
import {writeBatch} from '../../../src/staging/batches.js'
import {openStagingDatabase} from '../../../src/staging/database.js'
import {makeTempDir} from '../../support/cli.js'
import {STAGED, writeStagedStory} from '../../support/staged.js'

let temp: {dir: string; cleanup: () => Promise<void>}
let story: string
beforeAll(async () => {
  temp = await makeTempDir('ss12000-status-')
  story = join(temp.dir, 'story.db')
  writeStagedStory(story)
})
afterAll(async () => {
  await temp.cleanup()
})

describe('status', () => {
  it('lists scopes with the newest batch first, what each holds now, and its batches newest first', () => {
    const result = status({dbPath: story, limit: 10, reveal: false})
    expect(result.database).toBe(story)
    expect(result.scopes.map((scope) => scope.scope)).toEqual(['se-generic', 'skolverket'])
    const [generic, snapshot] = result.scopes
    expect(generic).toMatchObject({held: {Organisation: 1, Person: 2, Group: 1}, records: 4, batchCount: 4})
    expect(Object.keys(generic!.held)).toEqual(['Organisation', 'Person', 'Group'])
    expect(generic!.batches.map((batch) => [batch.id, batch.label, batch.partial])).toEqual([
      [5, 'Komplettering', true],
      [4, 'Avgångar', false],
      [3, 'HT 2026 v2', false],
      [2, 'HT 2026', false],
    ])
    expect(snapshot).toMatchObject({
      held: {Organisation: 1, Person: 1},
      records: 2,
      batchCount: 1,
      batches: [{id: 1, kind: 'snapshot', source: 'https://api.example/ss12000/v2', files: []}],
      drift: [],
    })
  })

  it('gives per entity type what each batch did, most-changed fields first, and no inputs', () => {
    const [generic] = status({dbPath: story, scope: 'se-generic', limit: 10, reveal: false}).scopes
    const byId = new Map(generic!.batches.map((batch) => [batch.id, batch]))
    expect(byId.get(3)!.counts).toEqual({
      Organisation: {records: 1, added: 0, changed: 0, unchanged: 1, absent: 0, fields: {}},
      Person: {
        records: 2,
        added: 0,
        changed: 1,
        unchanged: 1,
        absent: 0,
        fields: {civicNo: 1, emails: 1, givenName: 1},
      },
      Group: {records: 1, added: 0, changed: 0, unchanged: 1, absent: 0, fields: {}},
    })
    expect(byId.get(4)!.counts.Person).toMatchObject({unchanged: 1, absent: 1})
    expect(byId.get(4)!.counts.Group).toMatchObject({changed: 1, fields: {groupMemberships: 1}})
    // A partial batch replaces nothing, so it has no absences to count.
    expect(byId.get(5)!.counts).toEqual({
      Person: {records: 1, added: 1, changed: 0, unchanged: 0, absent: 0, fields: {}},
    })
    expect(byId.get(2)!).toMatchObject({
      template: {name: 'se-generic', version: '1.0.0'},
      finishedAt: '2026-08-20T07:00:00+02:00',
      files: [{path: 'persons.json', size: 1234}],
    })
    expect(byId.get(2)!).not.toHaveProperty('inputs')
  })

  it('keeps the drift messages of each batch, and of the newest batch per scope', () => {
    const [generic] = status({dbPath: story, scope: 'se-generic', limit: 10, reveal: false}).scopes
    const expected = [
      {message: 'elever.csv: new column "Mentor"', kind: 'column-added', input: 'elever.csv', column: 'Mentor'},
      {message: 'elever.csv: column "Klass" is gone', kind: 'column-removed', input: 'elever.csv', column: 'Klass'},
    ]
    expect(generic!.batches.find((batch) => batch.id === 3)!.drift).toEqual(expected)
    // The newest batch found no drift.
    expect(generic!.drift).toEqual([])
    const limited = status({dbPath: story, scope: 'se-generic', limit: 1, reveal: false}).scopes[0]!
    expect(limited.batches.map((batch) => batch.id)).toEqual([5])
    expect(limited.batchCount).toBe(4)
  })

  it('reports the drift of the newest batch with --limit 0, civic numbers masked unless revealed', () => {
    const path = join(temp.dir, 'drift.db')
    const db = openStagingDatabase(path)
    const message = `elever.csv: new value "${STAGED.elisCivic}" in column "Status"`
    const drift = [{message, input: 'elever.csv'}]
    writeBatch(db, {kind: 'import', scope: 'a', partial: false, files: [], drift, now: () => 'T'}, [])
    db.close()
    const [masked] = status({dbPath: path, limit: 0, reveal: false}).scopes
    expect(masked!.drift).toEqual([
      {message: 'elever.csv: new value "20101130-****" in column "Status"', input: 'elever.csv'},
    ])
    expect(masked!.batches).toHaveLength(1)
    expect(status({dbPath: path, limit: 0, reveal: true}).scopes[0]!.drift).toEqual(drift)
  })

  it('gives no scopes for a database with nothing staged', () => {
    const path = join(temp.dir, 'empty.db')
    openStagingDatabase(path).close()
    expect(status({dbPath: path, limit: 10, reveal: false})).toEqual({database: path, scopes: []})
  })

  it('refuses a database that does not exist, without creating it, and a scope that is not staged', () => {
    const missing = join(temp.dir, 'missing.db')
    expect(() => status({dbPath: missing, limit: 10, reveal: false})).toThrow(UsageError)
    expect(() => status({dbPath: missing, limit: 10, reveal: false})).toThrow(/no staging database/)
    expect(() => status({dbPath: story, scope: 'nope', limit: 10, reveal: false})).toThrow(
      /Nothing is staged in scope 'nope'/,
    )
  })

  it('refuses a file that is not a staging database', () => {
    const path = join(temp.dir, 'not-a-db.db')
    writeFileSync(path, 'id;namn\n1;Alva\n'.repeat(100))
    expect(() => status({dbPath: path, limit: 10, reveal: false})).toThrow(UsageError)
  })
})

describe('driftWarnings', () => {
  const civic = STAGED.alvaCivic
  it.each([
    {name: 'nothing', drift: undefined, expected: []},
    {name: 'null', drift: null, expected: []},
    {name: 'an empty array', drift: [], expected: []},
    {
      name: 'warnings with unknown fields',
      drift: [{message: 'm', kind: 'k', input: 'i', column: 'c', extra: {deep: true}, count: 2}],
      expected: [{message: 'm', kind: 'k', input: 'i', column: 'c'}],
    },
    {name: 'details of another type', drift: [{message: 'm', column: 3}], expected: [{message: 'm'}]},
    {name: 'plain strings', drift: ['a new column'], expected: [{message: 'a new column'}]},
    {name: 'one object, not an array', drift: {message: 'm'}, expected: [{message: 'm'}]},
    {name: 'items without a message', drift: [{kind: 'k'}, 1, null, [], {message: 2}], expected: []},
    {
      name: 'civic numbers, masked',
      drift: [{message: `new value ${civic} in column "Status"`, column: civic}],
      expected: [{message: 'new value 20110407-**** in column "Status"', column: '20110407-****'}],
    },
  ])('reads $name', ({drift, expected}) => {
    expect(driftWarnings(drift)).toEqual(expected)
  })

  it('leaves civic numbers with a mask that shows them', () => {
    expect(driftWarnings([civic], (text) => text)).toEqual([{message: civic}])
  })
})

import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {UsageError} from '../../../src/errors.js'
import {history, type HistoryOptions} from '../../../src/services/history.js'
import {writeBatch} from '../../../src/staging/batches.js'
import {openStagingDatabase} from '../../../src/staging/database.js'
import {makeTempDir} from '../../support/cli.js'
import {STAGED, writeStagedStory} from '../../support/staged.js'

let temp: {dir: string; cleanup: () => Promise<void>}
let story: string
beforeAll(async () => {
  temp = await makeTempDir('ss12000-history-')
  story = join(temp.dir, 'story.db')
  writeStagedStory(story)
})
afterAll(async () => {
  await temp.cleanup()
})

const options = (overrides: Partial<HistoryOptions> = {}): HistoryOptions => ({
  dbPath: story,
  entity: 'Person',
  id: STAGED.alva,
  scope: 'se-generic',
  reveal: false,
  ...overrides,
})

describe('history', () => {
  it('tells a record added, changed, removed and added again, each against the version before', () => {
    const result = history(options())
    expect(result).toMatchObject({database: story, entity: 'Person', id: STAGED.alva, scopes: ['se-generic']})
    expect(result.versions.map(({batch, event, comparedWith, label}) => ({batch, event, comparedWith, label}))).toEqual(
      [
        {batch: 2, event: 'added', comparedWith: undefined, label: 'HT 2026'},
        {batch: 3, event: 'changed', comparedWith: 2, label: 'HT 2026 v2'},
        {batch: 4, event: 'removed', comparedWith: 3, label: 'Avgångar'},
        {batch: 5, event: 'added-again', comparedWith: 3, label: 'Komplettering'},
      ],
    )
    const [added, changed, removed, again] = result.versions
    expect(added).toMatchObject({finishedAt: '2026-08-20T07:00:00+02:00', file: 'persons.json', line: 3})
    expect(added!.sha256).toMatch(/^[0-9a-f]{64}$/)
    expect(added!.changes).toEqual([
      {path: 'civicNo', after: {value: '20110407-****'}},
      {path: 'familyName', after: 'Ek'},
      {path: 'givenName', after: 'Alva'},
      {path: 'id', after: STAGED.alva},
    ])
    expect(changed!.changes).toEqual([
      {path: 'civicNo.value', before: '20110407-****', after: '20110407-****'},
      {
        path: 'emails',
        after: [{type: 'Skola elev', value: 'alva.ek@exempelskolan.example'}],
      },
      {path: 'givenName', before: 'Alva', after: 'Alva Maria'},
    ])
    expect(removed).toEqual({
      batch: 4,
      scope: 'se-generic',
      label: 'Avgångar',
      finishedAt: '2026-10-01T07:00:00+02:00',
      comparedWith: 3,
      event: 'removed',
      changes: [],
    })
    expect(again).toMatchObject({file: 'komplettering.json', line: 2})
    expect(again!.changes).toEqual([{path: 'familyName', before: 'Ek', after: 'Björk'}])
    expect(again!.record).toMatchObject({familyName: 'Björk', civicNo: {value: '20110407-****'}})
    expect(result.current).toEqual([{scope: 'se-generic', held: true, batch: 5}])
  })

  it('shows civic numbers only when revealed', () => {
    const masked = JSON.stringify(history(options()))
    expect(masked).not.toContain(STAGED.alvaCivic)
    expect(masked).not.toContain(STAGED.alvaCivicLater)
    expect(masked).not.toContain(STAGED.alvaCivic.slice(2))
    const revealed = history(options({reveal: true}))
    expect(revealed.versions[1]!.changes[0]).toEqual({
      path: 'civicNo.value',
      before: STAGED.alvaCivic,
      after: STAGED.alvaCivicLater,
    })
    expect(revealed.versions[0]!.record).toMatchObject({civicNo: {value: STAGED.alvaCivic}})
  })

  it('masks a civic number wherever it appears, and a civicNo.value of any shape', () => {
    const path = join(temp.dir, 'shapes.db')
    const db = openStagingDatabase(path)
    const input = {kind: 'import' as const, scope: 's', partial: false, files: [], now: () => 'T'}
    const civic = STAGED.elisCivic
    writeBatch(db, input, [{entity: 'Person', id: 'p', value: {id: 'p', civicNo: {value: 'x1234567'}}}])
    writeBatch(db, input, [
      {entity: 'Person', id: 'p', value: {id: 'p', civicNo: {value: civic}, notes: [`was ${civic}`]}},
    ])
    db.close()
    const [first, second] = history({dbPath: path, entity: 'Person', id: 'p', reveal: false}).versions
    expect(first!.record).toEqual({id: 'p', civicNo: {value: 'x1******'}})
    expect(second!.changes).toEqual([
      {path: 'civicNo.value', before: 'x1******', after: '20101130-****'},
      {path: 'notes', after: ['was 20101130-****']},
    ])
  })

  it('lists the items an array gained and lost, compared as sets', () => {
    const result = history(options({entity: 'Group', id: STAGED.group}))
    expect(result.versions.map((version) => version.event)).toEqual(['added', 'changed'])
    expect(result.versions[1]!.changes).toEqual([
      {
        path: 'groupMemberships',
        before: [{person: {id: STAGED.alva}}, {person: {id: STAGED.elis}}],
        after: [{person: {id: STAGED.elis}}],
        itemsAdded: [],
        itemsRemoved: [{person: {id: STAGED.alva}}],
      },
    ])
  })

  it('compares versions within their scope when it searches every scope', () => {
    const result = history(options({scope: undefined}))
    expect(result.scopes).toEqual(['se-generic', 'skolverket'])
    expect(result.versions.map(({batch, scope, event}) => [batch, scope, event])).toEqual([
      [1, 'skolverket', 'added'],
      [2, 'se-generic', 'added'],
      [3, 'se-generic', 'changed'],
      [4, 'se-generic', 'removed'],
      [5, 'se-generic', 'added-again'],
    ])
    expect(result.current).toEqual([
      {scope: 'skolverket', held: true, batch: 1},
      {scope: 'se-generic', held: true, batch: 5},
    ])
  })

  it('says a record is not held now when its last version is a removal', () => {
    const path = join(temp.dir, 'gone.db')
    const db = openStagingDatabase(path)
    const input = {kind: 'import' as const, scope: 's', partial: false, files: [], now: () => 'T'}
    writeBatch(db, input, [{entity: 'Person', id: 'p', value: {id: 'p'}}])
    writeBatch(db, input, [])
    db.close()
    expect(history({dbPath: path, entity: 'Person', id: 'p', reveal: false}).current).toEqual([
      {scope: 's', held: false, batch: 2},
    ])
  })

  describe('a record that is not staged', () => {
    it.each([
      {
        name: 'an unknown id',
        overrides: {id: 'f00dfeed-0000-4000-8000-000000000000'},
        message: `No Person with id f00dfeed-0000-4000-8000-000000000000 is staged in scope se-generic of DB.`,
        action: /SS 12000 id \(a UUID, as in persons\.json/,
      },
      {
        name: 'an id of another entity type',
        overrides: {entity: 'Group' as const, id: STAGED.alva},
        message: `No Group with id ${STAGED.alva} is staged in scope se-generic of DB.`,
        action: `There is a Person with that id: ss12000 history Person ${STAGED.alva}`,
      },
      {
        name: 'an id staged in another scope only',
        overrides: {entity: 'Person' as const, id: STAGED.elis, scope: 'skolverket'},
        message: `No Person with id ${STAGED.elis} is staged in scope skolverket of DB.`,
        action: 'It is staged in scope se-generic.',
      },
      {
        name: 'a personnummer, masked',
        overrides: {id: STAGED.alvaCivic, scope: undefined},
        message: `No Person with id 20110407-**** is staged in scopes se-generic, skolverket of DB.`,
        action: 'history looks records up by their id, not by personnummer.',
      },
    ])('is a usage error for $name', ({overrides, message, action}) => {
      let error: unknown
      try {
        history(options(overrides))
      } catch (caught) {
        error = caught
      }
      expect(error).toBeInstanceOf(UsageError)
      expect((error as UsageError).message).toBe(message.replace('DB', story))
      expect((error as UsageError).actions).toContainEqual(
        typeof action === 'string' ? action : expect.stringMatching(action),
      )
      expect(JSON.stringify((error as UsageError).actions)).not.toContain(STAGED.alvaCivic)
    })

    it('refuses a scope that is not staged and a database that does not exist', () => {
      expect(() => history(options({scope: 'nope'}))).toThrow(/Nothing is staged in scope 'nope'/)
      expect(() => history(options({dbPath: join(temp.dir, 'missing.db')}))).toThrow(/no staging database/)
    })
  })
})

import {join} from 'node:path'

import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {diff, type DiffOptions} from '../../../src/diff/engine.js'
import type {Group, Person} from '../../../src/schema/model.js'
import {canonicalJson} from '../../../src/staging/canonical.js'
import {openStagingDatabase} from '../../../src/staging/database.js'
import {makeTempDir} from '../../support/cli.js'
import type {Dataset} from '../../support/fictional.js'
import {datasetRecords, smallDataset, stage} from './fixtures.js'

// Two staged scopes are compared by staging's sha256 where those are equal, and by the comparable forms (read back)
// where they are not: these tests diff scope `a` against scope `b` of one staging database.

let temp: {dir: string; cleanup: () => Promise<void>}
let dbPath: string
beforeEach(async () => {
  temp = await makeTempDir('ss12000-diff-staged-')
  dbPath = join(temp.dir, 'ss12000.db')
})
afterEach(async () => {
  await temp.cleanup()
})

const left: DiffOptions['left'] = {kind: 'staged', scope: 'a'}
const right: DiffOptions['right'] = {kind: 'staged', scope: 'b'}

/** Replaces a staged record's JSON in place (its sha256 stays as staged): a record read back would not parse. */
function corrupt(batch: number, entity: string, id: string): void {
  const db = openStagingDatabase(dbPath, {create: false})
  try {
    const changes = db
      .prepare(`UPDATE record SET json = 'not json' WHERE batch = ? AND entity = ? AND id = ?`)
      .run(batch, entity, id).changes
    expect(changes).toBe(1)
  } finally {
    db.close()
  }
}

describe('diff of two staged scopes', () => {
  it('finds equal scopes the same without reading a record whose sha256 is equal on both sides', async () => {
    const dataset = smallDataset()
    stage(dbPath, 'a', datasetRecords(dataset))
    const b = stage(dbPath, 'b', datasetRecords(dataset))
    // Every person and group of b can no longer be read: only their sha256 compare them.
    for (const person of dataset.persons) corrupt(b.batch, 'Person', person.id)
    for (const group of dataset.groups) corrupt(b.batch, 'Group', group.id)
    const result = await diff({dbPath, left, right})
    expect(result.equal).toBe(true)
    expect(result.details).toEqual([])
    expect(result.entities.Person).toEqual({
      left: 34,
      right: 34,
      onlyLeft: 0,
      onlyRight: 0,
      changed: 0,
      same: 34,
      fields: {},
    })
    expect(result.entities.Group).toMatchObject({changed: 0, same: dataset.groups.length})

    // The state after a batch (batch:N) is read the same way.
    const byBatch = await diff({dbPath, left: {kind: 'batch', batch: 1}, right: {kind: 'batch', batch: b.batch}})
    expect(byBatch.equal).toBe(true)
  })

  it('reads back the pairs whose sha256 differ, and only those', async () => {
    const dataset = smallDataset()
    stage(dbPath, 'a', datasetRecords(dataset))
    const copy = structuredClone(dataset)
    const [first, second] = copy.persons as [Person, Person]
    first.givenName = 'Ändrad'
    const b = stage(dbPath, 'b', datasetRecords(copy))
    corrupt(b.batch, 'Person', second.id)
    const result = await diff({dbPath, left, right})
    expect(result.entities.Person).toMatchObject({changed: 1, same: 33, fields: {givenName: 1}})
    expect(result.details).toMatchObject([{kind: 'changed', leftId: first.id, changes: [{path: 'givenName'}]}])

    // A pair that must be read is: its JSON that does not parse stops the diff.
    corrupt(b.batch, 'Person', first.id)
    await expect(diff({dbPath, left, right})).rejects.toThrow(SyntaxError)
  })

  it('finds records that differ only in references’ displayName the same (their sha256 differ)', async () => {
    const dataset = smallDataset()
    stage(dbPath, 'a', datasetRecords(dataset))
    const copy = structuredClone(dataset) as unknown as Record<string, Array<Record<string, unknown>>>
    for (const group of copy.groups!) {
      for (const membership of group.groupMemberships as Array<{person: Record<string, unknown>}>) {
        membership.person.displayName = 'Namn Namnsson'
      }
      ;(group.organisation as Record<string, unknown>).displayName = 'Skolan'
    }
    stage(dbPath, 'b', datasetRecords(copy as unknown as Dataset))
    const result = await diff({dbPath, left, right})
    expect(result.equal).toBe(true)
    expect(result.entities.Group).toMatchObject({changed: 0, same: dataset.groups.length})

    // With one real change among them, that one is found (and the displayName-only ones stay the same).
    const group = copy.groups![0]!
    group.displayName = 'Omdöpt'
    stage(dbPath, 'b', datasetRecords(copy as unknown as Dataset))
    const changed = await diff({dbPath, left, right})
    expect(changed.entities.Group).toMatchObject({changed: 1, same: dataset.groups.length - 1})
    expect(changed.details).toMatchObject([{entity: 'Group', leftId: group.id, changes: [{path: 'displayName'}]}])
  })

  it('leaves out --ignore paths when the sha256 differ only in them', async () => {
    const dataset = smallDataset()
    stage(dbPath, 'a', datasetRecords(dataset))
    const copy = structuredClone(dataset)
    for (const person of copy.persons) person.givenName = `${person.givenName}x`
    stage(dbPath, 'b', datasetRecords(copy))
    const plain = await diff({dbPath, left, right})
    expect(plain.entities.Person).toMatchObject({changed: 34, same: 0})
    const ignored = await diff({dbPath, left, right, ignore: ['givenName']})
    expect(ignored.equal).toBe(true)
    expect(ignored.entities.Person).toMatchObject({changed: 0, same: 34})
  })

  it('matches by civicNo, and compares references to persons through the pairs even where sha256 are equal', async () => {
    const dataset = smallDataset()
    stage(dbPath, 'a', datasetRecords(dataset))
    // Two persons swap ids on the right: every other record is staged as it was (its sha256 equal on both sides),
    // but on the right, its references to one of the two now mean the other.
    const copy = structuredClone(dataset)
    const students = copy.persons.filter((person) => person.enrolments !== undefined)
    // The first and the last student: in different classes, so some groups hold one and not the other.
    const [p, q] = [students[0]!, students.at(-1)!]
    const [pId, qId] = [p.id, q.id]
    p.id = qId
    q.id = pId
    stage(dbPath, 'b', datasetRecords(copy))

    const byId = await diff({dbPath, left, right})
    expect(byId.entities.Person).toMatchObject({changed: 2})
    expect(byId.entities.Group).toMatchObject({changed: 0})

    const result = await diff({dbPath, left, right, match: {by: 'civicNo'}})
    expect(result.entities.Person).toMatchObject({changed: 0, same: 34, match: {matched: 34}})
    const swapped = (record: unknown) =>
      canonicalJson(
        JSON.parse(JSON.stringify(record).replaceAll(pId, '<p>').replaceAll(qId, pId).replaceAll('<p>', qId)),
      )
    const expected = (records: Array<{id: string}>) =>
      records.filter((record) => swapped(record) !== canonicalJson(record)).map((record) => record.id)
    const groups = expected(dataset.groups as Group[])
    expect(groups.length).toBeGreaterThan(0)
    expect(result.entities.Group).toMatchObject({changed: groups.length})
    expect(result.details.filter((detail) => detail.entity === 'Group').map((detail) => detail.leftId)).toEqual(
      groups.sort(),
    )
    for (const key of ['duties', 'activities'] as const) {
      const entity = key === 'duties' ? 'Duty' : 'Activity'
      expect(result.entities[entity]).toMatchObject({changed: expected(dataset[key] as Array<{id: string}>).length})
    }
  })

  it('matches by civicNo over the same ids as by id, without reading the records paired by equal sha256', async () => {
    const dataset = smallDataset()
    stage(dbPath, 'a', datasetRecords(dataset))
    const copy = structuredClone(dataset)
    copy.persons[0]!.givenName = 'Ändrad'
    const b = stage(dbPath, 'b', datasetRecords(copy))
    // Every pair of persons keeps its id, so a group's references need no translation: its sha256 tells.
    for (const group of dataset.groups) corrupt(b.batch, 'Group', group.id)
    const result = await diff({dbPath, left, right, match: {by: 'civicNo'}})
    expect(result.entities.Person).toMatchObject({changed: 1, same: 33, fields: {givenName: 1}})
    expect(result.entities.Group).toMatchObject({changed: 0, same: dataset.groups.length})
  })
})

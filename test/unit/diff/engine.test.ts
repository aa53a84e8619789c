import {readdirSync} from 'node:fs'
import {writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {diff, diffExitCode, type DiffOptions, openDiff} from '../../../src/diff/engine.js'
import {InvalidDataError, UsageError} from '../../../src/errors.js'
import type {Person} from '../../../src/schema/model.js'
import {getModel} from '../../../src/schema/validators.js'
import {makeCivicNumber} from '../../../src/validation/identity.js'
import {referenceExtractor} from '../../../src/validation/references.js'
import {makeTempDir} from '../../support/cli.js'
import {type Dataset, writeDataset} from '../../support/fictional.js'
import {
  datasetRecords as fullDatasetRecords,
  FULL_DATASET_COLLECTIONS,
  fullDataset,
  writeFullDataset,
} from '../../support/full-dataset.js'
import {datasetRecords, smallDataset, stage} from './fixtures.js'

let temp: {dir: string; cleanup: () => Promise<void>}
let dbPath: string
beforeEach(async () => {
  temp = await makeTempDir('ss12000-diff-')
  dbPath = join(temp.dir, 'ss12000.db')
})
afterEach(async () => {
  await temp.cleanup()
})

const staged: DiffOptions['left'] = {kind: 'staged'}
const files = (dir: string): DiffOptions['right'] => ({kind: 'path', path: dir})

/** Writes a dataset as `<collection>.json` files into a new directory under the test's temp dir. */
async function writeSide(name: string, dataset: Dataset): Promise<string> {
  const dir = join(temp.dir, name)
  await writeDataset(dir, dataset)
  return dir
}

/** The dataset with controlled changes: 3 persons changed, 2 removed, 1 added. */
function changed(dataset: Dataset) {
  const copy = structuredClone(dataset)
  const [first, second, third, fourth, fifth] = copy.persons as [Person, Person, Person, Person, Person]
  first.givenName = 'Ändrad'
  second.emails = [{value: 'ny.adress@exempelby.example', type: 'Privat'}]
  third.enrolments = third.enrolments!.map((enrolment) => ({...enrolment, schoolYear: 9}))
  copy.persons = copy.persons.filter((person) => person !== fourth && person !== fifth)
  const added: Person = {
    ...structuredClone(first),
    id: '00000000-0000-4000-8000-000000000001',
    givenName: 'Ny',
    civicNo: {value: makeCivicNumber('2012-03-04', 55)},
    eduPersonPrincipalNames: ['ny.elev@exempelby.example'],
  }
  copy.persons.push(added)
  return {copy, first, second, third, fourth, fifth, added}
}

describe('diff', () => {
  it('finds nothing between a staged scope and the files it was staged from: exit 0', async () => {
    const dataset = smallDataset()
    stage(dbPath, 'se-generic', datasetRecords(dataset))
    const result = await diff({dbPath, left: staged, right: files(await writeSide('same', dataset))})
    expect(result.equal).toBe(true)
    expect(diffExitCode(result)).toBe(0)
    expect(result.details).toEqual([])
    expect(result.detailCount).toBe(0)
    expect(Object.keys(result.entities)).toEqual(['Organisation', 'Person', 'Group', 'Duty', 'Activity'])
    expect(result.entities.Person).toEqual({
      left: 34,
      right: 34,
      onlyLeft: 0,
      onlyRight: 0,
      changed: 0,
      same: 34,
      fields: {},
    })
    expect(result.left).toMatchObject({spec: 'staged', kind: 'staged', scope: 'se-generic', batch: 1})
    expect(result.right).toMatchObject({kind: 'path', records: {Person: 34, Organisation: 2}})
  })

  it('finds exactly 3 changed, 2 removed and 1 added person, with the fields that differ: exit 1', async () => {
    const dataset = smallDataset()
    stage(dbPath, 'se-generic', datasetRecords(dataset))
    const {copy, first, second, third, fourth, fifth, added} = changed(dataset)
    const result = await diff({dbPath, left: staged, right: files(await writeSide('changed', copy))})
    expect(result.equal).toBe(false)
    expect(diffExitCode(result)).toBe(1)
    expect(result.entities.Person).toEqual({
      left: 34,
      right: 33,
      onlyLeft: 2,
      onlyRight: 1,
      changed: 3,
      same: 29,
      fields: {givenName: 1, emails: 1, enrolments: 1},
    })
    for (const entity of ['Organisation', 'Group', 'Duty', 'Activity'] as const) {
      expect(result.entities[entity]).toMatchObject({onlyLeft: 0, onlyRight: 0, changed: 0})
    }
    const people = result.details.filter((detail) => detail.entity === 'Person')
    const changedIds = [first.id, second.id, third.id].sort()
    expect(people.map((detail) => [detail.kind, detail.leftId ?? detail.rightId])).toEqual([
      ...changedIds.map((id) => ['changed', id]),
      ...[fourth.id, fifth.id].sort().map((id) => ['only-left', id]),
      ['only-right', added.id],
    ])
    const byId = new Map(people.map((detail) => [detail.leftId ?? detail.rightId, detail]))
    expect(byId.get(first.id)).toMatchObject({
      leftId: first.id,
      rightId: first.id,
      label: `${dataset.persons.find((p) => p.id === first.id)!.givenName} ${first.familyName}`,
      changes: [{path: 'givenName', left: dataset.persons.find((p) => p.id === first.id)!.givenName, right: 'Ändrad'}],
    })
    const emails = byId.get(second.id)!.changes
    expect(emails.map((change) => change.path)).toEqual(['emails'])
    expect(emails[0]!.itemsOnlyRight).toEqual([{type: 'Privat', value: 'ny.adress@exempelby.example'}])
    expect(emails[0]!.itemsOnlyLeft).toHaveLength(1)
    expect(byId.get(third.id)!.changes.map((change) => change.path)).toEqual(['enrolments'])
    expect(byId.get(fourth.id)).toMatchObject({kind: 'only-left', changes: []})
    expect(byId.get(fourth.id)!.rightId).toBeUndefined()
    expect(byId.get(added.id)).toMatchObject({kind: 'only-right', label: `Ny ${first.familyName}`})
  })

  it('ignores meta, _embedded, array order, reference displayName and null or empty fields', async () => {
    const dataset = smallDataset()
    stage(dbPath, 'se-generic', datasetRecords(dataset))
    const copy = structuredClone(dataset) as unknown as Record<string, Array<Record<string, unknown>>>
    for (const person of copy.persons!) {
      person.meta = {created: '2026-01-01T00:00:00Z', modified: '2026-02-02T00:00:00Z'}
      person._embedded = {duties: []}
      person.middleName ??= null
      person.phoneNumbers ??= []
    }
    for (const group of copy.groups!) {
      const memberships = group.groupMemberships as Array<{person: Record<string, unknown>}>
      memberships.reverse()
      for (const membership of memberships) membership.person.displayName = 'Namn Namnsson'
      ;(group.organisation as Record<string, unknown>).displayName = 'Skolan'
    }
    for (const activity of copy.activities!) {
      ;(activity.teachers as Array<Record<string, unknown>>).reverse()
    }
    const result = await diff({
      dbPath,
      left: staged,
      right: files(await writeSide('reordered', copy as unknown as Dataset)),
    })
    expect(result.details).toEqual([])
    expect(result.equal).toBe(true)
  })

  it('finds every entity type of the full dataset equal to its files with named references and lists reversed', async () => {
    const dataset = fullDataset()
    stage(
      dbPath,
      'full',
      [...fullDatasetRecords(dataset)].map(({entity, file, value}) => ({
        entity,
        id: (value as {id: string}).id,
        value,
        file,
      })),
    )
    const model = getModel({profile: 'ss12000-2020', mode: 'response'})
    const other = structuredClone(dataset)
    let named = 0
    for (const {key, entity} of FULL_DATASET_COLLECTIONS) {
      const extract = referenceExtractor(model, entity)
      for (const record of other[key] as unknown as Array<Record<string, unknown>>) {
        for (const reference of extract(record)) {
          const target = reference.pointer
            .split('/')
            .slice(1)
            .reduce<unknown>((node, step) => (node as Record<string, unknown>)[step], record) as Record<string, unknown>
          target.displayName = `Namn på ${reference.id.slice(0, 8)}`
          named++
        }
        for (const value of Object.values(record)) if (Array.isArray(value)) value.reverse()
        record.meta = {created: '2026-01-01T00:00:00+01:00', modified: '2026-01-01T00:00:00+01:00'}
      }
    }
    expect(named).toBeGreaterThan(100)
    const dir = join(temp.dir, 'full')
    await writeFullDataset(dir, other)
    const result = await diff({dbPath, left: staged, right: files(dir)})
    expect(result.details).toEqual([])
    expect(Object.keys(result.entities)).toHaveLength(FULL_DATASET_COLLECTIONS.length)

    // A reference that points elsewhere is a difference, shown with the side's own values.
    const activity = other.activities[0]!
    activity.teachers![0]!.duty.id = other.duties.at(-1)!.id
    await writeFullDataset(dir, other)
    const changedActivity = await diff({dbPath, left: staged, right: files(dir)})
    expect(changedActivity.details).toHaveLength(1)
    expect(changedActivity.details[0]).toMatchObject({entity: 'Activity', leftId: activity.id})
    expect(changedActivity.details[0]!.changes.map((change) => change.path)).toEqual(['teachers'])
  })

  it('leaves out --ignore paths: a field, a field inside list items, a field of one entity type', async () => {
    const dataset = smallDataset()
    stage(dbPath, 'se-generic', datasetRecords(dataset))
    const {copy} = changed(dataset)
    copy.groups[0]!.displayName = 'Omdöpt'
    const right = files(await writeSide('changed', copy))
    const ignored = await diff({dbPath, left: staged, right, ignore: ['givenName', 'emails', 'enrolments.schoolYear']})
    expect(ignored.entities.Person).toMatchObject({changed: 0, onlyLeft: 2, onlyRight: 1})
    expect(ignored.entities.Group).toMatchObject({changed: 1})
    expect(ignored.ignore).toEqual(['givenName', 'emails', 'enrolments.schoolYear'])

    const scoped = await diff({dbPath, left: staged, right, ignore: ['Group.displayName', 'Person.givenName']})
    expect(scoped.entities.Group).toMatchObject({changed: 0})
    expect(scoped.entities.Person).toMatchObject({changed: 2, fields: {emails: 1, enrolments: 1}})

    await expect(diff({dbPath, left: staged, right, ignore: ['emails..value']})).rejects.toThrow(UsageError)
    await expect(diff({dbPath, left: staged, right, ignore: ['Person']})).rejects.toThrow(/entity type/)
  })

  it('compares the state after a batch with what is staged now (batch:N vs staged)', async () => {
    const dataset = smallDataset()
    stage(dbPath, 'se-generic', datasetRecords(dataset))
    const {copy, first, fourth} = changed(dataset)
    stage(dbPath, 'se-generic', datasetRecords(copy))
    const before = await diff({dbPath, left: {kind: 'batch', batch: 1}, right: staged})
    expect(before.left).toMatchObject({spec: 'batch:1', scope: 'se-generic', batch: 1})
    expect(before.left.description).toContain('right after batch 1')
    expect(before.right).toMatchObject({batch: 2})
    expect(before.entities.Person).toMatchObject({left: 34, right: 33, changed: 3, onlyLeft: 2, onlyRight: 1})
    expect(before.details.find((detail) => detail.leftId === first.id)!.changes[0]).toMatchObject({
      path: 'givenName',
      right: 'Ändrad',
    })
    expect(before.details.some((detail) => detail.kind === 'only-left' && detail.leftId === fourth.id)).toBe(true)

    const now = await diff({dbPath, left: {kind: 'batch', batch: 2}, right: staged})
    expect(now.equal).toBe(true)
    await expect(diff({dbPath, left: {kind: 'batch', batch: 9}, right: staged})).rejects.toThrow(/no batch 9/)
  })

  it('reads snapshot scopes and batches, and staged without a scope means the import scope', async () => {
    const dataset = smallDataset()
    stage(dbPath, 'se-generic', datasetRecords(dataset))
    const {copy} = changed(dataset)
    stage(dbPath, 'https://api.example/v2', datasetRecords(copy), {kind: 'snapshot', source: 'https://api.example/v2'})
    const result = await diff({dbPath, left: staged, right: {kind: 'snapshot', scope: 'https://api.example/v2'}})
    expect(result.left.scope).toBe('se-generic')
    expect(result.right).toMatchObject({kind: 'snapshot', batch: 2, source: 'https://api.example/v2'})
    expect(result.entities.Person).toMatchObject({changed: 3, onlyLeft: 2, onlyRight: 1})

    const byBatch = await diff({dbPath, left: {kind: 'snapshot-batch', batch: 2}, right: staged})
    expect(byBatch.entities.Person).toMatchObject({changed: 3, onlyLeft: 1, onlyRight: 2})

    await expect(diff({dbPath, left: {kind: 'snapshot', scope: 'se-generic'}, right: staged})).rejects.toThrow(
      /holds imports/,
    )
    await expect(diff({dbPath, left: {kind: 'snapshot-batch', batch: 1}, right: staged})).rejects.toThrow(
      /is an import/,
    )
    await expect(diff({dbPath, left: {kind: 'staged', scope: 'nope'}, right: staged})).rejects.toThrow(UsageError)
  })

  it('reads a side from another staging database (a temporary snapshot a URL was pulled into)', async () => {
    const dataset = smallDataset()
    stage(dbPath, 'se-generic', datasetRecords(dataset))
    const pulled = join(temp.dir, 'pulled.db')
    const {copy} = changed(dataset)
    stage(pulled, 'https://api.example/v2', datasetRecords(copy), {kind: 'snapshot', source: 'https://api.example/v2'})
    const result = await diff({
      dbPath,
      left: staged,
      right: {kind: 'snapshot', scope: 'https://api.example/v2', db: pulled},
    })
    expect(result.right.description).toContain(pulled)
    expect(result.entities.Person).toMatchObject({changed: 3, onlyLeft: 2, onlyRight: 1})
    expect(result.details.find((detail) => detail.kind === 'changed')!.changes).not.toEqual([])
  })

  it('compares two paths without a staging database', async () => {
    const dataset = smallDataset()
    const {copy} = changed(dataset)
    const result = await diff({
      dbPath: join(temp.dir, 'none.db'),
      left: files(await writeSide('left', dataset)),
      right: files(await writeSide('right', copy)),
    })
    expect(result.entities.Person).toMatchObject({changed: 3, onlyLeft: 2, onlyRight: 1})
    expect(readdirSync(temp.dir)).not.toContain('none.db')
  })

  it('limits the comparison to --entities', async () => {
    const dataset = smallDataset()
    stage(dbPath, 'se-generic', datasetRecords(dataset))
    const {copy} = changed(dataset)
    const result = await diff({dbPath, left: staged, right: files(await writeSide('c', copy)), entities: ['Group']})
    expect(Object.keys(result.entities)).toEqual(['Group'])
    expect(result.equal).toBe(true)
  })

  it('warns about duplicate ids and untyped records in files; refuses a file that is not JSON', async () => {
    const dir = join(temp.dir, 'odd')
    const dataset = smallDataset()
    await writeDataset(dir, {...dataset, persons: [...dataset.persons, dataset.persons[0]!]})
    await writeFile(join(dir, 'misc.json'), JSON.stringify([{id: 'x'}]))
    const result = await diff({dbPath, left: files(dir), right: files(await writeSide('plain', dataset))})
    expect(result.equal).toBe(true)
    expect(result.warnings).toEqual([
      expect.stringMatching(/^left side: .*1 item\(s\) of no known entity type/),
      'left side: 1 Person record(s) with an id seen before skipped; the first with each id is compared.',
    ])

    await writeFile(join(dir, 'persons.json'), '[{"id": "a", ')
    await expect(diff({dbPath, left: files(dir), right: files(dir)})).rejects.toThrow(InvalidDataError)
    await expect(diff({dbPath, left: files(join(temp.dir, 'nowhere')), right: files(dir)})).rejects.toThrow(
      /No such file or directory/,
    )
  })

  it('streams details from an open diff and removes its scratch database when closed', async () => {
    const dataset = smallDataset()
    const {copy} = changed(dataset)
    const work = join(temp.dir, 'work')
    await writeDataset(work, {organisations: [], persons: [], groups: [], duties: [], activities: []})
    const run = await openDiff({
      dbPath,
      left: files(await writeSide('left', dataset)),
      right: files(await writeSide('right', copy)),
      workDir: work,
    })
    expect(readdirSync(work).filter((name) => name.startsWith('ss12000-diff-'))).toHaveLength(1)
    const kinds = [...run.details()].map((detail) => detail.kind)
    expect(kinds).toEqual(['changed', 'changed', 'changed', 'only-left', 'only-left', 'only-right'])
    expect(run.summary.detailCount).toBe(6)
    run.close()
    expect(readdirSync(work).filter((name) => name.startsWith('ss12000-diff-'))).toEqual([])
  })
})

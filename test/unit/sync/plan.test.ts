import {describe, expect, it} from 'vitest'

import {UsageError} from '../../../src/errors.js'
import type {EntityName} from '../../../src/schema/entity-names.js'
import {
  checkLimits,
  chunkPlan,
  DEFAULT_MAX_DELETE,
  type DesiredRecord,
  makePlan,
  parseLimit,
  type PlanInput,
  planHash,
} from '../../../src/sync/plan.js'

const WRITABLE: EntityName[] = ['Organisation', 'Person', 'Duty', 'Group', 'Activity']
const target = {url: 'http://127.0.0.1:1/v2.0', adapter: 'skolverket-ingest', scope: 'skolan'}

function input(
  desired: DesiredRecord[],
  known: Record<string, string> = {},
  extra: Partial<PlanInput> = {},
): PlanInput {
  return {
    target,
    stagedBatch: 7,
    partial: false,
    writable: WRITABLE,
    desired,
    known: new Map(Object.entries(known)),
    uncertain: new Set(),
    ...extra,
  }
}

const record = (entity: EntityName, id: string, sha256 = `sha-${id}`, sameType?: string[]): DesiredRecord => ({
  entity,
  id,
  sha256,
  ...(sameType === undefined ? {} : {sameType}),
})

const summary = (plan: ReturnType<typeof makePlan>) =>
  plan.actions.map((action) => `${action.kind} ${action.entity} ${action.id}`)

describe('makePlan', () => {
  it('creates what the target lacks, updates what it holds in another version, leaves the rest, deletes the gone', () => {
    const plan = makePlan(
      input(
        [record('Person', 'p1'), record('Person', 'p2', 'new'), record('Person', 'p3'), record('Organisation', 'o1')],
        {'Person/p2': 'old', 'Person/p3': 'sha-p3', 'Person/p4': 'sha-p4', 'Organisation/o1': 'sha-o1'},
      ),
    )
    expect(summary(plan)).toEqual(['create Person p1', 'update Person p2', 'delete Person p4'])
    expect(plan.entities.Person).toEqual({create: 1, update: 1, upsert: 0, delete: 1, unchanged: 1, known: 3})
    expect(plan.entities.Organisation).toEqual({create: 0, update: 0, upsert: 0, delete: 0, unchanged: 1, known: 1})
    expect(plan.actions.find((action) => action.id === 'p2')?.sha256).toBe('new')
  })

  it('goes organisations → persons → duties, groups → activities, and deletes in the reverse order', () => {
    const plan = makePlan(
      input(
        [
          record('Activity', 'a1'),
          record('Group', 'g1'),
          record('Person', 'p1'),
          record('Organisation', 'o1'),
          record('Duty', 'd1'),
        ],
        {'Activity/a0': 'x', 'Organisation/o0': 'x', 'Person/p0': 'x', 'Group/g0': 'x'},
      ),
    )
    expect(summary(plan)).toEqual([
      'create Organisation o1',
      'create Person p1',
      'create Duty d1',
      'create Group g1',
      'create Activity a1',
      'delete Activity a0',
      'delete Group g0',
      'delete Person p0',
      'delete Organisation o0',
    ])
  })

  it('upserts what went out without an answer, and deletes it when it is no longer staged', () => {
    const plan = makePlan(
      input(
        [record('Person', 'p1'), record('Person', 'p2')],
        {'Person/p2': 'sha-p2'},
        {uncertain: new Set(['Person/p1', 'Person/p9'])},
      ),
    )
    expect(summary(plan)).toEqual(['upsert Person p1', 'delete Person p9'])
  })

  it('never deletes from a partial batch', () => {
    const plan = makePlan(input([record('Person', 'p1')], {'Person/p1': 'sha-p1', 'Person/p2': 'x'}, {partial: true}))
    expect(plan.actions).toEqual([])
    expect(plan.entities.Person?.delete).toBe(0)
  })

  it('lists what the adapter cannot write, and leaves types not asked for alone', () => {
    const plan = makePlan(
      input(
        [record('Placement', 'x1'), record('Placement', 'x2'), record('Person', 'p1'), record('Group', 'g1')],
        {
          'Group/g0': 'x',
        },
        {only: ['Person', 'Placement']},
      ),
    )
    expect(plan.unsupported).toEqual({Placement: 2})
    expect(summary(plan)).toEqual(['create Person p1'])
    expect(Object.keys(plan.entities)).toEqual(['Person'])
  })

  it('creates a parent organisation before its units, and deletes it after them', () => {
    const created = makePlan(
      input(
        [
          record('Organisation', 'unit-b', 'x', ['school']),
          record('Organisation', 'school', 'x', ['owner']),
          record('Organisation', 'owner'),
          record('Organisation', 'unit-a', 'x', ['school']),
          // A parent the target already holds and that is not sent: no order needed.
          record('Organisation', 'other', 'x', ['held']),
          record('Organisation', 'held', 'y'),
        ],
        {'Organisation/held': 'y'},
      ),
    )
    expect(created.actions.map((action) => [action.id, action.layer])).toEqual([
      ['other', 0],
      ['owner', 0],
      ['school', 1],
      ['unit-a', 2],
      ['unit-b', 2],
    ])
    const deleted = makePlan(
      input(
        [],
        {'Organisation/owner': 'x', 'Organisation/school': 'x', 'Organisation/unit': 'x'},
        {
          knownSameType: new Map([
            ['Organisation/school', ['owner']],
            ['Organisation/unit', ['school']],
          ]),
          // Deleting all of them is over the default limit, but the plan itself only orders.
        },
      ),
    )
    expect(summary(deleted)).toEqual([
      'delete Organisation unit',
      'delete Organisation school',
      'delete Organisation owner',
    ])
  })

  it('puts records in a reference cycle together in one layer after the others', () => {
    const plan = makePlan(
      input([
        record('Person', 'child', 'x', ['mother']),
        record('Person', 'mother', 'x', ['father']),
        record('Person', 'father', 'x', ['mother']),
        record('Person', 'single'),
      ]),
    )
    const layers = Object.fromEntries(
      plan.actions.map((action) => [action.id, [action.layer, action.together ?? false]]),
    )
    expect(layers.single).toEqual([0, false])
    expect(layers.mother).toEqual([layers.father![0], true])
    expect(layers.child![1]).toBe(true)
    expect(chunkPlan(plan.actions, 1).map((chunk) => chunk.actions.map((action) => action.id))).toEqual([
      ['single'],
      ['child', 'father', 'mother'],
    ])
  })

  it('has a hash that changes with any record version, and stays for the same input', () => {
    const desired = [record('Person', 'p1'), record('Person', 'p2')]
    const first = planHash(makePlan(input(desired)))
    expect(planHash(makePlan(input([...desired].reverse())))).toBe(first)
    expect(planHash(makePlan(input([record('Person', 'p1'), record('Person', 'p2', 'changed')])))).not.toBe(first)
    expect(planHash(makePlan(input(desired, {}, {stagedBatch: 8})))).not.toBe(first)
  })
})

describe('limits', () => {
  const deleting = (held: number, deletes: number) =>
    makePlan(
      input(
        Array.from({length: held - deletes}, (_, index) => record('Person', `p${index}`)),
        Object.fromEntries(Array.from({length: held}, (_, index) => [`Person/p${index}`, `sha-p${index}`])),
      ),
    )

  it('by default allows deleting 5 % and at most 50 records of a type', () => {
    const limits = {maxDelete: DEFAULT_MAX_DELETE, maxChange: []}
    expect(checkLimits(deleting(100, 5), limits)).toEqual([])
    expect(checkLimits(deleting(100, 6), limits)).toEqual([
      {entity: 'Person', what: 'delete', count: 6, known: 100, limit: {percent: 5}},
    ])
    expect(checkLimits(deleting(2000, 50), limits)).toEqual([])
    expect(checkLimits(deleting(2000, 51), limits)).toEqual([
      {entity: 'Person', what: 'delete', count: 51, known: 2000, limit: {records: 50}},
    ])
  })

  it('takes a number or a share, and limits changes when asked', () => {
    expect(checkLimits(deleting(100, 30), {maxDelete: [parseLimit('30%', '--max-delete')], maxChange: []})).toEqual([])
    expect(checkLimits(deleting(100, 30), {maxDelete: [parseLimit('29', '--max-delete')], maxChange: []})).toHaveLength(
      1,
    )
    const changed = makePlan(
      input([record('Person', 'p1', 'new'), record('Person', 'p2')], {'Person/p1': 'old', 'Person/p2': 'sha-p2'}),
    )
    expect(checkLimits(changed, {maxDelete: [], maxChange: [parseLimit('10%', '--max-change')]})).toEqual([
      {entity: 'Person', what: 'change', count: 1, known: 2, limit: {percent: 10}},
    ])
  })

  it('refuses limits it cannot read', () => {
    for (const bad of ['', 'five', '5 %%', '-1', '150%', '2.5']) {
      expect(() => parseLimit(bad, '--max-delete')).toThrow(UsageError)
    }
    expect(parseLimit(' 2.5% ', '--max-delete')).toEqual({percent: 2.5})
  })
})

describe('chunkPlan', () => {
  it('cuts runs of one type, kind and layer into chunks of the size given', () => {
    const plan = makePlan(
      input([...Array.from({length: 5}, (_, index) => record('Person', `p${index}`)), record('Person', 'q', 'new')], {
        'Person/q': 'old',
      }),
    )
    expect(chunkPlan(plan.actions, 2).map((chunk) => [chunk.kind, chunk.actions.length])).toEqual([
      ['create', 2],
      ['create', 2],
      ['create', 1],
      ['update', 1],
    ])
  })
})

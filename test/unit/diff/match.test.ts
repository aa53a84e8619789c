import {join} from 'node:path'

import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {diff, type DiffOptions} from '../../../src/diff/engine.js'
import {formatMatchSpec, keyMatch, parseMatchSpec} from '../../../src/diff/match.js'
import {UsageError} from '../../../src/errors.js'
import {makeTempDir, writeFiles} from '../../support/cli.js'
import {type Dataset, writeDataset} from '../../support/fictional.js'
import {datasetRecords, smallDataset, stage} from './fixtures.js'

let temp: {dir: string; cleanup: () => Promise<void>}
let dbPath: string
beforeEach(async () => {
  temp = await makeTempDir('ss12000-diff-match-')
  dbPath = join(temp.dir, 'ss12000.db')
})
afterEach(async () => {
  await temp.cleanup()
})

/** The dataset as another system would hold it: every id of the given records replaced by a new one. */
function renumbered(dataset: Dataset, records: Array<{id: string}>): {copy: Dataset; ids: Map<string, string>} {
  const ids = new Map(
    records.map((record, index) => [record.id, `99999999-0000-4000-8000-${String(index).padStart(12, '0')}`]),
  )
  let text = JSON.stringify(dataset)
  for (const [from, to] of ids) text = text.replaceAll(from, to)
  return {copy: JSON.parse(text) as Dataset, ids}
}

async function writeSide(name: string, dataset: Dataset): Promise<DiffOptions['right']> {
  const dir = join(temp.dir, name)
  await writeDataset(dir, dataset)
  return {kind: 'path', path: dir}
}

describe('parseMatchSpec', () => {
  it.each([
    {input: 'id', expected: {by: 'id'}},
    {input: 'civicNo', expected: {by: 'civicNo'}},
    {input: 'eppn', expected: {by: 'eppn'}},
    {input: 'schoolUnitCode', expected: {by: 'schoolUnitCode'}},
    {input: 'externalIdentifier', expected: {by: 'externalIdentifier'}},
    {input: 'externalIdentifier:urn:x:elevid', expected: {by: 'externalIdentifier', context: 'urn:x:elevid'}},
  ])('reads $input', ({input, expected}) => {
    expect(parseMatchSpec(input)).toEqual(expected)
    expect(formatMatchSpec(parseMatchSpec(input))).toBe(input)
  })

  it.each(['civicno', 'name', 'civicNo:x', 'externalIdentifier:', ''])('refuses %j', (input) => {
    expect(() => parseMatchSpec(input)).toThrow(UsageError)
  })

  it('finds keys: civicNo without its dash, eppn in lower case, externalIdentifier of one context', () => {
    const person = {
      civicNo: {value: '20110407-1234'},
      eduPersonPrincipalNames: ['Alva.Ek@Skolan.example', 'alva.ek@skolan.example', 'ae@other.example'],
      externalIdentifiers: [
        {value: 'E1', context: 'urn:a', globallyUnique: false},
        {value: 'E2', context: 'urn:b', globallyUnique: true},
      ],
    }
    expect(keyMatch({by: 'civicNo'})!.keys(person)).toEqual(['201104071234'])
    expect(keyMatch({by: 'eppn'})!.keys(person)).toEqual(['alva.ek@skolan.example', 'ae@other.example'])
    expect(keyMatch({by: 'externalIdentifier'})!.keys(person)).toEqual(['E1', 'E2'])
    expect(keyMatch({by: 'externalIdentifier', context: 'urn:b'})!.keys(person)).toEqual(['E2'])
    expect(keyMatch({by: 'schoolUnitCode'})!.keys({schoolUnitCode: ' 12345678 '})).toEqual(['12345678'])
    expect(keyMatch({by: 'civicNo'})!.keys({civicNo: {value: ''}})).toEqual([])
    expect(keyMatch({by: 'id'})).toBeUndefined()
  })
})

describe('diff --match civicNo', () => {
  it('pairs persons with other ids by personnummer, and compares references to them through the pairs', async () => {
    const dataset = smallDataset()
    stage(dbPath, 'se-generic', datasetRecords(dataset))
    const {copy} = renumbered(dataset, dataset.persons)
    const result = await diff({
      dbPath,
      left: {kind: 'staged'},
      right: await writeSide('other', copy),
      match: {by: 'civicNo'},
    })
    expect(result.equal).toBe(true)
    expect(result.match).toBe('civicNo')
    expect(result.matchedEntity).toBe('Person')
    expect(result.entities.Person).toEqual({
      left: 34,
      right: 34,
      onlyLeft: 0,
      onlyRight: 0,
      changed: 0,
      same: 34,
      fields: {},
      match: {
        by: 'civicNo',
        matched: 34,
        ambiguousLeft: 0,
        ambiguousRight: 0,
        unmatchedLeft: 0,
        unmatchedRight: 0,
        withoutKeyLeft: 0,
        withoutKeyRight: 0,
      },
    })
    // Groups and duties keep their ids but refer to persons by the other system's ids: the pairs translate them.
    expect(result.entities.Group).toMatchObject({same: 5, changed: 0})
    expect(result.entities.Duty).toMatchObject({same: 4, changed: 0})

    // Matched by id instead, nothing pairs and every reference differs.
    const byId = await diff({dbPath, left: {kind: 'staged'}, right: await writeSide('other2', copy)})
    expect(byId.entities.Person).toMatchObject({onlyLeft: 34, onlyRight: 34})
    expect(byId.entities.Group).toMatchObject({changed: 5})
  })

  it('reports ambiguous and unmatched persons, masks keys and values, and --reveal shows them', async () => {
    const dataset = smallDataset()
    const persons = dataset.persons
    const [a, b, d] = [persons[20]!, persons[1]!, persons[11]!]
    const left = structuredClone(dataset)
    delete left.persons[1]!.civicNo // b: no key on the left
    stage(dbPath, 'se-generic', datasetRecords(left))
    const {copy, ids} = renumbered(dataset, persons)
    const at = (id: string) => copy.persons.find((person) => person.id === ids.get(id))!
    // a writes its personnummer with a dash: the same key, a different value.
    at(a.id).civicNo!.value = `${a.civicNo!.value.slice(0, 8)}-${a.civicNo!.value.slice(8)}`
    // A newcomer on the right with d's personnummer: d is ambiguous on both sides.
    copy.persons.push({
      ...structuredClone(persons[12]!),
      id: '88888888-0000-4000-8000-000000000000',
      civicNo: d.civicNo,
    })
    const right = await writeSide('other', copy)
    const result = await diff({dbPath, left: {kind: 'staged'}, right, match: {by: 'civicNo'}})

    expect(result.entities.Person).toEqual({
      left: 34,
      right: 35,
      onlyLeft: 1,
      onlyRight: 1,
      changed: 1,
      same: 31,
      fields: {civicNo: 1},
      match: {
        by: 'civicNo',
        matched: 32,
        ambiguousLeft: 1,
        ambiguousRight: 2,
        unmatchedLeft: 1,
        unmatchedRight: 1,
        withoutKeyLeft: 1,
        withoutKeyRight: 0,
      },
    })
    // Groups holding b or d refer to persons that did not pair: FA (b), 9A and Spanska åk 6–9 (d).
    expect(result.entities.Group).toMatchObject({changed: 3, same: 2, fields: {groupMemberships: 3}})
    expect(result.equal).toBe(false)

    const people = result.details.filter((detail) => detail.entity === 'Person')
    const masked = `${a.civicNo!.value.slice(0, 8)}-****`
    expect(people.map(({kind, leftId, rightId}) => ({kind, leftId, rightId}))).toEqual([
      {kind: 'changed', leftId: a.id, rightId: ids.get(a.id)},
      {kind: 'only-left', leftId: b.id, rightId: undefined},
      {kind: 'only-right', leftId: undefined, rightId: ids.get(b.id)},
      {kind: 'ambiguous-left', leftId: d.id, rightId: undefined},
      {kind: 'ambiguous-right', leftId: undefined, rightId: '88888888-0000-4000-8000-000000000000'},
      {kind: 'ambiguous-right', leftId: undefined, rightId: ids.get(d.id)},
    ])
    expect(people[0]).toMatchObject({key: masked, changes: [{path: 'civicNo.value', left: masked, right: masked}]})
    expect(people[1]!.key).toBeUndefined()
    expect(people[2]!.key).toBe(`${b.civicNo!.value.slice(0, 8)}-****`)
    expect(people[3]!.key).toBe(`${d.civicNo!.value.slice(0, 8)}-****`)
    expect(result.masked).toBe(true)
    // No personnummer anywhere in the masked result.
    expect(JSON.stringify(result)).not.toMatch(/(?<![0-9-])(19|20)[0-9]{6}-?[0-9]{4}(?![0-9])/)

    const revealed = await diff({dbPath, left: {kind: 'staged'}, right, match: {by: 'civicNo'}, reveal: true})
    expect(revealed.masked).toBe(false)
    expect(revealed.details[0]).toMatchObject({
      key: a.civicNo!.value,
      changes: [{path: 'civicNo.value', left: a.civicNo!.value, right: at(a.id).civicNo!.value}],
    })
  })

  it('masks personnummer in details when matching by id too', async () => {
    const dataset = smallDataset()
    stage(dbPath, 'se-generic', datasetRecords(dataset))
    const copy = structuredClone(dataset)
    const person = copy.persons[3]!
    const before = person.civicNo!.value
    person.civicNo!.value = `${before.slice(0, 8)}9999`
    person.emails = [{value: `${before}@exempelby.example`, type: 'Privat'}]
    const right = await writeSide('other', copy)
    const [detail] = (await diff({dbPath, left: {kind: 'staged'}, right})).details
    expect(detail!.changes.map((change) => [change.path, change.left, change.right])).toEqual([
      ['civicNo.value', `${before.slice(0, 8)}-****`, `${before.slice(0, 8)}-****`],
      [
        'emails',
        [{type: 'Skola elev', value: dataset.persons[3]!.emails![0]!.value}],
        [{type: 'Privat', value: `${before.slice(0, 8)}-****@exempelby.example`}],
      ],
    ])
    const [shown] = (await diff({dbPath, left: {kind: 'staged'}, right, reveal: true})).details
    expect(shown!.changes[0]).toEqual({path: 'civicNo.value', left: before, right: `${before.slice(0, 8)}9999`})
  })
})

describe('diff --match with duplicate ids in a file', () => {
  it('keeps the first record of an id, and only its keys', async () => {
    const person = (id: string, civic: string, givenName: string) => ({id, givenName, civicNo: {value: civic}})
    await writeFiles(temp.dir, {
      'persons.json': [person('L1', '201104071234', 'A'), person('L1', '201104071235', 'B')],
      'other.json': {persons: [person('R1', '201104071234', 'A'), person('R2', '201104071235', 'B')]},
    })
    const result = await diff({
      dbPath,
      left: {kind: 'path', path: join(temp.dir, 'persons.json')},
      right: {kind: 'path', path: join(temp.dir, 'other.json')},
      match: {by: 'civicNo'},
      reveal: true,
    })
    expect(result.entities.Person!.match).toMatchObject({matched: 1, ambiguousLeft: 0, unmatchedRight: 1})
    expect(result.details.map(({kind, leftId, rightId, key}) => ({kind, leftId, rightId, key}))).toEqual([
      {kind: 'only-right', leftId: undefined, rightId: 'R2', key: '201104071235'},
    ])
    expect(result.left.records).toEqual({Person: 1})
    expect(result.warnings).toEqual([
      'left side: 1 Person record(s) with an id seen before skipped; the first with each id is compared.',
    ])
  })
})

describe('diff --match eppn', () => {
  const person = (id: string, eppns?: string[]) => ({
    id,
    givenName: id,
    familyName: 'Test',
    ...(eppns === undefined ? {} : {eduPersonPrincipalNames: eppns}),
  })

  it('pairs when any principal name coincides (ignoring case) and nothing else does; the rest is ambiguous or unmatched', async () => {
    const left = [
      person('L1', ['a@x.example', 'b@x.example']),
      person('L2', ['c@x.example']),
      person('L3', ['d@x.example']),
      person('L4', ['e@x.example']),
      person('L5', ['f@x.example']),
      person('L6'),
      person('L7', ['g@x.example']),
    ]
    const right = [
      person('R1', ['B@X.example']),
      person('R2', ['c@x.example', 'z@x.example']),
      person('R3', ['d@x.example']),
      person('R3b', ['d@x.example']),
      person('R4', ['e@x.example']),
      person('R5', ['f@x.example', 'e@x.example']),
      person('R7', ['h@x.example']),
    ]
    await writeFiles(temp.dir, {'left.json': {persons: left}, 'right.json': {persons: right}})
    const result = await diff({
      dbPath,
      left: {kind: 'path', path: join(temp.dir, 'left.json')},
      right: {kind: 'path', path: join(temp.dir, 'right.json')},
      match: {by: 'eppn'},
    })
    expect(result.entities.Person!.match).toEqual({
      by: 'eppn',
      matched: 2,
      ambiguousLeft: 3,
      ambiguousRight: 4,
      unmatchedLeft: 2,
      unmatchedRight: 1,
      withoutKeyLeft: 1,
      withoutKeyRight: 0,
    })
    const pairs = result.details
      .filter((detail) => detail.kind === 'changed')
      .map(({leftId, rightId, key}) => ({leftId, rightId, key}))
    expect(pairs).toEqual([
      {leftId: 'L1', rightId: 'R1', key: 'b@x.example'},
      {leftId: 'L2', rightId: 'R2', key: 'c@x.example'},
    ])
    const kinds = (kind: string) =>
      result.details.filter((detail) => detail.kind === kind).map((detail) => detail.leftId ?? detail.rightId)
    expect(kinds('ambiguous-left')).toEqual(['L3', 'L4', 'L5'])
    expect(kinds('ambiguous-right')).toEqual(['R3', 'R3b', 'R4', 'R5'])
    expect(kinds('only-left')).toEqual(['L6', 'L7'])
    expect(kinds('only-right')).toEqual(['R7'])
  })
})

describe('diff --match schoolUnitCode and externalIdentifier', () => {
  it('pairs school units by code, and references to them (enrolments, groups, duties) through the pairs', async () => {
    const dataset = smallDataset()
    stage(dbPath, 'se-generic', datasetRecords(dataset))
    const {copy} = renumbered(dataset, dataset.organisations)
    const right = await writeSide('other', copy)
    const result = await diff({dbPath, left: {kind: 'staged'}, right, match: {by: 'schoolUnitCode'}})
    expect(result.equal).toBe(true)
    expect(result.entities.Organisation!.match).toMatchObject({matched: 2})
    expect(result.entities.Person).toMatchObject({same: 34})
  })

  it('pairs persons by an external identifier, of one context when asked', async () => {
    const identifiers = (school: string, national: string) => [
      {value: school, context: 'urn:skola', globallyUnique: false},
      {value: national, context: 'urn:nationell', globallyUnique: true},
    ]
    const left = [
      {id: 'L1', givenName: 'A', externalIdentifiers: identifiers('1', 'N1')},
      {id: 'L2', givenName: 'B', externalIdentifiers: identifiers('2', 'N2')},
    ]
    const right = [
      {id: 'R1', givenName: 'A', externalIdentifiers: identifiers('2', 'N1')},
      {id: 'R2', givenName: 'B', externalIdentifiers: identifiers('1', 'N2')},
    ]
    await writeFiles(temp.dir, {'persons.json': left, 'other.json': {persons: right}})
    const sides = {
      dbPath,
      left: {kind: 'path', path: join(temp.dir, 'persons.json')},
      right: {kind: 'path', path: join(temp.dir, 'other.json')},
    } as const
    const national = await diff({...sides, match: {by: 'externalIdentifier', context: 'urn:nationell'}})
    expect(national.entities.Person!.match).toMatchObject({matched: 2})
    expect(national.details.map(({leftId, rightId}) => `${leftId}-${rightId}`)).toEqual(['L1-R1', 'L2-R2'])
    const school = await diff({...sides, match: {by: 'externalIdentifier', context: 'urn:skola'}})
    expect(school.details.map(({leftId, rightId}) => `${leftId}-${rightId}`)).toEqual(['L1-R2', 'L2-R1'])
    // Any context: each left person shares a value with both right persons.
    const any = await diff({...sides, match: {by: 'externalIdentifier'}})
    expect(any.entities.Person!.match).toMatchObject({matched: 0, ambiguousLeft: 2, ambiguousRight: 2})
  })
})

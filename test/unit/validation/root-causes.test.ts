import {describe, expect, it} from 'vitest'

import {renderIssuesWithRootCauses} from '../../../src/report/root-causes-text.js'
import {IssueCollector} from '../../../src/validation/issue-groups.js'
import {type IssueCause, makeIssue} from '../../../src/validation/issue.js'

const UNIT = '0b8a2f4e-1c3d-4e5f-8a9b-0c1d2e3f4a50'
const OTHER_UNIT = '0b8a2f4e-1c3d-4e5f-8a9b-0c1d2e3f4a51'

const id = (prefix: number, index: number) => `${prefix}0000000-0000-4000-8000-${String(index).padStart(12, '0')}`

function unresolved(entity: 'Person' | 'Group' | 'Duty', holder: string, target: string, line: number) {
  const field = entity === 'Person' ? 'Person.enrolments[].enroledAt' : `${entity}.organisation`
  return makeIssue(
    'ref.unresolved',
    {field, target: 'Organisation'},
    {
      entity,
      id: holder,
      source: {file: `${entity}.json`, line, column: 5},
      field,
      value: target,
      cause: {target: 'Organisation', id: target},
    },
    false,
  )
}

function refused(entity: 'Group' | 'Duty' | 'Person', holder: string, cause: IssueCause, line: number) {
  const field = `${entity}.link`
  return makeIssue(
    'mapping.rejected-reference',
    {field, target: cause.target, entity},
    {entity, id: holder, source: {file: `${entity}.json`, line}, field, cause},
    false,
  )
}

describe('root causes', () => {
  it('reports one missing unit that hundreds of records point to as one cause, with its count and where', () => {
    const collector = new IssueCollector(false)
    for (let index = 0; index < 300; index++) collector.add(unresolved('Person', id(1, index), UNIT, 10 + index))
    for (let index = 0; index < 200; index++) collector.add(unresolved('Group', id(2, index), UNIT, 10 + index))
    const schema = makeIssue('schema.required', {entity: 'Person', field: 'givenName'}, {entity: 'Person'}, false)
    collector.add(schema)
    const {rootCauses, groups} = collector.rootCauses()
    expect(rootCauses).toHaveLength(1)
    const [cause] = rootCauses
    expect(cause).toMatchObject({kind: 'missing', target: 'Organisation', id: UNIT, count: 500, errors: 500})
    expect(cause!.first[0]).toMatchObject({
      source: {file: 'Person.json', line: 10},
      field: 'Person.enrolments[].enroledAt',
    })
    expect(cause!.dependents.map((group) => [group.code, group.count])).toEqual([
      ['ref.unresolved', 300],
      ['ref.unresolved', 200],
    ])
    // The unexplained issue stays an ordinary group; the collector's full groups are unchanged.
    expect(groups.map((group) => [group.code, group.count])).toEqual([['schema.required', 1]])
    expect(collector.groups().reduce((sum, group) => sum + group.count, 0)).toBe(501)

    const text = renderIssuesWithRootCauses(collector.groups(), collector, rootCauses, groups).join('\n')
    expect(text).toContain('501 errors, 0 warnings. 1 root cause explains 500 of 501 errors:')
    expect(text).toContain(`● Organisation ${UNIT} is not in the input: 500 errors depend on it`)
    expect(text.indexOf('● Organisation')).toBeLessThan(text.indexOf('Other issues (1):'))
  })

  it('gives one cause per missing target, and leaves a single failed reference an ordinary group', () => {
    const collector = new IssueCollector(false)
    for (let index = 0; index < 3; index++) collector.add(unresolved('Duty', id(3, index), UNIT, index + 1))
    collector.add(unresolved('Duty', id(3, 9), OTHER_UNIT, 20))
    const lookup = (line: number) =>
      makeIssue(
        'mapping.lookup-missing',
        {target: 'Duty', lookup: 'signature'},
        {
          entity: 'Activity',
          source: {file: 'grupper.csv', line, column: 5},
          value: 'XYZ 33284873',
          cause: {target: 'Duty', key: 'signature XYZ 33284873'},
        },
        false,
      )
    collector.add(lookup(2))
    collector.add(lookup(3))
    const {rootCauses, groups} = collector.rootCauses()
    expect(rootCauses.map((cause) => [cause.target, cause.id ?? cause.key, cause.count])).toEqual([
      ['Organisation', UNIT, 3],
      ['Duty', 'signature XYZ 33284873', 2],
    ])
    // The one reference to the other unit is not hoisted: it stays in its group, with its place.
    expect(groups).toHaveLength(1)
    expect(groups[0]).toMatchObject({code: 'ref.unresolved', count: 1})
    expect(groups[0]!.first.map((place) => place.value)).toEqual([OTHER_UNIT])
  })

  it('makes an invalid record the cause of what is refused because of it, through a cascade', () => {
    const collector = new IssueCollector(false)
    const own = makeIssue(
      'identity.organisation-number.checksum',
      {},
      {
        entity: 'Organisation',
        id: UNIT,
        source: {file: 'organisations.json', line: 7, column: 27},
        path: '/organisationNumber',
        value: '"212000-9175"',
      },
      false,
    )
    collector.add(own)
    // A refers to the unit (B), C refers to a B: both under the unit.
    for (let index = 0; index < 4; index++)
      collector.add(refused('Group', id(4, index), {target: 'Organisation', id: UNIT}, index))
    collector.add(refused('Duty', id(5, 0), {target: 'Group', id: id(4, 0)}, 50))
    collector.add(refused('Duty', id(5, 1), {target: 'Group', id: id(4, 1)}, 51))
    const {rootCauses, groups} = collector.rootCauses()
    expect(rootCauses).toHaveLength(1)
    expect(rootCauses[0]).toMatchObject({
      kind: 'invalid',
      target: 'Organisation',
      id: UNIT,
      count: 6,
      issue: {code: 'identity.organisation-number.checksum', place: {source: {file: 'organisations.json', line: 7}}},
    })
    expect(rootCauses[0]!.dependents.map((group) => group.count)).toEqual([4, 2])
    // The cause's own issue is shown as the cause, so nothing is left over.
    expect(groups).toEqual([])
  })

  it('puts rows rejected while mapping at the root of what refers to what they would have made', () => {
    const collector = new IssueCollector(false)
    const row = makeIssue(
      'transform.civic-no.checksum',
      {},
      {entity: 'Person', source: {file: 'elever.csv', line: 4, column: 1}},
      false,
    )
    collector.add(row)
    collector.blame(id(6, 0), row)
    collector.add(refused('Group', id(7, 0), {target: 'Person', id: id(6, 0)}, 9))
    const {rootCauses, groups} = collector.rootCauses()
    expect(rootCauses).toHaveLength(1)
    expect(rootCauses[0]).toMatchObject({
      kind: 'invalid',
      target: 'Person',
      count: 1,
      issue: {code: 'transform.civic-no.checksum'},
    })
    expect(groups).toEqual([])
  })

  it('keeps what it does not explain, and a partly explained group keeps its other places', () => {
    const collector = new IssueCollector(false)
    collector.add(unresolved('Group', id(8, 0), OTHER_UNIT, 1))
    collector.add(unresolved('Group', id(8, 1), UNIT, 2))
    collector.add(unresolved('Group', id(8, 2), UNIT, 3))
    const {rootCauses, groups} = collector.rootCauses()
    expect(rootCauses).toHaveLength(1)
    expect(groups[0]).toMatchObject({code: 'ref.unresolved', count: 1})
    expect(groups[0]!.first.map((place) => place.source?.line)).toEqual([1])
  })
})

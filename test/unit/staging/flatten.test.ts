import {describe, expect, it} from 'vitest'

import {buildModel} from '../../../src/schema/model.js'
import {PROFILES} from '../../../src/schema/profiles.js'
import {
  ColumnCollector,
  flattenRecord,
  type FlatValue,
  orderColumns,
  orderFields,
  type OrderingSchema,
  schemaFieldOrder,
} from '../../../src/staging/flatten.js'

const cells = (record: unknown) => Object.fromEntries(flattenRecord(record))

describe('flattenRecord', () => {
  const cases: Array<{name: string; input: unknown; expected: Record<string, FlatValue>}> = [
    {
      name: 'keeps scalars with their types, one column per leaf path',
      input: {id: 'p1', givenName: 'Alva', civicNo: {value: '201001012384', nationality: 'SE'}, schoolYear: 3},
      expected: {
        id: 'p1',
        givenName: 'Alva',
        'civicNo.value': '201001012384',
        'civicNo.nationality': 'SE',
        schoolYear: 3,
      },
    },
    {
      name: 'joins a list of values with "; "',
      input: {eduPersonPrincipalNames: ['alva@skola.example', 'alva.ek@skola.example']},
      expected: {eduPersonPrincipalNames: 'alva@skola.example; alva.ek@skola.example'},
    },
    {
      name: 'gives a list of objects one column per leaf, entries lined up per item',
      input: {
        emails: [
          {value: 'a@skola.example', type: 'Skola elev'},
          {value: 'b@hem.example'},
          {value: 'c@hem.example', type: 'Privat'},
        ],
      },
      expected: {
        'emails.value': 'a@skola.example; b@hem.example; c@hem.example',
        'emails.type': 'Skola elev; ; Privat',
      },
    },
    {
      name: 'follows nested objects inside list items',
      input: {
        groupMemberships: [
          {person: {id: 'p1'}, startDate: '2026-08-17'},
          {person: {id: 'p2'}, startDate: '2026-08-18', endDate: '2027-06-10'},
        ],
      },
      expected: {
        'groupMemberships.person.id': 'p1; p2',
        'groupMemberships.startDate': '2026-08-17; 2026-08-18',
        'groupMemberships.endDate': '; 2027-06-10',
      },
    },
    {
      name: 'joins lists inside list items with ", " so "; " still separates the outer items',
      input: {
        content: [
          {title: 'A', syllabuses: [{syllabus: {id: 's1'}}, {syllabus: {id: 's2'}}]},
          {title: 'B', syllabuses: [{syllabus: {id: 's3'}}]},
        ],
      },
      expected: {'content.title': 'A; B', 'content.syllabuses.syllabus.id': 's1, s2; s3'},
    },
    {
      name: 'writes booleans and numbers inside lists as text',
      input: {
        phoneNumbers: [
          {value: '070-1234567', mobile: true},
          {value: '08-123456', mobile: false},
        ],
        n: [1, 2],
      },
      expected: {'phoneNumbers.value': '070-1234567; 08-123456', 'phoneNumbers.mobile': 'true; false', n: '1; 2'},
    },
    {
      name: 'leaves out null, empty lists and empty objects',
      input: {id: 'x', middleName: null, emails: [], civicNo: {}},
      expected: {id: 'x'},
    },
  ]
  it.each(cases)('$name', ({input, expected}) => {
    expect(cells(input)).toEqual(expected)
  })

  it('hands every leaf to the leaf option before lists are joined, with its column', () => {
    const seen: string[] = []
    const result = flattenRecord(
      {
        civicNo: {value: '201001012384'},
        _embedded: {owners: [{civicNo: {value: '198001012381'}}, {civicNo: {value: '198202022384'}}]},
      },
      {
        leaf: (path, value) => {
          seen.push(path)
          return path.endsWith('civicNo.value') ? `${String(value).slice(0, 8)}-****` : value
        },
      },
    )
    expect(Object.fromEntries(result)).toEqual({
      'civicNo.value': '20100101-****',
      '_embedded.owners.civicNo.value': '19800101-****; 19820202-****',
    })
    expect(seen).toEqual(['civicNo.value', '_embedded.owners.civicNo.value', '_embedded.owners.civicNo.value'])
  })
})

const personOrder = () => {
  const model = buildModel(PROFILES['ss12000-2020'], 'response')
  return schemaFieldOrder(
    model.entities.Person as OrderingSchema,
    (ref) => model.definitions.get(ref.replace(/\.json$/, '')) as OrderingSchema | undefined,
  )
}

describe('orderColumns', () => {
  it('puts id first, then follows the schema level by level, unknown fields last and alphabetical', () => {
    const columns = [
      'emails.type',
      'zeta',
      'civicNo.nationality',
      'familyName',
      'emails.value',
      'alpha',
      'civicNo.value',
      'givenName',
      'id',
      'enrolments.enroledAt.id',
      'enrolments.schoolYear',
      'civicNo.extra',
    ]
    expect(orderColumns(columns, personOrder())).toEqual([
      'id',
      'givenName',
      'familyName',
      'civicNo.value',
      'civicNo.nationality',
      'civicNo.extra',
      'emails.value',
      'emails.type',
      'enrolments.enroledAt.id',
      'enrolments.schoolYear',
      'alpha',
      'zeta',
    ])
  })

  it('resolves references through lists (_embedded placements are Placements)', () => {
    const columns = ['_embedded.placements.startDate', '_embedded.placements.placedAt.id', 'givenName']
    expect(orderColumns(columns, personOrder())).toEqual([
      'givenName',
      '_embedded.placements.placedAt.id',
      '_embedded.placements.startDate',
    ])
  })

  it('is alphabetical per level without a schema, and does not depend on the order columns came in', () => {
    const columns = ['b.z', 'a', 'b.a', 'id', 'c']
    expect(orderColumns(columns)).toEqual(['id', 'a', 'b.a', 'b.z', 'c'])
    expect(orderColumns([...columns].reverse())).toEqual(orderColumns(columns))
  })
})

describe('ColumnCollector', () => {
  it('gathers the union of columns of the records it saw, with id always there', () => {
    const collector = new ColumnCollector()
    collector.add(flattenRecord({id: '1', givenName: 'Alva'}))
    collector.add(flattenRecord({id: '2', emails: [{value: 'e@x.example'}]}))
    expect(collector.records).toBe(2)
    expect(collector.columns()).toEqual(['id', 'emails.value', 'givenName'])
    expect(new ColumnCollector().columns()).toEqual(['id'])
  })
})

describe('orderFields', () => {
  it('orders every object as the columns go: id first, the schema order, unknown fields last', () => {
    const record = {
      familyName: 'Ek',
      civicNo: {value: '201001012384', nationality: 'SE'},
      extra: 1,
      emails: [
        {value: 'b@x.example', type: 'Privat'},
        {type: 'Skola elev', value: 'a@x.example'},
      ],
      givenName: 'Alva',
      id: 'p1',
    }
    const ordered = orderFields(record, personOrder())
    expect(JSON.stringify(ordered)).toBe(
      '{"id":"p1","givenName":"Alva","familyName":"Ek","civicNo":{"value":"201001012384","nationality":"SE"},' +
        '"emails":[{"value":"b@x.example","type":"Privat"},{"value":"a@x.example","type":"Skola elev"}],"extra":1}',
    )
    expect(ordered).toEqual(record)
  })

  it('puts id before a list named like a collection without a schema', () => {
    expect(Object.keys(orderFields({groups: [{id: 'g'}], displayName: 'x', id: 'a'}) as object)).toEqual([
      'id',
      'displayName',
      'groups',
    ])
  })
})

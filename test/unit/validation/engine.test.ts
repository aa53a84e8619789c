import {describe, expect, it} from 'vitest'

import type {EntityName} from '../../../src/schema/entity-names.js'
import {type ValidationOptions, ValidationEngine} from '../../../src/validation/engine.js'
import {makeCivicNumber, makeOrganisationNumber} from '../../../src/validation/identity.js'
import type {Issue} from '../../../src/validation/issue.js'

const ORG = '0b8a2f4e-1c3d-4e5f-8a9b-0c1d2e3f4a50'
const ORG2 = '0b8a2f4e-1c3d-4e5f-8a9b-0c1d2e3f4a51'
const PERSON = '1c9b3a5f-2d4e-4f60-9bac-1d2e3f4a5b60'
const PERSON2 = '1c9b3a5f-2d4e-4f60-9bac-1d2e3f4a5b61'
const GROUP = '2dac4b60-3e5f-4071-8cbd-2e3f4a5b6c70'
const DUTY = '3ebd5c71-4f60-4182-9dce-3f4a5b6c7d80'
const ACTIVITY = '4fce6d82-5071-4293-8edf-4a5b6c7d8e90'
const CIVIC = makeCivicNumber('2011-04-07', 123)
const CIVIC2 = makeCivicNumber('2010-11-30', 456)

const organisation = (overrides: Record<string, unknown> = {}) => ({
  id: ORG,
  displayName: 'Exempelskolan',
  organisationType: 'Skolenhet',
  schoolUnitCode: '12345678',
  ...overrides,
})
const person = (overrides: Record<string, unknown> = {}) => ({
  id: PERSON,
  givenName: 'Alva',
  familyName: 'Ek',
  civicNo: {value: CIVIC},
  eduPersonPrincipalNames: ['alva.ek@exempelby.example'],
  ...overrides,
})
const group = (overrides: Record<string, unknown> = {}) => ({
  id: GROUP,
  displayName: '7A',
  groupType: 'Klass',
  schoolType: 'GR',
  startDate: '2026-08-17',
  organisation: {id: ORG},
  groupMemberships: [{person: {id: PERSON}}],
  ...overrides,
})
const duty = (overrides: Record<string, unknown> = {}) => ({
  id: DUTY,
  person: {id: PERSON2},
  dutyAt: {id: ORG},
  dutyRole: 'Lärare',
  startDate: '2026-08-01',
  ...overrides,
})
const activity = (overrides: Record<string, unknown> = {}) => ({
  id: ACTIVITY,
  displayName: 'Matematik 7A',
  calendarEventsRequired: false,
  activityType: 'Undervisning',
  startDate: '2026-08-17',
  groups: [{id: GROUP}],
  teachers: [{duty: {id: DUTY}}],
  organisation: {id: ORG},
  ...overrides,
})

type Record_ = {entity: EntityName; value: unknown}

/** Runs records through a fresh engine; returns every issue (record-level and from finish) and the counts. */
function run(records: Record_[], options: Partial<ValidationOptions> = {}) {
  const engine = new ValidationEngine({
    profile: 'ss12000-2020',
    mode: 'payload',
    reveal: false,
    allowExternalRefs: false,
    ...options,
  })
  const issues: Issue[] = []
  records.forEach(({entity, value}, index) => {
    const source = {file: 'input.json', line: index + 1, column: 1}
    issues.push(...engine.validateRecord({entity, value, source, locate: () => source}).issues)
  })
  issues.push(...engine.finish())
  return {issues, counts: engine.entityCounts()}
}

const codes = (issues: Issue[]) => issues.map((issue) => `${issue.code} ${issue.path ?? ''}`.trim())

const world: Record_[] = [
  {entity: 'Organisation', value: organisation()},
  {entity: 'Person', value: person()},
  {entity: 'Person', value: person({id: PERSON2, civicNo: {value: CIVIC2}, eduPersonPrincipalNames: ['b@x.example']})},
  {entity: 'Group', value: group()},
  {entity: 'Duty', value: duty()},
  {entity: 'Activity', value: activity()},
]

describe('a consistent dataset', () => {
  it.each(['ss12000-2020', 'skolverket'] as const)('validates clean under %s', (profile) => {
    const {issues, counts} = run(world, {profile})
    expect(issues).toEqual([])
    expect(counts.Person).toEqual({records: 2, valid: 2, invalid: 0})
  })
})

describe('schema layer', () => {
  const cases: Array<{
    name: string
    record: Record_
    options?: Partial<ValidationOptions>
    expected: string[]
    check?: (issues: Issue[]) => void
  }> = [
    {
      name: 'missing required field',
      record: {entity: 'Person', value: person({familyName: undefined})},
      expected: ['schema.required /familyName'],
      check: ([issue]) => expect(issue!.message).toBe('Person: the required field Person.familyName is missing'),
    },
    {
      name: 'wrong type',
      record: {entity: 'Duty', value: duty({dutyPercent: '50'})},
      expected: ['schema.type /dutyPercent'],
      check: ([issue]) => {
        expect(issue!.message).toBe('Duty.dutyPercent must be a whole number')
        expect(issue!.value).toBe('"50"')
      },
    },
    {
      name: 'reference written as a bare id',
      record: {entity: 'Duty', value: duty({dutyAt: ORG})},
      expected: ['schema.type /dutyAt'],
      check: ([issue]) => expect(issue!.hint).toContain('References are objects'),
    },
    {
      name: 'id that is not a UUID',
      record: {entity: 'Organisation', value: organisation({id: 'skola-1'})},
      expected: ['schema.format /id'],
    },
    {
      name: 'impossible date',
      record: {entity: 'Group', value: group({startDate: '2026-02-30'})},
      expected: ['schema.format /startDate'],
      check: ([issue]) => expect(issue!.message).toContain('a real date written YYYY-MM-DD'),
    },
    {
      name: 'date-time without offset',
      record: {
        entity: 'CalendarEvent',
        value: {
          id: ACTIVITY,
          activity: {id: ACTIVITY},
          startTime: '2026-08-17T08:00:00',
          endTime: '2026-08-17T09:00:00+02:00',
        },
      },
      options: {allowExternalRefs: true},
      expected: ['schema.format /startTime', 'ref.wrong-type /activity/id'],
      check: ([issue]) => expect(issue!.hint).toContain('+02:00'),
    },
    {
      name: 'enum value with wrong case and accents',
      record: {entity: 'Duty', value: duty({dutyRole: 'larare'})},
      expected: ['schema.enum /dutyRole'],
      check: ([issue]) => expect(issue!.hint).toBe('Did you mean "Lärare"? Values are case- and accent-sensitive.'),
    },
    {
      name: 'empty list where one item is required',
      record: {entity: 'Activity', value: activity({groups: []})},
      expected: ['schema.min-items /groups'],
    },
    {
      name: 'repeated value in a set',
      record: {entity: 'Organisation', value: organisation({schoolTypes: ['GR', 'GR']})},
      expected: ['schema.unique-items /schoolTypes'],
    },
    {
      name: 'school year out of range',
      record: {
        entity: 'Person',
        value: person({
          enrolments: [{enroledAt: {id: ORG}, schoolType: 'GR', startDate: '2026-08-17', schoolYear: 11}],
        }),
      },
      expected: ['schema.range /enrolments/0/schoolYear'],
      check: ([issue]) => expect(issue!.field).toBe('Person.enrolments[].schoolYear'),
    },
    {
      name: 'unknown field is a warning with a suggestion',
      record: {entity: 'Person', value: person({birthdate: '2011-04-07'})},
      expected: ['schema.unknown-field /birthdate'],
      check: ([issue]) => {
        expect(issue!.severity).toBe('warning')
        expect(issue!.hint).toBe('Did you mean birthDate?')
      },
    },
    {
      name: 'meta is optional in payloads',
      record: {entity: 'Organisation', value: organisation()},
      expected: [],
    },
    {
      name: 'meta is required in responses',
      record: {entity: 'Organisation', value: organisation()},
      options: {mode: 'response'},
      expected: ['schema.required /meta'],
    },
    {
      name: 'read-only id of an Attendance is optional in payloads',
      record: {
        entity: 'Attendance',
        value: {calendarEvent: {id: ACTIVITY}, student: {id: PERSON}, isReported: true, attendanceMinutes: 40},
      },
      options: {allowExternalRefs: true},
      expected: ['ref.wrong-type /calendarEvent/id'],
    },
    {
      name: 'skolverket: GY enrolment needs educationCode',
      record: {entity: 'Person', value: person({enrolments: [{enroledAt: {id: ORG}, schoolType: 'GY'}]})},
      options: {profile: 'skolverket'},
      expected: ['schema.required-when /enrolments/0/educationCode'],
      check: ([issue]) => expect(issue!.message).toContain('when schoolType is "GY"'),
    },
    {
      name: 'skolverket: person needs an EPPN',
      record: {entity: 'Person', value: person({eduPersonPrincipalNames: []})},
      options: {profile: 'skolverket'},
      expected: ['schema.min-items /eduPersonPrincipalNames'],
    },
    {
      name: 'skolverket: newer duty roles are accepted',
      record: {entity: 'Duty', value: duty({dutyRole: 'Kurator'})},
      options: {profile: 'skolverket'},
      expected: [],
    },
    {
      name: 'ss12000-2020: newer duty roles are not',
      record: {entity: 'Duty', value: duty({dutyRole: 'Kurator'})},
      expected: ['schema.enum /dutyRole'],
    },
    {
      name: 'a record that is not an object',
      record: {entity: 'Person', value: 42},
      expected: ['input.not-an-object'],
    },
  ]
  it.each(cases)('$name', ({record, options, expected, check}) => {
    const base = world.filter(
      (candidate) =>
        candidate.value !== undefined &&
        (candidate.value as {id?: string}).id !== (record.value as {id?: string} | null)?.id,
    )
    const {issues} = run([...base, record], options)
    expect(codes(issues)).toEqual(expected)
    check?.(issues)
  })
})

describe('Swedish identity rules', () => {
  const cases: Array<{
    name: string
    value: Record<string, unknown>
    entity?: EntityName
    expected: string[]
    hint?: string
  }> = [
    {
      name: 'checksum',
      value: person({civicNo: {value: '200112240123'}}),
      expected: ['identity.civic-no.checksum /civicNo/value'],
    },
    {
      name: 'separator',
      value: person({civicNo: {value: `${CIVIC.slice(0, 8)}-${CIVIC.slice(8)}`}}),
      expected: ['identity.civic-no.separator /civicNo/value'],
      hint: `Write it as ${CIVIC.slice(0, 8)}-****.`,
    },
    {
      name: 'ten digits',
      value: person({civicNo: {value: CIVIC.slice(2)}}),
      expected: ['identity.civic-no.length /civicNo/value'],
    },
    {
      name: 'not a date',
      value: person({civicNo: {value: '201113327271'}}),
      expected: ['identity.civic-no.date /civicNo/value'],
    },
    {
      name: 'samordningsnummer',
      value: person({civicNo: {value: makeCivicNumber('2011-04-07', 321, {samordningsnummer: true})}}),
      expected: [],
    },
    {name: 'temporary number', value: person({civicNo: {value: '20130101TF01'}}), expected: []},
    {name: 'foreign number is not checked', value: person({civicNo: {value: 'X123', nationality: 'NO'}}), expected: []},
    {
      name: 'birthDate disagrees with civicNo',
      value: person({birthDate: '2011-04-08'}),
      expected: ['identity.civic-no.birth-date /birthDate'],
    },
    {
      name: 'EPPN without a domain',
      value: person({eduPersonPrincipalNames: ['alva']}),
      expected: ['identity.eppn /eduPersonPrincipalNames/0'],
    },
    {
      name: 'organisationsnummer checksum',
      entity: 'Organisation',
      value: organisation({organisationNumber: '212000-0002'}),
      expected: ['identity.organisation-number.checksum /organisationNumber'],
    },
    {
      name: 'valid organisationsnummer',
      entity: 'Organisation',
      value: organisation({organisationNumber: makeOrganisationNumber('212000014')}),
      expected: [],
    },
    {
      name: 'skolenhetskod of 7 digits',
      entity: 'Organisation',
      value: organisation({schoolUnitCode: '1234567'}),
      expected: ['identity.school-unit-code /schoolUnitCode'],
    },
    {
      name: 'municipality code without its leading zero',
      entity: 'Organisation',
      value: organisation({municipalityCode: '180'}),
      expected: ['identity.municipality-code /municipalityCode'],
    },
  ]
  it.each(cases)('$name', ({value, entity = 'Person', expected, hint}) => {
    const others = world.filter(
      (candidate) => candidate.entity !== entity || (candidate.value as {id: string}).id !== value.id,
    )
    const {issues} = run([...others, {entity, value}])
    expect(codes(issues)).toEqual(expected)
    if (hint) expect(issues[0]!.hint).toBe(hint)
  })

  it('masks civic numbers in values and hints unless revealed', () => {
    const bad = `${CIVIC.slice(0, 8)}-${CIVIC.slice(8)}`
    const masked = run([{entity: 'Person', value: person({civicNo: {value: bad}})}]).issues[0]!
    expect(masked.value).toBe(`"${CIVIC.slice(0, 8)}-****"`)
    expect(JSON.stringify(masked)).not.toContain(CIVIC.slice(8))
    const revealed = run([{entity: 'Person', value: person({civicNo: {value: bad}})}], {reveal: true}).issues[0]!
    expect(revealed.value).toBe(`"${bad}"`)
  })
})

describe('uniqueness', () => {
  it('finds duplicate ids, civic numbers and EPPNs and says where the first was', () => {
    const twin = person({id: PERSON, eduPersonPrincipalNames: ['ALVA.EK@exempelby.example']})
    const {issues, counts} = run([
      {entity: 'Person', value: person()},
      {entity: 'Person', value: twin},
    ])
    expect(codes(issues)).toEqual([
      'unique.id /id',
      'unique.civic-no /civicNo/value',
      'unique.eppn /eduPersonPrincipalNames/0',
    ])
    expect(issues[0]!.message).toBe('Duplicate Person id (first seen at input.json:1:1)')
    expect(counts.Person).toEqual({records: 2, valid: 1, invalid: 1})
  })

  it('treats the same civic number with another nationality as different', () => {
    const foreign = person({
      id: PERSON2,
      civicNo: {value: CIVIC, nationality: 'NO'},
      eduPersonPrincipalNames: ['b@x.example'],
    })
    expect(
      run([
        {entity: 'Person', value: person()},
        {entity: 'Person', value: foreign},
      ]).issues,
    ).toEqual([])
  })
})

describe('references', () => {
  it('resolves forward references at the end', () => {
    const reversed = [...world].reverse()
    expect(run(reversed).issues).toEqual([])
  })

  it('reports references to nothing, and counts the record invalid', () => {
    const {issues, counts} = run([{entity: 'Group', value: group()}])
    expect(codes(issues)).toEqual(['ref.unresolved /organisation/id', 'ref.unresolved /groupMemberships/0/person/id'])
    expect(issues[0]!.message).toBe('Group.organisation points to a Organisation that is not in the input')
    expect(counts.Group).toEqual({records: 1, valid: 0, invalid: 1})
  })

  it('reports a teacher given as a Person id instead of a Duty id', () => {
    const wrong = activity({teachers: [{duty: {id: PERSON2}}]})
    const records = world.map((record) =>
      record.entity === 'Activity' ? {entity: 'Activity' as const, value: wrong} : record,
    )
    const {issues} = run(records)
    expect(codes(issues)).toEqual(['ref.wrong-type /teachers/0/duty/id'])
    expect(issues[0]!.message).toBe('Activity.teachers[].duty must point to a Duty, but that id belongs to a Person')
  })

  it('turns unresolved references into warnings with allowExternalRefs, and keeps the record valid', () => {
    const {issues, counts} = run([{entity: 'Group', value: group()}], {allowExternalRefs: true})
    expect(issues.map((issue) => `${issue.severity} ${issue.code}`)).toEqual([
      'warning ref.external',
      'warning ref.external',
    ])
    expect(counts.Group).toEqual({records: 1, valid: 1, invalid: 0})
  })

  it('still reports wrong types with allowExternalRefs', () => {
    const {issues} = run(
      [
        {entity: 'Person', value: person()},
        {entity: 'Group', value: group({organisation: {id: PERSON}})},
      ],
      {
        allowExternalRefs: true,
      },
    )
    expect(codes(issues)).toEqual(['ref.wrong-type /organisation/id'])
  })

  it('finds references in nested arrays and objects of every entity type', () => {
    const schedule = {
      placement: {id: ORG2},
      startDate: '2026-08-17',
      state: [{state: 'Godkänt', registeredAt: '2026-08-01T10:00:00+02:00', registeredBy: {id: PERSON}}],
      scheduleEntries: [{dayOfWeek: 'Måndag', startTime: '08:00', length: 480}],
    }
    const {issues} = run([
      {entity: 'Person', value: person()},
      {entity: 'AttendanceSchedule', value: schedule},
    ])
    expect(codes(issues)).toEqual(['ref.unresolved /placement/id'])
  })
})

describe('one Klass per pupil at a time', () => {
  const GROUP2 = '2dac4b60-3e5f-4071-8cbd-2e3f4a5b6c71'
  const klass = (id: string, membership: Record<string, unknown>, groupType = 'Klass') => ({
    entity: 'Group' as const,
    value: group({id, displayName: id.slice(-2), groupType, groupMemberships: [{person: {id: PERSON}, ...membership}]}),
  })
  const base: Record_[] = [
    {entity: 'Organisation', value: organisation()},
    {entity: 'Person', value: person()},
  ]
  it.each([
    {name: 'two open memberships', a: {}, b: {}, expected: ['unique.class /groupMemberships/0/person/id']},
    {
      name: 'overlapping dates',
      a: {startDate: '2026-08-17', endDate: '2027-01-31'},
      b: {startDate: '2027-01-15'},
      expected: ['unique.class /groupMemberships/0/person/id'],
    },
    {
      name: 'a move between classes',
      a: {startDate: '2026-08-17', endDate: '2027-01-31'},
      b: {startDate: '2027-02-01'},
      expected: [],
    },
    {
      name: 'the same day is an overlap (dates are inclusive)',
      a: {endDate: '2027-02-01'},
      b: {startDate: '2027-02-01'},
      expected: ['unique.class /groupMemberships/0/person/id'],
    },
  ])('$name', ({a, b, expected}) => {
    const {issues} = run([...base, klass(GROUP, a), klass(GROUP2, b)])
    expect(codes(issues)).toEqual(expected)
  })

  it('says where the other class is', () => {
    const {issues} = run([...base, klass(GROUP, {}), klass(GROUP2, {})])
    expect(issues[0]!.message).toBe('A pupil is in two Klass groups at the same time (the other is at input.json:3:1)')
  })

  it('leaves teaching groups alone', () => {
    expect(run([...base, klass(GROUP, {}), klass(GROUP2, {}, 'Undervisning')]).issues).toEqual([])
  })
})

import {mkdtemp, readFile, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import type {Person} from '../../../src/schema/model.js'
import {PROFILE_NAMES} from '../../../src/schema/profiles.js'
import {checkCivicNumber, checkOrganisationNumber} from '../../../src/validation/identity.js'
import type {Issue} from '../../../src/validation/issue.js'
import {
  createRandom,
  type Dataset,
  FAMILY_NAMES,
  FEMALE_GIVEN_NAMES,
  generateDataset,
  generatePersons,
  MALE_GIVEN_NAMES,
  MAX_GENERATED_PERSONS,
  serializeCollection,
  slugify,
  validateDataset,
  writeDataset,
} from '../../support/fictional.js'

// ajv's `uuid` format, lower-case as the generator writes it.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

const summarise = (issues: Issue[]) => issues.map((issue) => `${issue.code} ${issue.field}: ${issue.message}`)

function take<T>(iterable: Iterable<T>, count: number): T[] {
  const taken: T[] = []
  for (const item of iterable) {
    if (taken.length === count) break
    taken.push(item)
  }
  return taken
}

function allIds(dataset: Dataset): string[] {
  return [
    ...dataset.organisations,
    ...dataset.persons,
    ...(dataset.syllabuses ?? []),
    ...dataset.groups,
    ...dataset.duties,
    ...dataset.activities,
  ].map((entity) => entity.id)
}

function expectPersonsWellFormed(persons: readonly Person[]) {
  const civicNumbers = persons.map((person) => person.civicNo!.value)
  for (const [index, person] of persons.entries()) {
    const check = checkCivicNumber(civicNumbers[index]!)
    expect(check, civicNumbers[index]).toMatchObject({ok: true})
    if (check.ok) expect(person.birthDate).toBe(check.birthDate)
    // The birth serial's last digit is odd for men, even for women.
    expect(Number(civicNumbers[index]!.charAt(10)) % 2 === 1 ? 'Man' : 'Kvinna').toBe(person.sex)
    for (const email of person.emails ?? []) expect(email.value).toMatch(/^[a-z0-9.-]+@[a-z0-9.-]+\.example$/)
    for (const eppn of person.eduPersonPrincipalNames ?? []) expect(eppn).toMatch(/^[a-z0-9.-]+@[a-z0-9.-]+\.example$/)
  }
  expect(new Set(civicNumbers).size).toBe(persons.length)
  const eppns = persons.flatMap((person) => person.eduPersonPrincipalNames ?? []).map((eppn) => eppn.toLowerCase())
  expect(eppns).toHaveLength(persons.length)
  expect(new Set(eppns).size).toBe(persons.length)
  expect(new Set(persons.map((person) => person.id)).size).toBe(persons.length)
}

describe('createRandom', () => {
  it('gives the same sequence for the same seed and a different one for another seed', () => {
    const draw = (seed: number) => {
      const random = createRandom(seed)
      return Array.from({length: 20}, () => random.uint32())
    }
    expect(draw(42)).toEqual(draw(42))
    expect(draw(42)).not.toEqual(draw(43))
  })

  it('keeps int, pick, date and next within bounds', () => {
    const random = createRandom(7)
    for (let i = 0; i < 2000; i++) {
      const value = random.int(-3, 3)
      expect(Number.isInteger(value) && value >= -3 && value <= 3).toBe(true)
      const float = random.next()
      expect(float >= 0 && float < 1).toBe(true)
      expect(['a', 'b', 'c']).toContain(random.pick(['a', 'b', 'c']))
      const date = random.date('2024-02-27', '2024-03-02')
      expect(date >= '2024-02-27' && date <= '2024-03-02').toBe(true)
    }
    expect(new Set(Array.from({length: 500}, () => random.int(0, 4)))).toEqual(new Set([0, 1, 2, 3, 4]))
    expect(() => random.int(2, 1)).toThrow(RangeError)
    expect(() => random.pick([])).toThrow(RangeError)
  })

  it('shuffles into a permutation without touching the input', () => {
    const input = [1, 2, 3, 4, 5, 6, 7, 8]
    const shuffled = createRandom(1).shuffle(input)
    expect(input).toEqual([1, 2, 3, 4, 5, 6, 7, 8])
    expect([...shuffled].sort((a, b) => a - b)).toEqual(input)
  })

  it('makes version-4-shaped UUIDs', () => {
    const random = createRandom(99)
    for (let i = 0; i < 200; i++)
      expect(random.uuid()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  })
})

describe('name lists', () => {
  it('include å, ä, ö, double names and double-barrelled family names', () => {
    const all = [...FEMALE_GIVEN_NAMES, ...MALE_GIVEN_NAMES, ...FAMILY_NAMES].join(' ')
    for (const letter of ['å', 'ä', 'ö', 'Å', 'Ö']) expect(all).toContain(letter)
    expect(FEMALE_GIVEN_NAMES.some((name) => name.includes('-'))).toBe(true)
    expect(MALE_GIVEN_NAMES.some((name) => name.includes('-'))).toBe(true)
    expect(FAMILY_NAMES.some((name) => name.includes(' '))).toBe(true)
    expect(FAMILY_NAMES.some((name) => name.includes('-'))).toBe(true)
  })

  it('slugify turns names into ASCII labels', () => {
    expect(slugify('Lind Ekström')).toBe('lind-ekstrom')
    expect(slugify('Linnéa')).toBe('linnea')
    expect(slugify('Exempelby gymnasium')).toBe('exempelby-gymnasium')
    expect(slugify('Jan-Åke')).toBe('jan-ake')
  })
})

describe('generateDataset', () => {
  const dataset = generateDataset()

  it('is deterministic: the same seed gives deep-equal output, another seed different output', () => {
    expect(generateDataset()).toEqual(dataset)
    expect(generateDataset({seed: 5, persons: 100})).toEqual(generateDataset({seed: 5, persons: 100}))
    const other = generateDataset({seed: 12001})
    expect(other).not.toEqual(dataset)
    expect(other.persons[0]!.id).not.toBe(dataset.persons[0]!.id)
  })

  it('gives every entity a unique UUID', () => {
    const ids = allIds(dataset)
    for (const id of ids) expect(id).toMatch(UUID)
    expect(new Set(ids).size).toBe(ids.length)
  })

  it('gives every person a valid, unique civic number and a unique .example EPPN, with a few samordningsnummer', () => {
    expectPersonsWellFormed(dataset.persons)
    const kinds = dataset.persons
      .map((person) => checkCivicNumber(person.civicNo!.value))
      .map((check) => check.ok && check.kind)
    expect(kinds.filter((kind) => kind === 'samordningsnummer').length).toBeGreaterThanOrEqual(2)
    expect(dataset.persons.every((person) => person.civicNo!.nationality === 'SE')).toBe(true)
  })

  it('uses names with å, ä or ö, middle names, and protected persons without contact details', () => {
    const names = dataset.persons.map((person) => `${person.givenName} ${person.familyName}`).join(' ')
    expect(names).toMatch(/[åäöÅÄÖ]/)
    expect(dataset.persons.some((person) => person.middleName !== undefined)).toBe(true)
    const protectedPersons = dataset.persons.filter((person) => person.securityMarking === 'Skyddad folkbokföring')
    expect(protectedPersons.length).toBeGreaterThan(0)
    for (const person of protectedPersons) expect(person.emails).toBeUndefined()
  })

  it('has only school units, with 8-digit codes, a 4-digit municipality code and a valid organisation number', () => {
    expect(dataset.organisations.map((unit) => unit.schoolTypes)).toEqual([['FKLASS', 'GR'], ['GY']])
    for (const unit of dataset.organisations) {
      expect(unit.organisationType).toBe('Skolenhet')
      expect(unit.schoolUnitCode).toMatch(/^[0-9]{8}$/)
      expect(unit.municipalityCode).toMatch(/^[0-9]{4}$/)
      expect(checkOrganisationNumber(unit.organisationNumber!)).toMatchObject({ok: true, kind: 'legal-entity'})
      expect(unit.email).toMatch(/\.example$/)
    }
  })

  it('enrols FKLASS in year 0, GR in years 1–9 and GY with an educationCode and a year 1–3', () => {
    const enrolments = dataset.persons.flatMap((person) => person.enrolments ?? [])
    expect(enrolments).toHaveLength(60)
    const bySchoolType = (schoolType: string) => enrolments.filter((enrolment) => enrolment.schoolType === schoolType)
    expect(bySchoolType('FKLASS').length).toBeGreaterThan(0)
    for (const enrolment of bySchoolType('FKLASS')) expect(enrolment.schoolYear).toBe(0)
    expect(bySchoolType('GR').length).toBeGreaterThan(0)
    for (const enrolment of bySchoolType('GR')) expect(enrolment.schoolYear).toBeGreaterThanOrEqual(1)
    for (const enrolment of bySchoolType('GR')) expect(enrolment.schoolYear).toBeLessThanOrEqual(9)
    expect(bySchoolType('GY').length).toBeGreaterThan(0)
    for (const enrolment of bySchoolType('GY')) {
      expect(enrolment.educationCode).toMatch(/^(NA|EK|TE|SA)$/)
      expect([1, 2, 3]).toContain(enrolment.schoolYear)
    }
  })

  it('puts every student in exactly one Klass, of the unit they are enrolled at', () => {
    const classes = dataset.groups.filter((group) => group.groupType === 'Klass')
    for (const student of dataset.persons.filter((person) => person.enrolments)) {
      const theirs = classes.filter((group) =>
        group.groupMemberships?.some((member) => member.person?.id === student.id),
      )
      expect(theirs).toHaveLength(1)
      expect(theirs[0]!.organisation.id).toBe(student.enrolments![0]!.enroledAt.id)
    }
    for (const group of dataset.groups) expect(group.schoolType).toBeDefined()
  })

  it('gives each unit a rektor, each class a mentor, and each activity a teacher by Duty id', () => {
    for (const unit of dataset.organisations) {
      expect(dataset.duties.filter((duty) => duty.dutyAt.id === unit.id && duty.dutyRole === 'Rektor')).toHaveLength(1)
    }
    const mentored = dataset.duties.flatMap((duty) => duty.assignmentRole ?? []).map((role) => role.group.id)
    const classIds = dataset.groups.filter((group) => group.groupType === 'Klass').map((group) => group.id)
    expect([...mentored].sort()).toEqual([...classIds].sort())
    const dutyIds = new Set(dataset.duties.map((duty) => duty.id))
    const personIds = new Set(dataset.persons.map((person) => person.id))
    const groupIds = new Set(dataset.groups.map((group) => group.id))
    for (const activity of dataset.activities) {
      expect(activity.teachers?.length).toBeGreaterThan(0)
      for (const teacher of activity.teachers ?? []) {
        expect(dutyIds.has(teacher.duty.id)).toBe(true)
        expect(personIds.has(teacher.duty.id)).toBe(false)
      }
      for (const group of activity.groups) expect(groupIds.has(group.id)).toBe(true)
      expect(activity.activityType).toBe('Undervisning')
    }
    const signatures = dataset.duties.map((duty) => duty.signature)
    expect(new Set(signatures).size).toBe(signatures.length)
  })

  it.each(PROFILE_NAMES)('validates clean under the %s profile', (profile) => {
    expect(summarise(validateDataset(dataset, profile))).toEqual([])
  })

  it.each(PROFILE_NAMES)(
    'validates clean under %s with a few hundred persons, five units and syllabuses',
    (profile) => {
      const large = generateDataset({seed: 3, persons: 400, staff: 30, schoolUnits: 5, classSize: 12, syllabuses: true})
      expect(large.persons).toHaveLength(430)
      expect(large.syllabuses?.length).toBeGreaterThan(0)
      expect(large.activities.some((activity) => activity.syllabus !== undefined)).toBe(true)
      expectPersonsWellFormed(large.persons)
      expect(summarise(validateDataset(large, profile))).toEqual([])
    },
  )

  it.each(PROFILE_NAMES)(
    'validates clean under %s at the edges (one unit, one staff member, no students)',
    (profile) => {
      expect(summarise(validateDataset(generateDataset({schoolUnits: 1, staff: 1, persons: 7}), profile))).toEqual([])
      expect(summarise(validateDataset(generateDataset({persons: 0, staff: 2}), profile))).toEqual([])
      const many = generateDataset({persons: 300, classSize: 5, staff: 4})
      const names = many.groups.map((group) => `${group.organisation.id} ${group.displayName}`)
      expect(new Set(names).size).toBe(names.length)
      expect(summarise(validateDataset(many, profile))).toEqual([])
    },
  )

  it('validateDataset reports what is wrong, so a clean result means something', () => {
    const broken = structuredClone(generateDataset({persons: 20, staff: 4}))
    delete broken.persons[0]!.civicNo
    broken.activities[0]!.teachers![0]!.duty.id = broken.persons[1]!.id
    const codes = (profile: (typeof PROFILE_NAMES)[number]) =>
      validateDataset(broken, profile).map((issue) => issue.code)
    expect(codes('skolverket')).toEqual(expect.arrayContaining(['schema.required', 'ref.wrong-type']))
    expect(codes('ss12000-2020')).toEqual(['ref.wrong-type'])
  })

  it('rejects options out of range', () => {
    expect(() => generateDataset({schoolUnits: 0})).toThrow(RangeError)
    expect(() => generateDataset({schoolUnits: 3, staff: 2})).toThrow(RangeError)
    expect(() => generateDataset({persons: -1})).toThrow(RangeError)
    expect(() => generateDataset({classSize: 0})).toThrow(RangeError)
    expect(() => generateDataset({municipalityCode: '180'})).toThrow(RangeError)
  })
})

describe('generatePersons', () => {
  it('yields valid persons with unique civic numbers and EPPNs', () => {
    const persons = [...generatePersons(1000, 3)]
    expect(persons).toHaveLength(1000)
    expectPersonsWellFormed(persons)
    expect(
      persons.filter((person) => checkCivicNumber(person.civicNo!.value).ok && person.civicNo!.value.slice(6, 8) > '60')
        .length,
    ).toBe(50)
  })

  it.each(PROFILE_NAMES)('validates 1000 persons clean under the %s profile', (profile) => {
    expect(summarise(validateDataset({persons: [...generatePersons(1000, 3)]}, profile))).toEqual([])
  })

  it.each(PROFILE_NAMES)('validates clean under %s with enrolments at a generated school unit', (profile) => {
    const {organisations} = generateDataset({persons: 0, staff: 1, schoolUnits: 1})
    const persons = [...generatePersons(200, 4, {enroledAt: organisations[0]!.id, domain: 'bench.example'})]
    expect(persons.every((person) => person.enrolments?.[0]?.enroledAt.id === organisations[0]!.id)).toBe(true)
    expect(summarise(validateDataset({organisations, persons}, profile))).toEqual([])
  })

  it('is deterministic per seed', () => {
    expect([...generatePersons(50, 9)]).toEqual([...generatePersons(50, 9)])
    expect([...generatePersons(50, 9)]).not.toEqual([...generatePersons(50, 10)])
  })

  it('is lazy: the first five of ten million come back at once', () => {
    const started = performance.now()
    const stream = generatePersons(10_000_000)
    const first = take(stream, 5)
    expect(performance.now() - started).toBeLessThan(500)
    expect(Array.isArray(stream)).toBe(false)
    expect(first).toHaveLength(5)
    expect(first).toEqual(take(generatePersons(5), 5))
  })

  it('keeps civic numbers distinct far into the stream', () => {
    const seen = new Set<string>()
    let count = 0
    for (const person of generatePersons(100_000, 11)) {
      seen.add(person.civicNo!.value)
      count++
    }
    expect(count).toBe(100_000)
    expect(seen.size).toBe(100_000)
  })

  it('rejects counts it cannot make unique', () => {
    expect(() => generatePersons(MAX_GENERATED_PERSONS + 1)).toThrow(RangeError)
    expect(() => generatePersons(-1)).toThrow(RangeError)
    expect(() => generatePersons(1.5)).toThrow(RangeError)
  })
})

describe('writeDataset', () => {
  it('writes one 2-space indented JSON array per collection', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ss12000-fictional-'))
    try {
      const dataset = generateDataset({persons: 20, staff: 4, syllabuses: true})
      const written = await writeDataset(join(dir, 'out'), dataset)
      expect(written.map((path) => path.slice(join(dir, 'out').length + 1))).toEqual([
        'organisations.json',
        'persons.json',
        'syllabuses.json',
        'groups.json',
        'duties.json',
        'activities.json',
      ])
      const text = await readFile(join(dir, 'out', 'persons.json'), 'utf8')
      expect(text).toBe(serializeCollection(dataset.persons))
      expect(text.startsWith('[\n  {\n    "id": ')).toBe(true)
      expect(JSON.parse(text)).toEqual(dataset.persons)
    } finally {
      await rm(dir, {recursive: true, force: true})
    }
  })
})

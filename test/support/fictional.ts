import {mkdir, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import type {EntityName} from '../../src/schema/entity-names.js'
import type {Activity, Duty, Enrolment, Group, Organisation, Person, Syllabus} from '../../src/schema/model.js'
import type {ProfileName} from '../../src/schema/profiles.js'
import {ValidationEngine} from '../../src/validation/engine.js'
import {makeCivicNumber, makeOrganisationNumber} from '../../src/validation/identity.js'
import type {Issue} from '../../src/validation/issue.js'

/**
 * Deterministic fictional SS 12000:2020 data for tests, benchmarks and the bundled example (examples/ss12000).
 *
 * Everything is derived from a seed through a small PRNG (mulberry32): no Math.random, no clock. Every person is
 * made up: names are drawn from lists of common Swedish names, civic numbers are generated with valid check digits,
 * and every email address and domain uses the reserved `.example` top-level domain. The output validates with no
 * errors and no warnings under both profiles ('ss12000-2020' and 'skolverket') in payload mode.
 */

// --- PRNG -----------------------------------------------------------------------------------------------------------

/** A seeded source of pseudo-random values. The same seed always gives the same sequence. */
export interface Random {
  /** An unsigned 32-bit integer. */
  uint32(): number
  /** A float in [0, 1). */
  next(): number
  /** An integer in [min, max], both inclusive. */
  int(min: number, max: number): number
  /** True with the given probability (0–1). */
  chance(probability: number): boolean
  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T
  /** A shuffled copy (Fisher–Yates). */
  shuffle<T>(items: readonly T[]): T[]
  /** A random date between two `YYYY-MM-DD` dates, both inclusive. */
  date(from: string, to: string): string
  /** A version-4-shaped UUID in lower case (matches ajv's `uuid` format). */
  uuid(): string
}

/**
 * Creates a seeded PRNG (mulberry32: 32 bits of state, fast, good enough for test data).
 * @param seed any number; it is reduced to an unsigned 32-bit integer.
 */
export function createRandom(seed: number): Random {
  let state = seed >>> 0
  const uint32 = (): number => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return (t ^ (t >>> 14)) >>> 0
  }
  const next = (): number => uint32() / 0x1_0000_0000
  const int = (min: number, max: number): number => {
    if (!Number.isInteger(min) || !Number.isInteger(max) || max < min) {
      throw new RangeError(`int(${min}, ${max}): expected integers with min <= max`)
    }
    return min + Math.floor(next() * (max - min + 1))
  }
  const pick = <T>(items: readonly T[]): T => {
    if (items.length === 0) throw new RangeError('pick: empty array')
    return items[int(0, items.length - 1)]!
  }
  return {
    uint32,
    next,
    int,
    chance: (probability) => next() < probability,
    pick,
    shuffle: <T>(items: readonly T[]): T[] => {
      const copy = [...items]
      for (let i = copy.length - 1; i > 0; i--) {
        const j = int(0, i)
        ;[copy[i], copy[j]] = [copy[j]!, copy[i]!]
      }
      return copy
    },
    date: (from, to) => fromDayNumber(int(dayNumber(from), dayNumber(to))),
    uuid: () => {
      const hex = [uint32(), uint32(), uint32(), uint32()].map((word) => word.toString(16).padStart(8, '0')).join('')
      const variant = ((parseInt(hex.charAt(16), 16) & 0x3) | 0x8).toString(16)
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`
    },
  }
}

const DAY_MS = 86_400_000

/** Days since 1970-01-01 of a `YYYY-MM-DD` date (negative before 1970). */
function dayNumber(date: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date)
  if (!match) throw new RangeError(`not a YYYY-MM-DD date: '${date}'`)
  return Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) / DAY_MS
}

function fromDayNumber(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10)
}

// --- names ----------------------------------------------------------------------------------------------------------

/** Common Swedish female given names, with å/ä/ö/é and a few double names. Not tied to any number. */
export const FEMALE_GIVEN_NAMES = [
  'Agnes',
  'Alice',
  'Amira',
  'Anna',
  'Anna-Karin',
  'Astrid',
  'Åsa',
  'Ebba',
  'Elsa',
  'Ella',
  'Emma',
  'Eva-Lena',
  'Freja',
  'Hedda',
  'Ines',
  'Ingrid',
  'Karin',
  'Leila',
  'Linnéa',
  'Maja',
  'Maria',
  'Märta',
  'Saga',
  'Selma',
  'Signe',
  'Sigrid',
  'Stina',
  'Tove',
  'Tyra',
  'Wilma',
  'Yasmin',
] as const

/** Common Swedish male given names, with å/ä/ö and a few double names. Not tied to any number. */
export const MALE_GIVEN_NAMES = [
  'Ali',
  'Anders',
  'Axel',
  'Åke',
  'Björn',
  'Elias',
  'Erik',
  'Göran',
  'Hugo',
  'Jan-Åke',
  'Johan',
  'Karl',
  'Karl-Erik',
  'Lars',
  'Liam',
  'Lucas',
  'Måns',
  'Melvin',
  'Nils',
  'Noah',
  'Olle',
  'Omar',
  'Oskar',
  'Örjan',
  'Per-Olof',
  'Sigge',
  'Sixten',
  'Sören',
  'Viggo',
  'William',
] as const

/** Common Swedish family names, including a few double-barrelled ones (with a space or a hyphen). */
export const FAMILY_NAMES = [
  'Ahmadi',
  'Andersson',
  'Andersson Åkerlund',
  'Åberg',
  'Åkesson',
  'Bengtsson',
  'Berg',
  'Berg-Nilsson',
  'Bergström',
  'Björk',
  'Blomqvist',
  'Ekström',
  'Engström',
  'Eriksson',
  'Forsberg',
  'Gustafsson',
  'Hägglund',
  'Hansson',
  'Hassan',
  'Hedlund',
  'Holmström',
  'Jansson',
  'Johansson',
  'Jonsson',
  'Karlsson',
  'Larsson',
  'Lind Ekström',
  'Lindgren',
  'Lindqvist',
  'Lindström',
  'Löfgren',
  'Lundberg',
  'Nilsson',
  'Nyström',
  'Öberg',
  'Olsson',
  'Persson',
  'Pettersson',
  'Sandberg',
  'Sjöberg',
  'Söderberg',
  'Ström',
  'Svensson',
  'Wallin',
  'Wallin-Öst',
  'Yilmaz',
] as const

/** Swedish middle names (mellannamn: a family name carried between the given and the family name). */
export const MIDDLE_NAMES = ['Berg', 'Holm', 'Lind', 'Åkerlund', 'Sjögren', 'Ström', 'Dahl', 'Öhman'] as const

type Sex = 'Kvinna' | 'Man'

/** A reference object: SS 12000 links are `{id}` objects, never bare ids. */
type Reference = NonNullable<Organisation['parentOrganisation']>
const ref = (entity: {id: string}): Reference => ({id: entity.id})

interface DrawnName {
  givenName: string
  middleName?: string
  familyName: string
}

function drawName(random: Random, sex: Sex): DrawnName {
  const givenName = random.pick(sex === 'Kvinna' ? FEMALE_GIVEN_NAMES : MALE_GIVEN_NAMES)
  const middleName = random.chance(0.1) ? random.pick(MIDDLE_NAMES) : undefined
  const familyName = random.pick(FAMILY_NAMES)
  return middleName === undefined ? {givenName, familyName} : {givenName, middleName, familyName}
}

/** A name as an ASCII email/EPPN/domain label: 'Lind Ekström' → 'lind-ekstrom'. */
export function slugify(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
}

/** Initials for Duty.signature: first letter of the given name and the first two of the family name ('ALI'). */
function initials(name: DrawnName): string {
  const family = name.familyName.replace(/[^\p{L}]/gu, '')
  return (name.givenName.charAt(0) + family.slice(0, 2)).toUpperCase()
}

// --- person building blocks ---------------------------------------------------------------------------------------

/** The birth serial's last digit is odd for men and even for women, as in real personnummer. */
function serialFor(random: Random, sex: Sex): number {
  return random.int(0, 499) * 2 + (sex === 'Man' ? 1 : 0)
}

interface PersonParts {
  id: string
  name: DrawnName
  civicNo: string
  birthDate: string
  sex: Sex
  securityMarking: 'Ingen' | 'Skyddad folkbokföring'
  eppn: string
  emailType?: 'Skola elev' | 'Skola personal'
  enrolments?: Enrolment[]
}

/** A Person in the standard's field order. Protected persons (Skyddad folkbokföring) get no contact details. */
function buildPerson(parts: PersonParts): Person {
  const {name} = parts
  return {
    id: parts.id,
    givenName: name.givenName,
    ...(name.middleName === undefined ? {} : {middleName: name.middleName}),
    familyName: name.familyName,
    eduPersonPrincipalNames: [parts.eppn],
    civicNo: {value: parts.civicNo, nationality: 'SE'},
    birthDate: parts.birthDate,
    sex: parts.sex,
    securityMarking: parts.securityMarking,
    personStatus: 'Aktiv',
    ...(parts.emailType === undefined || parts.securityMarking !== 'Ingen'
      ? {}
      : {emails: [{value: parts.eppn, type: parts.emailType}]}),
    ...(parts.enrolments === undefined ? {} : {enrolments: parts.enrolments}),
  }
}

/** Every 20th person (index 7, 27, 47, …) gets a samordningsnummer, so there are always a few. */
const isSamordning = (index: number) => index % 20 === 7
/** Every 29th person (index 11, 40, …) has a protected identity. */
const isProtected = (index: number) => index % 29 === 11

// --- dataset --------------------------------------------------------------------------------------------------------

/** A generated set of SS 12000 collections; each array is one `<collection>.json` file. */
export interface Dataset {
  organisations: Organisation[]
  persons: Person[]
  syllabuses?: Syllabus[]
  groups: Group[]
  duties: Duty[]
  activities: Activity[]
}

/** The collections of a Dataset: key, file name and entity type, in upload order (references point backwards). */
export const DATASET_COLLECTIONS: ReadonlyArray<{key: keyof Dataset; file: string; entity: EntityName}> = [
  {key: 'organisations', file: 'organisations.json', entity: 'Organisation'},
  {key: 'persons', file: 'persons.json', entity: 'Person'},
  {key: 'syllabuses', file: 'syllabuses.json', entity: 'Syllabus'},
  {key: 'groups', file: 'groups.json', entity: 'Group'},
  {key: 'duties', file: 'duties.json', entity: 'Duty'},
  {key: 'activities', file: 'activities.json', entity: 'Activity'},
]

export interface DatasetOptions {
  /** PRNG seed. Default 12000. */
  seed?: number
  /** Number of students. Default 60. */
  persons?: number
  /** Number of staff, at least one per school unit (its rektor); the rest are teachers. Default 10. */
  staff?: number
  /** Number of school units; even positions are grundskolor (F–9), odd ones gymnasieskolor. Default 2. */
  schoolUnits?: number
  /** The largest class; each unit's students are split evenly over as few classes as this allows. Default 15. */
  classSize?: number
  /** The calendar year the school year starts in (terms run 08-19 to 06-12 of the next year). Default 2024. */
  schoolYear?: number
  /** The fictional municipality, used in unit names. Default 'Exempelby'. */
  municipality?: string
  /** Organisation.municipalityCode. Default '0999' (fictional: no such municipality). */
  municipalityCode?: string
  /** Also generate syllabuses.json and link class activities to them. Default false. */
  syllabuses?: boolean
}

/** The options `scripts/make-example.ts` uses for examples/ss12000; the example test regenerates with them. */
export const EXAMPLE_DATASET_OPTIONS = {
  seed: 12000,
  persons: 60,
  staff: 10,
  schoolUnits: 2,
  classSize: 15,
  schoolYear: 2024,
  municipality: 'Exempelby',
  municipalityCode: '0999',
  syllabuses: false,
} as const satisfies Required<DatasetOptions>

const GRUNDSKOLA_NAMES = ['Ekbackeskolan', 'Björkhagsskolan', 'Sjöängsskolan', 'Tallmoskolan', 'Lindåsskolan']
const GYMNASIUM_NAMES = (municipality: string) => [`${municipality} gymnasium`, 'Åsens gymnasium', 'Strandgymnasiet']
const PROGRAMMES = ['NA', 'EK', 'TE', 'SA'] as const
const LANGUAGES = ['Spanska', 'Tyska', 'Franska'] as const

interface SubjectDefinition {
  name: string
  subjectCode: string
  designation?: string
  curriculum: 'GR2011' | 'GY2011'
}
const SUBJECTS: Record<'FKLASS' | 'GR' | 'GY', readonly SubjectDefinition[]> = {
  FKLASS: [],
  GR: [
    {name: 'Matematik', subjectCode: 'GRGRMAT01', designation: 'MA', curriculum: 'GR2011'},
    {name: 'Svenska', subjectCode: 'GRGRSVE01', designation: 'SV', curriculum: 'GR2011'},
    {name: 'Engelska', subjectCode: 'GRGRENG01', designation: 'EN', curriculum: 'GR2011'},
  ],
  GY: [
    {name: 'Svenska', subjectCode: 'SVE', curriculum: 'GY2011'},
    {name: 'Engelska', subjectCode: 'ENG', curriculum: 'GY2011'},
    {name: 'Idrott och hälsa', subjectCode: 'IDR', curriculum: 'GY2011'},
  ],
}

type UnitKind = 'grundskola' | 'gymnasieskola'
type ClassSchoolType = 'FKLASS' | 'GR' | 'GY'

interface UnitState {
  kind: UnitKind
  organisation: Organisation
  domain: string
  classes: ClassState[]
  /** Staff indexes of the unit's rektor and teachers. */
  rektor: number
  teachers: number[]
}

interface ClassState {
  group: Group
  schoolType: ClassSchoolType
  schoolYear: number
  members: Person[]
}

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'
/** The n-th parallel-class letter: A, B, …, Z, A2, B2, …. */
const parallel = (n: number) => `${LETTERS.charAt(n % 26)}${n >= 26 ? Math.floor(n / 26) + 1 : ''}`

/**
 * Generates a small fictional school municipality: school units (organisationType Skolenhet only, because the
 * skolverket profile requires a schoolUnitCode on every Organisation), students with enrolments, staff with duties
 * (a rektor per unit, teachers, mentors as assignmentRole on class groups), one Klass group per class, language
 * teaching groups, and one teaching activity per group. Deterministic: the same options give deep-equal output.
 * @throws RangeError on options out of range.
 */
export function generateDataset(options: DatasetOptions = {}): Dataset {
  const settings = {...EXAMPLE_DATASET_OPTIONS, ...options}
  const {persons: studentCount, staff: staffCount, schoolUnits: unitCount, classSize, schoolYear} = settings
  for (const [name, value, min] of [
    ['schoolUnits', unitCount, 1],
    ['persons', studentCount, 0],
    ['staff', staffCount, unitCount],
    ['classSize', classSize, 1],
    ['schoolYear', schoolYear, 1900],
  ] as const) {
    if (!Number.isInteger(value) || value < min)
      throw new RangeError(`generateDataset: ${name} must be an integer >= ${min}`)
  }
  if (!/^[0-9]{4}$/.test(settings.municipalityCode)) {
    throw new RangeError('generateDataset: municipalityCode must be 4 digits')
  }

  const random = createRandom(settings.seed)
  // Ids come from their own stream, so adding a field to the data does not change every id.
  const idRandom = createRandom(settings.seed ^ 0x5ee01d5)
  const usedIds = new Set<string>()
  const newId = (): string => {
    let id = idRandom.uuid()
    while (usedIds.has(id)) id = idRandom.uuid()
    usedIds.add(id)
    return id
  }
  const usedCivicNumbers = new Set<string>()
  const usedEppns = new Set<string>()
  let personIndex = 0
  const termStart = (year: number) => `${year}-08-19`
  const start = termStart(schoolYear)
  const end = `${schoolYear + 1}-06-12`

  const makePerson = (
    birthYear: number,
    domain: string,
    emailType: 'Skola elev' | 'Skola personal',
    enrolments?: Enrolment[],
  ): Person => {
    const index = personIndex++
    const id = newId()
    const sex: Sex = random.chance(0.5) ? 'Kvinna' : 'Man'
    const name = drawName(random, sex)
    let birthDate: string
    let civicNo: string
    do {
      birthDate = random.date(`${birthYear}-01-01`, `${birthYear}-12-31`)
      civicNo = makeCivicNumber(birthDate, serialFor(random, sex), {samordningsnummer: isSamordning(index)})
    } while (usedCivicNumbers.has(civicNo))
    usedCivicNumbers.add(civicNo)
    const local = `${slugify(name.givenName)}.${slugify(name.familyName)}`
    let eppn = `${local}@${domain}`
    for (let n = 2; usedEppns.has(eppn); n++) eppn = `${local}${n}@${domain}`
    usedEppns.add(eppn)
    const securityMarking = isProtected(index) ? 'Skyddad folkbokföring' : 'Ingen'
    return buildPerson({id, name, civicNo, birthDate, sex, securityMarking, eppn, emailType, enrolments})
  }

  // School units. They all belong to the municipality, whose (fictional) organisationsnummer they share. The first
  // staff member per unit is its rektor; the other staff are teachers, spread round-robin over the units.
  const organisationNumber = makeOrganisationNumber(`2120009${String(random.int(0, 99)).padStart(2, '0')}`)
  const usedUnitCodes = new Set<string>()
  const usedDomains = new Set<string>()
  const units: UnitState[] = []
  for (let u = 0; u < unitCount; u++) {
    const kind: UnitKind = u % 2 === 0 ? 'grundskola' : 'gymnasieskola'
    const names = kind === 'grundskola' ? GRUNDSKOLA_NAMES : GYMNASIUM_NAMES(settings.municipality)
    const nth = Math.floor(u / 2)
    const base = names[nth % names.length]!
    const displayName = nth < names.length ? base : `${base} ${Math.floor(nth / names.length) + 1}`
    let domain = `${slugify(displayName)}.example`
    for (let n = 2; usedDomains.has(domain); n++) domain = `${slugify(displayName)}-${n}.example`
    usedDomains.add(domain)
    let schoolUnitCode: string
    do schoolUnitCode = String(random.int(10_000_000, 99_999_999))
    while (usedUnitCodes.has(schoolUnitCode))
    usedUnitCodes.add(schoolUnitCode)
    const organisation: Organisation = {
      id: newId(),
      displayName,
      organisationCode: `EXB${String(u + 1).padStart(3, '0')}`,
      organisationType: 'Skolenhet',
      organisationNumber,
      schoolUnitCode,
      schoolTypes: kind === 'grundskola' ? ['FKLASS', 'GR'] : ['GY'],
      municipalityCode: settings.municipalityCode,
      url: `https://${domain}/`,
      email: `info@${domain}`,
      startDate: `${random.int(1965, 2010)}-07-01`,
    }
    const teachers: number[] = []
    for (let s = unitCount + u; s < staffCount; s += unitCount) teachers.push(s)
    units.push({kind, organisation, domain, classes: [], rektor: u, teachers})
  }
  /** The n-th teacher of a unit in rotation (its rektor when it has no teachers), as a staff index. */
  const teacherAt = (unit: UnitState, n: number): number => unit.teachers[n % unit.teachers.length] ?? unit.rektor

  // Students: grundskolor take twice the share of gymnasieskolor; largest remainder keeps the total exact.
  const weights = units.map((unit) => (unit.kind === 'grundskola' ? 2 : 1))
  const totalWeight = weights.reduce((sum, weight) => sum + weight, 0)
  const shares = weights.map((weight) => (studentCount * weight) / totalWeight)
  const counts = shares.map(Math.floor)
  const byRemainder = shares.map((share, u) => ({u, rest: share - Math.floor(share)}))
  byRemainder.sort((a, b) => b.rest - a.rest || a.u - b.u)
  const missing = studentCount - counts.reduce((sum, count) => sum + count, 0)
  for (let k = 0; k < missing; k++) counts[byRemainder[k]!.u]!++

  const persons: Person[] = []
  const groups: Group[] = []
  for (const [u, unit] of units.entries()) {
    const students = counts[u]!
    const classCount = Math.ceil(students / classSize)
    for (let c = 0; c < classCount; c++) {
      const size = Math.floor(students / classCount) + (c < students % classCount ? 1 : 0)
      let year: number
      let schoolType: ClassSchoolType
      let displayName: string
      let programme: string | undefined
      if (unit.kind === 'grundskola') {
        // Up to ten classes are spread over F–9; beyond that, parallel classes B, C, … follow.
        year = classCount > 10 ? c % 10 : classCount === 1 ? 0 : Math.round((c * 9) / (classCount - 1))
        schoolType = year === 0 ? 'FKLASS' : 'GR'
        displayName = `${year === 0 ? 'F' : year}${parallel(Math.floor(c / 10))}`
      } else {
        // Programme and year repeat every 12 classes; repeats get b, c, ….
        programme = PROGRAMMES[c % PROGRAMMES.length]!
        year = (c % 3) + 1
        schoolType = 'GY'
        const repeat = Math.floor(c / 12)
        displayName = `${programme}${String(schoolYear - year + 1).slice(-2)}${repeat === 0 ? '' : parallel(repeat).toLowerCase()}`
      }
      const groupId = newId()
      const entered = unit.kind === 'grundskola' ? schoolYear - year : schoolYear - year + 1
      const birthYear = unit.kind === 'grundskola' ? schoolYear - 6 - year : schoolYear - 15 - year
      const members: Person[] = []
      for (let s = 0; s < size; s++) {
        const enrolment: Enrolment = {
          enroledAt: ref(unit.organisation),
          schoolYear: year,
          schoolType,
          startDate: termStart(entered),
          ...(programme === undefined ? {} : {educationCode: programme}),
        }
        const person = makePerson(birthYear, unit.domain, 'Skola elev', [enrolment])
        members.push(person)
        persons.push(person)
      }
      const group: Group = {
        id: groupId,
        displayName,
        startDate: start,
        endDate: end,
        groupType: 'Klass',
        schoolType,
        organisation: ref(unit.organisation),
        groupMemberships: members.map((member) => ({person: ref(member), startDate: start})),
      }
      unit.classes.push({group, schoolType, schoolYear: year, members})
      groups.push(group)
    }
  }

  // Mentors: each class gets one of its unit's teachers, recorded as a Mentor assignmentRole on that teacher's Duty.
  const mentorOf = new Map<number, Group[]>()
  for (const unit of units) {
    unit.classes.forEach(({group}, c) => {
      const staff = teacherAt(unit, c)
      mentorOf.set(staff, [...(mentorOf.get(staff) ?? []), group])
    })
  }

  // Staff persons and their duties (one per person), in staff order.
  const duties: Duty[] = []
  const usedSignatures = new Set<string>()
  for (let s = 0; s < staffCount; s++) {
    const unit = units[s % unitCount]!
    const rektor = s === unit.rektor
    const person = makePerson(random.int(1962, 1995), unit.domain, 'Skola personal')
    persons.push(person)
    const base = initials(person)
    let signature = base
    for (let n = 2; usedSignatures.has(signature); n++) signature = `${base}${n}`
    usedSignatures.add(signature)
    const mentorGroups = mentorOf.get(s) ?? []
    const birthYear = Number(person.birthDate!.slice(0, 4))
    duties.push({
      id: newId(),
      person: ref(person),
      ...(mentorGroups.length === 0
        ? {}
        : {
            assignmentRole: mentorGroups.map((group) => ({
              group: ref(group),
              assignmentRoleType: 'Mentor' as const,
              startDate: start,
            })),
          }),
      dutyAt: ref(unit.organisation),
      dutyRole: rektor ? 'Rektor' : 'Lärare',
      signature,
      dutyPercent: rektor ? 100 : random.pick([100, 100, 100, 80, 75, 50]),
      startDate: `${random.int(Math.max(2000, birthYear + 25), schoolYear)}-08-01`,
    })
  }

  // Teaching groups: moderna språk (Spanska åk 6–9, Tyska steg 3, …), for grundskola years 6–9 and every gymnasium
  // student; about 12 per group, each student in one of them.
  const rank = new Map(persons.map((person, index) => [person.id, index]))
  const teachingGroups = new Map<UnitState, Group[]>()
  for (const unit of units) {
    const eligible = unit.classes.flatMap((schoolClass) =>
      schoolClass.schoolType === 'GY' || schoolClass.schoolYear >= 6 ? schoolClass.members : [],
    )
    const groupCount = Math.min(LANGUAGES.length, Math.ceil(eligible.length / 12))
    const shuffled = random.shuffle(eligible)
    const unitGroups: Group[] = []
    for (let g = 0; g < groupCount; g++) {
      const members = shuffled.filter((_, index) => index % groupCount === g)
      members.sort((a, b) => rank.get(a.id)! - rank.get(b.id)!)
      const group: Group = {
        id: newId(),
        displayName: `${LANGUAGES[g]!} ${unit.kind === 'grundskola' ? 'åk 6–9' : 'steg 3'}`,
        startDate: start,
        endDate: end,
        groupType: 'Undervisning',
        schoolType: unit.kind === 'grundskola' ? 'GR' : 'GY',
        organisation: ref(unit.organisation),
        groupMemberships: members.map((member) => ({person: ref(member), startDate: start})),
      }
      unitGroups.push(group)
      groups.push(group)
    }
    teachingGroups.set(unit, unitGroups)
  }

  // Syllabuses (optional), one per subject and school type in use.
  const syllabuses: Syllabus[] = []
  const syllabusByKey = new Map<string, Syllabus>()
  const syllabusOf = (schoolType: 'GR' | 'GY', subject: SubjectDefinition): Syllabus => {
    const key = `${schoolType}:${subject.subjectCode}`
    let syllabus = syllabusByKey.get(key)
    if (!syllabus) {
      syllabus = {
        id: newId(),
        schoolType,
        subjectCode: subject.subjectCode,
        subjectName: subject.name,
        ...(subject.designation === undefined ? {} : {subjectDesignation: subject.designation}),
        ...(schoolType === 'GR' ? {startSchoolYear: 1, endSchoolYear: 9} : {}),
        curriculum: subject.curriculum,
        official: true,
      }
      syllabusByKey.set(key, syllabus)
      syllabuses.push(syllabus)
    }
    return syllabus
  }

  // Activities: one per class (a subject in rotation) and one per teaching group. Teachers are Duty references.
  const activities: Activity[] = []
  for (const unit of units) {
    let rotation = 0
    const activity = (displayName: string, group: Group, minutes: number, syllabus?: Syllabus): Activity => ({
      id: newId(),
      displayName,
      calendarEventsRequired: true,
      startDate: start,
      endDate: end,
      activityType: 'Undervisning',
      minutesPlanned: minutes,
      groups: [ref(group)],
      teachers: [
        {duty: ref(duties[teacherAt(unit, rotation++)]!), startDate: start, grader: group.schoolType !== 'FKLASS'},
      ],
      ...(syllabus === undefined ? {} : {syllabus: ref(syllabus)}),
      organisation: ref(unit.organisation),
    })
    unit.classes.forEach(({group, schoolType}, c) => {
      const subjects = SUBJECTS[schoolType]
      const subject = subjects.length === 0 ? undefined : subjects[c % subjects.length]!
      const syllabus =
        settings.syllabuses && subject !== undefined && schoolType !== 'FKLASS'
          ? syllabusOf(schoolType, subject)
          : undefined
      const minutes = random.pick([2400, 3000, 3600])
      activities.push(activity(`${subject?.name ?? 'Förskoleklass'} ${group.displayName}`, group, minutes, syllabus))
    })
    for (const group of teachingGroups.get(unit) ?? []) activities.push(activity(group.displayName, group, 2160))
  }

  const organisations = units.map((unit) => unit.organisation)
  return settings.syllabuses
    ? {organisations, persons, syllabuses, groups, duties, activities}
    : {organisations, persons, groups, duties, activities}
}

// --- person stream for benchmarks -----------------------------------------------------------------------------------

const STREAM_FIRST_DAY = dayNumber('1940-01-01')
const STREAM_DAYS = dayNumber('2019-12-31') - STREAM_FIRST_DAY + 1
/** Distinct (birth date, serial) pairs: the most persons generatePersons can make without repeating a civic number. */
export const MAX_GENERATED_PERSONS = STREAM_DAYS * 1000
// Multiplying by a number coprime to MAX_GENERATED_PERSONS permutes the slots, so indexes map to distinct numbers
// scattered over all dates and serials. 1_000_003 is prime and does not divide it.
const STREAM_STRIDE = 1_000_003

export interface PersonStreamOptions {
  /** Domain of the EPPNs and emails. Default 'exempelby.example'. */
  domain?: string
  /** An Organisation id: each person gets a GR enrolment there (schoolYear drawn at random), for reference checks. */
  enroledAt?: string
}

/**
 * Yields `count` valid Person objects lazily, one at a time and in constant memory, for benchmarks and streaming
 * tests: nothing is built before it is asked for. Civic numbers are unique by construction (index → distinct
 * birth date and serial), as are EPPNs (the index is part of the local part); every 20th is a samordningsnummer.
 * @throws RangeError when count exceeds MAX_GENERATED_PERSONS or is not a non-negative integer.
 */
export function generatePersons(count: number, seed = 1, options: PersonStreamOptions = {}): Generator<Person> {
  if (!Number.isInteger(count) || count < 0 || count > MAX_GENERATED_PERSONS) {
    throw new RangeError(`generatePersons: count must be an integer 0–${MAX_GENERATED_PERSONS}`)
  }
  return personStream(count, seed, options)
}

function* personStream(count: number, seed: number, options: PersonStreamOptions): Generator<Person> {
  const random = createRandom(seed)
  const offset = random.uint32() % MAX_GENERATED_PERSONS
  const domain = options.domain ?? 'exempelby.example'
  for (let index = 0; index < count; index++) {
    const slot = (index * STREAM_STRIDE + offset) % MAX_GENERATED_PERSONS
    const birthDate = fromDayNumber(STREAM_FIRST_DAY + (slot % STREAM_DAYS))
    const serial = Math.floor(slot / STREAM_DAYS)
    const sex: Sex = serial % 2 === 1 ? 'Man' : 'Kvinna'
    const name = drawName(random, sex)
    const eppn = `${slugify(name.givenName)}.${slugify(name.familyName)}${index + 1}@${domain}`
    const enrolments: Enrolment[] | undefined =
      options.enroledAt === undefined
        ? undefined
        : [
            {
              enroledAt: ref({id: options.enroledAt}),
              schoolYear: random.int(1, 9),
              schoolType: 'GR',
              startDate: '2024-08-19',
            },
          ]
    yield buildPerson({
      id: random.uuid(),
      name,
      civicNo: makeCivicNumber(birthDate, serial, {samordningsnummer: isSamordning(index)}),
      birthDate,
      sex,
      securityMarking: isProtected(index) ? 'Skyddad folkbokföring' : 'Ingen',
      eppn,
      emailType: 'Skola elev',
      enrolments,
    })
  }
}

// --- files and validation -------------------------------------------------------------------------------------------

/** One collection as written to disk: a 2-space indented JSON array and a final newline. */
export function serializeCollection(records: readonly unknown[]): string {
  return `${JSON.stringify(records, null, 2)}\n`
}

/**
 * Writes each collection of the dataset to `<dir>/<collection>.json` (creating `dir`), skipping absent ones.
 * @returns the paths written, in upload order.
 */
export async function writeDataset(dir: string, dataset: Dataset): Promise<string[]> {
  await mkdir(dir, {recursive: true})
  const written: string[] = []
  for (const {key, file} of DATASET_COLLECTIONS) {
    const records = dataset[key]
    if (records === undefined) continue
    const path = join(dir, file)
    await writeFile(path, serializeCollection(records), 'utf8')
    written.push(path)
  }
  return written
}

/**
 * Validates a dataset with the toolkit's ValidationEngine (payload mode, references resolved within the dataset) and
 * returns every issue, errors and warnings, including the unresolved references `finish()` reports.
 */
export function validateDataset(dataset: Partial<Dataset>, profile: ProfileName): Issue[] {
  return validateRecords(
    DATASET_COLLECTIONS.flatMap(({key, file, entity}) => (dataset[key] ?? []).map((value) => ({entity, file, value}))),
    profile,
  )
}

/**
 * Validates records of any entity types with the toolkit's ValidationEngine in one run (payload mode, references
 * resolved among the records, so a reference to anything outside them is an error) and returns every issue, errors
 * and warnings, including the unresolved references `finish()` reports.
 */
export function validateRecords(
  records: Iterable<{entity: EntityName; file: string; value: unknown}>,
  profile: ProfileName,
): Issue[] {
  const engine = new ValidationEngine({profile, mode: 'payload', reveal: false, allowExternalRefs: false})
  const issues: Issue[] = []
  for (const {entity, file, value} of records) {
    issues.push(...engine.validateRecord({entity, value, source: {file}, locate: () => ({file})}).issues)
  }
  issues.push(...engine.finish())
  return issues
}

import {mkdir, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import {DEPENDENCY_ORDER, ENTITY_NAMING, type EntityName} from '../../src/schema/entity-names.js'
import type {
  Absence,
  Activity,
  Attendance,
  AttendanceEvent,
  AttendanceSchedule,
  CalendarEvent,
  Duty,
  Enrolment,
  Grade,
  Group,
  Organisation,
  Person,
  Placement,
  Programme,
  Resource,
  Room,
  SchoolUnitOffering,
  StudyPlan,
  Syllabus,
} from '../../src/schema/model.js'
import {uuidV5} from '../../src/transforms/ids.js'
import {makeCivicNumber, makeOrganisationNumber} from '../../src/validation/identity.js'
import {serializeCollection, slugify} from './fictional.js'

/**
 * A small, hand-written, fictional SS 12000:2020 dataset with a few records of every entity type `serve` serves (all
 * but AggregatedAttendance, which is computed, and Subscription), for read-API tests: conformance of every response
 * body, filters, paging, expand. Unlike `generateDataset` (fictional.ts), which makes many records of the five
 * Skolverket entity types, this one is small and every value is chosen, so tests can filter on known values (see
 * FULL_DATASET_MARKS).
 *
 * Everything is fictional: made-up names, civic numbers with valid check digits from makeCivicNumber, a fictional
 * municipality (code 0999), organisationsnummer with valid check digits, and only `.example` mail and web domains.
 * Ids are UUIDv5 over a fixed namespace and `<Entity>:<key>`, so they never change when records are added.
 * Every reference points at a record of the dataset. It validates with no errors under both profiles
 * ('ss12000-2020' and 'skolverket', payload mode): the Skolverket profile's stricter rules (SPEC-NOTES §4) are met
 * by every record, e.g. every Organisation, the huvudman too, has a schoolUnitCode.
 */

/** The entity types `serve` serves from staging, in dependency order (references mostly point backwards). */
export const SERVED_ENTITIES = DEPENDENCY_ORDER.filter(
  (entity) => entity !== 'AggregatedAttendance' && entity !== 'Subscription',
)

/** One array per served collection, keyed by the collection's path in the read API (`studyplans`, `attendanceSchedule`). */
export interface FullDataset {
  organisations: Organisation[]
  persons: Person[]
  syllabuses: Syllabus[]
  programmes: Programme[]
  schoolUnitOfferings: SchoolUnitOffering[]
  groups: Group[]
  duties: Duty[]
  placements: Placement[]
  studyplans: StudyPlan[]
  rooms: Room[]
  resources: Resource[]
  activities: Activity[]
  calendarEvents: CalendarEvent[]
  attendances: Attendance[]
  attendanceEvents: AttendanceEvent[]
  attendanceSchedule: AttendanceSchedule[]
  grades: Grade[]
  absences: Absence[]
}

/** Every collection of the dataset with its entity type, in dependency order. The key is the collection's path. */
export const FULL_DATASET_COLLECTIONS: ReadonlyArray<{key: keyof FullDataset; entity: EntityName}> =
  SERVED_ENTITIES.map((entity) => ({key: ENTITY_NAMING[entity].collection as keyof FullDataset, entity}))

/** The namespace of the dataset's UUIDv5 ids (a random UUID, fixed once). */
const NAMESPACE = '5d0f3c2a-8e41-4b7a-9c6d-12000f011da7'

/** The id of a record of the dataset, by its entity type and its key in this file (`fullDatasetId('Person', 'barn-1')`). */
export function fullDatasetId(entity: EntityName, key: string): string {
  return uuidV5(NAMESPACE, `${entity}:${key}`)
}

/** The school year the data describes, and the two days that have lessons (winter time and summer time). */
const TERM_START = '2024-08-19'
const TERM_END = '2025-06-12'
const WINTER_DAY = '2025-03-03'
const SUMMER_DAY = '2025-04-07'

/**
 * Values tests can filter on and what each filter should find. Ids are given by key; `fullDatasetId` turns a key into
 * the id. Everything here is also true of `fullDataset()`, which the unit test checks.
 */
export const FULL_DATASET_MARKS = {
  municipalityCode: '0999',
  schoolYear: {start: TERM_START, end: TERM_END},
  /** The huvudman, parent of the three school units. */
  huvudman: {key: 'huvudman', organisationType: 'Huvudman'},
  /** The school units (organisationType Skolenhet) by key, with their codes. */
  schoolUnits: {
    ekbacke: {schoolUnitCode: '90000011', displayName: 'Ekbackeskolan', schoolTypes: ['FKLASS', 'GR', 'FTH']},
    gymnasium: {schoolUnitCode: '90000022', displayName: 'Exempelby gymnasium', schoolTypes: ['GY']},
    forskola: {schoolUnitCode: '90000033', displayName: 'Solrosens förskola', schoolTypes: ['FS']},
  },
  /** The days with calendar events: one in winter time (+01:00), one in summer time (+02:00). */
  calendarDays: {winter: {date: WINTER_DAY, offset: '+01:00'}, summer: {date: SUMMER_DAY, offset: '+02:00'}},
  /** The group types in use, each with the groups (by key) that have it. */
  groupTypes: {
    Klass: ['klass-3a', 'klass-8b', 'klass-na24', 'klass-ek24'],
    Undervisning: ['engelska-8', 'ma1c'],
    Avdelning: ['fritids', 'avd-bla', 'avd-gul'],
  },
  persons: {
    /** A teacher with a Duty at two school units (ekbacke and gymnasium): relationship.entity.type=duty. */
    commuterTeacher: 'larare-pendlare',
    /** A guardian (Vårdnadshavare) of one pupil at ekbacke and one at gymnasium: responsibleFor.enrolment. */
    guardianOfBothUnits: 'vh-ekstrom',
    /** A guardian who owns two placements (preschool and fritidshem): placement.owner, responsibleFor.placement. */
    placementOwner: 'vh-berglund',
    /** A pupil with Skyddad folkbokföring: no emails, securityMarking on the references to it in groups. */
    protectedPupil: 'elev-8b-2',
    /** A pupil with a samordningsnummer (day + 60) as civicNo. */
    samordningsnummer: 'elev-3a-2',
    /** A pupil who left a teaching group (engelska-8) before the term ended: membership endDate 2025-01-31. */
    leftGroup: 'elev-8b-2',
    /** The one person with a middleName ('Lind'). */
    middleName: 'rektor-ekbacke',
  },
  /** Records with an endDate inside the school year, for the endDate windows. */
  endDates: {duty: 'pendlare-gymnasium', placement: 'fritids', attendanceSchedule: 'barn-2-tillfalligt'},
  /** The only groups with no endDate (preschool departments): they match every endDate window. */
  openEndedGroups: ['avd-bla', 'avd-gul'],
  /** The activity with a parentActivity (the Skolverket profile's JSON schema asks for it, SPEC-NOTES §4). */
  childActivity: {key: 'ma1c-prov', parent: 'ma1c'},
  /** The cancelled calendar event. */
  cancelledEvent: 'ma-3a-sommar',
} as const

// --- building blocks -------------------------------------------------------------------------------------------------

type Reference = NonNullable<Organisation['parentOrganisation']>
type PersonReference = Placement['child']
const ref = (entity: EntityName, key: string): Reference => ({id: fullDatasetId(entity, key)})

type Sex = 'Kvinna' | 'Man'

interface PersonSpec {
  key: string
  givenName: string
  middleName?: string
  familyName: string
  sex: Sex
  birthDate: string
  /** Birth serial 0–999: odd for men, even for women, as in real personnummer. */
  serial: number
  samordningsnummer?: boolean
  domain: string
  emailType: 'Privat' | 'Skola elev' | 'Skola personal'
  securityMarking?: 'Skyddad folkbokföring'
  enrolments?: Enrolment[]
  responsibles?: Array<{key: string; relationType: 'Vårdnadshavare' | 'Förälder' | 'God man'}>
  externalId?: string
  home?: {street: string; phone: string}
}

function buildPerson(spec: PersonSpec): Person {
  const eppn = `${slugify(spec.givenName)}.${slugify(spec.familyName)}@${spec.domain}`
  const protectedIdentity = spec.securityMarking !== undefined
  return {
    id: fullDatasetId('Person', spec.key),
    givenName: spec.givenName,
    ...(spec.middleName === undefined ? {} : {middleName: spec.middleName}),
    familyName: spec.familyName,
    eduPersonPrincipalNames: [eppn],
    ...(spec.externalId === undefined
      ? {}
      : {
          externalIdentifiers: [
            {value: spec.externalId, context: 'https://idp.exempelby.example/ad', globallyUnique: false},
          ],
        }),
    civicNo: {
      value: makeCivicNumber(spec.birthDate, spec.serial, {samordningsnummer: spec.samordningsnummer === true}),
      nationality: 'SE',
    },
    birthDate: spec.birthDate,
    sex: spec.sex,
    securityMarking: spec.securityMarking ?? 'Ingen',
    personStatus: 'Aktiv',
    // Persons with Skyddad folkbokföring get no contact details (SPEC-NOTES §5.9).
    ...(protectedIdentity ? {} : {emails: [{value: eppn, type: spec.emailType}]}),
    ...(protectedIdentity || spec.home === undefined
      ? {}
      : {
          phoneNumbers: [{value: spec.home.phone, type: 'Hem' as const, mobile: true}],
          addresses: [
            {
              type: 'Folkbokföring' as const,
              streetAddress: spec.home.street,
              locality: 'Exempelby',
              postalCode: '999 01',
              countyCode: 99,
              municipalityCode: 999,
              country: 'Sverige',
            },
          ],
        }),
    ...(spec.enrolments === undefined ? {} : {enrolments: spec.enrolments}),
    ...(spec.responsibles === undefined
      ? {}
      : {
          responsibles: spec.responsibles.map(({key, relationType}) => ({
            person: ref('Person', key),
            relationType,
          })),
        }),
  }
}

const grEnrolment = (schoolYear: number, startDate: string): Enrolment => ({
  enroledAt: ref('Organisation', 'ekbacke'),
  schoolYear,
  schoolType: 'GR',
  startDate,
})
const gyEnrolment = (programme: string, educationCode: string): Enrolment => ({
  enroledAt: ref('Organisation', 'gymnasium'),
  schoolYear: 1,
  schoolType: 'GY',
  startDate: TERM_START,
  educationCode,
  programme: ref('Programme', programme),
})

const EKBACKE = 'ekbackeskolan.example'
const GYMNASIUM = 'exempelby-gymnasium.example'
const FORSKOLA = 'solrosens-forskola.example'
const KOMMUN = 'exempelby.example'

const PERSONS: PersonSpec[] = [
  // Pupils at Ekbackeskolan (GR).
  {
    key: 'elev-3a-1',
    givenName: 'Saga',
    familyName: 'Berglund',
    sex: 'Kvinna',
    birthDate: '2015-04-12',
    serial: 482,
    domain: EKBACKE,
    emailType: 'Skola elev',
    enrolments: [grEnrolment(3, '2022-08-17')],
    responsibles: [{key: 'vh-berglund', relationType: 'Vårdnadshavare'}],
  },
  {
    key: 'elev-3a-2',
    givenName: 'Noah',
    familyName: 'Yilmaz',
    sex: 'Man',
    birthDate: '2015-09-30',
    serial: 317,
    samordningsnummer: true,
    domain: EKBACKE,
    emailType: 'Skola elev',
    enrolments: [grEnrolment(3, '2022-08-17')],
  },
  {
    key: 'elev-8b-1',
    givenName: 'Elsa',
    familyName: 'Ekström',
    sex: 'Kvinna',
    birthDate: '2010-02-14',
    serial: 226,
    domain: EKBACKE,
    emailType: 'Skola elev',
    enrolments: [grEnrolment(8, '2017-08-17')],
    responsibles: [{key: 'vh-ekstrom', relationType: 'Vårdnadshavare'}],
  },
  {
    key: 'elev-8b-2',
    givenName: 'Ali',
    familyName: 'Hassan',
    sex: 'Man',
    birthDate: '2010-11-03',
    serial: 153,
    domain: EKBACKE,
    emailType: 'Skola elev',
    securityMarking: 'Skyddad folkbokföring',
    enrolments: [grEnrolment(8, '2023-01-09')],
    responsibles: [{key: 'god-man', relationType: 'God man'}],
  },
  // Pupils at Exempelby gymnasium (GY).
  {
    key: 'elev-na-1',
    givenName: 'Hugo',
    familyName: 'Ekström',
    sex: 'Man',
    birthDate: '2008-06-21',
    serial: 375,
    domain: GYMNASIUM,
    emailType: 'Skola elev',
    enrolments: [gyEnrolment('na-nat', 'NANAT')],
    responsibles: [{key: 'vh-ekstrom', relationType: 'Vårdnadshavare'}],
    externalId: 'hugek01',
  },
  {
    key: 'elev-na-2',
    givenName: 'Wilma',
    familyName: 'Andersson Åkerlund',
    sex: 'Kvinna',
    birthDate: '2008-01-09',
    serial: 664,
    domain: GYMNASIUM,
    emailType: 'Skola elev',
    enrolments: [gyEnrolment('na-nat', 'NANAT')],
    externalId: 'wilan01',
  },
  {
    key: 'elev-ek-1',
    givenName: 'Oskar',
    familyName: 'Lindgren',
    sex: 'Man',
    birthDate: '2008-10-27',
    serial: 519,
    domain: GYMNASIUM,
    emailType: 'Skola elev',
    enrolments: [gyEnrolment('ek', 'EKEKO')],
  },
  // Children at Solrosens förskola (placements, no enrolments).
  {
    key: 'barn-1',
    givenName: 'Alve',
    familyName: 'Berglund',
    sex: 'Man',
    birthDate: '2021-03-15',
    serial: 231,
    domain: FORSKOLA,
    emailType: 'Privat',
    responsibles: [{key: 'vh-berglund', relationType: 'Vårdnadshavare'}],
  },
  {
    key: 'barn-2',
    givenName: 'Tyra',
    familyName: 'Nyström',
    sex: 'Kvinna',
    birthDate: '2020-07-07',
    serial: 804,
    domain: FORSKOLA,
    emailType: 'Privat',
    responsibles: [{key: 'vh-nystrom', relationType: 'Förälder'}],
  },
  // Guardians and a god man.
  {
    key: 'vh-ekstrom',
    givenName: 'Anders',
    familyName: 'Ekström',
    sex: 'Man',
    birthDate: '1978-05-02',
    serial: 113,
    domain: KOMMUN,
    emailType: 'Privat',
    home: {street: 'Ekbacksvägen 3', phone: '070-000 00 01'},
  },
  {
    key: 'vh-berglund',
    givenName: 'Maria',
    familyName: 'Berglund',
    sex: 'Kvinna',
    birthDate: '1986-12-01',
    serial: 248,
    domain: KOMMUN,
    emailType: 'Privat',
    home: {street: 'Solrosgatan 12', phone: '070-000 00 02'},
  },
  {
    key: 'god-man',
    givenName: 'Karin',
    familyName: 'Sjöberg',
    sex: 'Kvinna',
    birthDate: '1969-08-19',
    serial: 562,
    domain: KOMMUN,
    emailType: 'Privat',
  },
  {
    key: 'vh-nystrom',
    givenName: 'Johan',
    familyName: 'Nyström',
    sex: 'Man',
    birthDate: '1990-02-28',
    serial: 391,
    domain: KOMMUN,
    emailType: 'Privat',
  },
  // Staff.
  {
    key: 'rektor-ekbacke',
    givenName: 'Eva-Lena',
    middleName: 'Lind',
    familyName: 'Holm',
    sex: 'Kvinna',
    birthDate: '1970-03-11',
    serial: 424,
    domain: EKBACKE,
    emailType: 'Skola personal',
    externalId: 'evaho01',
  },
  {
    key: 'rektor-gymnasium',
    givenName: 'Göran',
    familyName: 'Åberg',
    sex: 'Man',
    birthDate: '1966-09-05',
    serial: 137,
    domain: GYMNASIUM,
    emailType: 'Skola personal',
    externalId: 'gorab01',
  },
  {
    key: 'larare-pendlare',
    givenName: 'Linnéa',
    familyName: 'Sandberg',
    sex: 'Kvinna',
    birthDate: '1984-11-23',
    serial: 686,
    domain: KOMMUN,
    emailType: 'Skola personal',
    externalId: 'linsa01',
  },
  {
    key: 'larare-ekbacke',
    givenName: 'Måns',
    familyName: 'Öberg',
    sex: 'Man',
    birthDate: '1979-01-17',
    serial: 275,
    domain: EKBACKE,
    emailType: 'Skola personal',
    externalId: 'manob01',
  },
  {
    key: 'larare-gymnasium',
    givenName: 'Selma',
    familyName: 'Hägglund',
    sex: 'Kvinna',
    birthDate: '1988-04-04',
    serial: 802,
    domain: GYMNASIUM,
    emailType: 'Skola personal',
    externalId: 'selha01',
  },
  {
    key: 'forskollarare',
    givenName: 'Per-Olof',
    familyName: 'Wallin',
    sex: 'Man',
    birthDate: '1975-06-30',
    serial: 159,
    domain: FORSKOLA,
    emailType: 'Skola personal',
    externalId: 'perwa01',
  },
]

const PROTECTED = new Set(PERSONS.filter((spec) => spec.securityMarking !== undefined).map((spec) => spec.key))

/** A PersonReference; references to a protected person carry its security marking, as the standard allows. */
function personRef(key: string): PersonReference {
  if (!PERSONS.some((spec) => spec.key === key)) throw new Error(`full dataset: no person '${key}'`)
  return PROTECTED.has(key)
    ? {id: fullDatasetId('Person', key), securityMarking: 'Skyddad folkbokföring'}
    : {id: fullDatasetId('Person', key)}
}

/** A date-time on one of the lesson days, with that day's offset. */
const winter = (time: string) => `${WINTER_DAY}T${time}:00+01:00`
const summer = (time: string) => `${SUMMER_DAY}T${time}:00+02:00`

function buildOrganisations(): Organisation[] {
  const unit = (
    key: keyof typeof FULL_DATASET_MARKS.schoolUnits,
    organisationCode: string,
    startDate: string,
  ): Organisation => {
    const mark = FULL_DATASET_MARKS.schoolUnits[key]
    const domain = `${slugify(mark.displayName)}.example`
    return {
      id: fullDatasetId('Organisation', key),
      displayName: mark.displayName,
      organisationCode,
      organisationType: 'Skolenhet',
      parentOrganisation: ref('Organisation', 'huvudman'),
      schoolUnitCode: mark.schoolUnitCode,
      schoolTypes: [...mark.schoolTypes],
      municipalityCode: FULL_DATASET_MARKS.municipalityCode,
      url: `https://${domain}/`,
      email: `info@${domain}`,
      startDate,
    }
  }
  return [
    {
      id: fullDatasetId('Organisation', 'huvudman'),
      displayName: 'Exempelby kommun',
      organisationCode: 'EXB',
      organisationType: 'Huvudman',
      organisationNumber: makeOrganisationNumber('212000999'),
      // Skolverket's profile requires a schoolUnitCode on every Organisation (SPEC-NOTES §4), the huvudman too.
      schoolUnitCode: '90000000',
      municipalityCode: FULL_DATASET_MARKS.municipalityCode,
      url: `https://${KOMMUN}/`,
      email: `registrator@${KOMMUN}`,
      phoneNumber: '0999-100 00',
      contactInfo: [{infoType: 'Publik', info: 'Växel 0999-100 00, vardagar 8–16'}],
      startDate: '1971-01-01',
    },
    unit('ekbacke', 'EXB-EKB', '1968-07-01'),
    unit('gymnasium', 'EXB-GYM', '1994-07-01'),
    unit('forskola', 'EXB-SOL', '2005-08-01'),
  ]
}

function buildSyllabuses(): Syllabus[] {
  const gr = (key: string, subjectCode: string, subjectName: string, subjectDesignation: string): Syllabus => ({
    id: fullDatasetId('Syllabus', key),
    schoolType: 'GR',
    subjectCode,
    subjectName,
    subjectDesignation,
    startSchoolYear: 1,
    endSchoolYear: 9,
    curriculum: 'GR2011',
    official: true,
  })
  const gy = (key: string, subjectCode: string, subjectName: string, courseCode: string, courseName: string) => ({
    id: fullDatasetId('Syllabus', key),
    schoolType: 'GY' as const,
    subjectCode,
    subjectName,
    courseCode,
    courseName,
    points: 100,
    curriculum: 'GY2011' as const,
    official: true,
  })
  return [
    gr('gr-ma', 'GRGRMAT01', 'Matematik', 'MA'),
    gr('gr-en', 'GRGRENG01', 'Engelska', 'EN'),
    gr('gr-sv', 'GRGRSVE01', 'Svenska', 'SV'),
    gy('gy-ma1b', 'MAT', 'Matematik', 'MATMAT01b', 'Matematik 1b'),
    gy('gy-ma1c', 'MAT', 'Matematik', 'MATMAT01c', 'Matematik 1c'),
    {...gy('gy-en5', 'ENG', 'Engelska', 'ENGENG05', 'Engelska 5'), languageCode: 'eng'},
  ]
}

function buildProgrammes(): Programme[] {
  return [
    {
      id: fullDatasetId('Programme', 'na'),
      name: 'Naturvetenskapsprogrammet',
      type: 'Högskoleförberedande program',
      schoolType: 'GY',
      code: 'NA',
      content: [
        {type: 'Gymnasiegemensamma', points: 200, content: [ref('Syllabus', 'gy-ma1c'), ref('Syllabus', 'gy-en5')]},
      ],
    },
    {
      id: fullDatasetId('Programme', 'na-nat'),
      name: 'Naturvetenskap',
      type: 'Programinriktning',
      parentProgramme: ref('Programme', 'na'),
      schoolType: 'GY',
      code: 'NANAT',
    },
    {
      id: fullDatasetId('Programme', 'ek'),
      name: 'Ekonomiprogrammet',
      type: 'Högskoleförberedande program',
      schoolType: 'GY',
      code: 'EK',
      content: [
        {type: 'Gymnasiegemensamma', points: 200, content: [ref('Syllabus', 'gy-ma1b'), ref('Syllabus', 'gy-en5')]},
      ],
    },
  ]
}

function buildSchoolUnitOfferings(): SchoolUnitOffering[] {
  return [
    {
      id: fullDatasetId('SchoolUnitOffering', 'ekbacke'),
      startDate: '2024-07-01',
      endDate: '2025-06-30',
      offeredAt: ref('Organisation', 'ekbacke'),
      offeredSyllabuses: ['gr-ma', 'gr-en', 'gr-sv'].map((key) => ref('Syllabus', key)),
    },
    {
      id: fullDatasetId('SchoolUnitOffering', 'gymnasium'),
      startDate: '2024-07-01',
      offeredAt: ref('Organisation', 'gymnasium'),
      offeredSyllabuses: ['gy-ma1b', 'gy-ma1c', 'gy-en5'].map((key) => ref('Syllabus', key)),
      offeredProgrammes: ['na', 'na-nat', 'ek'].map((key) => ref('Programme', key)),
    },
  ]
}

function buildGroups(): Group[] {
  const group = (
    key: string,
    displayName: string,
    groupType: Group['groupType'],
    schoolType: NonNullable<Group['schoolType']>,
    organisation: string,
    members: Array<string | {key: string; endDate: string}>,
    /** The group's dates: the school year, or (preschool departments) a start and no end. */
    {startDate, endDate}: {startDate: string; endDate?: string} = {startDate: TERM_START, endDate: TERM_END},
  ): Group => ({
    id: fullDatasetId('Group', key),
    displayName,
    startDate,
    ...(endDate === undefined ? {} : {endDate}),
    groupType,
    schoolType,
    organisation: ref('Organisation', organisation),
    groupMemberships: members.map((member) =>
      typeof member === 'string'
        ? {person: personRef(member), startDate}
        : {person: personRef(member.key), startDate, endDate: member.endDate},
    ),
  })
  return [
    group('klass-3a', '3A', 'Klass', 'GR', 'ekbacke', ['elev-3a-1', 'elev-3a-2']),
    group('klass-8b', '8B', 'Klass', 'GR', 'ekbacke', ['elev-8b-1', 'elev-8b-2']),
    group('engelska-8', 'Engelska åk 8', 'Undervisning', 'GR', 'ekbacke', [
      'elev-8b-1',
      {key: 'elev-8b-2', endDate: '2025-01-31'},
    ]),
    group('fritids', 'Fritids Ekbacken', 'Avdelning', 'FTH', 'ekbacke', ['elev-3a-1']),
    group('klass-na24', 'NA24', 'Klass', 'GY', 'gymnasium', ['elev-na-1', 'elev-na-2']),
    group('klass-ek24', 'EK24', 'Klass', 'GY', 'gymnasium', ['elev-ek-1']),
    group('ma1c', 'Matematik 1c NA24', 'Undervisning', 'GY', 'gymnasium', ['elev-na-1', 'elev-na-2']),
    group('avd-bla', 'Avdelning Blå', 'Avdelning', 'FS', 'forskola', ['barn-1'], {startDate: '2024-08-01'}),
    group('avd-gul', 'Avdelning Gul', 'Avdelning', 'FS', 'forskola', ['barn-2'], {startDate: '2024-08-01'}),
  ]
}

function buildDuties(): Duty[] {
  const role = (
    group: string,
    assignmentRoleType: NonNullable<Duty['assignmentRole']>[number]['assignmentRoleType'],
    startDate = TERM_START,
  ) => ({group: ref('Group', group), assignmentRoleType, startDate})
  const duty = (key: string, person: string, fields: Omit<Duty, 'id' | 'person'>): Duty => ({
    id: fullDatasetId('Duty', key),
    person: personRef(person),
    ...fields,
  })
  return [
    duty('rektor-ekbacke', 'rektor-ekbacke', {
      dutyAt: ref('Organisation', 'ekbacke'),
      dutyRole: 'Rektor',
      signature: 'EHO',
      dutyPercent: 100,
      startDate: '2015-08-01',
    }),
    duty('rektor-gymnasium', 'rektor-gymnasium', {
      dutyAt: ref('Organisation', 'gymnasium'),
      dutyRole: 'Rektor',
      signature: 'GÅB',
      dutyPercent: 100,
      startDate: '2012-08-01',
    }),
    duty('pendlare-ekbacke', 'larare-pendlare', {
      assignmentRole: [role('klass-8b', 'Mentor')],
      dutyAt: ref('Organisation', 'ekbacke'),
      dutyRole: 'Lärare',
      signature: 'LSA',
      dutyPercent: 50,
      startDate: '2019-08-01',
    }),
    duty('pendlare-gymnasium', 'larare-pendlare', {
      dutyAt: ref('Organisation', 'gymnasium'),
      dutyRole: 'Lärare',
      signature: 'LSA',
      dutyPercent: 50,
      startDate: '2023-08-01',
      endDate: '2025-06-30',
    }),
    duty('larare-ekbacke', 'larare-ekbacke', {
      assignmentRole: [role('klass-3a', 'Mentor'), role('fritids', 'Fritidspedagog')],
      dutyAt: ref('Organisation', 'ekbacke'),
      dutyRole: 'Lärare',
      signature: 'MÖB',
      dutyPercent: 100,
      hoursPerYear: 1767,
      startDate: '2010-08-01',
    }),
    duty('larare-gymnasium', 'larare-gymnasium', {
      assignmentRole: [role('klass-na24', 'Mentor'), {...role('klass-ek24', 'Mentor'), endDate: '2025-01-31'}],
      dutyAt: ref('Organisation', 'gymnasium'),
      dutyRole: 'Lärare',
      signature: 'SHÄ',
      dutyPercent: 80,
      startDate: '2016-08-01',
    }),
    duty('forskollarare', 'forskollarare', {
      assignmentRole: [role('avd-bla', 'Förskollärare', '2024-08-01'), role('avd-gul', 'Förskollärare', '2024-08-01')],
      dutyAt: ref('Organisation', 'forskola'),
      dutyRole: 'Förskollärare',
      signature: 'PWA',
      dutyPercent: 100,
      startDate: '2008-08-01',
    }),
  ]
}

function buildPlacements(): Placement[] {
  return [
    {
      id: fullDatasetId('Placement', 'barn-1'),
      placedAt: ref('Organisation', 'forskola'),
      group: ref('Group', 'avd-bla'),
      child: personRef('barn-1'),
      owners: [personRef('vh-berglund')],
      schoolType: 'FS',
      startDate: '2022-08-15',
      reason: 'Omsorg',
      maxWeeklyScheduleHours: 40,
    },
    {
      id: fullDatasetId('Placement', 'barn-2'),
      placedAt: ref('Organisation', 'forskola'),
      group: ref('Group', 'avd-gul'),
      child: personRef('barn-2'),
      owners: [personRef('vh-nystrom')],
      schoolType: 'FS',
      startDate: '2021-08-16',
      reason: 'Erbjuden tid',
      maxWeeklyScheduleHours: 15,
    },
    {
      id: fullDatasetId('Placement', 'fritids'),
      placedAt: ref('Organisation', 'ekbacke'),
      group: ref('Group', 'fritids'),
      child: personRef('elev-3a-1'),
      owners: [personRef('vh-berglund')],
      schoolType: 'FTH',
      startDate: '2021-08-16',
      endDate: TERM_END,
      reason: 'Omsorg',
    },
  ]
}

function buildStudyPlans(): StudyPlan[] {
  return [
    {
      id: fullDatasetId('StudyPlan', 'elev-na-1'),
      student: personRef('elev-na-1'),
      content: [
        {
          title: 'Gymnasiegemensamma ämnen',
          type: 'Gymnasiegemensamma',
          points: 200,
          syllabuses: [
            {syllabus: ref('Syllabus', 'gy-ma1c'), startDate: TERM_START, endDate: TERM_END, hours: 90},
            {syllabus: ref('Syllabus', 'gy-en5'), startDate: TERM_START, note: 'Läses i helklass'},
          ],
        },
      ],
      notes: [{type: 'Elevens mål med studierna', note: 'Vill läsa vidare till civilingenjör.'}],
      startDate: TERM_START,
      endDate: '2027-06-15',
    },
    {
      id: fullDatasetId('StudyPlan', 'elev-ek-1'),
      student: personRef('elev-ek-1'),
      content: [
        {
          type: 'Gymnasiegemensamma',
          syllabuses: [{syllabus: ref('Syllabus', 'gy-ma1b')}, {syllabus: ref('Syllabus', 'gy-en5')}],
        },
      ],
      startDate: TERM_START,
    },
  ]
}

function buildRooms(): Room[] {
  return [
    {id: fullDatasetId('Room', 'sal-12'), displayName: 'Sal 12', seats: 28, owner: ref('Organisation', 'ekbacke')},
    {id: fullDatasetId('Room', 'b204'), displayName: 'B204', seats: 32, owner: ref('Organisation', 'gymnasium')},
    {id: fullDatasetId('Room', 'idrottshall'), displayName: 'Idrottshallen', owner: ref('Organisation', 'gymnasium')},
  ]
}

function buildResources(): Resource[] {
  return [
    {
      id: fullDatasetId('Resource', 'projektor'),
      displayName: 'Projektor 12',
      description: 'Bärbar projektor, bokas i Sal 12',
      owner: ref('Organisation', 'ekbacke'),
    },
    {
      id: fullDatasetId('Resource', 'chromebooks'),
      displayName: 'Klassuppsättning Chromebooks',
      owner: ref('Organisation', 'gymnasium'),
    },
  ]
}

function buildActivities(): Activity[] {
  const activity = (
    key: string,
    displayName: string,
    organisation: string,
    fields: Omit<Activity, 'id' | 'displayName' | 'organisation' | 'calendarEventsRequired' | 'startDate'> &
      Partial<Pick<Activity, 'calendarEventsRequired' | 'startDate'>>,
  ): Activity => ({
    id: fullDatasetId('Activity', key),
    displayName,
    calendarEventsRequired: true,
    startDate: TERM_START,
    endDate: TERM_END,
    ...fields,
    organisation: ref('Organisation', organisation),
  })
  const teacher = (duty: string, extra: {grader?: boolean; minutesPlanned?: number} = {}) => ({
    duty: ref('Duty', duty),
    startDate: TERM_START,
    ...extra,
  })
  return [
    activity('ma-3a', 'Matematik 3A', 'ekbacke', {
      activityType: 'Undervisning',
      minutesPlanned: 6000,
      groups: [ref('Group', 'klass-3a')],
      teachers: [teacher('larare-ekbacke', {grader: false})],
      syllabus: ref('Syllabus', 'gr-ma'),
    }),
    activity('en-8', 'Engelska åk 8', 'ekbacke', {
      activityType: 'Undervisning',
      minutesPlanned: 2400,
      groups: [ref('Group', 'engelska-8')],
      teachers: [teacher('pendlare-ekbacke', {grader: true, minutesPlanned: 2400})],
      syllabus: ref('Syllabus', 'gr-en'),
    }),
    activity('mentor-8b', 'Mentorstid 8B', 'ekbacke', {
      activityType: 'Elevaktivitet',
      comment: 'Klassråd varannan vecka',
      groups: [ref('Group', 'klass-8b')],
      teachers: [teacher('pendlare-ekbacke')],
    }),
    activity('ma1c', 'Matematik 1c NA24', 'gymnasium', {
      activityType: 'Undervisning',
      minutesPlanned: 5400,
      groups: [ref('Group', 'ma1c')],
      teachers: [teacher('pendlare-gymnasium'), teacher('larare-gymnasium', {grader: true})],
      syllabus: ref('Syllabus', 'gy-ma1c'),
    }),
    activity('ma1c-prov', 'Matematik 1c, nationellt prov', 'gymnasium', {
      calendarEventsRequired: false,
      startDate: SUMMER_DAY,
      endDate: SUMMER_DAY,
      activityType: 'Provaktivitet',
      groups: [ref('Group', 'ma1c')],
      teachers: [teacher('larare-gymnasium')],
      syllabus: ref('Syllabus', 'gy-ma1c'),
      parentActivity: ref('Activity', 'ma1c'),
    }),
    activity('en5', 'Engelska 5 NA24/EK24', 'gymnasium', {
      activityType: 'Undervisning',
      minutesPlanned: 5400,
      groups: [ref('Group', 'klass-na24'), ref('Group', 'klass-ek24')],
      teachers: [teacher('larare-gymnasium', {grader: true})],
      syllabus: ref('Syllabus', 'gy-en5'),
    }),
  ]
}

/**
 * Exceptions are built apart from the event literal: the TypeScript type model.ts infers for them lacks `student` and
 * `duty` (its `exception()` helper spreads a conditional object), although the schema has and requires them.
 */
const studentException = (key: string, participates: boolean, extra: Record<string, unknown> = {}) => ({
  student: personRef(key),
  participates,
  ...extra,
})
const teacherException = (key: string, participates: boolean, extra: Record<string, unknown> = {}) => ({
  duty: ref('Duty', key),
  participates,
  ...extra,
})

function buildCalendarEvents(): CalendarEvent[] {
  const event = (
    key: string,
    activity: string,
    startTime: string,
    endTime: string,
    fields: Omit<CalendarEvent, 'id' | 'activity' | 'startTime' | 'endTime'> = {},
  ): CalendarEvent => ({
    id: fullDatasetId('CalendarEvent', key),
    activity: ref('Activity', activity),
    startTime,
    endTime,
    ...fields,
  })
  return [
    event('ma-3a-vinter', 'ma-3a', winter('08:30'), winter('09:30'), {
      teachingLengthTeacher: 60,
      teachingLengthStudent: 60,
      rooms: [ref('Room', 'sal-12')],
      resources: [ref('Resource', 'projektor')],
    }),
    event('en-8-vinter', 'en-8', winter('10:00'), winter('11:00'), {
      studentExceptions: [studentException('elev-8b-1', false)],
      rooms: [ref('Room', 'sal-12')],
    }),
    event('ma1c-vinter', 'ma1c', winter('13:00'), winter('14:20'), {
      cancelled: false,
      teacherExceptions: [
        teacherException('pendlare-gymnasium', false),
        teacherException('larare-gymnasium', true, {
          startTime: winter('13:00'),
          endTime: winter('13:40'),
          teachingLength: 40,
        }),
      ],
      rooms: [ref('Room', 'b204')],
      resources: [ref('Resource', 'chromebooks')],
    }),
    event('ma-3a-sommar', 'ma-3a', summer('08:30'), summer('09:30'), {cancelled: true, comment: 'Studiedag'}),
    event('mentor-8b-sommar', 'mentor-8b', summer('08:10'), summer('08:30'), {rooms: [ref('Room', 'sal-12')]}),
    event('ma1c-prov-sommar', 'ma1c-prov', summer('09:00'), summer('12:00'), {
      teachingLengthStudent: 180,
      studentExceptions: [
        studentException('elev-na-2', true, {
          startTime: summer('09:00'),
          endTime: summer('13:00'),
          teachingLength: 240,
        }),
      ],
      rooms: [ref('Room', 'idrottshall')],
    }),
    event('en5-sommar', 'en5', summer('13:00'), summer('14:00'), {rooms: [ref('Room', 'b204')]}),
  ]
}

function buildAttendances(): Attendance[] {
  const attendance = (
    key: string,
    calendarEvent: string,
    student: string,
    reporter: string,
    reportedTimestamp: string,
    minutes: Pick<Attendance, 'attendanceMinutes'> & Partial<Attendance>,
  ): Attendance => ({
    id: fullDatasetId('Attendance', key),
    calendarEvent: ref('CalendarEvent', calendarEvent),
    student: personRef(student),
    reporter: personRef(reporter),
    isReported: true,
    ...minutes,
    reportedTimestamp,
  })
  return [
    attendance('ma-3a-1', 'ma-3a-vinter', 'elev-3a-1', 'larare-ekbacke', winter('09:35'), {attendanceMinutes: 60}),
    attendance('ma-3a-2', 'ma-3a-vinter', 'elev-3a-2', 'larare-ekbacke', winter('09:35'), {
      attendanceMinutes: 45,
      invalidAbsenceMinutes: 15,
      absenceReason: 'Sen ankomst',
    }),
    attendance('ma1c-1', 'ma1c-vinter', 'elev-na-1', 'larare-gymnasium', winter('14:25'), {attendanceMinutes: 80}),
    attendance('ma1c-2', 'ma1c-vinter', 'elev-na-2', 'larare-gymnasium', winter('14:25'), {
      attendanceMinutes: 0,
      validAbsenceMinutes: 80,
      absenceReason: 'Sjuk',
    }),
  ]
}

function buildAttendanceEvents(): AttendanceEvent[] {
  const event = (
    key: string,
    person: string,
    group: string,
    eventType: 'In' | 'Ut',
    time: string,
    registeredBy: string,
  ): AttendanceEvent => ({
    id: fullDatasetId('AttendanceEvent', key),
    time,
    eventType,
    person: personRef(person),
    registeredBy: personRef(registeredBy),
    group: ref('Group', group),
  })
  return [
    event('barn-1-in', 'barn-1', 'avd-bla', 'In', winter('07:42'), 'forskollarare'),
    event('barn-1-ut', 'barn-1', 'avd-bla', 'Ut', winter('16:05'), 'vh-berglund'),
    event('barn-2-in', 'barn-2', 'avd-gul', 'In', summer('08:15'), 'forskollarare'),
    event('barn-2-ut', 'barn-2', 'avd-gul', 'Ut', summer('13:30'), 'forskollarare'),
  ]
}

function buildAttendanceSchedules(): AttendanceSchedule[] {
  const weekdays = ['Måndag', 'Tisdag', 'Onsdag', 'Torsdag', 'Fredag'] as const
  return [
    {
      id: fullDatasetId('AttendanceSchedule', 'barn-1'),
      placement: ref('Placement', 'barn-1'),
      numberOfWeeks: 1,
      startDate: TERM_START,
      temporary: false,
      state: [{state: 'Godkänt', registeredAt: '2024-08-12T10:00:00+02:00', registeredBy: personRef('vh-berglund')}],
      scheduleEntries: weekdays.map((dayOfWeek) => ({weekOffset: 0, dayOfWeek, startTime: '07:30', length: 540})),
    },
    {
      id: fullDatasetId('AttendanceSchedule', 'barn-2-tillfalligt'),
      placement: ref('Placement', 'barn-2'),
      numberOfWeeks: 2,
      startDate: '2025-03-31',
      endDate: '2025-04-25',
      temporary: true,
      state: [
        {state: 'Begärt', registeredAt: '2025-03-10T19:12:00+01:00', registeredBy: personRef('vh-nystrom')},
        {
          state: 'Godkänt',
          registeredAt: '2025-03-12T08:30:00+01:00',
          comment: 'Tillfälligt schema under föräldraledighet',
          registeredBy: personRef('forskollarare'),
        },
      ],
      scheduleEntries: [
        {weekOffset: 0, dayOfWeek: 'Måndag', startTime: '08:15', length: 300},
        {weekOffset: 0, dayOfWeek: 'Onsdag', startTime: '08:15', length: 300},
        {weekOffset: 1, dayOfWeek: 'Tisdag', startTime: '08:15', length: 300},
      ],
    },
  ]
}

function buildGrades(): Grade[] {
  const grade = (key: string, fields: Omit<Grade, 'id'>): Grade => ({id: fullDatasetId('Grade', key), ...fields})
  return [
    grade('elev-na-1-ma1c', {
      student: personRef('elev-na-1'),
      organisation: ref('Organisation', 'gymnasium'),
      registeredBy: personRef('larare-gymnasium'),
      gradingTeacher: personRef('larare-gymnasium'),
      group: ref('Group', 'ma1c'),
      registeredDate: '2025-01-20',
      gradeValue: 'A',
      finalGrade: true,
      adaptedStudyPlan: '',
      semester: 'HT',
      year: 2024,
      syllabus: ref('Syllabus', 'gy-ma1c'),
    }),
    grade('elev-na-2-ma1c', {
      student: personRef('elev-na-2'),
      organisation: ref('Organisation', 'gymnasium'),
      registeredBy: personRef('rektor-gymnasium'),
      gradingTeacher: personRef('larare-gymnasium'),
      group: ref('Group', 'ma1c'),
      registeredDate: '2025-02-03',
      gradeValue: 'E',
      finalGrade: true,
      trial: false,
      adaptedStudyPlan: '',
      remark: 'Rättat efter omprövning',
      converted: false,
      correctionType: 'Rättelse',
      semester: 'HT',
      year: 2024,
      syllabus: ref('Syllabus', 'gy-ma1c'),
    }),
    grade('elev-ek-1-en5', {
      student: personRef('elev-ek-1'),
      organisation: ref('Organisation', 'gymnasium'),
      gradingTeacher: personRef('larare-gymnasium'),
      group: ref('Group', 'klass-ek24'),
      registeredDate: '2025-01-21',
      gradeValue: 'C',
      finalGrade: true,
      adaptedStudyPlan: '',
      semester: 'HT',
      year: 2024,
      syllabus: ref('Syllabus', 'gy-en5'),
    }),
    grade('elev-8b-1-en', {
      student: personRef('elev-8b-1'),
      organisation: ref('Organisation', 'ekbacke'),
      gradingTeacher: personRef('larare-pendlare'),
      group: ref('Group', 'engelska-8'),
      registeredDate: '2025-01-17',
      gradeValue: 'B',
      finalGrade: false,
      adaptedStudyPlan: '',
      semester: 'HT',
      year: 2024,
      syllabus: ref('Syllabus', 'gr-en'),
    }),
  ]
}

function buildAbsences(): Absence[] {
  return [
    {
      id: fullDatasetId('Absence', 'elev-3a-2'),
      startTime: winter('08:00'),
      endTime: winter('12:00'),
      type: 'Anmäld frånvaro',
      student: personRef('elev-3a-2'),
      organisation: ref('Organisation', 'ekbacke'),
      registeredBy: personRef('larare-ekbacke'),
    },
    {
      id: fullDatasetId('Absence', 'elev-na-1'),
      startTime: summer('00:00'),
      endTime: `2025-04-08T23:59:00+02:00`,
      type: 'Beviljad ledighet',
      student: personRef('elev-na-1'),
      organisation: ref('Organisation', 'gymnasium'),
      registeredBy: personRef('vh-ekstrom'),
    },
    {
      id: fullDatasetId('Absence', 'elev-8b-1'),
      startTime: summer('08:00'),
      endTime: summer('17:00'),
      type: 'Anmäld frånvaro',
      student: personRef('elev-8b-1'),
      organisation: ref('Organisation', 'ekbacke'),
      registeredBy: personRef('vh-ekstrom'),
    },
  ]
}

/**
 * The dataset, built afresh on every call (callers may change their copy). Deterministic: every call gives
 * deep-equal data.
 */
export function fullDataset(): FullDataset {
  return {
    organisations: buildOrganisations(),
    persons: PERSONS.map(buildPerson),
    syllabuses: buildSyllabuses(),
    programmes: buildProgrammes(),
    schoolUnitOfferings: buildSchoolUnitOfferings(),
    groups: buildGroups(),
    duties: buildDuties(),
    placements: buildPlacements(),
    studyplans: buildStudyPlans(),
    rooms: buildRooms(),
    resources: buildResources(),
    activities: buildActivities(),
    calendarEvents: buildCalendarEvents(),
    attendances: buildAttendances(),
    attendanceEvents: buildAttendanceEvents(),
    attendanceSchedule: buildAttendanceSchedules(),
    grades: buildGrades(),
    absences: buildAbsences(),
  }
}

// --- files and validation -------------------------------------------------------------------------------------------

/**
 * Writes each collection to `<dir>/<collection>.json` (creating `dir`) as a bare JSON array, the shape of
 * examples/ss12000 and of fictional.ts's `writeDataset`: `stage` and `validate` tell the entity type from the file
 * name (`studyplans.json`, `attendanceSchedule.json`).
 * @returns the paths written, in dependency order.
 */
export async function writeFullDataset(dir: string, dataset: FullDataset = fullDataset()): Promise<string[]> {
  await mkdir(dir, {recursive: true})
  const written: string[] = []
  for (const {key} of FULL_DATASET_COLLECTIONS) {
    const path = join(dir, `${key}.json`)
    await writeFile(path, serializeCollection(dataset[key]), 'utf8')
    written.push(path)
  }
  return written
}

/** The records of a dataset as the validation engine takes them: entity type, the file they would be in, the value. */
export function* datasetRecords(dataset: FullDataset): Generator<{entity: EntityName; file: string; value: unknown}> {
  for (const {key, entity} of FULL_DATASET_COLLECTIONS) {
    for (const value of dataset[key]) yield {entity, file: `${key}.json`, value}
  }
}

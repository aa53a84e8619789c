import type {AddressInfo} from 'node:net'
import {join} from 'node:path'

import type {FastifyInstance} from 'fastify'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {EntityName} from '../../../src/schema/entity-names.js'
import {buildServer} from '../../../src/server/app.js'
import {writeBatch, type StagedRecord} from '../../../src/staging/batches.js'
import {openStagingDatabase, type StagingDatabase} from '../../../src/staging/database.js'
import {makeTempDir} from '../../support/cli.js'

/**
 * Every filter, expand value and lookup key of the read API over real HTTP, on a small school whose every relation is
 * known: which ids each query must find, exactly.
 */
const NAMES = [
  'huvudman',
  'unit1',
  'unit2',
  'alva',
  'bo',
  'guardian',
  'teacher',
  'child',
  'owner',
  'duty',
  'class7a',
  'gyGroup',
  'placement',
  'syllabus',
  'activity1',
  'activity2',
  'event1',
  'event2',
  'attendance1',
  'attendance2',
  'attendanceEvent',
  'schedule',
  'grade',
  'absence',
  'resource',
  'room',
  'programme',
  'studyPlan',
  'offering',
] as const
type Name = (typeof NAMES)[number]
const id = Object.fromEntries(
  NAMES.map((name, index) => [name, `00000000-0000-4000-8000-${String(index + 1).padStart(12, '0')}`]),
) as Record<Name, string>
const nameOf = new Map(Object.entries(id).map(([name, value]) => [value, name]))
const ref = (name: Name) => ({id: id[name]})

const records: Array<[EntityName, Name, Record<string, unknown>]> = [
  ['Organisation', 'huvudman', {displayName: 'Kommunen', organisationType: 'Huvudman', municipalityCode: '0180'}],
  [
    'Organisation',
    'unit1',
    {
      displayName: 'Ekskolan',
      organisationType: 'Skolenhet',
      schoolUnitCode: '11111111',
      schoolTypes: ['GR'],
      parentOrganisation: ref('huvudman'),
      startDate: '2000-01-01',
    },
  ],
  [
    'Organisation',
    'unit2',
    {
      displayName: 'Gymnasiet',
      organisationType: 'Skolenhet',
      schoolUnitCode: '22222222',
      organisationCode: 'GYM',
      schoolTypes: ['GY'],
      parentOrganisation: ref('huvudman'),
      startDate: '2010-01-01',
      endDate: '2030-06-30',
    },
  ],
  [
    'Person',
    'alva',
    {
      givenName: 'Alva',
      familyName: 'Ek',
      civicNo: {value: '201001012386'},
      eduPersonPrincipalNames: ['alva@ekskolan.example'],
      externalIdentifiers: [{value: 'E-1', context: 'elevregister'}],
      enrolments: [{enroledAt: ref('unit1'), schoolType: 'GR', startDate: '2026-08-15', endDate: '2027-06-10'}],
      responsibles: [{person: ref('guardian'), relationType: 'Vårdnadshavare'}],
    },
  ],
  [
    'Person',
    'bo',
    {
      givenName: 'Bo',
      familyName: 'Lind',
      enrolments: [{enroledAt: ref('unit2'), schoolType: 'GY', startDate: '2025-08-15'}],
    },
  ],
  ['Person', 'guardian', {givenName: 'Greta', familyName: 'Ek'}],
  ['Person', 'teacher', {givenName: 'Tor', familyName: 'Berg'}],
  [
    'Person',
    'child',
    {givenName: 'Cim', familyName: 'Sjö', responsibles: [{person: ref('owner'), relationType: 'Förälder'}]},
  ],
  ['Person', 'owner', {givenName: 'Olle', familyName: 'Sjö'}],
  [
    'Duty',
    'duty',
    {
      person: ref('teacher'),
      dutyAt: ref('unit1'),
      dutyRole: 'Lärare',
      startDate: '2020-01-01',
      assignmentRole: [{group: ref('class7a'), assignmentRoleType: 'Mentor', startDate: '2026-08-15'}],
    },
  ],
  [
    'Group',
    'class7a',
    {
      displayName: '7A',
      groupType: 'Klass',
      schoolType: 'GR',
      organisation: ref('unit1'),
      startDate: '2026-08-15',
      endDate: '2027-06-10',
      groupMemberships: [{person: ref('alva'), startDate: '2026-08-15'}],
    },
  ],
  [
    'Group',
    'gyGroup',
    {
      displayName: 'NA25',
      groupType: 'Undervisning',
      schoolType: 'GY',
      organisation: ref('unit2'),
      startDate: '2025-08-15',
      groupMemberships: [{person: ref('bo')}],
    },
  ],
  [
    'Placement',
    'placement',
    {
      placedAt: ref('unit1'),
      child: ref('child'),
      owners: [ref('owner')],
      startDate: '2026-01-10',
      group: ref('class7a'),
    },
  ],
  ['Syllabus', 'syllabus', {schoolType: 'GR', subjectCode: 'MA', subjectName: 'Matematik'}],
  [
    'Activity',
    'activity1',
    {
      displayName: 'Matematik 7A',
      organisation: ref('unit1'),
      groups: [ref('class7a')],
      teachers: [{duty: ref('duty')}],
      syllabus: ref('syllabus'),
    },
  ],
  ['Activity', 'activity2', {displayName: 'Kemi NA25', organisation: ref('unit2'), groups: [ref('gyGroup')]}],
  [
    'CalendarEvent',
    'event1',
    {
      activity: ref('activity1'),
      startTime: '2026-09-01T08:00:00+02:00',
      endTime: '2026-09-01T09:00:00+02:00',
      studentExceptions: [{student: ref('bo'), participates: true}],
    },
  ],
  [
    'CalendarEvent',
    'event2',
    {
      activity: ref('activity2'),
      startTime: '2026-09-02T10:00:00+02:00',
      endTime: '2026-09-02T10:40:00+02:00',
      teachingLengthStudent: 40,
    },
  ],
  [
    'Attendance',
    'attendance1',
    {
      calendarEvent: ref('event1'),
      student: ref('alva'),
      isReported: true,
      attendanceMinutes: 50,
      validAbsenceMinutes: 10,
    },
  ],
  [
    'Attendance',
    'attendance2',
    {calendarEvent: ref('event2'), student: ref('bo'), isReported: false, attendanceMinutes: 40},
  ],
  [
    'AttendanceEvent',
    'attendanceEvent',
    {time: '2026-09-01T07:30:00+02:00', eventType: 'In', person: ref('child'), group: ref('class7a')},
  ],
  [
    'AttendanceSchedule',
    'schedule',
    {placement: ref('placement'), startDate: '2026-01-10', state: [], scheduleEntries: []},
  ],
  [
    'Grade',
    'grade',
    {
      student: ref('alva'),
      organisation: ref('unit1'),
      registeredBy: ref('teacher'),
      gradingTeacher: ref('teacher'),
      registeredDate: '2027-06-10',
      gradeValue: 'A',
      finalGrade: true,
      adaptedStudyPlan: 'Nej',
      syllabus: ref('syllabus'),
    },
  ],
  [
    'Absence',
    'absence',
    {
      startTime: '2026-09-03T08:00:00+02:00',
      endTime: '2026-09-03T12:00:00+02:00',
      type: 'Anmäld frånvaro',
      student: ref('alva'),
      organisation: ref('unit1'),
      registeredBy: ref('guardian'),
    },
  ],
  ['Resource', 'resource', {displayName: 'Projektor', owner: ref('unit1')}],
  ['Room', 'room', {displayName: 'Sal 1', owner: ref('unit2')}],
  ['Programme', 'programme', {name: 'Naturvetenskapsprogrammet', code: 'NA', schoolType: 'GY'}],
  ['StudyPlan', 'studyPlan', {student: ref('bo'), startDate: '2025-08-15'}],
  ['SchoolUnitOffering', 'offering', {organisation: ref('unit2'), startDate: '2025-08-15'}],
]

let temp: {dir: string; cleanup: () => Promise<void>}
let db: StagingDatabase
let app: FastifyInstance
let base: string

beforeAll(async () => {
  temp = await makeTempDir('ss12000-serve-filters-')
  db = openStagingDatabase(join(temp.dir, 'serve.db'))
  const staged: StagedRecord[] = records.map(([entity, name, value]) => ({
    entity,
    id: id[name],
    value: {id: id[name], ...value},
  }))
  writeBatch(
    db,
    {kind: 'import', scope: 's', partial: false, files: [], now: () => '2026-11-27T09:00:00+01:00'},
    staged,
  )
  app = buildServer({db, scope: 's'})
  await app.listen({host: '127.0.0.1', port: 0})
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
})
afterAll(async () => {
  await app.close()
  db.close()
  await temp.cleanup()
})

async function get(path: string): Promise<{status: number; body: Record<string, unknown>}> {
  const response = await fetch(`${base}${path}`)
  return {status: response.status, body: (await response.json()) as Record<string, unknown>}
}
/** The names of the records a list answers. */
async function names(path: string): Promise<string[]> {
  const {status, body} = await get(path)
  expect(status, JSON.stringify(body)).toBe(200)
  return (body.data as Array<{id: string}>).map((record) => nameOf.get(record.id) ?? record.id)
}
const TIMES = 'startTime.onOrAfter=2026-09-01&startTime.onOrBefore=2026-09-30'

describe('the read API filters', () => {
  it.each([
    ['/organisations?parent=' + id.huvudman, ['unit1', 'unit2']],
    ['/organisations?schoolUnitCode=11111111&schoolUnitCode=22222222', ['unit1', 'unit2']],
    ['/organisations?organisationCode=GYM', ['unit2']],
    ['/organisations?municipalityCode=0180', ['huvudman']],
    ['/organisations?type=Huvudman', ['huvudman']],
    ['/organisations?schoolTypes=GY', ['unit2']],
    ['/organisations?startDate.onOrBefore=2005-01-01', ['unit1']],
    ['/organisations?startDate.onOrAfter=2005-01-01', ['unit2']],
    // No end date: always matches the endDate filters.
    ['/organisations?endDate.onOrBefore=2029-01-01', ['huvudman', 'unit1']],
    ['/organisations?endDate.onOrAfter=2031-01-01', ['huvudman', 'unit1']],
    ['/persons?nameContains=ek', ['alva', 'guardian']],
    ['/persons?nameContains=ek&nameContains=alv', ['alva']],
    ['/persons?civicNo=201001012386', ['alva']],
    ['/persons?eduPersonPrincipalName=alva@ekskolan.example', ['alva']],
    ['/persons?identifier.value=E-1', ['alva']],
    ['/persons?identifier.context=elevregister', ['alva']],
    ['/persons?relationship.entity.type=enrolment', ['alva', 'bo']],
    ['/persons?relationship.entity.type=duty', ['teacher']],
    ['/persons?relationship.entity.type=placement.child', ['child']],
    ['/persons?relationship.entity.type=placement.owner', ['owner']],
    ['/persons?relationship.entity.type=responsibleFor.enrolment', ['guardian']],
    ['/persons?relationship.entity.type=responsibleFor.placement', ['owner']],
    [`/persons?relationship.organisation=${id.unit1}`, ['alva', 'guardian', 'teacher', 'child', 'owner']],
    [`/persons?relationship.organisation=${id.unit2}`, ['bo']],
    [`/persons?relationship.entity.type=enrolment&relationship.organisation=${id.unit1}`, ['alva']],
    // Active on 2026-01-01: Alva starts later; Bo has no end date.
    [
      '/persons?relationship.entity.type=enrolment&relationship.startDate.onOrBefore=2026-01-01&relationship.endDate.onOrAfter=2026-01-01',
      ['bo'],
    ],
    ['/persons?relationship.entity.type=enrolment&relationship.startDate.onOrAfter=2026-01-01', ['alva']],
    ['/persons?relationship.entity.type=enrolment&relationship.endDate.onOrBefore=2027-01-01', ['bo']],
    [`/placements?organisation=${id.unit1}`, ['placement']],
    [`/placements?group=${id.class7a}`, ['placement']],
    [`/placements?child=${id.child}`, ['placement']],
    [`/placements?owner=${id.owner}`, ['placement']],
    [`/placements?owner=${id.alva}`, []],
    ['/placements?startDate.onOrAfter=2026-02-01', []],
    [`/duties?organisation=${id.unit1}`, ['duty']],
    // Duties' organisation takes the units below it too.
    [`/duties?organisation=${id.huvudman}`, ['duty']],
    [`/duties?organisation=${id.unit2}`, []],
    ['/duties?dutyRole=Lärare', ['duty']],
    ['/duties?dutyRole=Rektor', []],
    [`/duties?person=${id.teacher}`, ['duty']],
    ['/groups?groupType=Klass&groupType=Undervisning', ['class7a', 'gyGroup']],
    ['/groups?schoolTypes=GY', ['gyGroup']],
    [`/groups?organisation=${id.unit1}&organisation=${id.unit2}`, ['class7a', 'gyGroup']],
    ['/groups?endDate.onOrBefore=2027-12-31', ['class7a', 'gyGroup']],
    ['/groups?endDate.onOrAfter=2028-01-01', ['gyGroup']],
    ['/programmes?schoolType=GY', ['programme']],
    ['/programmes?code=NA', ['programme']],
    [`/programmes?parentProgramme=${id.programme}`, []],
    [`/studyplans?student=${id.bo}`, ['studyPlan']],
    [`/schoolUnitOfferings?organisation=${id.unit2}`, ['offering']],
    [`/activities?member=${id.alva}`, ['activity1']],
    [`/activities?teacher=${id.duty}`, ['activity1']],
    [`/activities?organisation=${id.huvudman}`, ['activity1', 'activity2']],
    [`/activities?organisation=${id.unit2}`, ['activity2']],
    [`/activities?group=${id.gyGroup}`, ['activity2']],
    [`/calendarEvents?${TIMES}`, ['event1', 'event2']],
    ['/calendarEvents?startTime.onOrAfter=2026-09-01T09:00:00%2B02:00&startTime.onOrBefore=2026-09-30', ['event2']],
    ['/calendarEvents?startTime.onOrAfter=2026-08-01&startTime.onOrBefore=2026-09-01', ['event1']],
    [`/calendarEvents?${TIMES}&endTime.onOrBefore=2026-09-01T09:00:00%2B02:00`, ['event1']],
    [`/calendarEvents?${TIMES}&endTime.onOrAfter=2026-09-02T10:40:00%2B02:00`, ['event2']],
    [`/calendarEvents?${TIMES}&activity=${id.activity2}`, ['event2']],
    [`/calendarEvents?${TIMES}&student=${id.alva}`, ['event1']],
    // Bo is in event1 by a student exception, and in event2 through his group.
    [`/calendarEvents?${TIMES}&student=${id.bo}`, ['event1', 'event2']],
    [`/calendarEvents?${TIMES}&teacher=${id.duty}`, ['event1']],
    [`/calendarEvents?${TIMES}&organisation=${id.huvudman}`, ['event1', 'event2']],
    [`/calendarEvents?${TIMES}&group=${id.class7a}`, ['event1']],
    [`/attendances?student=${id.bo}`, ['attendance2']],
    [`/attendances?calendarEvent=${id.event1}`, ['attendance1']],
    [`/attendances?organisation=${id.unit2}`, ['attendance2']],
    [`/attendances?organisation=${id.huvudman}`, ['attendance1', 'attendance2']],
    [`/attendanceEvents?group=${id.class7a}&group=${id.gyGroup}`, ['attendanceEvent']],
    [`/attendanceEvents?person=${id.alva}`, []],
    [`/attendanceSchedule?placement=${id.placement}`, ['schedule']],
    [`/attendanceSchedule?group=${id.class7a}`, ['schedule']],
    ['/attendanceSchedule?startDate.onOrAfter=2026-02-01', []],
    [`/grades?organisation=${id.unit1}`, ['grade']],
    [`/grades?student=${id.bo}`, []],
    [`/grades?registeredBy=${id.teacher}&gradingTeacher=${id.teacher}`, ['grade']],
    ['/grades?registeredDate.onOrAfter=2027-06-10&registeredDate.onOrBefore=2027-06-10', ['grade']],
    ['/grades?registeredDate.onOrBefore=2027-06-09', []],
    [`/absences?student=${id.alva}&organisation=${id.unit1}&registeredBy=${id.guardian}`, ['absence']],
    ['/absences?type=Beviljad%20ledighet', []],
    ['/absences?startTime.onOrBefore=2026-09-03T08:00:00%2B02:00', ['absence']],
    // Absences' onOrAfter is exclusive, as the standard describes it.
    ['/absences?startTime.onOrAfter=2026-09-03T08:00:00%2B02:00', []],
    ['/absences?endTime.onOrAfter=2026-09-03T11:59:00%2B02:00', ['absence']],
    [`/resources?organisation=${id.unit1}`, ['resource']],
    [`/rooms?organisation=${id.unit1}`, []],
    [`/rooms?organisation=${id.unit2}`, ['room']],
  ])('%s', async (path, expected) => {
    expect(await names(path)).toEqual(expected)
  })

  it.each([
    ['/persons?relationship.entity.type=groupMembership', 'relationship.entity.type must be one of'],
    ['/persons?relationship.organisation=unit1', 'relationship.organisation must be a uuid'],
    [`/duties?person=${id.teacher}&person=${id.alva}`, 'person must be one value'],
    ['/groups?groupType=Klassen', 'groupType must be one of'],
    ['/absences?startTime.onOrBefore=tomorrow', 'startTime.onOrBefore must be a date-time'],
    ['/grades?registeredDate.onOrAfter=2027-6-1', 'registeredDate.onOrAfter must be a date'],
    ['/calendarEvents?startTime.onOrAfter=2026-09-01', 'requires startTime.onOrBefore'],
    ['/rooms?expand=owner', 'expand must be absent here'],
    ['/persons?expand=children', 'expand must be one or more of duties, responsibleFor'],
    ['/aggregatedAttendance?startDate=2026-09-01', 'requires endDate'],
    [
      '/aggregatedAttendance?startDate=2026-09-01&endDate=2026-09-30&meta.modified.after=2026-01-01T00:00:00Z',
      'not a filter',
    ],
    [`/persons/${id.alva}?limit=3`, 'limit is not a parameter here'],
  ])('%s is a 400', async (path, message) => {
    const {status, body} = await get(path)
    expect(status).toBe(400)
    expect(body.code).toBe('BadRequest')
    expect(body.message).toContain(message)
  })
})

describe('expand', () => {
  const embedded = async (path: string) => {
    const {status, body} = await get(path)
    expect(status, JSON.stringify(body)).toBe(200)
    const records = 'data' in body ? (body.data as Array<Record<string, unknown>>) : [body]
    return records.map((record) => record._embedded as Record<string, unknown>)
  }
  const ids = (list: unknown) => (list as Array<{id: string}>).map((record) => nameOf.get(record.id))

  it('embeds what refers to a person', async () => {
    const all = 'expand=duties&expand=responsibleFor&expand=placements&expand=ownedPlacements&expand=groupMemberships'
    const [teacher] = await embedded(`/persons/${id.teacher}?${all}`)
    expect(ids(teacher!.duties)).toEqual(['duty'])
    const [guardian] = await embedded(`/persons/${id.guardian}?${all}`)
    expect(guardian!.responsibleFor).toEqual([{person: ref('alva'), relationType: 'Vårdnadshavare'}])
    const [child, owner] = await embedded(`/persons?nameContains=sjö&${all}`)
    expect(ids(child!.placements)).toEqual(['placement'])
    expect(ids(owner!.ownedPlacements)).toEqual(['placement'])
    expect(child!.ownedPlacements).toEqual([])
    const [alva] = await embedded(`/persons/${id.alva}?expand=groupMemberships`)
    const memberships = alva!.groupMemberships as Array<{group: Record<string, unknown>; startDate?: string}>
    expect(memberships).toHaveLength(1)
    // A GroupFragment: the group without its memberships, with its meta.
    expect(memberships[0]!.group.id).toBe(id.class7a)
    expect(memberships[0]!.group).not.toHaveProperty('groupMemberships')
    expect(memberships[0]!.group).toHaveProperty('meta')
    expect(memberships[0]!.startDate).toBe('2026-08-15')
    expect(Object.keys(alva!)).toEqual(['groupMemberships'])
  })

  it('embeds the records others point at, in lists, gets and lookups', async () => {
    const [placement] = await embedded(`/placements?expand=child&expand=owners`)
    expect((placement!.child as {id: string}).id).toBe(id.child)
    expect(ids(placement!.owners)).toEqual(['owner'])
    const [duty] = await embedded(`/duties/${id.duty}?expand=person`)
    expect((duty!.person as {givenName: string}).givenName).toBe('Tor')
    const [group] = await embedded(`/groups/${id.class7a}?expand=assignmentRoles`)
    expect(group!.assignmentRoles).toEqual([{duty: ref('duty'), assignmentRoleType: 'Mentor', startDate: '2026-08-15'}])
    const [activity] = await embedded(`/activities/${id.activity1}?expand=groups&expand=teachers&expand=syllabus`)
    expect(ids(activity!.groups)).toEqual(['class7a'])
    expect(ids(activity!.teachers)).toEqual(['duty'])
    expect((activity!.syllabus as {subjectCode: string}).subjectCode).toBe('MA')
    const [event] = await embedded(
      `/calendarEvents?${TIMES}&activity=${id.activity1}&expand=activity&expand=attendance`,
    )
    expect((event!.activity as {id: string}).id).toBe(id.activity1)
    expect(ids(event!.attendance)).toEqual(['attendance1'])
    const [attendanceEvent] = await embedded(
      `/attendanceEvents/${id.attendanceEvent}?expand=person&expand=group&expand=registeredBy`,
    )
    expect((attendanceEvent!.person as {id: string}).id).toBe(id.child)
    expect(attendanceEvent!.group).not.toHaveProperty('groupMemberships')
    expect(attendanceEvent).not.toHaveProperty('registeredBy')

    const response = await fetch(`${base}/activities/lookup?expand=teachers&expandReferenceNames=true`, {
      method: 'POST',
      headers: {'content-type': 'application/json'},
      body: JSON.stringify({ids: [id.activity1]}),
    })
    const [looked] = (await response.json()) as Array<Record<string, unknown>>
    expect(ids((looked!._embedded as {teachers: unknown}).teachers)).toEqual(['duty'])
    expect((looked!.organisation as {displayName?: string}).displayName).toBe('Ekskolan')
  })

  it('keeps expand on the later pages, and each id once', async () => {
    const first = await get('/persons?limit=2&expand=duties')
    const seen = (first.body.data as Array<{id: string; _embedded?: unknown}>).map((record) => {
      expect(record._embedded).toBeDefined()
      return record.id
    })
    let token = first.body.pageToken as string | null
    while (token) {
      const next = await get(`/persons?pageToken=${encodeURIComponent(token)}`)
      for (const record of next.body.data as Array<{id: string; _embedded?: unknown}>) {
        expect(record._embedded).toBeDefined()
        seen.push(record.id)
      }
      token = (next.body.pageToken as string | null) ?? null
    }
    expect(seen).toHaveLength(new Set(seen).size)
    expect(seen).toHaveLength(records.filter(([entity]) => entity === 'Person').length)
  })
})

describe('expandReferenceNames', () => {
  it('names references to records without a name of their own by what they point at', async () => {
    const attendance = (await get(`/attendances/${id.attendance1}?expandReferenceNames=true`)).body
    expect(attendance.calendarEvent).toEqual({...ref('event1'), displayName: 'Matematik 7A 2026-09-01T08:00:00+02:00'})
    expect(attendance.student).toEqual({...ref('alva'), displayName: 'Alva Ek'})
    const schedule = (await get(`/attendanceSchedule/${id.schedule}?expandReferenceNames=true`)).body
    expect(schedule.placement).toEqual({...ref('placement'), displayName: 'Cim Sjö'})
    const activity = (await get(`/activities/${id.activity1}?expandReferenceNames=true`)).body
    expect(activity.teachers).toEqual([{duty: {...ref('duty'), displayName: 'Tor Berg'}}])
  })
})

describe('lookup', () => {
  async function lookup(collection: string, body: unknown): Promise<string[]> {
    const response = await fetch(`${base}/${collection}/lookup`, {
      method: 'POST',
      headers: {'content-type': 'application/json'},
      body: JSON.stringify(body),
    })
    const answer = (await response.json()) as Array<{id: string}>
    expect(response.status, JSON.stringify(answer)).toBe(200)
    return answer.map((record) => nameOf.get(record.id)!)
  }

  it.each([
    ['organisations', {schoolUnitCodes: ['22222222'], organisationCodes: []}, ['unit2']],
    ['organisations', {ids: [id.huvudman], organisationCodes: ['GYM']}, ['huvudman', 'unit2']],
    ['persons', {civicNos: ['201001012386']}, ['alva']],
    ['placements', {personIds: [id.child]}, ['placement']],
    ['activities', {teachers: [id.duty]}, ['activity1']],
    ['activities', {members: [id.bo]}, ['activity2']],
    ['calendarEvents', {activities: [id.activity2]}, ['event2']],
    ['calendarEvents', {student: [id.bo]}, ['event1', 'event2']],
    ['calendarEvents', {teacher: [id.duty]}, ['event1']],
    ['attendances', {activities: [id.activity1]}, ['attendance1']],
    ['attendances', {students: [id.bo], calendareEvents: [id.event1]}, ['attendance1', 'attendance2']],
    ['attendanceEvents', {person: [id.child]}, ['attendanceEvent']],
    ['attendanceEvents', {group: [id.gyGroup]}, []],
    ['attendanceSchedule', {placement: [id.placement]}, ['schedule']],
    ['rooms', {ids: [id.room, id.resource]}, ['room']],
  ])('%s %j', async (collection, body, expected) => {
    expect(await lookup(collection, body)).toEqual(expected)
  })

  it('refuses keys the collection does not take', async () => {
    const response = await fetch(`${base}/rooms/lookup`, {
      method: 'POST',
      headers: {'content-type': 'application/json'},
      body: JSON.stringify({civicNos: ['201001012386']}),
    })
    expect(response.status).toBe(400)
    expect(((await response.json()) as {message: string}).message).toBe('/rooms/lookup takes ids; not civicNos.')
  })
})

describe('aggregatedAttendance', () => {
  it('sums each student’s attendance per activity in the window', async () => {
    const {body} = await get('/aggregatedAttendance?startDate=2026-09-01&endDate=2026-09-30')
    expect(body).toEqual({
      data: [
        {
          activity: ref('activity1'),
          student: ref('alva'),
          startDate: '2026-09-01',
          endDate: '2026-09-30',
          attendanceSum: 50,
          validAbsenceSum: 10,
          invalidAbsenceSum: 0,
          otherAttendanceSum: 0,
          reportedSum: 60,
          offeredSum: 60,
        },
        {
          activity: ref('activity2'),
          student: ref('bo'),
          startDate: '2026-09-01',
          endDate: '2026-09-30',
          attendanceSum: 40,
          validAbsenceSum: 0,
          invalidAbsenceSum: 0,
          otherAttendanceSum: 0,
          reportedSum: 0,
          offeredSum: 40,
        },
      ],
      pageToken: null,
    })
  })

  it('filters by window, organisation, school type and student, pages, and expands', async () => {
    const rows = async (query: string) =>
      ((await get(`/aggregatedAttendance?${query}`)).body.data as Array<{student: {id: string}}>).map((row) =>
        nameOf.get(row.student.id),
      )
    expect(await rows('startDate=2026-09-02&endDate=2026-09-02')).toEqual(['bo'])
    expect(await rows(`startDate=2026-09-01&endDate=2026-09-30&organisation=${id.unit1}`)).toEqual(['alva'])
    expect(await rows(`startDate=2026-09-01&endDate=2026-09-30&organisation=${id.huvudman}`)).toEqual(['alva', 'bo'])
    expect(await rows('startDate=2026-09-01&endDate=2026-09-30&schoolType=GY')).toEqual(['bo'])
    expect(await rows(`startDate=2026-09-01&endDate=2026-09-30&student=${id.alva}&student=${id.bo}`)).toEqual([
      'alva',
      'bo',
    ])
    const first = await get('/aggregatedAttendance?startDate=2026-09-01&endDate=2026-09-30&limit=1&expand=student')
    const [row] = first.body.data as Array<{_embedded: {student: {givenName: string}}}>
    expect(row!._embedded.student.givenName).toBe('Alva')
    const next = await get(`/aggregatedAttendance?pageToken=${encodeURIComponent(first.body.pageToken as string)}`)
    const [second] = next.body.data as Array<{student: {id: string}; _embedded: {student: {givenName: string}}}>
    expect(second!._embedded.student.givenName).toBe('Bo')
    expect(next.body.pageToken).toBeNull()
  })
})

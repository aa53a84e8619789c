import {readFile} from 'node:fs/promises'
import {basename, join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {ENTITY_NAMES, ENTITY_NAMING} from '../../../src/schema/entity-names.js'
import {PROFILE_NAMES} from '../../../src/schema/profiles.js'
import {stage} from '../../../src/services/stage.js'
import {checkCivicNumber} from '../../../src/validation/identity.js'
import type {Issue} from '../../../src/validation/issue.js'
import {makeTempDir} from '../../support/cli.js'
import {
  datasetRecords,
  FULL_DATASET_COLLECTIONS,
  FULL_DATASET_MARKS,
  fullDataset,
  fullDatasetId,
  SERVED_ENTITIES,
  writeFullDataset,
} from '../../support/full-dataset.js'
import {validateRecords} from '../../support/fictional.js'

const summarise = (issues: Issue[]) => issues.map((issue) => `${issue.severity} ${issue.code} ${issue.message}`)
const id = fullDatasetId

/** Every `{id}` reference object anywhere inside a record (not the record's own id). */
function referencedIds(value: unknown, top = true): string[] {
  if (Array.isArray(value)) return value.flatMap((item) => referencedIds(item, false))
  if (value === null || typeof value !== 'object') return []
  const object = value as Record<string, unknown>
  const own = !top && typeof object.id === 'string' ? [object.id] : []
  return [...own, ...Object.values(object).flatMap((child) => referencedIds(child, false))]
}

describe('fullDataset', () => {
  it('covers every entity type serve serves, each collection under its API path, a few records each', () => {
    expect([...SERVED_ENTITIES].sort()).toEqual(
      ENTITY_NAMES.filter((entity) => entity !== 'AggregatedAttendance' && entity !== 'Subscription').sort(),
    )
    const dataset = fullDataset()
    expect(Object.keys(dataset).sort()).toEqual(FULL_DATASET_COLLECTIONS.map(({key}) => key).sort())
    for (const {key, entity} of FULL_DATASET_COLLECTIONS) {
      expect(key).toBe(ENTITY_NAMING[entity].collection)
      // Two at least, so a list page with limit=1 always has a next page.
      expect(dataset[key].length, key).toBeGreaterThanOrEqual(2)
      expect(dataset[key].length, key).toBeLessThanOrEqual(20)
    }
  })

  it.each(PROFILE_NAMES)('validates with no errors and no warnings under the %s profile', (profile) => {
    expect(summarise(validateRecords(datasetRecords(fullDataset()), profile))).toEqual([])
  })

  it('is checked by a validation that can fail: a dangling reference and a bad civic number are errors', () => {
    const dataset = fullDataset()
    dataset.activities[0]!.groups = [{id: '00000000-0000-4000-8000-000000000000'}]
    dataset.persons[0]!.civicNo = {value: '201501011234'}
    const codes = validateRecords(datasetRecords(dataset), 'ss12000-2020').map((issue) => issue.code)
    expect(codes).toContain('ref.unresolved')
    expect(codes.some((code) => code.startsWith('identity.civic-no'))).toBe(true)
  })

  it('is deterministic, with unique ids that are stable per key', () => {
    expect(fullDataset()).toEqual(fullDataset())
    const ids = [...datasetRecords(fullDataset())].map(({value}) => (value as {id: string}).id)
    expect(new Set(ids).size).toBe(ids.length)
    // Pinned: a change here changes every id other tests may have written down.
    expect(id('Person', 'barn-1')).toBe('2b51387e-734a-552a-b31b-26a955d1bb09')
    expect(fullDataset().persons.find((person) => person.givenName === 'Alve')?.id).toBe(id('Person', 'barn-1'))
  })

  it('refers only to records of the dataset', () => {
    const dataset = fullDataset()
    const ids = new Set([...datasetRecords(dataset)].map(({value}) => (value as {id: string}).id))
    for (const {entity, value} of datasetRecords(dataset)) {
      for (const target of referencedIds(value)) expect(ids.has(target), `${entity} → ${target}`).toBe(true)
    }
  })

  it('is fictional: valid-Luhn civic numbers that match birth date and sex, unique EPPNs, .example domains only', () => {
    const {persons, organisations} = fullDataset()
    const civicNumbers = persons.map((person) => person.civicNo!.value)
    expect(new Set(civicNumbers).size).toBe(persons.length)
    for (const person of persons) {
      const check = checkCivicNumber(person.civicNo!.value)
      expect(check, person.civicNo!.value).toMatchObject({ok: true})
      if (check.ok) expect(person.birthDate).toBe(check.birthDate)
      expect(Number(person.civicNo!.value.charAt(10)) % 2 === 1 ? 'Man' : 'Kvinna').toBe(person.sex)
      for (const email of person.emails ?? []) expect(email.value).toMatch(/^[a-z0-9.-]+@[a-z0-9.-]+\.example$/)
      expect(person.eduPersonPrincipalNames).toHaveLength(1)
      expect(person.eduPersonPrincipalNames![0]).toMatch(/^[a-z0-9.-]+@[a-z0-9.-]+\.example$/)
    }
    const eppns = persons.map((person) => person.eduPersonPrincipalNames![0]!.toLowerCase())
    expect(new Set(eppns).size).toBe(persons.length)
    for (const organisation of organisations) {
      expect(organisation.email).toMatch(/@[a-z0-9.-]+\.example$/)
      expect(new URL(organisation.url!).hostname).toMatch(/\.example$/)
    }
  })
})

describe('FULL_DATASET_MARKS', () => {
  const dataset = fullDataset()
  const person = (key: string) => dataset.persons.find((candidate) => candidate.id === id('Person', key))!

  it('names the huvudman and the three school units with their codes', () => {
    const huvudman = dataset.organisations.find((organisation) => organisation.id === id('Organisation', 'huvudman'))
    expect(huvudman?.organisationType).toBe(FULL_DATASET_MARKS.huvudman.organisationType)
    for (const [key, mark] of Object.entries(FULL_DATASET_MARKS.schoolUnits)) {
      const unit = dataset.organisations.find((organisation) => organisation.id === id('Organisation', key))
      expect(unit).toMatchObject({
        organisationType: 'Skolenhet',
        displayName: mark.displayName,
        schoolUnitCode: mark.schoolUnitCode,
        schoolTypes: mark.schoolTypes,
        parentOrganisation: {id: id('Organisation', 'huvudman')},
        municipalityCode: FULL_DATASET_MARKS.municipalityCode,
      })
    }
  })

  it('has calendar events on two days, one in winter time and one in summer time', () => {
    const days = new Map<string, string[]>()
    for (const event of dataset.calendarEvents) {
      const day = event.startTime.slice(0, 10)
      expect(event.endTime.slice(0, 10)).toBe(day)
      days.set(day, [...(days.get(day) ?? []), event.startTime.slice(-6)])
    }
    const {winter, summer} = FULL_DATASET_MARKS.calendarDays
    expect([...days.keys()].sort()).toEqual([winter.date, summer.date])
    expect(new Set(days.get(winter.date))).toEqual(new Set([winter.offset]))
    expect(new Set(days.get(summer.date))).toEqual(new Set([summer.offset]))
    const cancelled = dataset.calendarEvents.filter((event) => event.cancelled === true)
    expect(cancelled.map((event) => event.id)).toEqual([id('CalendarEvent', FULL_DATASET_MARKS.cancelledEvent)])
  })

  it('lists the groups of each group type', () => {
    const byType: Record<string, string[]> = {}
    for (const group of dataset.groups) (byType[group.groupType] ??= []).push(group.id)
    const expected = Object.fromEntries(
      Object.entries(FULL_DATASET_MARKS.groupTypes).map(([type, keys]) => [type, keys.map((key) => id('Group', key))]),
    )
    expect(byType).toEqual(expected)
  })

  it('has a teacher with duties at two school units', () => {
    const teacher = id('Person', FULL_DATASET_MARKS.persons.commuterTeacher)
    const units = dataset.duties.filter((duty) => duty.person?.id === teacher).map((duty) => duty.dutyAt.id)
    expect(new Set(units)).toEqual(new Set([id('Organisation', 'ekbacke'), id('Organisation', 'gymnasium')]))
  })

  it('has a guardian of pupils enroled at two school units, and one who owns two placements', () => {
    const guardian = id('Person', FULL_DATASET_MARKS.persons.guardianOfBothUnits)
    const children = dataset.persons.filter((candidate) =>
      candidate.responsibles?.some((responsible) => responsible.person?.id === guardian),
    )
    const units = children.flatMap((child) => child.enrolments ?? []).map((enrolment) => enrolment.enroledAt.id)
    expect(new Set(units)).toEqual(new Set([id('Organisation', 'ekbacke'), id('Organisation', 'gymnasium')]))
    const owner = id('Person', FULL_DATASET_MARKS.persons.placementOwner)
    const owned = dataset.placements.filter((placement) => placement.owners?.some((ref) => ref.id === owner))
    expect(owned.map((placement) => placement.schoolType).sort()).toEqual(['FS', 'FTH'])
  })

  it('has a protected pupil without contact details, marked on the references to it', () => {
    const key = FULL_DATASET_MARKS.persons.protectedPupil
    expect(person(key)).toMatchObject({securityMarking: 'Skyddad folkbokföring'})
    expect(person(key).emails).toBeUndefined()
    const refs = dataset.groups
      .flatMap((group) => group.groupMemberships ?? [])
      .filter((membership) => membership.person?.id === id('Person', key))
    expect(refs.length).toBeGreaterThan(0)
    for (const membership of refs) expect(membership.person?.securityMarking).toBe('Skyddad folkbokföring')
  })

  it('has a samordningsnummer, a middle name and a pupil who left a group early', () => {
    const samordning = person(FULL_DATASET_MARKS.persons.samordningsnummer).civicNo!.value
    expect(Number(samordning.slice(6, 8))).toBeGreaterThan(60)
    expect(dataset.persons.filter((candidate) => candidate.middleName !== undefined).map((p) => p.id)).toEqual([
      id('Person', FULL_DATASET_MARKS.persons.middleName),
    ])
    const left = dataset.groups
      .find((group) => group.id === id('Group', 'engelska-8'))
      ?.groupMemberships?.find(
        (membership) => membership.person?.id === id('Person', FULL_DATASET_MARKS.persons.leftGroup),
      )
    expect(left?.endDate).toBe('2025-01-31')
  })

  it('has records that end within the school year and an activity with a parent', () => {
    const openEnded = dataset.groups.filter((group) => group.endDate === undefined).map((group) => group.id)
    expect(openEnded).toEqual(FULL_DATASET_MARKS.openEndedGroups.map((key) => id('Group', key)))
    const {duty, placement, attendanceSchedule} = FULL_DATASET_MARKS.endDates
    expect(dataset.duties.find((candidate) => candidate.id === id('Duty', duty))?.endDate).toBeDefined()
    expect(dataset.placements.find((candidate) => candidate.id === id('Placement', placement))?.endDate).toBe(
      FULL_DATASET_MARKS.schoolYear.end,
    )
    const schedule = dataset.attendanceSchedule.find(
      (candidate) => candidate.id === id('AttendanceSchedule', attendanceSchedule),
    )
    expect(schedule).toMatchObject({temporary: true, endDate: expect.any(String)})
    const {key, parent} = FULL_DATASET_MARKS.childActivity
    expect(dataset.activities.find((activity) => activity.id === id('Activity', key))?.parentActivity).toEqual({
      id: id('Activity', parent),
    })
  })
})

describe('writeFullDataset', () => {
  it('writes <collection>.json files that stage() reads and stages in full under both profiles', async () => {
    const temp = await makeTempDir('ss12000-full-dataset-')
    try {
      const dir = join(temp.dir, 'data')
      const written = await writeFullDataset(dir)
      const dataset = fullDataset()
      expect(written.map((path) => basename(path))).toEqual(FULL_DATASET_COLLECTIONS.map(({key}) => `${key}.json`))
      for (const {key} of FULL_DATASET_COLLECTIONS) {
        expect(JSON.parse(await readFile(join(dir, `${key}.json`), 'utf8'))).toEqual(dataset[key])
      }
      for (const profile of PROFILE_NAMES) {
        const result = await stage({
          paths: [dir],
          dbPath: join(temp.dir, `${profile}.db`),
          scope: 'full',
          profile,
          mode: 'payload',
          reveal: false,
          allowPartial: false,
          keepAllIssues: true,
          rejectsPath: join(temp.dir, `${profile}-rejects.csv`),
          now: () => '2025-02-01T10:00:00+01:00',
        })
        expect(summarise(result.issues ?? []), profile).toEqual([])
        expect(result).toMatchObject({valid: true, partial: false})
        const total = [...datasetRecords(dataset)].length
        expect(result.totals).toMatchObject({records: total, staged: total, refused: 0, skipped: 0})
        for (const {key, entity} of FULL_DATASET_COLLECTIONS) {
          expect(result.entities[entity], entity).toEqual({records: dataset[key].length, refused: 0})
        }
      }
    } finally {
      await temp.cleanup()
    }
  })
})

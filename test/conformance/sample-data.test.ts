import {readdirSync, readFileSync} from 'node:fs'
import path from 'node:path'

import {describe, expect, it} from 'vitest'

import {entityFromName, type EntityName} from '../../src/schema/entity-names.js'
import type {ProfileName} from '../../src/schema/profiles.js'
import {ValidationEngine} from '../../src/validation/engine.js'
import type {Issue} from '../../src/validation/issue.js'
import {isObject, requireOracleDir, SAMPLE_DATA_DIR} from './oracle.js'

/**
 * Skolverket's own sample data (skolverket-sampledata/, copied from its reference API's tests) through our
 * ValidationEngine, payload mode, both profiles. Every issue is asserted exactly, as `severity code path`.
 *
 * The *_bson.json files (activity_bson.json, dates_bson.json, meta_bson.json) are MongoDB extended-JSON fixtures of
 * Skolverket's storage layer (`_id`, `{"$date": …}`), not SS 12000 payloads (oracle README), so nothing is asserted
 * about them.
 */

// Throws, and so fails this file, when ../shared/ss12000 (or $SS12000_SHARED_DIR) is missing: see oracle.ts.
const sampleDir = path.join(requireOracleDir(), SAMPLE_DATA_DIR)

const readSample = (file: string): unknown => JSON.parse(readFileSync(path.join(sampleDir, file), 'utf8'))

interface Run {
  issues: Issue[]
  /** `severity code path`, sorted: the set the assertions compare. */
  lines: string[]
  valid: boolean[]
}

/** Validates records as one input: each record, then `finish()` for the references. */
function validate(profile: ProfileName, file: string, records: Array<{entity: EntityName; value: unknown}>): Run {
  // Every reference in the samples points at objects that are not in the file, hence allowExternalRefs.
  const engine = new ValidationEngine({profile, mode: 'payload', reveal: false, allowExternalRefs: true})
  const outcomes = records.map(({entity, value}) =>
    engine.validateRecord({entity, value, source: {file}, locate: () => ({file})}),
  )
  const issues = [...outcomes.flatMap((outcome) => outcome.issues), ...engine.finish()]
  return {
    issues,
    lines: issues.map((issue) => `${issue.severity} ${issue.code} ${issue.path ?? ''}`).sort(),
    valid: outcomes.map((outcome) => outcome.valid),
  }
}

const sorted = (lines: string[]) => [...lines].sort()
const minus = (first: string[], second: string[]) => first.filter((line) => !second.includes(line))

interface Sample {
  file: string
  records(): Array<{entity: EntityName; value: unknown}>
  /** ss12000-2020, payload mode. */
  tk450: string[]
  /** What the skolverket profile reports beyond ss12000-2020. */
  skolverketExtra: string[]
  /** What ss12000-2020 reports that the skolverket profile does not. */
  skolverketDropped: string[]
  valid: Record<ProfileName, boolean[]>
}

const entityPayload = (file: string, entity: EntityName) => () => [{entity, value: readSample(file)}]

const SAMPLES: Sample[] = [
  {
    // A Person with a non-UUID id and a civicNo that fails Luhn (oracle README; SPEC-NOTES §2.3 lists 200112240129
    // among the numbers that fail: the check digit of 011224012 is 2), one GY enrolment with educationCode, no dates.
    file: 'person.json',
    records: entityPayload('person.json', 'Person'),
    tk450: [
      'error schema.format /id', // "123456789" is not a UUID (SPEC-NOTES §1: id is uuid)
      'error identity.civic-no.checksum /civicNo/value', // 200112240129 fails the Luhn check digit
      // Right for TK450: Enrolment.startDate is required there (SPEC-NOTES §1, Enrolment); Skolverket's enrolments
      // have no dates (§4), which is why its sample has none.
      'error schema.required /enrolments/0/startDate',
      'warning ref.external /enrolments/0/enroledAt/id', // the school unit is not in the file
      'warning ref.external /enrolments/0/programme/id', // nor is the programme
    ],
    skolverketExtra: [],
    // The profile drops the enrolment date requirement; its GY → educationCode rule is met (TEST_ED_1).
    skolverketDropped: ['error schema.required /enrolments/0/startDate'],
    valid: {'ss12000-2020': [false], skolverket: [false]},
  },
  {
    // A Skolverket Activity: activityType, groups, teachers, organisation, parentActivity; no calendarEventsRequired
    // and no dates, which Skolverket's model does not have (SPEC-NOTES §4).
    file: 'activity.json',
    records: entityPayload('activity.json', 'Activity'),
    tk450: [
      'error schema.required /calendarEventsRequired', // required in TK450 (SPEC-NOTES §1, Activity)
      'error schema.required /startDate', // likewise
      'warning ref.external /groups/0/id',
      'warning ref.external /organisation/id',
      'warning ref.external /parentActivity/id',
      'warning ref.external /teachers/0/duty/id',
    ],
    skolverketExtra: [],
    skolverketDropped: ['error schema.required /calendarEventsRequired', 'error schema.required /startDate'],
    valid: {'ss12000-2020': [false], skolverket: [true]},
  },
  {
    // A Skolverket Group. Its membership carries an `id`, which neither TK450's nor Skolverket's GroupMembership has
    // (SPEC-NOTES §1 Group, §4): an unknown-field warning in both profiles, as it should be.
    file: 'group_json.json',
    records: entityPayload('group_json.json', 'Group'),
    tk450: [
      'error schema.required /startDate', // required in TK450 (SPEC-NOTES §1, Group); the expose Group has no dates
      'warning schema.unknown-field /groupMemberships/0/id',
      'warning ref.external /groupMemberships/0/person/id',
      'warning ref.external /organisation/id',
    ],
    skolverketExtra: [],
    skolverketDropped: ['error schema.required /startDate'],
    valid: {'ss12000-2020': [false], skolverket: [true]},
  },
  {
    // A deliberately invalid ingest body {"activities": [ … ]} (SPEC-NOTES §4, Ingest API): its one activity has
    // `"id": []`. Our engine validates the records of the body, so the plural key is mapped to its entity type.
    file: 'activities_invalid.json',
    records: () => {
      const body = readSample('activities_invalid.json')
      if (!isObject(body)) throw new Error('activities_invalid.json is not an ingest body')
      return Object.entries(body).flatMap(([key, records]) => {
        const entity = entityFromName(key)
        if (!entity || !Array.isArray(records)) throw new Error(`activities_invalid.json: unexpected key ${key}`)
        return records.map((value: unknown) => ({entity, value}))
      })
    },
    tk450: [
      'error schema.type /id', // the deliberate error: an id must be a string (a UUID)
      'error schema.required /calendarEventsRequired', // as in activity.json: TK450 requires these
      'error schema.required /startDate',
      'warning ref.external /groups/0/id',
      'warning ref.external /organisation/id',
      'warning ref.external /parentActivity/id',
      'warning ref.external /teachers/0/duty/id',
    ],
    skolverketExtra: [],
    skolverketDropped: ['error schema.required /calendarEventsRequired', 'error schema.required /startDate'],
    valid: {'ss12000-2020': [false], skolverket: [false]},
  },
]

describe('Skolverket sample data through the ValidationEngine (payload mode)', () => {
  it('covers every SS 12000 sample file (the *_bson.json MongoDB fixtures aside)', () => {
    const files = readdirSync(sampleDir).filter((file) => file.endsWith('.json') && !file.endsWith('_bson.json'))
    expect(files.sort()).toEqual(SAMPLES.map((sample) => sample.file).sort())
  })

  for (const sample of SAMPLES) {
    describe(sample.file, () => {
      it('ss12000-2020: exactly the expected issues', () => {
        const run = validate('ss12000-2020', sample.file, sample.records())
        expect(run.lines).toEqual(sorted(sample.tk450))
        expect(run.valid).toEqual(sample.valid['ss12000-2020'])
      })

      it('skolverket: exactly the expected differences from ss12000-2020', () => {
        const tk450 = validate('ss12000-2020', sample.file, sample.records())
        const skolverket = validate('skolverket', sample.file, sample.records())
        expect(minus(skolverket.lines, tk450.lines)).toEqual(sorted(sample.skolverketExtra))
        expect(minus(tk450.lines, skolverket.lines)).toEqual(sorted(sample.skolverketDropped))
        expect(skolverket.lines).toEqual(
          sorted([...minus(sample.tk450, sample.skolverketDropped), ...sample.skolverketExtra]),
        )
        expect(skolverket.valid).toEqual(sample.valid.skolverket)
      })
    })
  }

  it('masks the civic number in the checksum issue (reveal: false)', () => {
    const run = validate('ss12000-2020', 'person.json', SAMPLES[0]!.records())
    const checksum = run.issues.find((issue) => issue.code === 'identity.civic-no.checksum')
    expect(checksum?.field).toBe('Person.civicNo.value')
    expect(JSON.stringify(checksum)).not.toContain('200112240129')
  })
})

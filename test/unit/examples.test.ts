import {readdir, readFile} from 'node:fs/promises'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'

import type {EntityName} from '../../src/schema/entity-names.js'
import {PROFILE_NAMES} from '../../src/schema/profiles.js'
import {ValidationEngine} from '../../src/validation/engine.js'
import type {Issue} from '../../src/validation/issue.js'
import {
  DATASET_COLLECTIONS,
  EXAMPLE_DATASET_OPTIONS,
  generateDataset,
  serializeCollection,
} from '../support/fictional.js'

const EXAMPLE_DIR = fileURLToPath(new URL('../../examples/ss12000/', import.meta.url))

/** The entity type of an example file, from its name: persons.json → Person. */
const ENTITY_BY_FILE: Record<string, EntityName> = {
  'organisations.json': 'Organisation',
  'persons.json': 'Person',
  'groups.json': 'Group',
  'duties.json': 'Duty',
  'activities.json': 'Activity',
  'syllabuses.json': 'Syllabus',
}

interface ExampleFile {
  file: string
  entity: EntityName
  text: string
  records: unknown[]
}

async function readExample(): Promise<ExampleFile[]> {
  const files = (await readdir(EXAMPLE_DIR)).filter((file) => file.endsWith('.json')).sort()
  return Promise.all(
    files.map(async (file) => {
      const entity = ENTITY_BY_FILE[file]
      if (entity === undefined) throw new Error(`examples/ss12000/${file}: cannot tell its entity type from the name`)
      const text = await readFile(`${EXAMPLE_DIR}${file}`, 'utf8')
      const records: unknown = JSON.parse(text)
      if (!Array.isArray(records)) throw new Error(`examples/ss12000/${file} must hold a JSON array`)
      return {file, entity, text, records}
    }),
  )
}

/** A short line per issue, so a failure shows what is wrong without dumping whole records. */
const summarise = (issues: Issue[]) =>
  issues.map((issue) => `${issue.source?.file}: ${issue.code} ${issue.field} ${issue.message}`)

describe('examples/ss12000', () => {
  it('holds the five collections of the Skolverket scope and nothing else', async () => {
    const files = (await readdir(EXAMPLE_DIR)).sort()
    expect(files).toEqual(['activities.json', 'duties.json', 'groups.json', 'organisations.json', 'persons.json'])
  })

  describe.each(PROFILE_NAMES)('under the %s profile', (profile) => {
    it('validates every record with no errors, no warnings and no unresolved references', async () => {
      const engine = new ValidationEngine({profile, mode: 'payload', reveal: false, allowExternalRefs: false})
      const recordIssues: Issue[] = []
      let records = 0
      for (const {file, entity, records: values} of await readExample()) {
        for (const value of values) {
          const outcome = engine.validateRecord({entity, value, source: {file}, locate: () => ({file})})
          expect(outcome.valid).toBe(true)
          recordIssues.push(...outcome.issues)
          records++
        }
      }
      expect(summarise(recordIssues)).toEqual([])
      expect(summarise(engine.finish())).toEqual([])
      expect(records).toBeGreaterThan(0)
      for (const counts of Object.values(engine.entityCounts())) expect(counts.invalid).toBe(0)
    })
  })

  it('is exactly what scripts/make-example.ts generates (regenerate it after changing the generator)', async () => {
    const dataset = generateDataset(EXAMPLE_DATASET_OPTIONS)
    const example = await readExample()
    const expectedFiles = DATASET_COLLECTIONS.filter(({key}) => dataset[key] !== undefined).map(({file}) => file)
    expect(example.map(({file}) => file).sort()).toEqual([...expectedFiles].sort())
    for (const {key, file} of DATASET_COLLECTIONS) {
      const records = dataset[key]
      if (records === undefined) continue
      const committed = example.find((candidate) => candidate.file === file)!
      expect(committed.records, file).toEqual(records)
      // Byte for byte too: key order follows the standard's field order, and the formatting is stable.
      expect(committed.text === serializeCollection(records), `${file} differs in formatting or key order`).toBe(true)
    }
  })

  it('matches the sizes the README describes', async () => {
    const dataset = generateDataset(EXAMPLE_DATASET_OPTIONS)
    const students = dataset.persons.filter((person) => person.enrolments !== undefined)
    expect(dataset.organisations).toHaveLength(2)
    expect(students).toHaveLength(60)
    expect(dataset.persons).toHaveLength(70)
    expect(dataset.duties).toHaveLength(10)
    expect(dataset.duties.filter((duty) => duty.dutyRole === 'Rektor')).toHaveLength(2)
    expect(dataset.groups.filter((group) => group.groupType === 'Klass')).toHaveLength(5)
    expect(dataset.groups.filter((group) => group.groupType === 'Undervisning')).toHaveLength(4)
    expect(dataset.activities).toHaveLength(9)
  })
})

/* eslint-disable @typescript-eslint/no-explicit-any -- fixtures are read as loose JSON */
import {cp, readFile, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {stage, type StageOptions} from '../../../src/services/stage.js'
import {openStagingDatabase} from '../../../src/staging/database.js'
import {makeTempDir, REPO_ROOT} from '../../support/cli.js'

let temp: {dir: string; cleanup: () => Promise<void>}
beforeAll(async () => {
  temp = await makeTempDir('ss12000-stage-')
})
afterAll(async () => {
  await temp.cleanup()
})

const options = (paths: string[], dbPath: string, overrides: Partial<StageOptions> = {}): StageOptions => ({
  paths,
  dbPath,
  profile: 'ss12000-2020',
  mode: 'payload',
  reveal: false,
  allowPartial: false,
  keepAllIssues: false,
  rejectsPath: `${dbPath}.rejects.csv`,
  now: () => '2026-11-27T10:00:00+01:00',
  ...overrides,
})

describe('stage', () => {
  it('stages the example, then restages it with 0 changes', async () => {
    const db = join(temp.dir, 'example.db')
    const example = join(REPO_ROOT, 'examples', 'ss12000')
    const first = await stage(options([example], db, {scope: 'example'}))
    expect(first.valid).toBe(true)
    expect(first.batch?.entities.Person).toMatchObject({records: 70, added: 70, changed: 0, unchanged: 0, absent: 0})
    const second = await stage(options([example], db, {scope: 'example'}))
    expect(second.batch?.unchanged).toBe(true)
    const handle = openStagingDatabase(db)
    expect(handle.prepare(`SELECT COUNT(*) FROM current_record`).pluck().get()).toBe(100)
    handle.close()
  })

  it('writes nothing for invalid input unless partial output is allowed, and then refuses the invalid records', async () => {
    const dir = join(temp.dir, 'dirty')
    await cp(join(REPO_ROOT, 'examples', 'ss12000'), dir, {recursive: true})
    const persons = JSON.parse(await readFile(join(dir, 'persons.json'), 'utf8')) as Array<Record<string, unknown>>
    delete persons[0]!.givenName
    await writeFile(join(dir, 'persons.json'), JSON.stringify(persons, null, 2))
    const db = join(temp.dir, 'dirty.db')
    const strict = await stage(options([dir], db))
    expect(strict).toMatchObject({valid: false, totals: {records: 100, staged: 0, refused: 1, withheld: 99}})
    expect(strict.batch).toBeUndefined()
    const partial = await stage(options([dir], db, {allowPartial: true}))
    expect(partial).toMatchObject({valid: false, partial: true})
    expect(partial.entities.Person).toEqual({records: 70, refused: 1})
    expect(partial.batch?.entities.Person?.added).toBe(69)
    const {records, staged, refused, withheld, skipped} = partial.totals
    expect(records).toBe(staged + refused + withheld + skipped)
    expect(withheld).toBe(0)
  })

  it('refuses what refers to a refused record outside a list, and takes list items out, even when read first', async () => {
    const dir = join(temp.dir, 'cascade')
    await cp(join(REPO_ROOT, 'examples', 'ss12000'), dir, {recursive: true})
    const read = async (name: string) =>
      JSON.parse(await readFile(join(dir, name), 'utf8')) as Array<Record<string, any>>
    const [duties, activities, persons] = [
      await read('duties.json'),
      await read('activities.json'),
      await read('persons.json'),
    ]
    // A teacher whose duty teaches activities: activities.json is read before duties.json and persons.json.
    const duty = duties.find((candidate) =>
      activities.some((activity) => activity.teachers?.some((teacher: any) => teacher.duty.id === candidate.id)),
    )!
    const teacher = persons.find((person) => person.id === duty.person.id)!
    delete teacher.givenName
    await writeFile(join(dir, 'persons.json'), JSON.stringify(persons, null, 2))
    const db = join(temp.dir, 'cascade.db')
    const result = await stage(options([dir], db, {allowPartial: true, keepAllIssues: true}))
    expect(result.entities.Person?.refused).toBe(1)
    expect(result.entities.Duty?.refused).toBe(duties.filter((candidate) => candidate.person.id === teacher.id).length)
    const codes = new Set(result.issues?.map((issue) => issue.code))
    expect(codes).toEqual(new Set(['schema.required', 'mapping.rejected-reference', 'mapping.rejected-item']))
    const rejects = await readFile(`${db}.rejects.csv`, 'utf8')
    expect(rejects.trimEnd().split('\r\n')).toHaveLength(1 + result.totals.refused)
    const handle = openStagingDatabase(db)
    const refusedDuty = handle
      .prepare(
        `SELECT COUNT(*) FROM current_record a, json_each(a.json, '$.teachers') t
         WHERE a.entity = 'Activity' AND json_extract(t.value, '$.duty.id') = ?`,
      )
      .pluck()
      .get(duty.id)
    expect(refusedDuty).toBe(0)
    expect(handle.prepare(`SELECT COUNT(*) FROM current WHERE id = ?`).pluck().get(duty.id)).toBe(0)
    handle.close()
  })
})

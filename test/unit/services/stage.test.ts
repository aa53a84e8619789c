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
  now: () => '2026-11-27T10:00:00+01:00',
  ...overrides,
})

describe('stage (work in progress)', () => {
  it('stages the example, then restages it with 0 changes', async () => {
    const db = join(temp.dir, 'example.db')
    const example = join(REPO_ROOT, 'examples', 'ss12000')
    const first = await stage(options([example], db, {scope: 'example'}))
    expect(first.valid).toBe(true)
    expect(first.batch?.entities.Person).toEqual({added: 70, changed: 0, unchanged: 0, absent: 0})
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
    expect(strict).toMatchObject({valid: false, refused: 100})
    expect(strict.batch).toBeUndefined()
    const partial = await stage(options([dir], db, {allowPartial: true}))
    expect(partial).toMatchObject({valid: false, partial: true, refused: 1})
    expect(partial.batch?.entities.Person?.added).toBe(69)
  })
})

import {cp, readFile, rm, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import Database from 'better-sqlite3'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {StageResult} from '../../src/services/stage.js'
import {makeTempDir, REPO_ROOT, runCli, stackTraceLines} from '../support/cli.js'

let temp: {dir: string; cleanup: () => Promise<void>}
beforeAll(async () => {
  temp = await makeTempDir('ss12000-stage-cmd-')
})
afterAll(async () => {
  await temp.cleanup()
})

const LEGACY = join(REPO_ROOT, 'examples', 'legacy')
const CONFIG = join(REPO_ROOT, 'examples', 'ss12000.config.yaml')

/** A copy of the bundled legacy export, edited as the next term's export might be (the files are Windows-1252). */
async function legacyCopy(name: string, edit: (files: Record<string, string>) => void = () => {}): Promise<string> {
  const dir = join(temp.dir, name)
  await cp(LEGACY, dir, {recursive: true})
  const files: Record<string, string> = {}
  for (const file of ['elever.csv', 'personal.csv', 'grupper.csv', 'gruppmedlemmar.csv']) {
    files[file] = (await readFile(join(dir, file))).toString('latin1')
  }
  edit(files)
  for (const [file, text] of Object.entries(files)) await writeFile(join(dir, file), Buffer.from(text, 'latin1'))
  return dir
}

async function convertTo(legacy: string, out: string): Promise<void> {
  const run = await runCli(['convert', legacy, '--template', 'se-generic', '--config', CONFIG, '--out', out])
  expect(run.stderr).toBe('')
  expect(run.exitCode).toBe(0)
}

async function stageJson(args: string[]): Promise<{exitCode: number | null; result: StageResult; stderr: string}> {
  const run = await runCli(['stage', ...args, '--json'])
  expect(stackTraceLines(run.stderr)).toEqual([])
  return {exitCode: run.exitCode, result: JSON.parse(run.stdout) as StageResult, stderr: run.stderr}
}

describe('ss12000 stage', () => {
  const db = () => join(temp.dir, 'term.db')
  const out = (name: string) => join(temp.dir, `out-${name}`)

  it('stages a converted export, then restages it with 0 changes', async () => {
    await convertTo(LEGACY, out('a'))
    const first = await runCli(['stage', out('a'), '--db', db(), '--label', 'HT 2026'])
    expect(first.exitCode).toBe(0)
    expect(first.stdout).toContain('Staged batch 1 (scope se-generic, template se-generic')
    expect(first.stdout).toMatch(/Person\s+146\s+146\s+0\s+0\s+0/)
    expect(first.stdout).toContain('Read 298 records: 298 staged.')

    const again = await stageJson([out('a'), '--db', db()])
    expect(again.exitCode).toBe(0)
    expect(again.result.batch).toMatchObject({batch: 2, previous: 1, unchanged: true})
    expect(again.result.batch?.entities.Person).toMatchObject({records: 146, unchanged: 146, added: 0, absent: 0})
    expect(again.result.drift).toEqual([])
    const text = await runCli(['stage', out('a'), '--db', db()])
    expect(text.stdout).toContain('No changes: the scope holds the same records as before.')
  })

  it('reports exactly one changed record, with the field that changed', async () => {
    const legacy = await legacyCopy('one-change', (files) => {
      files['elever.csv'] = files['elever.csv']!.replace(';Ali;Nyström;', ';Alicia;Nyström;')
    })
    await convertTo(legacy, out('b'))
    const {exitCode, result} = await stageJson([out('b'), '--db', db()])
    expect(exitCode).toBe(0)
    expect(result.batch?.unchanged).toBe(false)
    expect(result.batch?.entities.Person).toEqual({
      records: 146,
      added: 0,
      changed: 1,
      unchanged: 145,
      absent: 0,
      fields: {givenName: 1},
    })
    for (const entity of ['Organisation', 'Group', 'Duty', 'Activity'] as const) {
      expect(result.batch?.entities[entity]).toMatchObject({added: 0, changed: 0, absent: 0})
    }
    const handle = new Database(db(), {readonly: true})
    const versions = handle
      .prepare(
        `SELECT batch FROM record WHERE entity = 'Person'
         AND id = (SELECT id FROM record WHERE entity = 'Person' AND json LIKE '%"givenName":"Alicia"%')`,
      )
      .pluck()
      .all()
    handle.close()
    expect(versions).toEqual([1, 4])
  })

  it('counts what a dropped file held as absent, and a partial batch never does', async () => {
    const dropped = join(temp.dir, 'dropped')
    await cp(out('b'), dropped, {recursive: true})
    await rm(join(dropped, 'activities.json'))
    const full = await stageJson([dropped, '--db', db()])
    expect(full.result.batch?.entities.Activity).toMatchObject({records: 0, absent: 54})
    expect(full.result.batch?.entities.Person).toMatchObject({unchanged: 146, absent: 0})

    // Invalid input staged with --allow-partial: the refused record and what refers to it outside a list are
    // refused, list items that refer to it are taken out, and nothing is counted absent.
    const dirty = join(temp.dir, 'dirty')
    await cp(out('b'), dirty, {recursive: true})
    const persons = JSON.parse(await readFile(join(dirty, 'persons.json'), 'utf8')) as Array<Record<string, unknown>>
    const student = persons.find((person) => person.givenName === 'Alicia')!
    delete student.familyName
    await writeFile(join(dirty, 'persons.json'), JSON.stringify(persons.slice(0, 100), null, 2))
    const strict = await stageJson([dirty, '--db', db()])
    expect(strict.exitCode).toBe(3)
    expect(strict.result.batch).toBeUndefined()
    expect(strict.result.totals.refused).toBeGreaterThan(0)
    const {records, staged, refused, withheld, skipped} = strict.result.totals
    expect(staged).toBe(0)
    expect(records).toBe(staged + refused + withheld + skipped)

    const partial = await stageJson([dirty, '--db', db(), '--allow-partial'])
    expect(partial.exitCode).toBe(5)
    expect(partial.result.partial).toBe(true)
    for (const changes of Object.values(partial.result.batch?.entities ?? {})) expect(changes.absent).toBe(0)
    expect(partial.result.entities.Person?.refused).toBe(1)
    expect(partial.result.totals.records).toBe(
      partial.result.totals.staged + partial.result.totals.refused + partial.result.totals.skipped,
    )
    const codes = partial.result.issueGroups.map((group) => group.code)
    expect(codes).toContain('schema.required')
    expect(codes).toContain('mapping.rejected-item')
    const rejects = await readFile(join(temp.dir, 'term-rejects.csv'), 'utf8')
    const lines = rejects.trimEnd().split('\r\n')
    expect(lines[0]).toBe('\ufefffile;line;entity;id;reasons;record')
    expect(lines.length - 1).toBe(partial.result.totals.refused)
    expect(rejects).toContain('familyName')
    // Personnummer are masked in the rejects file unless --reveal.
    expect(rejects).not.toMatch(/\d{8}-?\d{4}"/)
    // The groups lost the refused student's membership; the staged state stays consistent.
    const handle = new Database(db(), {readonly: true})
    const dangling = handle
      .prepare(
        `SELECT COUNT(*) FROM current_record g, json_each(g.json, '$.groupMemberships') m
         WHERE g.entity = 'Group' AND json_extract(m.value, '$.person.id') = ?`,
      )
      .pluck()
      .get(student.id as string)
    expect(dangling).toBe(0)
    expect(handle.prepare(`PRAGMA integrity_check`).pluck().get()).toBe('ok')
    handle.close()
  })

  it('warns about schema drift: a column found under another header, codes the crosswalk never saw', async () => {
    const legacy = await legacyCopy('drift', (files) => {
      files['elever.csv'] = files['elever.csv']!.replace(';Kön;', ';Kon;').replace(
        /^(\d{8}-\d{4};[^;]*;[^;]*;[^;]*;[^;]*;[^;]*;[^;]*;)M;/m,
        '$1Pojke;',
      )
      files['personal.csv'] = files['personal.csv']!.replace('E-post', 'Mejl')
    })
    const drifted = out('drift')
    await convertTo(legacy, drifted)
    const copy = join(temp.dir, 'drift-text.db')
    await cp(db(), copy)
    const {exitCode, result} = await stageJson([drifted, '--db', db()])
    expect(exitCode).toBe(0)
    expect(result.driftSince).toBeGreaterThan(0)
    const kinds = result.drift.map((warning) => `${warning.kind} ${warning.input} ${warning.column ?? ''}`.trim())
    expect(kinds, JSON.stringify(result.drift, null, 1)).toEqual(
      expect.arrayContaining(['column-renamed students sex', 'new-values students sex', 'column-missing staff email']),
    )
    const newValues = result.drift.find((warning) => warning.kind === 'new-values')
    expect(newValues?.after).toEqual(['Pojke'])
    const text = await runCli(['stage', drifted, '--db', copy])
    expect(text.stdout).toContain('Schema drift')
    expect(text.stdout).toContain('students: column sex is now found under "Kon"; batch')
    // The batch keeps its drift (status shows it); the next batch is measured against this one, so finds none.
    const handle = new Database(db(), {readonly: true})
    const stored = handle.prepare(`SELECT drift FROM batch ORDER BY id DESC LIMIT 1`).pluck().get() as string
    handle.close()
    expect(JSON.parse(stored)).toEqual(result.drift)
    const again = await stageJson([drifted, '--db', db()])
    expect(again.result.drift).toEqual([])
  })

  it('convert --stage converts and stages in one go', async () => {
    const run = await runCli(
      [
        'convert',
        LEGACY,
        '--template',
        'se-generic',
        '--config',
        CONFIG,
        '--out',
        out('together'),
        '--stage',
        '--db',
        join(temp.dir, 'together.db'),
      ],
      {cwd: temp.dir},
    )
    expect(run.exitCode).toBe(0)
    expect(run.stdout).toContain('Staged batch 1 (scope se-generic')
  })

  it('refuses what it cannot use with a clear message and no stack trace', async () => {
    const missing = await runCli(['stage', join(temp.dir, 'no-such-folder'), '--db', db()])
    expect(missing.exitCode).toBe(2)
    expect(stackTraceLines(missing.stderr)).toEqual([])
    const notDb = join(temp.dir, 'not-a-db.db')
    await writeFile(notDb, 'this is not SQLite, just text that is long enough to have a header'.repeat(10))
    const wrong = await runCli(['stage', out('a'), '--db', notDb])
    expect(wrong.exitCode).toBe(2)
    expect(wrong.stderr).toContain('is not a staging database')
    expect(stackTraceLines(wrong.stderr)).toEqual([])
    const entity = await runCli(['stage', out('a'), '--db', db(), '--entity', 'Pupil'])
    expect(entity.exitCode).toBe(2)
    expect(entity.stderr).toContain('Unknown entity type "Pupil"')
  })
})

import {cp, readFile, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {makeTempDir, runCli, stackTraceLines, startServe} from '../support/cli.js'
import {writeFullDataset} from '../support/full-dataset.js'

/**
 * `ss12000 diff` over the built CLI: staged data against files, a batch, and a live API (its own `serve`), with the
 * exit codes of diff(1), every report format and the HTML report.
 */
let temp: {dir: string; cleanup: () => Promise<void>}
let db: string
let data: string
let server: Awaited<ReturnType<typeof startServe>>

beforeAll(async () => {
  temp = await makeTempDir('ss12000-diff-cmd-')
  db = join(temp.dir, 'staging.db')
  data = join(temp.dir, 'data')
  await writeFullDataset(data)
  expect((await runCli(['stage', data, '--db', db, '--scope', 'skolan'])).exitCode).toBe(0)
  server = await startServe(['--db', db, '--port', '0', '--no-auth'])
})
afterAll(async () => {
  await server.stop()
  await temp.cleanup()
})

interface Summary {
  equal: boolean
  entities: Record<string, {onlyLeft: number; onlyRight: number; changed: number; same: number}>
}
/** The types that differ, with how. */
const totals = (summary: Summary) =>
  Object.fromEntries(
    Object.entries(summary.entities)
      .filter(([, counts]) => counts.onlyLeft + counts.onlyRight + counts.changed > 0)
      .map(([entity, {onlyLeft, onlyRight, changed}]) => [entity, {onlyLeft, onlyRight, changed}]),
  )

describe('ss12000 diff', () => {
  it('finds staged data equal to the files it came from, and to the API that serves it', async () => {
    const files = await runCli(['diff', 'staged:skolan', data, '--db', db])
    expect(files.exitCode, files.stderr).toBe(0)
    const api = await runCli(['diff', 'staged:skolan', server.url, '--db', db, '--json'])
    expect(api.exitCode, api.stderr).toBe(0)
    expect((JSON.parse(api.stdout) as Summary).equal).toBe(true)
  })

  it('finds exactly the changes made, exits 1, and writes every format', async () => {
    const changed = join(temp.dir, 'changed')
    await cp(data, changed, {recursive: true})
    const persons = JSON.parse(await readFile(join(changed, 'persons.json'), 'utf8')) as Array<Record<string, unknown>>
    persons[0]!.givenName = 'Ändrad'
    persons[1]!.familyName = '<script>alert(1)</script>'
    await writeFile(join(changed, 'persons.json'), JSON.stringify(persons))
    const grades = JSON.parse(await readFile(join(changed, 'grades.json'), 'utf8')) as unknown[]
    grades.pop()
    await writeFile(join(changed, 'grades.json'), JSON.stringify(grades))

    const html = join(temp.dir, 'diff.html')
    const csv = join(temp.dir, 'diff.csv')
    const json = await runCli(['diff', 'staged:skolan', changed, '--db', db, '--json', '--html', html])
    expect(json.exitCode, json.stderr).toBe(1)
    expect(totals(JSON.parse(json.stdout) as Summary)).toEqual({
      Person: {onlyLeft: 0, onlyRight: 0, changed: 2},
      Grade: {onlyLeft: 1, onlyRight: 0, changed: 0},
    })
    const page = await readFile(html, 'utf8')
    expect(page).not.toMatch(/(src|href)="https?:/)
    expect(page).not.toContain('<script>alert(1)</script>')

    const text = await runCli(['diff', 'staged:skolan', changed, '--db', db])
    expect(text.exitCode).toBe(1)
    expect(text.stdout).toContain('givenName')
    expect(text.stdout).toContain('Ändrad')
    expect(stackTraceLines(text.stderr)).toEqual([])

    expect(
      (await runCli(['diff', 'staged:skolan', changed, '--db', db, '--format', 'csv', '--out', csv])).exitCode,
    ).toBe(1)
    const rows = (await readFile(csv, 'utf8'))
      .replace(/^\uFEFF/, '')
      .trim()
      .split(/\r?\n/)
    expect(rows[0]).toBe('entity;leftId;rightId;key;kind;path;left;right')
    expect(rows.filter((row) => row.startsWith('Person;'))).toHaveLength(2)

    const ignored = await runCli([
      'diff',
      'staged:skolan',
      changed,
      '--db',
      db,
      '--entity',
      'persons',
      '--ignore',
      'givenName',
      '--ignore',
      'familyName',
    ])
    expect(ignored.exitCode, ignored.stdout).toBe(0)
  })

  it('refuses sides it cannot read, clearly', async () => {
    const missing = await runCli(['diff', 'staged:skolan', join(temp.dir, 'nowhere'), '--db', db])
    expect(missing.exitCode).toBe(2)
    expect(stackTraceLines(missing.stderr)).toEqual([])
    const batch = await runCli(['diff', 'batch:999', 'staged:skolan', '--db', db])
    expect(batch.exitCode).toBe(2)
  })
})

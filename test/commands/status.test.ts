import {existsSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {JsonError} from '../../src/cli/base-command.js'
import type {StatusResult} from '../../src/services/status.js'
import {writeBatch} from '../../src/staging/batches.js'
import {openStagingDatabase} from '../../src/staging/database.js'
import {makeTempDir, runCli, stackTraceLines} from '../support/cli.js'
import {STAGED, writeStagedStory} from '../support/staged.js'

let temp: {dir: string; cleanup: () => Promise<void>}
let story: string
beforeAll(async () => {
  temp = await makeTempDir('ss12000-status-cli-')
  story = join(temp.dir, 'story.db')
  writeStagedStory(story)
})
afterAll(async () => {
  await temp.cleanup()
})

describe('ss12000 status', () => {
  it('shows what stage wrote, and the second batch first once the example is staged again', async () => {
    const db = join(temp.dir, 'example.db')
    expect(
      (await runCli(['stage', 'examples/ss12000', '--db', db, '--scope', 'example', '--label', 'HT 2026'])).exitCode,
    ).toBe(0)
    expect((await runCli(['stage', 'examples/ss12000', '--db', db, '--scope', 'example'])).exitCode).toBe(0)
    const {stdout, stderr, exitCode} = await runCli(['status'], {env: {SS12000_DB: db}})
    expect(stderr).toBe('')
    expect(exitCode).toBe(0)
    expect(stdout).toContain(`Staging database ${db}: 1 scope.`)
    expect(stdout).toContain(
      'Scope example: holds 100 records (Organisation 2, Person 70, Group 9, Duty 10, Activity 9); 2 batches.',
    )
    expect(stdout.indexOf('Batch 2 · import ·')).toBeLessThan(stdout.indexOf('Batch 1 · import · "HT 2026" ·'))
    // The restage held every record unchanged.
    expect(stdout).toMatch(/^ +Person +70 +0 +0 +70 +0$/m)
    expect(stdout).toMatch(/Batch 2 · import · \S+ \S+ · no changes\n/)
    expect(stdout).toContain('files: examples/ss12000/activities.json, examples/ss12000/duties.json')
  })

  it('lists scopes and batches newest first, with counts, changed fields, partial batches and drift', async () => {
    const {stdout, stderr, exitCode} = await runCli(['status', '--db', story])
    expect({stderr, exitCode}).toEqual({stderr: '', exitCode: 0})
    const order = [
      'Scope se-generic:',
      'Batch 5 ·',
      'Batch 4 ·',
      'Batch 3 ·',
      'Batch 2 ·',
      'Scope skolverket:',
      'Batch 1 ·',
    ]
    const positions = order.map((text) => stdout.indexOf(text))
    expect(positions.every((position) => position >= 0)).toBe(true)
    expect([...positions].sort((a, b) => a - b)).toEqual(positions)
    expect(stdout).toContain('Scope se-generic: holds 4 records (Organisation 1, Person 2, Group 1); 4 batches.')
    expect(stdout).toContain(
      'Batch 5 · import · "Komplettering" · template se-generic@1.0.0 · 2026-10-15 07:00:00+02:00 · partial',
    )
    // A partial batch's absences are not counted: it replaces nothing.
    expect(stdout).toMatch(/records +added +changed +unchanged +absent \(not counted\)\n +Person +1 +1 +0 +0 +–\n/)
    expect(stdout).toMatch(/Person +2 +0 +1 +1 +0 +civicNo 1, emails 1, givenName 1\n/)
    expect(stdout).toMatch(/Person +1 +0 +0 +1 +1\n/)
    expect(stdout).toContain(
      '⚠ 2 drift warnings:\n      - elever.csv: new column "Mentor"\n      - elever.csv: column "Klass" is gone',
    )
    expect(stdout).toContain('Batch 1 · snapshot · from https://api.example/ss12000/v2 · 2026-08-01 09:00:00+02:00')
  })

  it('shows the drift of each scope’s newest batch first, masking civic numbers unless --reveal', async () => {
    const db = join(temp.dir, 'drift.db')
    const handle = openStagingDatabase(db)
    const input = {
      kind: 'import' as const,
      scope: 'se-generic',
      partial: false,
      files: [],
      now: () => '2026-11-27T10:00:00+01:00',
    }
    writeBatch(handle, input, [])
    writeBatch(
      handle,
      {...input, drift: [{message: `new value "${STAGED.elisCivic}" in column "Status"`, extra: [1]}]},
      [],
    )
    handle.close()
    const {stdout, exitCode} = await runCli(['status', '--db', db])
    expect(exitCode).toBe(0)
    expect(stdout).toContain(
      'Scope se-generic: holds 0 records; 2 batches.\n' +
        '  ⚠ Schema drift in the newest batch (2): the input differs from the previous batch of its template.\n' +
        '    - new value "20101130-****" in column "Status"\n',
    )
    expect(stdout).toContain('    ⚠ 1 drift warning (above)')
    expect(stdout).not.toContain(STAGED.elisCivic)
    expect((await runCli(['status', '--db', db, '--reveal'])).stdout).toContain(STAGED.elisCivic)
  })

  it('lists --limit batches per scope and says how many it left out', async () => {
    const {stdout} = await runCli(['status', '--db', story, '--scope', 'se-generic', '--limit', '1'])
    expect(stdout).toContain('Staging database')
    expect(stdout).toContain('Batch 5 ·')
    expect(stdout).not.toContain('Batch 4 ·')
    expect(stdout).not.toContain('skolverket')
    expect(stdout).toContain('  … and 3 older batches (--limit 0 lists them all).')
    expect((await runCli(['status', '--db', story, '--limit', '0'])).stdout).toContain('Batch 2 ·')
  })

  it('prints the result as one JSON document', async () => {
    const {stdout, exitCode} = await runCli(['status', '--db', story, '--json', '--limit', '2'])
    expect(exitCode).toBe(0)
    const result = JSON.parse(stdout) as StatusResult
    expect(result.database).toBe(story)
    expect(result.scopes.map((scope) => [scope.scope, scope.records, scope.batchCount, scope.batches.length])).toEqual([
      ['se-generic', 4, 4, 2],
      ['skolverket', 2, 1, 1],
    ])
    const [generic] = result.scopes
    expect(generic!.held).toEqual({Organisation: 1, Person: 2, Group: 1})
    expect(generic!.drift).toEqual([])
    expect(generic!.batches[0]).toEqual({
      id: 5,
      kind: 'import',
      scope: 'se-generic',
      label: 'Komplettering',
      template: {name: 'se-generic', version: '1.0.0'},
      partial: true,
      startedAt: '2026-10-15T07:00:00+02:00',
      finishedAt: '2026-10-15T07:00:00+02:00',
      counts: {Person: {records: 1, added: 1, changed: 0, unchanged: 0, absent: 0, fields: {}}},
      files: [{path: 'persons.json', sha256: 'ab'.repeat(32), size: 1234}],
      drift: [],
    })
    const full = JSON.parse((await runCli(['status', '--db', story, '--json'])).stdout) as StatusResult
    expect(full.scopes[0]!.batches.find((batch) => batch.id === 3)!.drift).toEqual([
      {message: 'elever.csv: new column "Mentor"', kind: 'column-added', input: 'elever.csv', column: 'Mentor'},
      {message: 'elever.csv: column "Klass" is gone', kind: 'column-removed', input: 'elever.csv', column: 'Klass'},
    ])
  })

  it('says so when nothing is staged yet, and exits 0', async () => {
    const db = join(temp.dir, 'empty.db')
    openStagingDatabase(db).close()
    const {stdout, exitCode} = await runCli(['status', '--db', db])
    expect(exitCode).toBe(0)
    expect(stdout.trim()).toBe(`Nothing is staged in ${db} yet. Stage convert's output with: ss12000 stage <folder>`)
    const json = await runCli(['status', '--db', db, '--json'])
    expect(JSON.parse(json.stdout)).toEqual({database: db, scopes: []})
  })

  it('refuses a database that does not exist (exit 2, no stack trace, no file made)', async () => {
    const db = join(temp.dir, 'missing.db')
    const {stdout, stderr, exitCode} = await runCli(['status', '--db', db])
    expect(exitCode).toBe(2)
    expect(stdout).toBe('')
    expect(stderr).toContain(`Error: There is no staging database at ${db}.`)
    expect(stderr).toContain('→ Stage something first')
    expect(stackTraceLines(stderr)).toEqual([])
    expect(existsSync(db)).toBe(false)
    const json = await runCli(['status', '--db', db, '--json'])
    expect(json.exitCode).toBe(2)
    expect((JSON.parse(json.stdout) as JsonError).error).toMatchObject({code: 'usage', exitCode: 2})
  })

  it('refuses a scope that is not staged, naming those that are', async () => {
    const {stderr, exitCode} = await runCli(['status', '--db', story, '--scope', 'nope'])
    expect(exitCode).toBe(2)
    expect(stderr).toContain(`Error: Nothing is staged in scope 'nope' in ${story}.`)
    expect(stderr).toContain('Staged scopes: se-generic, skolverket.')
    expect(stackTraceLines(stderr)).toEqual([])
    expect((await runCli(['status', '--db', story, '--limit', '-1'])).exitCode).toBe(2)
  })
})

import {readFile, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {runCli, runCliOnTerminal, stackTraceLines} from '../support/cli.js'
import {heldRecords, type ServedFullDataset, serveFullDataset} from '../support/served.js'

/**
 * `ss12000 pull` and `probe` against the toolkit's own `serve` over loopback: a pull holds exactly what was staged,
 * an incremental pull after a restage finds exactly what changed and what was deleted, and credentials are required
 * and never printed.
 */
const TOKEN = 'pull-test-token-not-a-secret'
let school: ServedFullDataset
let temp: ServedFullDataset['temp']
let source: string
let data: string
let server: ServedFullDataset['serve']

beforeAll(async () => {
  school = await serveFullDataset('ss12000-pull-', TOKEN)
  ;({temp, source, data, serve: server} = school)
})
afterAll(async () => {
  await school.stop()
})

describe('ss12000 pull', () => {
  it('pulls every collection into a snapshot that holds exactly what was staged, then only what changed', async () => {
    const target = join(temp.dir, 'pulled.db')
    const first = await runCli(['pull', server.url, '--db', target, '--name', 'skolan-api', '--limit', '3'], {
      env: {SS12000_TOKEN: TOKEN},
    })
    expect(first.exitCode, first.stderr).toBe(0)
    expect(first.stdout).toContain('(scope skolan-api, full)')
    expect(first.stdout).toContain('Received 90 records')
    expect(heldRecords(target, 'skolan-api')).toEqual(heldRecords(source, 'skolan'))
    expect(first.stdout + first.stderr).not.toContain(TOKEN)

    // The school changes a person and drops a grade; the next pull asks only for what changed.
    const persons = JSON.parse(await readFile(join(data, 'persons.json'), 'utf8')) as Array<Record<string, unknown>>
    persons[0]!.givenName = 'Ändrad'
    await writeFile(join(data, 'persons.json'), JSON.stringify(persons))
    // Nothing refers to grades: dropping one is a plain deletion.
    const grades = JSON.parse(await readFile(join(data, 'grades.json'), 'utf8')) as unknown[]
    grades.pop()
    await writeFile(join(data, 'grades.json'), JSON.stringify(grades))
    expect((await runCli(['stage', data, '--db', source, '--scope', 'skolan'])).exitCode).toBe(0)

    const second = await runCli(['pull', server.url, '--db', target, '--name', 'skolan-api', '--json'], {
      env: {SS12000_TOKEN: TOKEN},
    })
    expect(second.exitCode, second.stderr).toBe(0)
    const report = JSON.parse(second.stdout) as {
      incremental: boolean
      batch: {entities: Record<string, {added: number; changed: number; absent: number}>}
    }
    expect(report.incremental).toBe(true)
    expect(report.batch.entities.Person).toMatchObject({added: 0, changed: 1})
    expect(report.batch.entities.Grade).toMatchObject({absent: 1})
    expect(heldRecords(target, 'skolan-api')).toEqual(heldRecords(source, 'skolan'))
  })

  it('pulls the collections asked for, and leaves the others of the snapshot alone', async () => {
    const target = join(temp.dir, 'some.db')
    const env = {SS12000_TOKEN: TOKEN}
    expect((await runCli(['pull', server.url, '--db', target, '--name', 's'], {env})).exitCode).toBe(0)
    const persons = await runCli(['pull', server.url, '--db', target, '--name', 's', '--entity', 'persons', '--full'], {
      env,
    })
    expect(persons.exitCode, persons.stderr).toBe(0)
    expect(heldRecords(target, 's')).toEqual(heldRecords(source, 'skolan'))
  })

  it('shows a progress line per collection on a terminal, with its count when done', async () => {
    const target = join(temp.dir, 'terminal.db')
    const {lines, exitCode} = await runCliOnTerminal(
      ['pull', server.url, '--db', target, '--entity', 'persons', '--entity', 'groups', '--limit', '2'],
      {env: {SS12000_TOKEN: TOKEN}},
    )
    expect(exitCode, lines.join('\n')).toBe(0)
    const persons = [...heldRecords(source, 'skolan').keys()].filter((key) => key.startsWith('Person/')).length
    const groups = [...heldRecords(source, 'skolan').keys()].filter((key) => key.startsWith('Group/')).length
    expect(lines).toContain(`✔ Pulling ${server.url}`)
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^  ✔ /persons: ${persons} records`)))
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^  ✔ /groups: ${groups} records`)))
    expect(lines).toContain('✔ Writing the snapshot')
    // The result follows the progress, as it does without a terminal.
    expect(lines).toContainEqual(expect.stringMatching(/^Received \d+ records/))
  })

  it('needs a token the server accepts, and says so without printing one', async () => {
    const refused = await runCli(['pull', server.url, '--db', join(temp.dir, 'refused.db')], {
      env: {SS12000_TOKEN: 'wrong-token-not-a-secret'},
    })
    expect(refused.exitCode).toBe(4)
    expect(refused.stderr).toContain('403')
    expect(refused.stderr).not.toContain('wrong-token-not-a-secret')
    expect(stackTraceLines(refused.stderr)).toEqual([])
    const plain = await runCli(['pull', 'http://sis.example.invalid/v2.0', '--db', join(temp.dir, 'x.db')])
    expect(plain.exitCode).toBe(2)
    expect(plain.stderr).toContain('--insecure-http')
  })
})

describe('ss12000 probe', () => {
  it('reports which collections answer and what the server supports', async () => {
    const probed = await runCli(['probe', server.url, '--json'], {env: {SS12000_TOKEN: TOKEN}})
    expect(probed.exitCode, probed.stderr).toBe(0)
    const result = JSON.parse(probed.stdout) as {
      collections: Array<{collection: string; status: string}>
      features: Array<{feature: string; supported: boolean | string}>
    }
    expect(result.collections).toHaveLength(19)
    expect(result.collections.every((collection) => collection.status === 'answers')).toBe(true)
    expect(Object.fromEntries(result.features.map(({feature, supported}) => [feature, supported]))).toEqual({
      pageSizeLimit: false,
      expand: true,
      expandReferenceNames: true,
      lookup: true,
      'meta.modified.after': true,
      deletedEntities: true,
    })
    const text = await runCli(['probe', server.url], {env: {SS12000_TOKEN: TOKEN}})
    expect(text.stdout).toContain('19 of 19 collections answer this token.')
    const forbidden = await runCli(['probe', server.url], {env: {SS12000_TOKEN: 'nope-not-a-secret'}})
    expect(forbidden.exitCode).toBe(4)
    expect(forbidden.stdout).toContain('forbidden')
  })
})

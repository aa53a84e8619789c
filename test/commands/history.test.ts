import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {JsonError} from '../../src/cli/base-command.js'
import type {HistoryResult} from '../../src/services/history.js'
import {makeTempDir, runCli, stackTraceLines} from '../support/cli.js'
import {STAGED, writeStagedStory} from '../support/staged.js'

let temp: {dir: string; cleanup: () => Promise<void>}
let story: string
beforeAll(async () => {
  temp = await makeTempDir('ss12000-history-cli-')
  story = join(temp.dir, 'story.db')
  writeStagedStory(story)
})
afterAll(async () => {
  await temp.cleanup()
})

const civicNumbers = [STAGED.alvaCivic, STAGED.alvaCivicLater]

describe('ss12000 history', () => {
  it('tells a record added, changed, removed and added again, personnummer masked', async () => {
    const {stdout, stderr, exitCode} = await runCli([
      'history',
      'Person',
      STAGED.alva,
      '--db',
      story,
      '--scope',
      'se-generic',
    ])
    expect({stderr, exitCode}).toEqual({stderr: '', exitCode: 0})
    expect(stdout).toBe(
      [
        `Person ${STAGED.alva} in ${story}: 4 versions in scope se-generic.`,
        'Held now in scope se-generic, as its version of batch 5.',
        '',
        'Batch 2 · "HT 2026" · 2026-08-20 07:00:00+02:00 · persons.json:3',
        '  added with 4 fields:',
        '    civicNo     {"value":"20110407-****"}',
        '    familyName  "Ek"',
        '    givenName   "Alva"',
        `    id          "${STAGED.alva}"`,
        '',
        'Batch 3 · "HT 2026 v2" · 2026-09-01 07:00:00+02:00 · persons.json:3',
        '  changed 3 fields against batch 2:',
        '    ~ civicNo.value  "20110407-****" → "20110407-****" (differs in masked digits; --reveal shows it)',
        '    + emails         [{"type":"Skola elev","value":"alva.ek@exempelskolan.example"}]',
        '    ~ givenName      "Alva" → "Alva Maria"',
        '',
        'Batch 4 · "Avgångar" · 2026-10-01 07:00:00+02:00',
        '  removed: no longer present in batch 4, a full batch of scope se-generic.',
        '',
        'Batch 5 · "Komplettering" · 2026-10-15 07:00:00+02:00 · komplettering.json:2',
        '  added again after its removal in batch 4; 1 field differs from its version of batch 3:',
        '    ~ familyName  "Ek" → "Björk"',
        '',
      ].join('\n'),
    )
  })

  it('shows personnummer with --reveal, and masks them in --json unless --reveal', async () => {
    const revealed = await runCli(['history', 'persons', STAGED.alva, '--db', story, '--reveal'])
    expect(revealed.exitCode).toBe(0)
    expect(revealed.stdout).toContain(`~ civicNo.value  "${STAGED.alvaCivic}" → "${STAGED.alvaCivicLater}"\n`)

    const masked = await runCli(['history', 'person', STAGED.alva, '--db', story, '--json'])
    for (const civic of civicNumbers) {
      expect(masked.stdout).not.toContain(civic)
      expect(masked.stdout).not.toContain(civic.slice(2))
    }
    const result = JSON.parse(masked.stdout) as HistoryResult
    expect(result.versions[0]!.record).toEqual({
      id: STAGED.alva,
      givenName: 'Alva',
      familyName: 'Ek',
      civicNo: {value: '20110407-****'},
    })

    const json = JSON.parse(
      (await runCli(['history', 'Person', STAGED.alva, '--db', story, '--json', '--reveal'])).stdout,
    ) as HistoryResult
    expect(json.versions.find((version) => version.batch === 3)!.changes[0]).toEqual({
      path: 'civicNo.value',
      before: STAGED.alvaCivic,
      after: STAGED.alvaCivicLater,
    })
  })

  it('prints the versions of every scope as one JSON document', async () => {
    const {stdout, exitCode} = await runCli(['history', 'Person', STAGED.alva, '--db', story, '--json'])
    expect(exitCode).toBe(0)
    const result = JSON.parse(stdout) as HistoryResult
    expect(result).toMatchObject({
      database: story,
      entity: 'Person',
      id: STAGED.alva,
      scopes: ['se-generic', 'skolverket'],
    })
    expect(result.versions.map(({batch, scope, event, comparedWith}) => ({batch, scope, event, comparedWith}))).toEqual(
      [
        {batch: 1, scope: 'skolverket', event: 'added'},
        {batch: 2, scope: 'se-generic', event: 'added'},
        {batch: 3, scope: 'se-generic', event: 'changed', comparedWith: 2},
        {batch: 4, scope: 'se-generic', event: 'removed', comparedWith: 3},
        {batch: 5, scope: 'se-generic', event: 'added-again', comparedWith: 3},
      ],
    )
    expect(result.versions[4]).toMatchObject({
      label: 'Komplettering',
      finishedAt: '2026-10-15T07:00:00+02:00',
      file: 'komplettering.json',
      line: 2,
      changes: [{path: 'familyName', before: 'Ek', after: 'Björk'}],
    })
    expect(result.current).toEqual([
      {scope: 'skolverket', held: true, batch: 1},
      {scope: 'se-generic', held: true, batch: 5},
    ])
  })

  it('names the scope of each version when the record is staged in several, and the items an array lost', async () => {
    const several = await runCli(['history', 'Person', STAGED.alva, '--db', story])
    expect(several.stdout).toContain(`Person ${STAGED.alva} in ${story}: 5 versions in 2 scopes.\n`)
    expect(several.stdout).toContain('Batch 1 · scope skolverket · 2026-08-01 09:00:00+02:00 · snapshot.json:3\n')
    const group = await runCli(['history', 'groups', STAGED.group, '--db', story])
    expect(group.stdout).toContain(
      `  changed 1 field against batch 2:\n    ~ groupMemberships  1 item removed\n        - {"person":{"id":"${STAGED.alva}"}}\n`,
    )
  })

  it.each([
    {
      name: 'a database that does not exist',
      args: ['Person', STAGED.alva, '--db', 'DIR/missing.db'],
      message: 'Error: There is no staging database at DIR/missing.db.',
    },
    {
      name: 'an unknown entity type',
      args: ['Pupil', STAGED.alva, '--db', 'STORY'],
      message: 'Unknown entity type "Pupil". Use one of: Organisation, Person, Placement,',
    },
    {
      name: 'an unknown id',
      args: ['Person', 'f00dfeed-0000-4000-8000-000000000000', '--db', 'STORY'],
      message:
        'Error: No Person with id f00dfeed-0000-4000-8000-000000000000 is staged in scopes se-generic, skolverket of STORY.',
    },
    {
      name: 'an id of another entity type',
      args: ['Group', STAGED.elis, '--db', 'STORY'],
      message: `→ There is a Person with that id: ss12000 history Person ${STAGED.elis}`,
    },
    {
      name: 'a scope that is not staged',
      args: ['Person', STAGED.alva, '--db', 'STORY', '--scope', 'nope'],
      message: "Error: Nothing is staged in scope 'nope' in STORY.",
    },
    {name: 'a missing id', args: ['Person', '--db', 'STORY'], message: 'Error: Missing 1 required arg'},
  ])('refuses $name with exit 2 and no stack trace', async ({args, message}) => {
    const fill = (text: string) => text.replace('STORY', story).replaceAll('DIR', temp.dir)
    const {stdout, stderr, exitCode} = await runCli(['history', ...args.map(fill)])
    expect(exitCode).toBe(2)
    expect(stdout).toBe('')
    expect(stderr).toContain(fill(message))
    expect(stackTraceLines(stderr)).toEqual([])
  })

  it('never prints a personnummer given as the id, and reports the error as JSON with --json', async () => {
    const {stdout, exitCode} = await runCli(['history', 'Person', STAGED.alvaCivic, '--db', story, '--json'])
    expect(exitCode).toBe(2)
    expect(stdout).not.toContain(STAGED.alvaCivic)
    const {error} = JSON.parse(stdout) as JsonError
    expect(error).toMatchObject({code: 'usage', exitCode: 2})
    expect(error.message).toContain('No Person with id 20110407-**** is staged')
    expect(error.actions).toContain('history looks records up by their id, not by personnummer.')
  })
})

import {readFile} from 'node:fs/promises'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {JsonError} from '../../src/cli/base-command.js'
import type {ValidateResult} from '../../src/services/validate.js'
import {makeCivicNumber} from '../../src/validation/identity.js'
import {makeTempDir, REPO_ROOT, runCli, writeFiles} from '../support/cli.js'

const CIVIC = makeCivicNumber('2011-04-07', 123)
const WRITTEN = `${CIVIC.slice(0, 8)}-${CIVIC.slice(8)}`
const MASKED = `${CIVIC.slice(0, 8)}-****`

const SWEDISH = 'Person.civicNo.value måste vara 12 tecken utan skiljetecken (ÅÅÅÅMMDDNNNN)'
const SWEDISH_HINT = `hint: Skriv det som ${MASKED}.`
const ENGLISH = 'Person.civicNo.value must be 12 characters without a separator (YYYYMMDDNNNN)'
const ENGLISH_HINT = `hint: Write it as ${MASKED}.`

let temp: {dir: string; cleanup: () => Promise<void>}
let persons: string
beforeAll(async () => {
  temp = await makeTempDir()
  const written = await writeFiles(temp.dir, {
    'persons.json': [
      {id: '1c9b3a5f-2d4e-4f60-9bac-1d2e3f4a5b60', givenName: 'Alva', familyName: 'Ek', civicNo: {value: WRITTEN}},
    ],
  })
  persons = written[0]!
})
afterAll(async () => {
  await temp.cleanup()
})

describe.concurrent('ss12000 validate in Swedish and English', () => {
  const cases: Array<{name: string; args?: string[]; env?: NodeJS.ProcessEnv; swedish: boolean}> = [
    {name: '--lang sv', args: ['--lang', 'sv'], swedish: true},
    {name: '--lang=sv', args: ['--lang=sv'], swedish: true},
    {name: 'LANG=sv_SE.UTF-8', env: {LANG: 'sv_SE.UTF-8'}, swedish: true},
    {
      name: 'LC_MESSAGES=sv_SE.UTF-8 over LANG=en_US.UTF-8',
      env: {LANG: 'en_US.UTF-8', LC_MESSAGES: 'sv_SE.UTF-8'},
      swedish: true,
    },
    {name: 'LC_ALL=sv_SE.UTF-8 over LANG=C', env: {LANG: 'C', LC_ALL: 'sv_SE.UTF-8'}, swedish: true},
    {name: 'LC_ALL=C over LANG=sv_SE.UTF-8', env: {LANG: 'sv_SE.UTF-8', LC_ALL: 'C'}, swedish: false},
    {name: '--lang en over LANG=sv_SE.UTF-8', args: ['--lang', 'en'], env: {LANG: 'sv_SE.UTF-8'}, swedish: false},
    {name: 'the default (LANG=C)', env: {LANG: 'C'}, swedish: false},
    {name: 'the default (no locale set)', env: {LANG: undefined}, swedish: false},
  ]

  it.each(cases)('$name', async ({args = [], env, swedish}) => {
    const {stdout, stderr, exitCode} = await runCli(['validate', persons, ...args], {env})
    expect(exitCode).toBe(3)
    expect(stdout).toContain(`${swedish ? SWEDISH : ENGLISH}  [identity.civic-no.separator]`)
    expect(stdout).toContain(swedish ? SWEDISH_HINT : ENGLISH_HINT)
    expect(stdout).not.toContain(swedish ? ENGLISH : SWEDISH)
    // The personnummer is masked in either language.
    expect(stdout + stderr).not.toContain(WRITTEN)
    expect(stdout + stderr).not.toContain(CIVIC)
  })

  it('keeps the issue code in --json, with the message in Swedish', async () => {
    const {stdout, exitCode} = await runCli(['validate', persons, '--json', '--lang', 'sv'])
    expect(exitCode).toBe(3)
    const result = JSON.parse(stdout) as ValidateResult
    expect(result.groups.map(({code, message, hint}) => ({code, message, hint}))).toEqual([
      {code: 'identity.civic-no.separator', message: SWEDISH, hint: `Skriv det som ${MASKED}.`},
    ])
    expect(result.issues?.map(({code}) => code)).toEqual(['identity.civic-no.separator'])
    expect(stdout).not.toContain(CIVIC)
  })

  it('refuses a language it does not have, as a usage error', async () => {
    const {stdout, exitCode} = await runCli(['validate', persons, '--json', '--lang', 'de'])
    expect(exitCode).toBe(2)
    expect((JSON.parse(stdout) as JsonError).error).toMatchObject({code: 'usage'})
  })
})

describe('--lang', () => {
  it('is a flag of every command', async () => {
    const manifest = JSON.parse(await readFile(join(REPO_ROOT, 'oclif.manifest.json'), 'utf8')) as {
      commands: Record<string, {flags: Record<string, {options?: string[]}>}>
    }
    const commands = Object.entries(manifest.commands)
    expect(commands.length).toBeGreaterThan(10)
    for (const [id, command] of commands) expect([id, command.flags.lang?.options]).toEqual([id, ['en', 'sv']])
  })
})

import {mkdir} from 'node:fs/promises'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {JsonError} from '../../src/cli/base-command.js'
import type {ValidateResult} from '../../src/services/validate.js'
import {makeCivicNumber} from '../../src/validation/identity.js'
import {makeTempDir, runCli, stackTraceLines, writeFiles} from '../support/cli.js'

const ORG = '0b8a2f4e-1c3d-4e5f-8a9b-0c1d2e3f4a50'
const P1 = '1c9b3a5f-2d4e-4f60-9bac-1d2e3f4a5b60'
const P2 = '1c9b3a5f-2d4e-4f60-9bac-1d2e3f4a5b61'
const GROUP = '2dac4b60-3e5f-4071-8cbd-2e3f4a5b6c70'
const CIVIC1 = makeCivicNumber('2011-04-07', 123)
const CIVIC2 = makeCivicNumber('2010-11-30', 456)

const organisation = {id: ORG, displayName: 'Exempelskolan', organisationType: 'Skolenhet', schoolUnitCode: '12345678'}
const person1 = {id: P1, givenName: 'Alva', familyName: 'Ek', civicNo: {value: CIVIC1}}
const person2 = {id: P2, givenName: 'Elis', familyName: 'Björk', civicNo: {value: CIVIC2}}
const group = {
  id: GROUP,
  displayName: '7A',
  groupType: 'Klass',
  startDate: '2026-08-17',
  organisation: {id: ORG},
  groupMemberships: [{person: {id: P1}}, {person: {id: P2}}],
}

let temp: {dir: string; cleanup: () => Promise<void>}
beforeAll(async () => {
  temp = await makeTempDir()
})
afterAll(async () => {
  await temp.cleanup()
})

async function scenario(name: string, files: Record<string, unknown>): Promise<string> {
  const dir = join(temp.dir, name)
  await mkdir(dir, {recursive: true})
  await writeFiles(dir, files)
  return dir
}

async function validateJson(
  args: string[],
): Promise<{result: ValidateResult; exitCode: number | null; stderr: string}> {
  const {stdout, stderr, exitCode} = await runCli(['validate', ...args, '--json'])
  return {result: JSON.parse(stdout) as ValidateResult, exitCode, stderr}
}

describe('ss12000 validate: input shapes', () => {
  const shapes: Array<{
    name: string
    files: Record<string, unknown>
    args?: string[]
    expected: Record<string, number>
  }> = [
    {name: 'one entity', files: {'organisations.json': organisation}, expected: {Organisation: 1}},
    {
      name: 'an array',
      files: {'organisations.json': [organisation], 'persons.json': [person1, person2]},
      expected: {Organisation: 1, Person: 2},
    },
    {
      name: 'an API page',
      files: {'persons.json': {data: [person1, person2], pageToken: null}},
      expected: {Person: 2},
    },
    {
      name: 'an API page named by --entity',
      files: {'page-1.json': {data: [person1], pageToken: 'next'}},
      args: ['--entity', 'persons'],
      expected: {Person: 1},
    },
    {
      name: 'an ingest body with several keys',
      files: {'body.json': {organisations: [organisation], persons: [person1, person2], groups: [group]}},
      expected: {Organisation: 1, Person: 2, Group: 1},
    },
    {
      name: 'NDJSON',
      files: {
        'organisations.ndjson': `${JSON.stringify(organisation)}\n`,
        'persons.ndjson': `${JSON.stringify(person1)}\r\n\r\n${JSON.stringify(person2)}\r\n`,
      },
      expected: {Organisation: 1, Person: 2},
    },
  ]
  it.each(shapes)('$name', async ({name, files, args = [], expected}) => {
    const dir = await scenario(name.replaceAll(' ', '-'), files)
    const {result, exitCode} = await validateJson([dir, ...args])
    expect(exitCode).toBe(0)
    expect(result.valid).toBe(true)
    expect(
      Object.fromEntries(Object.entries(result.entities).map(([entity, counts]) => [entity, counts.records])),
    ).toEqual(expected)
  })

  it('takes several paths and a directory tree', async () => {
    const dir = await scenario('tree', {'organisations.json': [organisation]})
    await mkdir(join(dir, 'people', '.hidden'), {recursive: true})
    await writeFiles(join(dir, 'people'), {'persons.json': [person1, person2]})
    await writeFiles(join(dir, 'people', '.hidden'), {'persons.json': [person1]})
    const groups = await scenario('tree-groups', {'groups.json': [group]})
    const {result, exitCode} = await validateJson([dir, groups])
    expect(exitCode).toBe(0)
    expect(result.totals).toMatchObject({files: 3, records: 4, valid: 4, invalid: 0, skipped: 0})
  })
})

describe('ss12000 validate: the --json document', () => {
  it('has every issue, the groups, and counts that reconcile', async () => {
    const bad = {...person2, civicNo: {value: '200112240123'}, familyName: undefined}
    const dir = await scenario('json-shape', {
      'organisations.json': [organisation],
      'persons.json': [person1, bad],
      'groups.json': [{...group, organisation: {id: '9f0e8d7c-6b5a-4938-8271-605f4e3d2c1b'}}],
    })
    const {result, exitCode} = await validateJson([dir])
    expect(exitCode).toBe(3)
    expect(Object.keys(result).sort()).toEqual(
      [
        'entities',
        'files',
        'groups',
        'issues',
        'mode',
        'profile',
        'totals',
        'valid',
        'rootCauses',
        'otherGroups',
      ].sort(),
    )
    expect(result).toMatchObject({valid: false, profile: 'ss12000-2020', mode: 'payload'})
    expect(result.totals).toEqual({files: 3, records: 4, valid: 2, invalid: 2, skipped: 0, errors: 3, warnings: 0})
    expect(result.totals.records).toBe(result.totals.valid + result.totals.invalid + result.totals.skipped)
    expect(result.issues!.map((issue) => issue.code).sort()).toEqual(
      ['identity.civic-no.checksum', 'ref.unresolved', 'schema.required'].sort(),
    )
    const checksum = result.issues!.find((issue) => issue.code === 'identity.civic-no.checksum')!
    expect(checksum).toMatchObject({
      severity: 'error',
      entity: 'Person',
      id: P2,
      path: '/civicNo/value',
      field: 'Person.civicNo.value',
      value: '"20011224-****"',
      source: {file: join(dir, 'persons.json'), line: 14, column: 16},
    })
    expect(result.groups.map((group) => group.count)).toEqual([1, 1, 1])
    // One failed reference is no root cause: every issue stays in the ordinary groups.
    expect(result.rootCauses).toEqual([])
    expect(result.otherGroups).toEqual(result.groups)
  })
})

describe('ss12000 validate: exit codes and errors', () => {
  it('exits 0 on the bundled example and says so', async () => {
    const {stdout, stderr, exitCode} = await runCli(['validate', 'examples/ss12000'])
    expect(exitCode).toBe(0)
    expect(stdout).toMatch(/^Valid: all [\d,]+ records pass\.$/m)
    expect(stderr).toBe('')
  })

  it('exits 3 with file:line:column, field and hint for invalid data', async () => {
    const dir = await scenario('invalid-text', {
      'persons.json': [
        {...person1, dutyRole: 'x'},
        {...person2, sex: 'kvinna'},
      ],
    })
    const {stdout, exitCode} = await runCli(['validate', dir])
    expect(exitCode).toBe(3)
    expect(stdout).toContain('✖ error   Person.sex must be one of the ss12000-2020 values: Man, Kvinna, Okänt')
    expect(stdout).toContain(`${join(dir, 'persons.json')}:18:12  Person 1c9b3a5f… /sex  got "kvinna"`)
    expect(stdout).toContain('hint: Did you mean "Kvinna"? Values are case- and accent-sensitive.')
    expect(stdout).toContain('⚠ warning Person.dutyRole is not a field of SS 12000 Person')
    expect(stdout).toMatch(/^Invalid: 1 error in 1 record\. Exit code 3\.$/m)
  })

  it('reports JSON syntax errors with line and column', async () => {
    const dir = await scenario('syntax', {
      'persons.json': '[\n  {"id": "x",\n   "givenName": "A" "familyName": "B"}\n]\n',
    })
    const {stdout, exitCode} = await runCli(['validate', dir])
    expect(exitCode).toBe(3)
    expect(stdout).toMatch(new RegExp(`${join(dir, 'persons.json').replaceAll('/', '\\/')}:3:21`))
    expect(stdout).toContain('JSON syntax error')
  })

  it('says when it cannot tell the entity type, and counts the records as skipped', async () => {
    const dir = await scenario('unknown-type', {'export.json': [person1, person2]})
    const {result, exitCode} = await validateJson([dir])
    expect(exitCode).toBe(3)
    expect(result.totals).toMatchObject({records: 2, valid: 0, invalid: 0, skipped: 2})
    expect(result.issues![0]).toMatchObject({code: 'input.entity-unknown'})
    expect(result.issues![0]!.hint).toContain('--entity Person')
  })

  const usage: Array<{name: string; args: string[]; message: RegExp}> = [
    {
      name: 'a path that does not exist',
      args: ['validate', 'no/such/dir'],
      message: /No such file or directory: no\/such\/dir/,
    },
    {name: 'no path', args: ['validate'], message: /Missing 1 required arg/},
    {name: 'an unknown flag', args: ['validate', 'examples', '--nope'], message: /Nonexistent flag: --nope/},
    {
      name: 'a bad profile',
      args: ['validate', 'examples', '--profile', 'dnp'],
      message: /Expected --profile=dnp to be one of/,
    },
    {name: 'a bad entity', args: ['validate', 'examples', '--entity', 'Pupil'], message: /Unknown entity type "Pupil"/},
    {
      name: 'a CSV export',
      args: ['validate', 'test/fixtures/not-json.csv'],
      message: /is a spreadsheet or CSV export; validate reads SS 12000 JSON/,
    },
  ]
  it.each(usage)('exits 2 for $name, without a stack trace', async ({args, message}) => {
    const human = await runCli(args)
    expect(human.exitCode).toBe(2)
    expect(human.stderr).toMatch(message)
    expect(stackTraceLines(human.stderr + human.stdout)).toEqual([])
    const machine = await runCli([...args, '--json'])
    expect(machine.exitCode).toBe(2)
    const error = JSON.parse(machine.stdout) as JsonError
    expect(error.error).toMatchObject({code: 'usage', exitCode: 2})
    expect(error.error.message).toMatch(message)
  })

  it('exits 2 for an unknown command', async () => {
    const {exitCode, stderr} = await runCli(['valdate', 'examples'])
    expect(exitCode).toBe(2)
    expect(stderr).toContain('valdate')
  })
})

describe('ss12000 validate: personal data', () => {
  it('masks personnummer everywhere unless --reveal', async () => {
    const dup = {...person2, civicNo: {value: CIVIC1}}
    const dir = await scenario('masking', {'persons.json': [person1, dup]})
    for (const json of [false, true]) {
      const {stdout} = await runCli(['validate', dir, ...(json ? ['--json'] : [])])
      expect(stdout).toContain(`${CIVIC1.slice(0, 8)}-****`)
      expect(stdout).not.toContain(CIVIC1)
    }
    const revealed = await runCli(['validate', dir, '--reveal'])
    expect(revealed.stdout).toContain(CIVIC1)
  })
})

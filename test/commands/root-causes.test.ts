import {cp, mkdir, readFile, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {ConvertResult} from '../../src/services/convert.js'
import type {StageResult} from '../../src/services/stage.js'
import type {ValidateResult} from '../../src/services/validate.js'
import {makeCivicNumber, makeOrganisationNumber, maskCivicNumber} from '../../src/validation/identity.js'
import {makeTempDir, REPO_ROOT, runCli, writeFiles} from '../support/cli.js'

/** Crafted cascades: one missing or invalid thing that many records point to is reported once, first, with its count. */

const ENV = {SS12000_ID_SECRET: '', SS12000_CONFIG: '', SS12000_TEMPLATE: ''}
const UNIT = '0b8a2f4e-1c3d-4e5f-8a9b-0c1d2e3f4a50'
const MISSING = '0b8a2f4e-1c3d-4e5f-8a9b-0c1d2e3f4a99'
const uuid = (prefix: number, index: number) => `${prefix}0000000-0000-4000-8000-${String(index).padStart(12, '0')}`

function dataset(unitNumber: string) {
  const organisations = [
    {id: UNIT, displayName: 'Exempelskolan', organisationType: 'Skolenhet', organisationNumber: unitNumber},
  ]
  const persons = Array.from({length: 300}, (_, index) => ({
    id: uuid(1, index),
    givenName: 'Alva',
    familyName: 'Ek',
    civicNo: {value: makeCivicNumber('2011-04-07', index)},
    enrolments: [
      {enroledAt: {id: index % 2 === 0 ? MISSING : UNIT}, schoolType: 'GR', schoolYear: 7, startDate: '2026-08-17'},
    ],
  }))
  const groups = Array.from({length: 200}, (_, index) => ({
    id: uuid(2, index),
    displayName: `G${index}`,
    groupType: 'Undervisning',
    startDate: '2026-08-17',
    organisation: {id: index < 100 ? MISSING : UNIT},
  }))
  return {'organisations.json': organisations, 'persons.json': persons, 'groups.json': groups}
}

let temp: {dir: string; cleanup: () => Promise<void>}
beforeAll(async () => {
  temp = await makeTempDir()
})
afterAll(async () => {
  await temp.cleanup()
})

describe('root causes', () => {
  it('validate: one missing unit behind 250 failures is one cause, reported first', async () => {
    const dir = join(temp.dir, 'missing-unit')
    await mkdir(dir, {recursive: true})
    await writeFiles(dir, dataset(makeOrganisationNumber('212000917')))
    const json = await runCli(['validate', dir, '--json'], {env: ENV})
    expect(json.exitCode).toBe(3)
    const result = JSON.parse(json.stdout) as ValidateResult
    expect(result.rootCauses).toHaveLength(1)
    expect(result.rootCauses[0]).toMatchObject({kind: 'missing', target: 'Organisation', id: MISSING, count: 250})
    expect(result.rootCauses[0]!.first[0]).toMatchObject({field: 'Person.enrolments[].enroledAt'})
    expect(result.otherGroups).toEqual([])
    expect(result.groups.reduce((sum, group) => sum + group.count, 0)).toBe(250)

    const text = await runCli(['validate', dir], {env: ENV})
    expect(text.stdout).toContain('250 errors, 0 warnings. 1 root cause explains 250 of 250 errors:')
    expect(text.stdout).toContain(`● Organisation ${MISSING} is not in the input: 250 errors depend on it`)
    expect(text.stdout).toContain('persons.json')
  })

  it('stage: an invalid organisation is the cause of what is refused because of it', async () => {
    const dir = join(temp.dir, 'invalid-unit')
    const files = dataset('212000-9175') // fails the Luhn check
    files['persons.json'].forEach((person) => (person.enrolments[0]!.enroledAt.id = UNIT))
    files['groups.json'].forEach((group) => (group.organisation.id = UNIT))
    await mkdir(dir, {recursive: true})
    await writeFiles(dir, files)
    const run = await runCli(['stage', dir, '--db', join(dir, 's.db'), '--allow-partial', '--json'], {env: ENV})
    const result = JSON.parse(run.stdout) as StageResult
    expect(result.rootCauses).toHaveLength(1)
    expect(result.rootCauses[0]).toMatchObject({
      kind: 'invalid',
      target: 'Organisation',
      id: UNIT,
      count: 500,
      errors: 200,
      issue: {code: 'identity.organisation-number.checksum', place: {path: '/organisationNumber'}},
    })
    expect(result.otherIssueGroups).toEqual([])
  })

  it('convert: one cause per school unit code no students row has, with its count', async () => {
    const dir = join(temp.dir, 'legacy')
    await cp(join(REPO_ROOT, 'examples', 'legacy'), dir, {recursive: true})
    const staff = join(dir, 'personal.csv')
    let changed = 0
    const lines = (await readFile(staff, 'latin1')).split('\n').map((line, index) => {
      if (index === 0 || !line.includes(';33284873;')) return line
      return line.replace(';33284873;', ++changed % 3 === 0 ? ';88888888;' : ';99999999;')
    })
    await writeFile(staff, lines.join('\n'), 'latin1')
    const config = join(REPO_ROOT, 'examples', 'ss12000.config.yaml')
    const run = await runCli(
      ['convert', dir, '--template', 'se-generic', '--config', config, '--out', join(dir, 'out'), '--json'],
      {env: ENV},
    )
    const result = JSON.parse(run.stdout) as ConvertResult
    const units = result.rootCauses.filter((cause) => cause.target === 'Organisation')
    expect(units.map((cause) => [cause.key, cause.count])).toEqual([
      ['99999999', changed - Math.floor(changed / 3)],
      ['88888888', Math.floor(changed / 3)],
    ])
    expect(units[0]!.first[0]).toMatchObject({field: 'Duty.dutyAt', source: {file: staff, column: 6}})
    // The teachers' signatures no longer match a duty at the groups' unit: each is a cause of its own.
    expect(result.rootCauses.some((cause) => cause.target === 'Duty' && cause.key?.startsWith('signature '))).toBe(true)
  })

  it('convert: a student row that is rejected leaves a person missing, named by the personnummer the memberships hold', async () => {
    const dir = join(temp.dir, 'legacy-person')
    await cp(join(REPO_ROOT, 'examples', 'legacy'), dir, {recursive: true})
    const students = join(dir, 'elever.csv')
    const lines = (await readFile(students, 'latin1')).split('\n')
    const civic = lines[20]!.split(';')[0]!
    const broken = `${civic.slice(0, -1)}${(Number(civic.at(-1)) + 1) % 10}`
    lines[20] = lines[20]!.replace(civic, broken)
    await writeFile(students, lines.join('\n'), 'latin1')
    const config = join(REPO_ROOT, 'examples', 'ss12000.config.yaml')
    const args = ['convert', dir, '--template', 'se-generic', '--config', config, '--out', join(dir, 'out')]
    const result = JSON.parse((await runCli([...args, '--json'], {env: ENV})).stdout) as ConvertResult
    const person = result.rootCauses.find((cause) => cause.target === 'Person')
    expect(person).toMatchObject({kind: 'missing', key: maskCivicNumber(civic)})
    expect(person!.count).toBeGreaterThanOrEqual(2)
    const text = await runCli(args, {env: ENV})
    expect(text.stdout).toContain(`● Person ${maskCivicNumber(civic)} is not in the input`)
    expect(text.stdout).not.toContain(civic)
    const revealed = JSON.parse((await runCli([...args, '--json', '--reveal'], {env: ENV})).stdout) as ConvertResult
    expect(revealed.rootCauses.find((cause) => cause.target === 'Person')?.key?.replace('-', '')).toBe(
      civic.replace('-', ''),
    )
  })
})

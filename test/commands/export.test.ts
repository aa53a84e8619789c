import {mkdir, readdir, readFile, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import {parse as parseCsv} from 'csv-parse/sync'
import ExcelJS from 'exceljs'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {JsonError} from '../../src/cli/base-command.js'
import type {ExportResult} from '../../src/services/export.js'
import type {StageResult} from '../../src/services/stage.js'
import {type BatchInput, type StagedRecord, writeBatch} from '../../src/staging/batches.js'
import {canonicalJson} from '../../src/staging/canonical.js'
import {openStagingDatabase} from '../../src/staging/database.js'
import {makeCivicNumber} from '../../src/validation/identity.js'
import {type CliResult, makeTempDir, REPO_ROOT, runCli, stackTraceLines} from '../support/cli.js'

/**
 * `ss12000 export` as a user runs it (the built CLI in its own process) against real staging databases in a temporary
 * directory: the bundled example staged with `ss12000 stage`, and small databases written with `writeBatch`.
 */

const EXAMPLE = join(REPO_ROOT, 'examples', 'ss12000')
const EXAMPLE_FILES = ['activities.json', 'duties.json', 'groups.json', 'organisations.json', 'persons.json']
const ENV = {SS12000_DB: ''}

let temp: {dir: string; cleanup: () => Promise<void>}
/** The example staged in scope `example`. */
let exampleDb: string

const cli = (args: string[]) => runCli(args, {env: ENV})
const exportCli = (db: string, args: string[]) => cli(['export', ...args, '--db', db])
const readJson = async <T>(file: string) => JSON.parse(await readFile(file, 'utf8')) as T
const parse = <T>(result: CliResult) => JSON.parse(result.stdout) as T
const csvLines = (text: string) => text.replace(/^\ufeff/, '').split('\r\n')

/** The example's records of one file, as canonical JSON (what staging keeps). */
async function exampleRecords(file: string): Promise<string[]> {
  const records = await readJson<unknown[]>(join(EXAMPLE, file))
  return records.map((record) => canonicalJson(record)).sort()
}

beforeAll(async () => {
  temp = await makeTempDir('ss12000-export-')
  exampleDb = join(temp.dir, 'example.db')
  const staged = await cli(['stage', EXAMPLE, '--db', exampleDb, '--scope', 'example'])
  expect(staged.exitCode).toBe(0)
})
afterAll(async () => {
  await temp.cleanup()
})

const batchInput = (scope: string, overrides: Partial<BatchInput> = {}): BatchInput => ({
  kind: 'import',
  scope,
  partial: false,
  files: [],
  now: () => '2026-11-27T10:00:00+01:00',
  ...overrides,
})
const person = (id: string, value: Record<string, unknown>): StagedRecord => ({
  entity: 'Person',
  id,
  value: {id, familyName: 'Ek', ...value},
})

/** A database of batches written directly, each a list of records. */
function stageBatches(name: string, batches: Array<{scope?: string; records: StagedRecord[]}>): string {
  const path = join(temp.dir, name)
  const db = openStagingDatabase(path)
  try {
    for (const batch of batches) writeBatch(db, batchInput(batch.scope ?? 'test'), batch.records)
  } finally {
    db.close()
  }
  return path
}

describe('ss12000 export: JSON and NDJSON round trip', () => {
  it('exports every entity type as a folder that stages back with 0 changes', async () => {
    const out = join(temp.dir, 'round-trip-json')
    const exported = await exportCli(exampleDb, ['--all', '--format', 'json', '--out', out, '--json'])
    expect(exported.exitCode).toBe(0)
    const result = parse<ExportResult>(exported)
    expect(result).toMatchObject({
      scope: 'example',
      batch: 1,
      current: true,
      format: 'json',
      masked: false,
      records: 100,
    })
    expect(result.entities.map((entity) => entity.entity)).toEqual([
      'Organisation',
      'Person',
      'Group',
      'Duty',
      'Activity',
    ])
    expect((await readdir(out)).sort()).toEqual(EXAMPLE_FILES)
    // The records exactly as staged: the example's own records, personnummer included.
    for (const file of EXAMPLE_FILES) {
      const records = await readJson<unknown[]>(join(out, file))
      expect(records.map((record) => canonicalJson(record)).sort()).toEqual(await exampleRecords(file))
    }
    // Laid out as convert writes its entity files.
    const text = await readFile(join(out, 'organisations.json'), 'utf8')
    expect(text).toBe(`${JSON.stringify(await readJson(join(out, 'organisations.json')), null, 2)}\n`)

    const restaged = await cli(['stage', out, '--db', exampleDb, '--scope', 'example', '--json'])
    expect(restaged.exitCode).toBe(0)
    const stageResult = parse<StageResult>(restaged)
    expect(stageResult.batch?.unchanged).toBe(true)
    for (const changes of Object.values(stageResult.batch?.entities ?? {})) {
      expect(changes).toMatchObject({added: 0, changed: 0, absent: 0})
    }
  })

  it('round-trips NDJSON too, and a later export into the same folder replaces the earlier files', async () => {
    const db = join(temp.dir, 'ndjson.db')
    expect((await cli(['stage', EXAMPLE, '--db', db, '--scope', 'nd'])).exitCode).toBe(0)
    const out = join(temp.dir, 'round-trip-ndjson')
    const exported = await exportCli(db, ['--all', '--format', 'ndjson', '--out', out])
    expect(exported.exitCode).toBe(0)
    expect(exported.stdout).toContain('Wrote 5 files to')
    const files = (await readdir(out)).sort()
    expect(files).toEqual(EXAMPLE_FILES.map((file) => file.replace('.json', '.ndjson')))
    const lines = (await readFile(join(out, 'persons.ndjson'), 'utf8')).trimEnd().split('\n')
    expect(lines).toHaveLength(70)
    // Fields in the model's order, id first (sorted keys would put an Activity's groups first, like an ingest body).
    expect(lines[0]).toMatch(/^\{"id":"[^"]+","givenName":/)
    expect(await readFile(join(out, 'activities.ndjson'), 'utf8')).toMatch(/^\{"id":"[^"]+","displayName":/)
    expect(lines.map((line) => canonicalJson(JSON.parse(line))).sort()).toEqual(await exampleRecords('persons.json'))

    const restaged = await cli(['stage', out, '--db', db, '--scope', 'nd', '--json'])
    expect(restaged.exitCode).toBe(0)
    expect(parse<StageResult>(restaged).batch?.unchanged).toBe(true)

    // JSON into the same folder: the NDJSON files would be staged beside the new ones, so they go.
    const again = await exportCli(db, ['--all', '--out', out, '--json'])
    expect(parse<ExportResult>(again).removed).toEqual(files)
    expect((await readdir(out)).sort()).toEqual(EXAMPLE_FILES)
  })

  it('writes one entity type to stdout as a JSON array, with a one-line summary on stderr', async () => {
    const {exitCode, stdout, stderr} = await exportCli(exampleDb, ['--entity', 'persons'])
    expect(exitCode).toBe(0)
    const persons = JSON.parse(stdout) as Array<{civicNo?: {value: string}}>
    expect(persons).toHaveLength(70)
    // JSON is data for machines: personnummer as staged.
    expect(persons[0]?.civicNo?.value).toMatch(/^\d{12}$/)
    expect(stderr.trim().split('\n')).toHaveLength(1)
    expect(stderr).toMatch(
      /^Exported 70 Person records of the current state of scope example \(batch \d+\) as json\.\n$/,
    )
  })

  it('writes an empty array for an entity type with no records', async () => {
    const {exitCode, stdout} = await exportCli(exampleDb, ['--entity', 'Grade', '--scope', 'example'])
    expect(exitCode).toBe(0)
    expect(stdout).toBe('[]\n')
  })

  it('writes into an existing folder given as --out for one entity type', async () => {
    const out = join(temp.dir, 'one-entity')
    await mkdir(out)
    const {exitCode} = await exportCli(exampleDb, ['--entity', 'Organisation', '--format', 'ndjson', '--out', out])
    expect(exitCode).toBe(0)
    expect(await readdir(out)).toEqual(['organisations.ndjson'])
  })
})

describe('ss12000 export: CSV', () => {
  it('flattens with a BOM, ";" and CRLF, id first and the model order, lists joined, personnummer masked', async () => {
    const {exitCode, stdout, stderr} = await exportCli(exampleDb, ['--entity', 'Person', '--format', 'csv'])
    expect(exitCode).toBe(0)
    expect(stdout.startsWith('\ufeffid;givenName;')).toBe(true)
    expect(stdout.endsWith('\r\n')).toBe(true)
    expect(stdout.replaceAll('\r\n', '')).not.toContain('\n')
    const [header, ...rows] = csvLines(stdout)
    expect(header?.split(';')).toEqual([
      'id',
      'givenName',
      'middleName',
      'familyName',
      'eduPersonPrincipalNames',
      'civicNo.value',
      'civicNo.nationality',
      'birthDate',
      'sex',
      'securityMarking',
      'personStatus',
      'emails.value',
      'emails.type',
      'enrolments.enroledAt.id',
      'enrolments.schoolYear',
      'enrolments.schoolType',
      'enrolments.startDate',
      'enrolments.educationCode',
    ])
    expect(rows.filter((row) => row !== '')).toHaveLength(70)
    const civic = header!.split(';').indexOf('civicNo.value')
    for (const row of rows.filter((line) => line !== '')) expect(row.split(';')[civic]).toMatch(/^\d{8}-\*{4}$/)
    expect(stdout).not.toMatch(/\d{12}/)
    expect(stderr).toContain('personnummer masked (--reveal shows them)')

    const revealed = await exportCli(exampleDb, ['--entity', 'Person', '--format', 'csv', '--reveal'])
    const revealedRows = csvLines(revealed.stdout).slice(1, -1)
    for (const row of revealedRows) expect(row.split(';')[civic]).toMatch(/^\d{12}$/)
    expect(revealed.stderr).not.toContain('masked')
  })

  it('gives a list of objects one column per leaf, with the items lined up', async () => {
    const {stdout} = await exportCli(exampleDb, ['--entity', 'Group', '--format', 'csv'])
    const [columns, ...rows] = parseCsv(stdout, {delimiter: ';', bom: true}) as string[][]
    expect(columns!.slice(0, 2)).toEqual(['id', 'displayName'])
    const groups = await readJson<Array<{id: string; groupMemberships?: Array<{person: {id: string}}>}>>(
      join(EXAMPLE, 'groups.json'),
    )
    const group = groups.find((candidate) => (candidate.groupMemberships?.length ?? 0) > 1)!
    const cells = rows.find((row) => row[0] === group.id)!
    const members = cells[columns!.indexOf('groupMemberships.person.id')]!.split('; ')
    const starts = cells[columns!.indexOf('groupMemberships.startDate')]!.split('; ')
    expect(members.sort()).toEqual(group.groupMemberships!.map((membership) => membership.person.id).sort())
    expect(starts).toHaveLength(members.length)
  })

  it('guards cells Excel would run as formulas', async () => {
    const db = stageBatches('formulas.db', [
      {
        records: [
          person('p1', {givenName: '=HYPERLINK("http://evil.example","klicka")', middleName: '+46701234567'}),
          person('p2', {givenName: '@SUM(1+1)', middleName: '-2+3+cmd', emails: [{value: '\tx@y.example'}]}),
        ],
      },
    ])
    const {exitCode, stdout} = await exportCli(db, ['--entity', 'Person', '--format', 'csv'])
    expect(exitCode).toBe(0)
    const [header, first, second] = csvLines(stdout)
    expect(header).toBe('id;givenName;middleName;familyName;emails.value')
    expect(first).toBe(`p1;"'=HYPERLINK(""http://evil.example"",""klicka"")";'+46701234567;Ek;`)
    expect(second).toBe(`p2;'@SUM(1+1);'-2+3+cmd;Ek;'\tx@y.example`)
  })
})

describe('ss12000 export: XLSX', () => {
  it('writes one worksheet per entity type with a bold, frozen header, typed cells and masked personnummer', async () => {
    const out = join(temp.dir, 'example.xlsx')
    const exported = await exportCli(exampleDb, ['--all', '--format', 'xlsx', '--out', out, '--json'])
    expect(exported.exitCode).toBe(0)
    expect(parse<ExportResult>(exported)).toMatchObject({format: 'xlsx', masked: true, out, records: 100})
    const workbook = new ExcelJS.Workbook()
    await workbook.xlsx.readFile(out)
    expect(workbook.worksheets.map((sheet) => sheet.name)).toEqual([
      'organisations',
      'persons',
      'groups',
      'duties',
      'activities',
    ])
    const persons = workbook.getWorksheet('persons')!
    expect(persons.rowCount).toBe(71)
    const header = (persons.getRow(1).values as unknown[]).slice(1)
    expect(header.slice(0, 7)).toEqual([
      'id',
      'givenName',
      'middleName',
      'familyName',
      'eduPersonPrincipalNames',
      'civicNo.value',
      'civicNo.nationality',
    ])
    expect(persons.getRow(1).font?.bold).toBe(true)
    expect(persons.views[0]).toMatchObject({state: 'frozen', ySplit: 1})
    const civic = header.indexOf('civicNo.value') + 1
    expect(String(persons.getRow(2).getCell(civic).value)).toMatch(/^\d{8}-\*{4}$/)
    // Numbers keep their type.
    const duties = workbook.getWorksheet('duties')!
    const dutyHeader = (duties.getRow(1).values as unknown[]).slice(1)
    const percent = dutyHeader.indexOf('dutyPercent') + 1
    expect(typeof duties.getRow(2).getCell(percent).value).toBe('number')
  })

  it('keeps text exactly, never as a formula, and cuts cells beyond Excel’s limit with a note', async () => {
    const long = 'x'.repeat(40_000)
    const db = stageBatches('xlsx-text.db', [
      {
        records: [
          person('p1', {
            givenName: '=1+1',
            middleName: '_x0041_',
            civicNo: {value: makeCivicNumber('2010-01-01', 238)},
          }),
          person('p2', {givenName: long}),
        ],
      },
    ])
    const out = join(temp.dir, 'text.xlsx')
    const exported = await exportCli(db, ['--entity', 'Person', '--format', 'xlsx', '--out', out])
    expect(exported.exitCode).toBe(0)
    expect(exported.stdout).toContain("1 cell longer than Excel's 32,767 characters cut (persons: 1)")
    const workbook = new ExcelJS.Workbook()
    await workbook.xlsx.readFile(out)
    const sheet = workbook.getWorksheet('persons')!
    const header = (sheet.getRow(1).values as unknown[]).slice(1)
    const cell = (row: number, column: string) => sheet.getRow(row).getCell(header.indexOf(column) + 1)
    expect(cell(2, 'givenName').type).toBe(ExcelJS.ValueType.String)
    expect(cell(2, 'givenName').value).toBe('=1+1')
    expect(cell(2, 'civicNo.value').value).toBe('20100101-****')
    const cut = String(cell(3, 'givenName').value)
    expect(cut.length).toBeLessThanOrEqual(32_767)
    expect(cut).toMatch(/^x+ … \(cut: an Excel cell holds at most 32,767 characters/)
  })
})

describe('ss12000 export: --batch', () => {
  it('exports the state right after an earlier batch', async () => {
    const db = stageBatches('history.db', [
      {records: [person('p1', {givenName: 'Alva'})]},
      {records: [person('p1', {givenName: 'Alma'}), person('p2', {givenName: 'Elis'})]},
    ])
    const then = await exportCli(db, ['--entity', 'Person', '--batch', '1'])
    expect(then.exitCode).toBe(0)
    expect(JSON.parse(then.stdout)).toEqual([{id: 'p1', givenName: 'Alva', familyName: 'Ek'}])
    expect(then.stderr).toContain('the state of scope test right after batch 1')

    const now = await exportCli(db, ['--entity', 'Person'])
    expect((JSON.parse(now.stdout) as Array<{givenName: string}>).map((record) => record.givenName)).toEqual([
      'Alma',
      'Elis',
    ])
    const summary = parse<ExportResult>(
      await exportCli(db, ['--entity', 'Person', '--batch', '1', '--out', join(temp.dir, 'then.json'), '--json']),
    )
    expect(summary).toMatchObject({scope: 'test', batch: 1, current: false, records: 1})
  })
})

describe('ss12000 export: usage errors', () => {
  let several: string
  let empty: string
  let aFile: string
  beforeAll(async () => {
    several = stageBatches('several.db', [
      {scope: 'a', records: [person('p1', {givenName: 'Alva'})]},
      {scope: 'b', records: [person('p2', {givenName: 'Elis'})]},
    ])
    empty = join(temp.dir, 'empty.db')
    openStagingDatabase(empty).close()
    aFile = join(temp.dir, 'a-file.txt')
    await writeFile(aFile, 'not a folder')
  })

  const cases: Array<{name: string; db?: () => string; args: string[]; message: RegExp}> = [
    {name: 'neither --entity nor --all', args: [], message: /Exactly one of the following must be provided/},
    {name: 'both --entity and --all', args: ['--entity', 'Person', '--all'], message: /cannot also be provided/},
    {name: 'an unknown entity type', args: ['--entity', 'Pupil'], message: /Unknown entity type "Pupil"/},
    {name: 'an unknown batch', args: ['--entity', 'Person', '--batch', '99'], message: /There is no batch 99 in/},
    {name: 'an unknown format', args: ['--entity', 'Person', '--format', 'xml'], message: /Expected --format=xml/},
    {name: '--all without --out', args: ['--all'], message: /--all writes one file per entity type: give --out/},
    {name: 'xlsx without --out', args: ['--entity', 'Person', '--format', 'xlsx'], message: /give --out <file\.xlsx>/},
    {
      name: '--all with a file as the folder',
      args: ['--all', '--format', 'csv', '--out', 'FILE'],
      message: /is a file; with --all --format csv, --out names a folder/,
    },
    {
      name: 'an unknown scope',
      args: ['--entity', 'Person', '--scope', 'nope'],
      message: /Nothing is staged in scope 'nope'/,
    },
    {
      name: 'a batch of another scope',
      db: () => several,
      args: ['--entity', 'Person', '--batch', '1', '--scope', 'b'],
      message: /Batch 1 belongs to scope 'a', not 'b'/,
    },
    {name: 'several scopes', db: () => several, args: ['--entity', 'Person'], message: /holds several scopes: a, b/},
    {name: 'nothing staged', db: () => empty, args: ['--entity', 'Person'], message: /Nothing is staged in/},
    {
      name: '--out naming the database',
      db: () => several,
      args: ['--entity', 'Person', '--scope', 'a', '--out', 'DB'],
      message: /is the staging database itself/,
    },
    {
      name: 'no database',
      db: () => join(temp.dir, 'missing.db'),
      args: ['--entity', 'Person'],
      message: /There is no staging database at/,
    },
  ]
  it.each(cases)('exits 2 for $name, without a stack trace', async ({db, args, message}) => {
    const database = db?.() ?? exampleDb
    const withFile = args.map((arg) => (arg === 'FILE' ? aFile : arg === 'DB' ? database : arg))
    const human = await exportCli(database, withFile)
    expect(human.exitCode).toBe(2)
    expect(human.stderr).toMatch(message)
    expect(human.stdout).toBe('')
    expect(stackTraceLines(human.stderr)).toEqual([])
  })

  it('exits 2 with a JSON error when --json leaves nowhere for the records', async () => {
    const result = await exportCli(exampleDb, ['--entity', 'Person', '--json'])
    expect(result.exitCode).toBe(2)
    expect(parse<JsonError>(result).error).toMatchObject({code: 'usage', exitCode: 2})
    expect(parse<JsonError>(result).error.message).toMatch(/stdout carries the summary: give --out/)
  })

  it('does not create a missing database', async () => {
    const missing = join(temp.dir, 'never.db')
    const result = await exportCli(missing, ['--all', '--out', join(temp.dir, 'never')])
    expect(result.exitCode).toBe(2)
    const names = await readdir(temp.dir)
    expect(names).not.toContain('never.db')
    expect(names).not.toContain('never')
  })
})

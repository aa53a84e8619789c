import {cp, mkdir, readdir, readFile, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, type ExpectStatic, it} from 'vitest'

import type {JsonError} from '../../src/cli/base-command.js'
import type {ConvertResult} from '../../src/services/convert.js'
import {openSource, type SourceRow} from '../../src/sources/index.js'
import {type CliResult, makeTempDir, REPO_ROOT, runCli, stackTraceLines} from '../support/cli.js'
import {writeRows} from '../support/workbooks.js'

/**
 * `ss12000 convert` as a user runs it (the built CLI in its own process) on the bundled Windows-1252 export
 * (examples/legacy) with the shipped se-generic template, and on copies of it made dirty in known ways.
 */

const EXAMPLE = join(REPO_ROOT, 'examples', 'legacy')
const CONFIG = join(REPO_ROOT, 'examples', 'ss12000.config.yaml')
const FILES = ['elever.csv', 'grupper.csv', 'gruppmedlemmar.csv', 'personal.csv'] as const
type FileName = (typeof FILES)[number]
const ENTITY_FILES = ['activities.json', 'duties.json', 'groups.json', 'organisations.json', 'persons.json']
/** The environment must not bring its own secret, config or template into these runs. */
const ENV = {SS12000_ID_SECRET: '', SS12000_CONFIG: '', SS12000_TEMPLATE: ''}

const decode = (bytes: Buffer) => new TextDecoder('windows-1252').decode(bytes)
const encode = (text: string) => Buffer.from(text, 'latin1')
/** `YYYYMMDDNNNN` from any way the export writes a personnummer. */
const digits = (civic: string) => civic.replace('-', '')
/** `YYYYMMDD-****`: how a personnummer is shown masked. */
const masked = (civic: string) => `${digits(civic).slice(0, 8)}-****`

function convertCli(input: string, out: string, extra: string[] = [], cwd?: string): Promise<CliResult> {
  return runCli(['convert', input, '--template', 'se-generic', '--config', CONFIG, '--out', out, ...extra], {
    env: ENV,
    ...(cwd === undefined ? {} : {cwd}),
  })
}

async function readRows(file: string): Promise<SourceRow[]> {
  const source = await openSource(file)
  const rows: SourceRow[] = []
  for await (const row of source.rows) rows.push(row)
  return rows
}

const readJson = async <T>(file: string) => JSON.parse(await readFile(file, 'utf8')) as T
const report = (out: string) => readJson<ConvertResult>(join(out, 'report.json'))
const listing = async (dir: string) => (await readdir(dir)).sort()

/** A row of the example that the dirty copy breaks, and what convert must say about it. */
interface Breakage {
  file: FileName
  line: number
  reason: string
  /** The personnummer on the row, to check masking (empty for rows without one). */
  civic: string
}

/** The example's rows, per file. */
const original = {} as Record<FileName, SourceRow[]>
/** The rows broken in the dirty copy, and the rows that must be rejected with them. */
const broken: Breakage[] = []
let temp: {dir: string; cleanup: () => Promise<void>}
let dirty: string
let clean: {out: string; run: CliResult}

/** Sets one cell (by its header) of one line of a Windows-1252 `;` export, keeping every other byte as it was. */
async function editCell(file: string, line: number, header: string, value: string): Promise<void> {
  const bytes = await readFile(file)
  const text = decode(bytes)
  // The example is plain Windows-1252 Swedish: it must survive a round trip through latin1 unchanged.
  expect(encode(text).equals(bytes)).toBe(true)
  const lines = text.split('\r\n')
  const column =
    lines
      .find((candidate) => candidate.split(';').includes(header))
      ?.split(';')
      .indexOf(header) ?? -1
  const cells = lines[line - 1]?.split(';')
  if (column < 0 || !cells) throw new Error(`${file} has no header ${header} or no line ${line}`)
  cells[column] = value
  lines[line - 1] = cells.join(';')
  await writeFile(file, encode(lines.join('\r\n')))
}

/**
 * Makes a copy of the example with four known faults, each on a row no other row depends on except as stated:
 * a student (without group memberships) whose personnummer fails its Luhn check, another whose Kön is not in the
 * crosswalk, a staff member (not a teacher of any group) whose Befattning is unknown, and a teaching group whose
 * teacher's signature no staff member has (so the memberships of that group are rejected too).
 */
async function makeDirtyCopy(dir: string): Promise<void> {
  await cp(EXAMPLE, dir, {recursive: true})
  const members = new Set(original['gruppmedlemmar.csv'].map((row) => digits(row.cells.Personnummer ?? '')))
  const leavers = original['elever.csv'].filter(
    (row) => row.cells.Status === 'Avslutad' && !members.has(digits(row.cells.Personnummer ?? '')),
  )
  const [luhn, sex] = leavers
  if (!luhn || !sex) throw new Error('the example needs two students who left and are in no group')
  const civic = luhn.cells.Personnummer!
  const wrong = `${civic.slice(0, -1)}${(Number(civic.at(-1)) + 1) % 10}`
  await editCell(join(dir, 'elever.csv'), luhn.line, 'Personnummer', wrong)
  broken.push({
    file: 'elever.csv',
    line: luhn.line,
    reason: 'The civic number fails the Luhn check digit',
    civic: wrong,
  })
  await editCell(join(dir, 'elever.csv'), sex.line, 'Kön', 'X')
  broken.push({
    file: 'elever.csv',
    line: sex.line,
    reason: 'Person.sex: The value is not in the crosswalk "sex"',
    civic: sex.cells.Personnummer!,
  })

  const teachers = new Set(original['grupper.csv'].flatMap((row) => (row.cells['Lärare'] ?? '').split(/,\s*/)))
  const staffCount = (civic: string | undefined) =>
    original['personal.csv'].filter((row) => row.cells.Personnummer === civic).length
  const nonTeacher = original['personal.csv'].find(
    (row) =>
      !teachers.has(row.cells.Signatur ?? '') && staffCount(row.cells.Personnummer) === 1 && !row.cells['Mentor för'],
  )
  if (!nonTeacher) throw new Error('the example needs a staff member who teaches no group')
  await editCell(join(dir, 'personal.csv'), nonTeacher.line, 'Befattning', 'Vaktmästare')
  broken.push({
    file: 'personal.csv',
    line: nonTeacher.line,
    reason: 'The value is not in the crosswalk "dutyRole"',
    civic: nonTeacher.cells.Personnummer!,
  })

  const group = original['grupper.csv'].find((row) => !(row.cells['Lärare'] ?? '').includes(','))!
  await editCell(join(dir, 'grupper.csv'), group.line, 'Lärare', 'XYZ')
  broken.push({file: 'grupper.csv', line: group.line, reason: 'No Duty has this signature', civic: ''})
  for (const row of original['gruppmedlemmar.csv']) {
    if (row.cells.Gruppnamn !== group.cells.Gruppnamn || row.cells.Skolenhetskod !== group.cells.Skolenhetskod) continue
    broken.push({
      file: 'gruppmedlemmar.csv',
      line: row.line,
      reason: 'The row adds to a Group that no row made (teachingGroup)',
      civic: row.cells.Personnummer!,
    })
  }
}

let strict: {out: string; run: CliResult}
let partial: {out: string; run: CliResult}
let revealed: {out: string; run: CliResult}

beforeAll(async () => {
  temp = await makeTempDir('ss12000-convert-')
  for (const file of FILES) original[file] = await readRows(join(EXAMPLE, file))
  dirty = join(temp.dir, 'dirty')
  await makeDirtyCopy(dirty)
  // The clean run writes to a relative --out in a folder of its own, so a second run elsewhere can match its bytes.
  const cleanCwd = join(temp.dir, 'clean')
  await mkdir(cleanCwd, {recursive: true})
  const outs = ['strict', 'partial', 'revealed'].map((name) => join(temp.dir, name))
  const runs = await Promise.all([
    convertCli(EXAMPLE, 'out', [], cleanCwd),
    convertCli(dirty, outs[0]!),
    convertCli(dirty, outs[1]!, ['--allow-partial']),
    convertCli(dirty, outs[2]!, ['--reveal']),
  ])
  clean = {out: join(cleanCwd, 'out'), run: runs[0]!}
  strict = {out: outs[0]!, run: runs[1]!}
  partial = {out: outs[1]!, run: runs[2]!}
  revealed = {out: outs[2]!, run: runs[3]!}
})
afterAll(async () => {
  await temp.cleanup()
})

describe('ss12000 convert: the bundled example', () => {
  it('converts, exit 0, and the output validates', async () => {
    expect(clean.run.stderr).toBe('')
    expect(clean.run.exitCode).toBe(0)
    expect(clean.run.stdout).toContain('Wrote 5 entity files, rejects.csv and report.json')
    expect(await listing(clean.out)).toEqual([...ENTITY_FILES, 'rejects.csv', 'report.json'].sort())
    const result = await report(clean.out)
    expect(result).toMatchObject({valid: true, written: true, partial: false})
    expect(result.totals).toMatchObject({rejected: 0, skipped: 0, errors: 0})
    for (const file of FILES) {
      const rows = original[file].length
      expect(result.files.find((entry) => entry.file.endsWith(file))).toMatchObject({rows, accepted: rows})
    }
    const validated = await runCli(['validate', clean.out], {env: ENV})
    expect(validated.stdout).toMatch(/Valid: all \d+ records pass\./)
    expect(validated.exitCode).toBe(0)
  })

  it('writes the same bytes into every file when run again, as JSON and as NDJSON', async () => {
    const runs = ['json', 'ndjson-1', 'ndjson-2'].map((name) => join(temp.dir, 'determinism', name))
    for (const dir of runs) await mkdir(dir, {recursive: true})
    // Relative --out in separate working folders, so that report.json (which names the folder) can match too.
    const results = await Promise.all(
      runs.map((dir, index) => convertCli(EXAMPLE, 'out', index === 0 ? [] : ['--format', 'ndjson'], dir)),
    )
    expect(results.map((result) => result.exitCode)).toEqual([0, 0, 0])
    const pairs: Array<[string, string]> = [
      [clean.out, join(runs[0]!, 'out')],
      [join(runs[1]!, 'out'), join(runs[2]!, 'out')],
    ]
    for (const [first, second] of pairs) {
      const names = await listing(first)
      expect(await listing(second)).toEqual(names)
      expect(names).toHaveLength(7)
      for (const name of names) {
        const a = await readFile(join(first, name))
        const b = await readFile(join(second, name))
        expect(a.equals(b), name).toBe(true)
      }
    }
    const ndjson = await listing(join(runs[1]!, 'out'))
    expect(ndjson.filter((name) => name.endsWith('.ndjson'))).toHaveLength(5)
    // One entity per line, the same entities as the JSON files.
    const persons = (await readFile(join(runs[1]!, 'out', 'persons.ndjson'), 'utf8')).trimEnd().split('\n')
    const json = await readJson<unknown[]>(join(clean.out, 'persons.json'))
    expect(persons.map((line) => JSON.parse(line) as unknown)).toEqual(json)
  })
})

describe('ss12000 convert: a dirty export', () => {
  it('exits 3 and writes rejects.csv and report.json but no entity file', async () => {
    expect(strict.run.exitCode).toBe(3)
    expect(strict.run.stdout).toContain('Not written:')
    expect(await listing(strict.out)).toEqual(['rejects.csv', 'report.json'])
    expect(await report(strict.out)).toMatchObject({
      valid: false,
      written: false,
      partial: false,
      outputs: ['rejects.csv', 'report.json'],
    })
  })

  it('reconciles every file in report.json exactly', async () => {
    const result = await report(strict.out)
    const expected = FILES.map((file) => {
      const rows = original[file].length
      const rejected = broken.filter((row) => row.file === file).length
      return {file: join(dirty, file), rows, accepted: rows - rejected, rejected, skipped: 0}
    })
    expect(
      result.files.map(({file, rows, accepted, rejected, skipped}) => ({file, rows, accepted, rejected, skipped})),
    ).toEqual(expect.arrayContaining(expected))
    expect(result.files).toHaveLength(4)
    const rows = FILES.reduce((total, file) => total + original[file].length, 0)
    expect(result.totals).toMatchObject({rows, accepted: rows - broken.length, rejected: broken.length, skipped: 0})
    expect(broken.filter((row) => row.file === 'gruppmedlemmar.csv').length).toBeGreaterThan(0)

    const reference = (await report(clean.out)).entities
    const produced = Object.fromEntries(Object.entries(result.entities).map(([name, tally]) => [name, tally.produced]))
    expect(produced).toEqual({
      Organisation: reference.Organisation!.produced,
      Person: reference.Person!.produced - 3,
      Group: reference.Group!.produced - 1,
      Duty: reference.Duty!.produced - 1,
      Activity: reference.Activity!.produced - 1,
    })
    for (const tally of Object.values(result.entities)) expect(tally).toMatchObject({rejected: 0, written: 0})
  })

  it('with --allow-partial exits 5, writes the valid entities marked partial, and they validate', async () => {
    expect(partial.run.exitCode).toBe(5)
    expect(partial.run.stdout).toContain('Partial:')
    expect(await listing(partial.out)).toEqual([...ENTITY_FILES, 'rejects.csv', 'report.json'].sort())
    const result = await report(partial.out)
    expect(result).toMatchObject({valid: false, written: true, partial: true})
    expect(result.totals.rejected).toBe(broken.length)
    const persons = await readJson<unknown[]>(join(partial.out, 'persons.json'))
    expect(persons).toHaveLength(result.entities.Person!.written)
    expect(result.entities.Person!.written).toBe((await report(clean.out)).entities.Person!.written - 3)
    const validated = await runCli(['validate', partial.out], {env: ENV})
    expect(validated.exitCode).toBe(0)
  })

  it('exits 3 the same with --json, and reports the same result', async () => {
    const json = await runCli(
      [
        'convert',
        dirty,
        '--template',
        'se-generic',
        '--config',
        CONFIG,
        '--out',
        join(temp.dir, 'json-dirty'),
        '--json',
      ],
      {env: ENV},
    )
    expect(json.exitCode).toBe(strict.run.exitCode)
    const result = JSON.parse(json.stdout) as ConvertResult
    const human = await report(strict.out)
    expect(result.totals).toEqual(human.totals)
    expect(result.issueGroups.map((group) => [group.code, group.count])).toEqual(
      human.issueGroups.map((group) => [group.code, group.count]),
    )
    // --json keeps every issue, not only the grouped first places.
    expect(result.issues).toHaveLength(result.totals.errors + result.totals.warnings)
  })

  it('puts each rejected row in rejects.csv with its original cells, file, line and reasons', async () => {
    const rejects = await readRows(join(revealed.out, 'rejects.csv'))
    const place = (file: string, line: number | string) => `${file}:${line}`
    expect(rejects.map((row) => place(row.cells.file!, row.cells.line!)).sort()).toEqual(
      broken.map((row) => place(join(dirty, row.file), row.line)).sort(),
    )
    const dirtyRows = {} as Record<FileName, SourceRow[]>
    for (const file of FILES) dirtyRows[file] = await readRows(join(dirty, file))
    const headers = new Set(Object.values(dirtyRows).flatMap((rows) => rows.flatMap((row) => Object.keys(row.cells))))
    for (const expected of broken) {
      const at = place(join(dirty, expected.file), expected.line)
      const reject = rejects.find((row) => place(row.cells.file!, row.cells.line!) === at)!
      expect(reject.cells.reasons, at).toContain(expected.reason)
      const source = dirtyRows[expected.file].find((row) => row.line === expected.line)!
      const cells = Object.fromEntries(
        [...headers]
          .filter((header) => reject.cells[header] !== undefined)
          .map((header) => [header, reject.cells[header]]),
      )
      expect(cells, at).toEqual({...source.cells})
      // The personnummer is there in full with --reveal, as the dirty file writes it.
      if (expected.civic !== '') expect(reject.cells.Personnummer, at).toBe(expected.civic)
    }
  })

  it('masks personnummer in rejects.csv, report.json and stdout unless --reveal, but not in the entity files', async () => {
    const civics = broken.filter((row) => row.civic !== '').map((row) => row.civic)
    expect(civics.length).toBeGreaterThan(3)
    const rejects = await readFile(join(strict.out, 'rejects.csv'), 'utf8')
    const reportText = await readFile(join(strict.out, 'report.json'), 'utf8')
    for (const civic of civics) {
      for (const [name, text] of [
        ['rejects.csv', rejects],
        ['report.json', reportText],
        ['stdout', strict.run.stdout],
      ] as const) {
        expect(text, name).not.toContain(`${digits(civic).slice(0, 8)}-${digits(civic).slice(8)}`)
        expect(text, name).not.toContain(digits(civic))
      }
    }
    const rejectRows = await readRows(join(strict.out, 'rejects.csv'))
    expect(rejectRows.map((row) => row.cells.Personnummer ?? '').sort()).toEqual(
      broken.map((row) => (row.civic === '' ? '' : masked(row.civic))).sort(),
    )
    expect(strict.run.stdout).toContain(masked(broken[0]!.civic))
    // The revealed run shows them, and the entity files of a partial run hold them in full.
    expect(await readFile(join(revealed.out, 'rejects.csv'), 'utf8')).toContain(broken[1]!.civic)
    const persons = await readJson<Array<{civicNo?: {value: string}}>>(join(partial.out, 'persons.json'))
    const student = original['elever.csv'].find((row) => row.cells.Status === 'Aktiv')!
    expect(persons.map((person) => person.civicNo?.value)).toContain(digits(student.cells.Personnummer!))
  })

  it('removes the entity files of an earlier run when a later strict run fails', async () => {
    const out = join(temp.dir, 'stale')
    expect((await convertCli(EXAMPLE, out)).exitCode).toBe(0)
    expect(await listing(out)).toEqual([...ENTITY_FILES, 'rejects.csv', 'report.json'].sort())
    expect((await convertCli(dirty, out)).exitCode).toBe(3)
    expect(await listing(out)).toEqual(['rejects.csv', 'report.json'])
  })

  it('drops only the memberships of a rejected student, not the groups they are in', async () => {
    const dir = join(temp.dir, 'cascade')
    await cp(EXAMPLE, dir, {recursive: true})
    const members = new Set(original['gruppmedlemmar.csv'].map((row) => digits(row.cells.Personnummer ?? '')))
    const student = original['elever.csv'].find((row) => members.has(digits(row.cells.Personnummer ?? '')))!
    await editCell(join(dir, 'elever.csv'), student.line, 'Kön', 'X')
    const out = join(temp.dir, 'cascade-out')
    expect((await convertCli(dir, out, ['--allow-partial'])).exitCode).toBe(5)
    const result = await report(out)
    const file = (name: FileName) => result.files.find((entry) => entry.file.endsWith(name))!
    expect(file('elever.csv').rejected).toBe(1)
    expect(file('grupper.csv').rejected).toBe(0)
    const own = original['gruppmedlemmar.csv'].filter(
      (row) => digits(row.cells.Personnummer ?? '') === digits(student.cells.Personnummer!),
    )
    expect(file('gruppmedlemmar.csv').rejected).toBeLessThanOrEqual(own.length)
  })
})

describe.concurrent('ss12000 convert: other inputs and modes', () => {
  it('converts an Excel students file to the same ids as the CSV, personnummer as numbers or text', async ({
    expect,
  }) => {
    const dir = join(temp.dir, 'xlsx')
    await mkdir(dir, {recursive: true})
    for (const file of FILES) if (file !== 'elever.csv') await cp(join(EXAMPLE, file), join(dir, file))
    const lines = decode(await readFile(join(EXAMPLE, 'elever.csv')))
      .split('\r\n')
      .filter((line) => line !== '')
    const header = lines.findIndex((line) => line.startsWith('Personnummer;'))
    const rows = lines.slice(header).map((line, index) =>
      line.split(';').map((cell, column) => {
        if (cell === '') return null
        // Every other personnummer as the number Excel makes of it when typed without its dash.
        return index > 0 && column === 0 && index % 2 === 0 ? Number(digits(cell)) : cell
      }),
    )
    expect(rows.filter((row) => typeof row[0] === 'number').length).toBeGreaterThan(10)
    await writeRows(join(dir, 'elever.xlsx'), rows)
    const out = join(temp.dir, 'xlsx-out')
    const run = await convertCli(dir, out)
    expect(run.stderr).toBe('')
    expect(run.exitCode).toBe(0)
    const result = await report(out)
    expect(result.files.find((file) => file.file.endsWith('elever.xlsx'))).toMatchObject({
      format: 'xlsx',
      rows: original['elever.csv'].length,
      accepted: original['elever.csv'].length,
    })
    const ids = async (root: string, name: string) =>
      (await readJson<Array<{id: string}>>(join(root, name))).map((entity) => entity.id)
    for (const name of ENTITY_FILES) expect(await ids(out, name), name).toEqual(await ids(clean.out, name))
    expect(await readFile(join(out, 'persons.json'), 'utf8')).toBe(
      await readFile(join(clean.out, 'persons.json'), 'utf8'),
    )
  })

  it('prints the result as JSON with --json, with the exit code of the human mode', async ({expect}) => {
    const run = await runCli(
      ['convert', EXAMPLE, '--template', 'se-generic', '--config', CONFIG, '--out', join(temp.dir, 'json'), '--json'],
      {env: ENV},
    )
    expect(run.exitCode).toBe(clean.run.exitCode)
    const result = JSON.parse(run.stdout) as ConvertResult
    expect(result).toMatchObject({
      tool: 'ss12000 convert',
      template: {name: 'se-generic', version: expect.any(String)},
      valid: true,
      partial: false,
    })
    expect(Object.keys(result.totals).sort()).toEqual(['accepted', 'errors', 'rejected', 'rows', 'skipped', 'warnings'])
    expect(result.files).toHaveLength(4)
    for (const file of result.files) {
      expect(Object.keys(file).sort()).toEqual(
        [
          'accepted',
          'columns',
          'domains',
          'file',
          'format',
          'headers',
          'input',
          'keptBy',
          'rejected',
          'rows',
          'skipped',
          'skippedBy',
        ].sort(),
      )
    }
    // What staging needs for schema drift: the headers, where each template column was found, crosswalked values.
    const students = result.files.find((file) => file.input === 'students')
    expect(students?.headers.length).toBeGreaterThan(3)
    expect(Object.values(students?.columns ?? {})).toContain(students?.headers[0])
    for (const domain of Object.values(result.files.flatMap((file) => Object.values(file.domains)))) {
      expect(domain.values).toEqual([...domain.values].sort())
    }
    expect(result.files.some((file) => Object.keys(file.domains).length > 0)).toBe(true)
    expect(Object.keys(result.entities).sort()).toEqual(['Activity', 'Duty', 'Group', 'Organisation', 'Person'])
    expect(result.defaults.length).toBeGreaterThan(0)
    for (const applied of result.defaults) {
      expect(applied).toEqual({
        field: expect.any(String),
        setting: expect.any(String),
        value: expect.any(String),
        count: expect.any(Number),
      })
    }
    expect(result.issueGroups).toEqual([])
    expect(result.totals).toEqual((await report(clean.out)).totals)
  })

  it('takes the template from SS12000_TEMPLATE', async ({expect}) => {
    const out = join(temp.dir, 'env-template')
    const args = ['convert', EXAMPLE, '--config', CONFIG, '--out', out]
    const [without, run] = await Promise.all([
      runCli(args, {env: ENV}),
      runCli(args, {env: {...ENV, SS12000_TEMPLATE: 'se-generic'}}),
    ])
    expect(without.exitCode).toBe(2)
    expect(without.stderr).toContain('Missing required flag template')
    expect(run.exitCode).toBe(0)
    expect((await report(out)).template.name).toBe('se-generic')
  })
})

describe.concurrent('ss12000 convert: usage errors', () => {
  const expectUsageError = (expect: ExpectStatic, run: CliResult, message: string | RegExp) => {
    expect(run.exitCode).toBe(2)
    expect(run.stderr).toMatch(typeof message === 'string' ? new RegExp(escape(message)) : message)
    expect(stackTraceLines(run.stderr)).toEqual([])
    expect(stackTraceLines(run.stdout)).toEqual([])
  }
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  let dir: string
  beforeAll(async () => {
    dir = join(temp.dir, 'usage')
    await mkdir(dir, {recursive: true})
  })

  it('an unknown template name', async ({expect}) => {
    const run = await runCli(['convert', EXAMPLE, '--template', 'se-generics', '--config', CONFIG, '--out', dir], {
      env: ENV,
    })
    expectUsageError(expect, run, 'No template "se-generics": not a shipped template, a folder or a file.')
    expect(run.stderr).toContain('se-generic')
  })

  it('a template with an error, named at its file and line', async ({expect}) => {
    const shipped = await readFile(join(REPO_ROOT, 'templates', 'se-generic', 'template.yaml'), 'utf8')
    const text = shipped.replace('birth-date-from-civic-number', 'birth-date-from-civic-numbr')
    expect(text).not.toBe(shipped)
    const path = join(dir, 'broken.yaml')
    await writeFile(path, text)
    const line = text.slice(0, text.indexOf('birth-date-from-civic-numbr')).split('\n').length
    const run = await runCli(['convert', EXAMPLE, '--template', path, '--config', CONFIG, '--out', dir], {env: ENV})
    expectUsageError(
      expect,
      run,
      new RegExp(`${escape(path)}:${line}:\\d+: Unknown transform 'birth-date-from-civic-numbr'`),
    )
  })

  it('a file that fits no input', async ({expect}) => {
    const data = join(dir, 'stray')
    await cp(EXAMPLE, data, {recursive: true})
    await writeFile(join(data, 'schema.csv'), 'Veckodag;Lektion;Sal\r\nMåndag;1;A12\r\n')
    const run = await convertCli(data, join(dir, 'out'))
    expectUsageError(
      expect,
      run,
      `${join(data, 'schema.csv')} fits no input of template se-generic, by name or by its headers.`,
    )
  })

  it('a required input without a file', async ({expect}) => {
    const run = await convertCli(join(EXAMPLE, 'personal.csv'), join(dir, 'out'))
    expectUsageError(expect, run, 'Template se-generic needs a file for input "students"')
  })

  it('a missing required column, listing the headers the file has', async ({expect}) => {
    const data = join(dir, 'no-surname')
    await mkdir(data, {recursive: true})
    const text = decode(await readFile(join(EXAMPLE, 'elever.csv'))).replace(';Efternamn;', ';Släktnamn;')
    await writeFile(join(data, 'elever.csv'), encode(text))
    const run = await convertCli(data, join(dir, 'out'))
    expectUsageError(
      expect,
      run,
      `${join(data, 'elever.csv')} (input "students") lacks a column: familyName (Efternamn,`,
    )
    expect(run.stderr).toContain(
      'Its headers are: Personnummer, Förnamn, Släktnamn, Klass, Skolenhetskod, Skola, E-post, Kön, Status, Slutdatum.',
    )
  })

  it('an --out that is a file, not a folder', async ({expect}) => {
    const file = join(dir, 'not-a-folder')
    await writeFile(file, 'x')
    const run = await convertCli(EXAMPLE, file)
    expectUsageError(expect, run, `--out ${file} is a file; give a folder to write into.`)
    expect(await readFile(file, 'utf8')).toBe('x')
  })

  it('a missing configuration file', async ({expect}) => {
    const missing = join(dir, 'nowhere', 'ss12000.config.yaml')
    const run = await runCli(['convert', EXAMPLE, '--template', 'se-generic', '--config', missing, '--out', dir], {
      env: ENV,
    })
    expectUsageError(expect, run, `No configuration file at ${missing}.`)
  })

  it('the same errors as JSON with --json', async ({expect}) => {
    const run = await runCli(
      ['convert', EXAMPLE, '--template', 'se-generics', '--config', CONFIG, '--out', dir, '--json'],
      {env: ENV},
    )
    expect(run.exitCode).toBe(2)
    const {error} = JSON.parse(run.stdout) as JsonError
    expect(error).toMatchObject({code: 'usage', exitCode: 2})
    expect(error.message).toContain('No template "se-generics"')
  })
})

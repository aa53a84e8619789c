import {createHash} from 'node:crypto'
import {access, cp, readFile, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import ExcelJS from 'exceljs'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {ConvertResult} from '../../src/services/convert.js'
import {decodeWindows1252} from '../../src/sources/text-decoding.js'
import {maskCivicNumbersInText} from '../../src/validation/identity.js'
import type {Issue} from '../../src/validation/issue.js'
import {makeTempDir, REPO_ROOT, runCli} from '../support/cli.js'
import {encodeWindows1252} from '../support/legacy-export.js'
import {writeRows} from '../support/workbooks.js'

/**
 * `convert --annotate` on a dirty copy of the bundled export: staff at two school units no students row has (one
 * cause behind many failures), a student whose personnummer fails the check digit and one whose sex code is unknown,
 * the students as an Excel workbook with its title row. Each annotated copy is read back with exceljs.
 */

const ENV = {SS12000_ID_SECRET: '', SS12000_CONFIG: '', SS12000_TEMPLATE: ''}
const CONFIG = join(REPO_ROOT, 'examples', 'ss12000.config.yaml')
const ERROR_FILL = 'FFFFC7CE'
const WARNING_FILL = 'FFFFEB9C'

let temp: {dir: string; cleanup: () => Promise<void>}
let input: string
let staff: string
let students: string
let studentsHash: string
let staffHash: string
let result: ConvertResult
let text: string
/** The civic number of the student row made to fail the check digit, and its row in the workbook. */
let badCivicNo: string
let badRow: number

const sha256 = async (file: string) =>
  createHash('sha256')
    .update(await readFile(file))
    .digest('hex')
const convertArgs = (out: string, ...more: string[]) => [
  'convert',
  input,
  '--template',
  'se-generic',
  '--config',
  CONFIG,
  '--out',
  out,
  ...more,
]

async function readWorkbook(file: string): Promise<ExcelJS.Workbook> {
  const workbook = new ExcelJS.Workbook()
  await workbook.xlsx.readFile(file)
  return workbook
}

function noteText(cell: ExcelJS.Cell): string {
  const note = cell.note as string | {texts?: Array<{text: string}>} | undefined
  if (note === undefined) return ''
  return typeof note === 'string' ? note : (note.texts ?? []).map((part) => part.text).join('')
}

function fillOf(cell: ExcelJS.Cell): string | undefined {
  const fill = cell.fill as ExcelJS.FillPattern | undefined
  return fill?.fgColor?.argb
}

/** Every text of a workbook: cell values, formula results and notes. */
function allTexts(workbook: ExcelJS.Workbook): string[] {
  const texts: string[] = []
  workbook.eachSheet((sheet) =>
    sheet.eachRow((row) =>
      row.eachCell((cell) => {
        texts.push(
          typeof cell.value === 'object' && cell.value !== null ? JSON.stringify(cell.value) : String(cell.value),
        )
        texts.push(noteText(cell))
      }),
    ),
  )
  return texts
}

const issuesIn = (file: string) => (result.issues ?? []).filter((issue: Issue) => issue.source?.file === file)

beforeAll(async () => {
  temp = await makeTempDir()
  input = join(temp.dir, 'export')
  await cp(join(REPO_ROOT, 'examples', 'legacy'), input, {recursive: true})

  // Staff: every third row at 88888888, the others at 99999999: units no students row has.
  staff = join(input, 'personal.csv')
  const staffLines = decodeWindows1252(await readFile(staff)).split('\n')
  let changed = 0
  const edited = staffLines.map((line, index) =>
    index === 0 || !line.includes(';33284873;')
      ? line
      : line.replace(';33284873;', ++changed % 3 === 0 ? ';88888888;' : ';99999999;'),
  )
  await writeFile(staff, encodeWindows1252(edited.join('\n')))
  staffHash = await sha256(staff)

  // Students as a workbook: the title row, a blank row, the header on row 3, as the CSV has them.
  const studentsCsv = join(input, 'elever.csv')
  const rows = decodeWindows1252(await readFile(studentsCsv))
    .split(/\r?\n/)
    .map((line) => (line === '' ? [] : line.split(';')))
  while (rows.length > 0 && rows[rows.length - 1]!.length === 0) rows.pop()
  badRow = 21
  const civic = rows[badRow - 1]![0]!
  const last = Number(civic.at(-1))
  badCivicNo = `${civic.slice(0, -1)}${(last + 1) % 10}`
  rows[badRow - 1]![0] = badCivicNo
  rows[25]![7] = 'X'
  students = join(input, 'elever.xlsx')
  await writeRows(
    students,
    rows.map((row) => (row.length === 1 && row[0] === '' ? [] : row.map((cell) => (cell === '' ? null : cell)))),
  )
  await import('node:fs/promises').then(({rm}) => rm(studentsCsv))
  studentsHash = await sha256(students)

  const run = await runCli([...convertArgs(join(temp.dir, 'out'), '--annotate', '--json')], {env: ENV})
  expect(run.stderr).toBe('')
  expect(run.exitCode).toBe(3)
  result = JSON.parse(run.stdout) as ConvertResult
  const plain = await runCli(convertArgs(join(temp.dir, 'out-text'), '--annotate'), {env: ENV})
  text = plain.stdout
}, 180_000)

afterAll(async () => {
  await temp.cleanup()
})

describe('convert --annotate', () => {
  it('writes one .xlsx copy per input into out/annotated, names them, and leaves the originals untouched', async () => {
    expect(result.outputs.filter((name) => name.startsWith('annotated/')).sort()).toEqual([
      'annotated/elever.xlsx',
      'annotated/grupper.xlsx',
      'annotated/gruppmedlemmar.xlsx',
      'annotated/personal.xlsx',
    ])
    for (const name of result.outputs) await access(join(temp.dir, 'out', name))
    expect(await sha256(students)).toBe(studentsHash)
    expect(await sha256(staff)).toBe(staffHash)
    expect(text).toContain('Annotated copies of the 4 inputs, each problem marked where it is:')
    expect(text).toContain(`${join(temp.dir, 'out-text')}/annotated/personal.xlsx`)
  })

  it('puts the Issues sheet first, grouped by root cause, each row linking to its cell', async () => {
    const workbook = await readWorkbook(join(temp.dir, 'out', 'annotated', 'personal.xlsx'))
    expect(workbook.worksheets.map((sheet) => sheet.name)).toEqual(['Issues', 'Summary', 'personal'])
    const sheet = workbook.getWorksheet('Issues')!
    const header = sheet.getRow(1).values as unknown[]
    expect(header.slice(1, 4)).toEqual(['Root cause', 'Severity', 'Cell'])

    const issues = issuesIn(staff)
    expect(issues.length).toBeGreaterThan(5)
    expect(sheet.rowCount - 1).toBe(issues.length)

    // The biggest cause comes first, its rows together; the count on the sheet is what the run reports.
    const units = result.rootCauses.filter((cause) => cause.target === 'Organisation')
    expect(units.map((cause) => cause.key)).toEqual(['99999999', '88888888'])
    const causes: string[] = []
    for (let line = 2; line <= sheet.rowCount; line++) causes.push(String(sheet.getCell(line, 1).value ?? ''))
    const first = 'Organisation 99999999 is not in the input'
    const rows = causes.filter((cause) => cause === first).length
    expect(causes.slice(0, rows)).toEqual(Array(rows).fill(first))
    expect(rows).toBe(issues.filter((issue) => issue.cause?.key === '99999999').length)
    expect(sheet.getCell(2, 1).font?.bold).toBe(true)

    // Each link goes to its own cell on the data sheet, and that cell is marked.
    const data = workbook.getWorksheet('personal')!
    for (let line = 2; line <= sheet.rowCount; line++) {
      const link = sheet.getCell(line, 3).value as ExcelJS.CellFormulaValue
      const address = String(link.result)
      expect(link.formula).toBe(`HYPERLINK("#'personal'!${address}","${address}")`)
      expect(Number(sheet.getCell(line, 4).value)).toBe(data.getCell(address).row)
      expect(noteText(data.getCell(address))).toContain(String(sheet.getCell(line, 7).value).split(' (')[0])
    }
  })

  it('marks the cells: error or warning fill, a note in plain words, the result and issues columns', async () => {
    const workbook = await readWorkbook(join(temp.dir, 'out', 'annotated', 'personal.xlsx'))
    const data = workbook.getWorksheet('personal')!
    const file = result.files.find((entry) => entry.file === staff)!
    const issues = issuesIn(staff)
    const unit = issues.find((issue) => issue.cause?.key === '99999999' && issue.field === 'Duty.dutyAt')!
    const cell = data.getCell(unit.source!.line!, unit.source!.column!)
    expect(cell.value).toBe('99999999')
    expect(fillOf(cell)).toBe(ERROR_FILL)
    expect(noteText(cell)).toContain(`✖ Error: ${unit.message}`)
    expect(noteText(cell)).toContain('SS 12000 field: Duty.dutyAt')

    const headerRow = data.getRow(1).values as unknown[]
    const width = headerRow.length - 1
    expect(headerRow.slice(-2)).toEqual(['ss12000 result', 'ss12000 issues'])
    const results = {accepted: 0, rejected: 0, skipped: 0}
    let marked = 0
    for (let line = 2; line <= data.rowCount; line++) {
      const row = data.getRow(line)
      results[row.getCell(width - 1).value as keyof typeof results]++
      if (row.getCell(width - 1).value === 'rejected') expect(String(row.getCell(width).value)).toMatch(/^✖ /)
      row.eachCell((c, column) => {
        if (column < width - 1 && (fillOf(c) === ERROR_FILL || fillOf(c) === WARNING_FILL)) marked++
      })
    }
    expect(results).toEqual({accepted: file.accepted, rejected: file.rejected, skipped: file.skipped})
    expect(marked).toBeGreaterThan(0)
  })

  it('keeps an Excel input at its addresses, with its title row, the bad personnummer marked where it is', async () => {
    const workbook = await readWorkbook(join(temp.dir, 'out', 'annotated', 'elever.xlsx'))
    expect(workbook.worksheets.map((sheet) => sheet.name)).toEqual(['Issues', 'Summary', 'Elever'])
    const data = workbook.getWorksheet('Elever')!
    expect(String(data.getCell('A1').value)).toMatch(/^Elevlista exporterad/)
    expect(data.getCell('A3').value).toBe('Personnummer')
    expect(data.getRow(3).font?.bold).toBe(true)
    const bad = data.getCell(`A${badRow}`)
    expect(bad.value).toBe(maskCivicNumbersInText(badCivicNo))
    expect(fillOf(bad)).toBe(ERROR_FILL)
    expect(noteText(bad)).toContain('fails the Luhn check digit')
    expect(fillOf(data.getCell('H26'))).toBe(ERROR_FILL)
    expect(noteText(data.getCell('H26'))).toContain('crosswalk "sex"')
    const issues = workbook.getWorksheet('Issues')!
    const links = []
    for (let line = 2; line <= issues.rowCount; line++)
      links.push(String((issues.getCell(line, 3).value as ExcelJS.CellFormulaValue).result))
    expect(links).toEqual(expect.arrayContaining([`A${badRow}`, 'H26']))
  })

  it('has a Summary sheet with the reconciliation of the file and of the run', async () => {
    const workbook = await readWorkbook(join(temp.dir, 'out', 'annotated', 'personal.xlsx'))
    const summary = workbook.getWorksheet('Summary')!
    const values = new Map<string, unknown[]>()
    summary.eachRow((row) => {
      const label = String(row.getCell(1).value ?? '')
      values.set(label, [...(values.get(label) ?? []), row.getCell(2).value])
    })
    const file = result.files.find((entry) => entry.file === staff)!
    expect(values.get('Rows read')).toEqual([file.rows, result.totals.rows])
    expect(values.get('Accepted')).toEqual([file.accepted, result.totals.accepted])
    expect(values.get('Rejected')).toEqual([file.rejected, result.totals.rejected])
    expect(values.get('Rows read = accepted + rejected + skipped')).toEqual(['yes'])
    expect(values.get('Errors')).toEqual([
      issuesIn(staff).filter((i) => i.severity === 'error').length,
      result.totals.errors,
    ])
    expect(values.get('Root causes behind them')).toEqual([2])
    expect(values.get('Personnummer')?.[0]).toMatch(/^Masked/)
  })

  it('masks personnummer everywhere unless --reveal, and a rerun without --annotate removes the copies', async () => {
    const masked = await readWorkbook(join(temp.dir, 'out', 'annotated', 'elever.xlsx'))
    for (const value of allTexts(masked)) expect(maskCivicNumbersInText(value)).toBe(value)

    const out = join(temp.dir, 'out-reveal')
    const revealed = await runCli(convertArgs(out, '--annotate', '--reveal'), {env: ENV})
    expect(revealed.exitCode).toBe(3)
    const shown = await readWorkbook(join(out, 'annotated', 'elever.xlsx'))
    expect(shown.getWorksheet('Elever')!.getCell(`A${badRow}`).value).toBe(badCivicNo)
    expect(allTexts(shown).some((value) => value.includes(badCivicNo))).toBe(true)

    const again = await runCli(convertArgs(out), {env: ENV})
    expect(again.exitCode).toBe(3)
    await expect(access(join(out, 'annotated', 'elever.xlsx'))).rejects.toThrow()
  })
})

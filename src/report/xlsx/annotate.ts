import {basename, extname} from 'node:path'

import type ExcelJS from 'exceljs'

import {excelText} from '../../services/export-output.js'
import type {ConvertedFile, ConvertResult} from '../../services/convert.js'
import {openSource, type ReaderOptions, type SourceInfo} from '../../sources/index.js'
import {columnNumber, columnLetters} from '../../sources/xlsx/cell-ref.js'
import {maskCivicNumbersInText} from '../../validation/identity.js'
import {formatLocation, type Issue} from '../../validation/issue.js'
import type {RootCause} from '../../validation/root-causes.js'
import {describeRootCause} from '../root-causes-text.js'
import {StreamingWorkbook} from './streaming-workbook.js'

/** One input file of a convert run, with what became of its rows and the issues found in it. */
export interface AnnotatedInput {
  /** The file as the user gave it; read again here, exactly as convert read it. */
  file: string
  reader: ReaderOptions
  report: ConvertedFile
  /** What became of the data row at this index (0-based, in reading order). */
  rowResult: (index: number) => 'accepted' | 'rejected' | 'skipped'
  /** Why the data row at this index was rejected, as rejects.csv says it. */
  rowReasons: (index: number) => readonly string[] | undefined
  /** The issues whose place is in this file, and those with no place in any input file (template, configuration). */
  issues: readonly Issue[]
}

/** What the whole run says, for the Summary sheet and the grouping. */
export interface AnnotateRun {
  template: {name: string; version: string}
  totals: ConvertResult['totals']
  entities: ConvertResult['entities']
  /** The reported root cause an issue comes under, if any. */
  rootCauseOf: (issue: Issue) => RootCause | undefined
  reveal: boolean
}

/** What was written for one input. */
export interface AnnotatedWorkbook {
  file: string
  path: string
  /** Data cells marked (a fill and a note). */
  cells: number
  /** Issues listed on the Issues sheet. */
  issues: number
  /** Rows past Excel's last row (1,048,576), listed on the Issues sheet but not copied. */
  rowsNotCopied: number
}

/** The folder in convert's output folder that `--annotate` writes the copies into. */
export const ANNOTATED_DIR = 'annotated'

/** Excel's last row. */
const EXCEL_ROWS = 1_048_576
const CUT_MARK = ' … (cut: an Excel cell holds at most 32,767 characters)'
/** Excel's own "Bad" and "Neutral" cell styles: the colours people already read as error and warning. */
const TONE = {
  error: {fill: 'FFFFC7CE', font: 'FF9C0006'},
  warning: {fill: 'FFFFEB9C', font: 'FF9C5700'},
} as const
const LINK_FONT: Partial<ExcelJS.Font> = {color: {argb: 'FF0563C1'}, underline: true}
const BOLD: Partial<ExcelJS.Font> = {bold: true}
const RESERVED_SHEETS = new Set(['issues', 'summary'])

/**
 * Writes a copy of one input file as an .xlsx workbook with its problems shown where they are:
 *
 * - `Issues` (first): one row per issue, grouped by root cause (the cause in column A, its own error first, then
 *   what fails with it, by row), then the issues no cause explains by severity, code and row; each row links to its
 *   cell. Filter and frozen header.
 * - `Summary`: the file's reconciliation (rows read = accepted + rejected + skipped), its issues, the whole run's
 *   counts, and how to read the copy.
 * - The data sheet, named as the sheet read (or after the CSV file): the header and every data row on the same row
 *   and column as in the original, so a cell address means the same cell in both; problem cells filled in the error
 *   or warning colour with a note in plain words; two columns after the data, `ss12000 result` (accepted, rejected,
 *   skipped) and `ss12000 issues` (the row's messages), for filtering.
 *
 * The input is read again through the same reader as convert used, streamed; the original is never written.
 * Personnummer are masked in cells and notes unless `reveal` (messages and values come masked already).
 */
export async function writeAnnotatedWorkbook(
  path: string,
  input: AnnotatedInput,
  run: AnnotateRun,
): Promise<AnnotatedWorkbook> {
  const source = await openSource(input.file, input.reader)
  const {info} = source
  const dataSheet = dataSheetName(info.sheet ?? basename(input.file, extname(input.file)))
  const located = input.issues.map((issue) => locate(issue, input.file))
  const ordered = orderIssues(located, run.rootCauseOf)

  const workbook = await StreamingWorkbook.create(path)
  try {
    await writeIssuesSheet(workbook, ordered, dataSheet, info.rawHeaders)
    await writeSummarySheet(workbook, input, run, ordered, info)

    // The data sheet: rows in ascending line order, issues merged in by line (rows that are not data rows, such as the
    // header or a blank row, still get theirs).
    const byLine = new Map<number, Located[]>()
    for (const item of located) {
      if (item.line === undefined) continue
      const list = byLine.get(item.line)
      if (list) list.push(item)
      else byLine.set(item.line, [item])
    }
    const lines = [...byLine.keys()].sort((a, b) => a - b)
    let nextIssueLine = 0
    const width = info.headers.length
    const resultColumn = width + 1
    const issuesColumn = width + 2
    const sheet = workbook.addSheet(dataSheet, {
      views: info.headerRow > 0 ? [{state: 'frozen', ySplit: info.headerRow}] : [],
    })
    for (let column = 1; column <= width; column++) {
      sheet.getColumn(column).width = Math.min(40, Math.max(10, (info.rawHeaders[column - 1] ?? '').length + 2))
    }
    sheet.getColumn(resultColumn).width = 16
    sheet.getColumn(issuesColumn).width = 80
    const mask = run.reveal ? (text: string) => text : maskCivicNumbersInText
    const text = (value: string) => excelText(mask(value), CUT_MARK).text
    let cells = 0
    let rowsNotCopied = 0
    let lastRow = 0

    const writeRow = async (
      line: number,
      values: Array<string | undefined>,
      result?: string,
      reasons?: readonly string[],
    ): Promise<void> => {
      if (line > EXCEL_ROWS || line <= lastRow) {
        if (line > EXCEL_ROWS) rowsNotCopied++
        return
      }
      lastRow = line
      const row = sheet.getRow(line)
      values.forEach((value, index) => {
        if (value !== undefined) row.getCell(index + 1).value = text(value)
      })
      if (line === info.headerRow) row.font = BOLD
      if (result !== undefined) row.getCell(resultColumn).value = result
      const issues = byLine.get(line) ?? []
      if (issues.length > 0) {
        const {marked, rowText} = markCells(row, issues, width, issuesColumn)
        cells += marked
        // On the header row the column keeps its name; the note holds the issues.
        if (line !== info.headerRow) row.getCell(issuesColumn).value = excelText(rowText, CUT_MARK).text
      } else if (reasons !== undefined && reasons.length > 0) {
        // Rejected for what happened to an entity it made (say, one a later row made invalid): the reasons say so.
        row.getCell(issuesColumn).value = text(reasons.map((reason) => `✖ ${reason}`).join('\n'))
      }
      await workbook.commit(row)
    }
    const flushIssueLinesBefore = async (line: number): Promise<void> => {
      while (nextIssueLine < lines.length && lines[nextIssueLine]! < line) {
        await writeRow(lines[nextIssueLine]!, [])
        nextIssueLine++
      }
    }

    for (const {line, values} of info.above ?? []) {
      await flushIssueLinesBefore(line)
      await writeRow(line, values)
      if (lines[nextIssueLine] === line) nextIssueLine++
    }
    if (info.headerRow > 0) {
      await flushIssueLinesBefore(info.headerRow)
      await writeRow(info.headerRow, [...info.rawHeaders, 'ss12000 result', 'ss12000 issues'])
      if (lines[nextIssueLine] === info.headerRow) nextIssueLine++
    }
    let index = 0
    for await (const row of source.rows) {
      await flushIssueLinesBefore(row.line)
      const values = info.headers.map((header) => row.cells[header])
      const result = input.rowResult(index)
      await writeRow(row.line, values, result, result === 'rejected' ? input.rowReasons(index) : undefined)
      index++
      if (lines[nextIssueLine] === row.line) nextIssueLine++
    }
    await flushIssueLinesBefore(Number.POSITIVE_INFINITY)
    await workbook.finish()
    return {file: input.file, path, cells, issues: ordered.length, rowsNotCopied}
  } catch (error) {
    await workbook.abandon()
    throw error
  }
}

/**
 * The file name of an input's annotated copy: its name with `.xlsx` (`elever.csv` → `elever.xlsx`), made unique
 * among `taken` (lower case) by a number: `elever (2).xlsx`.
 */
export function annotatedName(file: string, taken: Set<string>): string {
  const stem = basename(file, extname(file)) || 'input'
  for (let n = 1; ; n++) {
    const name = n === 1 ? `${stem}.xlsx` : `${stem} (${n}).xlsx`
    if (!taken.has(name.toLowerCase())) {
      taken.add(name.toLowerCase())
      return name
    }
  }
}

/** An issue with the row and column it is at in this file (none when it is about the file or not in it). */
interface Located {
  issue: Issue
  line?: number
  column?: number
}

function locate(issue: Issue, file: string): Located {
  const {source} = issue
  if (source === undefined || source.file !== file || source.line === undefined) return {issue}
  const column = source.cell !== undefined ? columnNumber(source.cell) : source.column
  return {issue, line: source.line, ...(column === undefined || column < 1 ? {} : {column})}
}

/** An Issues sheet row: the issue, and the root cause it comes under ('' for none). */
interface Ordered extends Located {
  cause: string
  /** Whether this is the first row of its cause (its cell is bold). */
  first: boolean
}

/** Root causes first (most dependents first, as reported), each with its own error first; then the rest. */
function orderIssues(located: Located[], rootCauseOf: (issue: Issue) => RootCause | undefined): Ordered[] {
  const keyed = located.map((item) => ({item, root: rootCauseOf(item.issue)}))
  // Causes by their weight in the whole run, not the order their issues happen to come in this file.
  const causes = [...new Set(keyed.flatMap(({root}) => (root === undefined ? [] : [root])))]
  causes.sort((a, b) => b.errors - a.errors || b.count - a.count)
  const rank = new Map(causes.map((root, position) => [root, position]))
  // A root record's own error (it has no cause: it is why the record is invalid) leads its cause's rows.
  const own = (entry: {item: Located; root?: RootCause}) =>
    entry.root !== undefined && entry.item.issue.cause === undefined
  const sorted = keyed.sort((a, b) => {
    const ra = a.root === undefined ? Number.MAX_SAFE_INTEGER : rank.get(a.root)!
    const rb = b.root === undefined ? Number.MAX_SAFE_INTEGER : rank.get(b.root)!
    return (
      ra - rb ||
      Number(own(b)) - Number(own(a)) ||
      severityRank(a.item.issue) - severityRank(b.item.issue) ||
      (a.root === undefined ? a.item.issue.code.localeCompare(b.item.issue.code) : 0) ||
      (a.item.line ?? 0) - (b.item.line ?? 0) ||
      (a.item.column ?? 0) - (b.item.column ?? 0)
    )
  })
  let previous: RootCause | undefined | null = null
  return sorted.map(({item, root}) => {
    const first = root !== previous
    previous = root
    return {...item, cause: root === undefined ? '' : describeRootCause(root), first: first && root !== undefined}
  })
}

function severityRank(issue: Issue): number {
  return issue.severity === 'error' ? 0 : 1
}

const ISSUE_COLUMNS: Array<{header: string; width: number}> = [
  {header: 'Root cause', width: 40},
  {header: 'Severity', width: 10},
  {header: 'Cell', width: 14},
  {header: 'Row', width: 8},
  {header: 'Column', width: 18},
  {header: 'SS 12000 field', width: 32},
  {header: 'Message', width: 80},
  {header: 'Value', width: 20},
  {header: 'Code', width: 28},
]

/** The Issues sheet: one row per issue, in the given order, each linking to its cell on the data sheet. */
async function writeIssuesSheet(
  workbook: StreamingWorkbook,
  ordered: Ordered[],
  dataSheet: string,
  headers: readonly string[],
): Promise<void> {
  const sheet = workbook.addSheet('Issues', {views: [{state: 'frozen', ySplit: 1}]})
  ISSUE_COLUMNS.forEach((column, index) => (sheet.getColumn(index + 1).width = column.width))
  sheet.autoFilter = {from: {row: 1, column: 1}, to: {row: 1, column: ISSUE_COLUMNS.length}}
  const head = sheet.getRow(1)
  head.values = ISSUE_COLUMNS.map((column) => column.header)
  head.font = BOLD
  await workbook.commit(head)
  if (ordered.length === 0) {
    const row = sheet.getRow(2)
    row.getCell(7).value = 'No issues: every row of this file was read and mapped without a problem.'
    await workbook.commit(row)
    return
  }
  const quoted = `'${dataSheet.replaceAll("'", "''")}'`
  let line = 2
  for (const item of ordered) {
    const {issue} = item
    const row = sheet.getRow(line++)
    row.getCell(1).value = item.cause
    if (item.first) row.getCell(1).font = BOLD
    row.getCell(2).value = issue.severity
    row.getCell(2).font = {color: {argb: TONE[issue.severity].font}}
    if (item.line !== undefined && item.line <= EXCEL_ROWS) {
      const address = `${columnLetters(item.column ?? 1)}${item.line}`
      // An internal link, as a formula: exceljs's streaming writer can only write links to other files.
      row.getCell(3).value = {
        formula: `HYPERLINK("#${quoted.replaceAll('"', '""')}!${address}","${address}")`,
        result: address,
      }
      row.getCell(3).font = LINK_FONT
      row.getCell(4).value = item.line
    } else {
      row.getCell(3).value = formatLocation(issue.source) || '(no place)'
    }
    if (item.column !== undefined) {
      const name = headers[item.column - 1]
      row.getCell(5).value = name === undefined ? columnLetters(item.column) : `${columnLetters(item.column)}: ${name}`
    }
    if (issue.field !== undefined) row.getCell(6).value = issue.field
    row.getCell(7).value = excelText(
      issue.hint === undefined ? issue.message : `${issue.message} (${issue.hint})`,
      CUT_MARK,
    ).text
    if (issue.value !== undefined) row.getCell(8).value = excelText(issue.value, CUT_MARK).text
    row.getCell(9).value = issue.code
    await workbook.commit(row)
  }
}

/** The Summary sheet: label and value pairs under headings. */
async function writeSummarySheet(
  workbook: StreamingWorkbook,
  input: AnnotatedInput,
  run: AnnotateRun,
  ordered: Ordered[],
  info: SourceInfo,
): Promise<void> {
  const sheet = workbook.addSheet('Summary')
  sheet.getColumn(1).width = 44
  sheet.getColumn(2).width = 60
  const {report} = input
  const errors = ordered.filter((item) => item.issue.severity === 'error').length
  const causes = new Set(ordered.map((item) => item.cause).filter(Boolean)).size
  const reconciles = report.rows === report.accepted + report.rejected + report.skipped
  const rows: Array<[string, string | number] | [string] | []> = [
    ['ss12000 convert --annotate'],
    ['File', input.file],
    ['Template', `${run.template.name} ${run.template.version}, input "${report.input}"`],
    ...(info.sheet === undefined ? [] : [['Sheet read', info.sheet] as [string, string]]),
    ...(info.encoding === undefined ? [] : [['Encoding', info.encoding] as [string, string]]),
    ['Header row', info.headerRow],
    [],
    ['This file'],
    ['Rows read', report.rows],
    ['Accepted', report.accepted],
    ['Rejected', report.rejected],
    ['Skipped by a filter', report.skipped],
    ...Object.entries(report.skippedBy).map(([reason, count]) => [`  skipped: ${reason}`, count] as [string, number]),
    ...Object.entries(report.keptBy).map(([reason, count]) => [`  kept, marked: ${reason}`, count] as [string, number]),
    ['Rows read = accepted + rejected + skipped', reconciles ? 'yes' : 'NO — please report this as a bug'],
    ['Errors', errors],
    ['Warnings', ordered.length - errors],
    ['Root causes behind them', causes],
    [],
    ['The whole run'],
    ['Rows read', run.totals.rows],
    ['Accepted', run.totals.accepted],
    ['Rejected', run.totals.rejected],
    ['Skipped', run.totals.skipped],
    ['Errors', run.totals.errors],
    ['Warnings', run.totals.warnings],
    ...Object.entries(run.entities).map(
      ([entity, tally]) =>
        [`${entity}: produced / rejected / written`, `${tally.produced} / ${tally.rejected} / ${tally.written}`] as [
          string,
          string,
        ],
    ),
    [],
    ['How to read this copy'],
    [
      'Issues sheet',
      'Every issue, grouped by root cause: fix the cause and what depends on it goes away. The Cell column links to the cell.',
    ],
    ['Red cell', 'An error: the row is rejected until it is fixed.'],
    ['Yellow cell', 'A warning: the row is accepted, but check it.'],
    ['Notes', 'Point at a coloured cell to read what is wrong with it.'],
    [
      'ss12000 result, ss12000 issues',
      'Two columns after the data: what became of the row, and its issues. Filter on them.',
    ],
    [
      'Rows and columns',
      'Every cell is at the same address as in the original file, which this copy leaves untouched.',
    ],
    [
      'Personnummer',
      run.reveal ? 'Shown (--reveal).' : 'Masked (the last four digits); run with --reveal to show them.',
    ],
  ]
  let line = 1
  for (const values of rows) {
    const row = sheet.getRow(line++)
    if (values.length === 1) {
      row.getCell(1).value = values[0]
      row.font = {bold: true, size: line === 2 ? 14 : 12}
    } else if (values.length === 2) {
      row.getCell(1).value = values[0]
      row.getCell(2).value = values[1]
      if (values[0].startsWith('Rows read =') && !reconciles) row.getCell(2).font = {color: {argb: TONE.error.font}}
    }
    await workbook.commit(row)
  }
}

/**
 * Fills the cells the issues point at in the error or warning colour and gives each a note with its issues in plain
 * words; issues with no column (or one past the data) go in the note of the `ss12000 issues` cell. Returns how many
 * data cells were marked and the row's messages for the `ss12000 issues` column.
 */
function markCells(
  row: ExcelJS.Row,
  issues: readonly Located[],
  width: number,
  issuesColumn: number,
): {marked: number; rowText: string} {
  const byColumn = new Map<number, Located[]>()
  for (const item of issues) {
    const column = item.column !== undefined && item.column <= width ? item.column : issuesColumn
    const list = byColumn.get(column)
    if (list) list.push(item)
    else byColumn.set(column, [item])
  }
  let marked = 0
  for (const [column, list] of byColumn) {
    const worst = list.some((item) => item.issue.severity === 'error') ? 'error' : 'warning'
    const cell = row.getCell(column)
    cell.fill = {type: 'pattern', pattern: 'solid', fgColor: {argb: TONE[worst].fill}}
    cell.font = {color: {argb: TONE[worst].font}}
    cell.note = excelText(list.map((item) => noteText(item.issue)).join('\n\n'), CUT_MARK).text
    if (column !== issuesColumn) marked++
  }
  const rowText = issues
    .map((item) => `${item.issue.severity === 'error' ? '✖' : '⚠'} ${item.issue.message}`)
    .join('\n')
  return {marked, rowText}
}

/** `✖ Person.civicNo.value fails the Luhn check digit` with the field and what to do, as a note says it. */
function noteText(issue: Issue): string {
  const lines = [`${issue.severity === 'error' ? '✖ Error' : '⚠ Warning'}: ${issue.message}`]
  if (issue.hint !== undefined) lines.push(issue.hint)
  if (issue.field !== undefined) lines.push(`SS 12000 field: ${issue.field}`)
  lines.push(`(${issue.code})`)
  return lines.join('\n')
}

/** A worksheet name Excel accepts (at most 31 characters, none of []:*?/\) that is not Issues or Summary. */
function dataSheetName(name: string): string {
  let clean =
    name
      .replace(/[[\]:*?/\\]/g, '_')
      .replace(/^'+|'+$/g, '')
      .trim() || 'Data'
  if (RESERVED_SHEETS.has(clean.toLowerCase())) clean = `${clean} (data)`
  return clean.slice(0, 31)
}

/**
 * Streams the rows of one worksheet of an .xlsx/.xlsm workbook, with values as a person sees them in Excel.
 *
 * Design: the workbook is read straight from its zip container. The central directory is parsed first (it says what
 * every part expands to, so a zip bomb is refused before anything is inflated), then each part is inflated on demand
 * from its own offset: no temporary files, and parts are read in the order we need them (shared strings and styles
 * before the sheet, whatever order the writer chose). The sheet XML is scanned by a small hand-written tokenizer that
 * only looks at the elements a value needs (`row`, `c`, `v`, `f`, `is`, `t`), a few times faster than a general SAX
 * parser.
 *
 * Why not exceljs's streaming WorkbookReader: its worksheet reader loses the error of a formula whose cached result
 * is `#N/A` (it becomes NaN), turns formula booleans into 1/0 and formula dates into serial numbers, keeps only the
 * last run of inline rich text, ignores merged cells, and spills every sheet to a temporary file when the shared
 * strings come after the sheets in the zip (as Excel writes them). exceljs still writes the test fixtures.
 *
 * Each sheet is read twice: a pre-pass that parses the first rows (to find the header) and then only searches the
 * bytes for the end of `<sheetData>`, because `<mergeCells>` comes after the rows and merged cells must be known
 * before the first row is delivered; then the real pass, started when the rows are iterated.
 *
 * This module chooses the sheet, finds the header and delivers the rows with their issues; the parts live in
 * `xlsx/`: the zip container (zip.ts), the workbook parts (workbook.ts), the sheet tokenizer (sheet-parser.ts), the
 * pre-pass (pre-pass.ts), merged cells (merges.ts), cell references (cell-ref.ts), display text (cell-text.ts) and
 * XML text helpers (xml.ts).
 */
import {UsageError} from '../errors.js'
import {makeIssue, type Issue, type SourceLocation} from '../validation/issue.js'
import {detectHeaderRow, normalizeCell, normalizeHeaders} from './header.js'
import type {OpenedSource, ReaderOptions, SourceInfo, SourceRow} from './types.js'
import {columnLetters} from './xlsx/cell-ref.js'
import {MergeFiller, type Merge} from './xlsx/merges.js'
import {prepareSheet, sheetSize, surveySheet, type SheetSurvey} from './xlsx/pre-pass.js'
import {hasContent, ReferenceCounter, SheetParser, type CellProblem, type ParsedRow} from './xlsx/sheet-parser.js'
import {readBook, type Book, type BookSheet} from './xlsx/workbook.js'
import {entryText, openZip, type Zip} from './xlsx/zip.js'

/** How many bytes a workbook may expand to by default: 2 GiB, far above any real school export. */
export const DEFAULT_MAX_EXPANDED_BYTES = 2 * 1024 ** 3

/** Options of the Excel reader: the shared reader options and the Excel-only limits. */
export interface XlsxOptions extends ReaderOptions {
  /** The most bytes all parts of the workbook may expand to together. Default: 2 GiB. */
  maxExpandedBytes?: number
  /** Show personal data (personnummer) in issue messages and values instead of masking them. Default: false. */
  reveal?: boolean
}

/** How many ranges of blank rows the blank-rows issue names before it says "…". */
const BLANK_RANGES_NAMED = 20

/**
 * Opens a worksheet of an .xlsx/.xlsm workbook for streaming: `options.sheet` by name (exact, then ignoring case) or
 * 1-based number, else the first sheet with data (visible sheets first). Returns the header found and the data rows,
 * read lazily; rows are never all held in memory.
 *
 * Values are what Excel shows: dates as `YYYY-MM-DD` (`YYYY-MM-DDTHH:MM:SS` with a time of day, `HH:MM` for a time
 * format), numbers with all their digits and no exponent, percent formats as `50%`, booleans as `TRUE`/`FALSE`,
 * formulas as their saved result, rich text and hyperlinks as their text. Error cells and formulas without a saved
 * result become empty values with a row issue. A merged range's value fills every cell of the range.
 *
 * @throws UsageError when the file cannot be opened, the sheet does not exist, or the header row is blank.
 * @throws InvalidDataError when the file is not an .xlsx workbook, is damaged, or would expand past the cap.
 */
export async function openXlsx(file: string, options: XlsxOptions = {}): Promise<OpenedSource> {
  const reveal = options.reveal ?? false
  const headerRow = checkedCount(options.headerRow, 'header row', 1)
  const skipRows = checkedCount(options.skipRows, 'rows to skip', 0) ?? 0
  const zip = await openZip(file, options.maxExpandedBytes ?? DEFAULT_MAX_EXPANDED_BYTES)
  const book = await readBook(zip)
  const surveys: SheetSurvey[] = []
  for (const sheet of book.sheets) surveys.push(await surveySheet(zip, book, sheet))
  const chosen = chooseSheet(file, book.sheets, surveys, options.sheet)
  const issues: Issue[] = []
  const info: SourceInfo = {
    file,
    format: 'xlsx',
    headerRow: 0,
    headerDetected: headerRow === undefined,
    headers: [],
    rawHeaders: [],
  }
  if (chosen === undefined) {
    info.sheets = []
    issues.push(makeIssue('source.empty', {}, {source: {file}}, reveal))
    return {info, rows: noRows(), issues}
  }
  const sheet = book.sheets[chosen]!
  const where: Place = {file, sheet: sheet.name, reveal}
  info.sheet = sheet.name
  const counter =
    surveys[chosen]!.hasData && surveys[chosen]!.dimension === undefined ? new ReferenceCounter() : undefined
  const prepared = await prepareSheet(zip, book, sheet, headerRow, counter)
  info.sheets = []
  for (const [index, other] of book.sheets.entries()) {
    const size = await sheetSize(zip, book, other, surveys[index]!, index === chosen ? counter : undefined)
    info.sheets.push({name: other.name, index: index + 1, ...size})
  }

  const header = findHeader(prepared.rows, headerRow)
  if (headerRow !== undefined && header === undefined && surveys[chosen]!.hasData) {
    const first = surveys[chosen]!.firstLine
    throw new UsageError(`Row ${headerRow} of sheet "${sheet.name}" in ${file} is blank; it cannot be the header.`, {
      actions: [`Give the row that holds the column names as the header row (the first row with data is ${first}).`],
    })
  }
  if (header === undefined) {
    issues.push(makeIssue('source.empty', {}, {source: {file, sheet: sheet.name}}, reveal))
    return {info, rows: noRows(), issues}
  }

  // The rows above the header as written (before merged cells are filled in below).
  const above = prepared.rows.filter((row) => row.line < header.line && hasContent(row))
  if (above.length > 0)
    info.above = above.map((row) => ({line: row.line, values: denseValues(row, Math.max(0, ...row.cols))}))

  // Merged header cells: every column a merged header spans gets its text (see MergeFiller); found after detection,
  // so that a title merged across the top of the sheet does not look like a header row of identical names.
  const filler = new MergeFiller(prepared.merges)
  for (const row of prepared.rows) {
    filler.apply(row, Number.MAX_SAFE_INTEGER)
    if (row === header) break
  }
  const rawHeaders = denseValues(header, Math.max(0, ...header.cols))
  while (rawHeaders.length > 0 && normalizeCell(rawHeaders[rawHeaders.length - 1]!) === undefined) rawHeaders.pop()
  const {headers, renames} = normalizeHeaders(rawHeaders)
  for (const problem of header.problems ?? []) issues.push(cellIssue(where, header.line, problem))
  for (const rename of renames) {
    const cell = `${columnLetters(rename.column)}${header.line}`
    const source: SourceLocation = {file, sheet: sheet.name, line: header.line, column: rename.column, cell}
    if (rename.kind === 'empty') {
      issues.push(makeIssue('source.header-empty', {column: rename.column, name: rename.name}, {source}, reveal))
    } else {
      const params = {original: rename.original, column: rename.column, name: rename.name}
      issues.push(makeIssue('source.header-duplicate', params, {source}, reveal))
    }
  }
  info.headerRow = header.line
  info.headers = headers
  info.rawHeaders = rawHeaders

  const firstDataLine = header.line + skipRows + 1
  const reading: Reading = {zip, book, sheet, where, headers, merges: prepared.merges, firstDataLine, issues}
  if (prepared.complete && !prepared.rows.some((row) => row.line >= firstDataLine && hasContent(row))) {
    // The pre-pass saw the whole sheet: say it now rather than only after iterating.
    issues.push(makeIssue('source.header-only', {}, {source: {file, sheet: sheet.name}}, reveal))
    return {info, rows: noRows(), issues}
  }
  return {info, rows: readRows(reading), issues}
}

/** The header row: the given one, or the one detectHeaderRow picks among the rows read ahead. */
function findHeader(rows: readonly ParsedRow[], headerRow: number | undefined): ParsedRow | undefined {
  if (headerRow !== undefined) return rows.find((row) => row.line === headerRow)
  const width = Math.max(0, ...rows.map((row) => Math.max(0, ...row.cols)))
  const index = detectHeaderRow(rows.map((row) => denseValues(row, width)))
  return index < 0 ? undefined : rows[index]
}

// --- options and sheets ---------------------------------------------------------------------------------------------

function checkedCount(value: number | undefined, what: string, min: number): number | undefined {
  if (value === undefined) return undefined
  if (!Number.isInteger(value) || value < min) throw new UsageError(`The ${what} must be a whole number ≥ ${min}.`)
  return value
}

/** The index of the sheet to read, or undefined when the workbook has no worksheet at all. */
function chooseSheet(
  file: string,
  sheets: readonly BookSheet[],
  surveys: readonly SheetSurvey[],
  wanted: string | number | undefined,
): number | undefined {
  if (wanted === undefined) {
    const visible = sheets.findIndex((sheet, index) => sheet.visible && surveys[index]!.hasData)
    if (visible >= 0) return visible
    const any = surveys.findIndex((survey) => survey.hasData)
    if (any >= 0) return any
    return sheets.length > 0 ? 0 : undefined
  }
  const text = String(wanted).trim()
  const key = (name: string) => name.normalize('NFC').toLowerCase()
  const byNumber = () => {
    const index = /^\d+$/.test(text) ? Number(text) : 0
    return index >= 1 && index <= sheets.length ? index - 1 : -1
  }
  const byName = () => {
    const exact = sheets.findIndex((sheet) => sheet.name === String(wanted))
    return exact >= 0 ? exact : sheets.findIndex((sheet) => key(sheet.name) === key(text))
  }
  // A number (the CLI turns `--sheet 2` into one) is a position first; text is a name first. Either falls back.
  let found = typeof wanted === 'number' ? byNumber() : byName()
  if (found < 0) found = typeof wanted === 'number' ? byName() : byNumber()
  if (found >= 0) return found
  const list = sheets.map((sheet, index) => `${index + 1} "${sheet.name}"`).join(', ')
  throw new UsageError(
    `${file} has no sheet ${typeof wanted === 'number' ? `number ${wanted}` : `"${wanted}"`}. ` +
      (sheets.length > 0 ? `Its sheets are: ${list}.` : 'It has no worksheets.'),
    {actions: ['Give the sheet by one of these names or numbers.']},
  )
}

// --- delivering rows ------------------------------------------------------------------------------------------------

interface Place {
  file: string
  sheet: string
  reveal: boolean
}

interface Reading {
  zip: Zip
  book: Book
  sheet: BookSheet
  where: Place
  headers: string[]
  merges: Merge[]
  firstDataLine: number
  issues: Issue[]
}

async function* noRows(): AsyncGenerator<SourceRow> {}

/** The data rows of the sheet, from a fresh pass over its XML; file issues are added when the pass ends. */
async function* readRows(reading: Reading): AsyncGenerator<SourceRow> {
  const {zip, book, sheet, where, headers, firstDataLine} = reading
  const parser = new SheetParser(book, {keepRows: true, stopAtEnd: true})
  const filler = new MergeFiller(reading.merges)
  const blanks = new LineRanges()
  const width = headers.length
  let previous = firstDataLine - 1
  let delivered = 0
  for await (const text of entryText(zip, sheet.entry)) {
    parser.push(text)
    const rows = parser.drain()
    for (const row of rows) {
      filler.apply(row, width)
      if (row.line < firstDataLine || !hasContent(row)) continue
      // Rows between two data rows that hold nothing are blank, whether Excel wrote them (formatted but empty) or
      // not; formatting that runs on below the last data row is not reported.
      if (row.line > previous + 1) blanks.add(previous + 1, row.line - 1)
      previous = row.line
      delivered++
      yield sourceRow(row, headers, where)
    }
    if (parser.sheetDataEnded) break
  }
  const source = {file: where.file, sheet: where.sheet}
  if (blanks.count > 0) {
    const params = {count: blanks.count, lines: blanks.describe(BLANK_RANGES_NAMED)}
    reading.issues.push(makeIssue('source.blank-rows', params, {source}, where.reveal))
  }
  if (delivered === 0) reading.issues.push(makeIssue('source.header-only', {}, {source}, where.reveal))
}

function sourceRow(row: ParsedRow, headers: readonly string[], where: Place): SourceRow {
  const cells: Record<string, string> = Object.create(null)
  const width = headers.length
  let extraColumn = 0
  let extraValue = ''
  let lastColumn = 0
  for (let k = 0; k < row.cols.length; k++) {
    const value = normalizeCell(row.values[k]!)
    if (value === undefined) continue
    const column = row.cols[k]!
    if (column <= width) {
      cells[headers[column - 1]!] = value
    } else {
      if (extraColumn === 0 || column < extraColumn) {
        extraColumn = column
        extraValue = value
      }
      if (column > lastColumn) lastColumn = column
    }
  }
  const result: SourceRow = {file: where.file, sheet: where.sheet, line: row.line, cells}
  if (row.problems === undefined && extraColumn === 0) return result
  const issues = (row.problems ?? []).map((problem) => cellIssue(where, row.line, problem))
  if (extraColumn > 0) {
    const cell = `${columnLetters(extraColumn)}${row.line}`
    const source = {file: where.file, sheet: where.sheet, line: row.line, column: extraColumn, cell}
    const params = {count: lastColumn, expected: width}
    issues.push(makeIssue('source.ragged-extra', params, {source, value: extraValue}, where.reveal))
  }
  result.issues = issues
  return result
}

function cellIssue(where: Place, line: number, problem: CellProblem): Issue {
  const cell = `${columnLetters(problem.col)}${line}`
  const source = {file: where.file, sheet: where.sheet, line, column: problem.col, cell}
  const params = {cell: `${sheetReference(where.sheet)}!${cell}`, value: problem.value}
  return makeIssue(problem.code, params, {source, value: problem.value}, where.reveal)
}

/** A sheet name as Excel writes it in a reference: quoted when it is not a plain word. */
function sheetReference(name: string): string {
  return /^[\p{L}_][\p{L}\p{N}_.]*$/u.test(name) ? name : `'${name.replaceAll("'", "''")}'`
}

/** A row's values as an array by column (0-based), empty strings where there is no value. */
function denseValues(row: ParsedRow, width: number): string[] {
  const values = new Array<string>(width).fill('')
  for (let k = 0; k < row.cols.length; k++) {
    const column = row.cols[k]!
    if (column <= width) values[column - 1] = row.values[k]!
  }
  return values
}

/** Line numbers collected as ranges, for the blank-rows issue. */
class LineRanges {
  count = 0
  private ranges: Array<[number, number]> = []
  private more = false

  add(from: number, to: number): void {
    this.count += to - from + 1
    if (this.ranges.length < BLANK_RANGES_NAMED) this.ranges.push([from, to])
    else this.more = true
  }

  describe(max: number): string {
    const text = this.ranges
      .slice(0, max)
      .map(([from, to]) => (from === to ? `${from}` : `${from}-${to}`))
      .join(', ')
    return this.more || this.ranges.length > max ? `${text}, …` : text
  }
}

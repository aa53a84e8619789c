import {mkdir, rename, rm} from 'node:fs/promises'
import {once} from 'node:events'
import {dirname} from 'node:path'

import type ExcelJS from 'exceljs'

import {cellText, type FlatValue} from '../staging/flatten.js'
import {csvCell} from '../report/csv-cell.js'
import {StreamingWorkbook} from '../report/xlsx/streaming-workbook.js'
import {LineWriter} from './convert-output.js'

/** Where an export's text goes: a file (written under a temporary name, moved into place at the end) or stdout. */
export interface TextOutput {
  /** Writes text; returns a promise when the caller must wait for a full pipe to drain. */
  write(text: string): Promise<void> | undefined
  /** True once the reader went away (stdout piped into `head`): writing more is pointless. */
  readonly closed: boolean
  finish(): Promise<void>
  /** Gives up: a file output leaves nothing behind. */
  abandon(): Promise<void>
}

/** A file written through a temporary name, readable by its owner only, so a failed export never leaves half a file. */
export class FileOutput implements TextOutput {
  readonly closed = false
  private done = false

  private constructor(
    readonly path: string,
    private readonly writer: LineWriter,
  ) {}

  static async create(path: string): Promise<FileOutput> {
    await mkdir(dirname(path), {recursive: true})
    return new FileOutput(path, LineWriter.create(`${path}.tmp`))
  }

  write(text: string): undefined {
    this.writer.write(text)
    return undefined
  }

  async finish(): Promise<void> {
    this.done = true
    this.writer.close()
    await rename(`${this.path}.tmp`, this.path)
  }

  async abandon(): Promise<void> {
    if (this.done) return
    this.done = true
    this.writer.close()
    await rm(`${this.path}.tmp`, {force: true})
  }
}

const STREAM_CHUNK = 1 << 16

/**
 * A stream the export does not own (stdout): text gathered into chunks, written with backpressure. A reader that goes
 * away (EPIPE) ends the output quietly, as Unix tools do; any other stream error is thrown at the next write.
 */
export class StreamOutput implements TextOutput {
  private chunks: string[] = []
  private size = 0
  private failure: Error | undefined
  private broken = false

  constructor(private readonly stream: NodeJS.WritableStream) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') this.broken = true
      else this.failure = error
    })
  }

  get closed(): boolean {
    return this.broken
  }

  write(text: string): Promise<void> | undefined {
    if (this.broken) return undefined
    this.chunks.push(text)
    this.size += text.length
    return this.size >= STREAM_CHUNK ? this.flush() : undefined
  }

  private async flush(): Promise<void> {
    if (this.failure) throw this.failure
    const text = this.chunks.join('')
    this.chunks = []
    this.size = 0
    if (this.broken || text === '') return
    if (this.stream.write(text)) return
    try {
      await once(this.stream, 'drain')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EPIPE') this.broken = true
      else throw error
    }
  }

  finish(): Promise<void> {
    return this.flush()
  }

  async abandon(): Promise<void> {
    this.chunks = []
    this.size = 0
  }
}

/** Records as a JSON array laid out as `JSON.stringify(array, null, 2)` would (convert's entity files), or NDJSON. */
export class JsonRecordWriter {
  private count = 0

  constructor(
    private readonly output: TextOutput,
    private readonly format: 'json' | 'ndjson',
  ) {}

  /** Adds a record given as `formatEntity` made it for this format. */
  add(text: string): Promise<void> | undefined {
    this.count++
    if (this.format === 'ndjson') return this.output.write(`${text}\n`)
    return this.output.write(`${this.count === 1 ? '[\n  ' : ',\n  '}${text}`)
  }

  async finish(): Promise<void> {
    if (this.format === 'json') await this.output.write(this.count === 0 ? '[]\n' : '\n]\n')
    await this.output.finish()
  }
}

/**
 * A table as CSV for Excel in Sweden, as convert's rejects.csv: UTF-8 with a byte-order mark, `;` between cells, CRLF
 * line ends, and every cell through `csvCell` (quoted when needed, never taken for a formula).
 */
export class CsvTableWriter {
  private constructor(
    private readonly output: TextOutput,
    private readonly columns: string[],
  ) {}

  static begin(output: TextOutput, columns: string[]): {writer: CsvTableWriter; pending: Promise<void> | undefined} {
    const pending = output.write(`\ufeff${columns.map((column) => csvCell(column)).join(';')}\r\n`)
    return {writer: new CsvTableWriter(output, columns), pending}
  }

  add(cells: Map<string, FlatValue>): Promise<void> | undefined {
    return this.output.write(`${this.columns.map((column) => csvCell(cellText(cells.get(column)))).join(';')}\r\n`)
  }

  finish(): Promise<void> {
    return this.output.finish()
  }
}

/** What Excel writes as `_xHHHH_`: characters XML 1.0 cannot carry, and an underscore that starts such an escape. */
// eslint-disable-next-line no-control-regex
const EXCEL_ESCAPED = /_(?=x[0-9A-Fa-f]{4}_)|[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g

/** The most characters an Excel cell holds. */
export const EXCEL_CELL_LIMIT = 32_767
const CUT_MARK = ' … (cut: an Excel cell holds at most 32,767 characters; export json for the whole value)'

/**
 * Text as an XLSX cell holds it, the way Excel writes it: control characters XML cannot carry as `_xHHHH_`, and an
 * underscore that would start such an escape as `_x005F_`, so that Excel shows exactly the text. Text longer than a
 * cell holds is cut, with `mark` saying so; `cut` tells the caller.
 */
export function excelText(text: string, mark: string = CUT_MARK): {text: string; cut: boolean} {
  let value = text
  let cut = false
  if (value.length > EXCEL_CELL_LIMIT) {
    let end = EXCEL_CELL_LIMIT - mark.length
    // Never split a surrogate pair.
    if (/[\uD800-\uDBFF]/.test(value.charAt(end - 1))) end--
    value = `${value.slice(0, end)}${mark}`
    cut = true
  }
  const escaped = value.replace(EXCEL_ESCAPED, (match) =>
    match === '_' ? '_x005F_' : `_x${match.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}_`,
  )
  return {text: escaped, cut}
}

/**
 * A workbook written with exceljs's streaming writer, one worksheet per table, row by row, so memory stays flat in
 * the number of rows. Text stays text: a cell is never a formula, so nothing in it can run and nothing needs a guard
 * character. Numbers and booleans keep their type. The header row is bold, frozen and has a filter.
 */
export class XlsxWorkbookWriter {
  private sheet: ExcelJS.Worksheet | undefined
  private columns: string[] = []
  /** Cells cut to Excel's limit, in the current sheet. */
  cutCells = 0

  private constructor(private readonly workbook: StreamingWorkbook) {}

  get path(): string {
    return this.workbook.path
  }

  static async create(path: string): Promise<XlsxWorkbookWriter> {
    return new XlsxWorkbookWriter(await StreamingWorkbook.create(path))
  }

  /** Starts a worksheet with a header row of the columns; the previous one is committed first. */
  beginSheet(name: string, columns: string[]): void {
    this.columns = columns
    this.cutCells = 0
    const sheet = this.workbook.addSheet(name, {views: [{state: 'frozen', ySplit: 1}]})
    sheet.autoFilter = {from: {row: 1, column: 1}, to: {row: 1, column: columns.length}}
    sheet.columns = columns.map((column) => ({
      header: column,
      key: column,
      width: Math.min(60, Math.max(10, column.length + 2)),
    }))
    sheet.getRow(1).font = {bold: true}
    sheet.getRow(1).commit()
    this.sheet = sheet
  }

  async add(cells: Map<string, FlatValue>): Promise<void> {
    const values = this.columns.map((column): ExcelJS.CellValue => {
      const value = cells.get(column)
      if (typeof value !== 'string') return value ?? null
      const {text, cut} = excelText(value)
      if (cut) this.cutCells++
      return text
    })
    await this.workbook.commit(this.sheet!.addRow(values))
  }

  /** Commits the last sheet and the workbook, and moves the file into place. */
  async finish(): Promise<void> {
    await this.workbook.finish()
  }

  async abandon(): Promise<void> {
    await this.workbook.abandon()
  }
}

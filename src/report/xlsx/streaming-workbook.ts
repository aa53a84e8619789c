import {createWriteStream} from 'node:fs'
import {mkdir, rename, rm} from 'node:fs/promises'
import {dirname} from 'node:path'

import type ExcelJS from 'exceljs'

/** How many rows go out between pauses that let the zip compress and write what came before. */
const ROWS_PER_PAUSE = 500
/** How much of a sheet's uncompressed XML may wait for the zip before rows pause. */
const MAX_BACKLOG = 4 << 20

/**
 * An .xlsx file written with exceljs's streaming writer: worksheets one after another, rows committed as they are
 * made, so memory stays flat in the number of rows. Written to `<path>.tmp` and moved into place by `finish`, so a
 * reader never sees half a workbook. `export` and `convert --annotate` build on it.
 */
export class StreamingWorkbook {
  private sheet: ExcelJS.Worksheet | undefined
  private rows = 0

  private constructor(
    readonly path: string,
    private readonly file: NodeJS.WritableStream,
    private readonly workbook: ExcelJS.stream.xlsx.WorkbookWriter,
  ) {}

  static async create(path: string): Promise<StreamingWorkbook> {
    await mkdir(dirname(path), {recursive: true})
    const file = createWriteStream(`${path}.tmp`, {mode: 0o600})
    // Loaded only when a workbook is written: exceljs takes half a second to load, which every other command spares.
    const {default: excel} = await import('exceljs')
    const workbook = new excel.stream.xlsx.WorkbookWriter({stream: file, useStyles: true, useSharedStrings: false})
    workbook.creator = 'ss12000-toolkit'
    return new StreamingWorkbook(path, file, workbook)
  }

  /** Starts a worksheet; the previous one is committed first (rows of a committed sheet can no longer change). */
  addSheet(name: string, options: Partial<ExcelJS.AddWorksheetOptions> = {}): ExcelJS.Worksheet {
    this.sheet?.commit()
    this.sheet = this.workbook.addWorksheet(name, options)
    return this.sheet
  }

  /** Commits a row of the current sheet, pausing now and then for the zip to catch up. */
  async commit(row: ExcelJS.Row): Promise<void> {
    row.commit()
    if (++this.rows % ROWS_PER_PAUSE === 0) await this.catchUp()
  }

  /**
   * exceljs hands a sheet's XML to the zip through a PassThrough stream without heeding backpressure, and the zip
   * compresses it on the thread pool at its own pace: left alone, the whole uncompressed sheet piles up in memory.
   * So every few hundred rows, wait until the zip has taken in what is pending. This looks at exceljs's internals
   * (the sheet's stream and its pipes); should they change, it only yields once, and nothing breaks.
   */
  private async catchUp(): Promise<void> {
    // The pipes are readable-stream 2 PassThroughs (archiver's), whose lengths sit in their states.
    const internals = this.sheet as unknown as {
      stream?: {pipes?: Array<{_writableState?: {length?: number}; _readableState?: {length?: number}}>}
    }
    const pipes = internals.stream?.pipes ?? []
    const backlog = () =>
      pipes.reduce((sum, pipe) => sum + (pipe._writableState?.length ?? 0) + (pipe._readableState?.length ?? 0), 0)
    await new Promise((resolve) => setImmediate(resolve))
    // Never wait forever: give up after a while without progress.
    for (let idle = 0, last = backlog(); last > MAX_BACKLOG && idle < 200;) {
      await new Promise((resolve) => setTimeout(resolve, 1))
      const now = backlog()
      idle = now < last ? 0 : idle + 1
      last = now
    }
  }

  /** Commits the last sheet and the workbook, and moves the file into place. */
  async finish(): Promise<void> {
    this.sheet?.commit()
    await this.workbook.commit()
    await rename(`${this.path}.tmp`, this.path)
  }

  async abandon(): Promise<void> {
    this.file.end()
    await rm(`${this.path}.tmp`, {force: true})
  }
}

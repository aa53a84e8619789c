import {stat} from 'node:fs/promises'
import {extname} from 'node:path'

import {UsageError} from '../errors.js'
import {openCsv} from './csv.js'
import type {OpenedSource, ReaderOptions} from './types.js'
import {openXlsx} from './xlsx.js'

export type {OpenedSource, ReaderOptions, SourceInfo, SourceRow} from './types.js'

const XLSX_EXTENSIONS = new Set(['.xlsx', '.xlsm'])
/** Spreadsheet formats people have that the reader cannot open, with what to do instead. */
const REFUSED: Record<string, string> = {
  '.xls': 'an Excel 97–2003 workbook (.xls)',
  '.xlsb': 'an Excel binary workbook (.xlsb)',
  '.ods': 'an OpenDocument spreadsheet (.ods)',
  '.numbers': 'a Numbers spreadsheet',
}

/** Extensions that say "delimited text export" outright (other names are read as CSV too, but say nothing). */
const CSV_EXTENSIONS = new Set(['.csv', '.txt', '.skv', '.tsv'])

/** Whether a path names a spreadsheet or CSV export by its extension (readable or not), rather than JSON. */
export function isTabularFile(file: string): boolean {
  const extension = extname(file).toLowerCase()
  return XLSX_EXTENSIONS.has(extension) || CSV_EXTENSIONS.has(extension) || extension in REFUSED
}

/** The kind of tabular file a path names, by its extension. */
export function sourceFormat(file: string): 'csv' | 'xlsx' {
  const extension = extname(file).toLowerCase()
  if (XLSX_EXTENSIONS.has(extension)) return 'xlsx'
  const refused = REFUSED[extension]
  if (refused !== undefined) {
    throw new UsageError(`${file} is ${refused}, which the toolkit cannot read: save it as .xlsx or export CSV.`, {
      actions: ['Open it in Excel or LibreOffice and save it as .xlsx (Excel workbook), or export it as CSV.'],
    })
  }
  // Anything else is read as delimited text: legacy systems name their exports .txt, .skv or nothing at all.
  return 'csv'
}

/**
 * Opens a CSV or Excel export for streaming: detects what it can (encoding, delimiter, sheet, header row) unless the
 * options say, and hands back the header, the rows and the problems found on the way.
 */
export async function openSource(file: string, options: ReaderOptions = {}): Promise<OpenedSource> {
  const format = sourceFormat(file)
  const stats = await stat(file).catch(() => undefined)
  if (!stats) throw new UsageError(`No such file: ${file}`)
  if (stats.isDirectory()) throw new UsageError(`${file} is a directory; give the export file itself.`)
  if (format === 'xlsx') return openXlsx(file, options)
  if (options.sheet !== undefined) throw new UsageError(`--sheet applies to Excel workbooks; ${file} is read as CSV.`)
  return openCsv(file, options)
}

import type {Issue} from '../validation/issue.js'

/** One data record of a tabular source, as the mapping layer sees it. */
export interface SourceRow {
  file: string
  /** The worksheet name, for Excel sources. */
  sheet?: string
  /** The line the user sees: a CSV record's first physical line, or the Excel row number. */
  line: number
  /**
   * Header → value. Values are Unicode NFC with surrounding whitespace and no-break spaces trimmed; empty cells are
   * absent. A null-prototype object, so a header called `__proto__` is just a key.
   */
  cells: Record<string, string>
  /**
   * Problems with this row that the reader found (ragged row, an Excel error cell, a formula without a cached
   * result, a record cut off at the end of the file). The row is still delivered; the caller decides whether to
   * reject it.
   */
  issues?: Issue[]
}

/** Text encodings the CSV reader knows. `windows-1252` is the real Windows code page, not Latin-1. */
export const SOURCE_ENCODINGS = ['utf-8', 'utf-16le', 'utf-16be', 'windows-1252'] as const
export type SourceEncoding = (typeof SOURCE_ENCODINGS)[number]

/** Reader options; each means the same for CSV and Excel where it applies (src/cli/flags.ts defines the flags once). */
export interface ReaderOptions {
  /** CSV: the encoding, instead of detecting it. */
  encoding?: SourceEncoding
  /** CSV: the delimiter, instead of sniffing it. */
  delimiter?: string
  /** Excel: the worksheet, by name or 1-based index. Default: the first sheet with data. */
  sheet?: string | number
  /** The 1-based row (CSV: record) that holds the header, instead of detecting it. */
  headerRow?: number
  /** How many rows right after the header to skip (a row of explanations or units under the header). */
  skipRows?: number
}

/** What a reader found out about a source before its data rows: where the header is and what it says. */
export interface SourceInfo {
  file: string
  format: 'csv' | 'xlsx'
  /** CSV: the encoding used (detected or given), and whether it was detected. */
  encoding?: SourceEncoding
  encodingDetected?: boolean
  /** CSV: the delimiter used, and whether it was sniffed. */
  delimiter?: string
  delimiterDetected?: boolean
  /** Excel: the worksheet read, and every worksheet with its size. */
  sheet?: string
  sheets?: Array<{name: string; index: number; rows: number; columns: number}>
  /** 1-based row (CSV: physical line) of the header; 0 when the source is empty. */
  headerRow: number
  headerDetected: boolean
  /** Header names as used in `SourceRow.cells`: disambiguated (`Klass`, `Klass_2`), empty ones named `Column_3`. */
  headers: string[]
  /** The header cells exactly as written. */
  rawHeaders: string[]
  /**
   * The rows above the header that were read while looking for it (a title, an export date), as written; blank
   * rows and, with an explicit header row, rows not read are not here. `convert --annotate` copies them.
   */
  above?: Array<{line: number; values: string[]}>
}

/** A source opened for reading: its info, its data rows, and what the reader noticed about the whole file. */
export interface OpenedSource {
  info: SourceInfo
  /** The data rows, streamed. Iterate once. */
  rows: AsyncIterable<SourceRow>
  /**
   * Problems about the file rather than a row (mixed encodings, blank rows, an empty or header-only file, renamed
   * headers). Complete once `rows` has been iterated to the end; header problems are there from the start.
   */
  issues: Issue[]
}

import {type ColumnProfile, createColumnProfiler} from '../sources/column-profile.js'
import {openSource} from '../sources/index.js'
import type {ReaderOptions, SourceInfo} from '../sources/types.js'
import {IssueCollector, type IssueGroup} from '../validation/issue-groups.js'
import {goodFits, rankShippedTemplates, type TemplateFit} from './templates.js'

export interface InspectOptions {
  file: string
  reader: ReaderOptions
  reveal: boolean
  onProgress?: (progress: {records: number}) => void
}

export interface InspectResult {
  file: string
  format: SourceInfo['format']
  /** CSV: the encoding and whether it was detected. */
  encoding?: {name: string; detected: boolean}
  /** CSV: the delimiter and whether it was sniffed. */
  delimiter?: {character: string; detected: boolean}
  /** Excel: the sheet read, and all sheets. */
  sheet?: string
  sheets?: NonNullable<SourceInfo['sheets']>
  header: {row: number; detected: boolean; columns: string[]}
  /** Data rows read (blank rows are not records). */
  records: number
  /** Records the reader flagged (ragged, error cells, cut off). */
  recordsWithProblems: number
  columns: ColumnProfile[]
  issues: {errors: number; warnings: number; groups: IssueGroup[]}
  /**
   * The shipped templates whose inputs fit the headers, best first (at most three, each with at least half of its
   * required columns found): which input, how many required columns were found, and which are missing.
   */
  templates: TemplateFit[]
}

const PROGRESS_EVERY = 10_000

/** Profiles a CSV or Excel export in one streaming pass, so a mapping can be written or picked for it. */
export async function inspect(options: InspectOptions): Promise<InspectResult> {
  const opened = await openSource(options.file, options.reader)
  const {info} = opened
  const profiler = createColumnProfiler(info.headers, {reveal: options.reveal})
  const collector = new IssueCollector(false)
  for (const issue of opened.issues) collector.add(issue)
  const reported = opened.issues.length
  let records = 0
  let recordsWithProblems = 0
  for await (const row of opened.rows) {
    records++
    profiler.add(row.cells)
    if (row.issues && row.issues.length > 0) {
      recordsWithProblems++
      for (const issue of row.issues) collector.add(issue)
    }
    if (records % PROGRESS_EVERY === 0) options.onProgress?.({records})
  }
  // File issues found while reading (blank rows, mixed encodings) arrive once the rows are done.
  for (const issue of opened.issues.slice(reported)) collector.add(issue)

  const result: InspectResult = {
    file: options.file,
    format: info.format,
    header: {row: info.headerRow, detected: info.headerDetected, columns: info.headers},
    records,
    recordsWithProblems,
    columns: profiler.result(),
    issues: {errors: collector.errors, warnings: collector.warnings, groups: collector.groups()},
    templates: info.headers.length === 0 ? [] : goodFits(await rankShippedTemplates(info.headers)),
  }
  if (info.encoding !== undefined) result.encoding = {name: info.encoding, detected: info.encodingDetected ?? false}
  if (info.delimiter !== undefined)
    result.delimiter = {character: info.delimiter, detected: info.delimiterDetected ?? false}
  if (info.sheet !== undefined) result.sheet = info.sheet
  if (info.sheets !== undefined) result.sheets = info.sheets
  return result
}

/**
 * Reads a CSV export as a stream of {@link SourceRow}s, the way a school IT person was given it: in whatever encoding
 * and with whatever delimiter, title rows and line endings the legacy system chose.
 *
 * Design: bytes are read in chunks and transcoded to UTF-8 (valid UTF-8 passes through untouched), then parsed by
 * csv-parse. The parser is driven synchronously, chunk by chunk, and hands its records over through `push`, so there
 * is no stream machinery or promise per record between the file and the rows; rows are handed out in batches of one
 * chunk's worth. Before anything is returned, the head of the file (64 KiB) decides the encoding and the delimiter,
 * and the first 30 records the header, so `info` is complete when {@link openCsv} resolves.
 */
import {Buffer} from 'node:buffer'
import {createReadStream, type ReadStream} from 'node:fs'
import {BatchedIterator} from './batched-iterator.js'

import {type Options as CsvParseOptions, Parser} from 'csv-parse'
import {parse as parseCsvSync} from 'csv-parse/sync'

import {UsageError} from '../errors.js'
import type {IssueCode} from '../validation/catalog.js'
import {type Issue, makeIssue, type SourceLocation} from '../validation/issue.js'
import {cellsOf, detectHeaderRow, normalizeCell, normalizeHeaders} from './header.js'
import {detectBom, type TranscoderMode, Utf8Transcoder} from './text-decoding.js'
import type {OpenedSource, ReaderOptions, SourceEncoding, SourceInfo, SourceRow} from './types.js'

/** {@link openCsv}'s options: the shared reader options, and knobs for tests. */
export interface CsvReaderOptions extends ReaderOptions {
  /**
   * Bytes per read. Internal, for tests that need lines and multi-byte characters split across reads.
   * @internal
   */
  chunkSize?: number
  /**
   * Bytes at the start of the file that decide the encoding and the delimiter. Internal, for tests.
   * @internal
   */
  headBytes?: number
}

/** The delimiters sniffing chooses among, in order of preference when they fit equally well (Swedish Excel: `;`). */
export const CSV_DELIMITERS = [';', ',', '\t', '|'] as const

const DEFAULT_CHUNK_SIZE = 1 << 16
const DEFAULT_HEAD_BYTES = 1 << 16
/** Records read ahead, from the first non-blank one, to find the header among title rows. */
const HEADER_LOOKAHEAD = 30
/** Records looked at to sniff the delimiter. */
const SNIFF_RECORDS = 50
/** Line numbers listed in an issue; the count says how many there are in all. */
const LINES_LISTED = 10
/** Excel's hint line, `sep=;`, as the first line of a file. */
const SEP_LINE = /^sep=([^\r\n\uFFFD])\1*[ \t]*(?:\r\n|\n|\r|$)/i
/** How far the head is read, at most, for its first line to end. */
const MAX_FIRST_LINE = 1 << 20

/**
 * Opens a CSV file for streaming. The file is read as it is iterated, never whole; `info` (encoding, delimiter,
 * header) is decided from its head before this resolves.
 *
 * - Encoding: a BOM (UTF-8, UTF-16 LE/BE) decides; else UTF-8, where each line that is not valid UTF-8 is read as
 *   Windows-1252 (`info.encoding` says `windows-1252` when no line has non-ASCII UTF-8, and a file with both kinds
 *   of line gets a `source.encoding-mixed` warning; so does a file with a UTF-8 BOM and Windows-1252 lines). When the head is pure ASCII, `info.encoding` is settled once
 *   the rows have been read. `options.encoding` overrides all of it.
 * - Delimiter: a leading `sep=;` line, else sniffed among `;` `,` tab `|`; `options.delimiter` overrides (`\t`,
 *   `\\t` and `tab` all mean tab).
 * - Header: detected among the first records (title and blank rows above it are skipped). `options.headerRow` is a
 *   physical line, as `info.headerRow` reports it: the header is the record on that line (with a `sep=` line and no
 *   line breaks inside quotes, line N is record N − 1, as in Excel). `options.skipRows` skips records after it.
 * - `SourceRow.line` is the physical line a record starts on, as a text editor numbers it (`sep=` and title lines
 *   included).
 *
 * Bad content never throws: it becomes issues on the rows or in `issues` (complete once the rows are iterated).
 * Only I/O errors (ENOENT, EACCES, …) are thrown, as they are; and a `UsageError` for options that cannot apply
 * (an empty delimiter, a header row past the end of the file).
 */
export async function openCsv(file: string, options: CsvReaderOptions = {}): Promise<OpenedSource> {
  const delimiterOption = options.delimiter === undefined ? undefined : normalizeDelimiter(options.delimiter)
  const headerRowOption = options.headerRow
  if (headerRowOption !== undefined && !(Number.isInteger(headerRowOption) && headerRowOption >= 1)) {
    throw new UsageError(`The header row must be a line number from 1, not ${headerRowOption}.`)
  }
  const source = new ByteSource(file, options.chunkSize ?? DEFAULT_CHUNK_SIZE)
  try {
    return await open(file, source, options, delimiterOption, headerRowOption)
  } catch (error) {
    source.close()
    throw error
  }
}

async function open(
  file: string,
  source: ByteSource,
  options: CsvReaderOptions,
  delimiterOption: string | undefined,
  headerRowOption: number | undefined,
): Promise<OpenedSource> {
  // The head: enough bytes to decide the encoding and the delimiter.
  const headLimit = options.headBytes ?? DEFAULT_HEAD_BYTES
  const head: Buffer[] = []
  let headLength = 0
  let ended = false
  while (headLength < headLimit) {
    const chunk = await source.read()
    if (chunk === undefined) {
      ended = true
      break
    }
    head.push(chunk)
    headLength += chunk.length
  }

  const bom = detectBom(Buffer.concat(head, headLength).subarray(0, 3))
  const forced = options.encoding
  // A UTF-8 BOM still gets the per-line fallback: lines appended in another editor are read as well as they can be.
  const mode: TranscoderMode = forced ?? (bom === undefined || bom.encoding === 'utf-8' ? 'auto' : bom.encoding)
  // A BOM is not content; it is dropped unless the encoding given says the bytes mean something else.
  if (bom !== undefined && (forced === undefined || forced === bom.encoding)) dropBytes(head, bom.length)
  const transcoder = new Utf8Transcoder(mode)
  const decoded = head.map((chunk) => transcoder.write(chunk))
  if (ended) decoded.push(transcoder.end())
  let text = Buffer.concat(decoded)
  // The first line must be whole to tell a `sep=` line (and a CR at the end may still be a CRLF).
  while (!ended && !firstLineComplete(text) && text.length < MAX_FIRST_LINE) {
    const chunk = await source.read()
    if (chunk === undefined) ended = true
    text = Buffer.concat([text, chunk === undefined ? transcoder.end() : transcoder.write(chunk)])
  }
  const encoding: SourceEncoding = forced ?? bom?.encoding ?? transcoder.guessEncoding()

  let firstLine = 1
  let sepDelimiter: string | undefined
  const headText = text.toString('utf8')
  const sep = SEP_LINE.exec(headText)
  if (sep !== null) {
    sepDelimiter = sep[1]
    firstLine = 2
    text = text.subarray(Buffer.byteLength(sep[0]))
  }
  const sniffText = sep === null ? headText : headText.slice(sep[0].length)
  const delimiter = delimiterOption ?? sepDelimiter ?? sniffDelimiter(sniffText, ended)

  const parser = new RecordParser(delimiter, spacedQuotes(sniffText, delimiter), firstLine)
  const records = new RecordSource(source, transcoder, parser, ended)
  parser.feed(text)
  if (ended) parser.finish()

  const issues: Issue[] = []
  const found =
    headerRowOption === undefined
      ? await readAheadForHeader(records)
      : await readAheadToLine(records, headerRowOption, file)

  const info: SourceInfo = {
    file,
    format: 'csv',
    encoding,
    encodingDetected: forced === undefined,
    delimiter,
    delimiterDetected: delimiterOption === undefined,
    headerRow: 0,
    headerDetected: headerRowOption === undefined,
    headers: [],
    rawHeaders: [],
  }
  const rows = new RowBuilder(file, info, issues, records, options.skipRows ?? 0, {
    perLine: mode === 'auto',
    settled: forced !== undefined || bom !== undefined || encoding === 'windows-1252',
  })
  if (found === undefined) {
    issues.push(issue('source.empty', {}, {file}))
  } else {
    const {values, lines, header} = found
    const raw = values[header]!
    const headerLine = lines[header]!
    const {headers, renames} = normalizeHeaders(raw)
    info.headerRow = headerLine
    info.headers = headers
    info.rawHeaders = [...raw]
    if (header > 0) info.above = values.slice(0, header).map((record, index) => ({line: lines[index]!, values: record}))
    for (const rename of renames) {
      issues.push(
        issue(
          rename.kind === 'empty' ? 'source.header-empty' : 'source.header-duplicate',
          {column: rename.column, name: rename.name, original: rename.original},
          {file, line: headerLine, column: rename.column},
        ),
      )
    }
    rows.start(headers, values.slice(header + 1), lines.slice(header + 1))
  }
  return {info, rows: {[Symbol.asyncIterator]: () => rows}, issues}
}

/** Whether UTF-8 text holds a whole line: a line break that is not a CR at the very end. */
function firstLineComplete(text: Buffer): boolean {
  const lf = text.indexOf(0x0a)
  const cr = text.indexOf(0x0d)
  if (lf >= 0 && (cr < 0 || lf < cr)) return true
  return cr >= 0 && cr < text.length - 1
}

/** Records read ahead: the header's index among them, and the records after it (data already read). */
interface ReadAhead {
  values: string[][]
  lines: number[]
  header: number
}

/**
 * Reads records until the header can be detected among them: up to 30 from the first one that is not blank. Blank
 * records above that one are dropped (they are above the header).
 */
async function readAheadForHeader(records: RecordSource): Promise<ReadAhead | undefined> {
  const values: string[][] = []
  const lines: number[] = []
  for (;;) {
    const batch = records.take()
    for (let index = 0; index < batch.values.length; index++) {
      const record = batch.values[index]!
      if (values.length === 0 && isBlank(record)) continue
      values.push(record)
      lines.push(batch.lines[index]!)
    }
    if (values.length >= HEADER_LOOKAHEAD || records.done) break
    await records.pull()
  }
  if (values.length === 0) return undefined
  const header = detectHeaderRow(values.slice(0, HEADER_LOOKAHEAD))
  return header < 0 ? undefined : {values, lines, header}
}

/**
 * Reads records until the one on the given physical line (or spanning it, when a quoted value holds line breaks);
 * the records above it are dropped. A line above the first record (the `sep=` line) means the first record.
 */
async function readAheadToLine(records: RecordSource, line: number, file: string): Promise<ReadAhead | undefined> {
  let values: string[][] = []
  let lines: number[] = []
  for (;;) {
    const batch = records.take()
    for (let index = 0; index < batch.values.length; index++) {
      values.push(batch.values[index]!)
      lines.push(batch.lines[index]!)
    }
    let header = 0
    while (header + 1 < lines.length && lines[header + 1]! <= line) header++
    if (header > 0) {
      values = values.slice(header)
      lines = lines.slice(header)
    }
    // Settled once a record starts after the line.
    if (lines.length > 1 || (lines.length === 1 && lines[0]! > line)) break
    if (records.done) {
      if (values.length === 0) return undefined
      const lastLine = records.nextLine - 1
      if (line > lastLine) {
        throw new UsageError(`The header row ${line} is past the end of ${file}, which has ${lastLine} line(s).`, {
          actions: ['Give the line number of the header as a text editor shows it, or leave it out to detect it.'],
        })
      }
      break
    }
    await records.pull()
  }
  return {values, lines, header: 0}
}

/**
 * Turns records into rows: header names, blank rows skipped and counted, ragged rows flagged. Also the iterator of
 * `OpenedSource.rows`: rows are built a chunk's worth at a time and handed out from that batch.
 */
class RowBuilder extends BatchedIterator<SourceRow> {
  private headers: string[] = []
  /** Rows built from the records read ahead while looking for the header. */
  private readAhead: SourceRow[] = []
  private finished = false
  private skip: number
  private delivered = 0
  private blankCount = 0
  private readonly blankLines: number[] = []
  /** The record cut off at the end of the file went out as a row, with its issue. */
  private truncatedDelivered = false

  constructor(
    private readonly file: string,
    private readonly info: SourceInfo,
    private readonly issues: Issue[],
    private readonly records: RecordSource,
    skipRows: number,
    /**
     * How the file was decoded: line by line (UTF-8 or Windows-1252), and whether its encoding is settled (a BOM, or
     * detected from non-ASCII text in the head) or still open (the head was pure ASCII).
     */
    private readonly decoding: {perLine: boolean; settled: boolean},
  ) {
    super()
    this.skip = Math.max(0, Math.floor(skipRows))
  }

  /** Starts with the header and the data records already read ahead. */
  start(headers: string[], values: string[][], lines: number[]): void {
    this.headers = headers
    this.build(values, lines, this.readAhead)
  }

  protected close(): void {
    this.finished = true
    this.records.close()
  }

  protected async nextBatch(): Promise<SourceRow[] | undefined> {
    if (this.readAhead.length > 0) {
      const rows = this.readAhead
      this.readAhead = []
      return rows
    }
    if (this.finished) return undefined
    const rows: SourceRow[] = []
    if (this.records.done) {
      // What the parser produced last (the end of the input) is built before the file issues are settled.
      const last = this.records.take()
      this.build(last.values, last.lines, rows)
      this.finish()
    } else {
      await this.records.pull()
      const {values, lines} = this.records.take()
      this.build(values, lines, rows)
    }
    return rows
  }

  /** The hot path: one call per chunk's worth of records. */
  private build(values: string[][], lines: number[], batch: SourceRow[]): void {
    const {headers, file} = this
    if (headers.length === 0) return
    const width = headers.length
    const first = headers[0]!
    const truncated = this.records.parser.truncatedRecord
    for (let index = 0; index < values.length; index++) {
      const record = values[index]!
      if (this.skip > 0) {
        this.skip--
        continue
      }
      const line = lines[index]!
      const cells = cellsOf(headers, record)
      // Most rows fill their first column; only the others need the slower look at every key.
      let empty = cells[first] === undefined
      if (empty) {
        for (const _key in cells) {
          empty = false
          break
        }
      }
      // 1-based position of the last value with content beyond the header: extra cells that are empty are fine.
      let extra = 0
      if (record.length > width) {
        for (let column = record.length; column > width; column--) {
          if (normalizeCell(record[column - 1]!) !== undefined) {
            extra = column
            break
          }
        }
      }
      if (empty && extra === 0) {
        // A cut-off record with nothing in it is reported as the file's problem, not as a blank row.
        if (record === truncated) continue
        this.blankCount++
        if (this.blankLines.length < LINES_LISTED) this.blankLines.push(line)
        continue
      }
      let rowIssues: Issue[] | undefined
      if (extra > 0) {
        let firstExtra = width + 1
        while (normalizeCell(record[firstExtra - 1]!) === undefined) firstExtra++
        rowIssues = [issue('source.ragged-extra', {count: extra, expected: width}, {file, line, column: firstExtra})]
      } else if (record.length < width) {
        rowIssues = [issue('source.ragged-short', {count: record.length, expected: width}, {file, line})]
      }
      if (record === truncated) {
        this.truncatedDelivered = true
        const cutOff = issue('source.truncated', {line: this.records.parser.truncatedQuoteLine}, {file, line})
        if (rowIssues === undefined) rowIssues = [cutOff]
        else rowIssues.push(cutOff)
      }
      this.delivered++
      batch.push(rowIssues === undefined ? {file, line, cells} : {file, line, cells, issues: rowIssues})
    }
  }

  /** The file issues only the whole file can tell. */
  private finish(): void {
    this.finished = true
    const {file, issues, info} = this
    const parser = this.records.parser
    if (parser.failed && !this.truncatedDelivered) {
      issues.push(issue('source.truncated', {line: parser.truncatedQuoteLine}, {file, line: parser.truncatedLine}))
    }
    if (this.blankCount > 0) {
      issues.push(
        issue(
          'source.blank-rows',
          {count: this.blankCount, lines: listLines(this.blankLines, this.blankCount)},
          {file, line: this.blankLines[0]},
        ),
      )
    }
    if (this.decoding.perLine) {
      const windows1252 = this.records.transcoder.windows1252Lines
      const utf8 = this.records.transcoder.sawNonAsciiUtf8 || (this.decoding.settled && info.encoding === 'utf-8')
      if (windows1252.count > 0 && utf8) {
        issues.push(
          issue(
            'source.encoding-mixed',
            {count: windows1252.count, lines: listLines(windows1252.first, windows1252.count)},
            {file, line: windows1252.first[0]},
          ),
        )
      } else if (windows1252.count > 0 && !this.decoding.settled) {
        // The head was pure ASCII; every line with other characters turned out to be Windows-1252.
        info.encoding = 'windows-1252'
      }
    }
    if (info.headers.length > 0 && this.delivered === 0) {
      issues.push(issue('source.header-only', {}, {file, line: info.headerRow}))
    }
  }
}

/** The records of the file, as the parser produces them chunk by chunk. */
class RecordSource {
  constructor(
    private readonly source: ByteSource,
    readonly transcoder: Utf8Transcoder,
    readonly parser: RecordParser,
    /** The input has been read to its end (and the parser told so). */
    public done: boolean,
  ) {}

  /** The physical line after the last record produced. */
  get nextLine(): number {
    return this.parser.nextLine
  }

  /** Reads one more chunk through transcoder and parser; at the end of the input, ends both. */
  async pull(): Promise<void> {
    if (this.done) return
    const chunk = await this.source.read()
    if (chunk === undefined) {
      this.parser.feed(this.transcoder.end())
      this.parser.finish()
      this.done = true
      return
    }
    this.parser.feed(this.transcoder.write(chunk))
    if (this.parser.failed) {
      // The parser cannot go on after an error; the records before it stand.
      this.done = true
      this.source.close()
    }
  }

  /** The records produced since the last call. */
  take(): {values: string[][]; lines: number[]} {
    return this.parser.takeRecords()
  }

  close(): void {
    this.done = true
    this.source.close()
  }
}

/**
 * csv-parse's Parser driven by hand: `feed` runs its transform synchronously and `push` collects each record with
 * the physical line it starts on. csv-parse's own line counter says where a record ends and counts a CRLF inside
 * quotes twice, so start lines are counted here: a record takes one line, plus the line breaks inside its values
 * (looked for only when csv-parse saw any, so ordinary records cost nothing).
 *
 * This relies on how csv-parse 6.2 runs its Transform (`_transform`, `_flush`, `push`, `info`), which is why
 * package.json pins csv-parse to an exact version; test/unit/sources/csv.test.ts catches a change.
 */
class RecordParser extends Parser {
  /** The physical line the next record starts on. */
  nextLine: number
  /** The parser stopped on an error (normally a quote not closed at the end of the file). */
  failed = false
  /** The record cut off at the end of the file, read as if its quote were closed; delivered with an issue. */
  truncatedRecord: string[] | undefined
  /** Where the cut-off record starts, and the line of its unclosed quote. */
  truncatedLine = 0
  truncatedQuoteLine = 0

  private recordValues: string[][] = []
  private recordLines: number[] = []
  private readonly csvOptions: CsvParseOptions
  /** csv-parse's line counter at the last record. */
  private countedLines = 0
  /** Bytes fed since the end of the last record: the text of a record cut off at the end. */
  private tailChunks: Buffer[] = []
  private tailStart = 0
  private recordEnd = 0

  /** @param ltrim whether spaces before a quote are skipped so that the quote opens a quoted value */
  constructor(delimiter: string, ltrim: boolean, firstLine: number) {
    const csvOptions: CsvParseOptions = {
      delimiter,
      // All three line endings at once, so a file that mixes them still splits into its lines.
      record_delimiter: ['\r\n', '\n', '\r'],
      // Blank lines come through as records, which keeps line numbers exact; they are skipped and counted later.
      skip_empty_lines: false,
      relax_column_count: true,
      // `"a"b` and `5" tum` are read as written instead of stopping the file.
      relax_quotes: true,
      ltrim,
    }
    super(csvOptions)
    this.csvOptions = csvOptions
    this.nextLine = firstLine
  }

  override push(chunk: unknown): boolean {
    // csv-parse pushes null when the input is empty; there is no stream to end.
    if (chunk === null) return false
    const record = chunk as string[]
    const counted = this.info.lines
    const line = this.nextLine
    this.nextLine += counted - this.countedLines === 1 ? 1 : 1 + lineBreaksIn(record)
    this.countedLines = counted
    this.recordEnd = this.info.bytes
    this.recordValues.push(record)
    this.recordLines.push(line)
    return true
  }

  /** Parses more UTF-8 input; records land in {@link takeRecords}. */
  feed(bytes: Buffer): void {
    if (this.failed || bytes.length === 0) return
    this.tailChunks.push(bytes)
    try {
      this._transform(bytes, 'utf8', (error) => {
        if (error) this.fail(error)
      })
    } catch (error) {
      // csv-parse reports errors through the callback; this is for anything else it might throw.
      this.fail(error)
    }
    // Keep only the chunks the unfinished record may start in.
    while (this.tailChunks.length > 0 && this.tailStart + this.tailChunks[0]!.length <= this.recordEnd) {
      this.tailStart += this.tailChunks.shift()!.length
    }
  }

  /** Ends the input. A quote still open is the last record cut off: it is read as if closed, if it can be. */
  finish(): void {
    if (this.failed) return
    try {
      this._flush((error) => {
        if (error) this.fail(error)
      })
    } catch (error) {
      this.fail(error)
    }
  }

  takeRecords(): {values: string[][]; lines: number[]} {
    const taken = {values: this.recordValues, lines: this.recordLines}
    this.recordValues = []
    this.recordLines = []
    return taken
  }

  private fail(error: unknown): void {
    this.failed = true
    this.truncatedLine = this.nextLine
    this.truncatedQuoteLine = this.nextLine
    const code = typeof error === 'object' && error !== null ? (error as {code?: unknown}).code : undefined
    if (code !== 'CSV_QUOTE_NOT_CLOSED') return
    const joined = Buffer.concat(this.tailChunks)
    const text = joined.subarray(Math.max(0, this.recordEnd - this.tailStart)).toString('utf8')
    this.tailChunks = []
    let records: string[][]
    try {
      records = parseCsvSync(`${text}"`, this.csvOptions) as string[][]
    } catch {
      return
    }
    const record = records[0]
    if (records.length !== 1 || record === undefined) return
    this.truncatedRecord = record
    // The open quote is in the last value; the values before it may span lines of their own.
    this.truncatedQuoteLine = this.nextLine + lineBreaksIn(record.slice(0, -1))
    this.recordValues.push(record)
    this.recordLines.push(this.nextLine)
  }
}

/** Line breaks inside a record's values: LF, CRLF and a lone CR each count once. */
function lineBreaksIn(record: readonly string[]): number {
  let breaks = 0
  for (const value of record) {
    for (let at = value.indexOf('\n'); at >= 0; at = value.indexOf('\n', at + 1)) breaks++
    for (let at = value.indexOf('\r'); at >= 0; at = value.indexOf('\r', at + 1)) {
      if (value.charCodeAt(at + 1) !== 0x0a) breaks++
    }
  }
  return breaks
}

/** The file's bytes, a chunk at a time. */
class ByteSource {
  private readonly stream: ReadStream
  private readonly chunks: AsyncIterator<Buffer>

  constructor(file: string, chunkSize: number) {
    this.stream = createReadStream(file, {highWaterMark: chunkSize})
    this.chunks = this.stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>
  }

  /** The next chunk, or undefined at the end. I/O errors are thrown as they are. */
  async read(): Promise<Buffer | undefined> {
    const result = await this.chunks.next()
    return result.done === true ? undefined : result.value
  }

  close(): void {
    this.stream.destroy()
  }
}

/** Drops the first bytes of a list of chunks (a BOM, which may be split across tiny test reads). */
function dropBytes(chunks: Buffer[], count: number): void {
  let left = count
  while (left > 0 && chunks.length > 0) {
    const first = chunks[0]!
    if (first.length <= left) {
      left -= first.length
      chunks.shift()
    } else {
      chunks[0] = first.subarray(left)
      left = 0
    }
  }
}

function isBlank(record: readonly string[]): boolean {
  return record.every((value) => normalizeCell(value) === undefined)
}

/** `3, 7, 12` or, past ten, `3, 7, 12, …, 40, …`: the first line numbers, then an ellipsis. */
function listLines(first: readonly number[], count: number): string {
  return count > first.length ? `${first.join(', ')}, …` : first.join(', ')
}

function issue(code: IssueCode, params: Record<string, string | number | undefined>, source: SourceLocation): Issue {
  const place: SourceLocation = {file: source.file}
  if (source.line !== undefined) place.line = source.line
  if (source.column !== undefined) place.column = source.column
  // Reader issues never carry cell values, so there is nothing to reveal.
  return makeIssue(code, params, {source: place}, false)
}

/**
 * Whether the text quotes values after spaces (`a, "b, c"`, as people write CSV by hand). Only then is csv-parse
 * asked to skip spaces before a quote, which it otherwise reads as part of the value: that costs it a check on
 * every value of every record, a tenth of its time. Quotes inside quoted values may say yes wrongly; that only
 * costs the time.
 */
function spacedQuotes(text: string, delimiter: string): boolean {
  const spaces = delimiter === '\t' ? '[ ]+' : '[ \\t]+'
  const escaped = delimiter.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  return new RegExp(`(?:^|[\\r\\n]|${escaped})${spaces}"`).test(text)
}

/** A delimiter as the user wrote it: `\t` (typed as two characters) and `tab` mean the tab character. */
export function normalizeDelimiter(given: string): string {
  if (given === '\\t' || given.toLowerCase() === 'tab') return '\t'
  if (given === '' || /["\r\n]/.test(given)) {
    throw new UsageError(`The delimiter ${JSON.stringify(given)} cannot separate CSV values.`, {
      actions: ['Give one character such as ; , | or \\t, or leave the delimiter out to detect it.'],
    })
  }
  return given
}

/**
 * The delimiter of CSV text among `;` `,` tab `|`: the one that splits the first 50 records most consistently into
 * more than one field (quotes respected). Among delimiters nearly as consistent as the best, the one giving more
 * fields wins (a `;` file whose values hold commas), then the order above. When none splits the records, the one
 * that occurs least, so that a one-column file stays one column.
 * @param complete whether the text is the whole file (else its last line may be cut off and is not looked at)
 */
export function sniffDelimiter(text: string, complete = true): string {
  const scores = CSV_DELIMITERS.map((delimiter) => ({delimiter, ...fieldCounts(text, delimiter, complete)}))
  const splitting = scores.filter((score) => score.mode >= 2)
  if (splitting.length === 0) {
    let fewest = scores[0]!
    for (const score of scores) if (score.occurrences < fewest.occurrences) fewest = score
    return fewest.delimiter
  }
  const bestFrequency = Math.max(...splitting.map((score) => score.frequency))
  let best: (typeof splitting)[number] | undefined
  for (const score of splitting) {
    if (score.frequency < 0.9 * bestFrequency) continue
    if (best === undefined || score.mode > best.mode) best = score
  }
  return best!.delimiter
}

/**
 * How a delimiter splits the first records of the text: the most common field count (the larger on a tie), how many
 * records have it, and how often the delimiter occurs outside quotes. Blank lines are not records here.
 */
function fieldCounts(
  text: string,
  delimiter: string,
  complete: boolean,
): {mode: number; frequency: number; occurrences: number} {
  const counts = new Map<number, number>()
  let records = 0
  let occurrences = 0
  let fields = 1
  let filled = false
  let fieldStart = true
  let quoted = false
  const record = (): void => {
    if (filled) {
      counts.set(fields, (counts.get(fields) ?? 0) + 1)
      records++
    }
    fields = 1
    filled = false
    fieldStart = true
  }
  for (let index = 0; index < text.length && records < SNIFF_RECORDS; index++) {
    const char = text[index]!
    if (quoted) {
      if (char === '"') {
        if (text[index + 1] === '"') index++
        else quoted = false
      }
      continue
    }
    if (char === delimiter) {
      fields++
      occurrences++
      filled = true
      fieldStart = true
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[index + 1] === '\n') index++
      record()
    } else if (char === '"' && fieldStart) {
      quoted = true
      filled = true
      fieldStart = false
    } else if (fieldStart && (char === ' ' || char === '\t')) {
      // Spaces before a quote, as the parser skips them (ltrim).
    } else {
      fieldStart = false
      if (char.trim() !== '') filled = true
    }
  }
  if (complete && records < SNIFF_RECORDS) record()
  let mode = 1
  let frequency = 0
  for (const [count, times] of counts) {
    if (times > frequency || (times === frequency && count > mode)) {
      mode = count
      frequency = times
    }
  }
  return {mode, frequency, occurrences}
}

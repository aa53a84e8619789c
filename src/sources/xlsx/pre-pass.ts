/**
 * The pre-pass over each sheet, before any row is delivered: whether a sheet has data, its size for the sheet list, and
 * for the sheet being read, the rows around the header and the merged cells. `<mergeCells>` comes after the rows, and
 * merged cells must be known before the first row is delivered, so the pre-pass parses the first rows (to find the
 * header) and then only searches the bytes for the end of `<sheetData>`.
 */
import {StringDecoder} from 'node:string_decoder'

import {columnNumber} from './cell-ref.js'
import {parseRange, type Merge} from './merges.js'
import {hasContent, ReferenceCounter, SheetParser, type ParsedRow} from './sheet-parser.js'
import type {Book, BookSheet} from './workbook.js'
import {entryChunks, entryText, startDecoding, type Zip} from './zip.js'

/** Rows read ahead to find the header, as in the CSV reader. */
const HEADER_LOOKAHEAD = 30
/** With an explicit header row, how many rows above it are kept for merged cells that reach down into it. */
const ROWS_KEPT_ABOVE_HEADER = 100

/** What the first look at a sheet found. */
export interface SheetSurvey {
  hasData: boolean
  /** The first row with a value, when hasData. */
  firstLine: number
  /** The `<dimension ref>`, which comes before the rows when the writer gave one. */
  dimension: string | undefined
}

/** Whether a sheet holds any value (parsing stops at the first row with one, so this costs a chunk per sheet). */
export async function surveySheet(zip: Zip, book: Book, sheet: BookSheet): Promise<SheetSurvey> {
  const parser = new SheetParser(book, {keepRows: false, stopAtEnd: true})
  for await (const text of entryText(zip, sheet.entry)) {
    parser.push(text)
    if (parser.valueRows > 0 || parser.sheetDataEnded) break
  }
  return {hasData: parser.valueRows > 0, firstLine: parser.firstValueLine, dimension: parser.dimension}
}

/**
 * A sheet's size for the sheet list: its `<dimension ref>` (`A1:L1001` → 1001 rows, 12 columns) when it has one,
 * else counted by a byte search through the sheet (done during the pre-pass for the sheet being read).
 */
export async function sheetSize(
  zip: Zip,
  book: Book,
  sheet: BookSheet,
  survey: SheetSurvey,
  counted: ReferenceCounter | undefined,
): Promise<{rows: number; columns: number}> {
  if (!survey.hasData) return {rows: 0, columns: 0}
  const range = survey.dimension === undefined ? null : /\$?([A-Za-z]{1,3})\$?(\d+)$/.exec(survey.dimension)
  if (range) return {rows: Number(range[2]), columns: columnNumber(range[1]!)}
  let counter = counted
  if (counter === undefined) {
    counter = new ReferenceCounter()
    for await (const chunk of entryChunks(zip, sheet.entry)) counter.scan(chunk)
  }
  if (counter.rows > 0) return {rows: counter.rows, columns: counter.columns}
  // No references at all: a writer that numbers nothing, so the rows and cells are counted by parsing them.
  const parser = new SheetParser(book, {keepRows: false, stopAtEnd: true})
  for await (const text of entryText(zip, sheet.entry)) {
    parser.push(text)
    if (parser.sheetDataEnded) break
  }
  return {rows: parser.lastRowSeen, columns: parser.lastColumnSeen}
}

/** What the pre-pass of the sheet being read found. */
interface PreparedSheet {
  /** Rows with content from the top of the sheet, enough to find the header (or around the given header row). */
  rows: ParsedRow[]
  merges: Merge[]
  /** Whether `rows` holds every row with content after the header (the sheet is small). */
  complete: boolean
}

/**
 * The pre-pass: parses rows until the header can be found, then only searches the bytes for the end of the rows, and
 * parses what follows them for `<mergeCell>`. Inflating again costs a few percent of parsing.
 */
export async function prepareSheet(
  zip: Zip,
  book: Book,
  sheet: BookSheet,
  headerRow: number | undefined,
  counter: ReferenceCounter | undefined,
): Promise<PreparedSheet> {
  const parser = new SheetParser(book, {keepRows: true, stopAtEnd: false})
  const rows: ParsedRow[] = []
  let done = false
  let dropped = false
  let scanning = false
  let utf16 = false
  let decoder: StringDecoder | undefined
  let tail: Buffer = Buffer.alloc(0)
  for await (const chunk of entryChunks(zip, sheet.entry)) {
    counter?.scan(chunk)
    let bytes = chunk
    if (decoder === undefined) ({decoder, utf16, bytes} = startDecoding(chunk))
    if (!scanning) {
      parser.push(decoder.write(bytes))
      for (const row of parser.drain()) {
        if (headerRow !== undefined) {
          if (row.line > headerRow) done = true
          if (row.line < headerRow - ROWS_KEPT_ABOVE_HEADER || !hasContent(row)) continue
        } else if (!hasContent(row)) {
          continue
        }
        if (done && (headerRow === undefined || rows.some((kept) => kept.line > headerRow))) {
          dropped = true
          continue
        }
        rows.push(row)
        if (headerRow === undefined && rows.length >= HEADER_LOOKAHEAD) done = true
      }
      // UTF-16 sheets cannot be searched as bytes; they are parsed through.
      if (done && !utf16 && !parser.sheetDataEnded) {
        scanning = true
        parser.stopKeepingRows()
      }
      continue
    }
    // The end of the rows, searched as bytes; the junction with the previous chunk is searched on its own.
    let at = -1
    let bytesFrom = chunk
    if (tail.length > 0) {
      const junction = Buffer.concat([tail, chunk.subarray(0, 16)])
      const found = junction.indexOf('sheetData>')
      if (found >= 0) {
        at = found
        bytesFrom = Buffer.concat([junction.subarray(0, tail.length), chunk])
      }
    }
    if (at < 0) at = chunk.indexOf('sheetData>')
    if (at < 0) {
      tail = Buffer.from(chunk.subarray(Math.max(0, chunk.length - 16)))
      continue
    }
    // What follows the rows (merged cells among it) is parsed again; a tag boundary is a safe place to restart.
    scanning = false
    decoder = new StringDecoder('utf8')
    parser.restart()
    parser.push(decoder.write(bytesFrom.subarray(Math.max(0, bytesFrom.lastIndexOf('<', at)))))
  }
  if (decoder !== undefined) parser.push(decoder.end())
  parser.drain()
  const merges = parser.mergeRefs.map(parseRange).filter((merge): merge is Merge => merge !== undefined)
  return {rows, merges, complete: parser.sheetDataEnded && !parser.skippedRows && !dropped}
}

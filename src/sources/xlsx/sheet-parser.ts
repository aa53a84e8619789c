/**
 * Worksheet XML, read as a stream: the rows and their display values (SheetParser), and the size of a sheet that does
 * not state it (ReferenceCounter). The tokenizer is hand-written and only looks at the elements a value needs (`row`,
 * `c`, `v`, `f`, `is`, `t`), a few times faster than a general SAX parser.
 */
import type {IssueCode} from '../../validation/catalog.js'
import {normalizeCell} from '../header.js'
import {columnOfRef} from './cell-ref.js'
import {GENERAL, isoDateText, numberText, plainInteger} from './cell-text.js'
import type {Book} from './workbook.js'
import {attributesOf, decodeXml, MAX_PENDING, unescapeOoxml, xmlLineEnds} from './xml.js'
import {damagedPart} from './zip.js'

/** One `<row>`: the columns (1-based) that hold a value and their display text, in the same order. */
export interface ParsedRow {
  line: number
  cols: number[]
  values: string[]
  problems?: CellProblem[]
}

/** A cell whose value cannot be shown: an error, or a formula without a saved result. */
export interface CellProblem {
  col: number
  code: Extract<IssueCode, 'source.excel-error' | 'source.excel-no-result'>
  value?: string
}

/** Whether a row holds a value or a problem to report. */
export function hasContent(row: ParsedRow): boolean {
  return row.cols.length > 0 || row.problems !== undefined
}

const CAPTURE_NONE = 0
const CAPTURE_VALUE = 1
const CAPTURE_TEXT = 2

// Element names the tokenizer acts on, recognised from their characters without slicing them out.
const TAG_OTHER = 0
const TAG_C = 1
const TAG_V = 2
const TAG_F = 3
const TAG_T = 4
const TAG_IS = 5
const TAG_ROW = 6
const TAG_RPH = 7
const TAG_SHEET_DATA = 8
const TAG_DIMENSION = 9
const TAG_MERGE_CELL = 10

function tagCode(s: string, start: number, end: number): number {
  const first = s.charCodeAt(start)
  switch (end - start) {
    case 1:
      return first === 99 ? TAG_C : first === 118 ? TAG_V : first === 102 ? TAG_F : first === 116 ? TAG_T : TAG_OTHER
    case 2:
      return first === 105 && s.charCodeAt(start + 1) === 115 ? TAG_IS : TAG_OTHER
    case 3:
      return s.startsWith('row', start) ? TAG_ROW : s.startsWith('rPh', start) ? TAG_RPH : TAG_OTHER
    case 9:
      if (s.startsWith('sheetData', start)) return TAG_SHEET_DATA
      if (s.startsWith('dimension', start)) return TAG_DIMENSION
      return s.startsWith('mergeCell', start) ? TAG_MERGE_CELL : TAG_OTHER
    default:
      return TAG_OTHER
  }
}

// Cell types (the `t` attribute).
const TYPE_NUMBER = 0
const TYPE_SHARED = 1
const TYPE_STR = 2
const TYPE_INLINE = 3
const TYPE_BOOLEAN = 4
const TYPE_ERROR = 5
const TYPE_DATE = 6

function typeCode(s: string, start: number, end: number): number {
  const first = s.charCodeAt(start)
  if (end - start === 1) {
    return first === 115
      ? TYPE_SHARED
      : first === 98
        ? TYPE_BOOLEAN
        : first === 101
          ? TYPE_ERROR
          : first === 100
            ? TYPE_DATE
            : TYPE_NUMBER
  }
  if (end - start === 3 && s.startsWith('str', start)) return TYPE_STR
  if (end - start === 9 && s.startsWith('inlineStr', start)) return TYPE_INLINE
  return TYPE_NUMBER
}

/** A cached date text per serial: a column of start dates repeats a handful of values. */
const DATE_CACHE_LIMIT = 4096

/**
 * A push tokenizer for worksheet XML. It keeps what it has not understood yet (an unfinished tag or text) and goes on
 * with the next chunk. Element names are compared without their namespace prefix (`x:row` is `row`), entities and
 * CDATA are decoded, comments and processing instructions skipped; everything outside cells is ignored except
 * `<dimension>` and `<mergeCell>`. Tags are recognised by their characters, so most tags allocate nothing.
 */
export class SheetParser {
  dimension: string | undefined
  readonly mergeRefs: string[] = []
  sheetDataEnded = false
  valueRows = 0
  firstValueLine = 0
  /** Whether rows were parsed but dropped (the pre-pass after the header). */
  skippedRows = false
  /** The highest row number and column met, values or not. */
  lastRowSeen = 0
  lastColumnSeen = 0

  private keepRows: boolean
  private readonly stopAtEnd: boolean
  private buffer = ''
  private rows: ParsedRow[] = []
  private row: ParsedRow | undefined
  private lastLine = 0
  private lastColumn = 0
  private inCell = false
  private cellColumn = 0
  private cellStyle = 0
  private cellType = TYPE_NUMBER
  private cellFormula = false
  private cellValue: string | undefined
  private inlineText: string | undefined
  private inPhonetic = false
  private capture = CAPTURE_NONE
  private captured = ''
  private readonly dates = new Map<string, string>()

  /**
   * @param options.keepRows collect rows for drain(); otherwise only count them.
   * @param options.stopAtEnd stop at `</sheetData>` (the main pass); the pre-pass goes on for `<mergeCell>`.
   */
  constructor(
    private readonly book: Book,
    options: {keepRows: boolean; stopAtEnd: boolean},
  ) {
    this.keepRows = options.keepRows
    this.stopAtEnd = options.stopAtEnd
  }

  /** The rows completed so far (and forgets them). */
  drain(): ParsedRow[] {
    const rows = this.rows
    this.rows = []
    return rows
  }

  stopKeepingRows(): void {
    this.keepRows = false
    this.skippedRows = true
  }

  /** Starts again at a tag boundary, forgetting any unfinished tag, row or cell. */
  restart(): void {
    this.buffer = ''
    this.row = undefined
    this.inCell = false
    this.capture = CAPTURE_NONE
  }

  push(text: string): void {
    const s = this.buffer.length > 0 ? this.buffer + text : text
    const n = s.length
    let i = 0
    while (i < n) {
      const lt = s.indexOf('<', i)
      if (lt < 0) break
      if (lt > i && this.capture !== CAPTURE_NONE) this.captured += decodeXml(xmlLineEnds(s.slice(i, lt)))
      i = lt
      if (lt + 1 >= n) break
      const c1 = s.charCodeAt(lt + 1)
      if (c1 === 33 /* ! */) {
        if (n - lt < 9) break
        if (s.startsWith('<!--', lt)) {
          const end = s.indexOf('-->', lt + 4)
          if (end < 0) break
          i = end + 3
        } else if (s.startsWith('<![CDATA[', lt)) {
          const end = s.indexOf(']]>', lt + 9)
          if (end < 0) break
          if (this.capture !== CAPTURE_NONE) this.captured += xmlLineEnds(s.slice(lt + 9, end))
          i = end + 3
        } else {
          const end = s.indexOf('>', lt)
          if (end < 0) break
          i = end + 1
        }
        continue
      }
      const gt = s.indexOf('>', lt + 1)
      if (gt < 0) break
      i = gt + 1
      if (c1 === 63 /* ? */) continue
      const closing = c1 === 47 /* / */
      const selfClosing = !closing && s.charCodeAt(gt - 1) === 47
      const end = selfClosing ? gt - 1 : gt
      // The local name: from after the last `:` to the first space, `/` or `>`.
      let nameStart = closing ? lt + 2 : lt + 1
      let nameEnd = nameStart
      while (nameEnd < end) {
        const c = s.charCodeAt(nameEnd)
        if (c <= 32 || c === 47) break
        if (c === 58 /* : */) nameStart = nameEnd + 1
        nameEnd++
      }
      const tag = tagCode(s, nameStart, nameEnd)
      if (tag === TAG_OTHER) continue
      if (closing) {
        this.close(tag)
        if (this.sheetDataEnded && this.stopAtEnd) break
      } else {
        this.open(s, tag, nameEnd, end, selfClosing)
      }
    }
    this.buffer = i < n ? s.slice(i) : ''
    // A tag or a cell text this long is no worksheet (Excel caps a cell at 32,767 characters); without this check a
    // damaged part would make every chunk rescan a growing buffer.
    if (this.buffer.length > MAX_PENDING) throw damagedPart(this.book.file, 'a worksheet')
  }

  private open(s: string, tag: number, from: number, to: number, selfClosing: boolean): void {
    switch (tag) {
      case TAG_C:
        if (this.row === undefined) return
        this.cellColumn = 0
        this.cellStyle = 0
        this.cellType = TYPE_NUMBER
        this.readAttributes(s, from, to, false)
        if (this.cellColumn === 0) this.cellColumn = this.lastColumn + 1
        this.lastColumn = this.cellColumn
        if (this.cellColumn > this.lastColumnSeen) this.lastColumnSeen = this.cellColumn
        this.cellFormula = false
        this.cellValue = undefined
        this.inlineText = undefined
        this.inPhonetic = false
        this.inCell = !selfClosing
        return
      case TAG_V:
        if (!this.inCell) return
        if (selfClosing) this.cellValue = ''
        else {
          this.capture = CAPTURE_VALUE
          this.captured = ''
        }
        return
      case TAG_F:
        if (this.inCell) this.cellFormula = true
        return
      case TAG_IS:
        if (this.inCell) this.inlineText = ''
        return
      case TAG_T:
        if (this.inCell && this.inlineText !== undefined && !this.inPhonetic && !selfClosing) {
          this.capture = CAPTURE_TEXT
          this.captured = ''
        }
        return
      case TAG_RPH:
        if (this.inCell && !selfClosing) this.inPhonetic = true
        return
      case TAG_ROW: {
        this.cellColumn = 0
        this.readAttributes(s, from, to, true)
        const line = this.cellColumn > 0 ? this.cellColumn : this.lastLine + 1
        this.lastLine = line
        if (line > this.lastRowSeen) this.lastRowSeen = line
        this.lastColumn = 0
        this.row = {line, cols: [], values: []}
        if (selfClosing) this.endRow()
        return
      }
      case TAG_DIMENSION:
        this.dimension = attributesOf(s.slice(from, to)).ref
        return
      case TAG_MERGE_CELL: {
        const ref = attributesOf(s.slice(from, to)).ref
        if (ref !== undefined) this.mergeRefs.push(ref)
        return
      }
      default:
        return
    }
  }

  private close(tag: number): void {
    switch (tag) {
      case TAG_V:
        if (this.capture === CAPTURE_VALUE) {
          this.cellValue = this.captured
          this.capture = CAPTURE_NONE
        }
        return
      case TAG_T:
        if (this.capture === CAPTURE_TEXT) {
          this.inlineText += this.captured
          this.capture = CAPTURE_NONE
        }
        return
      case TAG_RPH:
        this.inPhonetic = false
        return
      case TAG_C:
        if (this.inCell) {
          this.inCell = false
          this.endCell()
        }
        return
      case TAG_ROW:
        if (this.row !== undefined) this.endRow()
        return
      case TAG_SHEET_DATA:
        this.sheetDataEnded = true
        return
      default:
        return
    }
  }

  private endRow(): void {
    const row = this.row!
    this.row = undefined
    if (row.cols.length > 0) {
      if (this.valueRows === 0) this.firstValueLine = row.line
      this.valueRows++
    }
    if (this.keepRows) this.rows.push(row)
  }

  /** The cell's display text, or its problem; see numberText for numbers. */
  private endCell(): void {
    const row = this.row!
    const value = this.cellValue
    let text: string | undefined
    switch (this.cellType) {
      case TYPE_SHARED:
        if (value !== undefined && value !== '') text = this.book.strings[sharedIndex(value)] ?? ''
        break
      case TYPE_INLINE:
        text = this.inlineText ?? value
        if (text !== undefined) text = unescapeOoxml(text)
        break
      case TYPE_STR:
        if (value !== undefined) text = unescapeOoxml(value)
        break
      case TYPE_BOOLEAN:
        if (value !== undefined && value !== '')
          text = value === '1' || value.toLowerCase() === 'true' ? 'TRUE' : 'FALSE'
        break
      case TYPE_ERROR:
        if (value !== undefined && value !== '') {
          ;(row.problems ??= []).push({col: this.cellColumn, code: 'source.excel-error', value: value.trim()})
          return
        }
        break
      case TYPE_DATE:
        if (value !== undefined && value !== '') text = isoDateText(value.trim())
        break
      default:
        if (value !== undefined && value !== '') text = this.numberText(value)
    }
    if (text === undefined) {
      if (this.cellFormula && value === undefined) {
        ;(row.problems ??= []).push({col: this.cellColumn, code: 'source.excel-no-result'})
      }
      return
    }
    // Whitespace alone is no value; checking the ends first keeps ordinary values from being trimmed here.
    if (text === '' || (isSpace(text.charCodeAt(0)) && normalizeCell(text) === undefined)) return
    row.cols.push(this.cellColumn)
    row.values.push(text)
  }

  private numberText(value: string): string {
    const style = this.book.styles[this.cellStyle] ?? GENERAL
    if (style.kind === 'general') return plainInteger(value) ? value : numberText(value, style, this.book.date1904)
    if (style.kind !== 'date') return numberText(value, style, this.book.date1904)
    let text = this.dates.get(value)
    if (text === undefined) {
      text = numberText(value, style, this.book.date1904)
      if (this.dates.size >= DATE_CACHE_LIMIT) this.dates.clear()
      this.dates.set(value, text)
    }
    return text
  }

  /**
   * Reads the attributes `row` and `c` need without allocating: `r` (a row number, or a cell reference whose column
   * is kept), `s` (the style index) and `t` (the type). Both land in cellColumn for a row, to keep one code path.
   */
  private readAttributes(s: string, from: number, to: number, isRow: boolean): void {
    let i = from
    while (i < to) {
      let c = s.charCodeAt(i)
      if (c <= 32) {
        i++
        continue
      }
      const nameStart = i
      while (i < to && (c = s.charCodeAt(i)) !== 61 /* = */ && c > 32) i++
      const nameEnd = i
      while (i < to && s.charCodeAt(i) !== 61) i++
      i++
      while (i < to && s.charCodeAt(i) <= 32) i++
      const quote = s.charCodeAt(i)
      if (quote !== 34 && quote !== 39) return
      const valueStart = i + 1
      const valueEnd = s.indexOf(quote === 34 ? '"' : "'", valueStart)
      if (valueEnd < 0 || valueEnd > to) return
      i = valueEnd + 1
      if (nameEnd - nameStart !== 1) continue
      switch (s.charCodeAt(nameStart)) {
        case 114 /* r */:
          this.cellColumn = isRow ? digitsValue(s, valueStart, valueEnd) : columnOfRef(s, valueStart, valueEnd)
          break
        case 115 /* s */:
          if (!isRow) this.cellStyle = digitsValue(s, valueStart, valueEnd)
          break
        case 116 /* t */:
          if (!isRow) this.cellType = typeCode(s, valueStart, valueEnd)
          break
      }
    }
  }
}

function isSpace(code: number): boolean {
  return (
    code <= 32 ||
    code === 0xa0 ||
    code === 0x2007 ||
    code === 0x202f ||
    code === 0xfeff ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x3000 ||
    code === 0x1680 ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x205f
  )
}

/** A run of decimal digits as a number; 0 when there is none. */
function digitsValue(s: string, from: number, to: number): number {
  let value = 0
  for (let i = from; i < to; i++) {
    const digit = s.charCodeAt(i) - 48
    if (digit < 0 || digit > 9) return i === from ? 0 : value
    value = value * 10 + digit
  }
  return value
}

function sharedIndex(value: string): number {
  const index = digitsValue(value, 0, value.length)
  return index === 0 && value.trim() !== '0' ? -1 : index
}

const ROW_END = Buffer.from('row>')
const REFERENCE = Buffer.from(' r="')

/**
 * The largest row number and column a sheet's XML mentions, by searching its bytes for ` r="`: what `<dimension>`
 * would say, for sheets written without one (exceljs's streaming writer, among others). Only the last reference
 * before each row end is read (a row's last cell has its largest column; rows come in order), which is one native
 * search per row instead of a look at every byte. Maxima do not mind a reference seen twice, so the junction of two
 * chunks is simply searched again on its own.
 */
export class ReferenceCounter {
  rows = 0
  columns = 0
  private tail: Buffer = Buffer.alloc(0)

  scan(chunk: Buffer): void {
    if (this.tail.length > 0) {
      const junction = Buffer.concat([this.tail, chunk.subarray(0, 24)])
      for (let at = junction.indexOf(REFERENCE); at >= 0; at = junction.indexOf(REFERENCE, at + 4)) {
        this.reference(junction, at + 4)
      }
    }
    for (let at = chunk.indexOf(ROW_END); at >= 0; at = chunk.indexOf(ROW_END, at + 4)) {
      const reference = chunk.lastIndexOf(REFERENCE, at)
      if (reference >= 0) this.reference(chunk, reference + 4)
    }
    // The chunk's last reference: the last cell so far of a row that ends in the next chunk.
    const last = chunk.lastIndexOf(REFERENCE)
    if (last >= 0) this.reference(chunk, last + 4)
    this.tail = Buffer.from(chunk.subarray(Math.max(0, chunk.length - 24)))
  }

  private reference(bytes: Buffer, from: number): void {
    let i = from
    let column = 0
    let row = 0
    for (let c = bytes[i]! | 32; c >= 97 && c <= 122 && i < bytes.length; c = bytes[++i]! | 32) {
      column = column * 26 + (c - 96)
    }
    for (let c = bytes[i]!; c >= 48 && c <= 57 && i < bytes.length; c = bytes[++i]!) row = row * 10 + (c - 48)
    if (column > this.columns && column <= 16_384) this.columns = column
    if (row > this.rows && row <= 1_048_576) this.rows = row
  }
}

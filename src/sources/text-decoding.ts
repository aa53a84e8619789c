/**
 * Byte-level decoding of legacy text exports: BOM detection, the real Windows-1252 code page, and a streaming
 * transcoder that turns any of the source encodings into UTF-8 bytes for the CSV parser.
 *
 * Why UTF-8 bytes and not strings: csv-parse works on bytes and would encode a string straight back, so valid UTF-8
 * (the common case) is handed on untouched, and only other encodings pay for decoding.
 */
import {Buffer, isAscii, isUtf8} from 'node:buffer'
import {TextDecoder} from 'node:util'

import type {SourceEncoding} from './types.js'

/**
 * Windows-1252 bytes 0x80–0x9F, indexed from 0x80. Node's `TextDecoder('windows-1252')` reads these as the C1
 * controls of Latin-1, which turns the `–`, `’` and `€` of real Swedish exports into invisible garbage. The five
 * bytes the code page leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D) keep their Latin-1 meaning, as WHATWG does.
 */
const WINDOWS_1252_C1 =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178'

const HAS_C1 = /[\u0080-\u009f]/
const C1 = /[\u0080-\u009f]/g

/** Decodes Windows-1252 bytes: Latin-1, except that 0x80–0x9F are the code page's own characters. */
export function decodeWindows1252(bytes: Uint8Array): string {
  const latin1 = asBuffer(bytes).toString('latin1')
  // Many lines have no byte in 0x80–0x9F; only those pay for the replacement.
  return HAS_C1.test(latin1) ? latin1.replace(C1, (char) => WINDOWS_1252_C1[char.charCodeAt(0) - 0x80]!) : latin1
}

/** A byte order mark at the start of a file: the encoding it announces and how many bytes it takes. */
export interface ByteOrderMark {
  encoding: 'utf-8' | 'utf-16le' | 'utf-16be'
  length: number
}

/** The byte order mark the bytes start with, if any (UTF-8 EF BB BF, UTF-16 LE FF FE, UTF-16 BE FE FF). */
export function detectBom(head: Uint8Array): ByteOrderMark | undefined {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return {encoding: 'utf-8', length: 3}
  if (head[0] === 0xff && head[1] === 0xfe) return {encoding: 'utf-16le', length: 2}
  if (head[0] === 0xfe && head[1] === 0xff) return {encoding: 'utf-16be', length: 2}
  return undefined
}

/**
 * How a {@link Utf8Transcoder} reads bytes: one encoding throughout, or `auto`, which reads each physical line as
 * UTF-8 when it is valid UTF-8 and as Windows-1252 when it is not.
 */
export type TranscoderMode = SourceEncoding | 'auto'

/** Lines read as Windows-1252 by an `auto` transcoder. */
export interface Windows1252Lines {
  /** How many lines. */
  count: number
  /** The first few line numbers (1-based physical lines), ascending. */
  first: number[]
}

const LF = 0x0a
const CR = 0x0d
const EMPTY = Buffer.alloc(0)
/** How many Windows-1252 line numbers are kept for the report; the count goes on. */
const LINES_KEPT = 10
/**
 * A line longer than this is decided in pieces, so that a file without line breaks neither holds all of itself nor
 * is concatenated over and over.
 */
const MAX_PENDING_LINE = 1 << 20

/**
 * Streams bytes of one of the source encodings out as UTF-8 bytes. Feed it chunks with {@link write}, then call
 * {@link end}. The input's physical lines (ended by LF, CRLF or a lone CR) are preserved byte for byte, so line
 * numbers mean the same before and after.
 *
 * In `auto` mode valid UTF-8 passes through without being decoded: a chunk is checked whole, and only a chunk that
 * is not valid UTF-8 is looked at line by line. A line that is not valid UTF-8 is read as Windows-1252 and its
 * number remembered, for the warning about mixed encodings. A chunk is cut after its last line break and the rest
 * kept for the next one, so lines and multi-byte characters split across reads are judged whole.
 *
 * The other modes decode strictly as told: invalid bytes become U+FFFD.
 *
 * A byte order mark is content to the transcoder: find it with {@link detectBom} and leave it out.
 */
export class Utf8Transcoder {
  private readonly mode: TranscoderMode
  private readonly utf16: TextDecoder | undefined
  /** Bytes after the last line break seen, not yet passed on (`auto` only). */
  private pending: Buffer[] = []
  private pendingLength = 0
  /** 1-based physical line of the next byte (`auto` only). */
  private line = 1
  /** The last byte handled was a CR, so an LF right after it ends the same line. */
  private afterCr = false
  private w1252Count = 0
  private readonly w1252First: number[] = []
  private nonAsciiUtf8 = false
  private lastWindows1252Line = 0

  constructor(mode: TranscoderMode) {
    this.mode = mode
    this.utf16 = mode === 'utf-16le' || mode === 'utf-16be' ? new TextDecoder(mode, {ignoreBOM: true}) : undefined
  }

  /** UTF-8 bytes for the next chunk of input (may be empty while a line is incomplete). */
  write(chunk: Uint8Array): Buffer {
    const bytes = asBuffer(chunk)
    switch (this.mode) {
      case 'auto':
        return this.writeAuto(bytes)
      case 'utf-8':
        // csv-parse decodes each field with Buffer#toString, which replaces invalid bytes exactly as a decoder
        // would (delimiters and line breaks are ASCII, and no invalid sequence swallows an ASCII byte).
        return bytes
      case 'windows-1252':
        return Buffer.from(decodeWindows1252(bytes), 'utf8')
      default:
        return Buffer.from(this.utf16!.decode(bytes, {stream: true}), 'utf8')
    }
  }

  /** UTF-8 bytes for whatever input was held back; call once, after the last {@link write}. */
  end(): Buffer {
    if (this.utf16 !== undefined) return Buffer.from(this.utf16.decode(), 'utf8')
    if (this.mode !== 'auto' || this.pendingLength === 0) return EMPTY
    const rest = this.takePending()
    return this.decodeLine(rest, 0, rest.length)
  }

  /** Lines read as Windows-1252 so far (`auto` only). */
  get windows1252Lines(): Windows1252Lines {
    return {count: this.w1252Count, first: [...this.w1252First]}
  }

  /** Whether some valid UTF-8 line so far had a character outside ASCII (`auto` only). */
  get sawNonAsciiUtf8(): boolean {
    return this.nonAsciiUtf8
  }

  /**
   * What the input seen so far looks like (`auto` only): Windows-1252 when some line was not valid UTF-8 and no line
   * had non-ASCII UTF-8; UTF-8 otherwise (pure ASCII included). The incomplete last line counts too.
   */
  guessEncoding(): 'utf-8' | 'windows-1252' {
    if (this.nonAsciiUtf8) return 'utf-8'
    if (this.w1252Count > 0) return 'windows-1252'
    if (this.pendingLength === 0) return 'utf-8'
    const pending = Buffer.concat(this.pending, this.pendingLength)
    const complete = pending.subarray(0, completeUtf8Length(pending))
    return isUtf8(complete) ? 'utf-8' : 'windows-1252'
  }

  private writeAuto(bytes: Buffer): Buffer {
    const lastBreak = Math.max(bytes.lastIndexOf(LF), bytes.lastIndexOf(CR))
    if (lastBreak < 0) {
      if (bytes.length > 0) {
        this.pending.push(bytes)
        this.pendingLength += bytes.length
      }
      return this.pendingLength > MAX_PENDING_LINE ? this.flushLongLine() : EMPTY
    }
    let complete = bytes.subarray(0, lastBreak + 1)
    if (this.pendingLength > 0) {
      this.pending.push(complete)
      this.pendingLength += complete.length
      complete = this.takePending()
    }
    if (lastBreak + 1 < bytes.length) {
      this.pending.push(bytes.subarray(lastBreak + 1))
      this.pendingLength = bytes.length - lastBreak - 1
    }
    return this.decodeLines(complete)
  }

  /** Whole lines: passed through when all valid UTF-8 (the fast path), else decided line by line. */
  private decodeLines(bytes: Buffer): Buffer {
    if (isUtf8(bytes)) {
      if (!this.nonAsciiUtf8 && !isAscii(bytes)) this.nonAsciiUtf8 = true
      this.countLines(bytes)
      return bytes
    }
    // Lines are judged one by one but decoded in runs: ASCII lines read the same either way and join any run, so a
    // Windows-1252 file is decoded in a few large pieces rather than line by line.
    const parts: Buffer[] = []
    let runStart = 0
    let runIsWindows1252 = false
    let lf = bytes.indexOf(LF)
    let cr = bytes.indexOf(CR)
    let start = 0
    while (start < bytes.length) {
      // The next LF and CR are looked up only once passed, so a chunk is scanned once, not once per line.
      if (lf >= 0 && lf < start) lf = bytes.indexOf(LF, start)
      if (cr >= 0 && cr < start) cr = bytes.indexOf(CR, start)
      let end = lf < 0 ? cr : cr < 0 ? lf : Math.min(lf, cr)
      if (end < 0) end = bytes.length
      // A CRLF is one line break: keep the LF with its line.
      else if (bytes[end] === CR && bytes[end + 1] === LF) end += 2
      else end += 1
      const line = bytes.subarray(start, end)
      const number = this.startLine(line)
      this.countLines(line)
      let windows1252: boolean | undefined
      if (!isUtf8(line)) {
        this.noteWindows1252(number)
        windows1252 = true
      } else if (!isAscii(line)) {
        this.nonAsciiUtf8 = true
        windows1252 = false
      }
      if (windows1252 !== undefined && windows1252 !== runIsWindows1252) {
        if (start > runStart) parts.push(decodeRun(bytes.subarray(runStart, start), runIsWindows1252))
        runStart = start
        runIsWindows1252 = windows1252
      }
      start = end
    }
    if (start > runStart) parts.push(decodeRun(bytes.subarray(runStart, start), runIsWindows1252))
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts)
  }

  /** One physical line (with its line break, if any): UTF-8 when valid, else Windows-1252. */
  private decodeLine(bytes: Buffer, start: number, end: number): Buffer {
    const line = bytes.subarray(start, end)
    const number = this.startLine(line)
    this.countLines(line)
    if (isUtf8(line)) {
      if (!this.nonAsciiUtf8 && !isAscii(line)) this.nonAsciiUtf8 = true
      return line
    }
    this.noteWindows1252(number)
    return Buffer.from(decodeWindows1252(line), 'utf8')
  }

  /** The line a piece of input starts on: an LF right after a CR still belongs to the CR's line. */
  private startLine(bytes: Buffer): number {
    return this.afterCr && bytes[0] === LF ? this.line - 1 : this.line
  }

  private noteWindows1252(line: number): void {
    // A long line decided in pieces is still one line.
    if (line === this.lastWindows1252Line) return
    this.lastWindows1252Line = line
    this.w1252Count++
    if (this.w1252First.length < LINES_KEPT) this.w1252First.push(line)
  }

  /** Advances the line counter over the bytes: each LF, CRLF and lone CR ends a line. */
  private countLines(bytes: Buffer): void {
    if (bytes.length === 0) return
    let breaks = 0
    for (let at = bytes.indexOf(LF); at >= 0; at = bytes.indexOf(LF, at + 1)) breaks++
    // An LF that completes a CRLF split across pieces was counted with its CR.
    if (this.afterCr && bytes[0] === LF) breaks--
    for (let at = bytes.indexOf(CR); at >= 0; at = bytes.indexOf(CR, at + 1)) {
      if (bytes[at + 1] !== LF) breaks++
    }
    // A CR at the very end was counted as a lone CR; if an LF follows in the next piece, that LF is not counted.
    this.afterCr = bytes[bytes.length - 1] === CR
    this.line += breaks
  }

  private takePending(): Buffer {
    const joined = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingLength)
    this.pending = []
    this.pendingLength = 0
    return joined
  }

  /** Decides the held part of an overlong line now, keeping back a character that may continue in the next read. */
  private flushLongLine(): Buffer {
    const pending = this.takePending()
    const cut = completeUtf8Length(pending)
    if (cut < pending.length) {
      this.pending.push(pending.subarray(cut))
      this.pendingLength = pending.length - cut
    }
    return this.decodeLine(pending, 0, cut)
  }
}

function asBuffer(chunk: Uint8Array): Buffer {
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
}

function decodeRun(bytes: Buffer, windows1252: boolean): Buffer {
  return windows1252 ? Buffer.from(decodeWindows1252(bytes), 'utf8') : bytes
}

/**
 * The length of the bytes without a UTF-8 sequence that is cut off at the end (a lead byte whose continuation
 * bytes have not all arrived). Invalid bytes are not cut: they are not waiting for anything.
 */
function completeUtf8Length(bytes: Uint8Array): number {
  const length = bytes.length
  for (let back = 1; back <= 3 && back <= length; back++) {
    const byte = bytes[length - back]!
    if (byte < 0x80) return length
    if (byte >= 0xc0) {
      const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : 2
      return needed > back ? length - back : length
    }
  }
  return length
}

/** Decodes a whole byte array as the transcoder would, for small inputs and tests. */
export function decodeBytes(bytes: Uint8Array, mode: TranscoderMode): string {
  const transcoder = new Utf8Transcoder(mode)
  return Buffer.concat([transcoder.write(bytes), transcoder.end()]).toString('utf8')
}

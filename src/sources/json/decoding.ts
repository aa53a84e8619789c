/**
 * Bytes to text: the encoding sniffed from BOM or NUL bytes, and a streaming decoder that says where invalid bytes
 * are, with the messages for both.
 */
import {TextDecoder} from 'node:util'

import type {IssueEvent, JsonPosition} from './events.js'
import {word as say} from '../../i18n/words.js'

/** The encodings JSON input may come in: UTF-8, or UTF-16 given away by a BOM or NUL bytes. */
export type Encoding = 'utf-8' | 'utf-16le' | 'utf-16be'

/** What decoding a chunk gives: its text, and where it went wrong if it did. */
export interface DecodeResult {
  text: string
  /** Set when the bytes are not valid in the encoding; text then holds only what came before. */
  badOffset?: number
  badByte?: number
}

/** No bytes, shared rather than allocated each time. */
export const EMPTY_BYTES = Buffer.alloc(0)

/**
 * Streaming decoder that, unlike TextDecoder alone, can say where invalid bytes are: it keeps the few bytes of an
 * unfinished UTF-8 sequence at the end of each chunk so the failing chunk can be re-checked byte by byte.
 */
export class ChunkDecoder {
  private readonly decoder: TextDecoder
  private pending: Buffer = EMPTY_BYTES
  /** File offset of the next byte to decode. */
  private consumed: number

  constructor(
    private readonly encoding: Encoding,
    bomLength: number,
  ) {
    this.decoder = new TextDecoder(encoding, {fatal: true, ignoreBOM: true})
    this.consumed = bomLength
  }

  decode(chunk: Buffer): DecodeResult {
    let text: string
    try {
      text = this.decoder.decode(chunk, {stream: true})
    } catch {
      return this.failure(chunk)
    }
    if (this.encoding === 'utf-8') this.pending = incompleteUtf8Tail(this.pending, chunk)
    this.consumed += chunk.length
    return {text}
  }

  end(): DecodeResult {
    try {
      return {text: this.decoder.decode()}
    } catch {
      return {text: '', badOffset: this.consumed - this.pending.length, badByte: this.pending[0]}
    }
  }

  private failure(chunk: Buffer): DecodeResult {
    if (this.encoding !== 'utf-8') return {text: '', badOffset: this.consumed}
    const combined = Buffer.concat([this.pending, chunk])
    const bad = Math.max(0, firstInvalidUtf8(combined))
    return {
      text: new TextDecoder('utf-8', {ignoreBOM: true}).decode(combined.subarray(0, bad)),
      badOffset: this.consumed - this.pending.length + bad,
      badByte: combined[bad],
    }
  }
}

/** The bytes of a UTF-8 sequence left unfinished at the end of what has been decoded so far. */
function incompleteUtf8Tail(pending: Buffer, chunk: Buffer): Buffer {
  const bytes = chunk.length >= 4 ? chunk : Buffer.concat([pending, chunk])
  let k = bytes.length - 1
  const stop = Math.max(0, bytes.length - 4)
  while (k > stop && ((bytes[k] ?? 0) & 0xc0) === 0x80) k--
  const lead = bytes[k] ?? 0
  const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1
  return bytes.length - k < need ? Buffer.from(bytes.subarray(k)) : EMPTY_BYTES
}

/** Index of the first byte that starts an invalid (or truncated) UTF-8 sequence, or -1 if all is valid. */
function firstInvalidUtf8(bytes: Buffer): number {
  const n = bytes.length
  let i = 0
  while (i < n) {
    const b = bytes[i] ?? 0
    if (b < 0x80) {
      i++
      continue
    }
    let need: number
    let lo = 0x80
    let hi = 0xbf
    if (b >= 0xc2 && b <= 0xdf) need = 1
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2
      if (b === 0xe0) lo = 0xa0
      if (b === 0xed) hi = 0x9f
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3
      if (b === 0xf0) lo = 0x90
      if (b === 0xf4) hi = 0x8f
    } else return i
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k]
      if (c === undefined || c < lo || c > hi) return i
      lo = 0x80
      hi = 0xbf
    }
    i += need + 1
  }
  return -1
}

interface Sniffed {
  encoding: Encoding
  bomLength: number
  note?: string
}

/** The encoding of a file from its first bytes, how long its BOM is, and for UTF-16 how to say so. */
export function sniffEncoding(head: Buffer): Sniffed {
  const [b0, b1, b2] = head
  if (b0 === 0xef && b1 === 0xbb && b2 === 0xbf) return {encoding: 'utf-8', bomLength: 3}
  if (b0 === 0xff && b1 === 0xfe) return {encoding: 'utf-16le', bomLength: 2, note: 'UTF-16 little-endian (with BOM)'}
  if (b0 === 0xfe && b1 === 0xff) return {encoding: 'utf-16be', bomLength: 2, note: 'UTF-16 big-endian (with BOM)'}
  // JSON text starts with an ASCII character, so a NUL byte beside it gives UTF-16 away even without a BOM.
  if (head.length >= 2 && b0 === 0 && b1 !== 0) {
    return {encoding: 'utf-16be', bomLength: 0, note: 'UTF-16 big-endian (no BOM)'}
  }
  if (head.length >= 2 && b0 !== 0 && b1 === 0) {
    return {encoding: 'utf-16le', bomLength: 0, note: 'UTF-16 little-endian (no BOM)'}
  }
  return {encoding: 'utf-8', bomLength: 0}
}

/** The error for bytes that are not valid in the file's encoding, placed where the decoded text stops. */
export function encodingProblem(
  file: string,
  result: DecodeResult,
  encoding: Encoding,
  position: JsonPosition,
): IssueEvent {
  const offset = String(result.badOffset ?? 0)
  const byte =
    result.badByte === undefined ? '' : ` (byte 0x${result.badByte.toString(16).toUpperCase().padStart(2, '0')})`
  const message =
    encoding === 'utf-8'
      ? say('json.invalid-utf8', {offset, byte})
      : say('json.invalid-encoding', {encoding: encoding.toUpperCase(), offset})
  return {kind: 'error', file, code: 'input.encoding', message, position}
}

/** The warning that a file was read as UTF-16, which SS 12000 does not allow but which can be decoded. */
export function utf16Warning(file: string, note: string): IssueEvent {
  return {
    kind: 'warning',
    file,
    code: 'input.utf16',
    message: `The file is ${note}; it was decoded, but SS 12000 JSON must be UTF-8. Convert it to UTF-8`,
  }
}

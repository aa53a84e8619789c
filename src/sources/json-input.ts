/**
 * Turns paths into a stream of SS 12000 JSON items with exact source positions, without ever holding a whole file.
 *
 * Design: bytes are decoded chunk by chunk; a scanner walks each decoded chunk with charCodeAt, tracking only what
 * it needs to find where each item starts and ends (bracket stack, string/escape state, line/column). Each item's
 * text is sliced out and handed to JSON.parse, so values are never built character by character. Only when
 * JSON.parse throws is the item re-scanned by a strict validator to say exactly where and why.
 */
import * as fs from 'node:fs/promises'
import * as path from 'node:path'
import {TextDecoder} from 'node:util'
import {BatchedIterator} from './batched-iterator.js'

import {parseTree, type Node as JsonNode} from 'jsonc-parser'

import {DEPENDENCY_ORDER, entityFromName, type EntityName} from '../schema/entity-names.js'

/** A place in a decoded file: 1-based line and column (UTF-16 code units), 0-based UTF-16 offset. */
export interface JsonPosition {
  line: number
  column: number
  offset: number
}

/** What reading JSON input produces: items, problems, and one summary per file. */
export type JsonInputEvent =
  | {
      kind: 'item'
      /** The path as given/walked (not resolved to absolute unless given so). */
      file: string
      /** The parsed JSON value of this item (JSON.parse semantics). */
      value: unknown
      /** Which wrapper key the item sits under: 'data', a collection key like 'persons', or undefined for a top-level value (shape 1, 2 or an NDJSON line). */
      bodyKey?: string
      /** The entity type inferred from bodyKey (entityFromName) or, failing that, from the file name (entityHintFromFileName); undefined when neither says. */
      entityHint?: EntityName
      /** JSON pointer of this item inside its file/line: '' for a top-level entity, '/3' for element 3 of a top-level array, '/persons/3' or '/data/3' inside a wrapper. */
      pointer: string
      /** 0-based ordinal of the item within its file. */
      index: number
      /** Position of the item's first character ('{' usually). */
      position: JsonPosition
      /** Set for NDJSON/JSON-lines input: the 1-based physical line. */
      ndjsonLine?: number
      /**
       * Position of a JSON pointer relative to this item ('' for the item itself). A pointer to something that does
       * not exist gives the position of its closest existing ancestor. Stays valid after the iterator has moved on.
       */
      locate(pointer: string): JsonPosition
    }
  | {
      kind: 'error' | 'warning'
      file: string
      code: JsonInputIssueCode
      message: string
      position?: JsonPosition
      ndjsonLine?: number
    }
  | {
      /** Once per file that could be opened, after its items. */
      kind: 'file'
      file: string
      /** 'sequence' is several top-level values in one .json file; 'empty' is no value at all. */
      shape: 'entity' | 'array' | 'wrapper' | 'ndjson' | 'sequence' | 'empty'
      items: number
      /** The wrapper keys met, in order, without repeats. */
      bodyKeys: string[]
      /** Members of wrapper objects that are not wrapper keys, e.g. {pageToken: null}. */
      extras: Record<string, unknown>
    }

/** Machine-readable codes of the problems reading input can report. */
export type JsonInputIssueCode =
  /** Not RFC 8259 JSON; always with the position of the offending character. */
  | 'json.syntax'
  /** The file holds no JSON value (empty or only whitespace): a warning. */
  | 'json.empty'
  /** Bytes that are not UTF-8 (or not the UTF-16 the BOM promised): an error; the file is read no further. */
  | 'input.encoding'
  /** The file was decoded as UTF-16: a warning. */
  | 'input.utf16'
  /** A path that does not exist or cannot be read, with the OS reason in plain words: an error. */
  | 'input.unreadable'
  /** A directory without .json, .ndjson or .jsonl files: a warning. */
  | 'input.no-files'

/** Options of {@link readJsonInput}. */
export interface ReadJsonInputOptions {
  /** Treat every file as NDJSON regardless of extension (e.g. for stdin later). Default: decide by extension and content. */
  ndjson?: boolean
  /**
   * Bytes per read. Internal, for tests that need multi-byte characters and items split across chunk boundaries.
   * @internal
   */
  chunkSize?: number
}

type ItemEvent = Extract<JsonInputEvent, {kind: 'item'}>
type IssueEvent = Extract<JsonInputEvent, {kind: 'error' | 'warning'}>
type FileShape = Extract<JsonInputEvent, {kind: 'file'}>['shape']

const DEFAULT_CHUNK_SIZE = 1 << 16
const JSON_FILE = /\.(json|ndjson|jsonl)$/i
const NDJSON_FILE = /\.(ndjson|jsonl)$/i

/**
 * Entity type from a file name: the basename without extension(s), matched with entityFromName; also a name that
 * starts with a known collection name followed by one of - _ . or a digit ('persons-2024.json', 'persons_page2.ndjson').
 */
export function entityHintFromFileName(file: string): EntityName | undefined {
  const base = path.basename(file)
  const dot = base.indexOf('.')
  const stem = dot < 0 ? base : base.slice(0, dot)
  const direct = entityFromName(stem)
  if (direct !== undefined) return direct
  const prefix = /^([A-Za-z]+)[-_.0-9]/.exec(stem)?.[1]
  return prefix === undefined ? undefined : entityFromName(prefix)
}

/** Lists the files readJsonInput would read for these paths, in the order it would read them. */
export async function listJsonFiles(paths: string[]): Promise<string[]> {
  const files: string[] = []
  for (const given of paths) files.push(...(await expandPath(given)).files)
  return files
}

/**
 * Streams the items of every JSON/NDJSON file under the given paths, in order, with positions. Never throws for bad
 * input: problems come as 'error'/'warning' events; only programming errors throw.
 */
export function readJsonInput(paths: string[], options: ReadJsonInputOptions = {}): AsyncIterable<JsonInputEvent> {
  return {[Symbol.asyncIterator]: () => new EventIterator(readBatches(paths, options))}
}

async function* readBatches(paths: string[], options: ReadJsonInputOptions): AsyncGenerator<JsonInputEvent[]> {
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE
  for (const given of paths) {
    const {files, issues} = await expandPath(given)
    yield issues
    for (const file of files) yield* readFile(file, options.ndjson === true || NDJSON_FILE.test(file), chunkSize)
  }
}

/** The events of `readJsonInput`, a chunk's worth at a time. */
class EventIterator extends BatchedIterator<JsonInputEvent> {
  constructor(private readonly batches: AsyncGenerator<JsonInputEvent[]>) {
    super()
  }

  protected async nextBatch(): Promise<JsonInputEvent[] | undefined> {
    const result = await this.batches.next()
    return result.done === true ? undefined : result.value
  }

  protected async close(): Promise<void> {
    // Closes the file being read.
    await this.batches.return(undefined)
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Paths

interface Expanded {
  files: string[]
  issues: IssueEvent[]
}

async function expandPath(given: string): Promise<Expanded> {
  let stat
  try {
    stat = await fs.stat(given)
  } catch (error) {
    return {files: [], issues: [unreadable(given, error)]}
  }
  if (!stat.isDirectory()) return {files: [given], issues: []}
  const found: Expanded = {files: [], issues: []}
  await walk(given, found, new Set([await realpathOr(given)]))
  if (found.files.length === 0 && found.issues.length === 0) {
    found.issues.push({
      kind: 'warning',
      file: given,
      code: 'input.no-files',
      message: `No .json, .ndjson or .jsonl files in the directory ${given}`,
    })
  }
  // Dependency order first, so the engine mostly meets referenced entities before the references.
  const keyed = found.files.map((file) => ({file, rank: fileRank(file)}))
  keyed.sort((a, b) => a.rank - b.rank || a.file.localeCompare(b.file, 'en'))
  return {files: keyed.map((entry) => entry.file), issues: found.issues}
}

function fileRank(file: string): number {
  const hint = entityHintFromFileName(file)
  return hint === undefined ? DEPENDENCY_ORDER.length : DEPENDENCY_ORDER.indexOf(hint)
}

async function walk(dir: string, found: Expanded, seen: Set<string>): Promise<void> {
  let entries
  try {
    entries = await fs.readdir(dir, {withFileTypes: true})
  } catch (error) {
    found.issues.push(unreadable(dir, error))
    return
  }
  for (const entry of entries) {
    const name = entry.name
    if (name.startsWith('.') || name === 'node_modules') continue
    const full = path.join(dir, name)
    let isDir = entry.isDirectory()
    let isFile = entry.isFile()
    if (entry.isSymbolicLink()) {
      try {
        const target = await fs.stat(full)
        isDir = target.isDirectory()
        isFile = target.isFile()
      } catch (error) {
        if (JSON_FILE.test(name)) found.issues.push(unreadable(full, error))
        continue
      }
    }
    if (isDir) {
      // Symlinked directories can loop back on themselves.
      const real = await realpathOr(full)
      if (seen.has(real)) continue
      seen.add(real)
      await walk(full, found, seen)
    } else if (isFile && JSON_FILE.test(name)) {
      found.files.push(full)
    }
  }
}

async function realpathOr(file: string): Promise<string> {
  try {
    return await fs.realpath(file)
  } catch {
    return path.resolve(file)
  }
}

const OS_REASONS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'it is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  ELOOP: 'too many levels of symbolic links',
  EMFILE: 'too many open files',
  ENAMETOOLONG: 'the name is too long',
  EIO: 'an input/output error occurred',
}

function unreadable(file: string, error: unknown): IssueEvent {
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  const reason =
    code !== undefined && OS_REASONS[code] !== undefined
      ? `${OS_REASONS[code]} (${code})`
      : error instanceof Error
        ? error.message
        : String(error)
  return {kind: 'error', file, code: 'input.unreadable', message: `Cannot read ${file}: ${reason}`}
}

// ---------------------------------------------------------------------------------------------------------------
// Bytes to text

type Encoding = 'utf-8' | 'utf-16le' | 'utf-16be'

interface DecodeResult {
  text: string
  /** Set when the bytes are not valid in the encoding; text then holds only what came before. */
  badOffset?: number
  badByte?: number
}

const EMPTY_BYTES = Buffer.alloc(0)

/**
 * Streaming decoder that, unlike TextDecoder alone, can say where invalid bytes are: it keeps the few bytes of an
 * unfinished UTF-8 sequence at the end of each chunk so the failing chunk can be re-checked byte by byte.
 */
class ChunkDecoder {
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

function sniffEncoding(head: Buffer): Sniffed {
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

function encodingProblem(file: string, result: DecodeResult, encoding: Encoding, position: JsonPosition): IssueEvent {
  const at = `byte offset ${result.badOffset ?? 0}`
  const message =
    encoding === 'utf-8'
      ? `Invalid UTF-8 at ${at}${result.badByte === undefined ? '' : ` (byte 0x${result.badByte.toString(16).toUpperCase().padStart(2, '0')})`}: SS 12000 JSON must be UTF-8. The file may be in Latin-1/Windows-1252; convert it to UTF-8 and try again`
      : `Invalid ${encoding.toUpperCase()} at about ${at}; convert the file to UTF-8 and try again`
  return {kind: 'error', file, code: 'input.encoding', message, position}
}

async function* readFile(file: string, ndjson: boolean, chunkSize: number): AsyncGenerator<JsonInputEvent[]> {
  let handle: fs.FileHandle
  try {
    handle = await fs.open(file, 'r')
  } catch (error) {
    yield [unreadable(file, error)]
    return
  }
  const scanner = new JsonScanner(file, ndjson, entityHintFromFileName(file))
  const stream = handle.createReadStream({highWaterMark: chunkSize})
  let decoder: ChunkDecoder | undefined
  let encoding: Encoding = 'utf-8'
  let head: Buffer | undefined
  let failed = false

  // Returns false when the file must not be read further.
  const take = (result: DecodeResult): boolean => {
    if (result.text.length > 0) scanner.feed(result.text)
    if (result.badOffset === undefined) return !scanner.dead
    scanner.out.push(encodingProblem(file, result, encoding, scanner.currentPosition()))
    failed = true
    return false
  }
  const start = (bytes: Buffer): {decoder: ChunkDecoder; rest: Buffer; note?: string} => {
    const sniffed = sniffEncoding(bytes)
    encoding = sniffed.encoding
    return {
      decoder: new ChunkDecoder(sniffed.encoding, sniffed.bomLength),
      rest: bytes.subarray(sniffed.bomLength),
      note: sniffed.note,
    }
  }
  const utf16Warning = (note: string): IssueEvent => ({
    kind: 'warning',
    file,
    code: 'input.utf16',
    message: `The file is ${note}; it was decoded, but SS 12000 JSON must be UTF-8. Convert it to UTF-8`,
  })

  const chunks = (stream as AsyncIterable<Buffer>)[Symbol.asyncIterator]()
  try {
    for (;;) {
      let next: IteratorResult<Buffer>
      // Only the reading is guarded: an exception from the scanner is a bug and must not pass for an OS error.
      try {
        next = await chunks.next()
      } catch (error) {
        scanner.out.push(unreadable(file, error))
        failed = true
        break
      }
      if (next.done === true) break
      let chunk = next.value
      if (decoder === undefined) {
        // The encoding is sniffed from the first bytes, which a tiny chunk size can spread over several chunks.
        head = head === undefined ? chunk : Buffer.concat([head, chunk])
        if (head.length < 4) continue
        const started = start(head)
        decoder = started.decoder
        chunk = started.rest
        head = undefined
        if (started.note !== undefined) scanner.out.push(utf16Warning(started.note))
      }
      const going = take(decoder.decode(chunk))
      yield scanner.drain()
      if (!going) break
    }
  } finally {
    stream.destroy()
  }

  if (!failed && !scanner.dead) {
    if (decoder === undefined) {
      const started = start(head ?? EMPTY_BYTES)
      decoder = started.decoder
      if (started.note !== undefined) scanner.out.push(utf16Warning(started.note))
      if (take(decoder.decode(started.rest))) take(decoder.end())
    } else {
      take(decoder.end())
    }
    if (!failed) scanner.finish()
  }
  const summary = scanner.summary(failed)
  const last = scanner.drain()
  last.push(summary)
  yield last
}

// ---------------------------------------------------------------------------------------------------------------
// The scanner

// What the scanner expects next.
const ST_TOP = 0
/** NDJSON: a value ended; only whitespace may follow on its line. */
const ST_LINE_END = 1
/** NDJSON: after an error, the rest of the line is ignored. */
const ST_SKIP_LINE = 2
/** JSON: the structure is lost; the rest of the file is ignored. */
const ST_DEAD = 3
const ST_ARR_FIRST = 4
const ST_ARR_NEXT = 5
const ST_ARR_AFTER = 6
const ST_OBJ_FIRST = 7
const ST_OBJ_NEXT = 8
const ST_OBJ_COLON = 9
const ST_OBJ_VALUE = 10
const ST_OBJ_AFTER = 11
/** Inside a value whose end is being looked for. */
const ST_VALUE = 12

// What the value being scanned is.
const K_CONTAINER = 0
const K_STRING = 1
const K_SCALAR = 2

// What the value being scanned is for.
const FOR_TOP = 0
const FOR_ELEMENT = 1
const FOR_KEY = 2
const FOR_MEMBER = 3

const CH_TAB = 9
const CH_LF = 10
const CH_CR = 13
const CH_SPACE = 32
const CH_QUOTE = 34
const CH_COMMA = 44
const CH_COLON = 58
const CH_OPEN_BRACKET = 91
const CH_BACKSLASH = 92
const CH_CLOSE_BRACKET = 93
const CH_OPEN_BRACE = 123
const CH_CLOSE_BRACE = 125

/** What makes a quoted key more than its characters between the quotes: escapes, or control characters to refuse. */
// eslint-disable-next-line no-control-regex
const NEEDS_DECODING = /[\u0000-\u001f\\]/

/** Length (UTF-16 units) of an unfinished value at which it is first checked for a lost structure; doubles after. */
const SUSPECT_SIZE = 1 << 20

/** Characters that end a bare token (number, literal, or a stray word). */
const DELIMITER = new Uint8Array(128)
for (const c of [CH_TAB, CH_LF, CH_CR, CH_SPACE, CH_QUOTE, CH_COMMA, CH_COLON, 91, 93, 123, 125]) DELIMITER[c] = 1

/**
 * Finds items in decoded text fed chunk by chunk and queues events in `out`. Keeps only the text of the item (or
 * the undecided top-level object) in progress, so memory is bounded by the largest item, not the file.
 */
class JsonScanner {
  out: JsonInputEvent[] = []

  // Text: the current chunk `s` starts at absolute offset `base`; `carry` holds earlier text still needed.
  private s = ''
  private base = 0
  private end = 0
  private carry: string[] = []
  private carryStarts: number[] = []

  // Line tracking: offset where the current line starts, and of the last CR (so CRLF counts once across chunks).
  private line = 1
  private lineStart = 0
  private lastCr = -2
  // Cached indexes of the next LF and CR in the current chunk, so strings can be skipped with indexOf.
  private nextLf = -1
  private nextCr = -1
  // Where the open value checked by checkLongValue starts, and how long it may grow before the next check.
  private suspectStart = -1
  private suspectAt = SUSPECT_SIZE

  private state = ST_TOP

  // The value being scanned.
  private vKind = K_CONTAINER
  private vFor = FOR_TOP
  private vStart = 0
  private vLine = 1
  private vCol = 1
  private vDepth = 0
  private readonly vStack: number[] = []
  private vInString = false
  private vEscape = false

  // The array being streamed (top-level or under a wrapper key).
  private arrTop = true
  private arrPrefix = ''
  private arrBodyKey: string | undefined
  private arrHint: EntityName | undefined
  private arrIndex = 0
  private arrOpen: JsonPosition = {line: 1, column: 1, offset: 0}
  private commaOffset = 0
  private commaLine = 1
  private commaCol = 1

  // The top-level object: an entity until a wrapper key shows up.
  private objStart = 0
  private objLine = 1
  private objCol = 1
  private objWrapper = false
  private objBroken = false
  private objSawId = false
  private objLastMemberEnd = -1
  private keyStart = 0
  private keyEnd = 0
  private memberKey = ''

  // Per top-level value and per file.
  private topLine = 1
  private topCount = 0
  private sawContent = false
  private firstShape: FileShape = 'entity'
  private items = 0
  private problems = 0
  private readonly bodyKeys: string[] = []
  private readonly extras: Record<string, unknown> = {}

  constructor(
    private readonly file: string,
    private readonly ndjson: boolean,
    private readonly fileHint: EntityName | undefined,
  ) {}

  get dead(): boolean {
    return this.state === ST_DEAD
  }

  /** Hands out the queued events. */
  drain(): JsonInputEvent[] {
    const events = this.out
    this.out = []
    return events
  }

  /** Where the next character would be: used to place problems found outside the text (bad bytes). */
  currentPosition(): JsonPosition {
    return {line: this.line, column: this.end - this.lineStart + 1, offset: this.end}
  }

  summary(failed: boolean): JsonInputEvent {
    if (!this.sawContent && this.problems === 0 && !failed) {
      this.out.push(issue(this.file, 'warning', 'json.empty', 'The file contains no JSON value'))
    }
    const shape: FileShape = !this.sawContent
      ? 'empty'
      : this.ndjson
        ? 'ndjson'
        : this.topCount > 1
          ? 'sequence'
          : this.firstShape
    return {kind: 'file', file: this.file, shape, items: this.items, bodyKeys: this.bodyKeys, extras: this.extras}
  }

  feed(s: string): void {
    this.retain()
    this.base = this.end
    this.s = s
    this.end = this.base + s.length
    this.nextLf = -1
    this.nextCr = -1
    const n = s.length
    let i = 0
    while (i < n) {
      const st = this.state
      if (st === ST_VALUE) {
        const kind = this.vKind
        i =
          kind === K_CONTAINER
            ? this.scanContainer(s, i)
            : kind === K_STRING
              ? this.scanString(s, i)
              : this.scanToken(s, i)
        continue
      }
      if (st === ST_DEAD) break
      const c = s.charCodeAt(i)
      if (c === CH_SPACE || c === CH_TAB) {
        i++
        continue
      }
      if (c === CH_LF || c === CH_CR) {
        if (this.ndjson) this.endOfLine(this.base + i)
        this.newline(c, this.base + i)
        i++
        continue
      }
      i = st === ST_SKIP_LINE ? i + 1 : this.structural(st, c, i)
    }
  }

  finish(): void {
    const end = this.end
    if (this.state === ST_VALUE && this.vKind === K_SCALAR) this.completeValue(end)
    switch (this.state) {
      case ST_VALUE:
        this.brokenValue(end, 'end of file')
        break
      case ST_ARR_FIRST:
      case ST_ARR_NEXT:
      case ST_ARR_AFTER:
        this.errorAt(`Unexpected end of file: the array opened at ${at(this.arrOpen)} is not closed`, end)
        break
      case ST_OBJ_FIRST:
      case ST_OBJ_NEXT:
      case ST_OBJ_COLON:
      case ST_OBJ_VALUE:
      case ST_OBJ_AFTER:
        this.unclosedObject(end, 'end of file')
        break
    }
    this.state = ST_DEAD
  }

  // --- text and positions

  private positionOf(offset: number): JsonPosition {
    return {line: this.line, column: offset - this.lineStart + 1, offset}
  }

  private newline(c: number, offset: number): void {
    if (c === CH_CR) {
      this.line++
      this.lastCr = offset
    } else if (this.lastCr !== offset - 1) {
      this.line++
    }
    this.lineStart = offset + 1
  }

  /** The text between two absolute offsets; `from` may lie in carried-over text. */
  private text(from: number, to: number): string {
    const base = this.base
    if (from >= base) return this.s.slice(from - base, to - base)
    const starts = this.carryStarts
    let k = starts.length - 1
    while (k > 0 && (starts[k] ?? 0) > from) k--
    const first = starts[k] ?? 0
    let joined = this.carry.slice(k).join('')
    if (to > base) joined += this.s.slice(0, to - base)
    return joined.slice(from - first, to - first)
  }

  /**
   * Before moving on to the next chunk, keeps the text of the current one still needed: the item in progress, or
   * the undecided top-level object. Called at the start of feed() so that finish() still sees the last chunk as is.
   */
  /** Where the last comma was, for "trailing comma" errors found only at the closing bracket. */
  private rememberComma(offset: number): void {
    this.commaOffset = offset
    this.commaLine = this.line
    this.commaCol = offset - this.lineStart + 1
  }

  private retain(): void {
    let keep = this.retainFrom()
    if (keep >= 0 && this.end - keep >= SUSPECT_SIZE) {
      this.checkLongValue(keep)
      keep = this.retainFrom()
    }
    if (keep < 0) {
      this.carry = []
      this.carryStarts = []
    } else if (keep >= this.base) {
      this.carry = [this.s.slice(keep - this.base)]
      this.carryStarts = [keep]
    } else {
      this.carry.push(this.s)
      this.carryStarts.push(this.base)
    }
  }

  /**
   * A value still open after megabytes is either huge or the rest of the file read with the string state inverted
   * (a quote missing). Looking at what has been kept tells which, so a broken file is not buffered to its end.
   */
  private checkLongValue(keep: number): void {
    if (keep !== this.suspectStart) {
      this.suspectStart = keep
      this.suspectAt = SUSPECT_SIZE
    }
    if (this.end - keep < this.suspectAt) return
    this.suspectAt *= 2
    let start: JsonPosition
    if (this.state === ST_VALUE && keep === this.vStart) start = {line: this.vLine, column: this.vCol, offset: keep}
    else if (keep === this.objStart) start = {line: this.objLine, column: this.objCol, offset: keep}
    else return
    const text = this.text(keep, this.end)
    const problem = findSyntaxError(text, 'end of file')
    // Problems at the end of the text only say that the value goes on in the next chunk.
    if (problem === undefined || problem.atEnd === true) return
    this.reportProblem(text, start, problem)
    this.fatal()
  }

  private retainFrom(): number {
    const st = this.state
    const undecided = !this.objWrapper
    if (st === ST_VALUE) {
      if (this.vFor === FOR_ELEMENT || this.vFor === FOR_TOP) return this.vStart
      return undecided ? this.objStart : this.vStart
    }
    if (st >= ST_OBJ_FIRST && st <= ST_OBJ_AFTER) {
      if (undecided) return this.objStart
      if (st === ST_OBJ_COLON || st === ST_OBJ_VALUE) return this.keyStart
    }
    return -1
  }

  // --- problems

  private errorAt(message: string, offset: number): void {
    this.errorAtPosition(message, this.positionOf(offset))
  }

  private errorAtPosition(message: string, position: JsonPosition): void {
    this.problems++
    this.out.push({
      kind: 'error',
      file: this.file,
      code: 'json.syntax',
      message,
      position,
      ndjsonLine: this.ndjson ? position.line : undefined,
    })
  }

  /** Reports the first syntax error in a piece of text that is known (or suspected) to be malformed. */
  private reportIn(text: string, start: JsonPosition, endLabel: string, fallback: string): void {
    const problem = findSyntaxError(text, endLabel)
    if (problem === undefined) this.errorAtPosition(fallback, start)
    else this.reportProblem(text, start, problem)
  }

  private reportProblem(text: string, start: JsonPosition, problem: SyntaxProblem): void {
    let lines: number[] | undefined
    const place = (offset: number): JsonPosition => positionInText(text, offset, start, (lines ??= lineStarts(text)))
    const message =
      problem.opener === undefined ? problem.message : problem.message.replace('%at', at(place(problem.opener)))
    this.errorAtPosition(message, place(problem.offset))
  }

  /** After an error that leaves the structure in doubt: NDJSON goes on with the next line, JSON stops the file. */
  private fatal(): void {
    this.state = this.ndjson ? ST_SKIP_LINE : ST_DEAD
  }

  /** The value in progress cannot be finished (mismatched bracket, end of line or file): say where it went wrong. */
  private brokenValue(upTo: number, endLabel: string): void {
    const start = {line: this.vLine, column: this.vCol, offset: this.vStart}
    this.reportIn(this.text(this.vStart, upTo), start, endLabel, `Unexpected ${endLabel}`)
  }

  private unclosedObject(upTo: number, endLabel: string): void {
    if (this.objWrapper) {
      const opened = at({line: this.objLine, column: this.objCol, offset: this.objStart})
      this.errorAt(`Unexpected ${endLabel}: the object opened at ${opened} is not closed`, upTo)
    } else if (!this.objBroken) {
      // An undecided object is kept whole, so the first error in it can be reported, not just the missing '}'.
      const start = {line: this.objLine, column: this.objCol, offset: this.objStart}
      this.reportIn(this.text(this.objStart, upTo), start, endLabel, `Unexpected ${endLabel}`)
    }
  }

  private endOfLine(offset: number): void {
    switch (this.state) {
      case ST_ARR_FIRST:
      case ST_ARR_NEXT:
      case ST_ARR_AFTER:
        this.errorAt(
          `Unexpected end of line: the array opened at ${at(this.arrOpen)} is not closed (NDJSON needs each value on one line)`,
          offset,
        )
        break
      case ST_OBJ_FIRST:
      case ST_OBJ_NEXT:
      case ST_OBJ_COLON:
      case ST_OBJ_VALUE:
      case ST_OBJ_AFTER:
        this.unclosedObject(offset, 'end of line')
        break
    }
    this.state = ST_TOP
  }

  // --- structure between items

  private structural(st: number, c: number, i: number): number {
    const offset = this.base + i
    switch (st) {
      case ST_TOP:
        return this.topValue(c, i)
      case ST_LINE_END:
        this.errorAt(
          `Unexpected ${describeAt(this.s, i)} after the value: NDJSON allows one JSON value per line`,
          offset,
        )
        this.state = ST_SKIP_LINE
        return i + 1
      case ST_ARR_FIRST:
      case ST_ARR_NEXT:
        if (c === CH_CLOSE_BRACKET) {
          if (st === ST_ARR_NEXT) {
            this.errorAtPosition("Trailing comma before ']'", {
              line: this.commaLine,
              column: this.commaCol,
              offset: this.commaOffset,
            })
          }
          return this.closeArray(i)
        }
        if (c === CH_COMMA) {
          this.errorAt("Unexpected ',' — expected a value", offset)
          return i + 1
        }
        if (c === CH_CLOSE_BRACE || c === CH_COLON) {
          this.errorAt(`Unexpected ${describeAt(this.s, i)} — expected a value or ']'`, offset)
          this.fatal()
          return i + 1
        }
        return this.beginValue(c, FOR_ELEMENT, i)
      case ST_ARR_AFTER:
        if (c === CH_COMMA) {
          this.rememberComma(offset)
          this.state = ST_ARR_NEXT
          return i + 1
        }
        if (c === CH_CLOSE_BRACKET) return this.closeArray(i)
        if (c === CH_CLOSE_BRACE || c === CH_COLON) {
          this.errorAt(`Expected ',' or ']' after an array element but found ${describeAt(this.s, i)}`, offset)
          this.fatal()
          return i + 1
        }
        this.errorAt(`Expected ',' or ']' after an array element but found ${describeAt(this.s, i)}`, offset)
        // A value right after a value is most likely just a missing comma: read the element. Anything else is noise.
        if (c === CH_OPEN_BRACE || c === CH_OPEN_BRACKET || c === CH_QUOTE || isWordStart(c)) {
          return this.beginValue(c, FOR_ELEMENT, i)
        }
        this.fatal()
        return i + 1
      case ST_OBJ_FIRST:
      case ST_OBJ_NEXT:
        if (c === CH_QUOTE) return this.beginValue(c, FOR_KEY, i)
        if (c === CH_CLOSE_BRACE) {
          if (st === ST_OBJ_NEXT) {
            this.errorAtPosition("Trailing comma before '}'", {
              line: this.commaLine,
              column: this.commaCol,
              offset: this.commaOffset,
            })
            // The entity's own JSON.parse would report this comma a second time.
            this.objBroken = true
          }
          return this.closeObject(i)
        }
        this.errorAt(propertyNameProblem(this.s, i), offset)
        this.fatal()
        return i + 1
      case ST_OBJ_COLON:
        if (c === CH_COLON) {
          this.state = ST_OBJ_VALUE
          return i + 1
        }
        this.errorAt(`Expected ':' after the property name but found ${describeAt(this.s, i)}`, offset)
        this.fatal()
        return i + 1
      case ST_OBJ_VALUE:
        return this.memberValue(c, i)
      case ST_OBJ_AFTER:
        if (c === CH_COMMA) {
          this.rememberComma(offset)
          this.state = ST_OBJ_NEXT
          return i + 1
        }
        if (c === CH_CLOSE_BRACE) return this.closeObject(i)
        this.errorAt(`Expected ',' or '}' after a property value but found ${describeAt(this.s, i)}`, offset)
        this.fatal()
        return i + 1
    }
    return i + 1
  }

  private topValue(c: number, i: number): number {
    const offset = this.base + i
    this.topLine = this.line
    this.sawContent = true
    if (c === CH_OPEN_BRACKET || c === CH_OPEN_BRACE) {
      if (this.topCount++ === 0) this.firstShape = c === CH_OPEN_BRACKET ? 'array' : 'entity'
      if (c === CH_OPEN_BRACKET) {
        this.openArray(i, true, undefined, '', this.fileHint)
      } else {
        this.objStart = offset
        this.objLine = this.line
        this.objCol = offset - this.lineStart + 1
        this.objWrapper = false
        this.objBroken = false
        this.objSawId = false
        this.objLastMemberEnd = -1
        this.state = ST_OBJ_FIRST
      }
      return i + 1
    }
    if (c === CH_COMMA || c === CH_COLON || c === CH_CLOSE_BRACKET || c === CH_CLOSE_BRACE) {
      const what = describeAt(this.s, i)
      this.errorAt(
        this.topCount > 0 && !this.ndjson
          ? `Unexpected ${what} after the end of the JSON value`
          : `Unexpected ${what} — expected a value`,
        offset,
      )
      this.fatal()
      return i + 1
    }
    return this.beginValue(c, FOR_TOP, i)
  }

  private openArray(i: number, top: boolean, bodyKey: string | undefined, prefix: string, hint?: EntityName): void {
    const offset = this.base + i
    this.arrTop = top
    this.arrBodyKey = bodyKey
    this.arrPrefix = prefix
    this.arrHint = hint
    this.arrIndex = 0
    this.arrOpen = this.positionOf(offset)
    this.state = ST_ARR_FIRST
  }

  private closeArray(i: number): number {
    if (this.arrTop) this.topDone()
    else this.state = ST_OBJ_AFTER
    return i + 1
  }

  private topDone(): void {
    this.state = this.ndjson ? ST_LINE_END : ST_TOP
  }

  private memberValue(c: number, i: number): number {
    if (c === CH_COMMA || c === CH_COLON || c === CH_CLOSE_BRACKET || c === CH_CLOSE_BRACE) {
      this.errorAt(`Unexpected ${describeAt(this.s, i)} — expected a value`, this.base + i)
      this.fatal()
      return i + 1
    }
    if (this.objWrapper || c === CH_OPEN_BRACKET) {
      const key = this.decodeKey()
      if (key === undefined) return i + 1
      if (c === CH_OPEN_BRACKET && !this.objSawId && (key === 'data' || entityFromName(key) !== undefined)) {
        this.enterWrapper(key, i)
        return i + 1
      }
      this.memberKey = key
    } else if (this.keyEnd - this.keyStart === 4 && this.text(this.keyStart, this.keyEnd) === '"id"') {
      // An object with its own id is an entity even if it has an array under a name like `groups` (Activity does).
      this.objSawId = true
    }
    return this.beginValue(c, FOR_MEMBER, i)
  }

  private decodeKey(): string | undefined {
    const raw = this.text(this.keyStart, this.keyEnd)
    if (!NEEDS_DECODING.test(raw)) return raw.slice(1, -1)
    try {
      return JSON.parse(raw) as string
    } catch {
      const start = this.positionOfKnown(this.keyStart)
      this.reportIn(raw, start, 'end of file', 'Invalid property name')
      this.fatal()
      return undefined
    }
  }

  /** Position of an offset on the current line or earlier, from the value scanner's record of the key. */
  private positionOfKnown(offset: number): JsonPosition {
    return offset === this.vStart ? {line: this.vLine, column: this.vCol, offset} : this.positionOf(offset)
  }

  private enterWrapper(key: string, i: number): void {
    if (!this.objWrapper) {
      this.objWrapper = true
      if (this.topCount === 1) this.firstShape = 'wrapper'
      if (this.objLastMemberEnd >= 0) {
        // The members before the first wrapper key are extras: close them into an object and parse that.
        const text = this.text(this.objStart, this.objLastMemberEnd) + '}'
        try {
          assignOwn(this.extras, JSON.parse(text) as Record<string, unknown>)
        } catch {
          const start = {line: this.objLine, column: this.objCol, offset: this.objStart}
          this.reportIn(text, start, 'end of file', 'Invalid value')
        }
      }
    }
    if (!this.bodyKeys.includes(key)) this.bodyKeys.push(key)
    this.openArray(i, false, key, `/${escapePointer(key)}`, entityFromName(key) ?? this.fileHint)
  }

  private closeObject(i: number): number {
    const end = this.base + i + 1
    if (!this.objWrapper && !this.objBroken) {
      this.emitItem(
        this.text(this.objStart, end),
        this.objStart,
        this.objLine,
        this.objCol,
        '',
        undefined,
        this.fileHint,
      )
    }
    this.topDone()
    return i + 1
  }

  // --- values

  private beginValue(c: number, purpose: number, i: number): number {
    const offset = this.base + i
    this.vFor = purpose
    this.vStart = offset
    this.vLine = this.line
    this.vCol = offset - this.lineStart + 1
    this.state = ST_VALUE
    if (c === CH_OPEN_BRACE || c === CH_OPEN_BRACKET) {
      this.vKind = K_CONTAINER
      this.vStack[0] = c + 2 // the matching closer: '{' + 2 is '}', '[' + 2 is ']'
      this.vDepth = 1
      this.vInString = false
      this.vEscape = false
      return i + 1
    }
    if (c === CH_QUOTE) {
      this.vKind = K_STRING
      this.vEscape = false
      return i + 1
    }
    this.vKind = K_SCALAR
    return i
  }

  /** Finds the end of an object or array. The hot loop: keep it free of allocations and calls. */
  private scanContainer(s: string, i: number): number {
    const n = s.length
    const stack = this.vStack
    let depth = this.vDepth
    let inString = this.vInString
    if (this.vEscape) {
      this.vEscape = false
      const c = s.charCodeAt(i)
      if (c !== CH_LF && c !== CH_CR) i++
    }
    for (; i < n; i++) {
      const c = s.charCodeAt(i)
      if (inString) {
        if (c > CH_BACKSLASH) continue
        if (c === CH_QUOTE) inString = false
        else if (c === CH_BACKSLASH) {
          if (i + 1 === n) this.vEscape = true
          else {
            const next = s.charCodeAt(i + 1)
            if (next !== CH_LF && next !== CH_CR) i++
          }
        } else if (c === CH_LF || c === CH_CR) {
          if (this.ndjson) {
            this.vDepth = depth
            this.vInString = inString
            return this.valueHitsEndOfLine(s, i)
          }
          // Strings cannot span lines, but one that closes later keeps the structure intact: JSON.parse reports it.
          this.newline(c, this.base + i)
        }
        continue
      }
      if (c === CH_QUOTE) {
        // Most strings close on the same line in the same chunk: let indexOf find the end instead of the loop.
        const close = this.closingQuote(s, i)
        if (close < 0) inString = true
        else i = close
      } else if (c === CH_OPEN_BRACE || c === CH_OPEN_BRACKET) stack[depth++] = c + 2
      else if (c === CH_CLOSE_BRACE || c === CH_CLOSE_BRACKET) {
        if (stack[--depth] !== c) {
          this.vDepth = depth
          this.brokenValue(this.base + i + 1, 'end of file')
          this.fatal()
          return i + 1
        }
        if (depth === 0) {
          this.vDepth = 0
          this.vInString = false
          this.completeValue(this.base + i + 1)
          return i + 1
        }
      } else if (c === CH_LF || c === CH_CR) {
        if (this.ndjson) {
          this.vDepth = depth
          this.vInString = inString
          return this.valueHitsEndOfLine(s, i)
        }
        this.newline(c, this.base + i)
      }
    }
    this.vDepth = depth
    this.vInString = inString
    return n
  }

  private scanString(s: string, i: number): number {
    const n = s.length
    if (this.vEscape) {
      this.vEscape = false
      const c = s.charCodeAt(i)
      if (c !== CH_LF && c !== CH_CR) i++
    } else if (i > 0 && i === this.vStart - this.base + 1) {
      const close = this.closingQuote(s, i - 1)
      if (close >= 0) {
        this.completeValue(this.base + close + 1)
        return close + 1
      }
    }
    for (; i < n; i++) {
      const c = s.charCodeAt(i)
      if (c > CH_BACKSLASH) continue
      if (c === CH_QUOTE) {
        this.completeValue(this.base + i + 1)
        return i + 1
      }
      if (c === CH_BACKSLASH) {
        if (i + 1 === n) this.vEscape = true
        else {
          const next = s.charCodeAt(i + 1)
          if (next !== CH_LF && next !== CH_CR) i++
        }
      } else if (c === CH_LF || c === CH_CR) {
        if (this.ndjson) return this.valueHitsEndOfLine(s, i)
        this.newline(c, this.base + i)
      }
    }
    return n
  }

  private scanToken(s: string, i: number): number {
    const n = s.length
    for (; i < n; i++) {
      const c = s.charCodeAt(i)
      if (c < 128 && DELIMITER[c] === 1) {
        this.completeValue(this.base + i)
        return i
      }
    }
    return n
  }

  /**
   * Index of the quote closing the string that opens at `open`, when it closes within this chunk and before the next
   * line break; otherwise -1 and the caller scans character by character.
   */
  private closingQuote(s: string, open: number): number {
    let from = open + 1
    for (;;) {
      const quote = s.indexOf('"', from)
      if (quote < 0) return -1
      let k = quote - 1
      while (s.charCodeAt(k) === CH_BACKSLASH) k--
      if (((quote - 1 - k) & 1) === 0) return quote < this.nextLineBreak(open) ? quote : -1
      from = quote + 1
    }
  }

  /** Index of the first line break at or after i in this chunk (the chunk's length if none), cached per chunk. */
  private nextLineBreak(i: number): number {
    const s = this.s
    let lf = this.nextLf
    if (lf < i) {
      lf = s.indexOf('\n', i)
      this.nextLf = lf = lf < 0 ? s.length : lf
    }
    let cr = this.nextCr
    if (cr < i) {
      cr = s.indexOf('\r', i)
      this.nextCr = cr = cr < 0 ? s.length : cr
    }
    return lf < cr ? lf : cr
  }

  /** NDJSON: a line ended inside a value. Report it and go on with the next line. */
  private valueHitsEndOfLine(s: string, i: number): number {
    const offset = this.base + i
    this.brokenValue(offset, 'end of line')
    this.newline(s.charCodeAt(i), offset)
    this.state = ST_TOP
    return i + 1
  }

  private completeValue(end: number): void {
    const start = this.vStart
    switch (this.vFor) {
      case FOR_ELEMENT: {
        const text = this.text(start, end)
        const ok = this.emitItem(
          text,
          start,
          this.vLine,
          this.vCol,
          `${this.arrPrefix}/${this.arrIndex}`,
          this.arrBodyKey,
          this.arrHint,
        )
        this.arrIndex++
        this.state = ST_ARR_AFTER
        // A stray word ends where it seems to, but punctuation such as a comment may hide more: stop there.
        if (!ok && this.vKind === K_SCALAR && !isWordStart(text.charCodeAt(0))) this.fatal()
        return
      }
      case FOR_TOP: {
        const text = this.text(start, end)
        if (this.topCount > 0 && !this.ndjson) {
          let value: unknown
          try {
            value = JSON.parse(text)
          } catch {
            this.errorAtPosition(`Unexpected ${quoteToken(text)} after the end of the JSON value`, {
              line: this.vLine,
              column: this.vCol,
              offset: start,
            })
            this.fatal()
            return
          }
          this.topCount++
          this.pushItem(value, text, start, this.vLine, this.vCol, '', undefined, this.fileHint)
          this.topDone()
          return
        }
        if (this.emitItem(text, start, this.vLine, this.vCol, '', undefined, this.fileHint)) {
          if (this.topCount++ === 0) this.firstShape = 'entity'
          this.topDone()
        } else {
          this.fatal()
        }
        return
      }
      case FOR_KEY:
        this.keyStart = start
        this.keyEnd = end
        this.state = ST_OBJ_COLON
        return
      case FOR_MEMBER:
        if (!this.objWrapper) {
          this.objLastMemberEnd = end
        } else {
          const text = this.text(start, end)
          try {
            assignOwn(this.extras, {[this.memberKey]: JSON.parse(text) as unknown})
          } catch {
            this.reportIn(text, {line: this.vLine, column: this.vCol, offset: start}, 'end of file', 'Invalid value')
          }
        }
        this.state = ST_OBJ_AFTER
        return
    }
  }

  /** Parses an item's text and queues it; on a syntax error reports it instead and returns false. */
  private emitItem(
    text: string,
    offset: number,
    line: number,
    column: number,
    pointer: string,
    bodyKey: string | undefined,
    hint: EntityName | undefined,
  ): boolean {
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch {
      this.reportIn(text, {line, column, offset}, 'end of file', 'Invalid JSON value')
      return false
    }
    this.pushItem(value, text, offset, line, column, pointer, bodyKey, hint)
    return true
  }

  private pushItem(
    value: unknown,
    text: string,
    offset: number,
    line: number,
    column: number,
    pointer: string,
    bodyKey: string | undefined,
    hint: EntityName | undefined,
  ): void {
    const position = {line, column, offset}
    this.out.push({
      kind: 'item',
      file: this.file,
      value,
      bodyKey,
      entityHint: hint,
      pointer,
      index: this.items++,
      position,
      ndjsonLine: this.ndjson ? this.topLine : undefined,
      locate: makeLocator(detach(text), position),
    } satisfies ItemEvent)
  }
}

function issue(file: string, kind: 'error' | 'warning', code: JsonInputIssueCode, message: string): IssueEvent {
  return {kind, file, code, message}
}

/**
 * A copy of a string that does not keep its source alive. V8 makes slices that point into the parent string, so a
 * locate() closure holding a 200-byte slice would pin the whole 1 MiB chunk it came from.
 */
function detach(text: string): string {
  return (' ' + text).slice(1)
}

/** Sets own properties, so a `__proto__` key stays data instead of changing the prototype. */
function assignOwn(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const key of Object.keys(source)) {
    Object.defineProperty(target, key, {value: source[key], enumerable: true, writable: true, configurable: true})
  }
}

function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1')
}

function at(position: JsonPosition): string {
  return `${position.line}:${position.column}`
}

function isWordStart(c: number): boolean {
  return (c >= 48 && c <= 57) || ((c | 0x20) >= 97 && (c | 0x20) <= 122) || c === 45 || c === 43 || c === 46
}

// ---------------------------------------------------------------------------------------------------------------
// Positions inside an item

/** Offsets (within text) where a new line starts; \r\n, \r and \n each end a line. */
function lineStarts(text: string): number[] {
  const starts: number[] = []
  const n = text.length
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i)
    if (c === CH_LF) starts.push(i + 1)
    else if (c === CH_CR) {
      if (text.charCodeAt(i + 1) === CH_LF) i++
      starts.push(i + 1)
    }
  }
  return starts
}

function positionInText(text: string, offset: number, start: JsonPosition, starts: number[]): JsonPosition {
  const rel = Math.max(0, Math.min(offset, text.length))
  let lo = 0
  let hi = starts.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if ((starts[mid] ?? 0) <= rel) lo = mid + 1
    else hi = mid
  }
  if (lo === 0) return {line: start.line, column: start.column + rel, offset: start.offset + rel}
  return {line: start.line + lo, column: rel - (starts[lo - 1] ?? 0) + 1, offset: start.offset + rel}
}

function makeLocator(text: string, start: JsonPosition): (pointer: string) => JsonPosition {
  let root: JsonNode | undefined
  let parsed = false
  let starts: number[] | undefined
  return (pointer: string): JsonPosition => {
    if (!parsed) {
      root = parseTree(text)
      parsed = true
    }
    const offset = root === undefined ? 0 : offsetOfPointer(root, pointer)
    return positionInText(text, offset, start, (starts ??= lineStarts(text)))
  }
}

/** Offset of the value a JSON pointer names, or of its closest existing ancestor. */
function offsetOfPointer(root: JsonNode, pointer: string): number {
  let rest = pointer.startsWith('#') ? decodeURIComponentSafe(pointer.slice(1)) : pointer
  if (rest === '') return root.offset
  if (!rest.startsWith('/')) rest = `/${rest}`
  let node = root
  for (const raw of rest.slice(1).split('/')) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~')
    let next: JsonNode | undefined
    if (node.type === 'object') {
      // The last one wins, as with JSON.parse.
      for (const property of node.children ?? []) {
        const [keyNode, valueNode] = property.children ?? []
        if (keyNode?.value === segment && valueNode !== undefined) next = valueNode
      }
    } else if (node.type === 'array' && /^(0|[1-9][0-9]*)$/.test(segment)) {
      next = node.children?.[Number(segment)]
    }
    if (next === undefined) break
    node = next
  }
  return node.offset
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Exact syntax errors

interface SyntaxProblem {
  /** Offset in the text of the offending character. */
  offset: number
  /** Plain words; '%at' stands for the position of `opener`. */
  message: string
  opener?: number
  /** The problem is only that the text ends: more text could still make it valid. */
  atEnd?: boolean
}

const P_VALUE = 0
const P_ARRAY_FIRST = 1
const P_AFTER = 2
const P_KEY_FIRST = 3
const P_KEY_NEXT = 4
const P_COLON = 5

/**
 * The first RFC 8259 violation in text, or undefined if it is one valid JSON value. Iterative, so deep nesting is
 * fine. Only runs on text JSON.parse has already refused (or that is known to be cut off), so speed is secondary.
 */
function findSyntaxError(text: string, endLabel: string): SyntaxProblem | undefined {
  const n = text.length
  const kinds: number[] = []
  const opens: number[] = []
  let state = P_VALUE
  let comma = -1
  let i = 0
  for (;;) {
    while (i < n) {
      const c = text.charCodeAt(i)
      if (c === CH_SPACE || c === CH_TAB || c === CH_LF || c === CH_CR) i++
      else break
    }
    if (i >= n) {
      const depth = kinds.length
      if (depth > 0) {
        const kind = kinds[depth - 1] === CH_OPEN_BRACE ? 'object' : 'array'
        return {
          offset: n,
          message: `Unexpected ${endLabel}: the ${kind} opened at %at is not closed`,
          opener: opens[depth - 1],
          atEnd: true,
        }
      }
      if (state === P_VALUE) return {offset: n, message: `Unexpected ${endLabel} — expected a value`, atEnd: true}
      return undefined
    }
    const c = text.charCodeAt(i)
    const top = kinds[kinds.length - 1]
    switch (state) {
      case P_ARRAY_FIRST:
        if (c === CH_CLOSE_BRACKET) {
          kinds.pop()
          opens.pop()
          i++
          state = P_AFTER
          break
        }
        state = P_VALUE
        break
      case P_VALUE: {
        if (c === CH_OPEN_BRACE || c === CH_OPEN_BRACKET) {
          kinds.push(c)
          opens.push(i)
          i++
          state = c === CH_OPEN_BRACE ? P_KEY_FIRST : P_ARRAY_FIRST
          break
        }
        if (c === CH_QUOTE) {
          const end = scanStringStrict(text, i, endLabel)
          if (typeof end !== 'number') return end
          i = end
          state = P_AFTER
          break
        }
        if (c === 45 || (c >= 48 && c <= 57)) {
          const end = scanNumberStrict(text, i)
          if (typeof end !== 'number') return end
          i = end
          state = P_AFTER
          break
        }
        if (isLetter(c)) {
          let j = i + 1
          while (j < n && isWordChar(text.charCodeAt(j))) j++
          const word = text.slice(i, j)
          if (word !== 'true' && word !== 'false' && word !== 'null') {
            return {offset: i, message: wordProblem(word), atEnd: j === n}
          }
          i = j
          state = P_AFTER
          break
        }
        if (c === CH_CLOSE_BRACKET && top === CH_OPEN_BRACKET && comma >= 0) {
          return {offset: comma, message: "Trailing comma before ']'"}
        }
        return {offset: i, message: valueProblem(text, i)}
      }
      case P_AFTER:
        if (top === undefined)
          return {offset: i, message: `Unexpected ${describeAt(text, i)} after the end of the value`}
        if (c === CH_COMMA) {
          comma = i
          i++
          state = top === CH_OPEN_BRACE ? P_KEY_NEXT : P_VALUE
          break
        }
        if (c === top + 2) {
          kinds.pop()
          opens.pop()
          i++
          comma = -1
          break
        }
        if (c === 47) return {offset: i, message: 'Comments are not allowed in JSON'}
        return {
          offset: i,
          message:
            top === CH_OPEN_BRACE
              ? `Expected ',' or '}' after a property value but found ${describeAt(text, i)}`
              : `Expected ',' or ']' after an array element but found ${describeAt(text, i)}`,
        }
      case P_KEY_FIRST:
      case P_KEY_NEXT:
        if (c === CH_QUOTE) {
          const end = scanStringStrict(text, i, endLabel)
          if (typeof end !== 'number') return end
          i = end
          state = P_COLON
          break
        }
        if (c === CH_CLOSE_BRACE) {
          if (state === P_KEY_NEXT) return {offset: comma, message: "Trailing comma before '}'"}
          kinds.pop()
          opens.pop()
          i++
          state = P_AFTER
          break
        }
        return {offset: i, message: propertyNameProblem(text, i)}
      case P_COLON:
        if (c === CH_COLON) {
          i++
          state = P_VALUE
          comma = -1
          break
        }
        return {offset: i, message: `Expected ':' after the property name but found ${describeAt(text, i)}`}
    }
  }
}

function scanStringStrict(text: string, open: number, endLabel: string): number | SyntaxProblem {
  const n = text.length
  let j = open + 1
  while (j < n) {
    const c = text.charCodeAt(j)
    if (c === CH_QUOTE) return j + 1
    if (c === CH_BACKSLASH) {
      if (j + 1 >= n) break
      const d = text.charCodeAt(j + 1)
      if (d === 117) {
        if (!/^[0-9a-fA-F]{4}$/.test(text.slice(j + 2, j + 6))) {
          const atEnd = /^[0-9a-fA-F]*$/.test(text.slice(j + 2)) && j + 6 > n
          return {offset: j, message: 'Invalid escape: \\u must be followed by four hexadecimal digits', atEnd}
        }
        j += 6
        continue
      }
      // " \ / b f n r t
      if (d === 34 || d === 92 || d === 47 || d === 98 || d === 102 || d === 110 || d === 114 || d === 116) {
        j += 2
        continue
      }
      if (d !== CH_LF && d !== CH_CR) {
        return {offset: j, message: `Invalid escape '\\${String.fromCharCode(d)}' in a string`}
      }
      j++
      continue
    }
    if (c < 0x20) {
      if (c === CH_LF || c === CH_CR) {
        return {
          offset: open,
          message:
            'Unterminated string: a line break comes before its closing quote (write a line break inside a string as \\n)',
        }
      }
      return {offset: j, message: `Unescaped control character ${unicodeName(c)} in a string`}
    }
    j++
  }
  return {offset: open, message: `Unterminated string: the ${endLabel} comes before its closing quote`, atEnd: true}
}

function scanNumberStrict(text: string, start: number): number | SyntaxProblem {
  let j = start
  if (text.charCodeAt(j) === 45) j++
  let c = text.charCodeAt(j)
  const found = (): string => (j >= text.length ? 'nothing' : describeAt(text, j))
  if (c === 48) {
    j++
    c = text.charCodeAt(j)
    if (c >= 48 && c <= 57) return {offset: j, message: 'Invalid number: leading zeros are not allowed'}
  } else if (c >= 49 && c <= 57) {
    while (c >= 48 && c <= 57) c = text.charCodeAt(++j)
  } else {
    return {
      offset: j,
      message: `Invalid number: expected a digit after '-' but found ${found()}`,
      atEnd: j >= text.length,
    }
  }
  if (c === 46) {
    c = text.charCodeAt(++j)
    if (!(c >= 48 && c <= 57))
      return {
        offset: j,
        message: `Invalid number: expected a digit after '.' but found ${found()}`,
        atEnd: j >= text.length,
      }
    while (c >= 48 && c <= 57) c = text.charCodeAt(++j)
  }
  if (c === 101 || c === 69) {
    c = text.charCodeAt(++j)
    if (c === 43 || c === 45) c = text.charCodeAt(++j)
    if (!(c >= 48 && c <= 57)) {
      return {
        offset: j,
        message: `Invalid number: expected a digit in the exponent but found ${found()}`,
        atEnd: j >= text.length,
      }
    }
    while (c >= 48 && c <= 57) c = text.charCodeAt(++j)
  }
  return j
}

function isLetter(c: number): boolean {
  const lower = c | 0x20
  return lower >= 97 && lower <= 122
}

function isWordChar(c: number): boolean {
  return isLetter(c) || (c >= 48 && c <= 57) || c === 95 || c === 36
}

function wordProblem(word: string): string {
  const lower = word.toLowerCase()
  if (lower === 'true' || lower === 'false' || lower === 'null') {
    return `Unexpected word '${word}' — JSON's literals are lowercase: write ${lower}`
  }
  if (word === 'NaN' || word === 'Infinity') return `'${word}' is not allowed in JSON — use null or a string`
  if (word === 'undefined') return "'undefined' is not allowed in JSON — use null or leave the property out"
  const meant = ['true', 'false', 'null'].find((literal) => lower.length >= 2 && literal.startsWith(lower))
  if (meant !== undefined) return `Unexpected word '${word}' — did you mean ${meant}?`
  return `Unexpected word '${word}' — expected a value (strings must be in double quotes)`
}

function valueProblem(text: string, i: number): string {
  const c = text.charCodeAt(i)
  if (c === 39) return 'Strings must be in double quotes, not single quotes'
  if (c === 47) return 'Comments are not allowed in JSON'
  return `Unexpected ${describeAt(text, i)} — expected a value`
}

function propertyNameProblem(text: string, i: number): string {
  const c = text.charCodeAt(i)
  if (c === 39) return 'Property names must be in double quotes, not single quotes'
  if (c === 47) return 'Comments are not allowed in JSON'
  if (isLetter(c) || c === 95 || c === 36) return 'Property names must be in double quotes'
  return `Expected a property name in double quotes but found ${describeAt(text, i)}`
}

function unicodeName(code: number): string {
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`
}

/** A character as a message shows it: quoted if printable, with its code point if not plain ASCII. */
function describeAt(text: string, i: number): string {
  const code = text.codePointAt(i)
  if (code === undefined) return 'nothing'
  if (code > 0x20 && code < 0x7f) return `'${String.fromCharCode(code)}'`
  if (code === 0xfeff) return 'a byte order mark (U+FEFF)'
  if (
    code <= 0x20 ||
    (code >= 0x7f && code <= 0xa0) ||
    (code >= 0xd800 && code <= 0xdfff) ||
    code === 0x2028 ||
    code === 0x2029
  ) {
    return `character ${unicodeName(code)}`
  }
  return `'${String.fromCodePoint(code)}' (${unicodeName(code)})`
}

function quoteToken(text: string): string {
  return text.length > 30 ? `'${text.slice(0, 30)}…'` : `'${text}'`
}

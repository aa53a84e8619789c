/**
 * Turns paths into a stream of SS 12000 JSON items with exact source positions, without ever holding a whole file.
 *
 * Design: bytes are decoded chunk by chunk; a scanner walks each decoded chunk with charCodeAt, tracking only what
 * it needs to find where each item starts and ends (bracket stack, string/escape state, line/column). Each item's
 * text is sliced out and handed to JSON.parse, so values are never built character by character. Only when
 * JSON.parse throws is the item re-scanned by a strict validator to say exactly where and why.
 */
import * as fs from 'node:fs/promises'

import {BatchedIterator} from './batched-iterator.js'
import {
  ChunkDecoder,
  type DecodeResult,
  EMPTY_BYTES,
  type Encoding,
  encodingProblem,
  sniffEncoding,
  utf16Warning,
} from './json/decoding.js'
import type {JsonInputEvent} from './json/events.js'
import {entityHintFromFileName, expandPath, unreadable} from './json/paths.js'
import {JsonScanner} from './json/scanner.js'

export type {JsonInputEvent, JsonInputIssueCode, JsonPosition} from './json/events.js'
export {entityHintFromFileName} from './json/paths.js'

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

const DEFAULT_CHUNK_SIZE = 1 << 16
const NDJSON_FILE = /\.(ndjson|jsonl)$/i

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

/** The events of one file, a decoded chunk's worth at a time, ending with its summary. */
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
        if (started.note !== undefined) scanner.out.push(utf16Warning(file, started.note))
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
      if (started.note !== undefined) scanner.out.push(utf16Warning(file, started.note))
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

/**
 * The zip container of a workbook, read without temporary files. The central directory is parsed first (it says what
 * every part expands to, so a zip bomb is refused before anything is inflated), then each part is inflated on demand
 * from its own offset, so parts can be read in the order the reader needs them, whatever order the writer chose.
 */
import {createReadStream} from 'node:fs'
import {open, type FileHandle} from 'node:fs/promises'
import {StringDecoder} from 'node:string_decoder'
import {createInflateRaw, type InflateRaw} from 'node:zlib'

import {InvalidDataError, ToolkitError, UsageError} from '../../errors.js'

/** The advice every "not a readable workbook" error gives. */
export const SAVE_AS_XLSX = 'Open it in Excel and save it as .xlsx (Excel Workbook), or export the sheet as CSV.'
/** A part bigger than this that compresses better than RATIO_LIMIT:1 is a zip bomb, whatever the total cap says. */
const RATIO_SIZE_LIMIT = 100 * 1024 ** 2
const RATIO_LIMIT = 1000
const CHUNK = 1 << 16

/** A part of the zip, as its central directory describes it. */
export interface ZipEntry {
  name: string
  method: number
  flags: number
  compressedSize: number
  size: number
  headerOffset: number
  dataOffset?: number
}

/** An opened zip: its file and its parts. */
export interface Zip {
  file: string
  /** By lower-cased name: part names are case-insensitive (ECMA-376 part 2). */
  entries: Map<string, ZipEntry>
}

/**
 * Reads the zip's central directory and refuses the file when it is no zip, is encrypted, uses a compression the
 * reader lacks, or would expand past `maxExpandedBytes` (in total, or one part absurdly compressed).
 */
export async function openZip(file: string, maxExpandedBytes: number): Promise<Zip> {
  let handle: FileHandle
  try {
    handle = await open(file, 'r')
  } catch (error) {
    throw new UsageError(`Cannot open ${file}: ${(error as Error).message}`)
  }
  try {
    const entries = await readDirectory(file, handle).catch((error: unknown) => {
      if (error instanceof ToolkitError) throw error
      throw new UsageError(`Cannot read ${file}: ${(error as Error).message}`)
    })
    let total = 0
    let compressed = 0
    for (const entry of entries) {
      if (entry.flags & 1) {
        throw new InvalidDataError(`${file} is encrypted (password-protected); the toolkit cannot read it.`, {
          actions: ['Remove the password in Excel (File → Info → Protect Workbook) and save it again.'],
        })
      }
      if (entry.method !== 0 && entry.method !== 8) {
        throw damaged(file, `part ${entry.name} uses zip compression method ${entry.method}, which the reader lacks`)
      }
      total += entry.size
      compressed += entry.compressedSize
      const ratio = entry.size / Math.max(entry.compressedSize, 1)
      if (entry.size > RATIO_SIZE_LIMIT && ratio > RATIO_LIMIT) {
        throw new InvalidDataError(
          `${file} looks like a zip bomb: its part ${entry.name} would expand from ${bytes(entry.compressedSize)} to ` +
            `${bytes(entry.size)} (${Math.round(ratio).toLocaleString('en-US')}:1; a real worksheet compresses ` +
            `less than ${RATIO_LIMIT}:1). It was not read.`,
          {actions: ['If the file is genuine, export the sheet as CSV and read that instead.']},
        )
      }
    }
    if (total > maxExpandedBytes) {
      throw new InvalidDataError(
        `${file} would expand to ${bytes(total)} (${bytes(compressed)} compressed), more than the ${bytes(maxExpandedBytes)} ` +
          'this reader allows for a workbook. It was not read.',
        {
          actions: [
            'If the file is genuine, export the sheet as CSV (which has no such cap), or raise the cap with the reader option maxExpandedBytes.',
          ],
        },
      )
    }
    return {file, entries: new Map(entries.map((entry) => [entry.name.toLowerCase(), entry]))}
  } finally {
    await handle.close()
  }
}

function bytes(count: number): string {
  if (count >= 1024 ** 3) return `${(count / 1024 ** 3).toFixed(1)} GiB`
  if (count >= 1024 ** 2) return `${(count / 1024 ** 2).toFixed(1)} MiB`
  if (count >= 1024) return `${(count / 1024).toFixed(1)} KiB`
  return `${count} bytes`
}

/** The error for a part whose tokenizer would carry more than MAX_PENDING of unparsed text. */
export function damagedPart(file: string, part: string): InvalidDataError {
  return damaged(file, `${part} holds a tag or text longer than any real workbook has`)
}

function damaged(file: string, detail: string): InvalidDataError {
  return new InvalidDataError(`${file} is a damaged .xlsx workbook: ${detail}.`, {actions: [SAVE_AS_XLSX]})
}

async function readAt(file: string, handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length)
  const {bytesRead} = await handle.read(buffer, 0, length, position)
  if (bytesRead !== length) throw damaged(file, 'it ends too early')
  return buffer
}

const EOCD = 0x06054b50
const EOCD64_LOCATOR = 0x07064b50
const EOCD64 = 0x06064b50
const CENTRAL = 0x02014b50
const LOCAL = 0x04034b50
const U32 = 0xffffffff

async function readDirectory(file: string, handle: FileHandle): Promise<ZipEntry[]> {
  const {size} = await handle.stat()
  const head = await readAt(file, handle, 0, Math.min(size, 8))
  const tailLength = Math.min(size, 22 + 0xffff)
  const tail = await readAt(file, handle, size - tailLength, tailLength)
  let eocd = -1
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === EOCD) {
      eocd = i
      break
    }
  }
  if (eocd < 0) throw notAWorkbook(file, head)
  let count = tail.readUInt16LE(eocd + 10)
  let directorySize = tail.readUInt32LE(eocd + 12)
  let directoryOffset = tail.readUInt32LE(eocd + 16)
  if (count === 0xffff || directorySize === U32 || directoryOffset === U32) {
    const locator = size - tailLength + eocd - 20
    if (locator >= 0) {
      const record = await readAt(file, handle, locator, 20)
      if (record.readUInt32LE(0) === EOCD64_LOCATOR) {
        const at = Number(record.readBigUInt64LE(8))
        if (at + 56 > size) throw damaged(file, 'its zip64 directory record points past the end of the file')
        const zip64 = await readAt(file, handle, at, 56)
        if (zip64.readUInt32LE(0) !== EOCD64) throw damaged(file, 'its zip64 directory record is missing')
        count = Number(zip64.readBigUInt64LE(32))
        directorySize = Number(zip64.readBigUInt64LE(40))
        directoryOffset = Number(zip64.readBigUInt64LE(48))
      }
    }
  }
  if (directoryOffset + directorySize > size) throw damaged(file, 'its table of contents points past the end')
  if (directorySize > 64 * 1024 ** 2) throw damaged(file, 'its table of contents is implausibly large')
  const directory = await readAt(file, handle, directoryOffset, directorySize)
  const entries: ZipEntry[] = []
  let p = 0
  while (p + 46 <= directory.length && directory.readUInt32LE(p) === CENTRAL) {
    const nameLength = directory.readUInt16LE(p + 28)
    const extraLength = directory.readUInt16LE(p + 30)
    const commentLength = directory.readUInt16LE(p + 32)
    const next = p + 46 + nameLength + extraLength + commentLength
    if (next > directory.length) throw damaged(file, 'its table of contents is cut off')
    const entry: ZipEntry = {
      name: directory.toString('utf8', p + 46, p + 46 + nameLength).replace(/^\/+/, ''),
      flags: directory.readUInt16LE(p + 8),
      method: directory.readUInt16LE(p + 10),
      compressedSize: directory.readUInt32LE(p + 20),
      size: directory.readUInt32LE(p + 24),
      headerOffset: directory.readUInt32LE(p + 42),
    }
    // ZIP64: the real sizes and offset are in the extra field 0x0001, for each field that says 0xFFFFFFFF.
    for (let q = p + 46 + nameLength; q + 4 <= p + 46 + nameLength + extraLength;) {
      const id = directory.readUInt16LE(q)
      const length = directory.readUInt16LE(q + 2)
      if (id === 1) {
        let r = q + 4
        const end = q + 4 + length
        const take = () => {
          if (r + 8 > end || r + 8 > directory.length) throw damaged(file, 'a zip64 field is cut off')
          const value = Number(directory.readBigUInt64LE(r))
          r += 8
          return value
        }
        if (entry.size === U32) entry.size = take()
        if (entry.compressedSize === U32) entry.compressedSize = take()
        if (entry.headerOffset === U32) entry.headerOffset = take()
      }
      q += 4 + length
    }
    if (!entry.name.endsWith('/')) entries.push(entry)
    p = next
  }
  if (entries.length === 0 && count > 0) throw damaged(file, 'its table of contents cannot be read')
  return entries
}

function notAWorkbook(file: string, head: Buffer): InvalidDataError {
  if (head.length >= 4 && head.readUInt32BE(0) === 0xd0cf11e0) {
    return new InvalidDataError(
      `${file} is not an Excel .xlsx workbook: it is an old binary Excel file (.xls) or a password-protected ` +
        'workbook; save it as .xlsx or export CSV.',
      {actions: ['Open it in Excel, remove any password, and save it as .xlsx (Excel Workbook), or export CSV.']},
    )
  }
  if (head.length >= 4 && head.readUInt32LE(0) === LOCAL) {
    return damaged(file, 'the end of the zip archive is missing (was the file cut off while copying?)')
  }
  return new InvalidDataError(
    `${file} is not an Excel .xlsx workbook (it is not a zip archive); save it as .xlsx or export CSV.`,
    {actions: [SAVE_AS_XLSX]},
  )
}

/**
 * The inflated bytes of a part, streamed from its offset. Counts what comes out: a part that expands beyond the size
 * the directory declared (which the cap was checked against) is refused.
 */
export async function* entryChunks(zip: Zip, entry: ZipEntry): AsyncGenerator<Buffer> {
  if (entry.dataOffset === undefined) {
    const missing = () => damaged(zip.file, `part ${entry.name} is missing`)
    const handle = await open(zip.file, 'r').catch(() => {
      throw missing()
    })
    try {
      const header = await readAt(zip.file, handle, entry.headerOffset, 30).catch(() => {
        throw missing()
      })
      if (header.readUInt32LE(0) !== LOCAL) throw missing()
      entry.dataOffset = entry.headerOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28)
    } finally {
      await handle.close()
    }
  }
  if (entry.compressedSize === 0) {
    if (entry.size !== 0) throw damaged(zip.file, `part ${entry.name} is empty`)
    return
  }
  const source = createReadStream(zip.file, {
    start: entry.dataOffset,
    end: entry.dataOffset + entry.compressedSize - 1,
    highWaterMark: CHUNK,
  })
  let inflater: InflateRaw | undefined
  let stream: AsyncIterable<Buffer> = source
  if (entry.method === 8) {
    const inflate = createInflateRaw({chunkSize: CHUNK})
    inflater = inflate
    source.on('error', (error) => inflate.destroy(error))
    source.pipe(inflate)
    stream = inflate
  }
  let produced = 0
  try {
    for await (const chunk of stream) {
      produced += chunk.length
      if (produced > entry.size) {
        throw new InvalidDataError(
          `${zip.file} is damaged or crafted: its part ${entry.name} expands beyond the ${bytes(entry.size)} its ` +
            'zip directory declares. It was not read further.',
          {actions: [SAVE_AS_XLSX]},
        )
      }
      yield chunk
    }
  } catch (error) {
    if (error instanceof ToolkitError) throw error
    throw damaged(zip.file, `part ${entry.name} cannot be decompressed (${(error as Error).message})`)
  } finally {
    source.destroy()
    inflater?.destroy()
  }
}

function isUtf16(chunk: Buffer): boolean {
  return chunk.length >= 2 && chunk[0] === 0xff && chunk[1] === 0xfe
}

function hasBom(chunk: Buffer): boolean {
  return chunk.length >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf
}

/**
 * How a part's text starts, from its first chunk: the decoder it needs (UTF-16 LE when it starts with that byte order
 * mark, else UTF-8) and the chunk's bytes without the byte order mark.
 */
export function startDecoding(first: Buffer): {decoder: StringDecoder; utf16: boolean; bytes: Buffer} {
  const utf16 = isUtf16(first)
  const decoder = new StringDecoder(utf16 ? 'utf16le' : 'utf8')
  const bytes = utf16 ? first.subarray(2) : hasBom(first) ? first.subarray(3) : first
  return {decoder, utf16, bytes}
}

/** A part's text, decoded chunk by chunk (UTF-8, or UTF-16 LE when it starts with that byte order mark). */
export async function* entryText(zip: Zip, entry: ZipEntry): AsyncGenerator<string> {
  let decoder: StringDecoder | undefined
  for await (const chunk of entryChunks(zip, entry)) {
    let bytes = chunk
    if (decoder === undefined) ({decoder, bytes} = startDecoding(chunk))
    const text = decoder.write(bytes)
    if (text !== '') yield text
  }
  const rest = decoder?.end() ?? ''
  if (rest !== '') yield rest
}

/** A small part's whole text. */
export async function entryString(zip: Zip, entry: ZipEntry): Promise<string> {
  let text = ''
  for await (const part of entryText(zip, entry)) text += part
  return text
}

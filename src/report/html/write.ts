import {createWriteStream} from 'node:fs'
import {Readable} from 'node:stream'
import {pipeline} from 'node:stream/promises'

/** Writes a report's chunks to a file as they are made, so a large report is never held whole. */
export async function writeHtmlReport(path: string, chunks: Iterable<string>): Promise<void> {
  await pipeline(Readable.from(chunks), createWriteStream(path))
}

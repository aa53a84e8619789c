import {closeSync, createReadStream, mkdirSync, openSync, writeSync} from 'node:fs'
import {readFile, rename, rm} from 'node:fs/promises'
import {join} from 'node:path'
import {createInterface} from 'node:readline'

import {csvCell} from '../report/csv-cell.js'
import {ENTITY_NAMING, type EntityName} from '../schema/entity-names.js'
import {maskCivicNumbersInText} from '../validation/identity.js'

/**
 * Buffered appends to one file, written synchronously in large blocks: the run produces lines far faster than a
 * promise per line could carry them, and nothing else waits on this process meanwhile.
 */
export class LineWriter {
  private readonly buffer = Buffer.allocUnsafe(1 << 20)
  private used = 0

  private constructor(private readonly fd: number) {}

  static create(path: string): LineWriter {
    return new LineWriter(openSync(path, 'w', 0o600))
  }

  write(text: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 unit; encode straight into the buffer, no joining of strings.
    if (this.used + text.length * 3 > this.buffer.length) {
      this.flush()
      if (text.length * 3 > this.buffer.length) {
        writeSync(this.fd, text)
        return
      }
    }
    this.used += this.buffer.write(text, this.used)
  }

  flush(): void {
    let written = 0
    while (written < this.used) written += writeSync(this.fd, this.buffer, written, this.used - written)
    this.used = 0
  }

  close(): void {
    this.flush()
    closeSync(this.fd)
  }
}

/** One entity as spilled to disk: its validation record, its rows, and its text as the entity file will hold it. */
export interface SpilledEntity {
  record: number
  rows: number[]
  /** The places of values in its lists, as JSON [pointer, origin] pairs ('' when none). */
  origins: string
  /** `formatEntity`'s text of the entity. */
  text: string
}

// Formatted entities span lines; in the spill, each is one line with its line breaks as NUL, which JSON text never
// holds raw (JSON.stringify writes U+0000 inside strings as \u0000).
const LINE_BREAK = /\n/g

/**
 * Entities produced so far, kept on disk (one file per entity type in a private work folder) so that memory does not
 * grow with the export: only the validation index stays in memory. Each is kept already formatted for its entity
 * file, so that writing a valid run copies text instead of parsing and formatting every entity again.
 */
export class EntitySpill {
  private readonly writers = new Map<EntityName, LineWriter>()

  constructor(
    readonly dir: string,
    private readonly format: OutputFormat,
  ) {}

  /**
   * Keeps an entity. `origins` are the places of values inside its lists (a membership's person), so that a list
   * item removed later can be placed at the row that added it.
   */
  add(
    entity: EntityName,
    record: number,
    rows: number[],
    value: Record<string, unknown>,
    origins: Array<[string, number]>,
  ): void {
    let writer = this.writers.get(entity)
    if (!writer) {
      mkdirSync(this.dir, {recursive: true, mode: 0o700})
      writer = LineWriter.create(this.file(entity))
      this.writers.set(entity, writer)
    }
    const text = formatEntity(value, this.format)
    const formatted = this.format === 'json' ? text.replace(LINE_BREAK, '\u0000') : text
    const places = origins.length === 0 ? '' : JSON.stringify(origins)
    writer.write(`${record}\t${rows.join(',')}\t${places}\t${formatted}\n`)
  }

  entities(): EntityName[] {
    return [...this.writers.keys()]
  }

  close(): void {
    for (const writer of this.writers.values()) writer.close()
  }

  /** The spilled entities of one type, in the order they were added. */
  async *read(entity: EntityName): AsyncGenerator<SpilledEntity> {
    if (!this.writers.has(entity)) return
    const lines = createInterface({input: createReadStream(this.file(entity), 'utf8'), crlfDelay: Infinity})
    for await (const line of lines) {
      const first = line.indexOf('\t')
      const second = line.indexOf('\t', first + 1)
      const third = line.indexOf('\t', second + 1)
      const rows = line.slice(first + 1, second)
      const text = line.slice(third + 1)
      yield {
        record: Number(line.slice(0, first)),
        rows: rows === '' ? [] : rows.split(',').map(Number),
        origins: line.slice(second + 1, third),
        text: this.format === 'json' ? text.replaceAll('\u0000', '\n') : text,
      }
    }
  }

  async remove(): Promise<void> {
    await rm(this.dir, {recursive: true, force: true})
  }

  private file(entity: EntityName): string {
    return join(this.dir, `${entity}.spill`)
  }
}

/**
 * An entity as its file holds it: NDJSON, one line; JSON, laid out as `JSON.stringify(array, null, 2)` lays out an
 * array's items (indented by two more spaces).
 */
export function formatEntity(value: unknown, format: OutputFormat): string {
  return format === 'ndjson' ? JSON.stringify(value) : JSON.stringify(value, null, 2).replace(LINE_BREAK, '\n  ')
}

export type OutputFormat = 'json' | 'ndjson'

/** The file an entity type is written to: its collection name, as the read API calls it. */
export function entityFileName(entity: EntityName, format: OutputFormat): string {
  return `${ENTITY_NAMING[entity].collection}.${format}`
}

/**
 * Writes one entity file atomically (to a temporary name, renamed at the end). JSON is an array laid out exactly as
 * `JSON.stringify(array, null, 2)` would, written one record at a time.
 */
export class EntityFileWriter {
  private count = 0

  private constructor(
    private readonly writer: LineWriter,
    private readonly temporary: string,
    readonly path: string,
    private readonly format: OutputFormat,
  ) {}

  static async create(path: string, format: OutputFormat): Promise<EntityFileWriter> {
    const temporary = `${path}.tmp`
    return new EntityFileWriter(LineWriter.create(temporary), temporary, path, format)
  }

  /** Adds an entity given as `formatEntity` made it for this file's format. */
  add(text: string): void {
    if (this.format === 'ndjson') this.writer.write(`${text}\n`)
    else this.writer.write(`${this.count === 0 ? '[\n  ' : ',\n  '}${text}`)
    this.count++
  }

  /** Finishes the file and moves it into place; returns how many records it holds. */
  async commit(): Promise<number> {
    if (this.format === 'json') this.writer.write(this.count === 0 ? '[]\n' : '\n]\n')
    this.writer.close()
    await rename(this.temporary, this.path)
    return this.count
  }

  async abandon(): Promise<void> {
    this.writer.close()
    await rm(this.temporary, {force: true})
  }
}

/** A row of rejects.csv, before masking. */
export interface RejectedRow {
  file: string
  line: number
  reasons: string[]
  cells: Record<string, string>
}

/**
 * Writes rejects.csv: file, line, reasons and then the original cells under their headers (the union of every
 * input's headers), UTF-8 with a byte-order mark and `;` as Swedish Excel expects. Civic numbers in cells are masked
 * unless `reveal`.
 */
export async function writeRejects(
  path: string,
  headers: string[],
  rows: RejectedRow[],
  reveal: boolean,
): Promise<void> {
  const mask = reveal ? (text: string) => text : maskCivicNumbersInText
  const lines = [['file', 'line', 'reasons', ...headers].map((cell) => csvCell(cell)).join(';')]
  for (const row of rows) {
    const cells = [
      row.file,
      String(row.line),
      mask(row.reasons.join(' | ')),
      ...headers.map((h) => mask(row.cells[h] ?? '')),
    ]
    lines.push(cells.map((cell) => csvCell(cell)).join(';'))
  }
  const writer = LineWriter.create(`${path}.tmp`)
  writer.write(`\ufeff${lines.join('\r\n')}\r\n`)
  writer.close()
  await rename(`${path}.tmp`, path)
}

/** Writes a JSON file atomically. */
export async function writeJsonFile(path: string, value: unknown): Promise<void> {
  const writer = LineWriter.create(`${path}.tmp`)
  writer.write(`${JSON.stringify(value, null, 2)}\n`)
  writer.close()
  await rename(`${path}.tmp`, path)
}

/** The entity files an earlier convert wrote into a folder, as its report.json lists them. */
export async function previousOutputs(reportPath: string): Promise<string[]> {
  try {
    const report = JSON.parse(await readFile(reportPath, 'utf8')) as {tool?: unknown; outputs?: unknown}
    if (report.tool !== 'ss12000 convert' || !Array.isArray(report.outputs)) return []
    // Names in outDir, or in its annotated/ folder (convert --annotate): nothing else is ever removed.
    return report.outputs.filter(
      (name): name is string =>
        typeof name === 'string' && /^(?:annotated\/)?[^/\\]+$/.test(name) && !/^\.\.?$|\/\.\.?$/.test(name),
    )
  } catch {
    return []
  }
}

/** A list item kept aside for a held entity, as read back: its row, the list it joins, its origins and its JSON. */
export interface SpilledItem {
  row: number | undefined
  key: string
  /** The item's JSON text, as written: equal texts are equal items. */
  item: string
  origins: Array<[string, number]>
  /** Defaults from the configuration in the item, as indexes into `ItemSpill.defaults`. */
  defaults: number[]
}

/** Reads one line of the item spill (after its position). */
export function parseSpilledItem(line: string): SpilledItem {
  const fields = line.split('\t', 6)
  const start = fields.reduce((sum, field) => sum + field.length + 1, 0)
  return {
    row: fields[2] === '' ? undefined : Number(fields[2]),
    key: fields[3]!,
    origins: JSON.parse(fields[4]!) as Array<[string, number]>,
    defaults: fields[5] === '' ? [] : fields[5]!.split(',').map(Number),
    item: line.slice(start),
  }
}

/**
 * How many bytes of item lines one bucket brings back into memory at a time. Lines stay text until their entity is
 * assembled, so a bucket costs little more than its bytes.
 */
const BUCKET_BYTES = 16 << 20

/**
 * List items that later rows add to held entities (a group's members from a memberships file), kept on disk so that
 * memory does not grow with the rows. When the held entities are drained, the items come back bucket by bucket, in
 * drain order, so only one bucket's items are in memory at a time.
 */
export class ItemSpill {
  private writer: LineWriter | undefined
  private bytes = 0
  private readonly outputs = new Map<string, number>()
  private readonly defaultKeys = new Map<string, number>()
  /** The defaults items name by number: [field, setting, value]. */
  readonly defaults: Array<[string, string, string]> = []

  constructor(private readonly dir: string) {}

  private defaultIndex({field, setting, value}: {field: string; setting: string; value: string}): number {
    const key = `${field}\u0000${setting}\u0000${value}`
    let index = this.defaultKeys.get(key)
    if (index === undefined) {
      index = this.defaults.push([field, setting, value]) - 1
      this.defaultKeys.set(key, index)
    }
    return index
  }

  add(item: {
    output: string
    seq: number
    row: number | undefined
    key: string
    item: unknown
    origins: unknown[]
    defaults: Array<{field: string; setting: string; value: string}>
  }): void {
    if (!this.writer) {
      mkdirSync(this.dir, {recursive: true, mode: 0o700})
      this.writer = LineWriter.create(join(this.dir, 'items.tsv'))
    }
    let index = this.outputs.get(item.output)
    if (index === undefined) this.outputs.set(item.output, (index = this.outputs.size))
    // Defaults repeat on every item (each membership's start date): written as numbers into a table.
    const defaults = item.defaults.map((applied) => this.defaultIndex(applied)).join(',')
    const line = `${index}\t${item.seq}\t${item.row ?? ''}\t${item.key}\t${JSON.stringify(item.origins)}\t${defaults}\t${JSON.stringify(item.item)}\n`
    this.bytes += line.length
    this.writer.write(line)
  }

  /**
   * The item lines in buckets of drain positions: each bucket maps a position to its lines, in the order they were
   * added (read them with `parseSpilledItem`). `counts` are the held outputs with their sizes, in drain order;
   * positions count across them.
   */
  async *buckets(counts: Array<[output: string, count: number]>): AsyncGenerator<{
    from: number
    to: number
    items: Map<number, string[]>
  }> {
    const total = counts.reduce((sum, [, count]) => sum + count, 0)
    if (!this.writer) {
      yield {from: 0, to: total, items: new Map()}
      return
    }
    this.writer.close()
    const offsets = new Map<number, number>()
    let offset = 0
    for (const [output, count] of counts) {
      const index = this.outputs.get(output)
      if (index !== undefined) offsets.set(index, offset)
      offset += count
    }
    const position = (line: string) => {
      const first = line.indexOf('\t')
      const second = line.indexOf('\t', first + 1)
      return offsets.get(Number(line.slice(0, first)))! + Number(line.slice(first + 1, second))
    }
    const bucketCount = Math.max(1, Math.ceil(this.bytes / BUCKET_BYTES))
    const size = Math.max(1, Math.ceil(total / bucketCount))
    const source = join(this.dir, 'items.tsv')
    if (bucketCount === 1) {
      yield {from: 0, to: total, items: await groupLines(source, position)}
      return
    }
    // Route the lines into one file per bucket of positions, then bring each bucket back in turn.
    const writers: LineWriter[] = []
    for (let bucket = 0; bucket < bucketCount; bucket++) {
      writers.push(LineWriter.create(join(this.dir, `bucket-${bucket}.tsv`)))
    }
    for await (const line of readLines(source)) {
      writers[Math.min(bucketCount - 1, Math.floor(position(line) / size))]!.write(`${line}\n`)
    }
    for (const writer of writers) writer.close()
    await rm(source)
    for (let bucket = 0; bucket < bucketCount; bucket++) {
      const file = join(this.dir, `bucket-${bucket}.tsv`)
      const items = await groupLines(file, position)
      await rm(file)
      yield {from: bucket * size, to: Math.min(total, (bucket + 1) * size), items}
    }
  }
}

async function* readLines(file: string): AsyncGenerator<string> {
  const lines = createInterface({input: createReadStream(file, 'utf8'), crlfDelay: Infinity})
  for await (const line of lines) if (line !== '') yield line
}

async function groupLines(file: string, position: (line: string) => number): Promise<Map<number, string[]>> {
  const map = new Map<number, string[]>()
  for await (const line of readLines(file)) {
    const at = position(line)
    const list = map.get(at)
    if (list) list.push(line)
    else map.set(at, [line])
  }
  return map
}

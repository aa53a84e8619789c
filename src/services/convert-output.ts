import {createReadStream} from 'node:fs'
import {mkdir, open, readFile, rename, rm, type FileHandle} from 'node:fs/promises'
import {join} from 'node:path'
import {createInterface} from 'node:readline'

import {ENTITY_NAMING, type EntityName} from '../schema/entity-names.js'
import {maskCivicNumbersInText} from '../validation/identity.js'

/** Buffered appends to one file, flushed in large writes. */
export class LineWriter {
  private chunks: string[] = []
  private size = 0

  private constructor(private readonly handle: FileHandle) {}

  static async create(path: string): Promise<LineWriter> {
    return new LineWriter(await open(path, 'w', 0o600))
  }

  async write(text: string): Promise<void> {
    this.chunks.push(text)
    this.size += text.length
    if (this.size >= 1 << 20) await this.flush()
  }

  async flush(): Promise<void> {
    if (this.chunks.length === 0) return
    const text = this.chunks.join('')
    this.chunks = []
    this.size = 0
    await this.handle.write(text)
  }

  async close(): Promise<void> {
    await this.flush()
    await this.handle.close()
  }
}

/** One entity as spilled to disk while the run goes on: its validation record, its rows and its JSON. */
export interface SpilledEntity {
  record: number
  rows: number[]
  value: Record<string, unknown>
}

/**
 * Entities produced so far, kept on disk (one NDJSON-like file per entity type in a private work folder) so that
 * memory does not grow with the export: only the validation index stays in memory.
 */
export class EntitySpill {
  private readonly writers = new Map<EntityName, LineWriter>()

  constructor(readonly dir: string) {}

  async add(entity: EntityName, record: number, rows: number[], value: Record<string, unknown>): Promise<void> {
    let writer = this.writers.get(entity)
    if (!writer) {
      await mkdir(this.dir, {recursive: true, mode: 0o700})
      writer = await LineWriter.create(this.file(entity))
      this.writers.set(entity, writer)
    }
    await writer.write(`${record}\t${rows.join(',')}\t${JSON.stringify(value)}\n`)
  }

  entities(): EntityName[] {
    return [...this.writers.keys()]
  }

  async close(): Promise<void> {
    for (const writer of this.writers.values()) await writer.close()
  }

  /** The spilled entities of one type, in the order they were added. */
  async *read(entity: EntityName): AsyncGenerator<SpilledEntity> {
    if (!this.writers.has(entity)) return
    const lines = createInterface({input: createReadStream(this.file(entity), 'utf8'), crlfDelay: Infinity})
    for await (const line of lines) {
      const first = line.indexOf('\t')
      const second = line.indexOf('\t', first + 1)
      const rows = line.slice(first + 1, second)
      yield {
        record: Number(line.slice(0, first)),
        rows: rows === '' ? [] : rows.split(',').map(Number),
        value: JSON.parse(line.slice(second + 1)) as Record<string, unknown>,
      }
    }
  }

  async remove(): Promise<void> {
    await rm(this.dir, {recursive: true, force: true})
  }

  private file(entity: EntityName): string {
    return join(this.dir, `${entity}.ndjson`)
  }
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
    return new EntityFileWriter(await LineWriter.create(temporary), temporary, path, format)
  }

  async add(value: unknown): Promise<void> {
    if (this.format === 'ndjson') {
      await this.writer.write(`${JSON.stringify(value)}\n`)
    } else {
      const text = JSON.stringify(value, null, 2).replaceAll('\n', '\n  ')
      await this.writer.write(`${this.count === 0 ? '[\n  ' : ',\n  '}${text}`)
    }
    this.count++
  }

  /** Finishes the file and moves it into place; returns how many records it holds. */
  async commit(): Promise<number> {
    if (this.format === 'json') await this.writer.write(this.count === 0 ? '[]\n' : '\n]\n')
    await this.writer.close()
    await rename(this.temporary, this.path)
    return this.count
  }

  async abandon(): Promise<void> {
    await this.writer.close()
    await rm(this.temporary, {force: true})
  }
}

/** A CSV cell as Excel reads it: quoted when needed, and never taken for a formula. */
export function csvCell(value: string, delimiter = ';'): string {
  // A leading =, +, - or @ makes Excel evaluate the cell; a quote mark before it keeps it text (OWASP CSV injection).
  const guarded = /^[=+@\t\r]/.test(value) || /^-[^\d]/.test(value) ? `'${value}` : value
  return guarded.includes(delimiter) || /["\r\n]/.test(guarded) ? `"${guarded.replaceAll('"', '""')}"` : guarded
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
  const writer = await LineWriter.create(`${path}.tmp`)
  await writer.write(`\ufeff${lines.join('\r\n')}\r\n`)
  await writer.close()
  await rename(`${path}.tmp`, path)
}

/** Writes a JSON file atomically. */
export async function writeJsonFile(path: string, value: unknown): Promise<void> {
  const writer = await LineWriter.create(`${path}.tmp`)
  await writer.write(`${JSON.stringify(value, null, 2)}\n`)
  await writer.close()
  await rename(`${path}.tmp`, path)
}

/** The entity files an earlier convert wrote into a folder, as its report.json lists them. */
export async function previousOutputs(reportPath: string): Promise<string[]> {
  try {
    const report = JSON.parse(await readFile(reportPath, 'utf8')) as {tool?: unknown; outputs?: unknown}
    if (report.tool !== 'ss12000 convert' || !Array.isArray(report.outputs)) return []
    return report.outputs.filter((name): name is string => typeof name === 'string' && !name.includes('/'))
  } catch {
    return []
  }
}

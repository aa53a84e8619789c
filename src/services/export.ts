import {mkdir, readdir, rm, stat} from 'node:fs/promises'
import {join, resolve} from 'node:path'

import {UsageError} from '../errors.js'
import {DEPENDENCY_ORDER, ENTITY_NAMES, ENTITY_NAMING, type EntityName} from '../schema/entity-names.js'
import {getModel} from '../schema/validators.js'
import {openStagingDatabase, type StagingDatabase} from '../staging/database.js'
import {
  ColumnCollector,
  type FieldOrder,
  flattenRecord,
  type FlatValue,
  type OrderingSchema,
  orderFields,
  schemaFieldOrder,
} from '../staging/flatten.js'
import {getBatch, listBatches, resolveScope, stagedRecords, type StoredRecord} from '../staging/read.js'
import {maskCivicNumber} from '../validation/identity.js'
import {formatEntity} from './convert-output.js'
import {
  CsvTableWriter,
  FileOutput,
  JsonRecordWriter,
  StreamOutput,
  type TextOutput,
  XlsxWorkbookWriter,
} from './export-output.js'

export const EXPORT_FORMATS = ['json', 'ndjson', 'csv', 'xlsx'] as const
export type ExportFormat = (typeof EXPORT_FORMATS)[number]

export interface ExportOptions {
  dbPath: string
  scope?: string
  /** Export the state right after this batch; default the current state. */
  batch?: number
  /** One entity type; undefined: every entity type the state holds. */
  entity?: EntityName
  format: ExportFormat
  /**
   * One entity type: the file (or a folder to write `<collection>.<format>` into); undefined writes to `stdout`.
   * Every entity type: the folder of one file per type (json, ndjson, csv), or the workbook (xlsx).
   */
  out?: string
  reveal: boolean
  /** Where data goes without `out`; undefined when stdout is taken (by the `--json` summary). */
  stdout?: NodeJS.WritableStream
  onProgress?: (progress: {entity: EntityName; records: number}) => void
}

export interface ExportedEntity {
  entity: EntityName
  records: number
  /** The file written (absent: stdout, or a worksheet of the workbook). */
  file?: string
  /** The worksheet (xlsx). */
  sheet?: string
  /** The columns of the table (csv, xlsx). */
  columns?: number
  /** Cells cut to Excel's limit of 32,767 characters (xlsx). */
  cutCells?: number
}

export interface ExportResult {
  scope: string
  /** The state exported is the one right after this batch. */
  batch: number
  /** Whether that is the scope's current state (no --batch, or the newest batch of the scope). */
  current: boolean
  format: ExportFormat
  /** Whether personnummer are masked (csv and xlsx without --reveal; json and ndjson never are). */
  masked: boolean
  /** The file or folder written; absent when the records went to stdout. */
  out?: string
  entities: ExportedEntity[]
  records: number
  /** Entity files of an earlier export that this one no longer holds, removed from the --out folder. */
  removed: string[]
  /** Whether stdout's reader went away before everything was written (piped into `head`). */
  truncated: boolean
}

/** The extensions of the entity files an export writes into a folder, which a later export replaces or removes. */
const FOLDER_FORMATS = ['json', 'ndjson', 'csv'] as const
const PROGRESS_EVERY = 1000

/** The file an entity type is exported to: its collection name, as convert names its files. */
export function exportFileName(entity: EntityName, format: ExportFormat): string {
  return `${ENTITY_NAMING[entity].collection}.${format}`
}

/**
 * Exports the staged state of a scope (now, or right after a batch): JSON and NDJSON as the records were staged, ready
 * to validate, stage or upload again; CSV and XLSX flattened for people (see src/staging/flatten.ts), personnummer
 * masked unless `reveal`. Reads in one read transaction, so a batch staged meanwhile changes nothing; streams
 * records, so memory stays flat however many there are (tables take two passes: columns, then rows).
 */
export async function exportStaged(options: ExportOptions): Promise<ExportResult> {
  const target = await resolveTarget(options)
  if (target.kind !== 'stdout' && target.kind !== 'folder' && resolve(target.path) === resolve(options.dbPath)) {
    throw new UsageError(`--out ${target.path} is the staging database itself.`, {
      actions: ['Give another --out.'],
    })
  }
  const db = openStagingDatabase(options.dbPath, {create: false})
  try {
    // One read transaction: both passes and every entity type see the same state, whatever is staged meanwhile.
    db.exec('BEGIN')
    try {
      return await exportState(db, options, target)
    } finally {
      if (db.inTransaction) db.exec('ROLLBACK')
    }
  } finally {
    db.close()
  }
}

/** Where the export goes, checked before anything is read. */
type Target =
  | {kind: 'stdout'; stream: NodeJS.WritableStream}
  | {kind: 'file'; path: string}
  | {kind: 'folder'; path: string}
  | {kind: 'workbook'; path: string}

async function resolveTarget(options: ExportOptions): Promise<Target> {
  const {entity, format, out} = options
  const existing = out === undefined ? undefined : await stat(out).catch(() => undefined)
  if (entity === undefined) {
    if (out === undefined) {
      throw new UsageError(
        `--all writes ${format === 'xlsx' ? 'a workbook' : 'one file per entity type'}: give --out.`,
        {
          actions: [
            format === 'xlsx'
              ? 'For example: --all --format xlsx --out ss12000.xlsx.'
              : `For example: --all --format ${format} --out export/ (a folder; ss12000 validate and stage read it back).`,
          ],
        },
      )
    }
    if (format === 'xlsx') {
      if (existing?.isDirectory()) {
        throw new UsageError(`${out} is a folder; with --all --format xlsx, --out names the workbook file.`, {
          actions: [`For example: --out ${join(out, 'ss12000.xlsx')}.`],
        })
      }
      return {kind: 'workbook', path: out}
    }
    if (existing !== undefined && !existing.isDirectory()) {
      throw new UsageError(`${out} is a file; with --all --format ${format}, --out names a folder.`, {
        actions: ['Give a folder (it is created if missing), or choose --entity for a single file.'],
      })
    }
    return {kind: 'folder', path: out}
  }
  if (out === undefined) {
    if (format === 'xlsx') {
      throw new UsageError('An Excel workbook cannot go to the terminal: give --out <file.xlsx>.', {
        actions: [`For example: --out ${exportFileName(entity, 'xlsx')}.`],
      })
    }
    if (options.stdout === undefined) {
      throw new UsageError('With --json, stdout carries the summary: give --out for the records.', {
        actions: [`For example: --out ${exportFileName(entity, format)}.`],
      })
    }
    return {kind: 'stdout', stream: options.stdout}
  }
  const intoFolder = existing?.isDirectory() === true || /[/\\]$/.test(out)
  const path = intoFolder ? join(out, exportFileName(entity, format)) : out
  return format === 'xlsx' ? {kind: 'workbook', path} : {kind: 'file', path}
}

async function exportState(db: StagingDatabase, options: ExportOptions, target: Target): Promise<ExportResult> {
  const {format} = options
  const asked = options.batch === undefined ? undefined : getBatch(db, options.batch, options.dbPath)
  if (asked !== undefined && options.scope !== undefined && asked.scope !== options.scope) {
    throw new UsageError(`Batch ${asked.id} belongs to scope '${asked.scope}', not '${options.scope}'.`, {
      actions: [`Leave out --scope, or give a batch of scope '${options.scope}' (ss12000 status lists them).`],
    })
  }
  const scope = asked?.scope ?? resolveScope(db, options.scope, options.dbPath)
  const newest = listBatches(db, scope)[0]!.id
  const batch = asked?.id ?? newest
  // Entity types in the standard's load order (organisations, persons, …): the order of files and worksheets.
  const entityTypes = options.entity === undefined ? DEPENDENCY_ORDER : [options.entity]
  const read = function* (): Generator<StoredRecord> {
    for (const entity of entityTypes) {
      yield* stagedRecords(db, {scope, entity, ...(asked === undefined ? {} : {asOf: asked.id})})
    }
  }
  const masked = (format === 'csv' || format === 'xlsx') && !options.reveal
  if (target.kind === 'folder') await mkdir(target.path, {recursive: true})
  const exported =
    target.kind === 'workbook'
      ? await writeXlsx(read, gatherColumns(read, options, masked), options, target.path)
      : format === 'json' || format === 'ndjson'
        ? await writeJson(read, options, target, format)
        : await writeCsv(read, gatherColumns(read, options, masked), options, target)
  const removed =
    target.kind === 'folder'
      ? await removeStaleFiles(
          target.path,
          exported.entities.flatMap((entity) => (entity.file === undefined ? [] : [entity.file])),
        )
      : []
  return {
    scope,
    batch,
    current: batch === newest,
    format,
    masked,
    ...(target.kind === 'stdout' ? {} : {out: target.path}),
    entities: exported.entities,
    records: exported.entities.reduce((sum, entity) => sum + entity.records, 0),
    removed,
    truncated: exported.truncated,
  }
}

type ReadRecords = () => Generator<StoredRecord>

interface Exported {
  entities: ExportedEntity[]
  truncated: boolean
}

/** Writes the records of one entity type into one output. */
interface RecordWriter {
  add(record: StoredRecord): Promise<void> | undefined
  finish(): Promise<void>
}

/**
 * One output per entity type (a file each, or stdout for the one asked for), opened when its first record comes,
 * finished when the next type begins; `always` are the types that get an output even without records (an --entity
 * with none gets an empty array or a header). A file is only moved into place once complete.
 */
async function writePerEntity(
  read: ReadRecords,
  target: Exclude<Target, {kind: 'workbook'}>,
  format: Exclude<ExportFormat, 'xlsx'>,
  always: EntityName[],
  open: (output: TextOutput, entity: EntityName) => Promise<RecordWriter>,
  onProgress: ExportOptions['onProgress'],
): Promise<Exported> {
  const entities: ExportedEntity[] = []
  let current: {entity: ExportedEntity; output: TextOutput; writer: RecordWriter} | undefined
  const openOutput = async (entity: EntityName): Promise<{output: TextOutput; file?: string}> => {
    if (target.kind === 'stdout') return {output: new StreamOutput(target.stream)}
    const file = target.kind === 'folder' ? join(target.path, exportFileName(entity, format)) : target.path
    return {output: await FileOutput.create(file), file}
  }
  const begin = async (entity: EntityName) => {
    const {output, file} = await openOutput(entity)
    current = {
      entity: {entity, records: 0, ...(file === undefined ? {} : {file})},
      output,
      writer: await open(output, entity),
    }
  }
  const finish = async () => {
    if (current === undefined) return
    await current.writer.finish()
    entities.push(current.entity)
    current = undefined
  }
  try {
    for (const record of read()) {
      if (current?.entity.entity !== record.entity) {
        await finish()
        await begin(record.entity)
      }
      const {entity, output, writer} = current!
      const pending = writer.add(record)
      if (pending) await pending
      if (++entity.records % PROGRESS_EVERY === 0) onProgress?.(entity)
      if (output.closed) return {entities: [...entities, entity], truncated: true}
    }
    await finish()
    for (const entity of always) {
      if (entities.some((written) => written.entity === entity)) continue
      await begin(entity)
      await finish()
    }
    return {entities, truncated: false}
  } catch (error) {
    await current?.output.abandon()
    throw error
  }
}

/** JSON and NDJSON: the records as staged, their fields in the model's order; one pass. */
function writeJson(
  read: ReadRecords,
  options: ExportOptions,
  target: Exclude<Target, {kind: 'workbook'}>,
  format: 'json' | 'ndjson',
): Promise<Exported> {
  const always = options.entity === undefined ? [] : [options.entity]
  return writePerEntity(
    read,
    target,
    format,
    always,
    async (output) => {
      const writer = new JsonRecordWriter(output, format)
      return {
        add: (record) =>
          writer.add(formatEntity(orderFields(JSON.parse(record.json), fieldOrder(record.entity)), format)),
        finish: () => writer.finish(),
      }
    },
    options.onProgress,
  )
}

/** Masks personnummer (any `civicNo.value`, embedded persons' too) unless revealed. */
function leafMask(masked: boolean): ((path: string, value: FlatValue) => FlatValue) | undefined {
  if (!masked) return undefined
  return (path, value) =>
    typeof value === 'string' && (path === 'civicNo.value' || path.endsWith('.civicNo.value'))
      ? maskCivicNumber(value)
      : value
}

let fieldOrders: Map<EntityName, FieldOrder> | undefined

/** The order of each entity type's fields in the SS 12000 model, for the order of columns and of JSON keys. */
function fieldOrder(entity: EntityName): FieldOrder {
  if (fieldOrders === undefined) {
    const model = getModel({profile: 'ss12000-2020', mode: 'response'})
    const resolveRef = (ref: string) => model.definitions.get(ref.replace(/\.json$/, '')) as OrderingSchema | undefined
    fieldOrders = new Map(
      ENTITY_NAMES.map((name) => [name, schemaFieldOrder(model.entities[name] as OrderingSchema, resolveRef)]),
    )
  }
  return fieldOrders.get(entity)!
}

/** The flattened rows of records and, from a first pass over them, each entity type's columns. */
interface Tables {
  flatten: (record: StoredRecord) => Map<string, FlatValue>
  /** Per entity type present (and the one asked for), in read order: its columns. */
  columns: Map<EntityName, string[]>
}

/**
 * CSV and XLSX take two passes: this first one gathers each entity type's columns (only their names are kept), the
 * second writes the rows. Both read inside the caller's read transaction, so they see the same records.
 */
function gatherColumns(read: ReadRecords, options: ExportOptions, masked: boolean): Tables {
  const flattenOptions = {leaf: leafMask(masked)}
  const flatten = (record: StoredRecord) => flattenRecord(JSON.parse(record.json), flattenOptions)
  const collectors = new Map<EntityName, ColumnCollector>()
  if (options.entity !== undefined) collectors.set(options.entity, new ColumnCollector())
  for (const record of read()) {
    let collector = collectors.get(record.entity)
    if (collector === undefined) collectors.set(record.entity, (collector = new ColumnCollector()))
    collector.add(flatten(record))
  }
  const columns = new Map([...collectors].map(([entity, collector]) => [entity, collector.columns(fieldOrder(entity))]))
  return {flatten, columns}
}

async function writeCsv(
  read: ReadRecords,
  {flatten, columns}: Tables,
  options: ExportOptions,
  target: Exclude<Target, {kind: 'workbook'}>,
): Promise<Exported> {
  const exported = await writePerEntity(
    read,
    target,
    'csv',
    [...columns.keys()],
    async (output, entity) => {
      const {writer, pending} = CsvTableWriter.begin(output, columns.get(entity)!)
      if (pending) await pending
      return {add: (record) => writer.add(flatten(record)), finish: () => writer.finish()}
    },
    options.onProgress,
  )
  const entities = exported.entities.map((entity) => ({...entity, columns: columns.get(entity.entity)!.length}))
  return {...exported, entities}
}

async function writeXlsx(
  read: ReadRecords,
  {flatten, columns}: Tables,
  options: ExportOptions,
  path: string,
): Promise<Exported> {
  // A workbook without worksheets is not one Excel opens: with nothing to export, nothing is written.
  if (columns.size === 0) return {entities: [], truncated: false}
  const workbook = await XlsxWorkbookWriter.create(path)
  const entities: ExportedEntity[] = []
  let current: ExportedEntity | undefined
  const noteCutCells = () => {
    if (current !== undefined && workbook.cutCells > 0) current.cutCells = workbook.cutCells
  }
  const begin = (entity: EntityName) => {
    noteCutCells()
    const header = columns.get(entity)!
    const sheet = ENTITY_NAMING[entity].collection
    workbook.beginSheet(sheet, header)
    current = {entity, records: 0, file: path, sheet, columns: header.length}
    entities.push(current)
  }
  try {
    for (const record of read()) {
      if (current?.entity !== record.entity) begin(record.entity)
      await workbook.add(flatten(record))
      if (++current!.records % PROGRESS_EVERY === 0) options.onProgress?.(current!)
    }
    for (const entity of columns.keys()) if (!entities.some((written) => written.entity === entity)) begin(entity)
    noteCutCells()
    await workbook.finish()
  } catch (error) {
    await workbook.abandon()
    throw error
  }
  return {entities, truncated: false}
}

/**
 * Removes the entity files (`<collection>.json|.ndjson|.csv`) an earlier export left in the folder that this one did
 * not write, so the folder holds exactly the exported state and reads back as it (a stale groups.json, or a
 * persons.ndjson beside the new persons.json, would be staged too). Other files are left alone.
 */
async function removeStaleFiles(folder: string, written: string[]): Promise<string[]> {
  const names = new Set(
    ENTITY_NAMES.flatMap((entity) => FOLDER_FORMATS.map((format) => exportFileName(entity, format))),
  )
  const keep = new Set(written)
  const removed: string[] = []
  for (const name of (await readdir(folder).catch(() => [])).sort()) {
    const path = join(folder, name)
    if (!names.has(name) || keep.has(path)) continue
    await rm(path, {force: true})
    removed.push(name)
  }
  return removed
}

import {UsageError} from '../errors.js'
import {DEPENDENCY_ORDER, type EntityName} from '../schema/entity-names.js'
import type {BatchDescription, EntityChanges} from './batches.js'
import type {StagingDatabase} from './database.js'

/** A complete batch as `status` and the read commands show it. */
export interface BatchSummary extends BatchDescription {
  id: number
  startedAt: string
  finishedAt: string
  counts: Partial<Record<EntityName, EntityChanges>>
  /** The template's inputs as convert read them, when convert's output was staged. */
  inputs?: unknown
  /** Schema drift found when the batch was staged. */
  drift?: unknown
}

/** One staged record: its canonical JSON and the batch of that version, with the version's provenance. */
export interface StoredRecord {
  entity: EntityName
  id: string
  json: string
  /** The batch that wrote this version. */
  batch: number
  file?: string
  line?: number
}

/** One version of a record: what a batch wrote for it (json undefined: the batch no longer held it). */
export interface RecordVersion {
  batch: number
  scope: string
  label?: string
  finishedAt: string
  json?: string
  sha256?: string
  file?: string
  line?: number
}

interface BatchRow {
  id: number
  kind: 'import' | 'snapshot'
  scope: string
  label: string | null
  source: string | null
  template: string | null
  template_version: string | null
  config_hash: string | null
  partial: number
  started_at: string
  finished_at: string
  counts: string
  inputs: string | null
  drift: string | null
}

/** The scopes that have a complete batch, in name order. */
export function listScopes(db: StagingDatabase): string[] {
  return db
    .prepare(`SELECT DISTINCT scope FROM batch WHERE status = 'complete' ORDER BY scope`)
    .pluck()
    .all() as string[]
}

/**
 * The scope a read command works on: the one asked for (which must exist), else the only one staged. Several scopes
 * and none asked for is a usage error that names them.
 */
export function resolveScope(db: StagingDatabase, asked: string | undefined, dbPath: string): string {
  const scopes = listScopes(db)
  if (asked !== undefined) {
    if (scopes.includes(asked)) return asked
    throw new UsageError(`Nothing is staged in scope '${asked}' in ${dbPath}.`, {
      actions: [
        scopes.length === 0 ? 'Stage something first: ss12000 stage <folder>.' : `Staged scopes: ${scopes.join(', ')}.`,
      ],
    })
  }
  const [only, ...others] = scopes
  if (only === undefined) {
    throw new UsageError(`Nothing is staged in ${dbPath}.`, {
      actions: ['Stage something first: ss12000 stage <folder>.'],
    })
  }
  if (others.length > 0) {
    throw new UsageError(`${dbPath} holds several scopes: ${scopes.join(', ')}.`, {
      actions: ['Choose one with --scope.'],
    })
  }
  return only
}

/** Complete batches, newest first; of one scope if given. */
export function listBatches(db: StagingDatabase, scope?: string): BatchSummary[] {
  const rows = (
    scope === undefined
      ? db.prepare(`SELECT * FROM batch WHERE status = 'complete' ORDER BY id DESC`).all()
      : db.prepare(`SELECT * FROM batch WHERE status = 'complete' AND scope = ? ORDER BY id DESC`).all(scope)
  ) as BatchRow[]
  const files = db.prepare(`SELECT path, sha256, size FROM batch_file WHERE batch = ? ORDER BY path`)
  return rows.map((row) => toSummary(row, files.all(row.id) as BatchSummary['files']))
}

/** One complete batch, or a usage error naming the batches there are. */
export function getBatch(db: StagingDatabase, id: number, dbPath: string): BatchSummary {
  const row = db.prepare(`SELECT * FROM batch WHERE status = 'complete' AND id = ?`).get(id) as BatchRow | undefined
  if (row === undefined) {
    const last = db.prepare(`SELECT MAX(id) FROM batch WHERE status = 'complete'`).pluck().get() as number | null
    throw new UsageError(`There is no batch ${id} in ${dbPath}.`, {
      actions: [last === null ? 'Nothing is staged yet.' : `Batches run from 1 to ${last}; ss12000 status lists them.`],
    })
  }
  const files = db.prepare(`SELECT path, sha256, size FROM batch_file WHERE batch = ? ORDER BY path`).all(id)
  return toSummary(row, files as BatchSummary['files'])
}

function toSummary(row: BatchRow, files: BatchSummary['files']): BatchSummary {
  return {
    id: row.id,
    kind: row.kind,
    scope: row.scope,
    ...(row.label === null ? {} : {label: row.label}),
    ...(row.source === null ? {} : {source: row.source}),
    ...(row.template === null ? {} : {template: {name: row.template, version: row.template_version ?? ''}}),
    ...(row.config_hash === null ? {} : {configHash: row.config_hash}),
    partial: row.partial === 1,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    counts: JSON.parse(row.counts) as BatchSummary['counts'],
    files,
    ...(row.inputs === null ? {} : {inputs: JSON.parse(row.inputs) as unknown}),
    ...(row.drift === null ? {} : {drift: JSON.parse(row.drift) as unknown}),
  }
}

/**
 * The records a scope held: now (the `current` table), or right after batch `asOf` (the newest version of each
 * record written by a batch of the scope up to it, unless that version is a removal). Ordered by entity and id;
 * streamed, so memory stays flat however many records there are.
 */
export function* stagedRecords(
  db: StagingDatabase,
  options: {scope: string; asOf?: number; entity?: EntityName},
): Generator<StoredRecord> {
  const entityFilter = options.entity === undefined ? '' : 'AND r.entity = @entity'
  const statement =
    options.asOf === undefined
      ? db.prepare(
          `SELECT c.entity, c.id, r.json, c.batch, r.file, r.line
           FROM current c JOIN record r ON r.entity = c.entity AND r.id = c.id AND r.batch = c.batch
           WHERE c.scope = @scope ${entityFilter.replace('r.entity', 'c.entity')}
           ORDER BY c.entity, c.id`,
        )
      : db.prepare(
          `SELECT r.entity, r.id, r.json, r.batch, r.file, r.line
           FROM record r JOIN batch b ON b.id = r.batch
           WHERE b.scope = @scope AND b.status = 'complete' AND r.batch <= @asOf ${entityFilter}
             AND r.batch = (
               SELECT MAX(r2.batch) FROM record r2 JOIN batch b2 ON b2.id = r2.batch
               WHERE r2.entity = r.entity AND r2.id = r.id AND b2.scope = @scope AND b2.status = 'complete'
                 AND r2.batch <= @asOf)
             AND r.json IS NOT NULL
           ORDER BY r.entity, r.id`,
        )
  const parameters = {
    scope: options.scope,
    ...(options.asOf === undefined ? {} : {asOf: options.asOf}),
    ...(options.entity === undefined ? {} : {entity: options.entity}),
  }
  for (const row of statement.iterate(parameters) as IterableIterator<{
    entity: EntityName
    id: string
    json: string
    batch: number
    file: string | null
    line: number | null
  }>) {
    yield {
      entity: row.entity,
      id: row.id,
      json: row.json,
      batch: row.batch,
      ...(row.file === null ? {} : {file: row.file}),
      ...(row.line === null ? {} : {line: row.line}),
    }
  }
}

/** Every version of one record, oldest first, across the batches of every scope (or of one). */
export function recordVersions(db: StagingDatabase, entity: EntityName, id: string, scope?: string): RecordVersion[] {
  const rows = db
    .prepare(
      `SELECT r.batch, b.scope, b.label, b.finished_at, r.json, r.sha256, r.file, r.line
       FROM record r JOIN batch b ON b.id = r.batch
       WHERE r.entity = ? AND r.id = ? AND b.status = 'complete' ${scope === undefined ? '' : 'AND b.scope = ?'}
       ORDER BY r.batch`,
    )
    .all(...(scope === undefined ? [entity, id] : [entity, id, scope])) as Array<{
    batch: number
    scope: string
    label: string | null
    finished_at: string
    json: string | null
    sha256: string | null
    file: string | null
    line: number | null
  }>
  return rows.map((row) => ({
    batch: row.batch,
    scope: row.scope,
    ...(row.label === null ? {} : {label: row.label}),
    finishedAt: row.finished_at,
    ...(row.json === null ? {} : {json: row.json}),
    ...(row.sha256 === null ? {} : {sha256: row.sha256}),
    ...(row.file === null ? {} : {file: row.file}),
    ...(row.line === null ? {} : {line: row.line}),
  }))
}

/**
 * Records the scope holds now, per entity type. In the standard's dependency order.
 */
export function countHeldRecords(db: StagingDatabase, scope: string): Partial<Record<EntityName, number>> {
  const rows = db
    .prepare(`SELECT entity, COUNT(*) AS count FROM current WHERE scope = ? GROUP BY entity`)
    .all(scope) as Array<{entity: EntityName; count: number}>
  const byEntity = new Map(rows.map((row) => [row.entity, row.count]))
  const held: Partial<Record<EntityName, number>> = {}
  for (const entity of DEPENDENCY_ORDER) {
    const count = byEntity.get(entity)
    if (count !== undefined) held[entity] = count
  }
  return held
}

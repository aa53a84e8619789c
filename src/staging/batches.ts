import type {EntityName} from '../schema/entity-names.js'
import {canonicalHash, canonicalJson} from './canonical.js'
import type {StagingDatabase} from './database.js'

/** One record to stage, with where it came from. */
export interface StagedRecord {
  entity: EntityName
  id: string
  value: unknown
  file?: string
  line?: number
}

export interface BatchInput {
  kind: 'import' | 'snapshot'
  /** What the batch replaces: batches of one scope follow each other (a template's name, a source URL). */
  scope: string
  label?: string
  template?: {name: string; version: string}
  configHash?: string
  /** A partial batch never reports absence as removal. */
  partial: boolean
  files: Array<{path: string; sha256: string; size: number}>
  /** The clock, given by the caller (RFC 3339 with offset). */
  now: () => string
}

/** Per entity type, how this batch compares with what was staged for its scope before it (`current_record`). */
export interface EntityChanges {
  added: number
  changed: number
  unchanged: number
  /** Records staged before that this batch lacks; always 0 for a partial batch, whose absences mean nothing. */
  absent: number
}

export interface BatchResult {
  batch: number
  previous?: number
  entities: Partial<Record<EntityName, EntityChanges>>
  /** True when nothing was added, changed or absent. */
  unchanged: boolean
}

/**
 * Writes one batch in one transaction: the batch row, its files, every record as canonical JSON with its hash and
 * provenance, then the comparison with what was staged for the scope. Until the transaction commits,
 * nothing of the batch is visible; a crash at any moment leaves the previous state as it was.
 */
export function writeBatch(db: StagingDatabase, input: BatchInput, records: Iterable<StagedRecord>): BatchResult {
  const previous = db
    .prepare(`SELECT MAX(id) AS id FROM batch WHERE scope = ? AND status = 'complete'`)
    .get(input.scope) as {id: number | null}
  const insertBatch = db.prepare(
    `INSERT INTO batch (kind, scope, label, template, template_version, config_hash, partial, status, started_at)
     VALUES (@kind, @scope, @label, @template, @templateVersion, @configHash, @partial, 'writing', @startedAt)`,
  )
  const insertFile = db.prepare(`INSERT INTO batch_file (batch, path, sha256, size) VALUES (?, ?, ?, ?)`)
  const insertRecord = db.prepare(
    `INSERT INTO record (batch, entity, id, json, sha256, file, line) VALUES (?, ?, ?, ?, ?, ?, ?)`,
  )
  // The comparison is with what is staged now for the scope (see the current_record view), read before writing.
  const previousHash = db.prepare(`SELECT sha256 FROM current_record WHERE scope = ? AND entity = ? AND id = ?`).pluck()
  const previousCounts = db
    .prepare(`SELECT entity, COUNT(*) AS count FROM current_record WHERE scope = ? GROUP BY entity`)
    .all(input.scope) as Array<{entity: EntityName; count: number}>
  const finish = db.prepare(`UPDATE batch SET status = 'complete', finished_at = ?, counts = ? WHERE id = ?`)

  const run = db.transaction((): BatchResult => {
    const batch = Number(
      insertBatch.run({
        kind: input.kind,
        scope: input.scope,
        label: input.label ?? null,
        template: input.template?.name ?? null,
        templateVersion: input.template?.version ?? null,
        configHash: input.configHash ?? null,
        partial: input.partial ? 1 : 0,
        startedAt: input.now(),
      }).lastInsertRowid,
    )
    for (const file of input.files) insertFile.run(batch, file.path, file.sha256, file.size)
    const entities: Partial<Record<EntityName, EntityChanges>> = {}
    const seen = new Map<EntityName, number>()
    for (const record of records) {
      const json = canonicalJson(record.value)
      const sha256 = canonicalHash(json)
      insertRecord.run(batch, record.entity, record.id, json, sha256, record.file ?? null, record.line ?? null)
      const changes = (entities[record.entity] ??= {added: 0, changed: 0, unchanged: 0, absent: 0})
      const before = previousHash.get(input.scope, record.entity, record.id) as string | undefined
      if (before === undefined) changes.added++
      else {
        seen.set(record.entity, (seen.get(record.entity) ?? 0) + 1)
        if (before === sha256) changes.unchanged++
        else changes.changed++
      }
    }
    if (!input.partial) {
      for (const {entity, count} of previousCounts) {
        const changes = (entities[entity] ??= {added: 0, changed: 0, unchanged: 0, absent: 0})
        changes.absent = count - (seen.get(entity) ?? 0)
      }
    }
    finish.run(input.now(), JSON.stringify(entities), batch)
    const unchanged = Object.values(entities).every(
      (changes) => changes.added === 0 && changes.changed === 0 && changes.absent === 0,
    )
    return {batch, ...(previous.id === null ? {} : {previous: previous.id}), entities, unchanged}
  })
  return run.immediate()
}

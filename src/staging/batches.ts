import type {Statement} from 'better-sqlite3'

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
 * provenance, then the comparison with what was staged for the scope. Until `commit`, nothing of the batch is
 * visible to anyone else; a crash at any moment (even `kill -9`) leaves the previous state as it was, since SQLite
 * rolls the unfinished transaction back. Records may be added across awaits (reading a file), as long as nothing
 * else uses the connection meanwhile.
 */
export class BatchWriter {
  private readonly entities: Partial<Record<EntityName, EntityChanges>> = {}
  private readonly seen = new Map<EntityName, number>()
  private open = true

  private constructor(
    private readonly db: StagingDatabase,
    private readonly input: BatchInput,
    private readonly batch: number,
    private readonly previous: number | undefined,
    private readonly previousCounts: Array<{entity: EntityName; count: number}>,
    private readonly statements: {
      insertRecord: Statement
      previousHash: Statement
      finish: Statement
    },
  ) {}

  /** Starts the batch: takes the write lock (BEGIN IMMEDIATE) and writes the batch row and its files. */
  static begin(db: StagingDatabase, input: BatchInput): BatchWriter {
    db.exec('BEGIN IMMEDIATE')
    try {
      const previous = db
        .prepare(`SELECT MAX(id) FROM batch WHERE scope = ? AND status = 'complete'`)
        .pluck()
        .get(input.scope) as number | null
      // What is staged now for the scope (the current_record view), read before this batch is written.
      const previousCounts = db
        .prepare(`SELECT entity, COUNT(*) AS count FROM current_record WHERE scope = ? GROUP BY entity`)
        .all(input.scope) as Array<{entity: EntityName; count: number}>
      const batch = Number(
        db
          .prepare(
            `INSERT INTO batch (kind, scope, label, template, template_version, config_hash, partial, status, started_at)
             VALUES (@kind, @scope, @label, @template, @templateVersion, @configHash, @partial, 'writing', @startedAt)`,
          )
          .run({
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
      const insertFile = db.prepare(`INSERT INTO batch_file (batch, path, sha256, size) VALUES (?, ?, ?, ?)`)
      for (const file of input.files) insertFile.run(batch, file.path, file.sha256, file.size)
      return new BatchWriter(db, input, batch, previous ?? undefined, previousCounts, {
        insertRecord: db.prepare(
          `INSERT INTO record (batch, entity, id, json, sha256, file, line) VALUES (?, ?, ?, ?, ?, ?, ?)`,
        ),
        previousHash: db.prepare(`SELECT sha256 FROM current_record WHERE scope = ? AND entity = ? AND id = ?`).pluck(),
        finish: db.prepare(`UPDATE batch SET status = 'complete', finished_at = ?, counts = ? WHERE id = ?`),
      })
    } catch (error) {
      db.exec('ROLLBACK')
      throw error
    }
  }

  add(record: StagedRecord): void {
    const json = canonicalJson(record.value)
    const sha256 = canonicalHash(json)
    this.statements.insertRecord.run(
      this.batch,
      record.entity,
      record.id,
      json,
      sha256,
      record.file ?? null,
      record.line ?? null,
    )
    const changes = (this.entities[record.entity] ??= {added: 0, changed: 0, unchanged: 0, absent: 0})
    const before = this.statements.previousHash.get(this.input.scope, record.entity, record.id) as string | undefined
    if (before === undefined) {
      changes.added++
      return
    }
    this.seen.set(record.entity, (this.seen.get(record.entity) ?? 0) + 1)
    if (before === sha256) changes.unchanged++
    else changes.changed++
  }

  /** Completes the batch and commits: from now on it is what is staged. */
  commit(): BatchResult {
    if (!this.input.partial) {
      for (const {entity, count} of this.previousCounts) {
        const changes = (this.entities[entity] ??= {added: 0, changed: 0, unchanged: 0, absent: 0})
        changes.absent = count - (this.seen.get(entity) ?? 0)
      }
    }
    this.statements.finish.run(this.input.now(), JSON.stringify(this.entities), this.batch)
    this.db.exec('COMMIT')
    this.open = false
    const unchanged = Object.values(this.entities).every(
      (changes) => changes.added === 0 && changes.changed === 0 && changes.absent === 0,
    )
    return {
      batch: this.batch,
      ...(this.previous === undefined ? {} : {previous: this.previous}),
      entities: this.entities,
      unchanged,
    }
  }

  /** Abandons the batch: nothing of it remains. */
  rollback(): void {
    if (!this.open) return
    this.open = false
    if (this.db.inTransaction) this.db.exec('ROLLBACK')
  }
}

/** Writes a batch from records at hand (see BatchWriter). */
export function writeBatch(db: StagingDatabase, input: BatchInput, records: Iterable<StagedRecord>): BatchResult {
  const writer = BatchWriter.begin(db, input)
  try {
    for (const record of records) writer.add(record)
    return writer.commit()
  } catch (error) {
    writer.rollback()
    throw error
  }
}

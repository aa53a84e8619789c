import type {Statement} from 'better-sqlite3'

import type {EntityName} from '../schema/entity-names.js'
import {canonicalHash, canonicalJson} from './canonical.js'
import {fieldChanges, topField} from './changes.js'
import type {StagingDatabase} from './database.js'

/** One record to stage, with where it came from. */
export interface StagedRecord {
  entity: EntityName
  id: string
  value: unknown
  file?: string
  line?: number
}

/** What describes a batch, as it is written and as it is read back. */
export interface BatchDescription {
  kind: 'import' | 'snapshot'
  /** What the batch replaces: batches of one scope follow each other (a template's name, a source URL). */
  scope: string
  label?: string
  /** Where a snapshot came from (an API's base URL). */
  source?: string
  template?: {name: string; version: string}
  configHash?: string
  /** A partial batch never reports absence as removal. */
  partial: boolean
  /**
   * A full batch of these entity types only (a pull of some collections): absence is counted, and removed, for them
   * alone; the scope's records of other types stay as they are.
   */
  entities?: readonly EntityName[]
  files: Array<{path: string; sha256: string; size: number}>
}

export interface BatchInput extends BatchDescription {
  /** The template's inputs as convert read them (JSON), kept for the next batch's schema drift check. */
  inputs?: unknown
  /** The schema drift found against the previous batch of the template (JSON). */
  drift?: unknown
  /** The clock, given by the caller (RFC 3339 with offset). */
  now: () => string
}

/** Per entity type, how this batch compares with what its scope held before it. */
export interface EntityChanges {
  /** Records of the type in this batch. */
  records: number
  added: number
  changed: number
  unchanged: number
  /**
   * Records the scope held that this batch lacks (a partial batch's absences mean nothing, so count 0), or that it
   * removed on purpose (`remove`, an ingest DELETE).
   */
  absent: number
  /** Per top-level field, how many changed records differ in it. */
  fields: Record<string, number>
}

export interface BatchResult {
  batch: number
  /** The scope's previous complete batch, if any. */
  previous?: number
  entities: Partial<Record<EntityName, EntityChanges>>
  /** True when nothing was added, changed or absent. */
  unchanged: boolean
}

/** A record that appears twice in one batch: the caller must refuse the second (validation does). */
export class DuplicateRecordError extends Error {
  constructor(
    readonly entity: EntityName,
    readonly id: string,
  ) {
    super(`${entity} ${id} appears twice in one batch.`)
  }
}

interface CurrentRow {
  batch: number
  sha256: string
  seen: number
}

const emptyChanges = (): EntityChanges => ({records: 0, added: 0, changed: 0, unchanged: 0, absent: 0, fields: {}})

/**
 * Writes one batch in one transaction: the batch row and its files, a version row for every record the batch adds
 * or changes (canonical JSON, its hash, its provenance), the `current` table moved forward, and — for a full batch —
 * a removal row for every record the scope held that the batch lacks. Until `commit`, nothing of the batch is
 * visible to anyone else; a crash at any moment (even `kill -9`) leaves the previous state as it was, since SQLite
 * rolls the unfinished transaction back. Records may be added across awaits (reading a file), as long as nothing
 * else uses the connection meanwhile.
 */
export class BatchWriter {
  private readonly entities: Partial<Record<EntityName, EntityChanges>> = {}
  private open = true

  private constructor(
    private readonly db: StagingDatabase,
    private readonly input: BatchInput,
    readonly batch: number,
    private readonly previous: number | undefined,
    private readonly statements: {
      current: Statement
      previousJson: Statement
      insertRecord: Statement
      insertCurrent: Statement
      updateCurrent: Statement
      touchCurrent: Statement
      deleteCurrent: Statement
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
      const batch = Number(
        db
          .prepare(
            `INSERT INTO batch (kind, scope, label, source, template, template_version, config_hash, partial, status,
               started_at, inputs, drift)
             VALUES (@kind, @scope, @label, @source, @template, @templateVersion, @configHash, @partial, 'writing',
               @startedAt, @inputs, @drift)`,
          )
          .run({
            kind: input.kind,
            scope: input.scope,
            label: input.label ?? null,
            source: input.source ?? null,
            template: input.template?.name ?? null,
            templateVersion: input.template?.version ?? null,
            configHash: input.configHash ?? null,
            partial: input.partial ? 1 : 0,
            startedAt: input.now(),
            inputs: input.inputs === undefined ? null : JSON.stringify(input.inputs),
            drift: input.drift === undefined ? null : JSON.stringify(input.drift),
          }).lastInsertRowid,
      )
      const insertFile = db.prepare(`INSERT INTO batch_file (batch, path, sha256, size) VALUES (?, ?, ?, ?)`)
      for (const file of input.files) insertFile.run(batch, file.path, file.sha256, file.size)
      return new BatchWriter(db, input, batch, previous ?? undefined, {
        current: db.prepare(`SELECT batch, sha256, seen FROM current WHERE scope = ? AND entity = ? AND id = ?`),
        previousJson: db.prepare(`SELECT json FROM record WHERE entity = ? AND id = ? AND batch = ?`).pluck(),
        insertRecord: db.prepare(
          `INSERT INTO record (entity, id, batch, json, sha256, file, line) VALUES (?, ?, ?, ?, ?, ?, ?)`,
        ),
        insertCurrent: db.prepare(
          `INSERT INTO current (scope, entity, id, batch, sha256, seen, created) VALUES (?, ?, ?, ?, ?, ?, ?)`,
        ),
        updateCurrent: db.prepare(
          `UPDATE current SET batch = ?, sha256 = ?, seen = ? WHERE scope = ? AND entity = ? AND id = ?`,
        ),
        touchCurrent: db.prepare(`UPDATE current SET seen = ? WHERE scope = ? AND entity = ? AND id = ?`),
        deleteCurrent: db.prepare(`DELETE FROM current WHERE scope = ? AND entity = ? AND id = ?`),
      })
    } catch (error) {
      db.exec('ROLLBACK')
      throw error
    }
  }

  add(record: StagedRecord): void {
    const json = canonicalJson(record.value)
    const sha256 = canonicalHash(json)
    const {scope} = this.input
    const changes = (this.entities[record.entity] ??= emptyChanges())
    const before = this.statements.current.get(scope, record.entity, record.id) as CurrentRow | undefined
    if (before?.seen === this.batch) throw new DuplicateRecordError(record.entity, record.id)
    changes.records++
    if (before !== undefined && before.sha256 === sha256) {
      this.statements.touchCurrent.run(this.batch, scope, record.entity, record.id)
      changes.unchanged++
      return
    }
    this.statements.insertRecord.run(
      record.entity,
      record.id,
      this.batch,
      json,
      sha256,
      record.file ?? null,
      record.line ?? null,
    )
    if (before === undefined) {
      this.statements.insertCurrent.run(scope, record.entity, record.id, this.batch, sha256, this.batch, this.batch)
      changes.added++
      return
    }
    this.statements.updateCurrent.run(this.batch, sha256, this.batch, scope, record.entity, record.id)
    changes.changed++
    const previous = JSON.parse(this.statements.previousJson.get(record.entity, record.id, before.batch) as string)
    const fields = new Set(fieldChanges(previous, JSON.parse(json)).map((change) => topField(change.path)))
    for (const field of fields) changes.fields[field] = (changes.fields[field] ?? 0) + 1
  }

  /**
   * Removes a record the scope holds (an ingest DELETE): a removal row, and out of `current`. False when the scope
   * held no such record.
   */
  remove(entity: EntityName, id: string): boolean {
    const {scope} = this.input
    const before = this.statements.current.get(scope, entity, id) as CurrentRow | undefined
    if (before === undefined) return false
    if (before.seen === this.batch) throw new DuplicateRecordError(entity, id)
    this.statements.insertRecord.run(entity, id, this.batch, null, null, null, null)
    this.statements.deleteCurrent.run(scope, entity, id)
    ;(this.entities[entity] ??= emptyChanges()).absent++
    return true
  }

  /**
   * Completes the batch and commits: from now on it is what its scope holds. A full batch writes a removal for every
   * record of the scope it did not hold.
   */
  commit(): BatchResult {
    if (!this.input.partial) {
      const {scope} = this.input
      // Which types this batch holds in full: all of them, or those it names.
      const only = this.input.entities === undefined ? '' : ' AND entity IN (SELECT value FROM json_each(?))'
      const types = this.input.entities === undefined ? [] : [JSON.stringify(this.input.entities)]
      const absent = this.db
        .prepare(`SELECT entity, COUNT(*) AS count FROM current WHERE scope = ? AND seen < ?${only} GROUP BY entity`)
        .all(scope, this.batch, ...types) as Array<{entity: EntityName; count: number}>
      for (const {entity, count} of absent) (this.entities[entity] ??= emptyChanges()).absent = count
      this.db
        .prepare(
          `INSERT INTO record (entity, id, batch, json, sha256)
           SELECT entity, id, ?, NULL, NULL FROM current WHERE scope = ? AND seen < ?${only}`,
        )
        .run(this.batch, scope, this.batch, ...types)
      this.db.prepare(`DELETE FROM current WHERE scope = ? AND seen < ?${only}`).run(scope, this.batch, ...types)
    }
    this.db
      .prepare(`UPDATE batch SET status = 'complete', finished_at = ?, counts = ? WHERE id = ?`)
      .run(this.input.now(), JSON.stringify(this.entities), this.batch)
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

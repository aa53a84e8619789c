import {createHash} from 'node:crypto'

import type {RecordOutcome, WriteKind} from '../remote/adapters/adapter.js'
import type {EntityName} from '../schema/entity-names.js'
import type {StagingDatabase} from '../staging/database.js'
import {key, type PlannedChunk, type PlanTarget} from './plan.js'

/**
 * The upload journal in the staging database (schema v6): per target, the version of each record it acknowledged;
 * per run, every chunk with its request hash, status and timestamps, and every record's outcome. Before a chunk goes
 * out its records are written as pending, and they leave that state in the same transaction that journals the
 * answer: after a crash at any moment, the pending records are exactly those the target may or may not have applied.
 * Each step is its own transaction, so the journal is as current as the last answer.
 */
export class UploadJournal {
  readonly target: number

  constructor(
    private readonly db: StagingDatabase,
    target: PlanTarget,
  ) {
    db.prepare(`INSERT OR IGNORE INTO upload_target (url, adapter, scope) VALUES (?, ?, ?)`).run(
      target.url,
      target.adapter,
      target.scope,
    )
    this.target = db
      .prepare(`SELECT id FROM upload_target WHERE url = ? AND adapter = ? AND scope = ?`)
      .pluck()
      .get(target.url, target.adapter, target.scope) as number
  }

  /** What the target acknowledged: `entity/id` → sha256. */
  known(): Map<string, string> {
    const rows = this.db
      .prepare(`SELECT entity, id, sha256 FROM upload_state WHERE target = ?`)
      .raw()
      .iterate(this.target) as IterableIterator<[EntityName, string, string]>
    const known = new Map<string, string>()
    for (const [entity, id, sha256] of rows) known.set(key(entity, id), sha256)
    return known
  }

  /** Records sent whose answer never made it into the journal. */
  uncertain(): Set<string> {
    const rows = this.db
      .prepare(`SELECT entity, id FROM upload_pending WHERE target = ?`)
      .raw()
      .iterate(this.target) as IterableIterator<[EntityName, string]>
    const uncertain = new Set<string>()
    for (const [entity, id] of rows) uncertain.add(key(entity, id))
    return uncertain
  }

  /** Replaces what the target is known to hold by what a pull of its read API found (`--against-live`). */
  replaceKnown(live: ReadonlyMap<string, string>, now: string): void {
    this.db.transaction(() => {
      this.db.prepare(`DELETE FROM upload_state WHERE target = ?`).run(this.target)
      const insert = this.db.prepare(
        `INSERT INTO upload_state (target, entity, id, sha256, acknowledged) VALUES (?, ?, ?, ?, ?)`,
      )
      for (const [held, sha256] of live) {
        const slash = held.indexOf('/')
        insert.run(this.target, held.slice(0, slash), held.slice(slash + 1), sha256, now)
      }
    })()
  }

  beginRun(planSha256: string, stagedBatch: number, now: string): number {
    return Number(
      this.db
        .prepare(
          `INSERT INTO upload_run (target, plan_sha256, staged_batch, started_at, status) VALUES (?, ?, ?, ?, 'running')`,
        )
        .run(this.target, planSha256, stagedBatch, now).lastInsertRowid,
    )
  }

  finishRun(run: number, status: 'complete' | 'failed', summary: unknown, now: string): void {
    this.db
      .prepare(`UPDATE upload_run SET status = ?, finished_at = ?, summary = ? WHERE id = ?`)
      .run(status, now, JSON.stringify(summary), run)
  }

  /** Before a chunk goes out: the chunk as sending, its records as pending. */
  sending(run: number, seq: number, chunk: PlannedChunk, now: string): void {
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO upload_chunk (run, seq, entity, kind, records, request_sha256, status, sent_at)
           VALUES (?, ?, ?, ?, ?, ?, 'sending', ?)`,
        )
        .run(run, seq, chunk.entity, chunk.kind, chunk.actions.length, requestHash(chunk), now)
      const pending = this.db.prepare(
        `INSERT OR REPLACE INTO upload_pending (target, entity, id, run, seq) VALUES (?, ?, ?, ?, ?)`,
      )
      for (const action of chunk.actions) pending.run(this.target, chunk.entity, action.id, run, seq)
    })()
  }

  /**
   * The answer, in one transaction: the outcomes; for what the target took, its new known version (or, deleted, none);
   * the records no longer pending — except a refused upsert, which may still be there from the send whose answer was
   * lost, so it stays uncertain.
   */
  answered(
    run: number,
    seq: number,
    chunk: PlannedChunk,
    outcomes: readonly RecordOutcome[],
    requests: number,
    now: string,
  ): void {
    const versions = new Map(chunk.actions.map((action) => [action.id, action.sha256]))
    this.db.transaction(() => {
      this.db
        .prepare(`UPDATE upload_chunk SET status = 'answered', answered_at = ?, requests = ? WHERE run = ? AND seq = ?`)
        .run(now, requests, run, seq)
      const outcome = this.db.prepare(
        `INSERT INTO upload_outcome (run, seq, entity, id, sha256, status, http_status, reason)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      const acknowledge = this.db.prepare(
        `INSERT INTO upload_state (target, entity, id, sha256, acknowledged) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (target, entity, id) DO UPDATE SET sha256 = excluded.sha256, acknowledged = excluded.acknowledged`,
      )
      const forget = this.db.prepare(`DELETE FROM upload_state WHERE target = ? AND entity = ? AND id = ?`)
      const settle = this.db.prepare(`DELETE FROM upload_pending WHERE target = ? AND entity = ? AND id = ?`)
      for (const result of outcomes) {
        const sha256 = versions.get(result.id) ?? null
        if (result.status === 'ok') {
          outcome.run(run, seq, chunk.entity, result.id, sha256, 'ok', null, null)
          if (chunk.kind === 'delete') forget.run(this.target, chunk.entity, result.id)
          else acknowledge.run(this.target, chunk.entity, result.id, sha256, now)
        } else {
          outcome.run(run, seq, chunk.entity, result.id, sha256, 'refused', result.httpStatus, result.reason)
        }
        if (result.status === 'ok' || chunk.kind !== 'upsert') settle.run(this.target, chunk.entity, result.id)
      }
    })()
  }

  /** The target failed this chunk for good: its records stay pending, since it may have applied some. */
  failed(run: number, seq: number, error: string, now: string): void {
    this.db
      .prepare(`UPDATE upload_chunk SET status = 'failed', answered_at = ?, error = ? WHERE run = ? AND seq = ?`)
      .run(now, error, run, seq)
  }
}

/** sha256 of what a chunk asks for: its kind and type, and each record's id and version, in order. */
export function requestHash(chunk: {
  entity: EntityName
  kind: WriteKind
  actions: ReadonlyArray<{id: string; sha256?: string}>
}) {
  const hash = createHash('sha256').update(`${chunk.kind} ${chunk.entity}\n`)
  for (const action of chunk.actions) hash.update(`${action.id} ${action.sha256 ?? '-'}\n`)
  return hash.digest('hex')
}

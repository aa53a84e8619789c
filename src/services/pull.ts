import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {ENTITY_NAMING, type EntityName} from '../schema/entity-names.js'
import type {ProfileName} from '../schema/profiles.js'
import {type BatchResult, BatchWriter, DuplicateRecordError} from '../staging/batches.js'
import {openStagingDatabase, type StagingDatabase} from '../staging/database.js'
import {ValidationEngine} from '../validation/engine.js'
import type {Issue} from '../validation/issue.js'

/** The collections `pull` fetches by default: every one the standard stores (not the computed or the webhooks). */
export const PULLED_ENTITIES: readonly EntityName[] = (Object.keys(ENTITY_NAMING) as EntityName[]).filter(
  (entity) => entity !== 'AggregatedAttendance' && entity !== 'Subscription',
)

/** What pull needs of the SS 12000 client (src/remote). */
export interface PullClient {
  /** Every page of a collection, its records; later pages send only the page token. */
  pages(collection: string, query?: Record<string, string>, options?: {limit?: number}): AsyncIterable<unknown[]>
  /** The ids deleted after a time, by type; ids the server did not say the type of, apart. */
  deletedEntities(
    after: string,
    entities: EntityName[],
  ): Promise<{byEntity: Map<EntityName, string[]>; unattributed: string[]}>
}

export interface PullOptions {
  client: PullClient
  /** The API's base URL, recorded as the snapshot's source (never with credentials). */
  source: string
  dbPath: string
  /** The snapshot's name: the staging scope its batches belong to. */
  scope: string
  entities: readonly EntityName[]
  /** auto: incremental when the last snapshot of the scope pulled these collections, else full. */
  mode: 'auto' | 'full' | {since: string}
  limit: number
  /** calendarEvents' required window (`startTime.onOrAfter`, `startTime.onOrBefore`). */
  calendarWindow: {'startTime.onOrAfter': string; 'startTime.onOrBefore': string}
  profile: ProfileName
  reveal: boolean
  now: () => string
  /** Called as records arrive (for progress), and when a collection is done or skipped. */
  onProgress?: (event: PullEvent) => void
  warn: (message: string) => void
}

export type PullEvent =
  | {kind: 'start'; entity: EntityName}
  | {kind: 'records'; entity: EntityName; received: number}
  | {kind: 'done'; entity: EntityName; received: number}
  | {kind: 'skipped'; entity: EntityName; reason: string}

export interface PullResult {
  batch: BatchResult
  /** Incremental: only what changed after `since`, and what was deleted. */
  incremental: boolean
  since?: string
  /** Why an incremental pull became a full one. */
  fellBack?: string
  /** Per entity: records received, of them invalid (kept, flagged), and deletions applied. */
  counts: Partial<Record<EntityName, {received: number; invalid: number; deleted: number}>>
  /** Collections the server does not answer (404): left as the snapshot held them. */
  skipped: Array<{entity: EntityName; reason: string}>
}

/** What the server said no to, from the client's error: its HTTP status when it has one. */
function statusOf(error: unknown): number | undefined {
  const status = (error as {status?: unknown}).status
  return typeof status === 'number' ? status : undefined
}

/** Raised inside an incremental pull when the server cannot filter by modification time or tell deletions. */
class IncrementalUnsupported extends Error {}

/**
 * Fetches collections of a live SS 12000 API into a snapshot batch of the staging database. A full pull is one full
 * batch of the collections pulled (what the snapshot held that the API no longer has is removed); an incremental
 * pull asks for `meta.modified.after` the last pull's start and applies `deletedEntities`, as a partial batch, and
 * falls back to a full pull when the server supports neither. Responses are validated with the toolkit's schemas
 * (response mode): invalid records are kept and their issues stored in `record_issue`, never dropped. The batch is
 * one transaction: a failed pull leaves the snapshot as it was.
 */
export async function pull(options: PullOptions): Promise<PullResult> {
  const db = openStagingDatabase(options.dbPath)
  try {
    const since = options.mode === 'full' ? undefined : sinceOf(db, options)
    if (since !== undefined) {
      try {
        return {...(await pullOnce(db, options, since)), incremental: true, since}
      } catch (error) {
        if (!(error instanceof IncrementalUnsupported)) throw error
        options.warn(`${error.message} A full pull instead.`)
        return {...(await pullOnce(db, options, undefined)), incremental: false, fellBack: error.message}
      }
    }
    return {...(await pullOnce(db, options, undefined)), incremental: false}
  } finally {
    db.close()
  }
}

/** A full pull into a staging database of its own in a temporary directory: what an API holds now, to compare with. */
export interface TemporaryPull {
  /** The temporary database, open; `cleanup` closes and removes it. */
  db: StagingDatabase
  dbPath: string
  /** The snapshot's scope in it. */
  scope: string
  cleanup: () => Promise<void>
}

export async function pullToTemporaryDatabase(
  options: Omit<PullOptions, 'dbPath' | 'scope' | 'mode'>,
): Promise<TemporaryPull> {
  const dir = await mkdtemp(join(tmpdir(), 'ss12000-pulled-'))
  const remove = () => rm(dir, {recursive: true, force: true})
  try {
    const dbPath = join(dir, 'pulled.db')
    const scope = 'remote'
    await pull({...options, dbPath, scope, mode: 'full'})
    const db = openStagingDatabase(dbPath, {create: false})
    return {
      db,
      dbPath,
      scope,
      cleanup: async () => {
        if (db.open) db.close()
        await remove()
      },
    }
  } catch (error) {
    await remove()
    throw error
  }
}

/** Where an incremental pull starts: given, or the start of the scope's last pull of (at least) these collections. */
function sinceOf(db: StagingDatabase, options: PullOptions): string | undefined {
  if (typeof options.mode === 'object') return options.mode.since
  const last = db
    .prepare(
      `SELECT kind, started_at AS startedAt, inputs FROM batch WHERE scope = ? AND status = 'complete'
       ORDER BY id DESC LIMIT 1`,
    )
    .get(options.scope) as {kind: string; startedAt: string; inputs: string | null} | undefined
  if (last === undefined || last.kind !== 'snapshot' || last.inputs === null) return undefined
  const pulled = (JSON.parse(last.inputs) as {entities?: EntityName[]}).entities ?? []
  return options.entities.every((entity) => pulled.includes(entity)) ? last.startedAt : undefined
}

async function pullOnce(
  db: StagingDatabase,
  options: PullOptions,
  since: string | undefined,
): Promise<Omit<PullResult, 'incremental' | 'since' | 'fellBack'>> {
  // The types this batch holds in full, filled as collections complete: a full batch removes absence for them only.
  const complete: EntityName[] = []
  const writer = BatchWriter.begin(db, {
    kind: 'snapshot',
    scope: options.scope,
    label: since === undefined ? 'pull' : `pull since ${since}`,
    source: options.source,
    partial: since !== undefined,
    entities: complete,
    files: [],
    inputs: {entities: options.entities, since: since ?? null},
    now: options.now,
  })
  const engine = new ValidationEngine({
    profile: options.profile,
    mode: 'response',
    reveal: options.reveal,
    // Incremental pulls and pulls of some collections see references to records they do not fetch.
    allowExternalRefs: since !== undefined || options.entities.length < PULLED_ENTITIES.length,
  })
  const insertIssue = db.prepare(
    `INSERT INTO record_issue (batch, entity, id, severity, code, field, message) VALUES (?, ?, ?, ?, ?, ?, ?)`,
  )
  const flag = (issue: Issue, entity: EntityName, id: string) =>
    insertIssue.run(writer.batch, entity, id, issue.severity, issue.code, issue.field ?? null, issue.message)
  const counts: PullResult['counts'] = {}
  const skipped: PullResult['skipped'] = []
  try {
    // Collections are fetched side by side (the client bounds the requests in flight); the first failure stops the
    // others at their next page, and the batch is abandoned only once none of them writes any more.
    let failure: {error: unknown} | undefined
    const pullCollection = async (entity: EntityName): Promise<void> => {
      const collection = ENTITY_NAMING[entity].collection
      const count = (counts[entity] = {received: 0, invalid: 0, deleted: 0})
      options.onProgress?.({kind: 'start', entity})
      const query: Record<string, string> = since === undefined ? {} : {'meta.modified.after': since}
      // The standard requires a start-time window of calendarEvents.
      if (entity === 'CalendarEvent') Object.assign(query, options.calendarWindow)
      try {
        let position = 0
        for await (const page of options.client.pages(collection, query, {limit: options.limit})) {
          if (failure) return
          for (const value of page) {
            position++
            const id = (value as {id?: unknown} | null)?.id
            const source = {file: `${options.source}/${collection}`, line: position}
            const outcome = engine.validateRecord({entity, value, source, locate: () => source})
            const problems = outcome.issues.filter((issue) => issue.severity === 'error')
            if (typeof id !== 'string') {
              // Nothing to stage it under: reported, and counted as invalid.
              count.invalid++
              options.warn(`${collection} #${position} has no id; not kept.`)
              continue
            }
            try {
              writer.add({entity, id, value, file: source.file, line: position})
            } catch (error) {
              if (!(error instanceof DuplicateRecordError)) throw error
              // A server that pages badly can send a record twice: the first is kept.
              options.warn(`/${collection} sent ${entity} ${id} twice; the first is kept.`)
              continue
            }
            if (problems.length > 0) count.invalid++
            for (const issue of outcome.issues) flag(issue, entity, id)
            count.received++
          }
          options.onProgress?.({kind: 'records', entity, received: count.received})
        }
      } catch (error) {
        const status = statusOf(error)
        if (since !== undefined && status === 400) {
          throw new IncrementalUnsupported(`/${collection} does not take meta.modified.after.`)
        }
        if (status === 404) {
          const reason = `/${collection} answers 404: not served there.`
          skipped.push({entity, reason})
          options.onProgress?.({kind: 'skipped', entity, reason})
          return
        }
        throw error
      }
      complete.push(entity)
      options.onProgress?.({kind: 'done', entity, received: count.received})
    }
    await Promise.all(
      options.entities.map((entity) =>
        pullCollection(entity).catch((error: unknown) => {
          failure ??= {error}
        }),
      ),
    )
    if (failure) throw failure.error
    if (since !== undefined) {
      const served = options.entities.filter((entity) => !skipped.some((skip) => skip.entity === entity))
      let deleted: {byEntity: Map<EntityName, string[]>; unattributed: string[]}
      try {
        deleted = await options.client.deletedEntities(since, served)
      } catch (error) {
        const status = statusOf(error)
        if (status === 400 || status === 404)
          throw new IncrementalUnsupported('The server does not tell deletedEntities.')
        throw error
      }
      for (const [entity, ids] of deleted.byEntity) {
        if (!served.includes(entity)) continue
        for (const id of ids) if (removeHeld(writer, entity, id)) counts[entity]!.deleted++
      }
      // Ids are UUIDs: one the server did not place is removed from whichever type holds it.
      for (const id of deleted.unattributed) {
        const entity = served.find((type) => removeHeld(writer, type, id))
        if (entity !== undefined) counts[entity]!.deleted++
      }
    }
    for (const issue of engine.finish()) {
      if (issue.entity !== undefined && issue.id !== undefined) flag(issue, issue.entity, issue.id)
    }
    return {batch: writer.commit(), counts, skipped}
  } catch (error) {
    writer.rollback()
    throw error
  }
}

/**
 * Removes a record the snapshot holds. One this pull also received (changed, then deleted, between the listing and
 * the deletions) is kept: the listing saw it.
 */
function removeHeld(writer: BatchWriter, entity: EntityName, id: string): boolean {
  try {
    return writer.remove(entity, id)
  } catch (error) {
    if (error instanceof DuplicateRecordError) return false
    throw error
  }
}

import {DEPENDENCY_ORDER, type EntityName} from '../schema/entity-names.js'
import type {EntityChanges} from '../staging/batches.js'
import {openStagingDatabase, type StagingDatabase} from '../staging/database.js'
import {type BatchSummary, countHeldRecords, listBatches, listScopes, resolveScope} from '../staging/read.js'
import {isRecord} from '../util.js'
import {maskCivicNumbersInText} from '../validation/identity.js'

export interface StatusOptions {
  dbPath: string
  /** One scope (which must exist); default every scope. */
  scope?: string
  /** Batches to list per scope, newest first; 0 lists them all. */
  limit: number
  /** Show civic numbers in drift warnings unmasked. */
  reveal: boolean
}

/** One schema drift warning as status shows it: the message, and the details every producer version agrees on. */
export interface DriftWarning {
  message: string
  kind?: string
  input?: string
  column?: string
}

/** A batch as status lists it: the stored summary without the bulky inputs, and its drift as warnings. */
export interface BatchStatus extends Omit<BatchSummary, 'inputs' | 'drift'> {
  drift: DriftWarning[]
}

export interface ScopeStatus {
  scope: string
  /** What the scope holds now, per entity type, in dependency order. */
  held: Partial<Record<EntityName, number>>
  /** The records it holds now, all types together. */
  records: number
  /** The scope's complete batches in all; `batches` lists the newest of them. */
  batchCount: number
  /** Newest first, at most `limit` of them. */
  batches: BatchStatus[]
  /** The schema drift found when the scope's newest batch was staged. */
  drift: DriftWarning[]
}

export interface StatusResult {
  database: string
  /** The scope whose newest batch is newest comes first. Empty when nothing is staged. */
  scopes: ScopeStatus[]
}

/**
 * What the staging database holds: per scope, its records now and its batches newest first, with the changes each
 * batch made and the schema drift found when it was staged. A database that does not exist is a usage error; one
 * with nothing staged yet gives no scopes.
 */
export function status(options: StatusOptions): StatusResult {
  const db = openStagingDatabase(options.dbPath, {create: false})
  try {
    const scopes = options.scope === undefined ? listScopes(db) : [resolveScope(db, options.scope, options.dbPath)]
    const mask = options.reveal ? (text: string) => text : maskCivicNumbersInText
    const result = scopes.map((scope) => scopeStatus(db, scope, options.limit, mask))
    result.sort((a, b) => (b.batches[0]?.id ?? 0) - (a.batches[0]?.id ?? 0))
    return {database: options.dbPath, scopes: result}
  } finally {
    db.close()
  }
}

function scopeStatus(db: StagingDatabase, scope: string, limit: number, mask: (text: string) => string): ScopeStatus {
  // listBatches reads every batch row of the scope; a scope has one per staging run, so that stays small.
  const all = listBatches(db, scope)
  const batches = (limit > 0 ? all.slice(0, limit) : all).map((batch) => batchStatus(batch, mask))
  const held = countHeldRecords(db, scope)
  return {
    scope,
    held,
    records: Object.values(held).reduce((sum, count) => sum + count, 0),
    batchCount: all.length,
    batches,
    drift: batches[0]?.drift ?? driftWarnings(all[0]?.drift, mask),
  }
}

function batchStatus(batch: BatchSummary, mask: (text: string) => string): BatchStatus {
  // Destructured to leave the template's inputs out: they are for the next drift check, not for reading.
  const {inputs: _inputs, drift, counts, ...rest} = batch
  return {...rest, counts: orderedCounts(counts), drift: driftWarnings(drift, mask)}
}

/** Entity types in dependency order, and each type's changed fields most-changed first. */
function orderedCounts(counts: BatchSummary['counts']): BatchSummary['counts'] {
  const ordered: Partial<Record<EntityName, EntityChanges>> = {}
  for (const entity of DEPENDENCY_ORDER) {
    const changes = counts[entity]
    if (changes === undefined) continue
    const fields = Object.entries(changes.fields ?? {}).sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))
    ordered[entity] = {...changes, fields: Object.fromEntries(fields)}
  }
  return ordered
}

/**
 * A batch's drift column as warnings: an array of objects with a `message`, whatever else they carry. Plain strings
 * count as messages; anything without a message is skipped, since status cannot say what it means. Civic numbers
 * are masked unless revealed (a drift warning may quote values).
 */
export function driftWarnings(drift: unknown, mask: (text: string) => string = maskCivicNumbersInText): DriftWarning[] {
  const items = Array.isArray(drift) ? drift : drift === undefined || drift === null ? [] : [drift]
  const warnings: DriftWarning[] = []
  for (const item of items) {
    if (typeof item === 'string') {
      warnings.push({message: mask(item)})
      continue
    }
    if (!isRecord(item) || typeof item.message !== 'string') continue
    const warning: DriftWarning = {message: mask(item.message)}
    for (const key of ['kind', 'input', 'column'] as const) {
      const value = item[key]
      if (typeof value === 'string') warning[key] = mask(value)
    }
    warnings.push(warning)
  }
  return warnings
}

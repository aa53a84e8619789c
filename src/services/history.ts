import {valueMask, type ValueMask} from '../diff/mask.js'
import {UsageError} from '../errors.js'
import {ENTITY_NAMES, ENTITY_NAMING, type EntityName} from '../schema/entity-names.js'
import {canonicalValueJson} from '../staging/canonical.js'
import {fieldChanges} from '../staging/changes.js'
import {openStagingDatabase, type StagingDatabase} from '../staging/database.js'
import {listScopes, recordVersions, resolveScope, type RecordVersion} from '../staging/read.js'
import {maskCivicNumbersInText} from '../validation/identity.js'

export interface HistoryOptions {
  dbPath: string
  entity: EntityName
  id: string
  /** One scope (which must exist); default every scope. */
  scope?: string
  /** Show civic numbers unmasked. */
  reveal: boolean
}

/**
 * What a version did: added the record to its scope, changed it, removed it (a full batch no longer held it), or
 * added it again after a removal.
 */
export type VersionEvent = 'added' | 'changed' | 'removed' | 'added-again'

/** One field that differs from the previous version; for an array (a set), also the items that came and went. */
export interface HistoryChange {
  path: string
  /** Absent when the field was added. */
  before?: unknown
  /** Absent when the field was removed. */
  after?: unknown
  itemsAdded?: unknown[]
  itemsRemoved?: unknown[]
}

export interface HistoryVersion {
  batch: number
  scope: string
  label?: string
  finishedAt: string
  event: VersionEvent
  /**
   * The batch of the version `changes` are against: the scope's previous version that held the record. Absent for
   * the first version of a scope.
   */
  comparedWith?: number
  /** Where this version came from. */
  file?: string
  line?: number
  /** sha256 of the version's canonical JSON; absent for a removal. */
  sha256?: string
  /** Leaf fields in path order: every field for `added`, none for `removed`. */
  changes: HistoryChange[]
  /** The record as this version holds it; absent for a removal. */
  record?: unknown
}

export interface HistoryResult {
  database: string
  entity: EntityName
  id: string
  /** The scopes searched: the one asked for, or every scope in the database. */
  scopes: string[]
  /** Oldest first, across the scopes searched. */
  versions: HistoryVersion[]
  /** Per scope the record appears in: whether the scope holds it now, and the batch of its newest version there. */
  current: Array<{scope: string; held: boolean; batch: number}>
}

/**
 * The versions of one record across the batches that wrote them, oldest first, each with the fields that differ
 * from the previous version of the same scope (arrays compared as sets). A batch that held the record unchanged
 * wrote no version and does not appear. Civic numbers are masked everywhere unless `reveal`. A record that was
 * never staged is a usage error that says where it looked, and where the id is staged instead if it is.
 */
export function history(options: HistoryOptions): HistoryResult {
  const db = openStagingDatabase(options.dbPath, {create: false})
  try {
    const scopes = options.scope === undefined ? listScopes(db) : [resolveScope(db, options.scope, options.dbPath)]
    const stored = recordVersions(db, options.entity, options.id, options.scope)
    if (stored.length === 0) throw notStaged(db, options, scopes)
    const mask = valueMask(options.entity, options.reveal)
    const versions = compareVersions(stored, mask)
    const newest = new Map<string, HistoryVersion>()
    for (const version of versions) newest.set(version.scope, version)
    return {
      database: options.dbPath,
      entity: options.entity,
      id: shownId(options),
      scopes,
      versions,
      current: [...newest.values()].map((version) => ({
        scope: version.scope,
        held: version.event !== 'removed',
        batch: version.batch,
      })),
    }
  } finally {
    db.close()
  }
}

type Mask = ValueMask

function compareVersions(stored: RecordVersion[], mask: Mask): HistoryVersion[] {
  // Per scope: its newest version that held the record, and whether the record has been removed since.
  const held = new Map<string, {batch: number; value: unknown; removed: boolean}>()
  return stored.map((version): HistoryVersion => {
    const previous = held.get(version.scope)
    const value = version.json === undefined ? undefined : (JSON.parse(version.json) as unknown)
    const event: VersionEvent =
      value === undefined ? 'removed' : previous === undefined ? 'added' : previous.removed ? 'added-again' : 'changed'
    if (value === undefined) {
      if (previous !== undefined) previous.removed = true
    } else {
      held.set(version.scope, {batch: version.batch, value, removed: false})
    }
    return {
      batch: version.batch,
      scope: version.scope,
      ...(version.label === undefined ? {} : {label: version.label}),
      finishedAt: version.finishedAt,
      event,
      ...(previous === undefined ? {} : {comparedWith: previous.batch}),
      ...(version.file === undefined ? {} : {file: version.file}),
      ...(version.line === undefined ? {} : {line: version.line}),
      ...(version.sha256 === undefined ? {} : {sha256: version.sha256}),
      changes:
        value === undefined ? [] : fieldChanges(previous?.value ?? {}, value).map((change) => maskChange(change, mask)),
      ...(value === undefined ? {} : {record: mask(value, '')}),
    }
  })
}

function maskChange(change: {path: string; before?: unknown; after?: unknown}, mask: Mask): HistoryChange {
  const masked: HistoryChange = {path: change.path}
  if (change.before !== undefined) masked.before = mask(change.before, change.path)
  if (change.after !== undefined) masked.after = mask(change.after, change.path)
  if (Array.isArray(change.before) && Array.isArray(change.after)) {
    masked.itemsAdded = setDifference(change.after, change.before).map((item) => mask(item, change.path))
    masked.itemsRemoved = setDifference(change.before, change.after).map((item) => mask(item, change.path))
  }
  return masked
}

/** The items of `a` that `b` lacks, by canonical JSON (the standard's arrays are sets). */
function setDifference(a: unknown[], b: unknown[]): unknown[] {
  const inB = new Set(b.map(canonicalValueJson))
  return a.filter((item) => !inB.has(canonicalValueJson(item)))
}

/** The id as output shows it: ids are UUIDs, but one made of a personnummer is masked like any other. */
function shownId(options: HistoryOptions): string {
  return options.reveal ? options.id : maskCivicNumbersInText(options.id)
}

/** The usage error for a record with no versions: where history looked, and where the id is staged if elsewhere. */
function notStaged(db: StagingDatabase, options: HistoryOptions, scopes: string[]): UsageError {
  const id = shownId(options)
  const where =
    scopes.length === 0
      ? options.dbPath
      : `${scopes.length === 1 ? 'scope' : 'scopes'} ${scopes.join(', ')} of ${options.dbPath}`
  const actions: string[] = []
  if (scopes.length === 0) actions.push('Nothing is staged yet: ss12000 stage <folder>.')
  if (options.scope !== undefined) {
    const elsewhere = [...new Set(recordVersions(db, options.entity, options.id).map((version) => version.scope))]
    if (elsewhere.length > 0) {
      actions.push(`It is staged in ${elsewhere.length === 1 ? 'scope' : 'scopes'} ${elsewhere.join(', ')}.`)
    }
  }
  const others = ENTITY_NAMES.filter(
    (entity) => entity !== options.entity && recordVersions(db, entity, options.id, options.scope).length > 0,
  )
  for (const entity of others) actions.push(`There is a ${entity} with that id: ss12000 history ${entity} ${id}`)
  if (actions.length === 0) {
    const file = `${ENTITY_NAMING[options.entity].collection}.json`
    actions.push(`Give the record's SS 12000 id (a UUID, as in ${file} of convert's output).`)
    if (maskCivicNumbersInText(options.id) !== options.id) {
      actions.push('history looks records up by their id, not by personnummer.')
    }
  }
  return new UsageError(`No ${options.entity} with id ${id} is staged in ${where}.`, {actions})
}

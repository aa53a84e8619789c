import {stat} from 'node:fs/promises'

import {InvalidDataError, UsageError} from '../errors.js'
import {DEPENDENCY_ORDER, entityFromName, type EntityName} from '../schema/entity-names.js'
import {readJsonInput} from '../sources/json-input.js'
import type {StagingDatabase} from '../staging/database.js'
import {getBatch, resolveScope} from '../staging/read.js'
import {isRecord} from '../util.js'
import {formatSideSpec, type DiffSideSpec} from './side-spec.js'

/** What one side of a diff was, as the result reports it. */
export interface DiffSideInfo {
  /** The side as `parseSideSpec` reads it (`staged:se-generic`, `batch:3`, `out/`). */
  spec: string
  kind: DiffSideSpec['kind']
  /** One line for people: `scope se-generic now (batch 5)`, `files under out/`. */
  description: string
  /** A staged side: its scope and the batch whose state it is (the scope's newest for `staged`/`snapshot:NAME`). */
  scope?: string
  batch?: number
  /** A snapshot's API (where it was pulled from). */
  source?: string
  /** A path side: the file or directory. */
  path?: string
  /** Records read, per entity type (of the types compared, and the type matched by key). */
  records: Partial<Record<EntityName, number>>
}

/** One record as a side hands it to the engine. */
export interface SideRecord {
  entity: EntityName
  id: string
  /**
   * The parsed record, the caller's to change: always from a path side; from a staged side only for the types asked
   * to be parsed (the rest are compared by staging's sha256 first, and read back only where that cannot tell).
   */
  value?: unknown
  /** Its JSON: stored by the engine for a path side, where it cannot be read back later. */
  json?: string
  /** A staged side: the batch of the version read, to read the JSON back by. */
  version?: number
  /** A staged side: the sha256 of the canonical JSON staging stored. */
  sha256?: string
}

/** A side opened for reading: what it is, its records (streamed), and a staged record's JSON read back. */
export interface Side {
  info: DiffSideInfo
  /** Whether the JSON of its records lives in the staging database (else the engine keeps it). */
  staged: boolean
  /**
   * The records of these types (all when undefined); those of a type in `parse` come with their value (a path side
   * parses every record anyway).
   */
  records(
    entities: ReadonlySet<EntityName> | undefined,
    parse: ReadonlySet<EntityName>,
  ): Iterable<SideRecord> | AsyncIterable<SideRecord>
  /** Problems that did not stop the read (duplicate ids, records of no known type), for the result's warnings. */
  warnings: string[]
}

/** Opens a staged side (`staged`, `batch:N`, `snapshot:…`): which scope and which state of it. */
export function openStagedSide(db: StagingDatabase, spec: DiffSideSpec, dbPath: string): Side {
  const {scope, asOf, latest, source, description} = resolveStaged(db, spec, dbPath)
  const info: DiffSideInfo = {
    spec: formatSideSpec(spec),
    kind: spec.kind,
    description,
    scope,
    batch: asOf ?? latest,
    ...(source === undefined ? {} : {source}),
    records: {},
  }
  return {
    info,
    staged: true,
    warnings: [],
    records: (entities, parse) => stagedSideRecords(db, scope, asOf, entities, parse),
  }
}

/**
 * The records of a scope now, or right after batch `asOf`, as staging's `stagedRecords` reads them (the same state
 * queries), with the sha256 staging stored beside each; in raw rows and in no order (the scratch database sorts), as
 * this is the hot loop of a large diff. Only the records of a type in `parse` are read with their JSON and parsed:
 * the rest are rows of (entity, id, sha256, batch), which the current state reads from `current` alone, without
 * touching a record's JSON.
 */
function* stagedSideRecords(
  db: StagingDatabase,
  scope: string,
  asOf: number | undefined,
  entities: ReadonlySet<EntityName> | undefined,
  parse: ReadonlySet<EntityName>,
): Generator<SideRecord> {
  const statement = (withJson: boolean) =>
    asOf === undefined
      ? withJson
        ? db.prepare(
            `SELECT c.entity, c.id, c.sha256, c.batch, r.json
             FROM current c JOIN record r ON r.entity = c.entity AND r.id = c.id AND r.batch = c.batch
             WHERE c.scope = @scope AND c.entity = @entity`,
          )
        : db.prepare(
            `SELECT c.entity, c.id, c.sha256, c.batch FROM current c WHERE c.scope = @scope AND c.entity = @entity`,
          )
      : db.prepare(
          `SELECT r.entity, r.id, r.sha256, r.batch${withJson ? ', r.json' : ''}
           FROM record r JOIN batch b ON b.id = r.batch
           WHERE b.scope = @scope AND b.status = 'complete' AND r.batch <= @asOf AND r.entity = @entity
             AND r.batch = (
               SELECT MAX(r2.batch) FROM record r2 JOIN batch b2 ON b2.id = r2.batch
               WHERE r2.entity = r.entity AND r2.id = r.id AND b2.scope = @scope AND b2.status = 'complete'
                 AND r2.batch <= @asOf)
             AND r.json IS NOT NULL`,
        )
  const bare = statement(false).raw()
  const withJson = statement(true).raw()
  for (const entity of DEPENDENCY_ORDER) {
    if (entities !== undefined && !entities.has(entity)) continue
    const parameters = {scope, entity, ...(asOf === undefined ? {} : {asOf})}
    if (parse.has(entity)) {
      const rows = withJson.iterate(parameters) as IterableIterator<[EntityName, string, string, number, string]>
      for (const [entity, id, sha256, batch, json] of rows) {
        yield {entity, id, value: JSON.parse(json) as unknown, sha256, version: batch}
      }
    } else {
      const rows = bare.iterate(parameters) as IterableIterator<[EntityName, string, string, number]>
      for (const [entity, id, sha256, batch] of rows) yield {entity, id, sha256, version: batch}
    }
  }
}

interface StagedState {
  scope: string
  /** The batch whose state is read; undefined for the scope's current state. */
  asOf?: number
  /** The scope's newest complete batch. */
  latest: number
  source?: string
  description: string
}

function resolveStaged(db: StagingDatabase, spec: DiffSideSpec, dbPath: string): StagedState {
  const newest = (scope: string) =>
    db
      .prepare(`SELECT id, kind, source, label FROM batch WHERE scope = ? AND status = 'complete' ORDER BY id DESC`)
      .get(scope) as {id: number; kind: 'import' | 'snapshot'; source: string | null; label: string | null}
  switch (spec.kind) {
    case 'staged': {
      const scope = spec.scope === undefined ? defaultScope(db, dbPath) : resolveScope(db, spec.scope, dbPath)
      const latest = newest(scope)
      return {
        scope,
        latest: latest.id,
        ...(latest.source === null ? {} : {source: latest.source}),
        description: `scope ${scope} now (batch ${latest.id}) in ${dbPath}`,
      }
    }
    case 'snapshot': {
      const scope = resolveScope(db, spec.scope, dbPath)
      const latest = newest(scope)
      if (latest.kind !== 'snapshot') {
        throw new UsageError(`Scope '${scope}' in ${dbPath} holds imports, not snapshots pulled from an API.`, {
          actions: [`Write staged:${scope} to diff what it holds now.`],
        })
      }
      return {
        scope,
        latest: latest.id,
        ...(latest.source === null ? {} : {source: latest.source}),
        description: `snapshot scope ${scope}${latest.source === null ? '' : ` (${latest.source})`} now (batch ${latest.id}) in ${dbPath}`,
      }
    }
    case 'batch':
    case 'snapshot-batch': {
      const batch = getBatch(db, spec.batch, dbPath)
      if (spec.kind === 'snapshot-batch' && batch.kind !== 'snapshot') {
        throw new UsageError(`Batch ${batch.id} in ${dbPath} is an import, not a snapshot pulled from an API.`, {
          actions: [`Write batch:${batch.id} to diff the state after it.`],
        })
      }
      const latest = newest(batch.scope)
      const what = batch.kind === 'snapshot' ? 'snapshot scope' : 'scope'
      const label = batch.label === undefined ? '' : ` "${batch.label}"`
      return {
        scope: batch.scope,
        asOf: batch.id,
        latest: latest.id,
        ...(batch.source === undefined ? {} : {source: batch.source}),
        description: `${what} ${batch.scope} right after batch ${batch.id}${label} in ${dbPath}`,
      }
    }
    case 'path':
      throw new Error('openStagedSide: a path side is not staged')
  }
}

/**
 * `staged` without a scope: the only scope whose newest batch is an import (snapshot scopes that `pull` made do not
 * count), else the only scope there is; several is a usage error that names them.
 */
function defaultScope(db: StagingDatabase, dbPath: string): string {
  const imports = db
    .prepare(
      `SELECT b.scope FROM batch b
       WHERE b.status = 'complete' AND b.kind = 'import'
         AND b.id = (SELECT MAX(id) FROM batch WHERE scope = b.scope AND status = 'complete')
       ORDER BY b.scope`,
    )
    .pluck()
    .all() as string[]
  if (imports.length === 1) return imports[0]!
  if (imports.length === 0) return resolveScope(db, undefined, dbPath)
  throw new UsageError(`${dbPath} holds several scopes of imports: ${imports.join(', ')}.`, {
    actions: [`Name one: staged:${imports[0]}.`],
  })
}

/** The most problems of one kind a path side spells out before it counts the rest. */
const SHOWN_PROBLEMS = 5

/**
 * Opens a path side: a file, or a directory of SS 12000 JSON files (`<collection>.json`, NDJSON, API pages under
 * `data`), read as `validate` and `stage` read them. The entity type comes from the body key or the file name; a
 * record without an id cannot be compared and is skipped with a warning (the engine keeps the first of several
 * records with one id). A path that does not exist is a usage error; a file that is not JSON stops the diff, since a
 * comparison with half a side would report differences that are not there.
 */
export async function openPathSide(spec: Extract<DiffSideSpec, {kind: 'path'}>): Promise<Side> {
  const found = await stat(spec.path).catch(() => undefined)
  if (found === undefined) {
    throw new UsageError(`No such file or directory: ${spec.path}`, {
      actions: [
        'A side is staged, staged:SCOPE, batch:N, snapshot:NAME, snapshot:N, a file or directory of SS 12000 JSON, or an http(s) URL.',
      ],
    })
  }
  const info: DiffSideInfo = {
    spec: formatSideSpec(spec),
    kind: 'path',
    description: found.isDirectory() ? `the JSON files under ${spec.path}` : `the file ${spec.path}`,
    path: spec.path,
    records: {},
  }
  const warnings: string[] = []
  return {info, staged: false, warnings, records: (entities) => pathSideRecords(spec.path, entities, warnings)}
}

async function* pathSideRecords(
  path: string,
  entities: ReadonlySet<EntityName> | undefined,
  warnings: string[],
): AsyncGenerator<SideRecord> {
  const errors: string[] = []
  let untyped = 0
  let withoutId = 0
  for await (const event of readJsonInput([path])) {
    if (event.kind === 'error') {
      errors.push(event.position === undefined ? event.message : `${event.message} (line ${event.position.line})`)
      continue
    }
    if (event.kind === 'warning') {
      warnings.push(event.message)
      continue
    }
    if (event.kind !== 'item') continue
    const fromBody = event.bodyKey !== undefined && event.bodyKey !== 'data' ? entityFromName(event.bodyKey) : undefined
    const entity = fromBody ?? event.entityHint
    if (entity === undefined) {
      untyped++
      continue
    }
    if (entities !== undefined && !entities.has(entity)) continue
    const value = event.value
    if (!isRecord(value) || typeof value.id !== 'string' || value.id === '') {
      withoutId++
      continue
    }
    // Taken before the engine reduces the value to its comparable form.
    yield {entity, id: value.id, value, json: JSON.stringify(value)}
  }
  if (errors.length > 0) {
    const more = errors.length > SHOWN_PROBLEMS ? [`… and ${errors.length - SHOWN_PROBLEMS} more.`] : []
    throw new InvalidDataError(`Cannot read ${path} as SS 12000 JSON: ${errors.slice(0, SHOWN_PROBLEMS).join('; ')}`, {
      actions: [...more, `Run ss12000 validate ${path} for every problem and where it is.`],
    })
  }
  if (untyped > 0) {
    warnings.push(
      `${path}: ${untyped} item(s) of no known entity type skipped (name files after their collection: persons.json).`,
    )
  }
  if (withoutId > 0) warnings.push(`${path}: ${withoutId} record(s) without an id skipped: they cannot be compared.`)
}

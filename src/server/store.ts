import type {Statement} from 'better-sqlite3'

import type {EntityName} from '../schema/entity-names.js'
import type {StagingDatabase} from '../staging/database.js'
import type {SortKey, SqlCondition} from './filters.js'

/** One record as the read API serves it: its JSON text with `meta` spliced in, and its id for the next page. */
export interface ServedRecord {
  id: string
  /** The value the page is sorted by, with a sortkey (for the next page's keyset). */
  key?: string | number
  /** The record's JSON with `meta: {created, modified}` first. */
  text: string
}

export interface ListQuery {
  scope: string
  entity: EntityName
  conditions: SqlCondition[]
  /** meta.created / meta.modified windows: `after` exclusive, `before` inclusive (RFC 3339). */
  meta: {createdAfter?: string; createdBefore?: string; modifiedAfter?: string; modifiedBefore?: string}
  /** Keyset: records after this id (and, with a sort, after this sort value). */
  after?: string
  afterKey?: string | number
  /**
   * Queries of ids the records must be among: run once and kept (until the database changes), for filters that would
   * cost a scan of other records on every page (persons' relationships).
   */
  idSets?: SqlCondition[]
  /** A sortkey's order; default id order. */
  sort?: SortKey
  /** At most this many; undefined for all. */
  limit?: number
}

/**
 * The staged records of a scope as the read API sees them: the `current` table joined with each record's version and
 * the batches that created it and last changed it (meta.created / meta.modified are those batches' finish times).
 * Pages are keyset pages in id order, so a page costs the same wherever it starts, and rows stream from SQLite.
 */
export class RecordStore {
  private readonly cache = new Map<string, unknown>()
  private version = -1

  private readonly dataVersion: Statement

  constructor(private readonly db: StagingDatabase) {
    this.dataVersion = db.prepare('SELECT data_version FROM pragma_data_version').pluck()
  }

  /** The records of one page, streamed; ask for limit + 1 to know whether another page follows. */
  *list(query: ListQuery): Generator<ServedRecord> {
    const where = ['c.scope = ?', 'c.entity = ?']
    const params: unknown[] = [query.scope, query.entity]
    const sort = query.sort
    if (query.after !== undefined) {
      if (sort && query.afterKey !== undefined) {
        where.push(`((${sort.expression}) ${sort.descending ? '<' : '>'} ? OR ((${sort.expression}) = ? AND c.id > ?))`)
        params.push(query.afterKey, query.afterKey, query.after)
      } else {
        where.push('c.id > ?')
        params.push(query.after)
      }
    }
    const window = (column: string, operator: string, value: string | undefined) => {
      if (value === undefined) return
      // Batch times are RFC 3339 with offset; compare them as instants.
      where.push(`julianday(${column}) ${operator} julianday(?)`)
      params.push(value)
    }
    window('created.finished_at', '>', query.meta.createdAfter)
    window('created.finished_at', '<=', query.meta.createdBefore)
    window('modified.finished_at', '>', query.meta.modifiedAfter)
    window('modified.finished_at', '<=', query.meta.modifiedBefore)
    for (const condition of query.conditions) {
      where.push(`(${condition.sql})`)
      params.push(...condition.params)
    }
    const select = sort ? SELECT.replace('SELECT c.id,', `SELECT c.id, (${sort.expression}) AS key,`) : SELECT
    const order = sort ? `(${sort.expression}) ${sort.descending ? 'DESC' : 'ASC'}, c.id` : 'c.id'
    const sets = (query.idSets ?? []).map((set) => this.idSet(set))
    // With id sets the rows are sifted here, so the limit is counted here too.
    const limited = query.limit !== undefined && sets.length === 0
    const sql = `${select} WHERE ${where.join(' AND ')} ORDER BY ${order}${limited ? ' LIMIT ?' : ''}`
    if (limited) params.push(query.limit)
    let count = 0
    for (const row of this.db.prepare(sql).iterate(...params) as IterableIterator<Row>) {
      if (!sets.every((set) => set.has(row.id))) continue
      yield served(row)
      if (++count === query.limit) return
    }
  }

  /** The ids an id-set query selects, from the cache while the database has not changed. */
  private idSet(query: SqlCondition): ReadonlySet<string> {
    return this.cached(JSON.stringify(['ids', query.sql, query.params]), () => {
      return new Set(
        this.db
          .prepare(query.sql)
          .pluck()
          .all(...query.params) as string[],
      )
    })
  }

  /**
   * A value built from the database, kept while the database has not changed (`data_version` moves when another
   * connection commits; this one only reads). A few recent ones are kept: a client pages through one query at a time.
   */
  private cached<T>(key: string, build: () => T): T {
    // A plain SELECT, not db.pragma(): this runs while the page's own query is open on the connection.
    const version = this.dataVersion.get() as number
    if (version !== this.version) {
      this.cache.clear()
      this.version = version
    }
    if (this.cache.has(key)) return this.cache.get(key) as T
    const value = build()
    if (this.cache.size === CACHED) this.cache.delete(this.cache.keys().next().value!)
    this.cache.set(key, value)
    return value
  }

  /** One record by id, if the scope holds it. */
  get(scope: string, entity: EntityName, id: string): ServedRecord | undefined {
    const row = this.db.prepare(`${SELECT} WHERE c.scope = ? AND c.entity = ? AND c.id = ?`).get(scope, entity, id) as
      Row | undefined
    return row === undefined ? undefined : served(row)
  }

  /** Records by id or any of the lookup conditions (persons' civic numbers…), each once, in id order. */
  *lookup(
    scope: string,
    entity: EntityName,
    ids: readonly string[],
    conditions: SqlCondition[] = [],
  ): Generator<ServedRecord> {
    const found: string[] = []
    const params: unknown[] = [scope, entity]
    if (ids.length > 0) {
      found.push(`c.id IN (SELECT value FROM json_each(?))`)
      params.push(JSON.stringify(ids))
    }
    for (const condition of conditions) {
      found.push(`(${condition.sql})`)
      params.push(...condition.params)
    }
    if (found.length === 0) return
    const sql = `${SELECT} WHERE c.scope = ? AND c.entity = ? AND (${found.join(' OR ')}) ORDER BY c.id`
    for (const row of this.db.prepare(sql).iterate(...params) as IterableIterator<Row>) yield served(row)
  }

  /**
   * Who refers to whom: for each owner id, the records of `entity` that refer to it and the referring item's JSON.
   * `owner` is an SQL expression over the record (`r.json`) or, with `each`, over each item of the array at that path
   * (`e.value`). One scan builds it; it is kept while the database is unchanged, for `expand` to embed from.
   */
  referrers(
    scope: string,
    entity: EntityName,
    holder: {owner: string; each?: string},
  ): ReadonlyMap<string, ReadonlyArray<{id: string; item: string | null}>> {
    return this.cached(JSON.stringify(['referrers', scope, entity, holder]), () => {
      const each = holder.each ? ` JOIN json_each(r.json, '${holder.each}') e` : ''
      const rows = this.db
        .prepare(
          `SELECT ${holder.owner} AS owner, c.id, ${holder.each ? 'e.value' : 'NULL'} AS item
           FROM current c JOIN record r ON r.entity = c.entity AND r.id = c.id AND r.batch = c.batch${each}
           WHERE c.scope = ? AND c.entity = ? AND ${holder.owner} IS NOT NULL ORDER BY c.id`,
        )
        .iterate(scope, entity) as IterableIterator<{owner: string; id: string; item: string | null}>
      const index = new Map<string, Array<{id: string; item: string | null}>>()
      for (const {owner, id, item} of rows) {
        const list = index.get(owner)
        if (list) list.push({id, item})
        else index.set(owner, [{id, item}])
      }
      return index
    })
  }

  /**
   * The ids of records the scope no longer holds that a full batch removed after `after` (RFC 3339), per entity type:
   * the read API's deletedEntities. A record that came back since is not deleted.
   */
  deleted(scope: string, after: string, entities: EntityName[]): Map<EntityName, string[]> {
    const rows = this.db
      .prepare(
        `SELECT DISTINCT g.entity, g.id FROM record g JOIN batch b ON b.id = g.batch
         WHERE b.scope = ? AND b.status = 'complete' AND g.json IS NULL AND julianday(b.finished_at) > julianday(?)
           AND g.entity IN (SELECT value FROM json_each(?))
           AND NOT EXISTS (SELECT 1 FROM current c WHERE c.scope = b.scope AND c.entity = g.entity AND c.id = g.id)
         ORDER BY g.entity, g.id`,
      )
      .all(scope, after, JSON.stringify(entities)) as Array<{entity: EntityName; id: string}>
    const deleted = new Map<EntityName, string[]>()
    for (const {entity, id} of rows) {
      const list = deleted.get(entity)
      if (list) list.push(id)
      else deleted.set(entity, [id])
    }
    return deleted
  }
}

/** Values kept at once by `RecordStore.cached` (id sets, referrer indexes). */
const CACHED = 8

interface Row {
  id: string
  key?: string | number
  json: string
  created: string
  modified: string
}

const SELECT = `SELECT c.id, r.json, created.finished_at AS created, modified.finished_at AS modified
  FROM current c
  JOIN record r ON r.entity = c.entity AND r.id = c.id AND r.batch = c.batch
  JOIN batch created ON created.id = c.created
  JOIN batch modified ON modified.id = c.batch`

/** The record's canonical JSON with `meta` spliced in first, without parsing it. */
function served(row: Row): ServedRecord {
  const meta = `"meta":{"created":${JSON.stringify(row.created)},"modified":${JSON.stringify(row.modified)}}`
  return {
    id: row.id,
    ...(row.key === undefined ? {} : {key: row.key}),
    text: row.json === '{}' ? `{${meta}}` : `{${meta},${row.json.slice(1)}`,
  }
}

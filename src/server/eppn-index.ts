import type {Statement} from 'better-sqlite3'

import type {StagingDatabase} from '../staging/database.js'

/** What a write did to persons: the names of those it wrote (replaced), and those it deleted. */
export interface EppnChanges {
  put?: Iterable<{id: string; names: readonly string[]}>
  removed?: Iterable<string>
}

/**
 * Which of a scope's persons hold each eduPersonPrincipalName (lower-cased), in memory, for the ingest API's 409 on a
 * shared one: looking a name up costs the same however many persons the scope holds, where a scan of their JSON took
 * about a second per 100,000 persons on every write (a bulk upload in chunks was quadratic).
 *
 * The index follows the scope's batches. It is built from what the scope holds at the first write that needs it,
 * and kept current by the ingest's own writes (`begin` in each write's transaction, `commit` with what the write did
 * once it is committed). A batch of the scope the ingest did not write (`stage` or `pull` in another process, another
 * connection, a write that failed after its commit) makes the next write that needs the index build it again: the
 * scope's `current` records change only through batches, and batch ids only grow.
 */
export class EppnIndex {
  /** Name → the person holding it; a set in the rare case that several do (staged data the ingest did not check). */
  private readonly holders = new Map<string, string | Set<string>>()
  /** Person → the names it holds, to drop them when it is replaced or deleted. */
  private readonly names = new Map<string, readonly string[]>()
  /** The scope's last batch the index holds; undefined until it is built. */
  private seen: number | undefined
  /** The write in progress, when the index was current at its start. */
  private pending: number | undefined
  private statements: {latest: Statement; persons: Statement} | undefined

  constructor(
    private readonly db: StagingDatabase,
    private readonly scope: string,
  ) {}

  /**
   * In the transaction of a write (batch: its own, not committed yet): notes whether the index holds what the scope
   * held before it, and if `needed`, builds it first when it does not.
   */
  begin(batch: number, needed: boolean): void {
    this.statements ??= {
      latest: this.db.prepare(`SELECT id FROM batch WHERE scope = ? AND id < ? ORDER BY id DESC LIMIT 1`).pluck(),
      persons: this.db.prepare(
        `SELECT c.id, e.value FROM current_record c, json_each(c.json, '$.eduPersonPrincipalNames') e
         WHERE c.scope = ? AND c.entity = 'Person' AND e.type = 'text'`,
      ),
    }
    const latest = (this.statements.latest.get(this.scope, batch) as number | undefined) ?? 0
    this.pending = undefined
    if (latest !== this.seen) {
      if (!needed) return
      this.build()
      this.seen = latest
    }
    this.pending = batch
  }

  /** After the write of `begin` is committed: what it did to persons (names replaced, persons deleted). */
  commit(changes: EppnChanges): void {
    if (this.pending === undefined) return
    for (const {id, names} of changes.put ?? []) this.set(id, names)
    for (const id of changes.removed ?? []) this.set(id, [])
    this.seen = this.pending
    this.pending = undefined
  }

  /** A person holding the name (any case), other than those in `except`. */
  holder(name: string, except: ReadonlySet<string>): string | undefined {
    const held = this.holders.get(name.toLowerCase())
    if (typeof held === 'string') return except.has(held) ? undefined : held
    for (const id of held ?? []) if (!except.has(id)) return id
    return undefined
  }

  private build(): void {
    this.holders.clear()
    this.names.clear()
    const rows = this.statements!.persons.iterate(this.scope) as Iterable<{id: string; value: string}>
    const found = new Map<string, string[]>()
    for (const {id, value} of rows) {
      const names = found.get(id)
      if (names) names.push(value)
      else found.set(id, [value])
    }
    for (const [id, names] of found) this.set(id, names)
  }

  /** The person now holds these names (none: it is gone). */
  private set(id: string, names: readonly string[]): void {
    for (const key of this.names.get(id) ?? []) {
      const held = this.holders.get(key)
      if (held === id) this.holders.delete(key)
      else if (typeof held !== 'string' && held !== undefined) {
        held.delete(id)
        if (held.size === 1) this.holders.set(key, [...held][0]!)
      }
    }
    const keys = [...new Set(names.map((name) => name.toLowerCase()))]
    if (keys.length === 0) {
      this.names.delete(id)
      return
    }
    this.names.set(id, keys)
    for (const key of keys) {
      const held = this.holders.get(key)
      if (held === undefined) this.holders.set(key, id)
      else if (typeof held === 'string') this.holders.set(key, new Set([held, id]))
      else held.add(id)
    }
  }
}

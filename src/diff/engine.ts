import type {Statement} from 'better-sqlite3'

import {ExitCode, type ExitCodeValue} from '../errors.js'
import {DEPENDENCY_ORDER, ENTITY_NAMES, type EntityName} from '../schema/entity-names.js'
import {canonicalValueJson} from '../staging/canonical.js'
import {fieldChanges, topField} from '../staging/changes.js'
import {openStagingDatabase, type StagingDatabase} from '../staging/database.js'
import {isRecord} from '../util.js'
import {maskCivicNumber} from '../validation/identity.js'
import {
  type ComparableForm,
  comparableForm,
  comparableHash,
  comparableRecord,
  type ComparableOptions,
  parseIgnorePaths,
  refersTo,
  type Translation,
} from './comparable.js'
import {textMask, valueMask} from './mask.js'
import {formatMatchSpec, keyMatch, type KeyMatch, type MatchSpec} from './match.js'
import type {DiffSideSpec} from './side-spec.js'
import {type DiffSideInfo, openPathSide, openStagedSide, type Side, type SideRecord} from './sides.js'
import {WorkDatabase} from './work-db.js'

export type {DiffSideInfo} from './sides.js'

export interface DiffOptions {
  /** The staging database, for staged sides (`staged`, `batch:N`, `snapshot:…`). */
  dbPath: string
  left: DiffSideSpec
  right: DiffSideSpec
  /** How records are paired; default by id. */
  match?: MatchSpec
  /** Field paths left out of the comparison (`emails`, `enrolments.schoolYear`, `Person.emails`). */
  ignore?: string[]
  /** The entity types compared; default every type either side holds. */
  entities?: EntityName[]
  /** Show personnummer in the details and keys instead of masking them. */
  reveal?: boolean
  /** Where the scratch database goes (in a directory of its own, removed at close); default the system's. */
  workDir?: string
}

/** One field that differs between a pair: its path, and its value on each side (absent where the side lacks it). */
export interface DiffChange {
  path: string
  left?: unknown
  right?: unknown
  /** For a list (a set) on both sides: the items only the left has, and those only the right has. */
  itemsOnlyLeft?: unknown[]
  itemsOnlyRight?: unknown[]
}

/**
 * What a detail is about: a pair that differs, a record without a counterpart on the other side, or (when matching by
 * key) a record whose key does not pair it with exactly one record.
 */
export type DiffKind = 'changed' | 'only-left' | 'only-right' | 'ambiguous-left' | 'ambiguous-right'

export interface DiffDetail {
  entity: EntityName
  kind: DiffKind
  leftId?: string
  rightId?: string
  /** Matching by key: the key(s) that paired the records, or that the unpaired record holds; joined by `, `. */
  key?: string
  /** A name to know the record by: a person's given and family name, a displayName, a programme's name. */
  label?: string
  /** Only for `changed`: the differing fields, in path order. */
  changes: DiffChange[]
}

/** Matching by key: how the records of the type matched paired up. */
export interface MatchReport {
  by: string
  /** Pairs: a left and a right record that share a key and share none with any other record. */
  matched: number
  /** Records whose key is held by another record of their side, or leads to more than one record of the other. */
  ambiguousLeft: number
  ambiguousRight: number
  /** Records with no counterpart (their key is not on the other side, or they have none): the only-left/right. */
  unmatchedLeft: number
  unmatchedRight: number
  /** Of the unmatched, those without a key at all. */
  withoutKeyLeft: number
  withoutKeyRight: number
}

/** Per entity type: records per side and how they compare. */
export interface EntityDiff {
  left: number
  right: number
  onlyLeft: number
  onlyRight: number
  changed: number
  same: number
  /** Per top-level field, how many changed pairs differ in it. */
  fields: Record<string, number>
  /** For the type matched by key. */
  match?: MatchReport
}

export interface DiffSummary {
  left: DiffSideInfo
  right: DiffSideInfo
  /** `id`, `civicNo`, `eppn`, `schoolUnitCode`, `externalIdentifier[:context]`. */
  match: string
  /** The type paired by key (every other type is paired by id). */
  matchedEntity?: EntityName
  ignore: string[]
  /** Whether personnummer in details and keys are masked. */
  masked: boolean
  /** No record only on one side, none changed, none ambiguous. */
  equal: boolean
  /** The types compared, in dependency order. */
  entities: Partial<Record<EntityName, EntityDiff>>
  /** What did not stop the diff but bears on it (records skipped, duplicate ids). */
  warnings: string[]
  /** How many details there are. */
  detailCount: number
}

/** The whole result: the summary and every detail (`--json` prints this). */
export interface DiffResult extends DiffSummary {
  details: DiffDetail[]
}

/** An open diff: its summary at once, its details streamed from the scratch database. Close it when done. */
export interface DiffRun {
  summary: DiffSummary
  details(): Generator<DiffDetail>
  close(): void
}

const LEFT = 0
const RIGHT = 1
type SideIndex = typeof LEFT | typeof RIGHT
const SIDE_NAMES = ['left', 'right'] as const

/** Rows read or written per statement when paging through the scratch database. */
const PAGE = 500

/**
 * Compares two sides (staged states, snapshots, JSON files) record by record, and returns the summary and the
 * details. See `openDiff`; this one gathers the details into the result, for callers that want them all.
 */
export async function diff(options: DiffOptions): Promise<DiffResult> {
  const run = await openDiff(options)
  try {
    return {...run.summary, details: [...run.details()]}
  } finally {
    run.close()
  }
}

/** The exit code of `ss12000 diff`, as diff(1)'s: 0 when the sides are equal, 1 when they differ. */
export function diffExitCode(summary: DiffSummary): ExitCodeValue {
  return summary.equal ? ExitCode.Ok : ExitCode.DifferencesFound
}

/**
 * Compares two sides without holding either in memory:
 * 1. each side streams its records into a scratch SQLite database as rows: (entity, id, keys) and, for a staged
 *    side, the batch of the version and staging's sha256, its JSON neither read nor parsed (but for the type matched
 *    by key); a path side's records, parsed as they are read, come with the hash of their comparable form;
 * 2. SQL pairs them — by id, or for the type matched by key, by a key that pairs exactly one left and one right
 *    record — and a pair of staged records with equal sha256 is the same without being read; the records of the
 *    other pairs are read back one page at a time and hashed by their comparable form;
 * 3. SQL sorts the records into only-left, only-right, changed (hashes differ), same, and ambiguous; only then are
 *    the records that differ read again, one page at a time, for their field-level details, which go back into the
 *    scratch database to be streamed by `details()`.
 * A staged side is read in one read transaction, so a batch staged meanwhile changes nothing.
 *
 * Matching by key, the type matched has its `id` left out of the comparison (the ids differ by design), and a
 * right-side reference to a record of that type is compared by the id of the record's left counterpart when it has
 * one (by its own id otherwise). References to every other type compare by id.
 */
export async function openDiff(options: DiffOptions): Promise<DiffRun> {
  const cleanups: Array<() => void> = []
  const cleanup = () => {
    for (const step of cleanups.reverse()) step()
    cleanups.length = 0
  }
  try {
    const connections = new Map<string, StagingDatabase>()
    const openSide = async (spec: DiffSideSpec): Promise<{side: Side; db?: StagingDatabase}> => {
      if (spec.kind === 'path') return {side: await openPathSide(spec)}
      const path = spec.db ?? options.dbPath
      let db = connections.get(path)
      if (db === undefined) {
        const opened = openStagingDatabase(path, {create: false})
        // Read through a memory map of up to 256 MiB: a side of 100,000 persons reads 1.6× faster than through
        // SQLite's page reads; the pages count as resident, hence the bound.
        opened.pragma(`mmap_size = ${256 * 1024 * 1024}`)
        cleanups.push(() => {
          if (opened.inTransaction) opened.exec('COMMIT')
          opened.close()
        })
        // One read transaction for both sides and the details: the state read stays the state reported.
        opened.exec('BEGIN')
        connections.set(path, opened)
        db = opened
      }
      return {side: openStagedSide(db, spec, path), db}
    }
    const left = await openSide(options.left)
    const right = await openSide(options.right)
    const work = WorkDatabase.create(options.workDir)
    cleanups.push(() => work.close())
    const engine = new DiffEngine(options, work, [left, right])
    await engine.load(LEFT)
    await engine.load(RIGHT)
    engine.index()
    engine.pair()
    engine.hashPairs()
    const summary = engine.summarize()
    return {
      summary,
      details: () => engine.storedDetails(),
      close: cleanup,
    }
  } catch (error) {
    cleanup()
    throw error
  }
}

class DiffEngine {
  private readonly comparable: ComparableOptions
  private readonly keyed: KeyMatch | undefined
  /** The types loaded: those compared and the type matched by key (whose pairs the references need). */
  private readonly loaded: ReadonlySet<EntityName> | undefined
  private readonly reveal: boolean
  private readonly sides: readonly [Side, Side]
  /** Per side, how a staged record's JSON is read back (by entity, id and the batch of its version). */
  private readonly readStaged: ReadonlyArray<Statement | undefined>
  private readonly warnings: string[] = []
  private translation: Translation | undefined
  private readKeys: Statement | undefined

  constructor(
    private readonly options: DiffOptions,
    private readonly work: WorkDatabase,
    sides: readonly [{side: Side; db?: StagingDatabase}, {side: Side; db?: StagingDatabase}],
  ) {
    this.sides = [sides[0].side, sides[1].side]
    this.keyed = keyMatch(options.match ?? {by: 'id'})
    this.comparable = {
      ignore: parseIgnorePaths(options.ignore ?? []),
      ...(this.keyed === undefined ? {} : {keyedEntity: this.keyed.entity}),
    }
    this.loaded =
      options.entities === undefined
        ? undefined
        : new Set([...options.entities, ...(this.keyed === undefined ? [] : [this.keyed.entity])])
    this.reveal = options.reveal === true
    this.readStaged = sides.map(
      ({db}) => db?.prepare(`SELECT json FROM record WHERE entity = ? AND id = ? AND batch = ?`).pluck() as Statement,
    )
  }

  /** Whether records of this type may refer to the type matched by key (and so compare through the pairs). */
  private needsTranslation(entity: EntityName): boolean {
    return this.keyed !== undefined && refersTo(entity, this.keyed.entity)
  }

  /**
   * Step 1 for one side: every record as a row (and its keys). A staged record comes as it is stored, unread, with
   * staging's sha256 (step 2b hashes it); a parsed one — every record of a path side, and a staged record of the type
   * matched by key — is hashed by its comparable form now, unless it must wait for the match.
   */
  async load(side: SideIndex): Promise<void> {
    const source = this.sides[side]
    const {db} = this.work
    const insert = db.prepare(
      `INSERT INTO side_record (side, entity, id, hash, version, json, sha256) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    )
    const insertKey = db.prepare(`INSERT INTO side_key (side, entity, key, id) VALUES (?, ?, ?, ?)`)
    const counts = source.info.records
    const add = (record: SideRecord) => {
      const {entity, id} = record
      if (!('value' in record)) {
        // Unread: its hash is its sha256 until step 2b finds that its pair cannot be compared by sha256.
        const sha256 = record.sha256 ?? null
        insert.run(side, entity, id, sha256, record.version ?? null, null, sha256)
      } else {
        // Keys first: the comparable form leaves out ignored fields, and the key may be one of them.
        if (this.keyed?.entity === entity) {
          for (const key of this.keyed.keys(record.value)) insertKey.run(side, entity, key, id)
        }
        const form = comparableForm(entity, record.value, this.comparable)
        // A right-side record that refers to the type matched by key is hashed once the pairs are known.
        const wait = side === RIGHT && this.keyed !== undefined && form.targets.has(this.keyed.entity)
        const hash = wait ? null : this.formHash(form, record.sha256)
        // No sha256 for a parsed record: its hash is that of its comparable form (or will be, when it waits), and
        // only a pair of two unread records is compared by sha256.
        insert.run(side, entity, id, hash, record.version ?? null, record.json ?? null, null)
      }
      counts[entity] = (counts[entity] ?? 0) + 1
    }
    db.exec('BEGIN')
    try {
      // The type matched by key is parsed as it is read: its keys pair the records, and are found in the value.
      const parse = new Set(this.keyed === undefined ? [] : [this.keyed.entity])
      const records = source.records(this.loaded, parse)
      // A staged side is read synchronously: an await per record would cost more than the record.
      if (Symbol.iterator in records) for (const record of records) add(record)
      else for await (const record of records) add(record)
      db.exec('COMMIT')
    } catch (error) {
      if (db.inTransaction) db.exec('ROLLBACK')
      throw error
    }
    const mask = textMask(this.reveal)
    for (const warning of source.warnings) this.warnings.push(`${SIDE_NAMES[side]} side: ${mask(warning)}`)
  }

  /**
   * Step 1b: the rows indexed, and of several records with one id in a path side, all but the first dropped (a
   * staged side cannot have them).
   */
  index(): void {
    const {db} = this.work
    this.work.indexSides()
    for (const side of [LEFT, RIGHT] as const) {
      if (this.sides[side].staged) continue
      const duplicates = db
        .prepare(
          `SELECT entity, id, MIN(rowid) AS keep, COUNT(*) AS count FROM side_record WHERE side = ?
           GROUP BY entity, id HAVING COUNT(*) > 1`,
        )
        .all(side) as Array<{entity: EntityName; id: string; keep: number; count: number}>
      const dropped = new Map<EntityName, number>()
      for (const {entity, id, keep, count} of duplicates) {
        db.prepare(`DELETE FROM side_record WHERE side = ? AND entity = ? AND id = ? AND rowid <> ?`).run(
          side,
          entity,
          id,
          keep,
        )
        if (this.keyed?.entity === entity) {
          // The keys of the records dropped go too: those of the one kept are found again.
          db.prepare(`DELETE FROM side_key WHERE side = ? AND entity = ? AND id = ?`).run(side, entity, id)
          const json = db.prepare(`SELECT json FROM side_record WHERE rowid = ?`).pluck().get(keep) as string
          const insertKey = db.prepare(`INSERT INTO side_key (side, entity, key, id) VALUES (?, ?, ?, ?)`)
          for (const key of this.keyed.keys(JSON.parse(json))) insertKey.run(side, entity, key, id)
        }
        dropped.set(entity, (dropped.get(entity) ?? 0) + count - 1)
      }
      const counts = this.sides[side].info.records
      for (const [entity, count] of dropped) {
        counts[entity] = (counts[entity] ?? 0) - count
        this.warnings.push(
          `${SIDE_NAMES[side]} side: ${count} ${entity} record(s) with an id seen before skipped; the first with each id is compared.`,
        )
      }
    }
  }

  /** Step 2: pairs by id for every type but the one matched by key, which pairs by key; the ambiguous set aside. */
  pair(): void {
    const {db} = this.work
    const keyedEntity = this.keyed?.entity ?? null
    db.prepare(
      `INSERT INTO pair (entity, left_id, right_id, same)
       SELECT l.entity, l.id, r.id, coalesce(l.sha256 = r.sha256, 0) FROM side_record l
       JOIN side_record r ON r.side = 1 AND r.entity = l.entity AND r.id = l.id
       WHERE l.side = 0 AND l.entity IS NOT ?`,
    ).run(keyedEntity)
    if (keyedEntity === null) return
    const entity = keyedEntity
    db.prepare(
      `INSERT INTO edge (left_id, right_id)
       SELECT DISTINCT l.id, r.id FROM side_key l
       JOIN side_key r ON r.side = 1 AND r.entity = l.entity AND r.key = l.key
       WHERE l.side = 0 AND l.entity = ?`,
    ).run(entity)
    // A record holds a duplicated key when another record of its own side holds the same key.
    const heldTwice = (side: string, id: string) =>
      `EXISTS (SELECT 1 FROM side_key k WHERE k.side = ${side} AND k.entity = @entity AND k.id = ${id}
               AND EXISTS (SELECT 1 FROM side_key o
                           WHERE o.side = k.side AND o.entity = k.entity AND o.key = k.key AND o.id <> k.id))`
    // The type matched by key is parsed as it is read, so its records have no sha256 to compare by.
    db.prepare(
      `INSERT INTO pair (entity, left_id, right_id, same)
       SELECT @entity, e.left_id, e.right_id, 0 FROM edge e
       WHERE (SELECT COUNT(*) FROM edge x WHERE x.left_id = e.left_id) = 1
         AND (SELECT COUNT(*) FROM edge x WHERE x.right_id = e.right_id) = 1
         AND NOT ${heldTwice('0', 'e.left_id')} AND NOT ${heldTwice('1', 'e.right_id')}`,
    ).run({entity})
    // Not paired, and holding a key another record of its side holds, or a key the other side holds.
    for (const [side, column] of [
      [LEFT, 'left_id'],
      [RIGHT, 'right_id'],
    ] as const) {
      db.prepare(
        `INSERT INTO ambiguous (side, entity, id)
         SELECT DISTINCT k.side, k.entity, k.id FROM side_key k
         WHERE k.side = @side AND k.entity = @entity
           AND NOT EXISTS (SELECT 1 FROM pair p WHERE p.entity = k.entity AND p.${column} = k.id)
           AND (EXISTS (SELECT 1 FROM side_key o
                        WHERE o.side = k.side AND o.entity = k.entity AND o.key = k.key AND o.id <> k.id)
                OR EXISTS (SELECT 1 FROM side_key o WHERE o.side = @other AND o.entity = k.entity AND o.key = k.key))`,
      ).run({side, other: 1 - side, entity})
    }
  }

  /**
   * Step 2b: with the pairs known, the pairs that staging's sha256 cannot tell are hashed by their comparable forms.
   * - A pair of staged records whose sha256 are equal (`pair.same`) is compared by those sha256, which their rows
   *   carry as their hash since step 1, and is the same: equal canonical JSON (keys and list items sorted, `meta`
   *   left out) means equal comparable forms, as the comparable form is made of the record field by field and item by
   *   item, whatever their order. Their JSON is never read.
   * - The rest — pairs whose sha256 differ, a pair with a path side's record, and the records waiting for the match
   *   — are read back (a page of pairs at a time) and hashed by their comparable form, the right side's through the
   *   translation. A sha256 is not the hash of the comparable form (which leaves out references' names, `--ignore`
   *   paths…), so the two records of such a pair are both hashed by their form (one parsed in step 1 already is).
   * Matching by key, the right side's records that may refer to the type matched are compared through the pairs,
   * so equal sha256 tell nothing of them: they are read and translated, unless every pair of that type keeps its id.
   * A record without a pair keeps its sha256 (or nothing): it is only-left, only-right or ambiguous whatever it holds.
   */
  hashPairs(): void {
    const {db} = this.work
    if (this.keyed !== undefined) {
      // A right id paired with the same id on the left translates to itself: only the others are kept.
      const ids = new Map<string, string>()
      const pairs = db
        .prepare(`SELECT right_id, left_id FROM pair WHERE entity = ? AND right_id <> left_id`)
        .raw()
        .iterate(this.keyed.entity) as IterableIterator<[string, string]>
      for (const [rightId, leftId] of pairs) ids.set(rightId, leftId)
      this.translation = {target: this.keyed.entity, ids}
      if (ids.size > 0) {
        const translated = ENTITY_NAMES.filter((entity) => this.needsTranslation(entity))
        db.prepare(`UPDATE pair SET same = 0 WHERE same = 1 AND entity IN (SELECT value FROM json_each(?))`).run(
          JSON.stringify(translated),
        )
      }
    }
    const page = db.prepare(
      `SELECT p.entity, p.left_id,
              l.rowid AS leftRow, l.hash AS leftHash, l.sha256 AS leftSha256, l.version AS leftVersion,
              l.json AS leftJson,
              r.rowid AS rightRow, r.id AS rightId, r.hash AS rightHash, r.sha256 AS rightSha256,
              r.version AS rightVersion, r.json AS rightJson
       FROM pair p
       -- CROSS JOIN keeps the pairs the outer loop: a page is then a range of their primary key, where SQLite would
       -- otherwise sort every left record for each page.
       CROSS JOIN side_record l ON l.side = 0 AND l.entity = p.entity AND l.id = p.left_id
       CROSS JOIN side_record r ON r.side = 1 AND r.entity = p.entity AND r.id = p.right_id
       WHERE p.same = 0 AND (p.entity, p.left_id) > (?, ?)
       ORDER BY p.entity, p.left_id LIMIT ${PAGE}`,
    )
    const update = db.prepare(`UPDATE side_record SET hash = ? WHERE rowid = ?`)
    /** Hashes a record of a pair by its comparable form, unless step 1 did (a parsed record, that did not wait). */
    const hash = (side: SideIndex, entity: EntityName, row: PendingRecord) => {
      if (row.sha256 === null && row.hash !== null) return
      const value = JSON.parse(this.jsonOf(side, {entity, ...row})) as unknown
      const form = comparableForm(entity, value, this.comparable, side === RIGHT ? this.translation : undefined)
      update.run(this.formHash(form, row.sha256 ?? undefined), row.row)
    }
    let after: [string, string] = ['', '']
    for (;;) {
      const rows = page.all(...after) as PendingPair[]
      if (rows.length === 0) break
      db.transaction(() => {
        for (const pair of rows) {
          hash(LEFT, pair.entity, {
            id: pair.left_id,
            row: pair.leftRow,
            hash: pair.leftHash,
            sha256: pair.leftSha256,
            version: pair.leftVersion,
            json: pair.leftJson,
          })
          hash(RIGHT, pair.entity, {
            id: pair.rightId,
            row: pair.rightRow,
            hash: pair.rightHash,
            sha256: pair.rightSha256,
            version: pair.rightVersion,
            json: pair.rightJson,
          })
        }
      })()
      const last = rows[rows.length - 1]!
      after = [last.entity, last.left_id]
    }
  }

  /**
   * The hash of a comparable form: staging's sha256 when the form is the record as staged (nothing left out or
   * translated), as its canonical JSON is then the one staging hashed.
   */
  private formHash(form: ComparableForm, sha256: string | undefined): string {
    return !form.changed && sha256 !== undefined ? sha256 : comparableHash(form.value)
  }

  /** Step 3: the counts, and the details written to the scratch database as they are found. */
  summarize(): DiffSummary {
    const {db} = this.work
    const count = (sql: string) =>
      new Map(
        (db.prepare(sql).raw().all() as Array<[number, EntityName, number]>).map(([side, entity, n]) => [
          `${side}/${entity}`,
          n,
        ]),
      )
    const records = count(`SELECT side, entity, COUNT(*) FROM side_record GROUP BY side, entity`)
    const paired = count(`SELECT 0, entity, COUNT(*) FROM pair GROUP BY entity`)
    const ambiguous = count(`SELECT side, entity, COUNT(*) FROM ambiguous GROUP BY side, entity`)
    db.exec(
      `INSERT INTO changed_pair (entity, left_id, right_id)
       SELECT p.entity, p.left_id, p.right_id FROM pair p
       JOIN side_record l ON l.side = 0 AND l.entity = p.entity AND l.id = p.left_id
       JOIN side_record r ON r.side = 1 AND r.entity = p.entity AND r.id = p.right_id
       WHERE p.same = 0 AND l.hash IS NOT r.hash`,
    )
    const changed = count(`SELECT 0, entity, COUNT(*) FROM changed_pair GROUP BY entity`)
    const withoutKey = count(
      `SELECT s.side, s.entity, COUNT(*) FROM side_record s
       WHERE s.entity = '${this.keyed?.entity ?? ''}'
         AND NOT EXISTS (SELECT 1 FROM side_key k WHERE k.side = s.side AND k.entity = s.entity AND k.id = s.id)
       GROUP BY s.side, s.entity`,
    )
    const get = (map: Map<string, number>, side: number, entity: EntityName) => map.get(`${side}/${entity}`) ?? 0
    const present = new Set([...records.keys()].map((key) => key.slice(key.indexOf('/') + 1)))
    const compared = DEPENDENCY_ORDER.filter((entity) =>
      this.options.entities === undefined ? present.has(entity) : this.options.entities.includes(entity),
    )
    const entities: Partial<Record<EntityName, EntityDiff>> = {}
    for (const entity of compared) {
      const pairs = get(paired, 0, entity)
      const differ = get(changed, 0, entity)
      const summary: EntityDiff = {
        left: get(records, LEFT, entity),
        right: get(records, RIGHT, entity),
        onlyLeft: get(records, LEFT, entity) - pairs - get(ambiguous, LEFT, entity),
        onlyRight: get(records, RIGHT, entity) - pairs - get(ambiguous, RIGHT, entity),
        changed: differ,
        same: pairs - differ,
        fields: {},
      }
      if (this.keyed?.entity === entity) {
        summary.match = {
          by: formatMatchSpec(this.options.match!),
          matched: pairs,
          ambiguousLeft: get(ambiguous, LEFT, entity),
          ambiguousRight: get(ambiguous, RIGHT, entity),
          unmatchedLeft: summary.onlyLeft,
          unmatchedRight: summary.onlyRight,
          withoutKeyLeft: get(withoutKey, LEFT, entity),
          withoutKeyRight: get(withoutKey, RIGHT, entity),
        }
      }
      entities[entity] = summary
    }
    const detailCount = this.writeDetails(compared, entities)
    const equal = Object.values(entities).every(
      (entity) =>
        entity.onlyLeft === 0 &&
        entity.onlyRight === 0 &&
        entity.changed === 0 &&
        (entity.match === undefined || entity.match.ambiguousLeft + entity.match.ambiguousRight === 0),
    )
    return {
      left: this.sides[LEFT].info,
      right: this.sides[RIGHT].info,
      match: formatMatchSpec(this.options.match ?? {by: 'id'}),
      ...(this.keyed === undefined ? {} : {matchedEntity: this.keyed.entity}),
      ignore: [...(this.options.ignore ?? [])],
      masked: !this.reveal,
      equal,
      entities,
      warnings: this.warnings,
      detailCount,
    }
  }

  /** The details of every compared type, in report order: changed, only left, only right, ambiguous; by id. */
  private writeDetails(compared: EntityName[], entities: Partial<Record<EntityName, EntityDiff>>): number {
    const {db} = this.work
    const insert = db.prepare(`INSERT INTO detail (json) VALUES (?)`)
    let written = 0
    const store = (details: DiffDetail[]) => {
      db.transaction(() => {
        for (const detail of details) insert.run(JSON.stringify(detail))
      })()
      written += details.length
    }
    for (const entity of compared) {
      const counts = entities[entity]!
      const fields = counts.fields
      for (const rows of counts.changed === 0 ? [] : this.pages(changedPairs, entity)) {
        const details = rows.map((row) => this.changedDetail(entity, row as PairRow))
        for (const detail of details) {
          for (const field of new Set(detail.changes.map((change) => topField(change.path)))) {
            fields[field] = (fields[field] ?? 0) + 1
          }
        }
        store(details)
      }
      for (const side of [LEFT, RIGHT] as const) {
        const only = side === LEFT ? counts.onlyLeft : counts.onlyRight
        for (const rows of only === 0 ? [] : this.pages(unpaired(side), entity)) {
          store(rows.map((row) => this.unpairedDetail(entity, side, side === LEFT ? 'only-left' : 'only-right', row)))
        }
      }
      for (const side of [LEFT, RIGHT] as const) {
        const ambiguous = side === LEFT ? counts.match?.ambiguousLeft : counts.match?.ambiguousRight
        for (const rows of (ambiguous ?? 0) === 0 ? [] : this.pages(ambiguousRecords(side), entity)) {
          store(
            rows.map((row) =>
              this.unpairedDetail(entity, side, side === LEFT ? 'ambiguous-left' : 'ambiguous-right', row),
            ),
          )
        }
      }
    }
    return written
  }

  /** Pages of a query's rows for one type, by id: the query takes @entity and @after, and orders by `id`. */
  private *pages(sql: string, entity: EntityName): Generator<StoredRow[]> {
    const statement = this.work.db.prepare(`${sql} ORDER BY 1 LIMIT ${PAGE}`)
    let after = ''
    for (;;) {
      const rows = statement.all({entity, after}) as StoredRow[]
      if (rows.length === 0) return
      yield rows
      after = rows[rows.length - 1]!.id
    }
  }

  private changedDetail(entity: EntityName, row: PairRow): DiffDetail {
    const leftValue = JSON.parse(this.jsonOf(LEFT, {entity, id: row.id, version: row.version, json: row.json}))
    const rightJson = this.jsonOf(RIGHT, {entity, id: row.rightId, version: row.rightVersion, json: row.rightJson})
    const label = recordLabel(entity, leftValue)
    const comparable = (value: unknown, translation?: Translation) =>
      withSortedKeys(comparableRecord(entity, value, this.comparable, translation))
    const left = comparable(leftValue)
    const translate = this.translation !== undefined && this.needsTranslation(entity)
    const right = comparable(JSON.parse(rightJson), translate ? this.translation : undefined)
    // The values shown are the right side's own (its references with its own ids), compared as translated; its lists
    // hold their items in the same order as the translated ones.
    const shown = translate ? comparable(JSON.parse(rightJson)) : right
    const mask = valueMask(entity, this.reveal)
    const changes = fieldChanges(left, right).map((change): DiffChange => {
      const result: DiffChange = {path: change.path}
      const shownRight = change.after === undefined ? undefined : valueAt(shown, change.path)
      if (change.before !== undefined) result.left = mask(change.before, change.path)
      if (shownRight !== undefined) result.right = mask(shownRight, change.path)
      if (Array.isArray(change.before) && Array.isArray(change.after) && Array.isArray(shownRight)) {
        const inRight = new Set(change.after.map(canonicalValueJson))
        const inLeft = new Set(change.before.map(canonicalValueJson))
        result.itemsOnlyLeft = change.before
          .filter((item) => !inRight.has(canonicalValueJson(item)))
          .map((item) => mask(item, change.path))
        result.itemsOnlyRight = change.after
          .flatMap((item, index) => (inLeft.has(canonicalValueJson(item)) ? [] : [shownRight[index]]))
          .map((item) => mask(item, change.path))
      }
      return result
    })
    return {
      entity,
      kind: 'changed',
      leftId: this.maskText(row.id),
      rightId: this.maskText(row.rightId),
      ...this.keyOf(entity, row.id, row.rightId),
      ...(label === undefined ? {} : {label: this.maskText(label)}),
      changes,
    }
  }

  private unpairedDetail(entity: EntityName, side: SideIndex, kind: DiffKind, row: StoredRow): DiffDetail {
    const label = recordLabel(entity, JSON.parse(this.jsonOf(side, {...row, entity})))
    const id = this.maskText(row.id)
    return {
      entity,
      kind,
      ...(side === LEFT ? {leftId: id} : {rightId: id}),
      ...(side === LEFT ? this.keyOf(entity, row.id, undefined) : this.keyOf(entity, undefined, row.id)),
      ...(label === undefined ? {} : {label: this.maskText(label)}),
      changes: [],
    }
  }

  /** Matching by key: the keys a pair shares, or those an unpaired record holds, masked as personnummer if they are. */
  private keyOf(entity: EntityName, leftId: string | undefined, rightId: string | undefined): {key?: string} {
    if (this.keyed?.entity !== entity) return {}
    this.readKeys ??= this.work.db
      .prepare(`SELECT key FROM side_key WHERE side = ? AND entity = ? AND id = ? ORDER BY key`)
      .pluck()
    const readKeys = this.readKeys
    const keysOf = (side: SideIndex, id: string) => readKeys.all(side, entity, id) as string[]
    const left = leftId === undefined ? undefined : keysOf(LEFT, leftId)
    const right = rightId === undefined ? undefined : keysOf(RIGHT, rightId)
    const keys =
      left !== undefined && right !== undefined ? left.filter((key) => right.includes(key)) : (left ?? right)!
    if (keys.length === 0) return {}
    const mask = this.reveal ? (key: string) => key : this.keyed.civic ? maskCivicNumber : textMask(false)
    return {key: keys.map(mask).join(', ')}
  }

  private maskText(text: string): string {
    return textMask(this.reveal)(text)
  }

  /** A record's JSON: kept in the scratch database for a path side, read back from staging for a staged one. */
  private jsonOf(side: SideIndex, row: {entity: EntityName; id: string; version: number | null; json: string | null}) {
    if (row.json !== null) return row.json
    const json = this.readStaged[side]?.get(row.entity, row.id, row.version) as string | null | undefined
    if (typeof json !== 'string') {
      throw new Error(`diff: ${row.entity} ${row.id} of the ${side === LEFT ? 'left' : 'right'} side is gone`)
    }
    return json
  }

  *storedDetails(): Generator<DiffDetail> {
    const page = this.work.db.prepare(`SELECT seq, json FROM detail WHERE seq > ? ORDER BY seq LIMIT ${PAGE}`)
    let after = 0
    for (;;) {
      const rows = page.all(after) as Array<{seq: number; json: string}>
      if (rows.length === 0) return
      for (const row of rows) yield JSON.parse(row.json) as DiffDetail
      after = rows[rows.length - 1]!.seq
    }
  }
}

/** A record of a pair not the same by sha256, as step 2b reads it to hash it. */
interface PendingRecord {
  id: string
  row: number
  hash: string | null
  sha256: string | null
  version: number | null
  json: string | null
}

interface PendingPair {
  entity: EntityName
  left_id: string
  leftRow: number
  leftHash: string | null
  leftSha256: string | null
  leftVersion: number | null
  leftJson: string | null
  rightRow: number
  rightId: string
  rightHash: string | null
  rightSha256: string | null
  rightVersion: number | null
  rightJson: string | null
}

interface StoredRow {
  entity: EntityName
  id: string
  version: number | null
  json: string | null
}

interface PairRow extends StoredRow {
  rightId: string
  rightVersion: number | null
  rightJson: string | null
}

const changedPairs = `
  SELECT p.left_id AS id, l.version AS version, l.json AS json,
         p.right_id AS rightId, r.version AS rightVersion, r.json AS rightJson
  FROM changed_pair p
  JOIN side_record l ON l.side = 0 AND l.entity = p.entity AND l.id = p.left_id
  JOIN side_record r ON r.side = 1 AND r.entity = p.entity AND r.id = p.right_id
  WHERE p.entity = @entity AND p.left_id > @after`

const unpaired = (side: SideIndex) => `
  SELECT s.id AS id, s.version AS version, s.json AS json FROM side_record s
  WHERE s.side = ${side} AND s.entity = @entity AND s.id > @after
    AND NOT EXISTS (SELECT 1 FROM pair p WHERE p.entity = s.entity AND p.${side === LEFT ? 'left_id' : 'right_id'} = s.id)
    AND NOT EXISTS (SELECT 1 FROM ambiguous a WHERE a.side = s.side AND a.entity = s.entity AND a.id = s.id)`

const ambiguousRecords = (side: SideIndex) => `
  SELECT s.id AS id, s.version AS version, s.json AS json FROM ambiguous a
  JOIN side_record s ON s.side = a.side AND s.entity = a.entity AND s.id = a.id
  WHERE a.side = ${side} AND a.entity = @entity AND a.id > @after`

/** The value at a path of `fieldChanges` (object keys only: it never goes into a list). */
function valueAt(record: unknown, path: string): unknown {
  let node = record
  for (const key of path.split('.')) {
    if (!isRecord(node)) return undefined
    node = node[key]
  }
  return node
}

/**
 * A value with the keys of its objects in order, as staging's canonical JSON has them (files may have any order), so
 * details read the same whatever side they come from. List items keep their order.
 */
function withSortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withSortedKeys)
  if (!isRecord(value)) return value
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, withSortedKeys(value[key])]),
  )
}

/** A name to know a record by in a report, where its type has one. */
function recordLabel(entity: EntityName, record: unknown): string | undefined {
  if (!isRecord(record)) return undefined
  const text = (value: unknown) => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined)
  if (entity === 'Person') {
    const name = [text(record.givenName), text(record.familyName)].filter(Boolean).join(' ')
    return name === '' ? undefined : name
  }
  return text(record.displayName) ?? text(record.name) ?? text(record.subjectName)
}

import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import Database from 'better-sqlite3'

/**
 * The diff's own scratch database: a file in a directory of its own (mode 0700, as mkdtemp makes it) under the
 * system's temporary directory, removed when the diff closes. It holds one small row per record of each side
 * (entity, id, staging's sha256, the hash its pair is compared by) and the match keys, so that the sides are compared with SQL joins
 * rather than in JavaScript memory; a path side's records are kept here too, as canonical JSON, for the details.
 */
export class WorkDatabase {
  private constructor(
    readonly db: Database.Database,
    private readonly dir: string,
  ) {}

  static create(parent: string = tmpdir()): WorkDatabase {
    const dir = mkdtempSync(join(parent, 'ss12000-diff-'))
    try {
      const db = new Database(join(dir, 'work.db'))
      // Scratch data: nothing to recover after a crash, so no journal and no syncing.
      db.pragma('journal_mode = OFF')
      db.pragma('synchronous = OFF')
      db.pragma('locking_mode = EXCLUSIVE')
      db.pragma('cache_size = -32768')
      db.exec(SCHEMA)
      return new WorkDatabase(db, dir)
    } catch (error) {
      rmSync(dir, {recursive: true, force: true})
      throw error
    }
  }

  /** Indexes the sides' rows once they are all written. */
  indexSides(): void {
    this.db.exec(`
      CREATE INDEX side_record_id ON side_record (side, entity, id);
      CREATE INDEX side_key_key ON side_key (side, entity, key, id);
      CREATE INDEX side_key_id ON side_key (side, entity, id, key);
    `)
  }

  close(): void {
    if (this.db.open) this.db.close()
    rmSync(this.dir, {recursive: true, force: true})
  }
}

/** Side 0 is the left, 1 the right. */
const SCHEMA = `
  -- One row per record of a side. Written without an index, which is made once both sides are in (sorting once is
  -- much faster than inserting random UUIDs into a B-tree).
  CREATE TABLE side_record (
    side    INTEGER NOT NULL,
    entity  TEXT NOT NULL,
    id      TEXT NOT NULL,
    -- What its pair is compared by, the same for both records of a pair: staging's sha256 when both are staged and
    -- those are equal (pair.same), else the sha256 of the comparable form. An unread staged record holds its sha256
    -- until the pairs are known (and keeps it without a pair, which needs no hash); a parsed record (a path side's,
    -- the type matched by key) is hashed as it is read, or NULL until the match is known for a right-side record
    -- whose references to the type matched by key must first be read as their left counterparts'.
    hash    TEXT,
    -- A staged side: the batch of the version read (its JSON is read back from the staging database by it).
    version INTEGER,
    -- A path side: the record's JSON.
    json    TEXT,
    -- A staged record loaded unread: the sha256 of its canonical JSON, as staging stored it (NULL once parsed).
    sha256  TEXT
  );

  -- The match keys of the records of the type matched by key: none, one or several per record. Indexed with
  -- side_record.
  CREATE TABLE side_key (
    side   INTEGER NOT NULL,
    entity TEXT NOT NULL,
    key    TEXT NOT NULL,
    id     TEXT NOT NULL
  );

  -- Left and right records that share a key.
  CREATE TABLE edge (
    left_id  TEXT NOT NULL,
    right_id TEXT NOT NULL,
    PRIMARY KEY (left_id, right_id)
  ) WITHOUT ROWID;
  CREATE INDEX edge_right ON edge (right_id);

  -- The pairs compared: by id, or by a key that pairs them and nothing else.
  CREATE TABLE pair (
    entity   TEXT NOT NULL,
    left_id  TEXT NOT NULL,
    right_id TEXT NOT NULL,
    -- 1 when both records are staged, unread, with equal sha256 (and need no translation): the same, by sha256.
    same     INTEGER NOT NULL,
    PRIMARY KEY (entity, left_id)
  ) WITHOUT ROWID;
  CREATE UNIQUE INDEX pair_right ON pair (entity, right_id);

  -- The pairs whose hashes differ.
  CREATE TABLE changed_pair (
    entity   TEXT NOT NULL,
    left_id  TEXT NOT NULL,
    right_id TEXT NOT NULL,
    PRIMARY KEY (entity, left_id)
  ) WITHOUT ROWID;

  -- Records whose key is held twice on their side or leads to more than one record on the other.
  CREATE TABLE ambiguous (
    side   INTEGER NOT NULL,
    entity TEXT NOT NULL,
    id     TEXT NOT NULL,
    PRIMARY KEY (side, entity, id)
  ) WITHOUT ROWID;

  -- The details, in report order, as JSON (already masked as the result is).
  CREATE TABLE detail (
    seq  INTEGER PRIMARY KEY,
    json TEXT NOT NULL
  );
`

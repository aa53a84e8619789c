/**
 * The staging schema, one SQL script per version, applied in order (`PRAGMA user_version` counts them). Never edit a
 * released migration: add the next one. README.md documents every table and view.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: batches, their source files, records with provenance, and the current state per scope.
  `
  CREATE TABLE batch (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind IN ('import', 'snapshot')),
    scope         TEXT NOT NULL,
    label         TEXT,
    template      TEXT,
    template_version TEXT,
    config_hash   TEXT,
    partial       INTEGER NOT NULL DEFAULT 0 CHECK (partial IN (0, 1)),
    status        TEXT NOT NULL CHECK (status IN ('complete', 'failed')),
    started_at    TEXT NOT NULL,
    finished_at   TEXT,
    counts        TEXT NOT NULL DEFAULT '{}'
  );
  CREATE INDEX batch_scope ON batch (scope, id);

  CREATE TABLE batch_file (
    batch   INTEGER NOT NULL REFERENCES batch (id) ON DELETE CASCADE,
    path    TEXT NOT NULL,
    sha256  TEXT NOT NULL,
    size    INTEGER NOT NULL,
    PRIMARY KEY (batch, path)
  );

  CREATE TABLE record (
    batch   INTEGER NOT NULL REFERENCES batch (id) ON DELETE CASCADE,
    entity  TEXT NOT NULL,
    id      TEXT NOT NULL,
    json    TEXT NOT NULL,
    sha256  TEXT NOT NULL,
    file    TEXT,
    line    INTEGER,
    PRIMARY KEY (batch, entity, id)
  ) WITHOUT ROWID;
  CREATE INDEX record_entity_id ON record (entity, id, batch);

  -- The newest complete batch of each scope, and what it holds.
  CREATE VIEW current_batch AS
    SELECT scope, MAX(id) AS batch FROM batch WHERE status = 'complete' GROUP BY scope;
  CREATE VIEW current_record AS
    SELECT b.scope, r.* FROM record r JOIN current_batch b ON r.batch = b.batch;
  `,
]

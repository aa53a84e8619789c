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
    -- 'writing' only inside the transaction that writes the batch: no one else ever sees it.
    status        TEXT NOT NULL CHECK (status IN ('writing', 'complete', 'failed')),
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

  -- What is staged now, per scope: the newest complete full batch, overlaid by the complete partial batches after it
  -- (a partial batch changes what it holds and says nothing about what it lacks).
  CREATE VIEW current_base AS
    SELECT scope, MAX(id) AS batch FROM batch WHERE status = 'complete' AND partial = 0 GROUP BY scope;
  CREATE VIEW current_batches AS
    SELECT b.scope, b.id AS batch FROM batch b JOIN current_base c ON c.scope = b.scope
    WHERE b.status = 'complete' AND b.id >= c.batch;
  CREATE VIEW current_record AS
    SELECT cb.scope, r.* FROM record r JOIN current_batches cb ON cb.batch = r.batch
    WHERE r.batch = (
      SELECT MAX(r2.batch) FROM record r2 JOIN current_batches cb2 ON cb2.batch = r2.batch
      WHERE cb2.scope = cb.scope AND r2.entity = r.entity AND r2.id = r.id
    );
  `,
]

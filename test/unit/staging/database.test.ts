import {statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import Database from 'better-sqlite3'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {UsageError} from '../../../src/errors.js'
import {databasePath, DB_ENV, openStagingDatabase, SCHEMA_VERSION} from '../../../src/staging/database.js'
import {makeTempDir} from '../../support/cli.js'

let temp: {dir: string; cleanup: () => Promise<void>}
beforeAll(async () => {
  temp = await makeTempDir('ss12000-staging-')
})
afterAll(async () => {
  await temp.cleanup()
})

describe('openStagingDatabase', () => {
  it('creates the file readable by its owner only, in WAL mode, with foreign keys and the current schema', () => {
    const path = join(temp.dir, 'new.db')
    const db = openStagingDatabase(path)
    try {
      expect(statSync(path).mode & 0o777).toBe(0o600)
      expect(db.pragma('journal_mode', {simple: true})).toBe('wal')
      expect(db.pragma('foreign_keys', {simple: true})).toBe(1)
      expect(db.pragma('user_version', {simple: true})).toBe(SCHEMA_VERSION)
      const names = db.prepare(`SELECT name FROM sqlite_schema WHERE type IN ('table', 'view') ORDER BY name`).all()
      expect(names.map((row) => (row as {name: string}).name)).toEqual([
        'batch',
        'batch_file',
        'client_report',
        'current',
        'current_record',
        'record',
        'record_issue',
        // SQLite's own, made for client_report's AUTOINCREMENT.
        'sqlite_sequence',
        'subscription',
        'upload_chunk',
        'upload_outcome',
        'upload_pending',
        'upload_run',
        'upload_state',
        'upload_target',
      ])
    } finally {
      db.close()
    }
  })

  it('opens an existing database again without migrating twice', () => {
    const path = join(temp.dir, 'again.db')
    openStagingDatabase(path).close()
    const db = openStagingDatabase(path)
    expect(db.pragma('user_version', {simple: true})).toBe(SCHEMA_VERSION)
    db.close()
  })

  it('refuses a record of a batch that does not exist', () => {
    const db = openStagingDatabase(join(temp.dir, 'foreign.db'))
    try {
      expect(() =>
        db.prepare(`INSERT INTO record (batch, entity, id, json, sha256) VALUES (999, 'Person', 'p1', '{}', '')`).run(),
      ).toThrow(/FOREIGN KEY/)
    } finally {
      db.close()
    }
  })

  it('does not create a database for a reader', () => {
    const path = join(temp.dir, 'absent.db')
    expect(() => openStagingDatabase(path, {create: false})).toThrow(/There is no staging database/)
    expect(() => statSync(path)).toThrow()
  })

  it('refuses a database written by a newer toolkit', () => {
    const path = join(temp.dir, 'newer.db')
    const raw = new Database(path)
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`)
    raw.close()
    expect(() => openStagingDatabase(path)).toThrow(UsageError)
    expect(() => openStagingDatabase(path)).toThrow(/newer than this toolkit/)
  })

  it('refuses a file that is not a database, as a usage error', () => {
    const path = join(temp.dir, 'not.db')
    writeFileSync(path, 'this is not sqlite, just text that is long enough to be read as a header page')
    expect(() => openStagingDatabase(path)).toThrow(UsageError)
  })

  it('takes the path from --db, then SS12000_DB, then ./ss12000.db', () => {
    expect(databasePath('a.db', {[DB_ENV]: 'b.db'})).toBe('a.db')
    expect(databasePath(undefined, {[DB_ENV]: 'b.db'})).toBe('b.db')
    expect(databasePath(undefined, {})).toBe('./ss12000.db')
  })
})

describe('migration 2', () => {
  it('gives each record held now the batch that created it, since it last came back', async () => {
    const {MIGRATIONS} = await import('../../../src/staging/migrations.js')
    const path = join(temp.dir, 'v1.db')
    const raw = new Database(path)
    raw.exec(MIGRATIONS[0]!)
    raw.pragma('user_version = 1')
    const batch = raw.prepare(
      `INSERT INTO batch (kind, scope, status, started_at, finished_at) VALUES ('import', 's', 'complete', 't', 't')`,
    )
    const version = raw.prepare(`INSERT INTO record (entity, id, batch, json, sha256) VALUES ('Person', ?, ?, ?, ?)`)
    for (let i = 1; i <= 4; i++) batch.run()
    version.run('p1', 1, '{"a":1}', 'h1') // added in 1
    version.run('p1', 2, null, null) // gone in 2
    version.run('p1', 3, '{"a":1}', 'h1') // back in 3
    version.run('p1', 4, '{"a":2}', 'h2') // changed in 4
    version.run('p2', 1, '{"b":1}', 'h3') // added in 1, changed in 4
    version.run('p2', 4, '{"b":2}', 'h4')
    const current = raw.prepare(
      `INSERT INTO current (scope, entity, id, batch, sha256, seen) VALUES ('s', 'Person', ?, 4, ?, 4)`,
    )
    current.run('p1', 'h2')
    current.run('p2', 'h4')
    raw.close()
    const db = openStagingDatabase(path)
    try {
      expect(db.prepare(`SELECT id, created FROM current_record ORDER BY id`).all()).toEqual([
        {id: 'p1', created: 3},
        {id: 'p2', created: 1},
      ])
    } finally {
      db.close()
    }
  })
})

describe('migration 3', () => {
  it("adds serve's subscriptions to a version 2 database, keeping what it held", async () => {
    const {MIGRATIONS} = await import('../../../src/staging/migrations.js')
    const path = join(temp.dir, 'v2.db')
    const raw = new Database(path)
    raw.exec(MIGRATIONS[0]!)
    raw.exec(MIGRATIONS[1]!)
    raw.pragma('user_version = 2')
    raw
      .prepare(
        `INSERT INTO batch (kind, scope, status, started_at, finished_at) VALUES ('import', 's', 'complete', 't', 't')`,
      )
      .run()
    raw.close()
    const db = openStagingDatabase(path)
    try {
      expect(db.pragma('user_version', {simple: true})).toBe(SCHEMA_VERSION)
      expect(db.prepare(`SELECT scope FROM batch`).all()).toEqual([{scope: 's'}])
      db.prepare(
        `INSERT INTO subscription (scope, id, name, target, resource_types, created, expires)
         VALUES ('s', 'a', 'n', 'https://example.test/hook', '[{"resource":"Person"}]', 't', 'u')`,
      ).run()
      expect(() =>
        db
          .prepare(
            `INSERT INTO subscription (scope, id, name, target, resource_types, created, expires)
             VALUES ('s', 'a', 'm', 'https://example.test/other', '[]', 't', 'u')`,
          )
          .run(),
      ).toThrow(/UNIQUE/)
    } finally {
      db.close()
    }
  })
})

describe('migration 4', () => {
  it("adds serve's client reports to a version 3 database, keeping what it held", async () => {
    const {MIGRATIONS} = await import('../../../src/staging/migrations.js')
    const path = join(temp.dir, 'v3.db')
    const raw = new Database(path)
    for (const migration of MIGRATIONS.slice(0, 3)) raw.exec(migration)
    raw.pragma('user_version = 3')
    raw
      .prepare(
        `INSERT INTO subscription (scope, id, name, target, resource_types, created, expires)
         VALUES ('s', 'a', 'n', 'https://example.test/hook', '[{"resource":"Person"}]', 't', 'u')`,
      )
      .run()
    raw.close()
    const db = openStagingDatabase(path)
    try {
      expect(db.pragma('user_version', {simple: true})).toBe(SCHEMA_VERSION)
      expect(db.prepare(`SELECT id FROM subscription`).all()).toEqual([{id: 'a'}])
      const insert = db.prepare(`INSERT INTO client_report (scope, kind, received, json) VALUES ('s', ?, 't', '{}')`)
      expect(insert.run('log').lastInsertRowid).toBe(1)
      expect(insert.run('statistics').lastInsertRowid).toBe(2)
      // Ids are not reused after the last row goes: AUTOINCREMENT.
      db.prepare(`DELETE FROM client_report WHERE id = 2`).run()
      expect(insert.run('log').lastInsertRowid).toBe(3)
      expect(() => insert.run('other')).toThrow(/CHECK/)
    } finally {
      db.close()
    }
  })
})

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
        'current',
        'current_record',
        'record',
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

import {chmodSync, closeSync, existsSync, openSync} from 'node:fs'

import Database from 'better-sqlite3'

import {UsageError} from '../errors.js'
import {DB_ENV} from './location.js'
import {MIGRATIONS} from './migrations.js'

export type StagingDatabase = Database.Database

export {databasePath, DB_ENV, DEFAULT_DB} from './location.js'

/**
 * Opens (and creates, readable by its owner only) the staging database, in WAL mode with foreign keys on, and brings
 * its schema up to date with the migrations in order, each in a transaction with `PRAGMA user_version`. A database
 * written by a newer toolkit is refused rather than misread. Read commands pass `create: false`: a database that
 * does not exist is a usage error, not a new empty file.
 */
export function openStagingDatabase(path: string, options: {create?: boolean} = {}): StagingDatabase {
  if (path !== ':memory:' && !existsSync(path)) {
    if (options.create === false) {
      throw new UsageError(`There is no staging database at ${path}.`, {
        actions: [`Stage something first (ss12000 stage <folder>), or name the database with --db or ${DB_ENV}.`],
      })
    }
    // Create the file with mode 0600 before SQLite does, so staged personal data is never world-readable.
    closeSync(openSync(path, 'a', 0o600))
    chmodSync(path, 0o600)
  }
  let db: StagingDatabase
  try {
    db = new Database(path)
  } catch (error) {
    throw new UsageError(`Cannot open the staging database ${path}: ${(error as Error).message}`)
  }
  try {
    db.pragma('journal_mode = WAL')
    db.pragma('foreign_keys = ON')
    db.pragma('busy_timeout = 5000')
    migrate(db, path)
  } catch (error) {
    db.close()
    const code = (error as {code?: unknown}).code
    if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
      throw new UsageError(`${path} is not a staging database (SQLite says: ${(error as Error).message}).`, {
        actions: ['Give another --db, or move the file away to start a new database.'],
      })
    }
    throw error
  }
  return db
}

/** The schema version this toolkit writes. */
export const SCHEMA_VERSION = MIGRATIONS.length

function migrate(db: StagingDatabase, path: string): void {
  const current = db.pragma('user_version', {simple: true}) as number
  if (current > SCHEMA_VERSION) {
    throw new UsageError(
      `${path} has staging schema version ${current}, newer than this toolkit's ${SCHEMA_VERSION}.`,
      {actions: ['Upgrade ss12000-toolkit, or use another --db.']},
    )
  }
  for (let version = current; version < SCHEMA_VERSION; version++) {
    const apply = db.transaction(() => {
      db.exec(MIGRATIONS[version]!)
      db.pragma(`user_version = ${version + 1}`)
    })
    apply()
  }
}

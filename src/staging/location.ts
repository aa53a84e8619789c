import {basename, dirname, extname, join} from 'node:path'

/** Where the staging database is: kept apart from database.ts so flags can name it without loading SQLite. */

/** The environment variable naming the staging database. */
export const DB_ENV = 'SS12000_DB'
/** The staging database when neither --db nor SS12000_DB says. */
export const DEFAULT_DB = './ss12000.db'

/** The database file to use: `--db`, then SS12000_DB, then ./ss12000.db. */
export function databasePath(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return flag ?? env[DB_ENV] ?? DEFAULT_DB
}

/** Where `stage` writes refused records unless told: beside the database (`./ss12000.db` → `./ss12000-rejects.csv`). */
export function defaultRejectsPath(db: string): string {
  return join(dirname(db), `${basename(db, extname(db))}-rejects.csv`)
}

/**
 * Crash safety of `ss12000 stage`: the built command, killed with SIGKILL while it is writing a batch, leaves the
 * staging database intact and as it was before, and a rerun completes.
 *
 * "While it is writing" is proven, not assumed: the command holds the write lock (another connection's BEGIN
 * IMMEDIATE is refused with SQLITE_BUSY; the database is already migrated, so only the batch's transaction takes
 * it), and the batch's uncommitted pages have been spilling into the WAL for a while (its size has grown by SPILLED
 * bytes past its size before the spawn). The stage service validates everything before it opens the database
 * (pass 1 writes nothing) and writes the batch in one transaction (pass 2), so no checkpoint can move those pages
 * into the database file before the kill. If the command gets through its write phase before both signs are seen,
 * the test fails and says so; it never passes without having killed a writer mid-batch.
 */
import {type ChildProcess, spawn} from 'node:child_process'
import {once} from 'node:events'
import {existsSync, statSync} from 'node:fs'
import {mkdir, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'

import Database from 'better-sqlite3'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {makeTempDir, REPO_ROOT, runCli} from '../support/cli.js'
import {generateDataset, generatePersons} from '../support/fictional.js'

const BIN = join(REPO_ROOT, 'bin', 'run.js')
/** The previous state: this many persons, the first ones of the large input. */
const SMALL = 200
/** The large input: about 5 MiB of JSON, whose write phase lasts about a second here (several under load). */
const LARGE = 10_000
/** How far the WAL must have grown with the batch's uncommitted pages before the kill: about a tenth of them. */
const SPILLED = 1 << 20
/** Give up (and fail) if the command is not caught mid-write within this long. */
const GUARD_MS = 120_000

let temp: {dir: string; cleanup: () => Promise<void>}
beforeAll(async () => {
  temp = await makeTempDir('ss12000-stage-crash-')
})
afterAll(async () => {
  await temp.cleanup()
})

/** Generated valid persons (the first `count` of one stream) and the organisation they are enroled at. */
async function writeInput(dir: string, count: number): Promise<void> {
  await mkdir(dir)
  const [unit] = generateDataset({persons: 0, staff: 1, schoolUnits: 1}).organisations
  await writeFile(join(dir, 'organisations.json'), JSON.stringify([unit]))
  const lines: string[] = []
  for (const person of generatePersons(count, 7, {enroledAt: unit!.id})) lines.push(JSON.stringify(person))
  await writeFile(join(dir, 'persons.json'), `[\n${lines.join(',\n')}\n]\n`)
}

interface Snapshot {
  batches: unknown[]
  batchFiles: unknown[]
  records: number
  lastRecordBatch: number | null
  current: unknown[]
}

/** Everything a reader can see of the staging database, through a connection of its own. */
function snapshot(path: string): Snapshot {
  const db = new Database(path, {readonly: true})
  try {
    return {
      batches: db.prepare('SELECT * FROM batch ORDER BY id').all(),
      batchFiles: db.prepare('SELECT * FROM batch_file ORDER BY batch, path').all(),
      records: db.prepare('SELECT COUNT(*) FROM record').pluck().get() as number,
      lastRecordBatch: db.prepare('SELECT MAX(batch) FROM record').pluck().get() as number | null,
      current: db.prepare('SELECT * FROM current_record ORDER BY scope, entity, id').all(),
    }
  } finally {
    db.close()
  }
}

const walSize = (path: string): number => (existsSync(`${path}-wal`) ? statSync(`${path}-wal`).size : 0)

/** Whether another connection holds the write lock: our BEGIN IMMEDIATE is refused at once. */
function writeLocked(probe: Database.Database): boolean {
  try {
    probe.exec('BEGIN IMMEDIATE')
  } catch (error) {
    if (String((error as {code?: unknown}).code).startsWith('SQLITE_BUSY')) return true
    throw error
  }
  probe.exec('ROLLBACK')
  return false
}

/**
 * Runs `ss12000 <args>` and kills it with SIGKILL once it is inside its batch transaction with at least SPILLED
 * bytes of it in the WAL. Throws, naming what it saw, if the command exits first or the guard runs out. The probe
 * connection is closed just before the kill, so that the killed command is the database's only connection when it
 * dies, as in a real crash: whoever opens the database next must recover the WAL it left.
 */
async function stageAndKillMidWrite(args: string[], dbPath: string): Promise<{walBefore: number; stderr: string}> {
  // No busy timeout: a refused BEGIN IMMEDIATE must answer at once.
  const probe = new Database(dbPath, {timeout: 0})
  let child: ChildProcess | undefined
  try {
    if (writeLocked(probe)) throw new Error('the database is locked before the command starts')
    const walBefore = walSize(dbPath)
    child = spawn(process.execPath, [BIN, ...args], {
      env: {...process.env, CI: '1', DEBUG: '', NO_COLOR: '1'},
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    let stderr = ''
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>
    let exitedFirst = false
    void exited.then(() => (exitedFirst = true))
    const deadline = Date.now() + GUARD_MS
    let sawLock = false
    let wal = walBefore
    for (;;) {
      if (exitedFirst) {
        throw new Error(
          `ss12000 stage exited (code ${child.exitCode}) before it was caught mid-write (write lock seen: ` +
            `${sawLock}; WAL ${walBefore} → ${wal} bytes): make LARGE bigger. ${stderr}`,
        )
      }
      if (Date.now() > deadline) {
        throw new Error(
          `ss12000 stage was not caught mid-write within ${GUARD_MS} ms (WAL ${walBefore} → ${wal} bytes).`,
        )
      }
      // Lock, size, lock: pages that reached the WAL while the lock was held belong to the open batch.
      if (writeLocked(probe)) {
        sawLock = true
        wal = walSize(dbPath)
        if (wal >= walBefore + SPILLED && writeLocked(probe)) break
      }
      await sleep(5)
    }
    probe.close()
    child.kill('SIGKILL')
    const [code, signal] = await exited
    if (signal !== 'SIGKILL') throw new Error(`ss12000 stage ended with code ${code}, signal ${signal}, not SIGKILL`)
    return {walBefore, stderr}
  } finally {
    if (probe.open) probe.close()
    if (child !== undefined && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  }
}

describe('ss12000 stage, killed with SIGKILL mid-write', () => {
  it('leaves the database intact and as it was, and a rerun completes', async () => {
    const small = join(temp.dir, 'small')
    const large = join(temp.dir, 'large')
    await writeInput(small, SMALL)
    await writeInput(large, LARGE)
    const dbPath = join(temp.dir, 'staging.db')

    const first = await runCli(['stage', small, '--db', dbPath, '--scope', 's'])
    expect(first.exitCode, first.stderr).toBe(0)
    const before = snapshot(dbPath)
    expect(before.batches).toHaveLength(1)
    expect(before.current).toHaveLength(SMALL + 1)

    const killed = await stageAndKillMidWrite(['stage', large, '--db', dbPath, '--scope', 's'], dbPath)
    // The killed batch's pages are still in the WAL, for the next connection to recover past.
    expect(walSize(dbPath)).toBeGreaterThanOrEqual(killed.walBefore + SPILLED)

    const db = new Database(dbPath)
    try {
      expect(db.pragma('integrity_check', {simple: true})).toBe('ok')
      expect(db.pragma('foreign_key_check')).toEqual([])
      expect(db.prepare(`SELECT COUNT(*) FROM batch WHERE status <> 'complete'`).pluck().get()).toBe(0)
    } finally {
      db.close()
    }
    expect(snapshot(dbPath), killed.stderr).toEqual(before)

    const rerun = await runCli(['stage', large, '--db', dbPath, '--scope', 's', '--json'])
    expect(rerun.exitCode, rerun.stderr).toBe(0)
    const result = JSON.parse(rerun.stdout) as {batch: {batch: number; previous: number; entities: unknown}}
    expect(result.batch).toMatchObject({batch: 2, previous: 1})
    expect(result.batch.entities).toEqual({
      Organisation: {records: 1, added: 0, changed: 0, unchanged: 1, absent: 0, fields: {}},
      Person: {records: LARGE, added: LARGE - SMALL, changed: 0, unchanged: SMALL, absent: 0, fields: {}},
    })
    const after = snapshot(dbPath)
    expect(after.batches).toHaveLength(2)
    expect(after.current).toHaveLength(LARGE + 1)
    expect(after.records).toBe(before.records + LARGE - SMALL)
  }, 300_000)
})

/**
 * stage: the staging layer and the stage service against a bare better-sqlite3 prepared INSERT of the same JSON
 * strings in one transaction, on the same generated persons in the same run, by wall-clock and by CPU time; and the
 * peak memory of `ss12000 stage` in its own process, beside that of each of its two passes alone, to show where memory
 * grows with the record count. BENCH_STAGE_PERSONS sets the size (default 100,000); BENCH_LARGE=1 adds a
 * 1,000,000-person memory run.
 */
import {mkdir, mkdtemp, readFile, rm, stat} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import Database from 'better-sqlite3'

import type {Person} from '../src/schema/model.js'
import {stage} from '../src/services/stage.js'
import {validate} from '../src/services/validate.js'
import {type BatchInput, type StagedRecord, writeBatch} from '../src/staging/batches.js'
import {openStagingDatabase} from '../src/staging/database.js'
import {bestTiming, rate, ROUNDS, runCommand, runScript, timed, type Timing, writePersonsInput} from './support.js'

const PERSONS = Number(process.env.BENCH_STAGE_PERSONS ?? 100_000)
const NOW = () => '2026-11-27T10:00:00+01:00'
const BATCH: BatchInput = {kind: 'import', scope: 'bench', partial: false, files: [], now: NOW}

interface Row {
  what: string
  timing: Timing
  records: number
}

/** A fresh database file in its own folder, so every round starts from nothing (and its -wal is its own). */
async function freshPath(dir: string, name: string): Promise<string> {
  const folder = await mkdtemp(join(dir, `${name}-`))
  return join(folder, 'db.sqlite')
}

/**
 * The baseline the issue names: bare better-sqlite3, WAL like ours, one transaction, one prepared INSERT per JSON
 * string. `keyed` adds what any staging needs at least: the record's id as primary key.
 */
function bareInsert(dir: string, persons: Person[], strings: string[], keyed: boolean): Promise<Timing> {
  return bestTiming(async () => {
    const db = new Database(await freshPath(dir, 'bare'))
    try {
      db.pragma('journal_mode = WAL')
      db.exec(
        keyed ? 'CREATE TABLE person (id TEXT PRIMARY KEY, json TEXT NOT NULL)' : 'CREATE TABLE person (json TEXT)',
      )
      const insert = db.prepare(
        keyed ? 'INSERT INTO person (id, json) VALUES (?, ?)' : 'INSERT INTO person (json) VALUES (?)',
      )
      const insertAll = db.transaction(() => {
        if (keyed) for (let i = 0; i < strings.length; i++) insert.run(persons[i]!.id, strings[i])
        else for (const text of strings) insert.run(text)
      })
      return await timed(insertAll)
    } finally {
      db.close()
    }
  })
}

const stagedRecords = (persons: Person[]): StagedRecord[] =>
  persons.map((person, index) => ({
    entity: 'Person',
    id: person.id,
    value: person,
    file: 'persons.json',
    line: index + 2,
  }))

/** The storage layer alone: writeBatch of records already parsed into a fresh staging database (all added). */
async function firstBatch(dir: string, records: StagedRecord[]): Promise<{timing: Timing; path: string}> {
  let path = ''
  const timing = await bestTiming(async () => {
    path = await freshPath(dir, 'first')
    const db = openStagingDatabase(path)
    try {
      let added: number | undefined
      const timing = await timed(() => (added = writeBatch(db, BATCH, records).entities.Person?.added))
      if (added !== records.length) throw new Error('the first batch did not add every record')
      return timing
    } finally {
      db.close()
    }
  })
  return {timing, path}
}

/** The same records again on top of the first batch: every one unchanged, so only `current.seen` moves. */
function restage(path: string, records: StagedRecord[]): Promise<Timing> {
  return bestTiming(async () => {
    const db = openStagingDatabase(path)
    try {
      let unchanged: number | undefined
      const timing = await timed(() => (unchanged = writeBatch(db, BATCH, records).entities.Person?.unchanged))
      if (unchanged !== records.length) throw new Error('the restage changed records')
      return timing
    } finally {
      db.close()
    }
  })
}

/** The stage service end to end on the folder: read, validate every record, read again and write (fresh db). */
function service(dir: string, input: string, persons: number): Promise<Timing> {
  return bestTiming(async () => {
    const dbPath = await freshPath(dir, 'service')
    let added: number | undefined
    const timing = await timed(async () => {
      const result = await stage({
        paths: [input],
        dbPath,
        profile: 'ss12000-2020',
        mode: 'payload',
        reveal: false,
        allowPartial: false,
        keepAllIssues: false,
        rejectsPath: `${dbPath}.rejects.csv`,
        now: NOW,
      })
      added = result.batch?.entities.Person?.added
    })
    if (added !== persons) throw new Error('the stage service did not add every person')
    return timing
  })
}

/** Validation alone: the validate service on the same folder (what the stage service's pass 1 does). */
function validation(input: string): Promise<Timing> {
  return bestTiming(async () => {
    let valid = false
    const timing = await timed(async () => {
      const result = await validate({
        paths: [input],
        profile: 'ss12000-2020',
        mode: 'payload',
        reveal: false,
        allowExternalRefs: false,
        keepAllIssues: false,
      })
      valid = result.valid
    })
    if (!valid) throw new Error('bench data is invalid')
    return timing
  })
}

/**
 * Peak RSS of `ss12000 stage` into a fresh database, and of each of its halves alone (bench/stage-part.ts): pass 1
 * (read + validate, keeping the engine) and pass 2 without the engine (read + write).
 */
async function memory(dir: string, input: string, persons: number): Promise<void> {
  const cli = runCommand(['stage', input, '--db', await freshPath(dir, 'cli'), '--scope', 'bench'], 1)
  const validateOnly = runScript('stage-part.ts', ['validate', input, await freshPath(dir, 'part')], 1)
  const writeOnly = runScript('stage-part.ts', ['write', input, await freshPath(dir, 'part')], 1)
  const mib = (run: {peakMiB: number}) => `${run.peakMiB.toFixed(0)} MiB`
  console.log(
    `| ${persons.toLocaleString('en-US')} | ${mib(cli)} (${rate(persons + 1, cli.seconds)} records/s) | ` +
      `${mib(validateOnly)} | ${mib(writeOnly)} (${rate(persons + 1, writeOnly.seconds)} records/s) |`,
  )
}

export async function benchStage(): Promise<void> {
  console.log('\n## stage\n')
  const dir = await mkdtemp(join(tmpdir(), 'ss12000-bench-stage-'))
  try {
    const input = join(dir, 'in')
    await mkdir(input)
    await writePersonsInput(input, PERSONS)
    const file = join(input, 'persons.json')
    const persons = JSON.parse(await readFile(file, 'utf8')) as Person[]
    const strings = persons.map((person) => JSON.stringify(person))
    const records = stagedRecords(persons)
    const size = (await stat(file)).size
    console.log(
      `data: ${PERSONS.toLocaleString('en-US')} persons (and the organisation they are enroled at), ` +
        `${(size / 2 ** 20).toFixed(1)} MiB of JSON; best of ${ROUNDS}`,
    )

    const bare = await bareInsert(dir, persons, strings, false)
    const keyed = await bareInsert(dir, persons, strings, true)
    const first = await firstBatch(dir, records)
    const again = await restage(first.path, records)
    const checked = await validation(input)
    const whole = await service(dir, input, PERSONS)
    const rows: Row[] = [
      {
        what: 'bare better-sqlite3: one transaction, prepared INSERT of the JSON strings',
        timing: bare,
        records: PERSONS,
      },
      {what: 'bare, with the id as primary key', timing: keyed, records: PERSONS},
      {what: '`writeBatch`, first batch (all added), records already parsed', timing: first.timing, records: PERSONS},
      {what: '`writeBatch`, the same records again (all unchanged)', timing: again, records: PERSONS},
      {what: 'validate service alone, for comparison', timing: checked, records: PERSONS + 1},
      {what: 'stage service end to end (read + validate + read + write)', timing: whole, records: PERSONS + 1},
    ]
    console.log('')
    console.log('| what | wall s | CPU s | records/s | vs bare (wall) | vs bare (CPU) |')
    console.log('| --- | ---: | ---: | ---: | ---: | ---: |')
    for (const {what, timing, records: count} of rows) {
      // Ratios of throughput: the bare insert's seconds per record over this row's.
      const wall = bare.wall / PERSONS / (timing.wall / count)
      const cpu = bare.cpu / PERSONS / (timing.cpu / count)
      console.log(
        `| ${what} | ${timing.wall.toFixed(3)} | ${timing.cpu.toFixed(3)} | ${rate(count, timing.wall)} | ` +
          `${wall.toFixed(2)} | ${cpu.toFixed(2)} |`,
      )
    }

    console.log(
      '\n| persons | peak RSS, `ss12000 stage` | pass 1 alone (read + validate) | pass 2 alone (read + write) |',
    )
    console.log('| ---: | ---: | ---: | ---: |')
    await memory(dir, input, PERSONS)
    if (process.env.BENCH_LARGE === '1') {
      const count = 1_000_000
      const large = join(dir, 'large')
      await mkdir(large)
      await writePersonsInput(large, count)
      await memory(dir, large, count)
    }
  } finally {
    await rm(dir, {recursive: true, force: true})
  }
}

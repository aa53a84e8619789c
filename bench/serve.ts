/**
 * `npm run bench -- serve`: page through 100,000 staged persons over loopback with limit 1,000, as a client of
 * `ss12000 serve` would, against the raw library on the same data (bare better-sqlite3 iterating the same JSON in id
 * order); and the server's peak RSS, for 100,000 and (BENCH_LARGE=1) 1,000,000 persons.
 */
import {type ChildProcess, spawn} from 'node:child_process'
import {once} from 'node:events'
import {mkdtemp, readFile, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import Database from 'better-sqlite3'

import {writeBatch} from '../src/staging/batches.js'
import {openStagingDatabase} from '../src/staging/database.js'
import {generateDataset, generatePersons} from '../test/support/fictional.js'
import {rate, ROOT, timeBest} from './support.js'

const PERSONS = Number(process.env.BENCH_SERVE_PERSONS ?? 100_000)
const LIMIT = 1000

export async function benchServe(): Promise<void> {
  const sizes = process.env.BENCH_LARGE === '1' ? [PERSONS, 1_000_000] : [PERSONS]
  console.log(`\n## serve\n\npaging through staged persons over loopback, limit ${LIMIT}; best of 3\n`)
  console.log(
    '| persons | bare better-sqlite3 (records/s) | serve (records/s) | vs bare | serve, by relationship (records/s) | vs bare | server peak RSS |',
  )
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: |')
  for (const persons of sizes) {
    const dir = await mkdtemp(join(tmpdir(), 'ss12000-bench-serve-'))
    try {
      const path = join(dir, 'serve.db')
      stagePersons(path, persons)
      const bare = await timeBest(async () => {
        const db = new Database(path, {readonly: true})
        let count = 0
        for (const row of db
          .prepare(
            `SELECT r.json FROM current c JOIN record r ON r.entity = c.entity AND r.id = c.id AND r.batch = c.batch WHERE c.entity = 'Person' ORDER BY c.id`,
          )
          .pluck()
          .iterate() as IterableIterator<string>) {
          count += row.length > 0 ? 1 : 0
        }
        db.close()
        if (count !== persons) throw new Error('bare read missed records')
      })
      const {child, url} = await startServe(path)
      try {
        const served = await timeBest(() => pageAll(url, persons))
        // Every person is enrolled: the filter keeps them all, so its cost is the filter's own.
        const related = await timeBest(() => pageAll(url, persons, 'relationship.entity.type=enrolment'))
        const peak = await peakRss(child.pid!)
        console.log(
          `| ${persons.toLocaleString('en-US')} | ${rate(persons, bare)} | ${rate(persons, served)} | ${(bare / served).toFixed(2)}× | ${rate(persons, related)} | ${(bare / related).toFixed(2)}× | ${peak} MiB |`,
        )
      } finally {
        child.kill('SIGINT')
        await once(child, 'exit')
      }
    } finally {
      await rm(dir, {recursive: true, force: true})
    }
  }
}

/** Stages `count` generated persons (and their school unit) as scope `bench`. */
export function stagePersons(path: string, count: number): void {
  const db = openStagingDatabase(path)
  const [unit] = generateDataset({persons: 0, staff: 1, schoolUnits: 1}).organisations
  function* records() {
    yield {entity: 'Organisation' as const, id: unit!.id, value: unit}
    for (const person of generatePersons(count, 7, {enroledAt: unit!.id})) {
      yield {entity: 'Person' as const, id: person.id, value: person}
    }
  }
  writeBatch(
    db,
    {kind: 'import', scope: 'bench', partial: false, files: [], now: () => '2026-11-27T10:00:00+01:00'},
    records(),
  )
  db.close()
}

/** Pages through /persons with limit 1,000 and checks the count. */
export async function pageAll(base: string, expected: number, filter = ''): Promise<void> {
  let seen = 0
  let page = (await (await fetch(`${base}/persons?limit=${LIMIT}${filter ? `&${filter}` : ''}`)).json()) as {
    data: unknown[]
    pageToken: string | null
  }
  for (;;) {
    seen += page.data.length
    if (page.pageToken === null) break
    page = (await (
      await fetch(`${base}/persons?pageToken=${encodeURIComponent(page.pageToken)}`)
    ).json()) as typeof page
  }
  if (seen !== expected) throw new Error(`paged ${seen} persons, expected ${expected}`)
}

/** `ss12000 serve --no-auth` on an ephemeral port, in its own process (with `extra` arguments: `--ingest`). */
export async function startServe(db: string, extra: string[] = []): Promise<{child: ChildProcess; url: string}> {
  const args = [join(ROOT, 'bin/run.js'), 'serve', '--db', db, '--no-auth', '--port', '0', ...extra]
  const child = spawn(process.execPath, args, {
    env: {...process.env, CI: '1'},
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  let output = ''
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk
      const match = /at (http:\/\/\S+)/.exec(output)
      if (match) resolve(match[1]!)
    })
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${output}`)))
  })
  return {child, url}
}

/** The process's peak resident set (VmHWM), in MiB. */
async function peakRss(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  const kib = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0)
  return Math.round(kib / 1024)
}

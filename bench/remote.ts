/**
 * `npm run bench -- remote`: `ss12000 pull` of 100,000 staged persons from `ss12000 serve` over loopback, then
 * `ss12000 diff` of the staged scope against the pulled snapshot (100,000 vs 100,000), each the real command in its own
 * process (wall time and peak RSS by /usr/bin/time). Baselines on the same data in the same run: paging the API with
 * bare fetch (what any client must spend), and comparing the two scopes' hashes with one bare better-sqlite3 query.
 */
import {once} from 'node:events'
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import Database from 'better-sqlite3'

import {pageAll, stagePersons, startServe} from './serve.js'
import {rate, runCommand, timeBest} from './support.js'

const PERSONS = Number(process.env.BENCH_REMOTE_PERSONS ?? 100_000)

export async function benchRemote(): Promise<void> {
  console.log(
    `\n## pull and diff\n\n${PERSONS.toLocaleString('en-US')} persons over loopback; best of 3 (pull: 1 run)\n`,
  )
  const dir = await mkdtemp(join(tmpdir(), 'ss12000-bench-remote-'))
  try {
    const db = join(dir, 'remote.db')
    stagePersons(db, PERSONS)
    const {child, url} = await startServe(db)
    try {
      const fetched = await timeBest(() => pageAll(url, PERSONS))
      // Into the same database, as snapshot "api": the diff then compares two scopes of one file.
      const pulled = runCommand(
        ['pull', url, '--db', db, '--name', 'api', '--entity', 'Organisation', '--entity', 'Person'],
        1,
      )
      const diffed = runCommand(['diff', 'staged:bench', 'snapshot:api', '--db', db, '--json'])
      const bare = await timeBest(async () => {
        const raw = new Database(db, {readonly: true})
        raw
          .prepare(
            `SELECT COUNT(*) FROM current a FULL JOIN (SELECT * FROM current WHERE scope = 'api') b
               ON a.entity = b.entity AND a.id = b.id
             WHERE a.scope = 'bench' AND (b.id IS NULL OR a.sha256 <> b.sha256)`,
          )
          .pluck()
          .get()
        raw.close()
      })
      console.log('| step | baseline | baseline (s) | ss12000 (s) | vs baseline | records/s | peak RSS |')
      console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: |')
      console.log(
        `| pull | paging with bare fetch | ${fetched.toFixed(2)} | ${pulled.seconds.toFixed(2)} | ${(fetched / pulled.seconds).toFixed(2)}× | ${rate(PERSONS, pulled.seconds)} | ${Math.round(pulled.peakMiB)} MiB |`,
      )
      console.log(
        `| diff | one bare SQLite hash join | ${bare.toFixed(2)} | ${diffed.seconds.toFixed(2)} | ${(bare / diffed.seconds).toFixed(2)}× | ${rate(PERSONS, diffed.seconds)} | ${Math.round(diffed.peakMiB)} MiB |`,
      )
      console.log(
        `\npull + diff: ${(pulled.seconds + diffed.seconds).toFixed(2)} s (goal < 5 s), peak RSS ${Math.round(Math.max(pulled.peakMiB, diffed.peakMiB))} MiB (goal < 400)`,
      )
    } finally {
      child.kill('SIGINT')
      await once(child, 'exit')
    }
  } finally {
    await rm(dir, {recursive: true, force: true})
  }
}

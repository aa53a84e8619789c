/**
 * `npm run bench -- upload`: `ss12000 upload` of 100,000 staged persons (and their school unit) to an empty
 * `ss12000 serve --ingest` over loopback, the real command in its own process (wall time and peak RSS by
 * /usr/bin/time), against the baseline on the same data in the same run: the same records POSTed with bare fetch in
 * bodies of the same size, one after another, to another empty `serve --ingest` (what any client must spend). Then
 * the re-upload, which must send nothing.
 */
import {once} from 'node:events'
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {openStagingDatabase} from '../src/staging/database.js'
import {stagePersons, startServe} from './serve.js'
import {rate, runCommand} from './support.js'

const PERSONS = Number(process.env.BENCH_UPLOAD_PERSONS ?? 100_000)
const CHUNK = 500

export async function benchUpload(): Promise<void> {
  console.log(
    `\n## upload\n\n${PERSONS.toLocaleString('en-US')} persons to serve --ingest over loopback, chunks of ${CHUNK}; one run each\n`,
  )
  const dir = await mkdtemp(join(tmpdir(), 'ss12000-bench-upload-'))
  try {
    const source = join(dir, 'source.db')
    stagePersons(source, PERSONS)
    const bodies = persons(source)

    const bare = await startServe(join(dir, 'bare.db'), ['--scope', 'target', '--ingest'])
    let bareSeconds: number
    try {
      const started = process.hrtime.bigint()
      for (const [collection, body] of bodies) {
        const response = await fetch(`${bare.url}/${collection}`, {
          method: 'POST',
          headers: {'content-type': 'application/json'},
          body,
        })
        if (response.status !== 201)
          throw new Error(`bare POST /${collection}: ${response.status} ${await response.text()}`)
        await response.arrayBuffer()
      }
      bareSeconds = Number(process.hrtime.bigint() - started) / 1e9
    } finally {
      bare.child.kill('SIGINT')
      await once(bare.child, 'exit')
    }

    const target = await startServe(join(dir, 'target.db'), ['--scope', 'target', '--ingest'])
    try {
      const uploaded = runCommand(['upload', target.url, '--db', source, '--chunk-size', String(CHUNK)], 1)
      const again = runCommand(['upload', target.url, '--db', source], 1)
      console.log('| step | baseline | baseline (s) | ss12000 (s) | vs baseline | records/s | client peak RSS |')
      console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: |')
      console.log(
        `| upload | bare fetch POSTs, one at a time | ${bareSeconds.toFixed(2)} | ${uploaded.seconds.toFixed(2)} | ${(bareSeconds / uploaded.seconds).toFixed(2)}× | ${rate(PERSONS, uploaded.seconds)} | ${Math.round(uploaded.peakMiB)} MiB |`,
      )
      console.log(
        `| re-upload (sends nothing) | | | ${again.seconds.toFixed(2)} | | | ${Math.round(again.peakMiB)} MiB |`,
      )
      console.log(`\nupload: ${rate(PERSONS, uploaded.seconds)} records/s (goal > 5,000/s)`)
    } finally {
      target.child.kill('SIGINT')
      await once(target.child, 'exit')
    }
  } finally {
    await rm(dir, {recursive: true, force: true})
  }
}

/** The staged records as ingest bodies of CHUNK: the organisation first, then the persons. */
function persons(path: string): Array<[string, string]> {
  const db = openStagingDatabase(path, {create: false})
  try {
    const bodies: Array<[string, string]> = []
    for (const [entity, collection] of [
      ['Organisation', 'organisations'],
      ['Person', 'persons'],
    ] as const) {
      const rows = db
        .prepare(`SELECT json FROM current_record WHERE entity = ? ORDER BY id`)
        .pluck()
        .all(entity) as string[]
      for (let start = 0; start < rows.length; start += CHUNK) {
        bodies.push([collection, `{"${collection}":[${rows.slice(start, start + CHUNK).join(',')}]}`])
      }
    }
    return bodies
  } finally {
    db.close()
  }
}

import {join} from 'node:path'

import {expect} from 'vitest'

import {openStagingDatabase} from '../../src/staging/database.js'
import {makeTempDir, runCli, startServe} from './cli.js'
import {writeFullDataset} from './full-dataset.js'

/** What a scope of a staging database holds now: `entity/id` → canonical JSON. */
export function heldRecords(dbPath: string, scope: string): Map<string, string> {
  const db = openStagingDatabase(dbPath, {create: false})
  try {
    const rows = db
      .prepare(`SELECT entity, id, json FROM current_record WHERE scope = ? ORDER BY entity, id`)
      .all(scope) as Array<{entity: string; id: string; json: string}>
    return new Map(rows.map((row) => [`${row.entity}/${row.id}`, row.json]))
  } finally {
    db.close()
  }
}

/** A served school: the full dataset written to `data/`, staged as scope `skolan` in `source.db`, and `serve` on it. */
export interface ServedFullDataset {
  temp: {dir: string; cleanup: () => Promise<void>}
  data: string
  source: string
  serve: Awaited<ReturnType<typeof startServe>>
  stop(): Promise<void>
}

export async function serveFullDataset(prefix: string, token: string): Promise<ServedFullDataset> {
  const temp = await makeTempDir(prefix)
  const source = join(temp.dir, 'source.db')
  const data = join(temp.dir, 'data')
  await writeFullDataset(data)
  expect((await runCli(['stage', data, '--db', source, '--scope', 'skolan'])).exitCode).toBe(0)
  const serve = await startServe(['--db', source, '--port', '0'], {SS12000_SERVE_TOKEN: token})
  return {
    temp,
    data,
    source,
    serve,
    stop: async () => {
      await serve.stop()
      await temp.cleanup()
    },
  }
}

import {spawn} from 'node:child_process'
import {once} from 'node:events'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {writeBatch} from '../../src/staging/batches.js'
import {openStagingDatabase} from '../../src/staging/database.js'
import {makeTempDir, REPO_ROOT, runCli, startServe} from '../support/cli.js'
import {type FaultPlan, pass, startFaultProxy} from '../support/fault-proxy.js'
import {generateDataset, generatePersons} from '../support/fictional.js'

/**
 * `ss12000 upload` survives what a real network and real machines do to it: SIGKILL at two different moments (a
 * request that never reached the target, and one the target applied whose answer never came back), then a rerun;
 * and 503, 429 with Retry-After, a reset, a timeout, a lost answer and a 413 injected by a proxy in front of
 * `serve --ingest`. Each time the target ends equal to the staged scope (ss12000 diff says so) and no record is
 * created twice.
 */
const TOKEN = 'upload-crash-token-not-a-secret'
const PERSONS = 1500
const env = {SS12000_TOKEN: TOKEN}

let temp: {dir: string; cleanup: () => Promise<void>}
let source: string

beforeAll(async () => {
  temp = await makeTempDir('ss12000-upload-crash-')
  source = join(temp.dir, 'source.db')
  const [unit] = generateDataset({persons: 0, staff: 1, schoolUnits: 1}).organisations
  const db = openStagingDatabase(source)
  function* records() {
    yield {entity: 'Organisation' as const, id: unit!.id, value: unit}
    for (const person of generatePersons(PERSONS, 11, {enroledAt: unit!.id})) {
      yield {entity: 'Person' as const, id: person.id, value: person}
    }
  }
  writeBatch(
    db,
    {kind: 'import', scope: 'skolan', partial: false, files: [], now: () => '2026-11-28T08:00:00+01:00'},
    records(),
  )
  db.close()
})
afterAll(async () => {
  await temp.cleanup()
})

/** A fresh ingest target, empty. */
async function startTarget(name: string) {
  return startServe(['--db', join(temp.dir, `${name}.db`), '--scope', 'target', '--port', '0', '--ingest'], {
    SS12000_SERVE_TOKEN: TOKEN,
  })
}

/** Starts `ss12000 upload` in its own process, to be killed. */
function spawnUpload(url: string, ...extra: string[]) {
  const child = spawn(
    process.execPath,
    [join(REPO_ROOT, 'bin', 'run.js'), 'upload', url, '--db', source, '--chunk-size', '50', ...extra],
    {env: {...process.env, CI: '1', ...env}, stdio: ['ignore', 'pipe', 'pipe']},
  )
  let output = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk))
  return {child, output: () => output}
}

/** Ids of the records each POST asked to create. */
function postedIds(requests: ReadonlyArray<{method: string; body: string}>): string[] {
  return requests
    .filter((request) => request.method === 'POST')
    .flatMap((request) => {
      const body = JSON.parse(request.body) as Record<string, Array<{id: string}>>
      return Object.values(body).flatMap((records) => records.map((record) => record.id))
    })
}

function pending(): number {
  const db = openStagingDatabase(source, {create: false})
  try {
    return db.prepare(`SELECT COUNT(*) FROM upload_pending`).pluck().get() as number
  } finally {
    db.close()
  }
}

// Each test runs several CLI processes one after another: minutes on a loaded two-core machine.
describe('ss12000 upload after SIGKILL and through faults', {timeout: 180_000}, () => {
  it('resumes after being killed twice, sends nothing acknowledged again, creates nothing twice, ends equal', async () => {
    const serve = await startTarget('crash')
    const requests: Array<{method: string; body: string}> = []
    let onRequest: FaultPlan = () => pass
    const proxy = await startFaultProxy(serve.url, TOKEN, (request) => {
      requests.push(request)
      return onRequest(request)
    })
    try {
      // 1. Killed while a request is on its way: the target never sees it.
      const first = spawnUpload(proxy.url, '--concurrency', '2')
      onRequest = (request) => {
        if (request.method !== 'POST' || request.path !== 'persons' || request.ordinal !== 4) return pass
        first.child.kill('SIGKILL')
        return {kind: 'stall'}
      }
      const [, firstSignal] = (await once(first.child, 'exit')) as [number | null, string | null]
      expect(firstSignal, first.output()).toBe('SIGKILL')
      expect(pending()).toBeGreaterThan(0)

      // 2. Killed after the target applied a request whose answer then never came back.
      const second = spawnUpload(proxy.url, '--concurrency', '1')
      let writes = 0
      onRequest = (request) => {
        if (request.method === 'GET' || ++writes !== 6) return pass
        return {kind: 'pass', loseAnswer: () => second.child.kill('SIGKILL')}
      }
      const [, secondSignal] = (await once(second.child, 'exit')) as [number | null, string | null]
      expect(secondSignal, second.output()).toBe('SIGKILL')
      expect(pending()).toBeGreaterThan(0)

      // 3. Runs to the end: what went out unanswered is upserted.
      onRequest = () => pass
      const third = await runCli(['upload', proxy.url, '--db', source, '--chunk-size', '50', '--json'], {env})
      expect(third.exitCode, third.stderr).toBe(0)
      const report = JSON.parse(third.stdout) as {plan: {entities: {Person: {upsert: number; create: number}}}}
      expect(report.plan.entities.Person.upsert).toBeGreaterThan(0)
      expect(pending()).toBe(0)

      const posted = postedIds(requests)
      expect(posted.length).toBeGreaterThan(0)
      expect(new Set(posted).size).toBe(posted.length)
      const diff = await runCli(['diff', 'staged:skolan', serve.url, '--db', source], {env})
      expect(diff.exitCode, diff.stdout).toBe(0)
      expect(diff.stdout).toMatch(
        new RegExp(`Person +${PERSONS.toLocaleString('en-US')} +${PERSONS.toLocaleString('en-US')} `),
      )

      const again = await runCli(['upload', proxy.url, '--db', source], {env})
      expect(again.exitCode).toBe(0)
      expect(again.stdout).toContain('Nothing to send')
    } finally {
      await proxy.close()
      await serve.stop()
    }
  })

  it('survives 503, 429 with Retry-After, a reset, a timeout, a lost answer and a 413', async () => {
    const serve = await startTarget('faults')
    const faults: Record<number, ReturnType<FaultPlan>> = {
      0: {kind: 'answer', status: 503, body: '{"code":"busy","message":"try later"}'},
      2: {kind: 'answer', status: 429, body: '{}', headers: {'retry-after': '1'}},
      4: {kind: 'reset'},
      6: {kind: 'stall'},
      // Applied, then the answer is lost: the retried POST finds the ids held and sends them as PUT.
      8: {kind: 'pass', loseAnswer: () => {}},
      10: {kind: 'answer', status: 413, body: '{"errors":["too large"]}'},
    }
    const proxy = await startFaultProxy(serve.url, TOKEN, (request) =>
      request.method === 'POST' && request.path === 'persons' ? (faults[request.ordinal] ?? pass) : pass,
    )
    try {
      const result = await runCli(
        // One request at a time, so the faults meet the requests the counts below expect.
        ['upload', proxy.url, '--db', source, '--chunk-size', '100', '--timeout', '1', '--concurrency', '1'],
        {env},
      )
      expect(result.exitCode, result.stderr).toBe(0)
      expect(result.stderr).toMatch(/answer 503 .+; attempt 2 of 5/)
      expect(result.stderr).toMatch(/answer 429 .+ in 1\.0 s\./)
      expect(result.stderr).toMatch(/no answer within 1000 ms/)
      const diff = await runCli(['diff', 'staged:skolan', serve.url, '--db', source], {env})
      expect(diff.exitCode, diff.stdout).toBe(0)
      // The 413 halved that chunk: two requests of 50 follow it.
      const persons = proxy.requests.filter((request) => request.path === 'persons' && request.method === 'POST')
      const sizes = persons.map((request) => (JSON.parse(request.body) as {persons: unknown[]}).persons.length)
      expect(sizes.slice(10, 13)).toEqual([100, 50, 50])
    } finally {
      await proxy.close()
      await serve.stop()
    }
  })

  it('stops with exit 4 when the target keeps failing, and the next run resumes and finishes', async () => {
    const serve = await startTarget('down')
    let down = true
    const proxy = await startFaultProxy(serve.url, TOKEN, (request) =>
      down && request.method === 'POST' && request.path === 'persons' && request.ordinal >= 3
        ? {kind: 'answer', status: 500, body: '{"code":"db","message":"database is down"}'}
        : pass,
    )
    try {
      const stopped = await runCli(
        ['upload', proxy.url, '--db', source, '--chunk-size', '100', '--concurrency', '1', '--retries', '1'],
        {env},
      )
      expect(stopped.exitCode).toBe(4)
      expect(stopped.stderr).toMatch(/persons\S* failed 2 times; the last time: answer 500 .+database is down/)
      expect(stopped.stderr).toContain(`The upload stopped after 301 of ${PERSONS + 1} records.`)
      expect(stopped.stderr).toContain('Run the same upload again when the target is back')
      down = false
      const resumed = await runCli(['upload', proxy.url, '--db', source, '--json'], {env})
      expect(resumed.exitCode, resumed.stderr).toBe(0)
      const report = JSON.parse(resumed.stdout) as {plan: {entities: {Person: Record<string, number>}}}
      // The failed chunk may have been applied: upserted. The rest is new; the first 300 are not sent again.
      expect(report.plan.entities.Person).toMatchObject({upsert: 100, create: PERSONS - 400, unchanged: 300})
      expect((await runCli(['diff', 'staged:skolan', serve.url, '--db', source], {env})).exitCode).toBe(0)
    } finally {
      await proxy.close()
      await serve.stop()
    }
  })
})

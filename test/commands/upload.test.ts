import {readFile, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {openStagingDatabase} from '../../src/staging/database.js'
import {makeTempDir, runCli, runCliOnTerminal, stackTraceLines, startServe} from '../support/cli.js'
import {generateDataset, generatePersons, writeDataset} from '../support/fictional.js'

/**
 * `ss12000 upload` against the toolkit's own `serve --ingest` on loopback, one story in order: a dry run sends
 * nothing; the first upload creates everything; a second sends nothing; three changed persons are three updates; two
 * dropped are two deletes; a larger drop is refused by the safety limit until allowed; a plan is approved by its hash
 * and refused once the stage moved; a record the target refuses is reported by reason with exit 5.
 */
const TOKEN = 'upload-test-token-not-a-secret'
type Json = Record<string, unknown> & {id: string}

let temp: {dir: string; cleanup: () => Promise<void>}
let data: string
let source: string
let target: string
let serve: Awaited<ReturnType<typeof startServe>>
const env = {SS12000_TOKEN: TOKEN}

const upload = (...extra: string[]) => runCli(['upload', serve.url, '--db', source, ...extra], {env})
const stage = async () => {
  const staged = await runCli(['stage', data, '--db', source, '--scope', 'skolan'])
  expect(staged.exitCode, staged.stderr).toBe(0)
}
const persons = async () => JSON.parse(await readFile(join(data, 'persons.json'), 'utf8')) as Json[]
const savePersons = (list: Json[]) => writeFile(join(data, 'persons.json'), JSON.stringify(list, null, 2))

/** The batches the target's ingest wrote: one per request that changed something. */
function targetBatches(): Array<{label: string; counts: string}> {
  const db = openStagingDatabase(target, {create: false})
  try {
    return db.prepare(`SELECT label, counts FROM batch WHERE scope = 'target' ORDER BY id`).all() as Array<{
      label: string
      counts: string
    }>
  } finally {
    db.close()
  }
}

async function targetGet(path: string): Promise<number> {
  const response = await fetch(`${serve.url}/${path}`, {headers: {authorization: `Bearer ${TOKEN}`}})
  await response.arrayBuffer()
  return response.status
}

/** `ss12000 diff` of the staged scope against the target's read API: exit 0 when equal. */
async function differences(): Promise<{exitCode: number | null; stdout: string}> {
  return runCli(['diff', 'staged:skolan', serve.url, '--db', source], {env})
}

/** Persons no other record refers to: they can go without changing anything else. */
async function unreferencedPersons(): Promise<Json[]> {
  const others = await Promise.all(
    ['organisations', 'duties', 'groups', 'activities'].map((name) => readFile(join(data, `${name}.json`), 'utf8')),
  )
  const all = await persons()
  const text = others.join('\n') + JSON.stringify(all.map((person) => person.responsibles ?? null))
  return all.filter((person) => !text.includes(person.id))
}

beforeAll(async () => {
  temp = await makeTempDir('ss12000-upload-')
  data = join(temp.dir, 'data')
  source = join(temp.dir, 'source.db')
  target = join(temp.dir, 'target.db')
  await writeDataset(data, generateDataset({persons: 120, staff: 6, schoolUnits: 2}))
  // And 20 persons nothing refers to (no class, no duty): they can go without changing anything else.
  await savePersons([...(await persons()), ...([...generatePersons(20, 3, {domain: 'extra.example'})] as Json[])])
  await stage()
  // An empty target: the scope is created by the first write.
  serve = await startServe(['--db', target, '--scope', 'target', '--port', '0', '--ingest'], {
    SS12000_SERVE_TOKEN: TOKEN,
  })
})
afterAll(async () => {
  await serve?.stop()
  await temp.cleanup()
})

// Each test runs several CLI processes one after another: minutes on a loaded two-core machine.
describe('ss12000 upload', {timeout: 180_000}, () => {
  it('plans without sending on a dry run, with samples masked and the plan written with its hash', async () => {
    const planFile = join(temp.dir, 'first-plan.json')
    const dry = await upload('--dry-run', '--plan-out', planFile)
    expect(dry.exitCode, dry.stderr).toBe(0)
    expect(dry.stdout).toMatch(/Person\s+146\s+0\s+0\s+0\s+0\s+0/)
    expect(dry.stdout).toMatch(/create Person \S+ \(\d{8}-\*{4}\)/)
    const {hash} = JSON.parse(await readFile(planFile, 'utf8')) as {hash: string}
    expect(dry.stdout).toContain(`--plan ${planFile} --approve ${hash}`)
    expect(targetBatches()).toEqual([])
  })

  it('creates everything the first time, and the target then equals the staged scope', async () => {
    const first = await upload('--chunk-size', '25', '--json')
    expect(first.exitCode, first.stderr).toBe(0)
    const report = JSON.parse(first.stdout) as {
      executed: boolean
      sent: Record<string, {ok: number; refused: number}>
      plan: {entities: Record<string, {create: number}>}
    }
    expect(report.executed).toBe(true)
    expect(report.sent.Person).toEqual({ok: 146, refused: 0})
    expect(report.plan.entities.Organisation?.create).toBe(2)
    // Dependency order: organisations before persons before duties and groups before activities.
    const labels = [...new Set(targetBatches().map((batch) => batch.label))]
    expect(labels).toEqual([
      'ingest POST /organisations',
      'ingest POST /persons',
      'ingest POST /duties',
      'ingest POST /groups',
      'ingest POST /activities',
    ])
    expect(targetBatches().filter((batch) => batch.label === 'ingest POST /persons')).toHaveLength(6) // 146 / 25
    expect((await differences()).exitCode).toBe(0)
  })

  it('sends nothing when nothing changed', async () => {
    const before = targetBatches().length
    const again = await upload()
    expect(again.exitCode, again.stderr).toBe(0)
    expect(again.stdout).toContain('Nothing to send: the target already holds the staged state.')
    expect(targetBatches()).toHaveLength(before)
  })

  it('sends three changed persons as three updates, and two dropped ones as two deletes', async () => {
    const list = await persons()
    for (const person of list.slice(0, 3)) person.givenName = `${String(person.givenName)}-Ändrad`
    await savePersons(list)
    await stage()
    const before = targetBatches().length
    const changed = await upload('--json')
    expect(changed.exitCode, changed.stderr).toBe(0)
    const report = JSON.parse(changed.stdout) as {plan: {entities: Record<string, Record<string, number>>}}
    expect(report.plan.entities.Person).toMatchObject({create: 0, update: 3, delete: 0, unchanged: 143})
    const batches = targetBatches().slice(before)
    expect(batches.map((batch) => batch.label)).toEqual(['ingest PUT /persons'])
    expect(JSON.parse(batches[0]!.counts)).toMatchObject({Person: {records: 3, changed: 3}})

    const [gone1, gone2] = await unreferencedPersons()
    await savePersons((await persons()).filter((person) => person.id !== gone1!.id && person.id !== gone2!.id))
    await stage()
    const dropped = await upload('--json')
    expect(dropped.exitCode, dropped.stderr).toBe(0)
    expect((JSON.parse(dropped.stdout) as typeof report).plan.entities.Person).toMatchObject({delete: 2, update: 0})
    expect(await targetGet(`persons/${gone1!.id}`)).toBe(404)
    expect(await targetGet(`persons/${gone2!.id}`)).toBe(404)
    expect((await differences()).exitCode).toBe(0)
  })

  it('refuses to delete more than the limit, shows what would go, and sends it once allowed', async () => {
    const going = (await unreferencedPersons()).slice(0, 8)
    expect(going).toHaveLength(8)
    const ids = new Set(going.map((person) => person.id))
    await savePersons((await persons()).filter((person) => !ids.has(person.id)))
    await stage()
    const before = targetBatches().length
    const refused = await upload()
    expect(refused.exitCode).toBe(2)
    expect(refused.stderr).toMatch(/would delete 8 Person \(5\.6 % of 144\), more than 5%/)
    expect(refused.stderr).toContain(going[0]!.id)
    expect(refused.stderr).toMatch(/\(\d{8}-\*{4}\)/)
    expect(refused.stderr).toContain('--max-delete')
    expect(stackTraceLines(refused.stderr)).toEqual([])
    expect(targetBatches()).toHaveLength(before)

    const allowed = await upload('--max-delete', '10%')
    expect(allowed.exitCode, allowed.stderr).toBe(0)
    expect((await differences()).exitCode).toBe(0)
  })

  it('sends exactly an approved plan, and refuses a wrong hash or a plan the stage moved past', async () => {
    const list = await persons()
    list[5]!.familyName = 'Planerad'
    await savePersons(list)
    await stage()
    const planFile = join(temp.dir, 'plan.json')
    const dry = await upload('--dry-run', '--plan-out', planFile)
    expect(dry.exitCode, dry.stderr).toBe(0)
    const {hash} = JSON.parse(await readFile(planFile, 'utf8')) as {hash: string}

    const wrong = await upload('--plan', planFile, '--approve', '0'.repeat(64))
    expect(wrong.exitCode).toBe(2)
    expect(wrong.stderr).toContain('is not the hash of')

    const approved = await upload('--plan', planFile, '--approve', hash)
    expect(approved.exitCode, approved.stderr).toBe(0)
    expect(approved.stdout).toContain('1 taken')
  })

  it('refuses a plan the stage moved past, and a plan edited by hand', async () => {
    // A new plan, then the stage moves: the plan is no longer what an upload would do.
    const list = await persons()
    list[6]!.familyName = 'Först'
    await savePersons(list)
    await stage()
    const stale = join(temp.dir, 'stale.json')
    await upload('--dry-run', '--plan-out', stale)
    const staleHash = (JSON.parse(await readFile(stale, 'utf8')) as {hash: string}).hash
    list[6]!.familyName = 'Sedan'
    await savePersons(list)
    await stage()
    const moved = await upload('--plan', stale, '--approve', staleHash)
    expect(moved.exitCode).toBe(2)
    expect(moved.stderr).toContain('is no longer what an upload would do')
    // A plan edited by hand no longer has its hash.
    const edited = JSON.parse(await readFile(stale, 'utf8')) as {plan: {stagedBatch: number}}
    edited.plan.stagedBatch++
    await writeFile(stale, JSON.stringify({hash: staleHash, plan: edited.plan}))
    const tampered = await upload('--plan', stale, '--approve', staleHash)
    expect(tampered.exitCode).toBe(2)
    expect(tampered.stderr).toContain('was changed after it was written')
    expect((await upload()).exitCode).toBe(0)
  })

  it('reports records the target refuses, grouped by reason, with exit 5, and sends the rest', async () => {
    // Someone else put a person on the target with an eduPersonPrincipalName the next staged persons want too.
    const [stranger] = [...generatePersons(1, 99, {domain: 'annan.example'})] as Json[]
    const put = await fetch(`${serve.url}/persons`, {
      method: 'POST',
      headers: {authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json'},
      body: JSON.stringify({persons: [stranger]}),
    })
    expect(put.status).toBe(201)
    const taken = (stranger!.eduPersonPrincipalNames as string[])[0]!
    const newcomers = [...generatePersons(3, 7, {domain: 'ny.example'})] as Json[]
    newcomers[0]!.eduPersonPrincipalNames = [taken]
    newcomers[1]!.eduPersonPrincipalNames = [taken.toUpperCase()]
    // Two would clash with each other in the stage itself; only the first keeps the name.
    newcomers[1]!.eduPersonPrincipalNames = [`x-${taken}`]
    await savePersons([...(await persons()), ...newcomers])
    await stage()
    const result = await upload()
    expect(result.exitCode, result.stderr).toBe(5)
    expect(result.stdout).toMatch(/✖ 1 Person: 409 eduPersonPrincipalName … belongs to Person …/)
    expect(result.stdout).toContain(newcomers[0]!.id)
    expect(result.stdout).toContain('2 taken, 1 refused')
    expect(await targetGet(`persons/${newcomers[1]!.id}`)).toBe(200)
    expect(await targetGet(`persons/${newcomers[0]!.id}`)).toBe(404)
    // Refused records stay to send: the next upload tries again (and is refused again).
    expect((await upload()).exitCode).toBe(5)
  })

  it('shows a progress line per entity type on a terminal', async () => {
    const list = await persons()
    list[9]!.familyName = 'Terminal'
    await savePersons(list)
    await stage()
    const {lines, exitCode} = await runCliOnTerminal(['upload', serve.url, '--db', source], {env})
    // Exit 5: the newcomer the target refuses (above) is refused again.
    expect(exitCode, lines.join('\n')).toBe(5)
    expect(lines).toContain(`✔ Uploading to ${serve.url}`)
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}✔ Person: 2\/2 sent · 1 refused$/))
    expect(lines).toContain('  ✔ Organisation: nothing to send')
    expect(lines).toContain('✔ Journaling')
  })
})

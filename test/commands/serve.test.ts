/* eslint-disable @typescript-eslint/no-explicit-any -- responses are read as loose JSON */
import {type ChildProcess} from 'node:child_process'
import {once} from 'node:events'
import {cp, readFile, writeFile} from 'node:fs/promises'
import {createServer} from 'node:http'
import {get as httpsGet} from 'node:https'
import type {AddressInfo} from 'node:net'
import {join} from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {makeCivicNumber} from '../../src/validation/identity.js'
import {makeTempDir, REPO_ROOT, runCli, stackTraceLines, startServe} from '../support/cli.js'
import {FULL_DATASET_COLLECTIONS, FULL_DATASET_MARKS, fullDataset, writeFullDataset} from '../support/full-dataset.js'

const TOKEN = 'serve-test-token-not-a-secret'
let temp: {dir: string; cleanup: () => Promise<void>}
let db: string
let server: ChildProcess
let base: string

beforeAll(async () => {
  temp = await makeTempDir('ss12000-serve-cmd-')
  db = join(temp.dir, 'serve.db')
  const staged = await runCli(['stage', join(REPO_ROOT, 'examples', 'ss12000'), '--db', db, '--scope', 'example'])
  expect(staged.exitCode).toBe(0)
  ;({child: server, url: base} = await startServe(['--db', db, '--port', '0'], {SS12000_SERVE_TOKEN: TOKEN}))
})
afterAll(async () => {
  if (server.exitCode === null) {
    server.kill('SIGINT')
    await once(server, 'exit')
  }
  await temp.cleanup()
})

const get = async (path: string, token = TOKEN) => {
  const response = await fetch(`${base}${path}`, {headers: token ? {authorization: `Bearer ${token}`} : {}})
  return {status: response.status, body: (await response.json()) as {data?: Array<{id: string}>; pageToken?: string}}
}

describe('ss12000 serve', () => {
  it('serves every collection of the staged example, each id exactly once at several page sizes', async () => {
    const counts: Record<string, number> = {}
    for (const collection of ['organisations', 'persons', 'groups', 'duties', 'activities', 'rooms']) {
      let previous: string[] | undefined
      for (const limit of [1, 7, 1000]) {
        const seen: string[] = []
        let page = await get(`/${collection}?limit=${limit}`)
        for (;;) {
          expect(page.status).toBe(200)
          seen.push(...page.body.data!.map((record) => record.id))
          if (page.body.pageToken === null) break
          page = await get(`/${collection}?pageToken=${encodeURIComponent(page.body.pageToken!)}`)
        }
        expect(new Set(seen).size).toBe(seen.length)
        if (previous) expect(seen).toEqual(previous)
        previous = seen
      }
      counts[collection] = previous!.length
    }
    const staged = async (name: string) =>
      (JSON.parse(await readFile(join(REPO_ROOT, 'examples', 'ss12000', `${name}.json`), 'utf8')) as unknown[]).length
    expect(counts).toEqual({
      organisations: await staged('organisations'),
      persons: await staged('persons'),
      groups: await staged('groups'),
      duties: await staged('duties'),
      activities: await staged('activities'),
      rooms: 0,
    })
  })

  it('serves every collection of a staged dataset that has all of them, each id once at page sizes 1, 4 and 1000', async () => {
    const dir = join(temp.dir, 'full')
    await writeFullDataset(dir)
    const fullDb = join(temp.dir, 'full.db')
    expect((await runCli(['stage', dir, '--db', fullDb, '--scope', 'full'])).exitCode).toBe(0)
    const {child, url} = await startServe(['--db', fullDb, '--port', '0', '--no-auth'], {})
    try {
      const dataset = fullDataset()
      const window = `startTime.onOrAfter=${FULL_DATASET_MARKS.schoolYear.start}&startTime.onOrBefore=${FULL_DATASET_MARKS.schoolYear.end}`
      for (const {key} of FULL_DATASET_COLLECTIONS) {
        const expected = dataset[key].map((record) => record.id).sort()
        for (const limit of [1, 4, 1000]) {
          const seen: string[] = []
          let page = (await (
            await fetch(`${url}/${key}?limit=${limit}${key === 'calendarEvents' ? `&${window}` : ''}`)
          ).json()) as {data: Array<{id: string}>; pageToken: string | null}
          for (;;) {
            seen.push(...page.data.map((record) => record.id))
            if (page.pageToken === null) break
            page = (await (
              await fetch(`${url}/${key}?pageToken=${encodeURIComponent(page.pageToken)}`)
            ).json()) as typeof page
          }
          expect(seen.length, `${key} at limit ${limit}`).toBe(new Set(seen).size)
          expect([...seen].sort(), `${key} at limit ${limit}`).toEqual(expected)
        }
      }
      // Collections nothing was staged for answer empty pages.
      expect(await (await fetch(`${url}/subscriptions`)).json()).toEqual({data: [], pageToken: null})
      const aggregated = await fetch(`${url}/aggregatedAttendance?startDate=2000-01-01&endDate=2000-12-31`)
      expect(await aggregated.json()).toEqual({data: [], pageToken: null})
    } finally {
      child.kill('SIGINT')
      await once(child, 'exit')
    }
  })

  it('filters as the standard says, looks up by ids and civic numbers, and 404s an unknown id', async () => {
    const persons = JSON.parse(
      await readFile(join(REPO_ROOT, 'examples', 'ss12000', 'persons.json'), 'utf8'),
    ) as Array<{id: string; civicNo?: {value: string}; givenName: string}>
    const [first, second] = persons
    const byCivicNo = await get(`/persons?civicNo=${first!.civicNo!.value}`)
    expect(byCivicNo.body.data!.map((record) => record.id)).toEqual([first!.id])
    const named = await get(`/persons?nameContains=${encodeURIComponent(first!.givenName.toUpperCase())}`)
    expect(named.body.data!.map((record) => record.id)).toContain(first!.id)
    // member: activities of the groups the person is a member of.
    const groups = JSON.parse(await readFile(join(REPO_ROOT, 'examples', 'ss12000', 'groups.json'), 'utf8')) as Array<{
      id: string
      groupMemberships?: Array<{person: {id: string}}>
    }>
    const activities = JSON.parse(
      await readFile(join(REPO_ROOT, 'examples', 'ss12000', 'activities.json'), 'utf8'),
    ) as Array<{id: string; groups: Array<{id: string}>}>
    const memberOf = new Set(
      groups.filter((group) => group.groupMemberships?.some((m) => m.person.id === first!.id)).map((group) => group.id),
    )
    const expected = activities.filter((activity) => activity.groups.some((group) => memberOf.has(group.id)))
    const taught = await get(`/activities?member=${first!.id}&limit=1000`)
    expect(taught.body.data!.map((record) => record.id).sort()).toEqual(expected.map((activity) => activity.id).sort())
    expect(expected.length).toBeGreaterThan(0)
    const klass = await get('/groups?groupType=Klass')
    for (const group of klass.body.data! as unknown as Array<{groupType: string}>) expect(group.groupType).toBe('Klass')
    const response = await fetch(`${base}/persons/lookup`, {
      method: 'POST',
      headers: {authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json'},
      body: JSON.stringify({ids: [second!.id], civicNos: [first!.civicNo!.value]}),
    })
    expect(response.status).toBe(200)
    const found = ((await response.json()) as Array<{id: string}>).map((record) => record.id).sort()
    expect(found).toEqual([first!.id, second!.id].sort())
    expect((await get(`/persons/${first!.id}`)).body).toMatchObject({id: first!.id, meta: {}})
    expect((await get('/persons/00000000-0000-4000-8000-000000000000')).status).toBe(404)
    expect((await get('/persons?meta.modified.after=2999-01-01T00:00:00Z')).body.data).toEqual([])
  })

  it('tells deletedEntities once a full batch no longer has a record, serves the new state at once, and notifies subscribers', async () => {
    // A webhook receiver, subscribed to activities.
    const received: unknown[] = []
    const receiver = createServer((request, response) => {
      let text = ''
      request.setEncoding('utf8').on('data', (chunk: string) => (text += chunk))
      request.on('end', () => {
        received.push(JSON.parse(text))
        response.end()
      })
    })
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve))
    const target = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`
    const subscribed = await fetch(`${base}/subscriptions`, {
      method: 'POST',
      headers: {authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json'},
      body: JSON.stringify({name: 'test', target, resourceTypes: [{resource: 'Activity'}]}),
    })
    expect(subscribed.status).toBe(201)

    const copy = join(temp.dir, 'next-term')
    await cp(join(REPO_ROOT, 'examples', 'ss12000'), copy, {recursive: true})
    const activities = JSON.parse(await readFile(join(copy, 'activities.json'), 'utf8')) as Array<{id: string}>
    const dropped = activities.pop()!
    await writeFile(join(copy, 'activities.json'), JSON.stringify(activities))
    const restaged = await runCli(['stage', copy, '--db', db, '--scope', 'example'])
    expect(restaged.exitCode).toBe(0)
    const deleted = await get('/deletedEntities?after=1970-01-01T00:00:00Z&entities=Activity')
    // The standard's key for activities is misspelled, and served as it is spelled.
    expect(deleted.body).toEqual({data: {activitites: [dropped.id]}, pageToken: null})
    expect((await get(`/activities/${dropped.id}`)).status).toBe(404)
    expect((await get('/activities?limit=1000')).body.data).toHaveLength(activities.length)
    // The restage ran in another process; serve notices the batch and tells the subscriber (within seconds).
    for (let waited = 0; received.length === 0 && waited < 20_000; waited += 100) await sleep(100)
    expect(received).toEqual([{deletedEntities: true}])
    await new Promise((resolve) => receiver.close(resolve))
  })

  it('names references with expandReferenceNames, on later pages too', async () => {
    const read = async (name: string) =>
      JSON.parse(await readFile(join(REPO_ROOT, 'examples', 'ss12000', `${name}.json`), 'utf8')) as Array<
        Record<string, any>
      >
    const persons = new Map((await read('persons')).map((person) => [person.id, person]))
    const organisations = new Map((await read('organisations')).map((unit) => [unit.id, unit]))
    const first = await get('/duties?limit=1&expandReferenceNames=true')
    const second = await get(`/duties?pageToken=${encodeURIComponent(first.body.pageToken!)}`)
    for (const duty of [...first.body.data!, ...second.body.data!] as Array<Record<string, any>>) {
      const person = persons.get(duty.person.id)
      expect(duty.person.displayName).toBe(`${person!.givenName} ${person!.familyName}`)
      expect(duty.dutyAt.displayName).toBe(organisations.get(duty.dutyAt.id)!.displayName)
    }
    const plain = await get('/duties?limit=1')
    expect((plain.body.data![0] as Record<string, any>).person.displayName).toBeUndefined()
    expect((await get('/duties?expandReferenceNames=yes')).status).toBe(400)
  })

  it('answers 403 without a valid token', async () => {
    expect((await get('/persons', '')).status).toBe(403)
    expect((await get('/persons', 'not-it')).status).toBe(403)
  })

  it('refuses to start without a token, or without auth on a public address', async () => {
    const noToken = await runCli(['serve', '--db', db, '--port', '0'], {env: {SS12000_SERVE_TOKEN: ''}})
    expect(noToken.exitCode).toBe(2)
    expect(noToken.stderr).toContain('SS12000_SERVE_TOKEN')
    const open = await runCli(['serve', '--db', db, '--no-auth', '--host', '0.0.0.0', '--port', '0'])
    expect(open.exitCode).toBe(2)
    expect(open.stderr).toContain('only on a loopback address')
    expect(stackTraceLines(open.stderr)).toEqual([])
  })

  it("takes writes with --ingest, validated by Skolverket's profile by default, and serves them at once", async () => {
    const {child, url} = await startServe(['--db', db, '--port', '0', '--ingest'], {SS12000_SERVE_TOKEN: TOKEN})
    try {
      const send = (method: string, body: unknown) =>
        fetch(`${url}/persons`, {
          method,
          headers: {authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json'},
          body: JSON.stringify(body),
        })
      const id = '7e1b5a3c-0d2f-4e6a-9b8c-1d2e3f4a5b6c'
      const person = {
        id,
        givenName: 'Ingrid',
        familyName: 'Ingest',
        civicNo: {value: makeCivicNumber('2012-02-29', 17)},
        eduPersonPrincipalNames: ['ingrid.ingest@exempelskolan.example'],
      }
      // Skolverket's profile requires eduPersonPrincipalNames: without them, 400 with the reason.
      const {eduPersonPrincipalNames: _eppn, ...without} = person
      const refused = await send('POST', {persons: [without]})
      expect(refused.status).toBe(400)
      expect(JSON.stringify(await refused.json())).toContain('eduPersonPrincipalNames')
      const created = await send('POST', {persons: [person]})
      expect(created.status).toBe(201)
      expect(await created.json()).toEqual({ids: [id]})
      expect((await send('POST', {persons: [person]})).status).toBe(409)
      const served = await fetch(`${url}/persons/${id}`, {headers: {authorization: `Bearer ${TOKEN}`}})
      expect(await served.json()).toMatchObject({id, givenName: 'Ingrid'})
      const removed = await fetch(`${url}/persons`, {
        method: 'DELETE',
        headers: {authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json'},
        body: JSON.stringify({persons: [{id}]}),
      })
      expect(removed.status).toBe(202)
      expect((await fetch(`${url}/persons/${id}`, {headers: {authorization: `Bearer ${TOKEN}`}})).status).toBe(404)
      // A client reports back to the read API; the ingest side reads it.
      const entry = {message: 'Person could not be mapped.', resourceType: 'Person', severityLevel: 'Warning'}
      const reported = await fetch(`${url}/log`, {
        method: 'POST',
        headers: {authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json'},
        body: JSON.stringify(entry),
      })
      expect(reported.status).toBe(201)
      const logs = await fetch(`${url}/log`, {headers: {authorization: `Bearer ${TOKEN}`}})
      expect(await logs.json()).toEqual({logs: [entry], pageToken: null})
    } finally {
      child.kill('SIGINT')
      await once(child, 'exit')
    }
  })

  it('serves HTTPS with --cert and --key, and refuses a key it cannot read', async () => {
    const tls = join(REPO_ROOT, 'test', 'fixtures', 'tls')
    const {child, url} = await startServe(
      ['--db', db, '--port', '0', '--no-auth', '--cert', join(tls, 'cert.pem'), '--key', join(tls, 'key.pem')],
      {},
    )
    try {
      expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/v2\.0$/)
      const ca = await readFile(join(tls, 'cert.pem'))
      const body = await new Promise<string>((resolve, reject) => {
        httpsGet(`${url}/organisations?limit=1`, {ca}, (response) => {
          let text = ''
          response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk))
          response.on('end', () => resolve(text))
        }).on('error', reject)
      })
      expect((JSON.parse(body) as {data: unknown[]}).data).toHaveLength(1)
    } finally {
      child.kill('SIGINT')
      await once(child, 'exit')
    }
    const missing = await runCli([
      'serve',
      '--db',
      db,
      '--no-auth',
      '--cert',
      join(tls, 'cert.pem'),
      '--key',
      join(tls, 'nope.pem'),
    ])
    expect(missing.exitCode).toBe(2)
    expect(missing.stderr).toContain('nope.pem')
    expect(stackTraceLines(missing.stderr)).toEqual([])
  })

  it('stops on SIGINT with exit code 0', async () => {
    const {child} = await startServe(['--db', db, '--port', '0', '--no-auth'], {})
    child.kill('SIGINT')
    const [code] = (await once(child, 'exit')) as [number | null]
    expect(code).toBe(0)
  })
})

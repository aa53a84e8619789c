import {createServer, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'
import {join} from 'node:path'

import Fastify, {type FastifyInstance} from 'fastify'
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'

import {openStagingDatabase, type StagingDatabase} from '../../../src/staging/database.js'
import {
  registerSubscriptions,
  type StoredSubscription,
  type SubscriptionNotifier,
  type SubscriptionOptions,
} from '../../../src/server/subscriptions.js'
import {makeTempDir} from '../../support/cli.js'

const BASE = '/v2.0'
const START = Date.parse('2026-11-27T12:00:00+01:00')
const DAY = 24 * 60 * 60 * 1000

interface Api {
  url: string
  app: FastifyInstance
  notifier: SubscriptionNotifier
  warnings: string[]
  /** The server's clock, in milliseconds; `now()` gives it as RFC 3339 with a +01:00 offset. */
  clock: {time: number}
}

interface Received {
  path: string
  contentType: string | undefined
  body: unknown
}

/** A webhook receiver on 127.0.0.1: records what it is sent and answers 200 unless told otherwise per path. */
class Receiver {
  readonly received: Received[] = []
  private readonly answers = new Map<string, number[]>()
  private readonly gates = new Map<string, {arrived: () => void; release: Promise<void>}>()
  private server!: Server
  url = ''

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      let text = ''
      request.setEncoding('utf8')
      request.on('data', (chunk: string) => (text += chunk))
      request.on('end', async () => {
        const path = request.url ?? ''
        this.received.push({path, contentType: request.headers['content-type'], body: JSON.parse(text)})
        const gate = this.gates.get(path)
        if (gate) {
          this.gates.delete(path)
          gate.arrived()
          await gate.release
        }
        response.writeHead(this.answers.get(path)?.shift() ?? 200).end('ok')
      })
    })
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve))
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
  }

  /** The statuses the next requests to `path` get, in order; 200 after them. */
  answer(path: string, ...statuses: number[]): void {
    this.answers.set(path, statuses)
  }

  /** Holds the answer to the next request to `path` until `release` is called. */
  hold(path: string): {arrived: Promise<void>; release: () => void} {
    let release!: () => void
    let arrived!: () => void
    const gate = {release: new Promise<void>((resolve) => (release = resolve)), arrived: () => {}}
    const hasArrived = new Promise<void>((resolve) => (arrived = resolve))
    gate.arrived = arrived
    this.gates.set(path, gate)
    return {arrived: hasArrived, release}
  }

  bodies(path: string): unknown[] {
    return this.received.filter((request) => request.path === path).map((request) => request.body)
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()))
  }
}

let temp: {dir: string; cleanup: () => Promise<void>}
let db: StagingDatabase
let dbPath: string
const receiver = new Receiver()
const running: Api[] = []

beforeAll(async () => {
  temp = await makeTempDir('ss12000-subscriptions-')
  dbPath = join(temp.dir, 'subscriptions.db')
  db = openStagingDatabase(dbPath)
  await receiver.start()
})
afterEach(async () => {
  for (const api of running.splice(0)) await api.app.close()
})

/** Closes a server before the test ends. */
async function stop(api: Api): Promise<void> {
  running.splice(running.indexOf(api), 1)
  await api.app.close()
}
afterAll(async () => {
  db.close()
  await receiver.stop()
  await temp.cleanup()
})

async function serve(
  scope: string,
  options: Partial<SubscriptionOptions> = {},
  connection: StagingDatabase = db,
): Promise<Api> {
  const clock = {time: START}
  const warnings: string[] = []
  const app = Fastify()
  const notifier = registerSubscriptions(app, BASE, {
    db: connection,
    scope,
    now: () => new Date(clock.time + 60 * 60 * 1000).toISOString().replace('Z', '+01:00'),
    delivery: {delays: [1]},
    warn: (message) => warnings.push(message),
    ...options,
  })
  await app.listen({port: 0, host: '127.0.0.1'})
  const api = {
    url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}${BASE}`,
    app,
    notifier,
    warnings,
    clock,
  }
  running.push(api)
  return api
}

async function call(
  api: Api,
  method: string,
  path: string,
  body?: unknown,
): Promise<{status: number; body: Record<string, unknown> | undefined}> {
  const response = await fetch(`${api.url}${path}`, {
    method,
    ...(body === undefined
      ? {}
      : {headers: {'content-type': 'application/json'}, body: typeof body === 'string' ? body : JSON.stringify(body)}),
  })
  const text = await response.text()
  return {status: response.status, body: text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>)}
}

async function subscribe(api: Api, path: string, ...resources: string[]): Promise<StoredSubscription> {
  const created = await call(api, 'POST', '/subscriptions', {
    name: `hook ${path}`,
    target: `${receiver.url}${path}`,
    resourceTypes: resources.map((resource) => ({resource})),
  })
  expect(created.status).toBe(201)
  return created.body as unknown as StoredSubscription
}

describe('POST /subscriptions', () => {
  it('creates a subscription: 201 with an id and expires 90 days on, in RFC 3339', async () => {
    const api = await serve('create')
    const created = await call(api, 'POST', '/subscriptions', {
      name: 'Nya',
      target: 'https://consumer.example.test/hook?key=1',
      resourceTypes: [{resource: 'Person'}, {resource: 'Group'}],
    })
    expect(created.status).toBe(201)
    expect(created.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      expires: '2027-02-25T11:00:00.000Z',
      name: 'Nya',
      target: 'https://consumer.example.test/hook?key=1',
      resourceTypes: [{resource: 'Person'}, {resource: 'Group'}],
    })
    expect((await call(api, 'GET', `/subscriptions/${String(created.body!.id)}`)).body).toEqual(created.body)
  })

  it('leaves unknown fields out instead of refusing them, ids and expires among them', async () => {
    const api = await serve('unknown-fields')
    const created = await call(api, 'POST', '/subscriptions', {
      name: 'n',
      target: 'http://127.0.0.1:1/hook',
      resourceTypes: [{resource: 'Duty', note: 'x'}],
      id: '00000000-0000-4000-8000-000000000000',
      expires: '2099-01-01T00:00:00Z',
      colour: 'blue',
    })
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({expires: '2027-02-25T11:00:00.000Z', resourceTypes: [{resource: 'Duty'}]})
    expect(created.body!.id).not.toBe('00000000-0000-4000-8000-000000000000')
    expect(Object.keys(created.body!).sort()).toEqual(['expires', 'id', 'name', 'resourceTypes', 'target'])
  })

  const refused: Array<{name: string; body: unknown; message: RegExp}> = [
    {name: 'no body fields', body: {}, message: /name is missing.*target is missing.*resourceTypes is missing/},
    {name: 'a JSON array', body: [], message: /must be a JSON object/},
    {
      name: 'resourceTypes as bare strings',
      body: {name: 'n', target: 'https://a.test/', resourceTypes: ['Person']},
      message: /resourceTypes\[\] must be an object/,
    },
    {
      name: 'a resource that is no Code_ObjectType',
      body: {name: 'n', target: 'https://a.test/', resourceTypes: [{resource: 'Organsation'}]},
      message: /must be one of .*Organisation/,
    },
    {
      name: 'a name that is not text',
      body: {name: 7, target: 'https://a.test/', resourceTypes: [{resource: 'Person'}]},
      message: /name must be text/,
    },
    {
      name: 'no resource types',
      body: {name: 'n', target: 'https://a.test/', resourceTypes: []},
      message: /at least one Code_ObjectType/,
    },
    {
      name: 'an entry without a resource',
      body: {name: 'n', target: 'https://a.test/', resourceTypes: [{resource: 'Person'}, {}]},
      message: /each as \{"resource"/,
    },
    {
      name: 'a target that is not http(s)',
      body: {name: 'n', target: 'ftp://a.test/hook', resourceTypes: [{resource: 'Person'}]},
      message: /target must be an absolute http or https URL/,
    },
    {
      name: 'a target that is no URL',
      body: {name: 'n', target: '/hook', resourceTypes: [{resource: 'Person'}]},
      message: /target must be an absolute http or https URL/,
    },
    {
      name: 'a javascript: target',
      body: {name: 'n', target: 'javascript:alert(1)', resourceTypes: [{resource: 'Person'}]},
      message: /target must be an absolute http or https URL/,
    },
    {name: 'an unparsable body', body: '{"name": ', message: /JSON/},
  ]
  for (const {name, body, message} of refused) {
    it(`answers 400 {code, message} for ${name}, and stores nothing`, async () => {
      const api = await serve(`refused ${name}`)
      const answer = await call(api, 'POST', '/subscriptions', body)
      expect(answer.status).toBe(400)
      expect(answer.body).toEqual({code: 'BadRequest', message: expect.stringMatching(message)})
      expect((await call(api, 'GET', '/subscriptions')).body).toEqual({data: [], pageToken: null})
    })
  }

  it('checks resource types against the profile: Skolverket knows five', async () => {
    const api = await serve('skolverket', {profile: 'skolverket'})
    expect(
      (
        await call(api, 'POST', '/subscriptions', {
          name: 'n',
          target: 'https://a.test/',
          resourceTypes: [{resource: 'Duty'}],
        })
      ).status,
    ).toBe(201)
    const refused = await call(api, 'POST', '/subscriptions', {
      name: 'n',
      target: 'https://a.test/',
      resourceTypes: [{resource: 'Grade'}],
    })
    expect(refused.status).toBe(400)
  })
})

describe('GET /subscriptions', () => {
  it('pages the live subscriptions of its scope with limit and pageToken, each exactly once', async () => {
    const api = await serve('paging')
    const other = await serve('paging, another scope')
    await subscribe(other, '/elsewhere', 'Person')
    const ids: string[] = []
    for (let index = 0; index < 5; index++) ids.push((await subscribe(api, `/p${index}`, 'Person')).id)
    for (const limit of [1, 2, 5, 6]) {
      const seen: string[] = []
      let page = await call(api, 'GET', `/subscriptions?limit=${limit}`)
      for (;;) {
        expect(page.status).toBe(200)
        const data = page.body!.data as StoredSubscription[]
        expect(data.length).toBeLessThanOrEqual(limit)
        seen.push(...data.map((subscription) => subscription.id))
        if (page.body!.pageToken === null) break
        page = await call(api, 'GET', `/subscriptions?pageToken=${encodeURIComponent(String(page.body!.pageToken))}`)
      }
      expect(seen).toEqual([...ids].sort())
    }
    const all = await call(api, 'GET', '/subscriptions')
    expect((all.body!.data as StoredSubscription[]).map((subscription) => subscription.id)).toEqual([...ids].sort())
    expect(all.body!.pageToken).toBeNull()
  })

  it('answers 400 for a bad limit, a forged pageToken or a parameter it does not take', async () => {
    const api = await serve('paging errors')
    await subscribe(api, '/x', 'Person')
    await subscribe(api, '/y', 'Person')
    for (const query of ['limit=0', 'limit=two', 'limit=1&limit=2', 'pageToken=abc.def', 'name=x']) {
      const answer = await call(api, 'GET', `/subscriptions?${query}`)
      expect(answer.status, query).toBe(400)
      expect(answer.body).toEqual({code: 'BadRequest', message: expect.any(String)})
    }
    const first = await call(api, 'GET', '/subscriptions?limit=1')
    const token = encodeURIComponent(String(first.body!.pageToken))
    expect((await call(api, 'GET', `/subscriptions?pageToken=${token}&limit=5`)).status).toBe(200)
  })
})

describe('GET, PATCH and DELETE /subscriptions/{id}', () => {
  it('answers 404 for an unknown id and 400 for one that is no UUID', async () => {
    const api = await serve('ids')
    for (const method of ['GET', 'PATCH', 'DELETE']) {
      const missing = await call(api, method, '/subscriptions/00000000-0000-4000-8000-000000000001')
      expect(missing).toEqual({
        status: 404,
        body: {code: 'NotFound', message: expect.stringContaining('No subscription')},
      })
      const bad = await call(api, method, '/subscriptions/not-a-uuid')
      expect(bad).toEqual({status: 400, body: {code: 'BadRequest', message: expect.stringContaining('UUID')}})
    }
  })

  it('renews expires with PATCH (no body, or an empty JSON one) and answers 200 with the subscription', async () => {
    const api = await serve('renew')
    const created = await subscribe(api, '/renew', 'Group')
    api.clock.time += 10 * DAY
    const renewed = await call(api, 'PATCH', `/subscriptions/${created.id}`)
    expect(renewed).toEqual({status: 200, body: {...created, expires: '2027-03-07T11:00:00.000Z'}})
    api.clock.time += DAY
    const response = await fetch(`${api.url}/subscriptions/${created.id}`, {
      method: 'PATCH',
      headers: {'content-type': 'application/json'},
    })
    expect(response.status).toBe(200)
    expect(((await response.json()) as StoredSubscription).expires).toBe('2027-03-08T11:00:00.000Z')
    expect((await call(api, 'GET', `/subscriptions/${created.id.toUpperCase()}`)).body).toMatchObject({
      expires: '2027-03-08T11:00:00.000Z',
    })
  })

  it('deletes with DELETE (204), after which the subscription is gone', async () => {
    const api = await serve('delete')
    const kept = await subscribe(api, '/kept', 'Person')
    const gone = await subscribe(api, '/gone', 'Person')
    expect(await call(api, 'DELETE', `/subscriptions/${gone.id}`)).toEqual({status: 204, body: undefined})
    expect((await call(api, 'GET', `/subscriptions/${gone.id}`)).status).toBe(404)
    expect((await call(api, 'DELETE', `/subscriptions/${gone.id}`)).status).toBe(404)
    expect((await call(api, 'GET', '/subscriptions')).body).toEqual({data: [kept], pageToken: null})
  })

  it('treats an expired subscription as gone: not listed, 404, not renewable', async () => {
    const api = await serve('expiry')
    const created = await subscribe(api, '/expiry', 'Person')
    api.clock.time += 89 * DAY
    expect((await call(api, 'GET', `/subscriptions/${created.id}`)).status).toBe(200)
    api.clock.time += DAY
    expect((await call(api, 'GET', '/subscriptions')).body).toEqual({data: [], pageToken: null})
    for (const method of ['GET', 'PATCH', 'DELETE']) {
      expect((await call(api, method, `/subscriptions/${created.id}`)).status, method).toBe(404)
    }
  })
})

describe('persistence', () => {
  it('keeps subscriptions in the staging database per scope, across a restart with a new connection', async () => {
    const first = openStagingDatabase(dbPath)
    const before = await serve('persisted', {}, first)
    const created = await subscribe(before, '/persisted', 'Person', 'Duty')
    await stop(before)
    first.close()

    const second = openStagingDatabase(dbPath)
    try {
      const after = await serve('persisted', {}, second)
      expect((await call(after, 'GET', '/subscriptions')).body).toEqual({data: [created], pageToken: null})
      after.notifier.notify({modified: ['Duty'], deleted: false})
      await after.notifier.idle()
      expect(receiver.bodies('/persisted')).toEqual([{modifiedEntites: ['Duty'], modifiedEntities: ['Duty']}])
      const elsewhere = await serve('another scope', {}, second)
      expect((await call(elsewhere, 'GET', '/subscriptions')).body).toEqual({data: [], pageToken: null})
      await stop(after)
      await stop(elsewhere)
    } finally {
      second.close()
    }
  })
})

describe('notifications', () => {
  it('POSTs the modified types a subscription asked for, as JSON, with both spellings of the key', async () => {
    const api = await serve('notify')
    await subscribe(api, '/people', 'Person', 'Group')
    await subscribe(api, '/duties', 'Duty')
    api.notifier.notify({modified: ['Person', 'Organisation'], deleted: false})
    await api.notifier.idle()
    expect(receiver.received.filter((request) => request.path === '/people')).toEqual([
      {
        path: '/people',
        contentType: 'application/json',
        body: {modifiedEntites: ['Person'], modifiedEntities: ['Person']},
      },
    ])
    expect(receiver.bodies('/duties')).toEqual([])
    expect(api.warnings).toEqual([])
  })

  it('returns from notify before anything is sent, and never throws', async () => {
    const api = await serve('not blocking')
    await subscribe(api, '/later', 'Group')
    api.notifier.notify({modified: ['Group'], deleted: false})
    expect(receiver.bodies('/later')).toEqual([])
    await api.notifier.idle()
    expect(receiver.bodies('/later')).toHaveLength(1)

    const lost = openStagingDatabase(join(temp.dir, 'closed.db'))
    const broken = await serve('closed database', {}, lost)
    lost.close()
    expect(() => broken.notifier.notify({modified: ['Person'], deleted: false})).not.toThrow()
    await broken.notifier.idle()
    expect(broken.warnings).toEqual([expect.stringContaining('could not be queued')])
  })

  it('sends {"deletedEntities": true} for a deletion of a subscribed type, or of unnamed types to every one', async () => {
    const api = await serve('deletions')
    await subscribe(api, '/deleted-persons', 'Person')
    await subscribe(api, '/deleted-groups', 'Group')
    api.notifier.notify({modified: ['Person'], deleted: true})
    await api.notifier.idle()
    expect(receiver.bodies('/deleted-persons')).toEqual([{deletedEntities: true}])
    expect(receiver.bodies('/deleted-groups')).toEqual([])
    api.notifier.notify({modified: [], deleted: true})
    await api.notifier.idle()
    expect(receiver.bodies('/deleted-persons')).toEqual([{deletedEntities: true}, {deletedEntities: true}])
    expect(receiver.bodies('/deleted-groups')).toEqual([{deletedEntities: true}])
  })

  it('notifies no deleted or expired subscription', async () => {
    const api = await serve('gone')
    const deleted = await subscribe(api, '/was-deleted', 'Person')
    await subscribe(api, '/expires', 'Person')
    await call(api, 'DELETE', `/subscriptions/${deleted.id}`)
    api.clock.time += 91 * DAY
    api.notifier.notify({modified: ['Person'], deleted: false})
    api.notifier.notify({modified: [], deleted: true})
    await api.notifier.idle()
    expect(receiver.bodies('/was-deleted')).toEqual([])
    expect(receiver.bodies('/expires')).toEqual([])
  })

  it('tries again after a 500, with the same body, up to four attempts in all', async () => {
    const api = await serve('retries')
    await subscribe(api, '/flaky', 'Person')
    await subscribe(api, '/down', 'Person')
    receiver.answer('/flaky', 500, 503)
    receiver.answer('/down', 500, 500, 500, 500, 500)
    api.notifier.notify({modified: ['Person'], deleted: false})
    await api.notifier.idle()
    const body = {modifiedEntites: ['Person'], modifiedEntities: ['Person']}
    expect(receiver.bodies('/flaky')).toEqual([body, body, body])
    expect(receiver.bodies('/down')).toEqual([body, body, body, body])
    expect(api.warnings).toEqual([expect.stringMatching(/\/down was not notified .*4 attempts, the last: HTTP 500/)])
  })

  it('gives up after the configured attempts when the target cannot be reached, and reports it', async () => {
    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const port = (closed.address() as AddressInfo).port
    await new Promise((resolve) => closed.close(resolve))
    const api = await serve('unreachable', {delivery: {attempts: 2, delays: [1]}})
    const created = await call(api, 'POST', '/subscriptions', {
      name: 'n',
      target: `http://127.0.0.1:${port}/hook`,
      resourceTypes: [{resource: 'Person'}],
    })
    expect(created.status).toBe(201)
    api.notifier.notify({modified: ['Person'], deleted: false})
    await api.notifier.idle()
    expect(api.warnings).toEqual([expect.stringMatching(/was not notified .*2 attempts, the last: ECONNREFUSED/)])
  })

  it('sends what arrives while a delivery is in flight as one notification after it', async () => {
    const api = await serve('coalescing')
    await subscribe(api, '/slow', 'Person', 'Group', 'Duty')
    const held = receiver.hold('/slow')
    api.notifier.notify({modified: ['Person'], deleted: false})
    await held.arrived
    api.notifier.notify({modified: ['Group'], deleted: false})
    api.notifier.notify({modified: ['Duty'], deleted: false})
    api.notifier.notify({modified: ['Group'], deleted: true})
    held.release()
    await api.notifier.idle()
    expect(receiver.bodies('/slow')).toEqual([
      {modifiedEntites: ['Person'], modifiedEntities: ['Person']},
      {modifiedEntites: ['Group', 'Duty'], modifiedEntities: ['Group', 'Duty'], deletedEntities: true},
    ])
  })

  it('merges the notifications of one turn of the event loop into one', async () => {
    const api = await serve('one turn')
    await subscribe(api, '/turn', 'Organisation', 'Person')
    api.notifier.notify({modified: ['Organisation'], deleted: false})
    api.notifier.notify({modified: ['Person'], deleted: false})
    await api.notifier.idle()
    expect(receiver.bodies('/turn')).toEqual([
      {modifiedEntites: ['Organisation', 'Person'], modifiedEntities: ['Organisation', 'Person']},
    ])
  })

  it('stops retrying when the app closes', async () => {
    const api = await serve('closing', {delivery: {delays: [60_000]}})
    await subscribe(api, '/closing', 'Person')
    receiver.answer('/closing', 500)
    const held = receiver.hold('/closing')
    api.notifier.notify({modified: ['Person'], deleted: false})
    await held.arrived
    held.release()
    await stop(api)
    await api.notifier.idle()
    expect(receiver.bodies('/closing')).toHaveLength(1)
    expect(api.warnings).toEqual([expect.stringContaining('the server is closing')])
    api.notifier.notify({modified: ['Person'], deleted: false})
    await api.notifier.idle()
    expect(receiver.bodies('/closing')).toHaveLength(1)
  })
})

describe('inside an app', () => {
  it("leaves the app's auth hook and error handler in charge of the errors they raise", async () => {
    class Refused extends Error {}
    const app = Fastify()
    app.setErrorHandler((error, _request, reply) =>
      error instanceof Refused
        ? reply.status(403).send({code: 'Forbidden', message: error.message})
        : reply.status(500).send({code: 'InternalError', message: 'x'}),
    )
    app.addHook('onRequest', async (request) => {
      if (request.headers.authorization !== 'Bearer t') throw new Refused('A valid bearer token is required.')
    })
    registerSubscriptions(app, '', {db, scope: 'auth', now: () => '2026-11-27T12:00:00+01:00'})
    await app.listen({port: 0, host: '127.0.0.1'})
    try {
      const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/subscriptions`
      const refused = await fetch(url)
      expect(refused.status).toBe(403)
      expect(await refused.json()).toEqual({code: 'Forbidden', message: 'A valid bearer token is required.'})
      const allowed = await fetch(url, {headers: {authorization: 'Bearer t'}})
      expect(await allowed.json()).toEqual({data: [], pageToken: null})
      const unparsable = await fetch(url, {
        method: 'POST',
        headers: {authorization: 'Bearer t', 'content-type': 'application/json'},
        body: '{',
      })
      expect(unparsable.status).toBe(400)
      expect(await unparsable.json()).toMatchObject({code: 'BadRequest'})
    } finally {
      await app.close()
    }
  })
})

import {join} from 'node:path'

import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'

import {openStagingDatabase} from '../../src/staging/database.js'
import {runCli, stackTraceLines} from '../support/cli.js'
import {type Fault, type FaultProxy, pass, startFaultProxy} from '../support/fault-proxy.js'
import {heldRecords, type ServedFullDataset, serveFullDataset} from '../support/served.js'

/**
 * `ss12000 pull` through a faulty node:http proxy in front of the toolkit's own `serve`: the faults the client
 * survives leave a snapshot equal to what was staged, and the ones it cannot survive end the command with exit 4, a
 * message naming the request, and the snapshot as it was.
 */
const TOKEN = 'pull-faults-token-not-a-secret'
let school: ServedFullDataset
let temp: ServedFullDataset['temp']
let source: string
let serve: ServedFullDataset['serve']

let proxy: FaultProxy | undefined
afterEach(async () => {
  await proxy?.close()
  proxy = undefined
})

/** The proxy in front of serve; `plan` decides by path (a collection, or `token`) and the requests to it before. */
const startProxy = (plan: (path: string, ordinal: number, authorization: string | undefined) => Fault) =>
  startFaultProxy(serve.url, TOKEN, (request) => plan(request.path, request.ordinal, request.authorization))

/** Requests the proxy saw to a path. */
const seen = (path: string) => proxy!.requests.filter((request) => request.path === path).length

function batches(dbPath: string): number {
  const db = openStagingDatabase(dbPath, {create: false})
  try {
    return db.prepare(`SELECT COUNT(*) FROM batch WHERE status = 'complete'`).pluck().get() as number
  } finally {
    db.close()
  }
}

const pullThrough = (url: string, db: string, ...extra: string[]) =>
  runCli(['pull', url, '--db', db, '--name', 'api', '--limit', '4', '--timeout', '1', ...extra], {
    env: {SS12000_TOKEN: TOKEN},
  })

beforeAll(async () => {
  school = await serveFullDataset('ss12000-pull-faults-', TOKEN)
  ;({temp, source, serve} = school)
})
afterAll(async () => {
  await school.stop()
})

describe('ss12000 pull through a faulty proxy', () => {
  it('survives 500, 502, 503, 429 with Retry-After, a reset, a timeout and truncated JSON, each once', async () => {
    proxy = await startProxy((path, ordinal) => {
      if (ordinal !== (path === 'persons' ? 1 : 0)) return pass
      switch (path) {
        case 'organisations':
          return {kind: 'answer', status: 502, body: '<html>Bad Gateway</html>'}
        case 'persons':
          return {kind: 'answer', status: 503, body: '{"code":"busy","message":"try later"}'}
        case 'groups':
          return {kind: 'answer', status: 429, body: '{}', headers: {'retry-after': '1'}}
        case 'duties':
          return {kind: 'reset'}
        case 'activities':
          return {kind: 'stall'}
        case 'syllabuses':
          return {kind: 'truncate'}
        case 'programmes':
          return {kind: 'answer', status: 500, body: '{"detail":"internal"}'}
        default:
          return pass
      }
    })
    const target = join(temp.dir, 'survived.db')
    const result = await pullThrough(proxy.url, target)
    expect(result.exitCode, result.stderr).toBe(0)
    expect(heldRecords(target, 'api')).toEqual(heldRecords(source, 'skolan'))
    // Each fault cost one retry, and each retry was said.
    for (const collection of ['organisations', 'groups', 'duties', 'activities', 'syllabuses', 'programmes']) {
      expect(result.stderr).toMatch(new RegExp(`GET \\S+/${collection}\\S*: .+; attempt 2 of 5 in \\d+\\.\\d s\\.`))
    }
    expect(result.stderr).toMatch(/persons\S*: answer 503/)
    expect(result.stderr).toMatch(/groups\S*: answer 429 .+ in 1\.0 s\./)
    expect(stackTraceLines(result.stdout + result.stderr)).toEqual([])
    expect(result.stdout + result.stderr).not.toContain(TOKEN)
  })

  it('gives up after the retries with exit 4, naming the request and status, and leaves the snapshot as it was', async () => {
    const target = join(temp.dir, 'kept.db')
    proxy = await startProxy(() => pass)
    expect((await pullThrough(proxy.url, target)).exitCode).toBe(0)
    const before = heldRecords(target, 'api')
    await proxy.close()

    proxy = await startProxy((path) =>
      path === 'groups' ? {kind: 'answer', status: 500, body: '{"code":"db","message":"database is down"}'} : pass,
    )
    const result = await pullThrough(proxy.url, target, '--full', '--retries', '2')
    expect(result.exitCode).toBe(4)
    expect(result.stderr).toMatch(
      /Error: GET http:\/\/127\.0\.0\.1:\d+\/v2\.0\/groups\S* failed 3 times; the last time: answer 500 /,
    )
    expect(result.stderr).toContain('database is down')
    expect(result.stderr).toContain('attempt 3 of 3')
    expect(seen('groups')).toBe(3)
    expect(stackTraceLines(result.stderr)).toEqual([])
    expect(heldRecords(target, 'api')).toEqual(before)
    expect(batches(target)).toBe(1)
  })

  it('stops an endless pageToken loop with exit 4', async () => {
    proxy = await startProxy((path) =>
      // Every page of persons is the first, and says there is more.
      path === 'persons' ? {kind: 'pass', query: '?limit=4', rewrite: (page) => ({...page, pageToken: 'again'})} : pass,
    )
    const target = join(temp.dir, 'loop.db')
    const result = await pullThrough(proxy.url, target, '--entity', 'persons')
    expect(result.exitCode).toBe(4)
    expect(result.stderr).toContain('endless paging loop')
    expect(stackTraceLines(result.stderr)).toEqual([])
  })

  it('keeps an invalid record and flags it, and says so', async () => {
    let changedId: string | undefined
    proxy = await startProxy((path, ordinal) =>
      path === 'persons' && ordinal === 0
        ? {
            kind: 'pass',
            rewrite: (page) => {
              const [first] = page.data as Array<Record<string, unknown>>
              changedId = first!.id as string
              first!.personStatus = 'Kanske'
              return page
            },
          }
        : pass,
    )
    const target = join(temp.dir, 'invalid.db')
    const result = await pullThrough(proxy.url, target, '--entity', 'persons')
    expect(result.exitCode, result.stderr).toBe(0)
    expect(result.stdout).toContain('1 invalid Person: kept, with their issues in record_issue')
    const pulled = heldRecords(target, 'api')
    expect(JSON.parse(pulled.get(`Person/${changedId}`)!)).toMatchObject({personStatus: 'Kanske'})
    const db = openStagingDatabase(target, {create: false})
    try {
      const issues = db.prepare(`SELECT entity, id, severity, field FROM record_issue`).all()
      expect(issues).toContainEqual({entity: 'Person', id: changedId, severity: 'error', field: 'Person.personStatus'})
    } finally {
      db.close()
    }
  })

  it('refreshes an OAuth2 token the API stops accepting, once, and goes on', async () => {
    let issued = 0
    const valid = new Set<string>()
    proxy = await startProxy((path, ordinal, authorization) => {
      if (path === 'token') {
        issued++
        const token = `access-${issued}`
        valid.add(token)
        return {
          kind: 'answer',
          status: 200,
          body: JSON.stringify({access_token: token, token_type: 'Bearer', expires_in: 3600}),
        }
      }
      // The first token is revoked after the server's third request.
      if (path === 'persons' && ordinal === 2) valid.delete('access-1')
      const token = authorization?.replace(/^Bearer /, '')
      return token !== undefined && valid.has(token)
        ? pass
        : {kind: 'answer', status: 401, body: '{"code":"unauthorized","message":"token expired"}'}
    })
    const target = join(temp.dir, 'oauth.db')
    const result = await runCli(
      ['pull', proxy.url, '--db', target, '--name', 'api', '--limit', '4', '--entity', 'persons'],
      {
        env: {
          SS12000_TOKEN_URL: proxy.url.replace('/v2.0', '/v2.0/token'),
          SS12000_CLIENT_ID: 'toolkit',
          SS12000_CLIENT_SECRET: 'client-secret-not-a-secret',
        },
      },
    )
    expect(result.exitCode, result.stderr).toBe(0)
    expect(issued).toBe(2)
    const persons = [...heldRecords(source, 'skolan')].filter(([key]) => key.startsWith('Person/'))
    expect(heldRecords(target, 'api')).toEqual(new Map(persons))
    expect(result.stdout + result.stderr).not.toContain('client-secret-not-a-secret')
  })
})

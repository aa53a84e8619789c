import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {RemoteError} from '../../../src/errors.js'
import {Ss12000Client} from '../../../src/remote/client.js'
import {pull, type PullOptions} from '../../../src/services/pull.js'
import {openStagingDatabase} from '../../../src/staging/database.js'
import {makeTempDir} from '../../support/cli.js'
import {FAST_RETRY, type Handler, sendJson, startTestServer, type TestServer} from '../../support/test-server.js'

/**
 * `pull` against small node:http servers that misbehave on purpose: invalid records are kept and flagged, a collection
 * the server does not serve is left alone, an incremental pull the server cannot do becomes a full one, and a pull
 * that fails half-way leaves the snapshot as it was.
 */
const unit = {id: '0b8a2f4e-1c3d-4e5f-8a9b-0c1d2e3f4a50', displayName: 'Exempelskolan', organisationType: 'Skolenhet'}
const meta = {created: '2026-01-01T00:00:00Z', modified: '2026-01-01T00:00:00Z'}
const alva = {id: '1c9b3a5f-2d4e-4f60-9bac-1d2e3f4a5b60', meta, givenName: 'Alva', familyName: 'Ek'}
// No familyName: invalid, kept and flagged.
const nameless = {id: '1c9b3a5f-2d4e-4f60-9bac-1d2e3f4a5b61', meta, givenName: 'Elis'}

let temp: {dir: string; cleanup: () => Promise<void>}
const servers: TestServer[] = []
beforeAll(async () => {
  temp = await makeTempDir('ss12000-pull-unit-')
})
afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()))
  await temp.cleanup()
})

async function serverOf(handle: Handler): Promise<TestServer> {
  const server = await startTestServer(handle)
  servers.push(server)
  return server
}

function options(server: TestServer, dbPath: string, overrides: Partial<PullOptions> = {}): PullOptions {
  const warned: string[] = []
  return {
    client: new Ss12000Client({baseUrl: server.origin, retry: FAST_RETRY, warn: (message) => warned.push(message)}),
    source: server.origin,
    dbPath,
    scope: 'api',
    entities: ['Organisation', 'Person'],
    mode: 'auto',
    limit: 100,
    calendarWindow: {'startTime.onOrAfter': '1970-01-01', 'startTime.onOrBefore': '2099-12-31'},
    profile: 'ss12000-2020',
    reveal: false,
    now: () => '2026-11-28T10:00:00+01:00',
    warn: (message) => warned.push(message),
    ...overrides,
  }
}

/** `entity/id` of what the scope holds. */
function held(dbPath: string): string[] {
  const db = openStagingDatabase(dbPath, {create: false})
  try {
    return (
      db.prepare(`SELECT entity || '/' || id AS key FROM current WHERE scope = 'api' ORDER BY key`).all() as Array<{
        key: string
      }>
    ).map((row) => row.key)
  } finally {
    db.close()
  }
}

describe('pull', () => {
  it('keeps an invalid record, with its issues in record_issue', async () => {
    const server = await serverOf((request, response) => {
      if (request.path === '/organisations') return sendJson(response, 200, {data: [{...unit, meta}], pageToken: null})
      if (request.path === '/persons') return sendJson(response, 200, {data: [alva, nameless], pageToken: null})
      sendJson(response, 404, {code: 'NotFound', message: 'no such collection'})
    })
    const dbPath = join(temp.dir, 'invalid.db')
    const result = await pull(options(server, dbPath))
    expect(result.counts.Person).toEqual({received: 2, invalid: 1, deleted: 0})
    expect(held(dbPath)).toEqual([`Organisation/${unit.id}`, `Person/${alva.id}`, `Person/${nameless.id}`])
    const db = openStagingDatabase(dbPath, {create: false})
    const issues = db.prepare(`SELECT entity, id, severity, field FROM record_issue`).all()
    db.close()
    expect(issues).toContainEqual({entity: 'Person', id: nameless.id, severity: 'error', field: 'Person.familyName'})
  })

  it('leaves a collection the server does not serve as the snapshot held it', async () => {
    let persons = true
    const server = await serverOf((request, response) => {
      if (request.path === '/organisations') return sendJson(response, 200, {data: [{...unit, meta}]})
      if (request.path === '/persons' && persons) return sendJson(response, 200, {data: [alva]})
      sendJson(response, 404, {code: 'NotFound', message: 'not here'})
    })
    const dbPath = join(temp.dir, 'skipped.db')
    await pull(options(server, dbPath, {mode: 'full'}))
    persons = false
    const result = await pull(options(server, dbPath, {mode: 'full'}))
    expect(result.skipped).toEqual([{entity: 'Person', reason: '/persons answers 404: not served there.'}])
    expect(held(dbPath)).toEqual([`Organisation/${unit.id}`, `Person/${alva.id}`])
  })

  it('pulls in full when the server cannot filter by modification time', async () => {
    const server = await serverOf((request, response) => {
      if (request.query.has('meta.modified.after')) {
        return sendJson(response, 400, {code: 'BadRequest', message: 'unknown parameter meta.modified.after'})
      }
      if (request.path === '/organisations') return sendJson(response, 200, {data: [{...unit, meta}]})
      if (request.path === '/persons') return sendJson(response, 200, {data: [alva]})
      sendJson(response, 404, {code: 'NotFound', message: 'not here'})
    })
    const dbPath = join(temp.dir, 'fallback.db')
    expect((await pull(options(server, dbPath))).incremental).toBe(false)
    const second = await pull(options(server, dbPath))
    expect(second.incremental).toBe(false)
    expect(second.fellBack).toContain('meta.modified.after')
    expect(second.batch.unchanged).toBe(true)
  })

  it('leaves the snapshot as it was when the server fails half-way', async () => {
    let failing = false
    const server = await serverOf((request, response) => {
      if (request.path === '/organisations') return sendJson(response, 200, {data: [{...unit, meta}]})
      if (request.path === '/persons' && !failing) return sendJson(response, 200, {data: [alva]})
      sendJson(response, 503, {code: 'Unavailable', message: 'down for maintenance'})
    })
    const dbPath = join(temp.dir, 'failed.db')
    await pull(options(server, dbPath, {mode: 'full'}))
    failing = true
    await expect(pull(options(server, dbPath, {mode: 'full'}))).rejects.toThrow(RemoteError)
    expect(held(dbPath)).toEqual([`Organisation/${unit.id}`, `Person/${alva.id}`])
    const db = openStagingDatabase(dbPath, {create: false})
    const batches = db.prepare(`SELECT id, status FROM batch`).all()
    db.close()
    expect(batches).toEqual([{id: 1, status: 'complete'}])
  })
})

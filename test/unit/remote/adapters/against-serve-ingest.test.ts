import {createServer, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {WriteChunk} from '../../../../src/remote/adapters/adapter.js'
import {SkolverketIngestAdapter} from '../../../../src/remote/adapters/skolverket-ingest.js'
import {Ss12000Client} from '../../../../src/remote/client.js'
import {writeBatch} from '../../../../src/staging/batches.js'
import {openStagingDatabase} from '../../../../src/staging/database.js'
import {makeTempDir, startServe} from '../../../support/cli.js'
import {generateDataset, generatePersons} from '../../../support/fictional.js'
import {FAST_RETRY} from '../../../support/test-server.js'

/**
 * The adapter against the built `ss12000 serve --ingest` (npm test builds first): the toolkit's own implementation
 * of Skolverket's ingest API, with its validation, references and eduPersonPrincipalName checks.
 */
type Json = Record<string, unknown> & {id: string}

const TOKEN = 'adapter-ingest-test-token'
let temp: {dir: string; cleanup: () => Promise<void>}
let serve: {url: string; stop: () => Promise<void>}

const dataset = generateDataset({persons: 4, staff: 2, schoolUnits: 1})
const unit = dataset.organisations[0]! as Json
const persons = dataset.persons as Json[]
/** An organisation of another dataset, staged before serve starts (serve needs a scope). */
const seeded = generateDataset({seed: 5, persons: 0, staff: 1, schoolUnits: 1}).organisations[0]! as Json
/** Persons none of the dataset's, enroled at its unit; `seed` keeps the sets apart. */
const strangers = (count: number, seed: number) =>
  [...generatePersons(count, seed, {domain: `s${seed}.example`, enroledAt: unit.id})] as Json[]

const client = () => new Ss12000Client({baseUrl: serve.url, auth: {kind: 'bearer', token: TOKEN}, retry: FAST_RETRY})
const chunk = (entity: WriteChunk['entity'], kind: WriteChunk['kind'], values: Json[]): WriteChunk => ({
  entity,
  kind,
  records: values.map((value) => (kind === 'delete' ? {id: value.id} : {id: value.id, value})),
})
const ok = (values: Json[]) => values.map((value) => ({id: value.id, status: 'ok'}))

async function get(base: string, path: string): Promise<{status: number; body: Json | undefined}> {
  const response = await fetch(`${base}${path}`, {headers: {authorization: `Bearer ${TOKEN}`}})
  return {status: response.status, body: response.status === 200 ? ((await response.json()) as Json) : undefined}
}

beforeAll(async () => {
  temp = await makeTempDir('ss12000-adapter-ingest-')
  const path = join(temp.dir, 'serve.db')
  const db = openStagingDatabase(path)
  writeBatch(db, {kind: 'import', scope: 'target', partial: false, files: [], now: () => '2026-11-27T09:00:00+01:00'}, [
    {entity: 'Organisation', id: seeded.id, value: seeded},
  ])
  db.close()
  serve = await startServe(['--db', path, '--port', '0', '--ingest'], {SS12000_SERVE_TOKEN: TOKEN})
})
afterAll(async () => {
  await serve?.stop()
  await temp.cleanup()
})

describe('SkolverketIngestAdapter against ss12000 serve --ingest', () => {
  it('creates organisations, then persons; updates; upserts held and new records', async () => {
    const adapter = new SkolverketIngestAdapter(client())
    expect(await adapter.write(chunk('Organisation', 'create', [unit]))).toEqual({outcomes: ok([unit]), requests: 1})
    expect(await adapter.write(chunk('Person', 'create', persons))).toEqual({outcomes: ok(persons), requests: 1})
    for (const person of persons) {
      expect((await get(serve.url, `/persons/${person.id}`)).body).toMatchObject({givenName: person.givenName})
    }

    const renamed = {...persons[0]!, givenName: 'Omdöpt', meta: {created: '2000-01-01T00:00:00Z'}}
    expect(await adapter.write(chunk('Person', 'update', [renamed]))).toEqual({outcomes: ok([renamed]), requests: 1})
    const served = (await get(serve.url, `/persons/${renamed.id}`)).body!
    expect(served.givenName).toBe('Omdöpt')
    expect((served.meta as {created: string}).created).not.toBe('2000-01-01T00:00:00Z')

    const [fresh] = strangers(1, 41) as [Json]
    const held = {...persons[1]!, familyName: 'Ändrad'}
    expect(await adapter.write(chunk('Person', 'upsert', [held, fresh]))).toEqual({
      outcomes: ok([held, fresh]),
      requests: 1,
    })
    expect((await get(serve.url, `/persons/${held.id}`)).body).toMatchObject({familyName: 'Ändrad'})
    expect((await get(serve.url, `/persons/${fresh.id}`)).body).toMatchObject({givenName: fresh.givenName})
  })

  it('refuses the two persons whose eduPersonPrincipalName is taken (409) and writes the others', async () => {
    const adapter = new SkolverketIngestAdapter(client())
    const taken = (person: Json, owner: Json) => ({
      ...person,
      eduPersonPrincipalNames: [(owner.eduPersonPrincipalNames as string[])[0]!.toUpperCase()],
    })
    const [a, b, c, d] = strangers(4, 42) as [Json, Json, Json, Json]
    const values = [a, taken(b, persons[2]!), c, taken(d, persons[3]!)]
    const result = await adapter.write(chunk('Person', 'create', values))
    expect(result.requests).toBe(2)
    expect(result.outcomes.map((outcome) => outcome.status)).toEqual(['ok', 'refused', 'ok', 'refused'])
    expect(result.outcomes[1]).toEqual({
      id: b.id,
      status: 'refused',
      httpStatus: 409,
      reason: expect.stringMatching(new RegExp(`^eduPersonPrincipalName \\S+ belongs to Person ${persons[2]!.id}\\.$`)),
    })
    expect(result.outcomes[3]).toMatchObject({httpStatus: 409, reason: expect.stringContaining(persons[3]!.id)})
    for (const person of [a, c]) expect((await get(serve.url, `/persons/${person.id}`)).status).toBe(200)
    for (const person of [b, d]) expect((await get(serve.url, `/persons/${person.id}`)).status).toBe(404)
  })

  it('refuses a person whose organisation does not exist (400) and one the profile refuses', async () => {
    const adapter = new SkolverketIngestAdapter(client())
    const [a, b, c] = strangers(3, 43) as [Json, Json, Json]
    const orphan = {
      ...b,
      enrolments: [{enroledAt: {id: '00000000-0000-4000-8000-000000000404'}, schoolType: 'GR', schoolYear: 3}],
    }
    const {eduPersonPrincipalNames: _eppn, ...without} = c
    const result = await adapter.write(chunk('Person', 'upsert', [a, orphan, without as Json]))
    // The profile's check comes first and refuses c alone; then the reference check refuses b.
    expect(result.outcomes).toEqual([
      {id: a.id, status: 'ok'},
      {id: b.id, status: 'refused', httpStatus: 400, reason: expect.stringContaining('does not exist') as string},
      {
        id: c.id,
        status: 'refused',
        httpStatus: 400,
        reason: expect.stringContaining('eduPersonPrincipalNames') as string,
      },
    ])
    expect(result.requests).toBe(3)
  })

  it('deletes; an organisation persons are enroled at is refused by its id, the other deleted', async () => {
    const adapter = new SkolverketIngestAdapter(client())
    const [gone] = strangers(1, 44) as [Json]
    expect((await adapter.write(chunk('Person', 'create', [gone]))).outcomes).toEqual(ok([gone]))
    expect(await adapter.write(chunk('Person', 'delete', [gone]))).toEqual({outcomes: ok([gone]), requests: 1})
    expect((await get(serve.url, `/persons/${gone.id}`)).status).toBe(404)
    // Deleting an id the server does not hold is no error.
    expect((await adapter.write(chunk('Person', 'delete', [gone]))).outcomes).toEqual(ok([gone]))

    const result = await adapter.write(chunk('Organisation', 'delete', [unit, seeded]))
    expect(result.requests).toBe(2)
    expect(result.outcomes[0]).toMatchObject({
      id: unit.id,
      status: 'refused',
      httpStatus: 409,
      reason: expect.stringContaining(`Organisation ${unit.id} is referred to by Person`) as string,
    })
    expect(result.outcomes[1]).toEqual({id: seeded.id, status: 'ok'})
    expect((await get(serve.url, `/organisations/${seeded.id}`)).status).toBe(404)
    expect((await get(serve.url, `/organisations/${unit.id}`)).status).toBe(200)
  })

  it('replaces with PUT what a POST wrote when its answer was lost on the way back', async () => {
    let proxy: Server | undefined
    try {
      let lose = true
      proxy = createServer((request, response) => {
        const chunks: Buffer[] = []
        request.on('data', (data: Buffer) => chunks.push(data))
        request.on('end', () => {
          void (async () => {
            const upstream = await fetch(`${serve.url}${request.url!.replace(/^\/v2\.0/, '')}`, {
              method: request.method!,
              headers: {authorization: request.headers.authorization!, 'content-type': 'application/json'},
              ...(chunks.length === 0 ? {} : {body: Buffer.concat(chunks)}),
            })
            const text = await upstream.text()
            if (request.method === 'POST' && lose) {
              lose = false
              request.socket.destroy()
              return
            }
            response.writeHead(upstream.status, {'content-type': 'application/json'}).end(text)
          })()
        })
      })
      await new Promise<void>((resolve) => proxy!.listen(0, '127.0.0.1', resolve))
      const base = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/v2.0`
      const adapter = new SkolverketIngestAdapter(
        new Ss12000Client({baseUrl: base, auth: {kind: 'bearer', token: TOKEN}, retry: FAST_RETRY}),
      )
      const values = strangers(3, 45)
      expect(await adapter.write(chunk('Person', 'create', values))).toEqual({outcomes: ok(values), requests: 2})
      expect(lose).toBe(false)
      for (const person of values) expect((await get(serve.url, `/persons/${person.id}`)).status).toBe(200)
    } finally {
      proxy?.closeAllConnections()
      await new Promise<void>((resolve) => (proxy ? proxy.close(() => resolve()) : resolve()))
    }
  })
})

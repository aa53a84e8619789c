import {afterEach, describe, expect, it} from 'vitest'

import {UsageError} from '../../../../src/errors.js'
import type {WriteChunk} from '../../../../src/remote/adapters/adapter.js'
import {createWriteAdapter, WRITE_ADAPTER_NAMES} from '../../../../src/remote/adapters/registry.js'
import {SKOLVERKET_INGEST_ENTITIES, SkolverketIngestAdapter} from '../../../../src/remote/adapters/skolverket-ingest.js'
import {Ss12000Client} from '../../../../src/remote/client.js'
import {RemoteRequestError} from '../../../../src/remote/http.js'
import {INGEST_ENTITIES} from '../../../../src/server/ingest.js'
import {makeCivicNumber} from '../../../../src/validation/identity.js'
import {
  FAST_RETRY,
  type Handler,
  type SeenRequest,
  sendJson,
  startTestServer,
  type TestServer,
} from '../../../support/test-server.js'

let server: TestServer | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

async function adapterFor(handle: Handler) {
  server = await startTestServer(handle)
  const client = new Ss12000Client({baseUrl: server.origin, retry: FAST_RETRY, warn: () => {}})
  return {adapter: new SkolverketIngestAdapter(client), server}
}

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`
const person = (n: number, extra: Record<string, unknown> = {}) => ({id: id(n), givenName: `Namn${n}`, ...extra})
const chunk = (kind: WriteChunk['kind'], values: Array<Record<string, unknown> & {id: string}>): WriteChunk => ({
  entity: 'Person',
  kind,
  records: values.map((value) => (kind === 'delete' ? {id: value.id} : {id: value.id, value})),
})
/** The items of a request's `{"persons": [...]}` body. */
const items = (request: SeenRequest) => (JSON.parse(request.body) as {persons: Array<{id: string}>}).persons
const ids = (request: SeenRequest) => items(request).map((item) => item.id)
const ok = (values: Array<{id: string}>) => values.map((value) => ({id: value.id, status: 'ok'}))

describe('SkolverketIngestAdapter against a node:http server', () => {
  it('creates with POST, updates and upserts with PUT, deletes with DELETE [{id}], without meta', async () => {
    const {adapter, server} = await adapterFor((request, response) => {
      if (request.method === 'DELETE') sendJson(response, 202, {message: 'Accepted'})
      else sendJson(response, 201, {ids: ids(request)})
    })
    const values = [person(1, {meta: {created: '2026-01-01T00:00:00Z'}}), person(2)]
    for (const kind of ['create', 'update', 'upsert', 'delete'] as const) {
      expect(await adapter.write(chunk(kind, values))).toEqual({outcomes: ok(values), requests: 1})
    }
    expect(server.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      'POST /persons',
      'PUT /persons',
      'PUT /persons',
      'DELETE /persons',
    ])
    expect(items(server.requests[0]!)).toEqual([person(1), person(2)])
    expect(items(server.requests[3]!)).toEqual([{id: id(1)}, {id: id(2)}])
    expect(await adapter.write({entity: 'Organisation', kind: 'create', records: []})).toEqual({
      outcomes: [],
      requests: 0,
    })
    expect(server.requests).toHaveLength(4)
  })

  it('halves a chunk the server finds too large (413), down to single records', async () => {
    const {adapter, server} = await adapterFor((request, response) => {
      if (items(request).length > 2) sendJson(response, 413, {message: 'Payload Too Large'})
      else sendJson(response, 201, {ids: ids(request)})
    })
    const values = [1, 2, 3, 4, 5, 6, 7].map((n) => person(n))
    expect(await adapter.write(chunk('create', values))).toEqual({outcomes: ok(values), requests: 7})
    expect(server.requests.map((request) => items(request).length)).toEqual([7, 4, 2, 2, 3, 2, 1])
    const written = server.requests.filter((request) => items(request).length <= 2).flatMap(ids)
    expect(written).toEqual(values.map((value) => value.id))
  })

  it('refuses a record that is too large even alone', async () => {
    const {adapter} = await adapterFor((_request, response) => {
      response.writeHead(413).end()
    })
    const result = await adapter.write(chunk('upsert', [person(1), person(2)]))
    expect(result.requests).toBe(3)
    expect(result.outcomes).toEqual(
      [1, 2].map((n) => ({
        id: id(n),
        status: 'refused',
        httpStatus: 413,
        reason: expect.stringContaining('too large') as string,
      })),
    )
  })

  it('refuses the records a 400 names, several reasons joined, and sends the others again', async () => {
    const {adapter, server} = await adapterFor((request, response) => {
      const reasons = items(request).flatMap(
        (item, index) => (item as {bad?: string[]}).bad?.map((why) => `persons[${index}]: ${why}`) ?? [],
      )
      if (reasons.length > 0) sendJson(response, 400, {errors: [...reasons, 'Fix the records and send them again.']})
      else sendJson(response, 201, {ids: ids(request)})
    })
    const values = [
      person(0),
      person(1, {bad: ['civicNo is missing.']}),
      person(2),
      person(3, {bad: ['givenName is empty.', 'familyName is missing']}),
      person(4),
    ]
    const result = await adapter.write(chunk('create', values))
    expect(result).toEqual({
      outcomes: [
        {id: id(0), status: 'ok'},
        {id: id(1), status: 'refused', httpStatus: 400, reason: 'civicNo is missing.'},
        {id: id(2), status: 'ok'},
        {id: id(3), status: 'refused', httpStatus: 400, reason: 'givenName is empty. familyName is missing'},
        {id: id(4), status: 'ok'},
      ],
      requests: 2,
    })
    expect(server.requests.map(ids)).toEqual([values.map((value) => value.id), [id(0), id(2), id(4)]])
  })

  it("maps a reason to the request's own positions when a server names one refusal at a time", async () => {
    const {adapter, server} = await adapterFor((request, response) => {
      const index = items(request).findIndex((item) => 'bad' in item)
      if (index >= 0) sendJson(response, 409, {errors: [`persons[${index}]: its eduPersonPrincipalName is taken.`]})
      else sendJson(response, 201, {ids: ids(request)})
    })
    const values = [person(0), person(1, {bad: true}), person(2), person(3, {bad: true}), person(4)]
    const result = await adapter.write(chunk('update', values))
    expect(result.requests).toBe(3)
    expect(result.outcomes.map((outcome) => outcome.status)).toEqual(['ok', 'refused', 'ok', 'refused', 'ok'])
    expect(result.outcomes[3]).toEqual({
      id: id(3),
      status: 'refused',
      httpStatus: 409,
      reason: 'its eduPersonPrincipalName is taken.',
    })
    expect(server.requests.map(ids)).toEqual([
      values.map((value) => value.id),
      [id(0), id(2), id(3), id(4)],
      [id(0), id(2), id(4)],
    ])
  })

  it('refuses every record of a 400 that names none, once, with its reason (civic numbers masked)', async () => {
    const civicNo = makeCivicNumber('2012-02-29', 17)
    const {adapter, server} = await adapterFor((_request, response) =>
      sendJson(response, 400, {errors: [`The body is not valid JSON near ${civicNo}.`]}),
    )
    const result = await adapter.write(chunk('create', [person(1), person(2)]))
    expect(server.requests).toHaveLength(1)
    expect(result.requests).toBe(1)
    expect(result.outcomes.map((outcome) => outcome.status)).toEqual(['refused', 'refused'])
    const reason = (result.outcomes[0] as {reason: string}).reason
    expect(reason).toContain('The body is not valid JSON near')
    expect(reason).not.toContain(civicNo)
    expect(result.outcomes[1]).toEqual({id: id(2), status: 'refused', httpStatus: 400, reason})
  })

  it('refuses every record of a refusal whose body it cannot read, naming what it was', async () => {
    const {adapter} = await adapterFor((_request, response) => {
      response.writeHead(400, {'content-type': 'text/html'}).end('<h1>Bad Request</h1>')
    })
    const result = await adapter.write(chunk('update', [person(1)]))
    expect(result).toEqual({
      outcomes: [{id: id(1), status: 'refused', httpStatus: 400, reason: '<h1>Bad Request</h1>'}],
      requests: 1,
    })
    const {adapter: silent} = await (async () => {
      await server?.close()
      return adapterFor((_request, response) => {
        response.writeHead(409).end()
      })
    })()
    expect((await silent.write(chunk('update', [person(1)]))).outcomes).toEqual([
      {id: id(1), status: 'refused', httpStatus: 409, reason: 'The server refused the request (409) without a reason.'},
    ])
  })

  it('gets through a 500 that the client retries', async () => {
    let count = 0
    const {adapter, server} = await adapterFor((request, response) => {
      if (count++ === 0) sendJson(response, 500, {error: {code: 500, message: 'Internal error'}})
      else sendJson(response, 201, {ids: ids(request)})
    })
    const values = [person(1), person(2)]
    expect(await adapter.write(chunk('update', values))).toEqual({outcomes: ok(values), requests: 1})
    expect(server.requests).toHaveLength(2)
  })

  it('replaces with PUT what a retried POST finds it created itself (its first answer lost)', async () => {
    const held = new Set<string>()
    let lose = true
    const {adapter, server} = await adapterFor((request, response, raw) => {
      const sent = ids(request)
      if (request.method === 'POST') {
        const reasons = sent.flatMap((sentId, index) =>
          held.has(sentId) ? [`persons[${index}]: Person ${sentId} exists already; PUT replaces it.`] : [],
        )
        if (reasons.length > 0) return sendJson(response, 409, {errors: reasons})
      }
      for (const sentId of sent) held.add(sentId)
      // The first write is done, but its answer never arrives.
      if (lose) {
        lose = false
        raw.socket.destroy()
        return
      }
      sendJson(response, 201, {ids: sent})
    })
    const values = [person(1), person(2), person(3)]
    expect(await adapter.write(chunk('create', values))).toEqual({outcomes: ok(values), requests: 2})
    expect(server.requests.map((request) => `${request.method} ${ids(request).length}`)).toEqual([
      'POST 3',
      'POST 3',
      'PUT 3',
    ])
  })

  it('sends as PUT the records a POST finds held, the others again as POST, and refuses other clashes', async () => {
    const held = new Set([id(2), id(4)])
    const {adapter, server} = await adapterFor((request, response) => {
      const sent = items(request)
      const reasons = sent.flatMap((item, index) => {
        if (request.method === 'POST' && held.has(item.id))
          return [`persons[${index}]: Person ${item.id} exists already.`]
        // Another clash: a 409 that is not about the id; the PUT of id(4) meets it too.
        if (item.id === id(4) || item.id === id(5))
          return [`persons[${index}]: eduPersonPrincipalName x belongs to someone else.`]
        return []
      })
      if (reasons.length > 0) return sendJson(response, 409, {errors: reasons})
      for (const item of sent) held.add(item.id)
      sendJson(response, 201, {ids: sent.map((item) => item.id)})
    })
    const values = [1, 2, 3, 4, 5].map((n) => person(n))
    const result = await adapter.write(chunk('create', values))
    const clash = {status: 'refused', httpStatus: 409, reason: 'eduPersonPrincipalName x belongs to someone else.'}
    expect(result.outcomes).toEqual([
      {id: id(1), status: 'ok'},
      {id: id(2), status: 'ok'},
      {id: id(3), status: 'ok'},
      {id: id(4), ...clash},
      {id: id(5), ...clash},
    ])
    expect(
      server.requests.map(
        (request) =>
          `${request.method} ${ids(request)
            .map((sentId) => sentId.slice(-1))
            .join('')}`,
      ),
    ).toEqual([
      'POST 12345', // 2 and 4 held, 5 clashes
      'PUT 24', // 4 clashes
      'PUT 2',
      'POST 13',
    ])
    expect(result.requests).toBe(4)
  })

  it('refuses the deletes a reason names by id, and deletes the others', async () => {
    const {adapter, server} = await adapterFor((request, response) => {
      const referred = ids(request).filter((sentId) => sentId === id(2))
      if (referred.length > 0) {
        return sendJson(response, 409, {
          errors: [
            `Person ${id(2)} is referred to by Group ${id(99)} (studentGroupMemberships/0/person).`,
            'Delete the referrers first.',
          ],
        })
      }
      sendJson(response, 202, {message: 'Accepted'})
    })
    const result = await adapter.write(chunk('delete', [person(1), person(2), person(3)]))
    expect(result).toEqual({
      outcomes: [
        {id: id(1), status: 'ok'},
        {
          id: id(2),
          status: 'refused',
          httpStatus: 409,
          reason: `Person ${id(2)} is referred to by Group ${id(99)} (studentGroupMemberships/0/person).`,
        },
        {id: id(3), status: 'ok'},
      ],
      requests: 2,
    })
    expect(server.requests.map(items)).toEqual([
      [{id: id(1)}, {id: id(2)}, {id: id(3)}],
      [{id: id(1)}, {id: id(3)}],
    ])
  })

  it('throws a 403, and a 500 that outlasts the retries', async () => {
    const {adapter} = await adapterFor((_request, response) => sendJson(response, 403, {message: 'Åtkomst nekad'}))
    const error = await adapter.write(chunk('create', [person(1)])).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(RemoteRequestError)
    expect((error as RemoteRequestError).status).toBe(403)
    await server?.close()
    const {adapter: failing, server: down} = await adapterFor((_request, response) => sendJson(response, 500, {}))
    const failure = await failing.write(chunk('delete', [person(1)])).catch((caught: unknown) => caught)
    expect((failure as RemoteRequestError).status).toBe(500)
    expect(down.requests).toHaveLength(FAST_RETRY.attempts)
  })

  it('refuses entity types it cannot write, and records without their value', async () => {
    const {adapter, server} = await adapterFor((_request, response) => sendJson(response, 201, {}))
    await expect(adapter.write({entity: 'Placement', kind: 'create', records: []})).rejects.toThrow(UsageError)
    await expect(adapter.write({entity: 'Person', kind: 'update', records: [{id: id(1)}]})).rejects.toThrow(
      'needs the record',
    )
    expect(server.requests).toEqual([])
  })
})

describe('the write adapters', () => {
  it("writes what serve's ingest API takes, in the same upload order", () => {
    expect(SKOLVERKET_INGEST_ENTITIES).toEqual(INGEST_ENTITIES)
  })

  it('are made by name, skolverket-ingest by default; an unknown name is a usage error listing the known', () => {
    const client = new Ss12000Client({baseUrl: 'http://127.0.0.1:1', warn: () => {}})
    expect(createWriteAdapter(undefined, client)).toBeInstanceOf(SkolverketIngestAdapter)
    expect(createWriteAdapter('skolverket-ingest', client).name).toBe('skolverket-ingest')
    expect(WRITE_ADAPTER_NAMES).toEqual(['skolverket-ingest'])
    const error = (() => {
      try {
        createWriteAdapter('toString', client)
      } catch (caught) {
        return caught
      }
    })()
    expect(error).toBeInstanceOf(UsageError)
    expect((error as UsageError).message).toBe("There is no write adapter 'toString'.")
    expect((error as UsageError).actions).toEqual([
      'Known adapters: skolverket-ingest (the default is skolverket-ingest).',
    ])
  })
})

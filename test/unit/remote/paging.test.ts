import {afterEach, describe, expect, it} from 'vitest'

import {RemoteError} from '../../../src/errors.js'
import {type ClientOptions, Ss12000Client} from '../../../src/remote/client.js'
import {
  FAST_RETRY,
  type Handler,
  sendJson,
  startTestServer,
  type TestServer,
  warnings,
} from '../../support/test-server.js'

let server: TestServer | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

async function clientFor(handle: Handler, options: Partial<ClientOptions> = {}) {
  server = await startTestServer(handle)
  const seen = warnings()
  const client = new Ss12000Client({baseUrl: `${server.origin}/v2.0/`, retry: FAST_RETRY, warn: seen.warn, ...options})
  return {client, server, warnings: seen.messages}
}

async function collect(pages: AsyncGenerator<Record<string, unknown>[], unknown>): Promise<unknown[]> {
  const records: unknown[] = []
  for await (const page of pages) records.push(...page)
  return records
}

const person = (n: number) => ({id: `p${n}`})

/** Pages of `size` over `total` persons; the token is the next offset, and `last` is what the last page says. */
function pagedPersons(total: number, size: number, last: 'absent' | 'null'): Handler {
  return (request, response) => {
    const offset = Number(request.query.get('pageToken') ?? '0')
    const data = Array.from({length: Math.min(size, total - offset)}, (_, index) => person(offset + index))
    const next = offset + size < total ? String(offset + size) : undefined
    sendJson(
      response,
      200,
      next !== undefined ? {data, pageToken: next} : last === 'null' ? {data, pageToken: null} : {data},
    )
  }
}

describe('Ss12000Client.pages', () => {
  it.each(['absent', 'null'] as const)('follows pageToken until it is %s', async (last) => {
    const {client, server, warnings} = await clientFor(pagedPersons(7, 3, last))
    const records = await collect(client.pages('persons', {'meta.modified.after': '2026-01-01T00:00:00Z'}, {limit: 3}))
    expect(records).toEqual(Array.from({length: 7}, (_, index) => person(index)))
    expect(server.to('/v2.0/persons')).toHaveLength(3)
    expect(warnings).toEqual([])
  })

  it('sends the filters on the first page only; later pages carry only pageToken and limit', async () => {
    const {client, server} = await clientFor(pagedPersons(5, 2, 'null'))
    await collect(
      client.pages(
        'persons',
        {'meta.modified.after': '2026-01-01T00:00:00Z', expand: ['duties', 'placements']},
        {limit: 2},
      ),
    )
    const queries = server.requests.map((request) => [...request.query.entries()])
    expect(queries).toEqual([
      [
        ['meta.modified.after', '2026-01-01T00:00:00Z'],
        ['expand', 'duties'],
        ['expand', 'placements'],
        ['limit', '2'],
      ],
      [
        ['pageToken', '2'],
        ['limit', '2'],
      ],
      [
        ['pageToken', '4'],
        ['limit', '2'],
      ],
    ])
  })

  it('asks for the next page while the caller still works on this one', async () => {
    const {client, server} = await clientFor(pagedPersons(9, 3, 'null'))
    const seenWhenHandedOver: number[] = []
    for await (const page of client.pages('persons', {}, {limit: 3})) {
      // Give the request for the next page time to arrive before this page is done with.
      await new Promise((resolve) => setTimeout(resolve, 50))
      seenWhenHandedOver.push(server.requests.length)
      expect(page).toHaveLength(3)
    }
    // Page 1 and 2 were in the server's hands while page 1 was processed, and so on; none after the last.
    expect(seenWhenHandedOver).toEqual([2, 3, 3])
  })

  it('leaves a page asked for ahead unawaited without an unhandled rejection when the caller stops early', async () => {
    const {client, server} = await clientFor((request, response) => {
      if (request.query.get('pageToken') === null) sendJson(response, 200, {data: [person(0)], pageToken: 'next'})
      else sendJson(response, 400, {code: 'bad', message: 'never read'})
    })
    const rejections: unknown[] = []
    const onRejection = (reason: unknown) => rejections.push(reason)
    process.on('unhandledRejection', onRejection)
    try {
      for await (const page of client.pages('persons')) {
        expect(page).toEqual([person(0)])
        break
      }
      await new Promise((resolve) => setTimeout(resolve, 100))
      expect(server.requests).toHaveLength(2)
      expect(rejections).toEqual([])
    } finally {
      process.off('unhandledRejection', onRejection)
    }
  })

  it('returns the number of pages and records when done', async () => {
    const {client} = await clientFor(pagedPersons(5, 2, 'absent'))
    const pages = client.pages('persons', {}, {limit: 2})
    let result = await pages.next()
    while (!result.done) result = await pages.next()
    expect(result.value).toEqual({pages: 3, records: 5})
  })

  it('takes a numeric pageToken as text, with one warning', async () => {
    const {client, server, warnings} = await clientFor((request, response) => {
      const token = Number(request.query.get('pageToken') ?? '0')
      sendJson(response, 200, token < 3 ? {data: [person(token)], pageToken: token + 1} : {data: [person(token)]})
    })
    expect(await collect(client.pages('persons'))).toEqual([person(0), person(1), person(2), person(3)])
    expect(server.requests.map((request) => request.query.get('pageToken'))).toEqual([null, '1', '2', '3'])
    expect(warnings).toEqual([expect.stringMatching(/\/persons sends pageToken as a number/)])
  })

  it('takes an empty pageToken for the end, with one warning', async () => {
    const {client, server, warnings} = await clientFor((request, response) => {
      sendJson(
        response,
        200,
        request.query.get('pageToken') === null
          ? {data: [person(0)], pageToken: 'x'}
          : {data: [person(1)], pageToken: ''},
      )
    })
    expect(await collect(client.pages('persons'))).toEqual([person(0), person(1)])
    expect(server.requests).toHaveLength(2)
    expect(warnings).toEqual([
      expect.stringMatching(/ended a list with pageToken "" instead of null; read it as the last page/),
    ])
  })

  it('stops an endless pageToken loop with a RemoteError that says so', async () => {
    const {client, server} = await clientFor((request, response) => {
      // A → B → A → …
      const token = request.query.get('pageToken') === 'A' ? 'B' : 'A'
      sendJson(response, 200, {data: [person(1)], pageToken: token})
    })
    const error = await collect(client.pages('persons')).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(RemoteError)
    expect((error as Error).message).toMatch(
      /\/v2\.0\/persons sent a pageToken it had sent before, after 3 page\(s\): an endless paging loop/,
    )
    expect(server.requests).toHaveLength(3)
  })

  it('stops after maxPages pages, also when every token is new', async () => {
    const {client, server} = await clientFor((request, response) => {
      sendJson(response, 200, {data: [], pageToken: `t${server.requests.length}`})
    })
    const error = await collect(client.pages('persons', {}, {maxPages: 4})).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(RemoteError)
    expect((error as Error).message).toMatch(/still had more after 4 pages: taken for an endless paging loop/)
    expect(server.requests).toHaveLength(4)
  })

  it('reads {organisations: [...]} instead of {data: [...]} with one warning per collection', async () => {
    const {client, warnings} = await clientFor((request, response) => {
      const token = request.query.get('pageToken')
      sendJson(
        response,
        200,
        token === null ? {organisations: [{id: 'o1'}], pageToken: 'x'} : {organisations: [{id: 'o2'}]},
      )
    })
    expect(await collect(client.pages('organisations'))).toEqual([{id: 'o1'}, {id: 'o2'}])
    expect(warnings).toEqual([
      expect.stringMatching(/\/organisations lists its records under "organisations" instead of "data"/),
    ])
  })

  it('refuses a body that is not a list answer', async () => {
    const {client} = await clientFor((_request, response) => sendJson(response, 200, {items: []}))
    await expect(collect(client.pages('persons'))).rejects.toThrow(
      /GET http:\/\/127\.0\.0\.1:\d+\/v2\.0\/persons: the answer has no "data" list \(it has "items"\)/,
    )
  })

  it('skips list items that are not objects, with a warning', async () => {
    const {client, warnings} = await clientFor((_request, response) =>
      sendJson(response, 200, {data: [person(1), 'p2', null]}),
    )
    expect(await collect(client.pages('persons'))).toEqual([person(1)])
    expect(warnings).toEqual([
      expect.stringMatching(/\/persons sends list items that are not JSON objects \(a string\); skipped them/),
    ])
  })
})

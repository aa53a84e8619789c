import {afterEach, describe, expect, it} from 'vitest'

import {RemoteError, UsageError} from '../../../src/errors.js'
import {type ClientOptions, Ss12000Client} from '../../../src/remote/client.js'
import {makeCivicNumber} from '../../../src/validation/identity.js'
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

const NOW = Date.parse('2026-11-27T10:00:00Z')

async function clientFor(handle: Handler, options: Partial<ClientOptions> = {}) {
  server = await startTestServer(handle)
  const seen = warnings()
  const client = new Ss12000Client({
    baseUrl: `${server.origin}/v2.0`,
    retry: FAST_RETRY,
    warn: seen.warn,
    now: () => NOW,
    ...options,
  })
  return {client, server, warnings: seen.messages}
}

/** Serves `pages` of /persons in turn (pageToken = index of the next page). */
function servePages(pages: unknown[][]): Handler {
  return (request, response) => {
    const index = Number(request.query.get('pageToken') ?? '0')
    sendJson(response, 200, {data: pages[index], pageToken: index + 1 < pages.length ? String(index + 1) : null})
  }
}

async function collect(client: Ss12000Client, collection = 'persons'): Promise<Record<string, unknown>[]> {
  const records: Record<string, unknown>[] = []
  for await (const page of client.pages(collection)) records.push(...page)
  return records
}

describe('meta timestamps without an offset', () => {
  it('are read as UTC, with one warning for all records and pages', async () => {
    const {client, warnings} = await clientFor(
      servePages([
        [{id: 'a', meta: {created: '2026-01-02T10:00:00', modified: '2026-01-03T11:30:00.123'}}],
        [{id: 'b', meta: {created: '2026-01-02 10:00', modified: '2026-01-03T11:30:00+01:00'}}],
      ]),
    )
    expect(await collect(client)).toEqual([
      {id: 'a', meta: {created: '2026-01-02T10:00:00Z', modified: '2026-01-03T11:30:00.123Z'}},
      {id: 'b', meta: {created: '2026-01-02T10:00:00Z', modified: '2026-01-03T11:30:00+01:00'}},
    ])
    expect(warnings).toEqual([
      expect.stringMatching(
        /\/persons sends meta\.created without a UTC offset \(2026-01-02T10:00:00\); read such times as UTC\.$/,
      ),
    ])
  })

  it('in _embedded records too', async () => {
    const {client} = await clientFor(
      servePages([[{id: 'd', _embedded: {person: {id: 'p', meta: {modified: '2026-01-02T10:00:00'}}}}]]),
    )
    expect(await collect(client, 'duties')).toEqual([
      {id: 'd', _embedded: {person: {id: 'p', meta: {modified: '2026-01-02T10:00:00Z'}}}},
    ])
  })
})

describe('civicNo.value with a separator', () => {
  const born2011 = makeCivicNumber('2011-04-07', 123)
  const born1921 = makeCivicNumber('1921-02-03', 456)
  const samordning = makeCivicNumber('1990-05-06', 789, {samordningsnummer: true})
  const dashed = (value: string, at: number, separator = '-') => `${value.slice(0, at)}${separator}${value.slice(at)}`
  const person = (id: string, value: string) => ({id, civicNo: {value, nationality: 'SE'}})

  it('is normalized to 12 characters, with one warning that shows no number', async () => {
    const {client, warnings} = await clientFor(
      servePages([
        [
          person('a', dashed(born2011, 8)),
          person('b', dashed(born2011.slice(2), 6)),
          person('c', dashed(born1921.slice(2), 6, '+')),
          person('d', dashed(born1921, 8, '+')),
          person('e', dashed(samordning.slice(2), 6)),
          person('f', born2011),
        ],
      ]),
    )
    const values = (await collect(client)).map((record) => (record.civicNo as {value: string}).value)
    expect(values).toEqual([born2011, born2011, born1921, born1921, samordning, born2011])
    expect(warnings).toEqual([
      expect.stringMatching(
        /\/persons sends civicNo\.value with a separator .*normalized to the standard's 12 characters\.$/,
      ),
    ])
    expect(warnings.join()).not.toMatch(/\d{6}/)
  })

  it('keeps a short number that is not a real one as sent, with its own warning', async () => {
    const wrongCheckDigit = `${born2011.slice(2, 8)}-${born2011.slice(8, 11)}${(Number(born2011.slice(11)) + 1) % 10}`
    const {client, warnings} = await clientFor(servePages([[person('a', wrongCheckDigit)]]))
    expect((await collect(client))[0]).toEqual(person('a', wrongCheckDigit))
    expect(warnings).toEqual([
      expect.stringMatching(/not a readable civic number; kept as sent, for validation to flag\.$/),
    ])
  })
})

describe('deletedEntities', () => {
  it('reads the grouped answer, misspelled activitites included, every page', async () => {
    const {client, server, warnings} = await clientFor((request, response) => {
      if (request.query.get('pageToken') === null) {
        return sendJson(response, 200, {data: {persons: ['p1', 'p2'], activitites: ['a1']}, pageToken: 'more'})
      }
      sendJson(response, 200, {data: {persons: ['p3'], groups: []}, pageToken: null})
    })
    const deleted = await client.deletedEntities('2026-11-01T00:00:00Z', ['Person', 'Activity', 'Group'])
    expect(Object.fromEntries(deleted.byEntity)).toEqual({Person: ['p1', 'p2', 'p3'], Activity: ['a1'], Group: []})
    expect(deleted.unattributed).toEqual([])
    expect(warnings).toEqual([])
    expect([...server.requests[0]!.query.entries()]).toEqual([
      ['after', '2026-11-01T00:00:00Z'],
      ['entities', 'Person'],
      ['entities', 'Activity'],
      ['entities', 'Group'],
    ])
    expect([...server.requests[1]!.query.entries()]).toEqual([['pageToken', 'more']])
  })

  it('reads a flat list as the one type asked for, with a warning', async () => {
    const {client, warnings} = await clientFor((_request, response) => sendJson(response, 200, {data: ['p1', 'p2']}))
    const deleted = await client.deletedEntities('2026-11-01T00:00:00Z', ['Person'])
    expect(Object.fromEntries(deleted.byEntity)).toEqual({Person: ['p1', 'p2']})
    expect(deleted.unattributed).toEqual([])
    expect(warnings).toEqual([
      expect.stringMatching(/flat list of ids .*; read them as Person ids, the one type asked for\.$/),
    ])
  })

  it('keeps a flat list for several types as unattributed ids, with a warning', async () => {
    const {client, warnings} = await clientFor((_request, response) => sendJson(response, 200, ['p1', 'g1']))
    const deleted = await client.deletedEntities('2026-11-01T00:00:00Z')
    expect(deleted.byEntity.size).toBe(0)
    expect(deleted.unattributed).toEqual(['p1', 'g1'])
    expect(warnings).toEqual([expect.stringMatching(/flat list of ids .*; kept them as unattributed ids\.$/)])
  })

  it('keeps the ids of an unknown key as unattributed, with a warning', async () => {
    const {client, warnings} = await clientFor((_request, response) =>
      sendJson(response, 200, {data: {people: ['p1'], persons: ['p2']}}),
    )
    const deleted = await client.deletedEntities('2026-11-01T00:00:00Z')
    expect(Object.fromEntries(deleted.byEntity)).toEqual({Person: ['p2']})
    expect(deleted.unattributed).toEqual(['p1'])
    expect(warnings).toEqual([expect.stringMatching(/names a type "people" the standard does not have/)])
  })

  it('refuses an answer that is not one, and a type that has no deletedEntities', async () => {
    const {client} = await clientFor((_request, response) => sendJson(response, 200, {data: 'none'}))
    await expect(client.deletedEntities('2026-11-01T00:00:00Z')).rejects.toThrow(RemoteError)
    await expect(client.deletedEntities('2026-11-01T00:00:00Z', ['AggregatedAttendance'])).rejects.toThrow(UsageError)
  })
})

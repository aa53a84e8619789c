import {readFile} from 'node:fs/promises'
import {createServer as createHttpsServer} from 'node:https'
import type {AddressInfo} from 'node:net'

import {afterEach, describe, expect, it} from 'vitest'

import {RemoteError} from '../../../src/errors.js'
import {type ClientOptions, type RetryEvent, Ss12000Client} from '../../../src/remote/client.js'
import {RemoteRequestError} from '../../../src/remote/http.js'
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
  const retries: RetryEvent[] = []
  const client = new Ss12000Client({
    baseUrl: `${server.origin}/v2.0`,
    retry: FAST_RETRY,
    warn: seen.warn,
    onRetry: (event) => retries.push(event),
    ...options,
  })
  return {client, server, warnings: seen.messages, retries}
}

/** Answers with `fault` the first `times` requests, then `{data: [{id: 'ok'}]}`. */
function failing(times: number, fault: Handler): Handler {
  let count = 0
  return (request, response, raw) => {
    count++
    if (count <= times) return fault(request, response, raw)
    sendJson(response, 200, {data: [{id: 'ok'}]})
  }
}

const status =
  (code: number, body: unknown = {code: 'Oops', message: `failed with ${code}`}, headers = {}): Handler =>
  (_request, response) =>
    sendJson(response, code, body, headers)

async function failure(promise: Promise<unknown>): Promise<RemoteRequestError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  )
  expect(error).toBeInstanceOf(RemoteRequestError)
  return error as RemoteRequestError
}

describe('retries', () => {
  it.each([500, 502, 503, 504, 408])('retries %i and then succeeds', async (code) => {
    const {client, server, retries} = await clientFor(failing(2, status(code)))
    expect(await client.getJson('persons')).toEqual({data: [{id: 'ok'}]})
    expect(server.requests).toHaveLength(3)
    expect(retries.map((event) => event.attempt)).toEqual([1, 2])
    expect(retries[0]!.reason).toMatch(new RegExp(`^answer ${code} .* — Oops: failed with ${code}$`))
  })

  it('gives up after the attempts with a RemoteError naming method, URL, status and body excerpt', async () => {
    const body = `<html><body>${'Bad gateway. '.repeat(60)}</body></html>`
    const {client, server} = await clientFor((_request, response) => {
      response.writeHead(502, {'content-type': 'text/html'})
      response.end(body)
    })
    const error = await failure(client.getJson('persons', {limit: '10', access_token: 'abc123secret'}))
    expect(error).toBeInstanceOf(RemoteError)
    expect(error.exitCode).toBe(4)
    expect(server.requests).toHaveLength(3)
    expect(error.status).toBe(502)
    expect(error.method).toBe('GET')
    expect(error.message).toMatch(
      /^GET http:\/\/127\.0\.0\.1:\d+\/v2\.0\/persons\?limit=10&access_token=redacted failed 3 times; the last time: answer 502 Bad Gateway — <html><body>Bad gateway\. /,
    )
    expect(error.message).not.toContain('abc123secret')
    // The excerpt is the first 300 characters of the body.
    expect(error.message.length).toBeLessThan(500)
    expect(error.actions.join(' ')).toMatch(/try again later/)
  })

  it('honours Retry-After in seconds, capped by maxDelayMs', async () => {
    const {client, server, retries} = await clientFor(
      failing(1, status(429, {message: 'slow down'}, {'retry-after': '120'})),
      {
        retry: {attempts: 3, baseDelayMs: 1, maxDelayMs: 7},
      },
    )
    await client.getJson('persons')
    expect(server.requests).toHaveLength(2)
    // Without Retry-After the first wait would be at most baseDelayMs (1 ms).
    expect(retries.map((event) => event.delayMs)).toEqual([7])
  })

  it('honours Retry-After as an HTTP date, capped by maxDelayMs', async () => {
    const now = Date.parse('2026-11-27T10:00:00Z')
    const {client, retries} = await clientFor(
      failing(1, status(503, {message: 'later'}, {'retry-after': 'Fri, 27 Nov 2026 11:00:00 GMT'})),
      {
        retry: {attempts: 2, baseDelayMs: 1, maxDelayMs: 9},
        now: () => now,
      },
    )
    await client.getJson('persons')
    expect(retries.map((event) => event.delayMs)).toEqual([9])
  })

  it('retries a request the server never answers, after timeoutMs', async () => {
    const {client, server, retries} = await clientFor(() => undefined, {
      timeoutMs: 50,
      retry: {attempts: 2, baseDelayMs: 1, maxDelayMs: 2},
    })
    const error = await failure(client.getJson('persons'))
    expect(server.requests).toHaveLength(2)
    expect(retries[0]!.reason).toBe('no answer within 50 ms')
    expect(error.status).toBeUndefined()
    expect(error.message).toMatch(
      /^GET http:\/\/127\.0\.0\.1:\d+\/v2\.0\/persons failed 2 times; the last time: no answer within 50 ms\.$/,
    )
  })

  it('times out a body that stops half-way', async () => {
    const {client, server, retries} = await clientFor(
      failing(1, (_request, response) => {
        response.writeHead(200, {'content-type': 'application/json', 'content-length': '200'})
        response.write('{"data":[')
      }),
      {timeoutMs: 100},
    )
    expect(await client.getJson('persons')).toEqual({data: [{id: 'ok'}]})
    expect(server.requests).toHaveLength(2)
    expect(retries[0]!.reason).toBe('the body did not arrive within 100 ms')
  })

  it('retries a reset connection', async () => {
    const {client, server, retries} = await clientFor(
      failing(2, (_request, _response, raw) => void raw.socket.destroy()),
    )
    expect(await client.getJson('persons')).toEqual({data: [{id: 'ok'}]})
    expect(server.requests).toHaveLength(3)
    expect(retries[0]!.reason).toMatch(/^the connection was closed without an answer/)
  })

  it('retries a refused connection, then says so', async () => {
    const {client, server} = await clientFor(() => undefined)
    const origin = server.origin
    await server.close()
    const error = await failure(client.getJson('persons'))
    expect(error.message).toBe(
      `GET ${origin}/v2.0/persons failed 3 times; the last time: the connection was refused (ECONNREFUSED).`,
    )
  })

  it('retries a body cut off before Content-Length, as a network failure', async () => {
    const {client, server, retries} = await clientFor(
      failing(1, (_request, response, raw) => {
        response.writeHead(200, {'content-type': 'application/json', 'content-length': '200'})
        response.write('{"data":[{"id":"p1"},')
        setImmediate(() => raw.socket.destroy())
      }),
    )
    expect(await client.getJson('persons')).toEqual({data: [{id: 'ok'}]})
    expect(server.requests).toHaveLength(2)
    expect(retries[0]!.reason).toMatch(/^the connection closed before the body was complete/)
  })

  it('retries a complete 200 whose JSON is cut, then says it is not JSON', async () => {
    const {client, server} = await clientFor((_request, response) => {
      response.writeHead(200, {'content-type': 'application/json'})
      response.end('{"data":[{"id":"p1"},{"id"')
    })
    const error = await failure(client.getJson('persons'))
    expect(server.requests).toHaveLength(3)
    expect(error.status).toBe(200)
    expect(error.message).toMatch(
      /failed 3 times; the last time: a 200 answer whose body is JSON that is cut short or broken \(26 characters\)\.$/,
    )
    // A cut page is records, personal data: the message says how long it was, not what it said.
    expect(error.message).not.toContain('p1')
  })

  it("retries a 200 that is not JSON at all (a proxy's page), showing its start", async () => {
    const {client} = await clientFor((_request, response) => {
      response.writeHead(200, {'content-type': 'text/html'})
      response.end('<html><title>Sign in</title></html>')
    })
    const error = await failure(client.getJson('persons'))
    expect(error.message).toMatch(
      /the last time: a 200 answer whose body is not JSON: <html><title>Sign in<\/title><\/html>\.$/,
    )
  })
})

describe('refusals are not retried', () => {
  it('400 {code, message}: the server message, one attempt', async () => {
    const {client, server} = await clientFor(status(400, {code: 'BadRequest', message: 'limit must be at least 1'}))
    const error = await failure(client.getJson('persons', {limit: '0'}))
    expect(server.requests).toHaveLength(1)
    expect(error.status).toBe(400)
    expect(error.serverCode).toBe('BadRequest')
    expect(error.message).toMatch(
      /^GET http:\/\/127\.0\.0\.1:\d+\/v2\.0\/persons\?limit=0 answered 400 Bad Request — BadRequest: limit must be at least 1\.$/,
    )
  })

  it.each([
    {
      name: "Skolverket's {error: {code, message}}",
      body: {error: {code: 404, message: 'Not found'}},
      shown: '404: Not found',
    },
    {name: "Skolverket's {message, code}", body: {message: 'No such person', code: 404}, shown: '404: No such person'},
    {
      name: "Skolverket's {errors: [...]}",
      body: {errors: ["'x' is not a 'uuid'", {message: 'bad'}]},
      shown: "'x' is not a 'uuid'; bad",
    },
    {name: 'plain text', body: 'Not Found', shown: '"Not Found"'},
  ])('404 with $name', async ({body, shown}) => {
    const {client, server, warnings} = await clientFor(status(404, body))
    const error = await failure(client.getJson('persons/x'))
    expect(server.requests).toHaveLength(1)
    expect(error.message).toContain(`answered 404 Not Found — ${shown}.`)
    expect(error.actions.join(' ')).toMatch(/base URL ends with the API version/)
    expect(warnings).toEqual([])
  })

  it("reads FastAPI's {detail} with one warning", async () => {
    const {client, warnings} = await clientFor(
      status(422, {
        detail: [{loc: ['query', 'limit'], msg: 'ensure this value is greater than 0', type: 'value_error'}],
      }),
    )
    const first = await failure(client.getJson('persons', {limit: '0'}))
    expect(first.message).toContain(
      'answered 422 Unprocessable Entity — query.limit: ensure this value is greater than 0.',
    )
    await failure(client.getJson('persons', {limit: '0'}))
    expect(warnings).toEqual([expect.stringMatching(/answers errors FastAPI-style \{"detail": …\}/)])
  })

  it('403: the token may not read this', async () => {
    const {client, server} = await clientFor(status(403, {code: 'Forbidden', message: 'Not in scope'}))
    const error = await failure(client.getJson('grades'))
    expect(server.requests).toHaveLength(1)
    expect(error.actions.join(' ')).toMatch(/may not read this/)
  })

  it('a redirect is not followed (credentials go only where the user pointed)', async () => {
    const {client, server} = await clientFor((_request, response) => {
      response.writeHead(302, {location: 'https://elsewhere.example/v2.0/persons?token=leak'})
      response.end()
    })
    const error = await failure(client.getJson('persons'))
    expect(server.requests).toHaveLength(1)
    expect(error.message).toMatch(
      /answered 302 Found, a redirect to https:\/\/elsewhere\.example\/v2\.0\/persons\?token=redacted\.$/,
    )
  })

  it('an untrusted certificate: no retry, and the way to trust a private CA', async () => {
    const tls = new URL('../../fixtures/tls/', import.meta.url)
    const https = createHttpsServer(
      {cert: await readFile(new URL('cert.pem', tls)), key: await readFile(new URL('key.pem', tls))},
      (_request, response) => response.end('{}'),
    )
    let connections = 0
    https.on('connection', () => connections++)
    await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve))
    try {
      const client = new Ss12000Client({
        baseUrl: `https://127.0.0.1:${(https.address() as AddressInfo).port}/v2.0`,
        retry: FAST_RETRY,
      })
      const error = await failure(client.getJson('persons'))
      expect(error.message).toMatch(
        /failed: the server's certificate is not trusted \(DEPTH_ZERO_SELF_SIGNED_CERT\)\.$/,
      )
      expect(error.actions.join(' ')).toMatch(/NODE_EXTRA_CA_CERTS/)
      expect(connections).toBe(1)
    } finally {
      https.closeAllConnections()
      await new Promise<void>((resolve) => https.close(() => resolve()))
    }
  })
})

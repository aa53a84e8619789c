import {afterEach, describe, expect, it} from 'vitest'

import {Ss12000Client} from '../../../src/remote/client.js'
import {RemoteRequestError} from '../../../src/remote/http.js'
import {FAST_RETRY, type Handler, sendJson, startTestServer, type TestServer} from '../../support/test-server.js'

let server: TestServer | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

async function clientFor(handle: Handler) {
  server = await startTestServer(handle)
  const client = new Ss12000Client({
    baseUrl: `${server.origin}/v2.0`,
    auth: {kind: 'bearer', token: 'write-test-token'},
    retry: FAST_RETRY,
    warn: () => {},
  })
  return {client, server}
}

describe('Ss12000Client.sendJson', () => {
  it('sends POST, PUT and DELETE with a JSON body and reads 201, 202 and an empty 204 or 200', async () => {
    const answers = [
      [201, {ids: ['a']}],
      [202, {message: 'Accepted'}],
      [204, undefined],
      [200, undefined],
    ] as const
    let count = 0
    const {client, server} = await clientFor((_request, response) => {
      const [status, body] = answers[count++]!
      if (body === undefined) response.writeHead(status).end()
      else sendJson(response, status, body)
    })
    expect(await client.sendJson('POST', 'persons', {persons: [{id: 'a'}]})).toEqual({
      status: 201,
      json: {ids: ['a']},
      attempts: 1,
    })
    expect(await client.sendJson('DELETE', '/persons', {persons: [{id: 'a'}]})).toMatchObject({status: 202})
    expect(await client.sendJson('PUT', 'persons', {persons: []})).toEqual({status: 204, json: undefined, attempts: 1})
    expect(await client.sendJson('PUT', 'persons', {persons: []})).toEqual({status: 200, json: undefined, attempts: 1})
    expect(server.requests.map((request) => request.method)).toEqual(['POST', 'DELETE', 'PUT', 'PUT'])
    const [first] = server.requests
    expect(first).toMatchObject({path: '/v2.0/persons', body: '{"persons":[{"id":"a"}]}'})
    expect(first!.headers['content-type']).toBe('application/json')
    expect(first!.headers.authorization).toBe('Bearer write-test-token')
  })

  it('answers the refusals asked for with their body, once, and throws the others', async () => {
    const {client, server} = await clientFor((request, response) => {
      if (request.path.endsWith('/text')) {
        response.writeHead(409, {'content-type': 'text/plain'}).end('Conflict, see log')
        return
      }
      sendJson(response, 400, {errors: ['persons[0]: bad.']})
    })
    expect(await client.sendJson('POST', 'persons', {}, {answerStatuses: [400]})).toEqual({
      status: 400,
      json: {errors: ['persons[0]: bad.']},
      text: '{"errors":["persons[0]: bad."]}',
      attempts: 1,
    })
    expect(await client.sendJson('POST', 'text', {}, {answerStatuses: [409]})).toMatchObject({
      status: 409,
      json: undefined,
      text: 'Conflict, see log',
    })
    const error = await client.sendJson('PUT', 'persons', {}).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(RemoteRequestError)
    expect((error as RemoteRequestError).status).toBe(400)
    expect((error as RemoteRequestError).method).toBe('PUT')
    expect(server.requests).toHaveLength(3)
  })

  it('retries a 503 and tells how many attempts the answer took', async () => {
    let count = 0
    const {client, server} = await clientFor((_request, response) => {
      if (count++ === 0) sendJson(response, 503, {message: 'busy'})
      else sendJson(response, 201, {ids: ['a']})
    })
    expect(await client.sendJson('POST', 'persons', {persons: [{id: 'a'}]})).toMatchObject({status: 201, attempts: 2})
    expect(server.requests.map((request) => request.body)).toEqual([
      '{"persons":[{"id":"a"}]}',
      '{"persons":[{"id":"a"}]}',
    ])
  })

  it("speaks of writing in a 403's advice", async () => {
    const {client} = await clientFor((_request, response) => sendJson(response, 403, {message: 'Åtkomst nekad'}))
    const error = (await client.sendJson('DELETE', 'persons', {persons: []}).catch((caught: unknown) => caught)) as
      RemoteRequestError | undefined
    expect(error).toBeInstanceOf(RemoteRequestError)
    expect(error!.message).toMatch(
      /^DELETE http:\/\/127\.0\.0\.1:\d+\/v2\.0\/persons answered 403 Forbidden — Åtkomst nekad\.$/,
    )
    expect(error!.actions.join(' ')).toContain('write')
  })
})

import {afterEach, describe, expect, it} from 'vitest'

import {UsageError} from '../../../src/errors.js'
import {type OAuth2Auth, resolveClientAuth} from '../../../src/remote/auth.js'
import {type ClientOptions, Ss12000Client} from '../../../src/remote/client.js'
import {RemoteRequestError} from '../../../src/remote/http.js'
import {
  FAST_RETRY,
  type Handler,
  sendJson,
  startTestServer,
  type TestServer,
  type SeenRequest,
} from '../../support/test-server.js'

const SECRET = 'client-secret-s3cr3t/+=&'
const CLIENT_ID = 'toolkit client'

let server: TestServer | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

/**
 * One server with a token endpoint (`/token`, issuing `tok-1`, `tok-2`, … valid for `expiresIn` seconds) and the API
 * under `/v2.0`, which accepts only the `valid` tokens and answers everything else with `api`.
 */
async function oauthServer(
  options: {expiresIn?: number; valid?: (token: string) => boolean; api?: Handler; token?: Handler} = {},
) {
  let issued = 0
  server = await startTestServer((request, response, raw) => {
    if (request.path === '/token') {
      if (options.token) return options.token(request, response, raw)
      issued++
      return sendJson(response, 200, {
        access_token: `tok-${issued}`,
        token_type: 'Bearer',
        expires_in: options.expiresIn ?? 3600,
      })
    }
    const token = (request.headers.authorization ?? '').replace(/^Bearer /, '')
    if (!(options.valid ?? (() => true))(token)) {
      return sendJson(response, 401, {code: 'Unauthorized', message: `token ${token} expired`})
    }
    if (options.api) return options.api(request, response, raw)
    sendJson(response, 200, {data: [{id: 'p1'}], seenToken: token})
  })
  const auth: OAuth2Auth = {
    kind: 'oauth2',
    tokenUrl: `${server.origin}/token`,
    clientId: CLIENT_ID,
    clientSecret: SECRET,
  }
  return {server, auth}
}

function client(auth: ClientOptions['auth'], options: Partial<ClientOptions> = {}): Ss12000Client {
  return new Ss12000Client({
    baseUrl: `${server!.origin}/v2.0`,
    auth,
    retry: FAST_RETRY,
    warn: () => undefined,
    ...options,
  })
}

const seenToken = (body: unknown) => (body as {seenToken: string}).seenToken
const form = (request: SeenRequest) => Object.fromEntries(new URLSearchParams(request.body))

describe('bearer token', () => {
  it('sends Authorization: Bearer on every request', async () => {
    server = await startTestServer((_request, response) => sendJson(response, 200, {data: []}))
    const api = client({kind: 'bearer', token: 'abc.def-ghi'})
    await api.getJson('persons')
    await api.postJson('persons/lookup', {ids: ['x']})
    expect(server.requests.map((request) => request.headers.authorization)).toEqual([
      'Bearer abc.def-ghi',
      'Bearer abc.def-ghi',
    ])
    expect(server.requests[1]!.headers['content-type']).toBe('application/json')
    expect(server.requests[1]!.body).toBe('{"ids":["x"]}')
  })

  it('a 401 is final: there is nothing to refresh', async () => {
    server = await startTestServer((_request, response) => sendJson(response, 401, {message: 'expired'}))
    const error = await client({kind: 'bearer', token: 'old-token'})
      .getJson('persons')
      .catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(RemoteRequestError)
    expect((error as RemoteRequestError).status).toBe(401)
    expect((error as Error).message).not.toContain('old-token')
    expect((error as RemoteRequestError).actions.join(' ')).toMatch(/SS12000_TOKEN, --token-stdin/)
    expect(server.requests).toHaveLength(1)
  })

  it('refuses a token that cannot go in a header, without showing it', () => {
    expect(
      () => new Ss12000Client({baseUrl: 'http://127.0.0.1:1/v2.0', auth: {kind: 'bearer', token: 'abc\ndef'}}),
    ).toThrow(/The bearer token is not a usable bearer token: it holds spaces, line breaks/)
  })
})

describe('OAuth2 client credentials', () => {
  it('asks the token endpoint once (HTTP Basic, form-encoded id and secret) and reuses the token', async () => {
    const {server, auth} = await oauthServer()
    const api = client({...auth, scope: 'ss12000.read'})
    const answers = await Promise.all([api.getJson('persons'), api.getJson('groups'), api.getJson('duties')])
    expect(answers.map(seenToken)).toEqual(['tok-1', 'tok-1', 'tok-1'])
    const tokenRequests = server.to('/token')
    expect(tokenRequests).toHaveLength(1)
    const [request] = tokenRequests
    expect(request!.method).toBe('POST')
    expect(request!.headers['content-type']).toBe('application/x-www-form-urlencoded')
    expect(form(request!)).toEqual({grant_type: 'client_credentials', scope: 'ss12000.read'})
    const basic = Buffer.from((request!.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString()
    expect(basic).toBe('toolkit+client:client-secret-s3cr3t%2F%2B%3D%26')
  })

  it('sends id and secret in the form with client_secret_post', async () => {
    const {server, auth} = await oauthServer()
    await client({...auth, tokenEndpointAuthMethod: 'client_secret_post'}).getJson('persons')
    const [request] = server.to('/token')
    expect(request!.headers.authorization).toBeUndefined()
    expect(form(request!)).toEqual({grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: SECRET})
  })

  it('fetches a new token shortly before expires_in runs out', async () => {
    const {server, auth} = await oauthServer({expiresIn: 600})
    let now = Date.parse('2026-11-27T10:00:00Z')
    const api = client(auth, {now: () => now})
    expect(seenToken(await api.getJson('persons'))).toBe('tok-1')
    now += 500_000 // 100 s left: more than the minute's margin
    expect(seenToken(await api.getJson('persons'))).toBe('tok-1')
    now += 50_000 // 50 s left: inside the margin
    expect(seenToken(await api.getJson('persons'))).toBe('tok-2')
    expect(server.to('/token')).toHaveLength(2)
  })

  it('refreshes a short-lived token after half its lifetime', async () => {
    const {server, auth} = await oauthServer({expiresIn: 2})
    let now = 1_000_000
    const api = client(auth, {now: () => now})
    await api.getJson('persons')
    now += 900
    await api.getJson('persons')
    now += 200
    expect(seenToken(await api.getJson('persons'))).toBe('tok-2')
    expect(server.to('/token')).toHaveLength(2)
  })

  it('on a 401 fetches a new token once and repeats the request once', async () => {
    // The server has revoked tok-1 before its expiry.
    const {server, auth} = await oauthServer({valid: (token) => token !== 'tok-1'})
    const api = client(auth)
    expect(seenToken(await api.getJson('persons'))).toBe('tok-2')
    expect(server.to('/token')).toHaveLength(2)
    expect(server.to('/v2.0/persons').map((request) => request.headers.authorization)).toEqual([
      'Bearer tok-1',
      'Bearer tok-2',
    ])
  })

  it('concurrent requests refused together share one refresh', async () => {
    const revoked = new Set<string>()
    const {server, auth} = await oauthServer({valid: (token) => !revoked.has(token)})
    const api = client(auth, {concurrency: 4})
    expect(seenToken(await api.getJson('persons'))).toBe('tok-1')
    revoked.add('tok-1')
    const answers = await Promise.all([api.getJson('persons'), api.getJson('groups'), api.getJson('duties')])
    expect(answers.map(seenToken)).toEqual(['tok-2', 'tok-2', 'tok-2'])
    expect(server.to('/token')).toHaveLength(2)
  })

  it('a second 401 after the refresh is a RemoteError', async () => {
    const {server, auth} = await oauthServer({valid: () => false})
    const error = await client(auth)
      .getJson('persons')
      .catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(RemoteRequestError)
    expect((error as RemoteRequestError).status).toBe(401)
    expect(server.to('/token')).toHaveLength(2)
    expect(server.to('/v2.0/persons')).toHaveLength(2)
  })

  it('a token endpoint that refuses the client is a RemoteError that never shows the secret', async () => {
    const {auth} = await oauthServer({
      token: (request, response) =>
        sendJson(response, 401, {
          error: 'invalid_client',
          error_description: `bad credentials ${request.headers.authorization ?? ''} ${SECRET}`,
        }),
    })
    const error = await client(auth)
      .getJson('persons')
      .catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(RemoteRequestError)
    const message = (error as Error).message
    expect(message).toMatch(
      /^POST http:\/\/127\.0\.0\.1:\d+\/token answered 401 Unauthorized — invalid_client: bad credentials Basic \[redacted\] \[redacted\]\.$/,
    )
    expect(message).not.toContain(SECRET)
    expect((error as RemoteRequestError).actions.join(' ')).toMatch(/client_secret_post/)
  })

  it('retries a token endpoint that fails for a while', async () => {
    let count = 0
    const {server, auth} = await oauthServer({
      token: (_request, response) =>
        ++count < 3
          ? sendJson(response, 503, {message: 'busy'})
          : sendJson(response, 200, {access_token: 'late', expires_in: '3600'}),
    })
    expect(seenToken(await client(auth).getJson('persons'))).toBe('late')
    expect(server.to('/token')).toHaveLength(3)
  })

  it('a token answer without access_token is a RemoteError', async () => {
    const {auth} = await oauthServer({token: (_request, response) => sendJson(response, 200, {token_type: 'Bearer'})})
    await expect(client(auth).getJson('persons')).rejects.toThrow(/answered without an access_token/)
  })
})

describe('secrets never appear in errors', () => {
  it('not the bearer token echoed in a body, nor the OAuth2 access token', async () => {
    const echo: Handler = (request, response) =>
      sendJson(response, 400, {
        code: 'BadRequest',
        message: `you sent ${request.headers.authorization ?? ''} and ${(request.headers.authorization ?? '').slice(7)}`,
      })
    server = await startTestServer((request, response, raw) =>
      request.path === '/token'
        ? sendJson(response, 200, {access_token: 'oauth-access-token-123'})
        : echo(request, response, raw),
    )
    const messages: string[] = []
    for (const auth of [
      {kind: 'bearer' as const, token: 'bearer-token-456'},
      {kind: 'oauth2' as const, tokenUrl: `${server.origin}/token`, clientId: 'c', clientSecret: SECRET},
    ]) {
      const error = await client(auth)
        .getJson('persons')
        .catch((caught: unknown) => caught)
      expect(error).toBeInstanceOf(RemoteRequestError)
      messages.push((error as Error).message, ...(error as RemoteRequestError).actions)
    }
    const text = messages.join('\n')
    expect(text).toContain('you sent Bearer [redacted] and [redacted]')
    for (const secret of ['bearer-token-456', 'oauth-access-token-123', SECRET]) expect(text).not.toContain(secret)
  })
})

describe('resolveClientAuth', () => {
  const config = {remote: {tokenUrl: 'https://idp.example/token', clientId: 'from-config', scope: 'read'}}
  const oauthEnv = {SS12000_CLIENT_SECRET: 'sec'}

  it.each([
    {name: 'nothing given', env: {}, config: undefined, stdin: undefined, expected: undefined},
    {
      name: 'stdin first',
      env: {SS12000_TOKEN: 'env-token', ...oauthEnv},
      config,
      stdin: 'stdin-token\n',
      expected: {kind: 'bearer', token: 'stdin-token'},
    },
    {
      name: 'then SS12000_TOKEN',
      env: {SS12000_TOKEN: 'env-token', ...oauthEnv},
      config,
      stdin: undefined,
      expected: {kind: 'bearer', token: 'env-token'},
    },
    {
      name: 'then OAuth2 from the configuration and the secret from the environment',
      env: oauthEnv,
      config,
      stdin: undefined,
      expected: {
        kind: 'oauth2',
        tokenUrl: 'https://idp.example/token',
        clientId: 'from-config',
        clientSecret: 'sec',
        scope: 'read',
      },
    },
    {
      name: 'OAuth2 settings in the environment win over the file',
      env: {
        ...oauthEnv,
        SS12000_TOKEN_URL: 'https://other.example/token',
        SS12000_CLIENT_ID: 'from-env',
        SS12000_SCOPE: 'all',
      },
      config: {remote: {...config.remote, tokenEndpointAuthMethod: 'client_secret_post' as const}},
      stdin: undefined,
      expected: {
        kind: 'oauth2',
        tokenUrl: 'https://other.example/token',
        clientId: 'from-env',
        clientSecret: 'sec',
        scope: 'all',
        tokenEndpointAuthMethod: 'client_secret_post',
      },
    },
    {
      name: 'a blank SS12000_TOKEN counts as unset',
      env: {SS12000_TOKEN: ' '},
      config: {remote: {url: 'https://x'}},
      stdin: undefined,
      expected: undefined,
    },
  ])('$name', ({env, config, stdin, expected}) => {
    expect(resolveClientAuth(env, config, stdin)).toEqual(expected)
  })

  it('names what incomplete OAuth2 settings lack, and never shows the secret', () => {
    expect(() => resolveClientAuth({SS12000_CLIENT_SECRET: 'sec-value'}, {remote: {clientId: 'c'}})).toThrow(UsageError)
    expect(() => resolveClientAuth({SS12000_CLIENT_SECRET: 'sec-value'}, {remote: {clientId: 'c'}})).toThrow(
      /^OAuth2 client credentials are incomplete: the token URL \(SS12000_TOKEN_URL or remote\.tokenUrl\) is missing\.$/,
    )
    expect(() => resolveClientAuth({}, config)).toThrow(/the client secret \(SS12000_CLIENT_SECRET\) is missing/)
  })

  it('refuses an empty stdin', () => {
    expect(() => resolveClientAuth({SS12000_TOKEN: 't'}, undefined, '\n')).toThrow(/--token-stdin read no token/)
  })
})

import type {Config, RemoteConfig} from '../config/config.js'
import {RemoteError, UsageError} from '../errors.js'
import {isRecord} from '../util.js'
import type {Deviations} from './deviations.js'
import type {Secrets, Transport} from './http.js'

/** A bearer token given as it is (SS 12000's `BearerAuth`). */
export interface BearerAuth {
  kind: 'bearer'
  token: string
}

/** OAuth2 client credentials (RFC 6749 §4.4): the client fetches bearer tokens itself and refreshes them. */
export interface OAuth2Auth {
  kind: 'oauth2'
  tokenUrl: string
  clientId: string
  clientSecret: string
  scope?: string
  /** How the id and secret reach the token endpoint: HTTP Basic (the default) or in the form body. */
  tokenEndpointAuthMethod?: 'client_secret_basic' | 'client_secret_post'
}

export type ClientAuth = BearerAuth | OAuth2Auth

/** The environment variables `resolveClientAuth` reads. Secrets come only from here (or stdin), never the file. */
export const AUTH_ENV = {
  token: 'SS12000_TOKEN',
  tokenUrl: 'SS12000_TOKEN_URL',
  clientId: 'SS12000_CLIENT_ID',
  clientSecret: 'SS12000_CLIENT_SECRET',
  scope: 'SS12000_SCOPE',
} as const

/**
 * The credentials to use, first found wins: a token read from stdin (`--token-stdin`), SS12000_TOKEN, then OAuth2
 * client credentials — token URL and client id from SS12000_TOKEN_URL / SS12000_CLIENT_ID or the configuration's
 * `remote` section (the environment wins), the secret from SS12000_CLIENT_SECRET, the scope from SS12000_SCOPE or
 * `remote.scope`. Undefined when nothing is given (anonymous access, e.g. `serve` on loopback).
 * @throws UsageError for a blank stdin token, or OAuth2 settings with a part missing (named, never shown).
 */
export function resolveClientAuth(
  env: NodeJS.ProcessEnv,
  config: Pick<Config, 'remote'> | undefined,
  stdinToken?: string,
): ClientAuth | undefined {
  if (stdinToken !== undefined) {
    const token = stdinToken.trim()
    if (token === '') throw new UsageError('--token-stdin read no token: stdin was empty.')
    return {kind: 'bearer', token: checkedToken(token, 'The token read from stdin')}
  }
  const envToken = env[AUTH_ENV.token]?.trim()
  if (envToken !== undefined && envToken !== '') {
    return {kind: 'bearer', token: checkedToken(envToken, AUTH_ENV.token)}
  }
  const remote: RemoteConfig = config?.remote ?? {}
  const given = (name: string | undefined) => (name === undefined || name.trim() === '' ? undefined : name.trim())
  const tokenUrl = given(env[AUTH_ENV.tokenUrl]) ?? remote.tokenUrl
  const clientId = given(env[AUTH_ENV.clientId]) ?? remote.clientId
  const clientSecret = given(env[AUTH_ENV.clientSecret])
  if (tokenUrl === undefined && clientId === undefined && clientSecret === undefined) return undefined
  const missing = [
    tokenUrl === undefined ? `the token URL (${AUTH_ENV.tokenUrl} or remote.tokenUrl)` : undefined,
    clientId === undefined ? `the client id (${AUTH_ENV.clientId} or remote.clientId)` : undefined,
    clientSecret === undefined ? `the client secret (${AUTH_ENV.clientSecret})` : undefined,
  ].filter((part) => part !== undefined)
  if (tokenUrl === undefined || clientId === undefined || clientSecret === undefined) {
    throw new UsageError(`OAuth2 client credentials are incomplete: ${missing.join(', ')} is missing.`, {
      actions: [
        `Give all three, or a token in ${AUTH_ENV.token} or with --token-stdin. The secret is read only from the environment.`,
      ],
    })
  }
  const scope = given(env[AUTH_ENV.scope]) ?? remote.scope
  return {
    kind: 'oauth2',
    tokenUrl,
    clientId,
    clientSecret,
    ...(scope === undefined ? {} : {scope}),
    ...(remote.tokenEndpointAuthMethod === undefined ? {} : {tokenEndpointAuthMethod: remote.tokenEndpointAuthMethod}),
  }
}

// RFC 6750's b64token, loosened to any visible ASCII: what an Authorization header can carry.
const TOKEN_CHARACTERS = /^[\x21-\x7e]+$/

/**
 * The token, if it can go in an Authorization header. The message never shows it: a header error from fetch would.
 * @throws UsageError naming `what`.
 */
export function checkedToken(token: string, what: string): string {
  if (!isUsableToken(token)) {
    throw new UsageError(`${what} is not a usable bearer token: it holds spaces, line breaks or non-ASCII characters.`)
  }
  return token
}

function isUsableToken(token: string): boolean {
  return TOKEN_CHARACTERS.test(token)
}

/** Seconds before expiry to refresh at most; half the lifetime for short-lived tokens. */
const REFRESH_MARGIN_S = 60

/**
 * Bearer tokens from an OAuth2 token endpoint (client credentials grant), cached until shortly before `expires_in`
 * runs out (a minute, or half the lifetime if that is shorter); concurrent callers share one token request.
 */
export class OAuth2Tokens {
  private current: {token: string; refreshAt: number} | undefined
  private pending: Promise<string> | undefined

  constructor(
    private readonly auth: OAuth2Auth,
    private readonly tokenUrl: URL,
    private readonly transport: Transport,
    private readonly secrets: Secrets,
    private readonly deviations: Deviations,
    private readonly now: () => number,
  ) {
    secrets.add(auth.clientSecret)
    secrets.add(basicCredentials(auth))
  }

  /** A token that is not about to expire: the cached one, or a fresh one. */
  async token(): Promise<string> {
    if (this.current !== undefined && this.now() < this.current.refreshAt) return this.current.token
    this.pending ??= this.request().finally(() => {
      this.pending = undefined
    })
    return this.pending
  }

  /** Forgets `token` after a server refused it, unless a newer one has already replaced it. */
  invalidate(token: string): void {
    if (this.current?.token === token) this.current = undefined
  }

  private async request(): Promise<string> {
    const form = new URLSearchParams({grant_type: 'client_credentials'})
    if (this.auth.scope !== undefined) form.set('scope', this.auth.scope)
    const headers: Record<string, string> = {'content-type': 'application/x-www-form-urlencoded'}
    if (this.auth.tokenEndpointAuthMethod === 'client_secret_post') {
      form.set('client_id', this.auth.clientId)
      form.set('client_secret', this.auth.clientSecret)
    } else {
      headers.authorization = `Basic ${basicCredentials(this.auth)}`
    }
    const requestedAt = this.now()
    const answer = await this.transport.exchange(
      {method: 'POST', url: this.tokenUrl, headers, body: form.toString()},
      {
        actionsFor: (status) =>
          status === 400 || status === 401
            ? [
                `Check the client id (${AUTH_ENV.clientId} or remote.clientId), ${AUTH_ENV.clientSecret} and the scope; ` +
                  'if the endpoint wants the credentials in the form body, set remote.tokenEndpointAuthMethod: client_secret_post.',
              ]
            : undefined,
      },
    )
    const body = answer.json
    const token = isRecord(body) ? body.access_token : undefined
    if (typeof token !== 'string' || token === '') {
      throw new RemoteError(`The token endpoint ${this.tokenUrl.origin} answered without an access_token.`)
    }
    this.secrets.add(token)
    if (!isUsableToken(token)) {
      throw new RemoteError(
        `The token endpoint ${this.tokenUrl.origin} gave an access_token that cannot go in a header (spaces, line breaks or non-ASCII).`,
      )
    }
    const type = isRecord(body) ? body.token_type : undefined
    if (typeof type === 'string' && type.toLowerCase() !== 'bearer') {
      this.deviations.report('token-type', () => {
        return `The token endpoint ${this.tokenUrl.origin} gives token_type "${type}"; sent it as a bearer token all the same.`
      })
    }
    const expiresIn = isRecord(body) ? Number(body.expires_in) : Number.NaN
    const lifetimeS = Number.isFinite(expiresIn) && expiresIn >= 0 ? expiresIn : undefined
    // Without expires_in the token is kept until a server refuses it.
    const refreshAt =
      lifetimeS === undefined
        ? Number.POSITIVE_INFINITY
        : requestedAt + (lifetimeS - Math.min(REFRESH_MARGIN_S, lifetimeS / 2)) * 1000
    this.current = {token, refreshAt}
    return token
  }
}

/** RFC 6749 §2.3.1: id and secret each form-urlencoded, then `id:secret` in base64. */
function basicCredentials(auth: OAuth2Auth): string {
  const encode = (value: string) => new URLSearchParams([['', value]]).toString().slice(1)
  return Buffer.from(`${encode(auth.clientId)}:${encode(auth.clientSecret)}`).toString('base64')
}

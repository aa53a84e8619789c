import {isIP} from 'node:net'

import {UsageError} from '../errors.js'

/** Query parameters: a repeated key for an array (the standard's form/explode style); undefined values are left out. */
export type Query = Record<string, string | string[] | undefined>

/** True for hosts that never leave this machine: localhost, 127.0.0.0/8 and ::1. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase()
  if (host === 'localhost' || host.endsWith('.localhost')) return true
  if (isIP(host) === 4) return host.startsWith('127.')
  if (isIP(host) === 6) return host === '::1' || host === '0:0:0:0:0:0:0:1'
  return false
}

/**
 * Parses a URL the client is to send requests (and credentials) to. Plain http is allowed only on loopback, or with
 * `insecureHttp`; user names and passwords in the URL are refused, since URLs end up in messages and logs.
 * @param what names the URL in messages ('The API URL', 'The token URL').
 * @throws UsageError when the URL cannot be used as given.
 */
export function checkRemoteUrl(text: string, what: string, insecureHttp: boolean): URL {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new UsageError(`${what} ${JSON.stringify(text)} is not a URL.`, {
      actions: ['Give a full URL such as https://skolsystem.example.se/v2.0.'],
    })
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new UsageError(`${what} must be http(s), not ${url.protocol.replace(/:$/, '')}.`)
  }
  if (url.username !== '' || url.password !== '') {
    throw new UsageError(`${what} carries a user name or password; credentials do not belong in a URL.`, {
      actions: ['Give a token in SS12000_TOKEN (or on stdin), or OAuth2 client credentials.'],
    })
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname) && !insecureHttp) {
    throw new UsageError(`${what} ${displayUrl(url)} uses plain http to a host other than this machine.`, {
      actions: [
        'Use https, which keeps the token and the personal data private on the way.',
        'If the network is trusted and there is no other way, opt in with --insecure-http (insecureHttp).',
      ],
    })
  }
  url.hash = ''
  return url
}

/** A request URL: the base's path, then `path`, then the query (arrays repeat the key). */
export function resolveUrl(base: URL, path: string, query: Query = {}): URL {
  const url = new URL(base.href)
  url.search = ''
  url.pathname = `${base.pathname.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue
    for (const item of Array.isArray(value) ? value : [value]) url.searchParams.append(key, item)
  }
  return url
}

const SECRET_PARAMETER = /secret|password|passwd|token|api[-_]?key|^key$|signature|^sig$|^code$|credential|assertion/i
const PAGE_TOKEN_SHOWN = 24

/**
 * A URL as messages show it: no user info, secret-looking query values replaced, and a long pageToken shortened
 * (it is opaque, and Skolverket's holds a whole cursor).
 */
export function displayUrl(url: URL): string {
  const shown = new URL(url.href)
  shown.username = ''
  shown.password = ''
  const entries = [...shown.searchParams.entries()].map(([key, value]): [string, string] => {
    if (key === 'pageToken') {
      return [key, value.length > PAGE_TOKEN_SHOWN ? `${value.slice(0, PAGE_TOKEN_SHOWN)}…` : value]
    }
    return [key, SECRET_PARAMETER.test(key) ? 'redacted' : value]
  })
  shown.search = ''
  for (const [key, value] of entries) shown.searchParams.append(key, value)
  // ':', '/', ',' and '@' may stand unescaped in a query (RFC 3986 §3.4), and times read better with their colons.
  const href = shown.href.replace(/%3A/gi, ':').replace(/%2F/gi, '/').replace(/%2C/gi, ',').replace(/%40/gi, '@')
  try {
    return decodeURI(href)
  } catch {
    return href
  }
}

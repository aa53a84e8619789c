import {describe, expect, it} from 'vitest'

import {UsageError} from '../../../src/errors.js'
import {Ss12000Client} from '../../../src/remote/client.js'
import {checkRemoteUrl, displayUrl, isLoopbackHost, resolveUrl} from '../../../src/remote/url.js'

describe('https is required off loopback', () => {
  it('refuses plain http to another host, saying how to opt in', () => {
    const create = () => new Ss12000Client({baseUrl: 'http://skola.example.se/v2.0'})
    expect(create).toThrow(UsageError)
    expect(create).toThrow(
      'The API URL http://skola.example.se/v2.0 uses plain http to a host other than this machine.',
    )
    try {
      create()
    } catch (error) {
      expect((error as UsageError).actions.join(' ')).toMatch(/--insecure-http/)
    }
  })

  it('allows it with insecureHttp', () => {
    expect(() => new Ss12000Client({baseUrl: 'http://skola.example.se/v2.0', insecureHttp: true})).not.toThrow()
  })

  it('refuses a plain-http token URL off loopback, which would carry the client secret', () => {
    const auth = {kind: 'oauth2' as const, tokenUrl: 'http://idp.example/token', clientId: 'c', clientSecret: 's'}
    expect(() => new Ss12000Client({baseUrl: 'https://skola.example.se/v2.0', auth})).toThrow(
      /^The token URL http:\/\/idp\.example\/token uses plain http/,
    )
  })

  it.each([
    'http://127.0.0.1:8888/v2.0',
    'http://127.10.0.3/v2.0',
    'http://localhost:8888/',
    'http://[::1]:8888/v2.0',
    'https://skola.example.se/v2.0',
  ])('allows %s', (url) => {
    expect(() => new Ss12000Client({baseUrl: url})).not.toThrow()
  })

  it.each([
    {url: 'ftp://host/x', message: /must be http\(s\), not ftp/},
    {url: 'skola.example.se/v2.0', message: /is not a URL/},
    {url: 'https://user:pw@skola.example.se/v2.0', message: /carries a user name or password/},
  ])('refuses $url', ({url, message}) => {
    expect(() => checkRemoteUrl(url, 'The API URL', false)).toThrow(message)
  })

  it.each([
    ['localhost', true],
    ['api.localhost', true],
    ['127.0.0.1', true],
    ['127.255.0.9', true],
    ['[::1]', true],
    ['128.0.0.1', false],
    ['127.example.com', false],
    ['::ffff:10.0.0.1', false],
    ['example.se', false],
  ])('isLoopbackHost(%s) is %s', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected)
  })
})

describe('resolveUrl', () => {
  it('joins base and path whatever the slashes, and repeats array parameters', () => {
    const url = resolveUrl(new URL('https://h/v2.0/'), '/persons', {
      expand: ['duties', 'placements'],
      limit: '5',
      civicNo: undefined,
    })
    expect(url.href).toBe('https://h/v2.0/persons?expand=duties&expand=placements&limit=5')
    expect(resolveUrl(new URL('https://h/v2.0'), 'persons').href).toBe('https://h/v2.0/persons')
  })
})

describe('displayUrl', () => {
  it('keeps times readable', () => {
    const url = resolveUrl(new URL('https://h/v2.0'), 'persons', {'meta.modified.after': '2026-11-27T10:00:00+01:00'})
    expect(displayUrl(url)).toBe('https://h/v2.0/persons?meta.modified.after=2026-11-27T10:00:00%2B01:00')
  })

  it('hides secret-looking parameters and shortens a long pageToken', () => {
    const url = new URL('https://h/v2.0/persons?client_secret=s&access_token=t&apiKey=k&limit=5')
    url.searchParams.set('pageToken', 'eyJjdXJzb3IiOiAiMjAyNi0xMS0yN1QxMDowMDowMFoifQ==')
    expect(displayUrl(url)).toBe(
      'https://h/v2.0/persons?client_secret=redacted&access_token=redacted&apiKey=redacted&limit=5&pageToken=eyJjdXJzb3IiOiAiMjAyNi0x…',
    )
  })
})

import {describe, expect, it} from 'vitest'

import {parseRetryAfter, retryDelay} from '../../../src/remote/backoff.js'
import {excerpt, readServerMessage} from '../../../src/remote/server-message.js'

describe('readServerMessage', () => {
  it.each([
    {
      name: 'the standard',
      body: '{"code":"BadRequest","message":"No."}',
      expected: {code: 'BadRequest', message: 'No.', shape: 'standard'},
    },
    {
      name: "Skolverket's message first",
      body: '{"message":"No.","code":400}',
      expected: {code: '400', message: 'No.', shape: 'standard'},
    },
    {
      name: "Skolverket's nested",
      body: '{"error":{"code":404,"message":"Gone."}}',
      expected: {code: '404', message: 'Gone.', shape: 'nested'},
    },
    {
      name: "Skolverket's errors",
      body: '{"errors":["a",{"message":"b","path":"/x"}]}',
      expected: {message: 'a; /x: b', shape: 'errors'},
    },
    {
      name: 'FastAPI string',
      body: '{"detail":"Not authenticated"}',
      expected: {message: 'Not authenticated', shape: 'fastapi'},
    },
    {
      name: 'FastAPI list',
      body: '{"detail":[{"loc":["query","limit"],"msg":"too small"},{"loc":["body"],"msg":"missing"}]}',
      expected: {message: 'query.limit: too small; body: missing', shape: 'fastapi'},
    },
    {
      name: 'OAuth2',
      body: '{"error":"invalid_client","error_description":"Unknown client"}',
      expected: {code: 'invalid_client', message: 'Unknown client', shape: 'oauth2'},
    },
    {
      name: 'OAuth2 without description',
      body: '{"error":"invalid_scope"}',
      expected: {code: 'invalid_scope', message: 'invalid_scope', shape: 'oauth2'},
    },
    {
      name: 'HTML',
      body: '<html>\n  <h1>502</h1>\n</html>',
      expected: {message: '<html> <h1>502</h1> </html>', shape: 'text'},
    },
    {name: 'other JSON', body: '{"status":"down"}', expected: {message: '{"status":"down"}', shape: 'text'}},
  ])('$name', ({body, expected}) => {
    expect(readServerMessage(body)).toEqual(expected)
  })

  it('is undefined for an empty body, and cuts long ones to ~300 characters', () => {
    expect(readServerMessage('  ')).toBeUndefined()
    expect(readServerMessage('x'.repeat(1000))!.message).toBe(`${'x'.repeat(300)}…`)
    expect(excerpt('a  b\n c')).toBe('a b c')
  })
})

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-27T10:00:00Z')
  it.each([
    {value: '0', expected: 0},
    {value: ' 12 ', expected: 12_000},
    {value: 'Fri, 27 Nov 2026 10:01:00 GMT', expected: 60_000},
    {value: 'Fri, 27 Nov 2026 09:00:00 GMT', expected: 0},
    {value: 'soon', expected: undefined},
    {value: '-5', expected: undefined},
    {value: null, expected: undefined},
  ])('$value → $expected', ({value, expected}) => {
    expect(parseRetryAfter(value, now)).toBe(expected)
  })
})

describe('retryDelay', () => {
  const policy = {attempts: 5, baseDelayMs: 100, maxDelayMs: 1000}
  it('is full jitter under a doubling ceiling, capped', () => {
    expect([1, 2, 3, 4, 5].map((attempt) => retryDelay(policy, attempt, undefined, () => 0.999))).toEqual([
      99, 199, 399, 799, 999,
    ])
    expect(retryDelay(policy, 3, undefined, () => 0)).toBe(0)
  })

  it("takes the server's Retry-After, capped by maxDelayMs", () => {
    expect(retryDelay(policy, 1, 250)).toBe(250)
    expect(retryDelay(policy, 1, 60_000)).toBe(1000)
  })
})

import {describe, expect, it} from 'vitest'

import {canonicalHash, canonicalJson} from '../../../src/staging/canonical.js'

describe('canonicalJson', () => {
  it('sorts keys at every depth and leaves meta out of the record', () => {
    const record = {meta: {created: 'x'}, id: 'a', civicNo: {value: '1', nationality: 'SE'}, givenName: 'Alva'}
    expect(canonicalJson(record)).toBe('{"civicNo":{"nationality":"SE","value":"1"},"givenName":"Alva","id":"a"}')
  })

  it('keeps a nested field called meta: only the record-level bookkeeping goes', () => {
    expect(canonicalJson({id: 'a', x: {meta: 1}})).toBe('{"id":"a","x":{"meta":1}}')
  })

  it('gives the same text whatever order a set-like array is in', () => {
    const one = {id: 'g', groupMemberships: [{person: {id: 'p1'}}, {person: {id: 'p2'}, startDate: '2024-08-19'}]}
    const two = {id: 'g', groupMemberships: [{startDate: '2024-08-19', person: {id: 'p2'}}, {person: {id: 'p1'}}]}
    expect(canonicalJson(one)).toBe(canonicalJson(two))
    expect(canonicalHash(canonicalJson(one))).toBe(canonicalHash(canonicalJson(two)))
  })

  it('tells different records apart', () => {
    expect(canonicalJson({id: 'a', sex: 'Man'})).not.toBe(canonicalJson({id: 'a', sex: 'Kvinna'}))
    expect(canonicalJson({id: 'a', schoolTypes: ['GR']})).not.toBe(canonicalJson({id: 'a', schoolTypes: ['GR', 'GR']}))
  })

  it('leaves out undefined fields as JSON does, and writes strings as JSON does', () => {
    expect(canonicalJson({id: 'a', b: undefined, c: 'å"\n'})).toBe(JSON.stringify({c: 'å"\n', id: 'a'}))
  })

  it('hashes as sha256 hex', () => {
    expect(canonicalHash('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')
  })
})

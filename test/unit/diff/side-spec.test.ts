import {describe, expect, it} from 'vitest'

import {comparableForm, comparableHash, comparableRecord, parseIgnorePaths} from '../../../src/diff/comparable.js'
import {canonicalHash, canonicalJson} from '../../../src/staging/canonical.js'
import {formatSideSpec, parseSideSpec} from '../../../src/diff/side-spec.js'
import {UsageError} from '../../../src/errors.js'

describe('parseSideSpec', () => {
  it.each([
    {input: 'staged', expected: {kind: 'staged'}},
    {input: 'staged:se-generic', expected: {kind: 'staged', scope: 'se-generic'}},
    {input: 'batch:12', expected: {kind: 'batch', batch: 12}},
    {input: 'snapshot:skolverket', expected: {kind: 'snapshot', scope: 'skolverket'}},
    {input: 'snapshot:https://api.example/v2', expected: {kind: 'snapshot', scope: 'https://api.example/v2'}},
    {input: 'snapshot:7', expected: {kind: 'snapshot-batch', batch: 7}},
    {input: 'out/', expected: {kind: 'path', path: 'out/'}},
    {input: './staged', expected: {kind: 'path', path: './staged'}},
    {input: 'persons.json', expected: {kind: 'path', path: 'persons.json'}},
    {input: 'C:\\export\\persons.json', expected: {kind: 'path', path: 'C:\\export\\persons.json'}},
    {input: 'https://api.example/ss12000/v2', expected: {kind: 'url', url: 'https://api.example/ss12000/v2'}},
    {input: 'HTTP://127.0.0.1:8080', expected: {kind: 'url', url: 'HTTP://127.0.0.1:8080'}},
  ])('reads $input', ({input, expected}) => {
    expect(parseSideSpec(input)).toEqual(expected)
    expect(formatSideSpec(parseSideSpec(input))).toBe(input)
  })

  it.each(['batch:', 'batch:x', 'batch:0', 'batch:-1', 'staged:', 'snapshot:'])('refuses %j', (input) => {
    expect(() => parseSideSpec(input)).toThrow(UsageError)
  })
})

describe('parseIgnorePaths', () => {
  it('reads dotted paths, with an entity type in front when it limits them', () => {
    expect(parseIgnorePaths(['emails', 'enrolments.schoolYear', 'Person.civicNo.value'])).toEqual([
      {segments: ['emails']},
      {segments: ['enrolments', 'schoolYear']},
      {entity: 'Person', segments: ['civicNo', 'value']},
    ])
  })

  it.each(['', 'a..b', '.emails', 'Group'])('refuses %j', (input) => {
    expect(() => parseIgnorePaths([input])).toThrow(UsageError)
  })
})

describe('comparableRecord', () => {
  it('leaves out meta, _embedded, reference names, ignored paths, nulls and empty lists', () => {
    const group = {
      id: 'g',
      meta: {created: 'x'},
      _embedded: {assignmentRoles: []},
      displayName: '7A',
      organisation: {id: 'o', displayName: 'Skolan'},
      groupMemberships: [
        {person: {id: 'p1', displayName: 'Alva Ek', securityMarking: 'Ingen'}, startDate: '2026-08-17', endDate: null},
        {person: {id: 'p2'}},
      ],
      endDate: null,
      schoolType: undefined,
      extra: [],
      nested: {empty: {}},
    }
    const ignore = parseIgnorePaths(['groupMemberships.startDate', 'Person.displayName'])
    expect(comparableRecord('Group', group, {ignore})).toEqual({
      id: 'g',
      displayName: '7A',
      organisation: {id: 'o'},
      groupMemberships: [{person: {id: 'p1'}}, {person: {id: 'p2'}}],
    })
  })

  it('reads references to the matched type through the translation, and drops its id', () => {
    const person = {id: 'r1', givenName: 'A', responsibles: [{person: {id: 'r2'}, relationType: 'Förälder'}]}
    const translation = {target: 'Person' as const, ids: new Map([['r2', 'l2']])}
    expect(comparableRecord('Person', person, {ignore: [], keyedEntity: 'Person'}, translation)).toEqual({
      givenName: 'A',
      responsibles: [{person: {id: 'l2'}, relationType: 'Förälder'}],
    })
  })

  it('says when it changed nothing: then the hash is the one staging stored', () => {
    const stored = canonicalJson({
      id: 'g',
      displayName: '7A',
      organisation: {id: 'o'},
      groupMemberships: [{person: {id: 'p'}}],
    })
    const same = comparableForm('Group', JSON.parse(stored), {ignore: []})
    expect(same.changed).toBe(false)
    expect(comparableHash(same.value)).toBe(canonicalHash(stored))
    for (const changed of [
      {id: 'g', meta: {created: 'x'}},
      {id: 'g', organisation: {id: 'o', displayName: 'Skolan'}},
      {id: 'g', endDate: null},
      {id: 'g', groupMemberships: []},
      {id: 'g', groupMemberships: [{person: {id: 'p'}, endDate: null}]},
    ]) {
      expect(comparableForm('Group', changed, {ignore: []}).changed).toBe(true)
    }
    expect(
      comparableForm('Group', {id: 'g', displayName: 'x'}, {ignore: parseIgnorePaths(['displayName'])}).changed,
    ).toBe(true)
    expect(comparableForm('Group', {id: 'g'}, {ignore: parseIgnorePaths(['displayName'])}).changed).toBe(false)
    expect(comparableForm('Person', {id: 'p'}, {ignore: [], keyedEntity: 'Person'}).changed).toBe(true)
  })
})

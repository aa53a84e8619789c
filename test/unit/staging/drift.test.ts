import {describe, expect, it} from 'vitest'

import {compareInputs, type InputRead} from '../../../src/staging/drift.js'

const students = (overrides: Partial<InputRead> = {}): InputRead => ({
  input: 'students',
  headers: ['Personnummer', 'Förnamn', 'Kön', 'Status'],
  columns: {civicNo: 'Personnummer', givenName: 'Förnamn', sex: 'Kön', className: null},
  domains: {sex: {values: ['K', 'M']}},
  ...overrides,
})

describe('compareInputs', () => {
  it('finds nothing when the inputs read the same', () => {
    expect(compareInputs([students()], [students()], 3)).toEqual([])
  })

  it('tells a column found under another header, a column gone, headers gone and new, and new codes', () => {
    const now = students({
      headers: ['Personnr', 'Förnamn', 'Avdelning'],
      columns: {civicNo: 'Personnr', givenName: 'Förnamn', sex: null, className: null},
      domains: {},
    })
    const warnings = compareInputs([students()], [now], 3)
    expect(warnings.map(({kind, column, before, after}) => ({kind, column, before, after}))).toEqual([
      {kind: 'column-renamed', column: 'civicNo', before: ['Personnummer'], after: ['Personnr']},
      {kind: 'column-missing', column: 'sex', before: ['Kön'], after: undefined},
      {kind: 'header-gone', column: undefined, before: ['Status'], after: undefined},
      {kind: 'header-new', column: undefined, before: undefined, after: ['Avdelning']},
    ])
    expect(warnings[1]?.message).toBe('students: column sex is missing; batch 3 found it under "Kön".')
    // A column the previous batch did not find either is no drift.
    expect(warnings.some((warning) => warning.column === 'className')).toBe(false)
  })

  it('names new values, at most ten, and counts the rest', () => {
    const values = ['K', 'M', ...Array.from({length: 12}, (_, index) => `X${String(index).padStart(2, '0')}`)]
    const [warning, ...rest] = compareInputs([students()], [students({domains: {sex: {values}}})], 7)
    expect(rest).toEqual([])
    expect(warning?.kind).toBe('new-values')
    expect(warning?.after).toHaveLength(12)
    expect(warning?.message).toContain('"X09" and 2 more')
  })

  it('tells an input no file was read for, and a new one', () => {
    const staff: InputRead = {input: 'staff', headers: ['Signatur'], columns: {signature: 'Signatur'}, domains: {}}
    const kinds = compareInputs([students()], [staff], 2).map((warning) => `${warning.kind} ${warning.input}`)
    expect(kinds).toEqual(['input-missing students', 'input-new staff'])
  })

  it('takes the files of one input together', () => {
    const part1 = students({headers: ['Personnummer', 'Förnamn', 'Kön'], domains: {sex: {values: ['K']}}})
    const part2 = students({headers: ['Personnummer', 'Förnamn', 'Kön', 'Status'], domains: {sex: {values: ['M']}}})
    expect(compareInputs([students()], [part1, part2], 1)).toEqual([])
  })
})

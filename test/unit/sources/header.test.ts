import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import {cellsOf, detectHeaderRow, normalizeCell, normalizeHeaders} from '../../../src/sources/header.js'

describe('normalizeCell', () => {
  it.each([
    {input: '  Alva ', expected: 'Alva'},
    {input: '\u00a0Ek\u00a0', expected: 'Ek'},
    {input: '\u202f7A\t', expected: '7A'},
    {input: '', expected: undefined},
    {input: ' \u00a0 ', expected: undefined},
    {input: 'a\u030a', expected: 'å'},
    {input: 'Åsa', expected: 'Åsa'},
  ])('$input → $expected', ({input, expected}) => {
    expect(normalizeCell(input)).toBe(expected)
  })
})

describe('normalizeHeaders', () => {
  it.each([
    {name: 'plain', input: ['Personnummer', 'Klass'], headers: ['Personnummer', 'Klass'], renames: []},
    {
      name: 'duplicates are numbered',
      input: ['Klass', 'Namn', 'Klass', 'Klass'],
      headers: ['Klass', 'Namn', 'Klass_2', 'Klass_3'],
      renames: [
        {column: 3, kind: 'duplicate', original: 'Klass', name: 'Klass_2'},
        {column: 4, kind: 'duplicate', original: 'Klass', name: 'Klass_3'},
      ],
    },
    {
      name: 'a numbered name that already exists is skipped',
      input: ['Klass', 'Klass_2', 'Klass'],
      headers: ['Klass', 'Klass_2', 'Klass_3'],
      renames: [{column: 3, kind: 'duplicate', original: 'Klass', name: 'Klass_3'}],
    },
    {
      name: 'empty headers get their column number',
      input: ['Namn', '', ' '],
      headers: ['Namn', 'Column_2', 'Column_3'],
      renames: [
        {column: 2, kind: 'empty', original: '', name: 'Column_2'},
        {column: 3, kind: 'empty', original: '', name: 'Column_3'},
      ],
    },
    {name: 'trimmed and NFC', input: [' Förnamn ', 'Skola\u00a0'], headers: ['Förnamn', 'Skola'], renames: []},
  ])('$name', ({input, headers, renames}) => {
    expect(normalizeHeaders(input)).toEqual({headers, renames})
  })

  it('always gives distinct names, one per column', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('', 'A', 'A_2', 'B', ' A ', 'Column_2'), {maxLength: 12}), (raw) => {
        const {headers} = normalizeHeaders(raw)
        expect(headers).toHaveLength(raw.length)
        expect(new Set(headers).size).toBe(headers.length)
      }),
    )
  })
})

describe('detectHeaderRow', () => {
  const data = [
    ['Personnummer', 'Förnamn', 'Efternamn', 'Klass'],
    ['201104071236', 'Alva', 'Ek', '7A'],
    ['201011304566', 'Elis', 'Björk', '7B'],
  ]
  it.each([
    {name: 'header on the first row', rows: data, expected: 0},
    {name: 'a title row above', rows: [['Elevlista Ekbackeskolan HT 2026'], ...data], expected: 1},
    {
      name: 'title, date and blank rows above',
      rows: [['Elevlista'], ['Utskriven', '2026-08-19'], [], ['', ''], ...data],
      expected: 4,
    },
    {name: 'a numeric row is not a header', rows: [['1', '2', '3', '4'], ...data], expected: 1},
    {name: 'one column', rows: [['Personnummer'], ['201104071236']], expected: 0},
    {name: 'all blank', rows: [[], [' ']], expected: -1},
  ])('$name', ({rows, expected}) => {
    expect(detectHeaderRow(rows)).toBe(expected)
  })
})

describe('cellsOf', () => {
  it('keys by header, drops empty cells, ignores extra values, tolerates __proto__', () => {
    const cells = cellsOf(['__proto__', 'Namn', 'Klass'], ['x', ' ', '7A', 'extra'])
    expect(Object.getPrototypeOf(cells)).toBeNull()
    expect(Object.entries(cells)).toEqual([
      ['__proto__', 'x'],
      ['Klass', '7A'],
    ])
  })
})

import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import {
  civilFromDays,
  daysFromCivil,
  firstSunday,
  isRealDate,
  lastSunday,
  parseIsoDate,
  referenceDateOf,
} from '../../../src/transforms/calendar.js'
import {type Case} from '../../support/cases.js'

describe('daysFromCivil / civilFromDays', () => {
  const cases: Case<[number, number, number], number>[] = [
    {name: 'epoch', input: [1970, 1, 1], expected: 0},
    {name: 'day before the epoch', input: [1969, 12, 31], expected: -1},
    {name: '2000-03-01', input: [2000, 3, 1], expected: 11_017},
    {name: 'Excel epoch 1899-12-30', input: [1899, 12, 30], expected: -25_569},
    {name: '0001-01-01', input: [1, 1, 1], expected: -719_162},
    {name: '9999-12-31', input: [9999, 12, 31], expected: 2_932_896},
  ]
  it.each(cases)('$name', ({input, expected}) => {
    expect(daysFromCivil(...input)).toBe(expected)
    expect(civilFromDays(expected)).toEqual({year: input[0], month: input[1], day: input[2]})
  })

  it('agrees with Date.UTC and round-trips', () => {
    fc.assert(
      fc.property(fc.integer({min: -719_162, max: 2_932_896}), (days) => {
        const date = civilFromDays(days)
        expect(isRealDate(date.year, date.month, date.day)).toBe(true)
        expect(daysFromCivil(date.year, date.month, date.day)).toBe(days)
        expect(new Date(days * 86_400_000).toISOString().slice(0, 10)).toBe(
          `${String(date.year).padStart(4, '0')}-${String(date.month).padStart(2, '0')}-${String(date.day).padStart(2, '0')}`,
        )
      }),
    )
  })
})

describe('Sundays', () => {
  const cases: Case<{year: number; month: number; which: 'first' | 'last'}, number>[] = [
    {name: 'last Sunday of March 2026', input: {year: 2026, month: 3, which: 'last'}, expected: 29},
    {name: 'last Sunday of October 2026', input: {year: 2026, month: 10, which: 'last'}, expected: 25},
    {name: 'last Sunday of March 2024 (the 31st)', input: {year: 2024, month: 3, which: 'last'}, expected: 31},
    {name: 'last Sunday of September 1990', input: {year: 1990, month: 9, which: 'last'}, expected: 30},
    {name: 'first Sunday of April 1980', input: {year: 1980, month: 4, which: 'first'}, expected: 6},
    {name: 'first Sunday of March 2026 (the 1st)', input: {year: 2026, month: 3, which: 'first'}, expected: 1},
  ]
  it.each(cases)('$name', ({input, expected}) => {
    const day = input.which === 'first' ? firstSunday(input.year, input.month) : lastSunday(input.year, input.month)
    expect(day).toBe(expected)
  })
})

describe('parseIsoDate / referenceDateOf', () => {
  const cases: Case<string, boolean>[] = [
    {name: 'a date', input: '2026-08-17', expected: true},
    {name: 'leap day', input: '2024-02-29', expected: true},
    {name: 'not a leap day', input: '2100-02-29', expected: false},
    {name: 'year 0', input: '0000-01-01', expected: false},
    {name: 'with a time', input: '2026-08-17T00:00', expected: false},
    {name: 'empty', input: '', expected: false},
  ]
  it.each(cases)('$name', ({input, expected}) => {
    expect(parseIsoDate(input) !== undefined).toBe(expected)
    if (expected) expect(referenceDateOf({referenceDate: input})).toEqual(parseIsoDate(input))
    else expect(() => referenceDateOf({referenceDate: input})).toThrow(RangeError)
  })
})

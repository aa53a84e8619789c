import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import {deriveBirthDate, deriveSex, normalizeCivicNumber} from '../../../src/transforms/civic-number.js'
import {makeCivicNumber} from '../../../src/validation/identity.js'
import {type Case, type Outcome, outcome} from '../../support/cases.js'

// All numbers are fictional, built with makeCivicNumber (valid Luhn digits) or taken from identity.test.ts.
// The Luhn digit covers YYMMDDNNN only, so the same 10 digits are valid in every century.

const ctx = {referenceDate: '2026-08-17'}
/** YYMMDD-NNNN (or with another separator) from a 12-digit number. */
const short = (civic: string, separator = '-') => `${civic.slice(2, 8)}${separator}${civic.slice(8)}`
const long = (civic: string, separator = '-') => `${civic.slice(0, 8)}${separator}${civic.slice(8)}`
const withBadCheckDigit = (civic: string) => civic.slice(0, -1) + ((Number(civic.slice(-1)) + 1) % 10)

const SPEC = '201002037271'
const TODAY = makeCivicNumber('2026-08-17', 123)
const TOMORROW_1926 = makeCivicNumber('1926-08-18', 123)
const SAMORDNING_TODAY = makeCivicNumber('2026-08-17', 456, {samordningsnummer: true})
const SAMORDNING_1926 = makeCivicNumber('1926-08-18', 456, {samordningsnummer: true})
const BORN_2001 = makeCivicNumber('2001-01-01', 123)
const BORN_2000_OCT = makeCivicNumber('2000-10-10', 55)
const BORN_2000_JAN = makeCivicNumber('2000-01-05', 8)

describe('normalizeCivicNumber: layouts', () => {
  const cases: Case<string | undefined, Outcome<{value: string; kind: string; birthDate: string} | undefined>>[] = [
    {
      name: 'YYYYMMDDNNNN',
      input: SPEC,
      expected: {value: {value: SPEC, kind: 'personnummer', birthDate: '2010-02-03'}},
    },
    {
      name: 'YYYYMMDD-NNNN',
      input: '20100203-7271',
      expected: {value: {value: SPEC, kind: 'personnummer', birthDate: '2010-02-03'}},
    },
    {
      name: 'YYYYMMDD+NNNN: the four-digit year wins over the separator',
      input: '20100203+7271',
      expected: {value: {value: SPEC, kind: 'personnummer', birthDate: '2010-02-03'}},
    },
    {
      name: 'YYMMDD-NNNN',
      input: '100203-7271',
      expected: {value: {value: SPEC, kind: 'personnummer', birthDate: '2010-02-03'}},
    },
    {
      name: 'YYMMDDNNNN',
      input: '1002037271',
      expected: {value: {value: SPEC, kind: 'personnummer', birthDate: '2010-02-03'}},
    },
    {
      name: 'YYMMDD+NNNN: 100 or older',
      input: '100203+7271',
      expected: {value: {value: '191002037271', kind: 'personnummer', birthDate: '1910-02-03'}},
    },
    {
      name: 'samordningsnummer keeps day + 60',
      input: '200112840129',
      expected: {value: {value: '200112840129', kind: 'samordningsnummer', birthDate: '2001-12-24'}},
    },
    {
      name: 'samordningsnummer, short layout',
      input: '011284-0129',
      expected: {value: {value: '200112840129', kind: 'samordningsnummer', birthDate: '2001-12-24'}},
    },
    {name: 'absent', input: undefined, expected: {value: undefined}},
    {name: 'blank', input: '  ', expected: {value: undefined}},
  ]
  it.each(cases)('$name', ({input, expected}) => {
    expect(outcome(normalizeCivicNumber(input, ctx))).toEqual(expected)
  })
})

describe('normalizeCivicNumber: century from the reference date 2026-08-17', () => {
  const cases: Case<string, Outcome<{value: string; birthDate: string}>>[] = [
    {
      name: 'born on the reference date: age 0',
      input: short(TODAY),
      expected: {value: {value: TODAY, birthDate: '2026-08-17'}},
    },
    {
      name: 'a day later is not yet born in 2026: 1926, age 99',
      input: short(TOMORROW_1926),
      expected: {value: {value: TOMORROW_1926, birthDate: '1926-08-18'}},
    },
    {
      name: 'no separator: like -',
      input: short(TOMORROW_1926, ''),
      expected: {value: {value: TOMORROW_1926, birthDate: '1926-08-18'}},
    },
    {
      name: '+ on the reference date: 1926, age 100',
      input: short(TODAY, '+'),
      expected: {value: {value: `19${TODAY.slice(2)}`, birthDate: '1926-08-17'}},
    },
    {
      name: '+ a day later: 1826, age 199',
      input: short(TOMORROW_1926, '+'),
      expected: {value: {value: `18${TOMORROW_1926.slice(2)}`, birthDate: '1826-08-18'}},
    },
    {
      name: 'samordningsnummer on the reference date: the day minus 60 decides',
      input: short(SAMORDNING_TODAY),
      expected: {value: {value: SAMORDNING_TODAY, birthDate: '2026-08-17'}},
    },
    {
      name: 'samordningsnummer a day later: 1926',
      input: short(SAMORDNING_1926),
      expected: {value: {value: SAMORDNING_1926, birthDate: '1926-08-18'}},
    },
    {
      name: 'samordningsnummer with +',
      input: short(SAMORDNING_1926, '+'),
      expected: {value: {value: `18${SAMORDNING_1926.slice(2)}`, birthDate: '1826-08-18'}},
    },
    {
      name: 'year 00: 2000',
      input: short(makeCivicNumber('2000-02-29', 1)),
      expected: {value: {value: makeCivicNumber('2000-02-29', 1), birthDate: '2000-02-29'}},
    },
    {
      name: 'year 99: 1999',
      input: short('199912311231'),
      expected: {value: {value: '199912311231', birthDate: '1999-12-31'}},
    },
    {
      name: 'end of the year after the reference date: 1926',
      input: short(makeCivicNumber('1926-12-31', 5)),
      expected: {value: {value: makeCivicNumber('1926-12-31', 5), birthDate: '1926-12-31'}},
    },
  ]
  it.each(cases)('$name', ({input, expected}) => {
    const result = outcome(normalizeCivicNumber(input, ctx))
    if ('value' in result && result.value !== undefined) {
      expect({value: {value: result.value.value, birthDate: result.value.birthDate}}).toEqual(expected)
    } else {
      expect(result).toEqual(expected)
    }
  })

  it('moves with the reference date', () => {
    const result = normalizeCivicNumber(short(TOMORROW_1926), {referenceDate: '2026-08-18'})
    expect(result.ok && result.value?.value).toBe(`20${TOMORROW_1926.slice(2)}`)
  })

  it('throws for a reference date that is not a date (a caller bug, not a cell problem)', () => {
    expect(() => normalizeCivicNumber('100203-7271', {referenceDate: '2026-02-30'})).toThrow(RangeError)
    expect(() => normalizeCivicNumber('100203-7271', {referenceDate: 'today'})).toThrow(RangeError)
  })
})

describe('normalizeCivicNumber: Excel lost the leading zeros', () => {
  const cases: Case<string, Outcome<string>>[] = [
    {
      name: '9 digits (born 2001)',
      input: BORN_2001.slice(3),
      expected: {value: BORN_2001, warning: 'transform.civic-no.leading-zeros'},
    },
    {
      name: '8 digits (born 2000-10)',
      input: BORN_2000_OCT.slice(4),
      expected: {value: BORN_2000_OCT, warning: 'transform.civic-no.leading-zeros'},
    },
    {
      name: '7 digits (born 2000-01)',
      input: BORN_2000_JAN.slice(5),
      expected: {value: BORN_2000_JAN, warning: 'transform.civic-no.leading-zeros'},
    },
    {name: '8 digits that are a date, not a number', input: '20130101', expected: {problem: 'transform.civic-no.date'}},
    {
      name: 'padded but wrong check digit',
      input: withBadCheckDigit(BORN_2001).slice(3),
      expected: {problem: 'transform.civic-no.checksum'},
    },
    {name: '11 digits: a typo, not lost zeros', input: SPEC.slice(1), expected: {problem: 'transform.civic-no.format'}},
    {name: '6 digits', input: '123456', expected: {problem: 'transform.civic-no.format'}},
  ]
  it.each(cases)('$name', ({input, expected}) => {
    const result = outcome(normalizeCivicNumber(input, ctx))
    expect('value' in result ? {...result, value: result.value?.value} : result).toEqual(expected)
  })
})

describe('normalizeCivicNumber: temporary numbers and problems', () => {
  const cases: Case<
    {value: string; allowTemporary?: boolean},
    Outcome<{value: string; kind: string; birthDate: string}>
  >[] = [
    {
      name: 'temporary, 12 characters',
      input: {value: '20130101TF01'},
      expected: {value: {value: '20130101TF01', kind: 'temporary', birthDate: '2013-01-01'}},
    },
    {
      name: 'temporary with a separator',
      input: {value: '20130101-TF01'},
      expected: {value: {value: '20130101TF01', kind: 'temporary', birthDate: '2013-01-01'}},
    },
    {
      name: 'temporary, short layout',
      input: {value: '130101-TF01'},
      expected: {value: {value: '20130101TF01', kind: 'temporary', birthDate: '2013-01-01'}},
    },
    {
      name: 'temporary in lower case: upper-cased with a warning',
      input: {value: '20130101tf01'},
      expected: {
        value: {value: '20130101TF01', kind: 'temporary', birthDate: '2013-01-01'},
        warning: 'transform.civic-no.lower-case',
      },
    },
    {
      name: 'temporary not allowed',
      input: {value: '20130101TF01', allowTemporary: false},
      expected: {problem: 'transform.civic-no.temporary'},
    },
    {
      name: 'temporary with a date that does not exist',
      input: {value: '20130230TF01'},
      expected: {problem: 'transform.civic-no.date'},
    },
    {name: 'Luhn failure', input: {value: withBadCheckDigit(SPEC)}, expected: {problem: 'transform.civic-no.checksum'}},
    {
      name: 'Luhn failure, short layout',
      input: {value: short(withBadCheckDigit(SPEC))},
      expected: {problem: 'transform.civic-no.checksum'},
    },
    {name: 'February 30', input: {value: '20100230-7271'}, expected: {problem: 'transform.civic-no.date'}},
    {name: 'month 13', input: {value: '20101303-7271'}, expected: {problem: 'transform.civic-no.date'}},
    {name: 'day 60 (neither kind)', input: {value: '20100160-7271'}, expected: {problem: 'transform.civic-no.date'}},
    {
      name: 'day 92 (samordning beyond 31)',
      input: {value: '100192-7271'},
      expected: {problem: 'transform.civic-no.date'},
    },
    {name: 'an ISO date', input: {value: '2010-02-03'}, expected: {problem: 'transform.civic-no.format'}},
    {name: 'two separators', input: {value: '20100203--7271'}, expected: {problem: 'transform.civic-no.format'}},
    {name: 'space as separator', input: {value: '20100203 7271'}, expected: {problem: 'transform.civic-no.format'}},
    {name: 'letters at the end', input: {value: '20100203727X'}, expected: {problem: 'transform.civic-no.format'}},
    {name: 'text', input: {value: 'saknas'}, expected: {problem: 'transform.civic-no.format'}},
  ]
  it.each(cases)('$name', ({input, expected}) => {
    const {value, ...options} = input
    expect(outcome(normalizeCivicNumber(value, ctx, options))).toEqual(expected)
  })
})

describe('deriveSex / deriveBirthDate', () => {
  const sexCases: Case<string | undefined, Outcome<string | undefined>>[] = [
    {name: 'odd second-to-last digit: Man', input: makeCivicNumber('1987-06-15', 123), expected: {value: 'Man'}},
    {name: 'even second-to-last digit: Kvinna', input: makeCivicNumber('1987-06-15', 124), expected: {value: 'Kvinna'}},
    {name: 'zero is even: Kvinna', input: makeCivicNumber('1987-06-15', 120), expected: {value: 'Kvinna'}},
    {
      name: 'samordningsnummer',
      input: makeCivicNumber('1987-06-15', 129, {samordningsnummer: true}),
      expected: {value: 'Man'},
    },
    {name: 'temporary: a problem', input: '20130101TF01', expected: {problem: 'transform.sex.temporary'}},
    {name: 'Luhn failure', input: withBadCheckDigit(SPEC), expected: {problem: 'transform.civic-no.checksum'}},
    {name: 'not normalised', input: '100203-7271', expected: {problem: 'transform.civic-no.format'}},
    {name: 'absent', input: undefined, expected: {value: undefined}},
  ]
  it.each(sexCases)('deriveSex: $name', ({input, expected}) => {
    expect(outcome(deriveSex(input))).toEqual(expected)
  })

  const birthCases: Case<string | undefined, Outcome<string | undefined>>[] = [
    {name: 'personnummer', input: SPEC, expected: {value: '2010-02-03'}},
    {name: 'samordningsnummer: day − 60', input: '200112840129', expected: {value: '2001-12-24'}},
    {name: 'temporary', input: '20130101TF01', expected: {value: '2013-01-01'}},
    {name: 'bad date', input: '20100230TF01', expected: {problem: 'transform.civic-no.date'}},
    {name: 'ten digits', input: '1002037271', expected: {problem: 'transform.civic-no.format'}},
    {name: 'blank', input: '', expected: {value: undefined}},
  ]
  it.each(birthCases)('deriveBirthDate: $name', ({input, expected}) => {
    expect(outcome(deriveBirthDate(input))).toEqual(expected)
  })
})

describe('properties', () => {
  const within99 = fc.date({
    min: new Date('1926-08-18T00:00:00Z'),
    max: new Date('2026-08-17T00:00:00Z'),
    noInvalidDate: true,
  })
  const civic = (date: fc.Arbitrary<Date>) =>
    fc
      .tuple(date, fc.integer({min: 0, max: 999}), fc.boolean())
      .map(([birth, serial, samordningsnummer]) =>
        makeCivicNumber(birth.toISOString().slice(0, 10), serial, {samordningsnummer}),
      )

  it('all four layouts of a number normalise back to the same 12 digits', () => {
    fc.assert(
      fc.property(civic(within99), (number) => {
        for (const layout of [number, long(number), short(number), short(number, '')]) {
          const result = normalizeCivicNumber(layout, ctx)
          expect(result.ok && result.value?.value).toBe(number)
        }
      }),
    )
  })

  it('YYMMDD+NNNN gives the number of someone 100 or older', () => {
    const older = fc.date({
      min: new Date('1826-08-18T00:00:00Z'),
      max: new Date('1926-08-17T00:00:00Z'),
      noInvalidDate: true,
    })
    fc.assert(
      fc.property(civic(older), (number) => {
        const result = normalizeCivicNumber(short(number, '+'), ctx)
        expect(result.ok && result.value?.value).toBe(number)
      }),
    )
  })

  it('the birth date and sex agree with the normalised number', () => {
    fc.assert(
      fc.property(civic(within99), (number) => {
        const result = normalizeCivicNumber(short(number), ctx)
        expect(result.ok).toBe(true)
        if (!result.ok || result.value === undefined) return
        expect(deriveBirthDate(result.value.value)).toEqual({ok: true, value: result.value.birthDate})
        expect(deriveSex(result.value.value)).toEqual({
          ok: true,
          value: Number(number.charAt(10)) % 2 === 1 ? 'Man' : 'Kvinna',
        })
      }),
    )
  })
})

import {describe, expect, it} from 'vitest'

import {
  parseBoolean,
  type ParseBooleanOptions,
  parseDecimal,
  parseInteger,
  parsePercent,
  type PercentScale,
  splitList,
  type SplitListOptions,
} from '../../../src/transforms/values.js'
import {type Case, type Outcome, outcome} from '../../support/cases.js'

describe('parseBoolean', () => {
  const defaults: Case<string | undefined, Outcome<boolean | undefined>>[] = [
    ...['Ja', 'JA', 'ja', 'J', 'j', '1', 'x', 'X', 'true', 'TRUE', 'Sant', 'Yes', 'YES'].map((input) => ({
      name: `true: ${input}`,
      input,
      expected: {value: true},
    })),
    ...['Nej', 'NEJ', 'N', 'n', '0', 'false', 'False', 'Falskt', 'No', 'no'].map((input) => ({
      name: `false: ${input}`,
      input,
      expected: {value: false},
    })),
    {name: 'absent stays absent', input: undefined, expected: {value: undefined}},
    {name: 'blank stays absent', input: '', expected: {value: undefined}},
    {name: 'unknown word', input: 'kanske', expected: {problem: 'transform.boolean.unknown'}},
    {name: '2', input: '2', expected: {problem: 'transform.boolean.unknown'}},
    {name: 'y is not in the default list', input: 'y', expected: {problem: 'transform.boolean.unknown'}},
  ]
  it.each(defaults)('default words, $name', ({input, expected}) => {
    expect(outcome(parseBoolean(input))).toEqual(expected)
  })

  const declared: Case<{value: string | undefined; options: ParseBooleanOptions}, Outcome<boolean | undefined>>[] = [
    {
      name: 'own true word',
      input: {value: 'Aktiv', options: {true: ['aktiv'], false: ['slutat']}},
      expected: {value: true},
    },
    {
      name: 'own false word',
      input: {value: 'SLUTAT', options: {true: ['aktiv'], false: ['slutat']}},
      expected: {value: false},
    },
    {
      name: 'own lists replace the defaults',
      input: {value: 'Ja', options: {true: ['aktiv'], false: ['slutat']}},
      expected: {problem: 'transform.boolean.unknown'},
    },
    {name: 'checkbox: empty is false', input: {value: undefined, options: {empty: false}}, expected: {value: false}},
    {name: 'checkbox: x is true', input: {value: 'x', options: {empty: false}}, expected: {value: true}},
    {
      name: 'a value in both lists is true',
      input: {value: 'x', options: {true: ['x'], false: ['x']}},
      expected: {value: true},
    },
  ]
  it.each(declared)('declared words, $name', ({input, expected}) => {
    expect(outcome(parseBoolean(input.value, input.options))).toEqual(expected)
  })

  it('names the accepted values in the problem', () => {
    expect(parseBoolean('kanske', {true: ['aktiv'], false: ['slutat']})).toEqual({
      ok: false,
      problem: {code: 'transform.boolean.unknown', params: {accepted: 'aktiv, slutat'}},
    })
  })
})

describe('parseInteger', () => {
  const cases: Case<{value: string | undefined; min?: number; max?: number}, Outcome<number | undefined>>[] = [
    {name: 'digits', input: {value: '42'}, expected: {value: 42}},
    {name: 'leading zeros', input: {value: '007'}, expected: {value: 7}},
    {name: 'minus', input: {value: '-7'}, expected: {value: -7}},
    {name: 'Unicode minus', input: {value: '\u22127'}, expected: {value: -7}},
    {name: 'plus', input: {value: '+7'}, expected: {value: 7}},
    {name: 'minus zero is zero', input: {value: '-0'}, expected: {value: 0}},
    {name: 'thousands with a space', input: {value: '1 234'}, expected: {value: 1234}},
    {name: 'thousands with no-break spaces', input: {value: '1\u00a0234\u00a0567'}, expected: {value: 1234567}},
    {name: 'thousands with a narrow no-break space', input: {value: '12\u202f345'}, expected: {value: 12345}},
    {name: 'wrong grouping', input: {value: '12 34'}, expected: {problem: 'transform.integer.invalid'}},
    {name: 'decimal comma', input: {value: '3,0'}, expected: {problem: 'transform.integer.invalid'}},
    {name: 'decimal point', input: {value: '3.5'}, expected: {problem: 'transform.integer.invalid'}},
    {name: 'comma thousands are not read', input: {value: '1,000'}, expected: {problem: 'transform.integer.invalid'}},
    {name: 'exponent', input: {value: '1e3'}, expected: {problem: 'transform.integer.invalid'}},
    {name: 'text', input: {value: 'tolv'}, expected: {problem: 'transform.integer.invalid'}},
    {name: 'beyond 2^53', input: {value: '9007199254740993'}, expected: {problem: 'transform.number.range'}},
    {name: 'min', input: {value: '0', min: 1}, expected: {problem: 'transform.number.range'}},
    {name: 'max', input: {value: '11', min: 0, max: 10}, expected: {problem: 'transform.number.range'}},
    {name: 'within the range', input: {value: '10', min: 0, max: 10}, expected: {value: 10}},
    {name: 'absent', input: {value: undefined}, expected: {value: undefined}},
  ]
  it.each(cases)('$name', ({input: {value, ...range}, expected}) => {
    expect(outcome(parseInteger(value, range))).toEqual(expected)
  })

  it('says the range in the problem', () => {
    expect(parseInteger('11', {min: 0, max: 10})).toEqual({
      ok: false,
      problem: {code: 'transform.number.range', params: {range: '0 to 10'}},
    })
    expect(parseInteger('-1', {min: 0})).toMatchObject({problem: {params: {range: 'at least 0'}}})
    expect(parseInteger('11', {max: 10})).toMatchObject({problem: {params: {range: 'at most 10'}}})
  })
})

describe('parseDecimal', () => {
  const cases: Case<{value: string | undefined; min?: number; max?: number}, Outcome<number | undefined>>[] = [
    {name: 'Swedish comma', input: {value: '3,5'}, expected: {value: 3.5}},
    {name: 'point', input: {value: '3.5'}, expected: {value: 3.5}},
    {name: 'no integer part', input: {value: ',5'}, expected: {value: 0.5}},
    {name: 'negative', input: {value: '-0,25'}, expected: {value: -0.25}},
    {name: 'Unicode minus', input: {value: '\u22120,25'}, expected: {value: -0.25}},
    {name: 'thousands and a comma', input: {value: '1 234,5'}, expected: {value: 1234.5}},
    {name: 'no-break thousands', input: {value: '1\u00a0234,5'}, expected: {value: 1234.5}},
    {name: 'integer', input: {value: '12'}, expected: {value: 12}},
    {name: 'a comma is always decimal', input: {value: '1,234'}, expected: {value: 1.234}},
    {name: 'both marks', input: {value: '1,234.5'}, expected: {problem: 'transform.decimal.invalid'}},
    {name: 'two points', input: {value: '1.234.567'}, expected: {problem: 'transform.decimal.invalid'}},
    {name: 'trailing mark', input: {value: '3,'}, expected: {problem: 'transform.decimal.invalid'}},
    {name: 'exponent', input: {value: '1e3'}, expected: {problem: 'transform.decimal.invalid'}},
    {name: 'Infinity', input: {value: 'Infinity'}, expected: {problem: 'transform.decimal.invalid'}},
    {name: 'text', input: {value: 'tre'}, expected: {problem: 'transform.decimal.invalid'}},
    {name: 'minus zero is zero', input: {value: '-0,0'}, expected: {value: 0}},
    {name: 'range', input: {value: '0,5', min: 1}, expected: {problem: 'transform.number.range'}},
    {name: 'absent', input: {value: undefined}, expected: {value: undefined}},
  ]
  it.each(cases)('$name', ({input: {value, ...range}, expected}) => {
    expect(outcome(parseDecimal(value, range))).toEqual(expected)
  })
})

describe('parsePercent', () => {
  const rounded = 'transform.percent.rounded'
  const cases: Case<{value: string | undefined; scale?: PercentScale}, Outcome<number | undefined>>[] = [
    {name: '50 %', input: {value: '50 %'}, expected: {value: 50}},
    {name: '50%', input: {value: '50%'}, expected: {value: 50}},
    {name: '50 with a no-break space', input: {value: '50\u00a0%'}, expected: {value: 50}},
    {name: 'auto: 50', input: {value: '50'}, expected: {value: 50}},
    {name: 'auto: 0.5 is a fraction', input: {value: '0.5'}, expected: {value: 50}},
    {name: 'auto: 0,5 is a fraction', input: {value: '0,5'}, expected: {value: 50}},
    {name: 'auto: 1 is 100 %', input: {value: '1'}, expected: {value: 100}},
    {name: 'auto: 1,5 is a percentage', input: {value: '1,5'}, expected: {value: 2, warning: rounded}},
    {name: 'auto: 0', input: {value: '0'}, expected: {value: 0}},
    {name: 'fraction: 0,5', input: {value: '0,5', scale: 'fraction'}, expected: {value: 50}},
    {name: 'fraction: 0.57 without binary noise', input: {value: '0.57', scale: 'fraction'}, expected: {value: 57}},
    {
      name: 'fraction: 0.575 rounds half up',
      input: {value: '0.575', scale: 'fraction'},
      expected: {value: 58, warning: rounded},
    },
    {name: 'fraction: 1', input: {value: '1', scale: 'fraction'}, expected: {value: 100}},
    {
      name: 'fraction: 1.5 is out of range',
      input: {value: '1.5', scale: 'fraction'},
      expected: {problem: 'transform.percent.range'},
    },
    {name: 'fraction: a % sign wins', input: {value: '50 %', scale: 'fraction'}, expected: {value: 50}},
    {name: 'percent: 1 is 1 %', input: {value: '1', scale: 'percent'}, expected: {value: 1}},
    {name: 'percent: 0,5 rounds up', input: {value: '0,5', scale: 'percent'}, expected: {value: 1, warning: rounded}},
    {
      name: 'percent: 37,5 rounds up',
      input: {value: '37,5', scale: 'percent'},
      expected: {value: 38, warning: rounded},
    },
    {name: 'Excel percent text', input: {value: '12.5%'}, expected: {value: 13, warning: rounded}},
    {name: '100 %', input: {value: '100 %'}, expected: {value: 100}},
    {name: '150', input: {value: '150'}, expected: {problem: 'transform.percent.range'}},
    {
      name: '100,4 % is out of range before rounding',
      input: {value: '100,4 %'},
      expected: {problem: 'transform.percent.range'},
    },
    {name: 'negative', input: {value: '-5 %'}, expected: {problem: 'transform.percent.range'}},
    {name: 'just %', input: {value: '%'}, expected: {problem: 'transform.percent.invalid'}},
    {name: 'text', input: {value: 'heltid'}, expected: {problem: 'transform.percent.invalid'}},
    {name: 'per mille', input: {value: '50 ‰'}, expected: {problem: 'transform.percent.invalid'}},
    {name: 'absent', input: {value: undefined}, expected: {value: undefined}},
  ]
  it.each(cases)('$name', ({input: {value, scale}, expected}) => {
    expect(outcome(parsePercent(value, scale === undefined ? {} : {scale}))).toEqual(expected)
  })
})

describe('splitList', () => {
  const cases: Case<{value: string | undefined; options?: SplitListOptions}, string[] | undefined>[] = [
    {name: 'commas and semicolons', input: {value: 'ek, lind; berg'}, expected: ['ek', 'lind', 'berg']},
    {name: 'empty items dropped', input: {value: 'ek,, ;lind'}, expected: ['ek', 'lind']},
    {name: 'one item', input: {value: 'ek'}, expected: ['ek']},
    {name: 'separators only', input: {value: ',;'}, expected: []},
    {name: 'duplicates kept by default', input: {value: 'ek,lind,ek'}, expected: ['ek', 'lind', 'ek']},
    {name: 'unique keeps the first', input: {value: 'ek,lind,ek', options: {unique: true}}, expected: ['ek', 'lind']},
    {name: 'own separator', input: {value: 'ek|lind, berg', options: {separator: '|'}}, expected: ['ek', 'lind, berg']},
    {
      name: 'separator is literal, not a pattern',
      input: {value: 'a.b.c', options: {separator: '.'}},
      expected: ['a', 'b', 'c'],
    },
    {
      name: 'multi-character separator',
      input: {value: 'a / b / c', options: {separator: ' / '}},
      expected: ['a', 'b', 'c'],
    },
    {name: 'absent', input: {value: undefined}, expected: undefined},
    {name: 'blank', input: {value: '  '}, expected: undefined},
  ]
  it.each(cases)('$name', ({input, expected}) => {
    expect(splitList(input.value, input.options)).toEqual({ok: true, value: expected})
  })
})

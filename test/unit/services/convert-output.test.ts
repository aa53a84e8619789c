import {describe, expect, it} from 'vitest'

import {csvCell} from '../../../src/report/csv-cell.js'

describe('csvCell', () => {
  const cases: Array<{name: string; input: string; expected: string}> = [
    {name: 'plain text stays as it is', input: 'Alva', expected: 'Alva'},
    {name: 'a leading = is guarded', input: '=1+1', expected: "'=1+1"},
    {name: 'a leading + is guarded', input: '+46701234567', expected: "'+46701234567"},
    {name: 'a leading @ is guarded', input: '@SUM(A1)', expected: "'@SUM(A1)"},
    {name: 'a leading - before a letter is guarded', input: '-cmd', expected: "'-cmd"},
    {
      name: 'a leading - before a digit that computes is guarded',
      input: "-2+3+cmd|' /C calc'!A0",
      expected: "'-2+3+cmd|' /C calc'!A0",
    },
    {name: 'a plain negative number stays a number', input: '-12', expected: '-12'},
    {name: 'a negative decimal stays a number', input: '-1.5', expected: '-1.5'},
    {name: 'a lone dash stays', input: '-', expected: '-'},
    {name: 'a leading tab is guarded', input: '\t=1', expected: "'\t=1"},
    {name: 'a leading CR is guarded and quoted', input: '\r=1', expected: `"'\r=1"`},
    {name: 'the delimiter makes it quoted', input: 'a;b', expected: '"a;b"'},
    {name: 'quotes are doubled', input: 'say "hej"', expected: '"say ""hej"""'},
    {name: 'a guarded cell with the delimiter is quoted too', input: '=A1;B1', expected: `"'=A1;B1"`},
    {name: 'a = later in the text is left alone', input: 'a=b', expected: 'a=b'},
  ]
  it.each(cases)('$name', ({input, expected}) => {
    expect(csvCell(input)).toBe(expected)
  })

  it('quotes by the delimiter it is given', () => {
    expect(csvCell('a,b', ',')).toBe('"a,b"')
    expect(csvCell('a;b', ',')).toBe('a;b')
  })
})

import {describe, expect, it} from 'vitest'

import {type ClassYear, schoolYearFromClass} from '../../../src/transforms/school.js'
import {type Case, type Outcome, outcome} from '../../support/cases.js'

const ctx = {referenceDate: '2026-08-17'}
const gr = (schoolYear: number): Outcome<ClassYear> => ({value: {schoolYear, schoolType: 'GR'}})
const gy = (schoolYear: number): Outcome<ClassYear> => ({value: {schoolYear, schoolType: 'GY'}})
const fklass: Outcome<ClassYear> = {value: {schoolYear: 0, schoolType: 'FKLASS'}}

describe('schoolYearFromClass on 2026-08-17', () => {
  const cases: Case<string | undefined, Outcome<ClassYear | undefined>>[] = [
    {name: '7A', input: '7A', expected: gr(7)},
    {name: '7 a', input: '7 a', expected: gr(7)},
    {name: '7-A', input: '7-A', expected: gr(7)},
    {name: '07B', input: '07B', expected: gr(7)},
    {name: '9', input: '9', expected: gr(9)},
    {name: '1ABC', input: '1ABC', expected: gr(1)},
    {name: '6Ö', input: '6Ö', expected: gr(6)},
    {name: 'Klass 7A', input: 'Klass 7A', expected: gr(7)},
    {name: 'Åk 7', input: 'Åk 7', expected: gr(7)},
    {name: 'ÅK7B', input: 'ÅK7B', expected: gr(7)},
    {name: 'Årskurs 3', input: 'Årskurs 3', expected: gr(3)},
    {name: 'FA', input: 'FA', expected: fklass},
    {name: 'F', input: 'F', expected: fklass},
    {name: 'fb', input: 'fb', expected: fklass},
    {name: 'F-klass', input: 'F-klass', expected: fklass},
    {name: 'F-KLASS A', input: 'F-KLASS A', expected: fklass},
    {name: 'F klass', input: 'F klass', expected: fklass},
    {name: 'FKA', input: 'FKA', expected: fklass},
    {name: 'FSK', input: 'FSK', expected: fklass},
    {name: 'Förskoleklass B', input: 'Förskoleklass B', expected: fklass},
    {name: '0A', input: '0A', expected: fklass},
    {name: '10A: year 10, type unknown', input: '10A', expected: {value: {schoolYear: 10}}},
    {name: '11A', input: '11A', expected: {problem: 'transform.school-year.unknown'}},
    {name: '1-3A: mixed years', input: '1-3A', expected: {problem: 'transform.school-year.mixed'}},
    {name: 'F-3', input: 'F-3', expected: {problem: 'transform.school-year.mixed'}},
    {name: '4/5B', input: '4/5B', expected: {problem: 'transform.school-year.mixed'}},
    {name: '7–9 (en dash)', input: '7–9', expected: {problem: 'transform.school-year.mixed'}},
    {name: 'NA24: year 3', input: 'NA24', expected: gy(3)},
    {name: 'NA25b: year 2', input: 'NA25b', expected: gy(2)},
    {name: 'NA26: year 1 from August', input: 'NA26', expected: gy(1)},
    {name: 'TE23: the fourth technical year', input: 'TE23', expected: gy(4)},
    {name: 'EK 25 A', input: 'EK 25 A', expected: gy(2)},
    {name: 'IMYRK26', input: 'IMYRK26', expected: gy(1)},
    {name: 'NA21b: left the school', input: 'NA21b', expected: {problem: 'transform.school-year.gy-range'}},
    {name: 'NA27: not started', input: 'NA27', expected: {problem: 'transform.school-year.gy-range'}},
    {name: 'a name', input: 'Igelkottarna', expected: {problem: 'transform.school-year.unknown'}},
    {name: 'digits after letters', input: 'A7', expected: {problem: 'transform.school-year.unknown'}},
    {name: 'absent', input: undefined, expected: {value: undefined}},
    {name: 'blank', input: ' ', expected: {value: undefined}},
  ]
  it.each(cases)('$name', ({input, expected}) => {
    expect(outcome(schoolYearFromClass(input, ctx))).toEqual(expected)
  })
})

describe('schoolYearFromClass: the gymnasium year follows the school year, which starts in August', () => {
  const cases: Case<{value: string; referenceDate: string}, Outcome<ClassYear>>[] = [
    {name: 'NA24 on 2026-06-01: still year 2', input: {value: 'NA24', referenceDate: '2026-06-01'}, expected: gy(2)},
    {name: 'NA24 on 2026-07-31: still year 2', input: {value: 'NA24', referenceDate: '2026-07-31'}, expected: gy(2)},
    {name: 'NA24 on 2026-08-01: year 3', input: {value: 'NA24', referenceDate: '2026-08-01'}, expected: gy(3)},
    {name: 'NA24 on 2027-01-15: year 3', input: {value: 'NA24', referenceDate: '2027-01-15'}, expected: gy(3)},
    {
      name: 'NA26 on 2026-06-01: not started',
      input: {value: 'NA26', referenceDate: '2026-06-01'},
      expected: {problem: 'transform.school-year.gy-range'},
    },
    {
      name: 'NA99 on 2001-09-01: the century is the latest',
      input: {value: 'NA99', referenceDate: '2001-09-01'},
      expected: gy(3),
    },
    {name: 'NA00 on 2000-08-17', input: {value: 'NA00', referenceDate: '2000-08-17'}, expected: gy(1)},
  ]
  it.each(cases)('$name', ({input, expected}) => {
    expect(outcome(schoolYearFromClass(input.value, {referenceDate: input.referenceDate}))).toEqual(expected)
  })

  it('throws for a context without a real reference date', () => {
    expect(() => schoolYearFromClass('NA24', {referenceDate: '2026-13-01'})).toThrow(RangeError)
  })
})

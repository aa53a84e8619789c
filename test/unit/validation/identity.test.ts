import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {
  checkCivicNumber,
  checkMunicipalityCode,
  checkOrganisationNumber,
  checkSchoolUnitCode,
  hasValidLuhn,
  luhnCheckDigit,
  makeCivicNumber,
  makeOrganisationNumber,
  maskCivicNumber,
  maskCivicNumbersInText,
  type CivicNumberCheck,
  type CodeCheck,
  type OrganisationNumberCheck,
} from '../../../src/validation/identity.js'
import {type Case} from '../../support/cases.js'

// All fixtures are fictional. Hand-verified check digits (weights 2,1,2,… over YYMMDDNNN; products' digit sums):
//   201002037271  100203727: 2+0+0+2+0+3+5+2+5 = 19 → 1   (the spec's own valid example)
//   198112174563  811217456: 7+1+2+2+2+7+8+5+3 = 37 → 3
//   190001010024  000101002: 0+0+0+1+0+1+0+0+4 = 6  → 4
//   199912311231  991231123: 9+9+2+2+6+1+2+2+6 = 39 → 1
//   200002294569  000229456: 0+0+0+2+4+9+8+5+3 = 31 → 9
//   200112840129  011284012: 0+1+2+2+7+4+0+1+4 = 21 → 9   (samordningsnummer, born 2001-12-24)
//   200112240123  011224012: 0+1+2+2+4+4+0+1+4 = 18 → 2   (so the spec's examples ending 3 and 9 fail)
//   559900-1236   559900123: 1+5+9+9+0+0+2+2+6 = 34 → 6
//   212000-9994   212000999: 4+1+4+0+0+0+9+9+9 = 36 → 4

describe('luhnCheckDigit / hasValidLuhn', () => {
  const digitCases: Case<string, number>[] = [
    {name: 'spec example payload', input: '100203727', expected: 1},
    {name: 'constructed payload', input: '811217456', expected: 3},
    {name: 'samordningsnummer payload', input: '011284012', expected: 9},
    {name: 'organisation payload', input: '559900123', expected: 6},
    {name: 'all zeros', input: '000000000', expected: 0},
    {name: 'empty string', input: '', expected: 0},
  ]
  it.each(digitCases)('luhnCheckDigit: $name', ({input, expected}) => {
    expect(luhnCheckDigit(input)).toBe(expected)
  })

  it('luhnCheckDigit rejects non-digits', () => {
    expect(() => luhnCheckDigit('12a')).toThrow(RangeError)
  })

  const validCases: Case<string, boolean>[] = [
    {name: 'valid personnummer tail', input: '1002037271', expected: true},
    {name: 'valid organisation number', input: '5599001236', expected: true},
    {name: 'wrong check digit', input: '1002037272', expected: false},
    {name: 'letters', input: '10020372a1', expected: false},
    {name: 'single digit', input: '0', expected: false},
    {name: 'empty', input: '', expected: false},
  ]
  it.each(validCases)('hasValidLuhn: $name', ({input, expected}) => {
    expect(hasValidLuhn(input)).toBe(expected)
  })
})

describe('checkCivicNumber', () => {
  const validCases: Case<string, CivicNumberCheck>[] = [
    {name: 'spec example', input: '201002037271', expected: {ok: true, kind: 'personnummer', birthDate: '2010-02-03'}},
    {
      name: 'constructed example',
      input: '198112174563',
      expected: {ok: true, kind: 'personnummer', birthDate: '1981-12-17'},
    },
    {
      name: 'built: ordinary',
      input: makeCivicNumber('1987-06-15', 123),
      expected: {ok: true, kind: 'personnummer', birthDate: '1987-06-15'},
    },
    {
      name: 'built: serial 0',
      input: makeCivicNumber('2012-10-05', 0),
      expected: {ok: true, kind: 'personnummer', birthDate: '2012-10-05'},
    },
    {
      name: 'built: serial 999',
      input: makeCivicNumber('1975-01-31', 999),
      expected: {ok: true, kind: 'personnummer', birthDate: '1975-01-31'},
    },
    // Century edges.
    {name: '1900-01-01', input: '190001010024', expected: {ok: true, kind: 'personnummer', birthDate: '1900-01-01'}},
    {name: '1999-12-31', input: '199912311231', expected: {ok: true, kind: 'personnummer', birthDate: '1999-12-31'}},
    {
      name: '2000-01-01',
      input: makeCivicNumber('2000-01-01', 42),
      expected: {ok: true, kind: 'personnummer', birthDate: '2000-01-01'},
    },
    {
      name: '2000-02-29 (400-year leap day)',
      input: '200002294569',
      expected: {ok: true, kind: 'personnummer', birthDate: '2000-02-29'},
    },
    {
      name: '2016-02-29 (ordinary leap day)',
      input: makeCivicNumber('2016-02-29', 7),
      expected: {ok: true, kind: 'personnummer', birthDate: '2016-02-29'},
    },
    // Samordningsnummer: day + 60, birthDate derived from the real day.
    {
      name: 'samordningsnummer, literal',
      input: '200112840129',
      expected: {ok: true, kind: 'samordningsnummer', birthDate: '2001-12-24'},
    },
    {
      name: 'samordningsnummer, day 61',
      input: makeCivicNumber('1990-03-01', 250, {samordningsnummer: true}),
      expected: {ok: true, kind: 'samordningsnummer', birthDate: '1990-03-01'},
    },
    {
      name: 'samordningsnummer, day 91',
      input: makeCivicNumber('1990-03-31', 250, {samordningsnummer: true}),
      expected: {ok: true, kind: 'samordningsnummer', birthDate: '1990-03-31'},
    },
    {
      name: 'samordningsnummer, leap day 89',
      input: makeCivicNumber('2000-02-29', 1, {samordningsnummer: true}),
      expected: {ok: true, kind: 'samordningsnummer', birthDate: '2000-02-29'},
    },
    // Temporary numbers: letters at positions 9–10, no Luhn.
    {
      name: 'temporary, spec example',
      input: '20130101TF01',
      expected: {ok: true, kind: 'temporary', birthDate: '2013-01-01'},
    },
    {
      name: 'temporary, digit+letter',
      input: '20130101T101',
      expected: {ok: true, kind: 'temporary', birthDate: '2013-01-01'},
    },
    {
      name: 'temporary, letter+digit',
      input: '201301011T01',
      expected: {ok: true, kind: 'temporary', birthDate: '2013-01-01'},
    },
    {
      name: 'temporary, any last digits',
      input: '20130101ZZ99',
      expected: {ok: true, kind: 'temporary', birthDate: '2013-01-01'},
    },
  ]
  it.each(validCases)('accepts $name ($input)', ({input, expected}) => {
    expect(checkCivicNumber(input)).toEqual(expected)
  })

  const invalidCases: Case<string, CivicNumberCheck>[] = [
    {name: 'empty string', input: '', expected: {ok: false, problem: 'empty'}},
    {name: 'only whitespace', input: ' \t ', expected: {ok: false, problem: 'empty'}},
    // Separators.
    {
      name: 'YYYYMMDD-NNNN',
      input: '20100203-7271',
      expected: {ok: false, problem: 'separator', suggestion: '201002037271'},
    },
    {
      name: 'YYYYMMDD+NNNN',
      input: '19001010+0024',
      expected: {ok: false, problem: 'separator', suggestion: '190010100024'},
    },
    {
      name: 'YYYYMMDD NNNN',
      input: '20100203 7271',
      expected: {ok: false, problem: 'separator', suggestion: '201002037271'},
    },
    {
      name: 'surrounding whitespace',
      input: ' 201002037271 ',
      expected: {ok: false, problem: 'separator', suggestion: '201002037271'},
    },
    {name: 'YYMMDD-NNNN (no 12-char suggestion)', input: '100203-7271', expected: {ok: false, problem: 'separator'}},
    {
      name: 'temporary with dash',
      input: '20130101-TF01',
      expected: {ok: false, problem: 'separator', suggestion: '20130101TF01'},
    },
    // Lengths.
    {name: '10 digits', input: '1002037271', expected: {ok: false, problem: 'length'}},
    {name: '11 digits', input: '20100203727', expected: {ok: false, problem: 'length'}},
    {name: '13 digits', input: '2010020372710', expected: {ok: false, problem: 'length'}},
    {name: 'one character', input: 'x', expected: {ok: false, problem: 'length'}},
    // Characters.
    {
      name: 'lower-case temporary letters',
      input: '20130101tf01',
      expected: {ok: false, problem: 'characters', suggestion: '20130101TF01'},
    },
    {name: 'letter in the date', input: '2013O1011234', expected: {ok: false, problem: 'characters'}},
    {name: 'letter at position 11', input: '2013010112A4', expected: {ok: false, problem: 'characters'}},
    {name: 'letter at position 8', input: '2013010A1234', expected: {ok: false, problem: 'characters'}},
    {name: 'Å letter', input: '20130101ÅF01', expected: {ok: false, problem: 'characters'}},
    {name: 'full-width digits', input: '２０１００２０３７２７１', expected: {ok: false, problem: 'characters'}},
    {name: 'punctuation', input: '2010.2037271', expected: {ok: false, problem: 'characters'}},
    // Dates.
    {
      name: '1900-02-29 (not a leap year)',
      input: makeCivicNumberUnchecked('19000229', '123'),
      expected: {ok: false, problem: 'date'},
    },
    {
      name: '2100-02-29 (not a leap year)',
      input: makeCivicNumberUnchecked('21000229', '123'),
      expected: {ok: false, problem: 'date'},
    },
    {name: '2001-02-29', input: makeCivicNumberUnchecked('20010229', '123'), expected: {ok: false, problem: 'date'}},
    {name: 'month 00', input: makeCivicNumberUnchecked('20100003', '123'), expected: {ok: false, problem: 'date'}},
    {name: 'month 13', input: makeCivicNumberUnchecked('20101303', '123'), expected: {ok: false, problem: 'date'}},
    {name: 'day 00', input: makeCivicNumberUnchecked('20100200', '123'), expected: {ok: false, problem: 'date'}},
    {name: 'day 32', input: makeCivicNumberUnchecked('20100132', '123'), expected: {ok: false, problem: 'date'}},
    {name: 'April 31', input: makeCivicNumberUnchecked('20100431', '123'), expected: {ok: false, problem: 'date'}},
    {
      name: 'samordningsnummer day 60',
      input: makeCivicNumberUnchecked('20100160', '123'),
      expected: {ok: false, problem: 'date'},
    },
    {
      name: 'samordningsnummer day 92',
      input: makeCivicNumberUnchecked('20100192', '123'),
      expected: {ok: false, problem: 'date'},
    },
    {
      name: 'samordningsnummer April 31 (day 91)',
      input: makeCivicNumberUnchecked('20100491', '123'),
      expected: {ok: false, problem: 'date'},
    },
    {name: 'temporary with bad date', input: '20130230TF01', expected: {ok: false, problem: 'date'}},
    {name: 'temporary with samordning day', input: '20130161TF01', expected: {ok: false, problem: 'date'}},
    // The spec's own examples fail Luhn.
    {
      name: 'spec example 200112240123',
      input: '200112240123',
      expected: {ok: false, problem: 'checksum', expectedCheckDigit: 2},
    },
    {
      name: 'spec example 200112840123',
      input: '200112840123',
      expected: {ok: false, problem: 'checksum', expectedCheckDigit: 9},
    },
    {
      name: '[S] example 200112240129',
      input: '200112240129',
      expected: {ok: false, problem: 'checksum', expectedCheckDigit: 2},
    },
    {
      name: 'off-by-one check digit',
      input: '201002037272',
      expected: {ok: false, problem: 'checksum', expectedCheckDigit: 1},
    },
  ]
  it.each(invalidCases)('rejects $name ($input)', ({input, expected}) => {
    expect(checkCivicNumber(input)).toEqual(expected)
  })

  it('checks the date before the checksum, so a bad date is reported even with a correct check digit', () => {
    // 20100230 has a correct Luhn digit for its payload but no such day.
    const value = makeCivicNumberUnchecked('20100230', '555')
    expect(hasValidLuhn(value.slice(2))).toBe(true)
    expect(checkCivicNumber(value)).toEqual({ok: false, problem: 'date'})
  })
})

describe('checkOrganisationNumber', () => {
  const cases: Case<string, OrganisationNumberCheck>[] = [
    {
      name: 'literal with dash',
      input: '559900-1236',
      expected: {ok: true, kind: 'legal-entity', normalized: '559900-1236'},
    },
    {
      name: 'literal without dash',
      input: '5599001236',
      expected: {ok: true, kind: 'legal-entity', normalized: '559900-1236'},
    },
    {
      name: 'municipality-like literal',
      input: '212000-9994',
      expected: {ok: true, kind: 'legal-entity', normalized: '212000-9994'},
    },
    {
      name: 'municipality-like, built',
      input: makeOrganisationNumber('212000123'),
      expected: {ok: true, kind: 'legal-entity', normalized: makeOrganisationNumber('212000123')},
    },
    {
      name: 'third digit exactly 2',
      input: makeOrganisationNumber('802000001'),
      expected: {ok: true, kind: 'legal-entity', normalized: makeOrganisationNumber('802000001')},
    },
    {
      name: 'sole trader (personnummer-based)',
      input: '811217-4563',
      expected: {ok: true, kind: 'personal', normalized: '811217-4563'},
    },
    {
      name: 'sole trader without dash',
      input: '8112174563',
      expected: {ok: true, kind: 'personal', normalized: '811217-4563'},
    },
    {name: '16-prefixed', input: '165599001236', expected: {ok: true, kind: 'legal-entity', normalized: '559900-1236'}},
    {
      name: '16-prefixed with dash',
      input: '16559900-1236',
      expected: {ok: true, kind: 'legal-entity', normalized: '559900-1236'},
    },
    {
      name: 'surrounding whitespace',
      input: ' 559900-1236 ',
      expected: {ok: true, kind: 'legal-entity', normalized: '559900-1236'},
    },
    {name: 'empty', input: '', expected: {ok: false, problem: 'empty'}},
    {name: 'whitespace', input: '   ', expected: {ok: false, problem: 'empty'}},
    {name: 'bad checksum', input: '559900-1237', expected: {ok: false, problem: 'checksum'}},
    {name: '16-prefixed bad checksum', input: '165599001237', expected: {ok: false, problem: 'checksum'}},
    {name: '9 digits', input: '559900-123', expected: {ok: false, problem: 'length'}},
    {name: '11 digits', input: '55990012360', expected: {ok: false, problem: 'length'}},
    {name: '12 digits without 16 prefix', input: '195599001236', expected: {ok: false, problem: 'length'}},
    {name: 'letters', input: '55990A-1236', expected: {ok: false, problem: 'characters'}},
    {name: 'two dashes', input: '559900-12-36', expected: {ok: false, problem: 'characters'}},
    {name: 'dash in the wrong place', input: '5599-001236', expected: {ok: false, problem: 'characters'}},
    {name: 'dash before the last three', input: '5599001-236', expected: {ok: false, problem: 'characters'}},
    {name: '16-prefixed, too short', input: '16559900-123', expected: {ok: false, problem: 'length'}},
    {name: 'plus separator', input: '559900+1236', expected: {ok: false, problem: 'characters'}},
  ]
  it.each(cases)('$name ($input)', ({input, expected}) => {
    expect(checkOrganisationNumber(input)).toEqual(expected)
  })
})

describe('checkSchoolUnitCode / checkMunicipalityCode', () => {
  const schoolUnitCases: Case<string, CodeCheck>[] = [
    {name: '8 digits', input: '12345678', expected: {ok: true}},
    {name: 'leading zeros', input: '00012345', expected: {ok: true}},
    {name: 'empty', input: '', expected: {ok: false, problem: 'empty'}},
    {name: 'whitespace', input: '  ', expected: {ok: false, problem: 'empty'}},
    {name: '7 digits', input: '1234567', expected: {ok: false, problem: 'length'}},
    {name: '9 digits', input: '123456789', expected: {ok: false, problem: 'length'}},
    {name: 'letter', input: '1234567A', expected: {ok: false, problem: 'characters'}},
    {name: 'padded with spaces', input: ' 12345678', expected: {ok: false, problem: 'characters'}},
    {name: 'dash', input: '1234-5678', expected: {ok: false, problem: 'characters'}},
  ]
  it.each(schoolUnitCases)('school unit code: $name ($input)', ({input, expected}) => {
    expect(checkSchoolUnitCode(input)).toEqual(expected)
  })

  const municipalityCases: Case<string, CodeCheck>[] = [
    {name: 'leading zero kept', input: '0180', expected: {ok: true}},
    {name: 'no leading zero', input: '1480', expected: {ok: true}},
    {name: 'leading zero lost', input: '180', expected: {ok: false, problem: 'length'}},
    {name: '5 digits', input: '01800', expected: {ok: false, problem: 'length'}},
    {name: 'empty', input: '', expected: {ok: false, problem: 'empty'}},
    {name: 'letters', input: '01A0', expected: {ok: false, problem: 'characters'}},
    {name: 'negative', input: '-180', expected: {ok: false, problem: 'characters'}},
  ]
  it.each(municipalityCases)('municipality code: $name ($input)', ({input, expected}) => {
    expect(checkMunicipalityCode(input)).toEqual(expected)
  })
})

describe('maskCivicNumber', () => {
  const cases: Case<string, string>[] = [
    {name: '12 digits', input: '201002037271', expected: '20100203-****'},
    {name: 'samordningsnummer', input: '200112840129', expected: '20011284-****'},
    {name: 'temporary', input: '20130101TF01', expected: '20130101-****'},
    {name: 'temporary, lower case', input: '20130101tf01', expected: '20130101-****'},
    {name: 'YYYYMMDD-NNNN', input: '20100203-7271', expected: '20100203-****'},
    {name: 'YYYYMMDD+NNNN keeps the plus', input: '19100203+7271', expected: '19100203+****'},
    {name: 'YYMMDD-NNNN', input: '100203-7271', expected: '100203-****'},
    {name: 'YYMMDD+NNNN keeps the plus', input: '100203+7271', expected: '100203+****'},
    {name: 'YYMMDDNNNN', input: '1002037271', expected: '100203-****'},
    {name: 'surrounding whitespace', input: ' 201002037271 ', expected: '20100203-****'},
    {name: 'invalid checksum is still masked', input: '200112240123', expected: '20011224-****'},
    {name: 'unrecognised, long', input: 'ABC123456', expected: 'AB*******'},
    {name: 'unrecognised, exactly 6', input: 'abcdef', expected: 'ab****'},
    {name: 'unrecognised, 5 chars', input: '12345', expected: '****'},
    {name: 'empty', input: '', expected: '****'},
    {name: 'unrecognised 11 digits', input: '20100203727', expected: '20*********'},
  ]
  it.each(cases)('$name ($input)', ({input, expected}) => {
    expect(maskCivicNumber(input)).toBe(expected)
  })
})

describe('maskCivicNumbersInText', () => {
  const cases: Case<string, string>[] = [
    {
      name: 'number in a sentence',
      input: 'Pupil 201002037271 has no class.',
      expected: 'Pupil 20100203-**** has no class.',
    },
    {name: 'at start and end', input: '201002037271', expected: '20100203-****'},
    {name: 'with dash', input: 'civicNo 20100203-7271, check it', expected: 'civicNo 20100203-****, check it'},
    {name: 'short form', input: 'born 100203-7271.', expected: 'born 100203-****.'},
    {name: 'short form with plus', input: 'born 100203+7271.', expected: 'born 100203+****.'},
    {name: '10 bare digits', input: '(1002037271)', expected: '(100203-****)'},
    {name: 'temporary number', input: 'temp id 20130101TF01 created', expected: 'temp id 20130101-**** created'},
    {name: 'temporary with dash', input: 'id=20130101-TF01', expected: 'id=20130101-****'},
    {name: 'samordningsnummer', input: 'value 200112840129', expected: 'value 20011284-****'},
    {name: 'invalid checksum still masked', input: 'bad: 200112240123', expected: 'bad: 20011224-****'},
    {
      name: 'JSON-ish',
      input: '{"civicNo":{"value":"201002037271","nationality":"SE"},"other":"198112174563"}',
      expected: '{"civicNo":{"value":"20100203-****","nationality":"SE"},"other":"19811217-****"}',
    },
    {
      name: 'several in one line',
      input: '201002037271;198112174563;100203-7271',
      expected: '20100203-****;19811217-****;100203-****',
    },
    {name: 'next to Swedish letters', input: 'född 201002037271 år', expected: 'född 20100203-**** år'},
    // Left alone.
    {
      name: 'UUID',
      input: 'id 3fa85f64-5717-4562-b3fc-2c963f66afa6',
      expected: 'id 3fa85f64-5717-4562-b3fc-2c963f66afa6',
    },
    {
      name: 'UUID made of plausible digit groups',
      input: 'id 20100203-7271-4562-8000-201002037271 end',
      expected: 'id 20100203-7271-4562-8000-201002037271 end',
    },
    {name: 'ISO date', input: 'startDate 2024-08-19', expected: 'startDate 2024-08-19'},
    {name: 'ISO date-time', input: '2015-12-12T10:30:00+01:00', expected: '2015-12-12T10:30:00+01:00'},
    {name: 'compact date', input: 'on 20240819 at', expected: 'on 20240819 at'},
    {name: 'time', input: 'at 10:30:00', expected: 'at 10:30:00'},
    {name: 'phone with spaces', input: 'call 070-123 45 67', expected: 'call 070-123 45 67'},
    {name: 'international phone', input: 'call +46701234567', expected: 'call +46701234567'},
    {name: 'school unit code', input: 'schoolUnitCode 12345678', expected: 'schoolUnitCode 12345678'},
    {name: 'implausible month', input: 'order 201013037271', expected: 'order 201013037271'},
    {name: 'implausible day', input: 'order 201002407271', expected: 'order 201002407271'},
    {name: 'implausible short form', input: 'ref 991340-1234', expected: 'ref 991340-1234'},
    {name: 'glued to letters', input: 'abc201002037271', expected: 'abc201002037271'},
    {name: 'longer digit run', input: '2010020372710', expected: '2010020372710'},
    {name: 'decimal fraction', input: 'pi 3.1002037271', expected: 'pi 3.1002037271'},
    {name: 'lower-case temporary letters', input: 'x 20130101tf01', expected: 'x 20130101tf01'},
    {name: 'no numbers', input: 'Nothing to see.', expected: 'Nothing to see.'},
    {name: 'empty', input: '', expected: ''},
  ]
  it.each(cases)('$name', ({input, expected}) => {
    expect(maskCivicNumbersInText(input)).toBe(expected)
  })
})

describe('makeCivicNumber / makeOrganisationNumber', () => {
  const civicCases: Case<[string, number, boolean], string>[] = [
    {name: 'spec example rebuilt', input: ['2010-02-03', 727, false], expected: '201002037271'},
    {name: '1900-01-01 serial 2', input: ['1900-01-01', 2, false], expected: '190001010024'},
    {name: 'leap day', input: ['2000-02-29', 456, false], expected: '200002294569'},
    {name: 'samordningsnummer', input: ['2001-12-24', 12, true], expected: '200112840129'},
  ]
  it.each(civicCases)('makeCivicNumber: $name', ({input: [date, serial, samordningsnummer], expected}) => {
    expect(makeCivicNumber(date, serial, {samordningsnummer})).toBe(expected)
  })

  const badArgs: Case<[string, number], string>[] = [
    {name: 'not a leap year', input: ['1900-02-29', 1], expected: 'date'},
    {name: 'month 13', input: ['2010-13-01', 1], expected: 'date'},
    {name: 'not ISO', input: ['03/02/2010', 1], expected: 'date'},
    {name: 'date-time', input: ['2010-02-03T00:00:00Z', 1], expected: 'date'},
    {name: 'negative serial', input: ['2010-02-03', -1], expected: 'serial'},
    {name: 'serial 1000', input: ['2010-02-03', 1000], expected: 'serial'},
    {name: 'fractional serial', input: ['2010-02-03', 1.5], expected: 'serial'},
    {name: 'NaN serial', input: ['2010-02-03', Number.NaN], expected: 'serial'},
  ]
  it.each(badArgs)('makeCivicNumber throws RangeError: $name', ({input: [date, serial], expected}) => {
    expect(() => makeCivicNumber(date, serial)).toThrow(RangeError)
    expect(() => makeCivicNumber(date, serial)).toThrow(expected)
  })

  const orgCases: Case<string, string>[] = [
    {name: 'legal entity', input: '559900123', expected: '559900-1236'},
    {name: 'municipality-like', input: '212000999', expected: '212000-9994'},
  ]
  it.each(orgCases)('makeOrganisationNumber: $name', ({input, expected}) => {
    expect(makeOrganisationNumber(input)).toBe(expected)
  })

  it.each(['12345678', '1234567890', '55990012A', ''])('makeOrganisationNumber rejects %j', (input) => {
    expect(() => makeOrganisationNumber(input)).toThrow(RangeError)
  })

  it('round-trips: the check digit of a built number is its Luhn digit', () => {
    const value = makeCivicNumber('1987-06-15', 123)
    expect(Number(value.slice(-1))).toBe(luhnCheckDigit(value.slice(2, 11)))
    expect(hasValidLuhn(value.slice(2))).toBe(true)
  })
})

describe('properties', () => {
  const validDate = fc
    .date({min: new Date('1800-01-01T00:00:00Z'), max: new Date('2199-12-31T23:59:59Z'), noInvalidDate: true})
    .map((date) => date.toISOString().slice(0, 10))

  it('checkCivicNumber, checkOrganisationNumber and the maskers never throw', () => {
    const anyString = fc.oneof(
      fc.string(),
      fc.string({unit: 'binary'}),
      fc.stringMatching(/^[0-9A-Za-z+\- ]{0,14}$/),
      fc.stringMatching(/^[0-9]{8}[0-9A-Z]{2}[0-9]{2}$/),
    )
    fc.assert(
      fc.property(anyString, (value) => {
        const result = checkCivicNumber(value)
        expect(typeof result.ok).toBe('boolean')
        checkOrganisationNumber(value)
        maskCivicNumber(value)
        maskCivicNumbersInText(value)
      }),
      {numRuns: 2000},
    )
  })

  it('every makeCivicNumber output passes checkCivicNumber with the right kind and birthDate', () => {
    fc.assert(
      fc.property(validDate, fc.integer({min: 0, max: 999}), fc.boolean(), (birthDate, serial, samordningsnummer) => {
        const value = makeCivicNumber(birthDate, serial, {samordningsnummer})
        expect(value).toHaveLength(12)
        expect(checkCivicNumber(value)).toEqual({
          ok: true,
          kind: samordningsnummer ? 'samordningsnummer' : 'personnummer',
          birthDate,
        })
      }),
      {numRuns: 2000},
    )
  })

  it('changing the check digit of a built number always fails with the right expected digit', () => {
    fc.assert(
      fc.property(
        validDate,
        fc.integer({min: 0, max: 999}),
        fc.integer({min: 1, max: 9}),
        (birthDate, serial, delta) => {
          const value = makeCivicNumber(birthDate, serial)
          const check = Number(value.slice(-1))
          const broken = value.slice(0, -1) + String((check + delta) % 10)
          expect(checkCivicNumber(broken)).toEqual({ok: false, problem: 'checksum', expectedCheckDigit: check})
        },
      ),
    )
  })

  it('built numbers are masked to their date part, alone and inside text', () => {
    fc.assert(
      fc.property(validDate, fc.integer({min: 0, max: 999}), fc.boolean(), (birthDate, serial, samordningsnummer) => {
        const value = makeCivicNumber(birthDate, serial, {samordningsnummer})
        const masked = `${value.slice(0, 8)}-****`
        expect(maskCivicNumber(value)).toBe(masked)
        expect(maskCivicNumbersInText(`a "${value}" b`)).toBe(`a "${masked}" b`)
        expect(maskCivicNumbersInText(`a ${value.slice(2, 8)}-${value.slice(8)}.`)).toBe(`a ${value.slice(2, 8)}-****.`)
      }),
    )
  })

  it('built organisation numbers pass checkOrganisationNumber', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9]{9}$/), (nine) => {
        const value = makeOrganisationNumber(nine)
        const result = checkOrganisationNumber(value)
        expect(result).toEqual({ok: true, kind: Number(nine[2]) >= 2 ? 'legal-entity' : 'personal', normalized: value})
        expect(checkOrganisationNumber(`16${value.replace('-', '')}`)).toEqual(result)
      }),
    )
  })
})

/** Appends a correct Luhn digit without validating the date, to test date errors in isolation from checksum errors. */
function makeCivicNumberUnchecked(yyyymmdd: string, serial: string): string {
  const body = yyyymmdd + serial
  return body + luhnCheckDigit(body.slice(2))
}

import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import {type DateFormat, parseDate, parseDateTime} from '../../../src/transforms/dates.js'
import {type Case, type Outcome, outcome} from '../../support/cases.js'

// Expected Excel serials and Stockholm offsets were checked against Python's datetime and zoneinfo.

const dropped = 'transform.date.time-dropped'

describe('parseDate', () => {
  const cases: Case<{value: string | undefined; format: DateFormat}, Outcome<string | undefined>>[] = [
    {name: 'ISO', input: {value: '2024-02-29', format: 'YYYY-MM-DD'}, expected: {value: '2024-02-29'}},
    {
      name: 'ISO: not a leap year',
      input: {value: '2023-02-29', format: 'YYYY-MM-DD'},
      expected: {problem: 'transform.date.invalid'},
    },
    {
      name: 'ISO: 1900 is not a leap year',
      input: {value: '1900-02-29', format: 'YYYY-MM-DD'},
      expected: {problem: 'transform.date.invalid'},
    },
    {name: 'ISO: 2000 is', input: {value: '2000-02-29', format: 'YYYY-MM-DD'}, expected: {value: '2000-02-29'}},
    {
      name: 'ISO: month 13',
      input: {value: '2024-13-01', format: 'YYYY-MM-DD'},
      expected: {problem: 'transform.date.invalid'},
    },
    {
      name: 'ISO: April 31',
      input: {value: '2024-04-31', format: 'YYYY-MM-DD'},
      expected: {problem: 'transform.date.invalid'},
    },
    {
      name: 'ISO: year 0000',
      input: {value: '0000-01-01', format: 'YYYY-MM-DD'},
      expected: {problem: 'transform.date.invalid'},
    },
    {
      name: 'ISO: one-digit parts',
      input: {value: '2024-2-3', format: 'YYYY-MM-DD'},
      expected: {problem: 'transform.date.format'},
    },
    {
      name: 'ISO declared: a time is not that format',
      input: {value: '2024-02-03 00:00:00', format: 'YYYY-MM-DD'},
      expected: {problem: 'transform.date.format'},
    },
    {name: 'YYYYMMDD', input: {value: '20240229', format: 'YYYYMMDD'}, expected: {value: '2024-02-29'}},
    {
      name: 'YYYYMMDD: 7 digits',
      input: {value: '2024022', format: 'YYYYMMDD'},
      expected: {problem: 'transform.date.format'},
    },
    {
      name: 'YYYYMMDD: ISO',
      input: {value: '2024-02-29', format: 'YYYYMMDD'},
      expected: {problem: 'transform.date.format'},
    },
    {name: 'D/M/YYYY', input: {value: '3/2/2024', format: 'D/M/YYYY'}, expected: {value: '2024-02-03'}},
    {name: 'D/M/YYYY: two digits', input: {value: '31/12/2024', format: 'D/M/YYYY'}, expected: {value: '2024-12-31'}},
    {
      name: 'D/M/YYYY: US order fails',
      input: {value: '12/31/2024', format: 'D/M/YYYY'},
      expected: {problem: 'transform.date.invalid'},
    },
    {name: 'M/D/YYYY', input: {value: '3/2/2024', format: 'M/D/YYYY'}, expected: {value: '2024-03-02'}},
    {name: 'M/D/YYYY: two digits', input: {value: '12/31/2024', format: 'M/D/YYYY'}, expected: {value: '2024-12-31'}},
    {
      name: 'M/D/YYYY: two-digit year',
      input: {value: '3/2/24', format: 'M/D/YYYY'},
      expected: {problem: 'transform.date.format'},
    },
    {name: 'DD.MM.YYYY', input: {value: '03.02.2024', format: 'DD.MM.YYYY'}, expected: {value: '2024-02-03'}},
    {name: 'DD.MM.YYYY: one digit', input: {value: '3.2.2024', format: 'DD.MM.YYYY'}, expected: {value: '2024-02-03'}},
    {
      name: 'DD.MM.YYYY: slashes',
      input: {value: '03/02/2024', format: 'DD.MM.YYYY'},
      expected: {problem: 'transform.date.format'},
    },
    {name: 'Excel 1', input: {value: '1', format: 'excel-serial'}, expected: {value: '1900-01-01'}},
    {name: 'Excel 59', input: {value: '59', format: 'excel-serial'}, expected: {value: '1900-02-28'}},
    {
      name: 'Excel 60: the fake leap day',
      input: {value: '60', format: 'excel-serial'},
      expected: {problem: 'transform.date.excel-leap-day'},
    },
    {name: 'Excel 61', input: {value: '61', format: 'excel-serial'}, expected: {value: '1900-03-01'}},
    {name: 'Excel 36526', input: {value: '36526', format: 'excel-serial'}, expected: {value: '2000-01-01'}},
    {name: 'Excel 45000', input: {value: '45000', format: 'excel-serial'}, expected: {value: '2023-03-15'}},
    {
      name: 'Excel 2958465: the last day',
      input: {value: '2958465', format: 'excel-serial'},
      expected: {value: '9999-12-31'},
    },
    {
      name: 'Excel 2958466',
      input: {value: '2958466', format: 'excel-serial'},
      expected: {problem: 'transform.date.range'},
    },
    {name: 'Excel 0', input: {value: '0', format: 'excel-serial'}, expected: {problem: 'transform.date.range'}},
    {
      name: 'Excel time part truncated',
      input: {value: '45000.75', format: 'excel-serial'},
      expected: {value: '2023-03-15', warning: dropped},
    },
    {
      name: 'Excel time part, decimal comma',
      input: {value: '45000,5', format: 'excel-serial'},
      expected: {value: '2023-03-15', warning: dropped},
    },
    {
      name: 'Excel almost midnight is still the same day',
      input: {value: '45000.999999999', format: 'excel-serial'},
      expected: {value: '2023-03-15', warning: dropped},
    },
    {name: 'Excel .0 is midnight', input: {value: '45000.0', format: 'excel-serial'}, expected: {value: '2023-03-15'}},
    {
      name: 'Excel negative',
      input: {value: '-1', format: 'excel-serial'},
      expected: {problem: 'transform.date.format'},
    },
    {
      name: 'Excel exponent',
      input: {value: '4.5E4', format: 'excel-serial'},
      expected: {problem: 'transform.date.format'},
    },
    {
      name: 'Excel: a date',
      input: {value: '2023-03-15', format: 'excel-serial'},
      expected: {problem: 'transform.date.format'},
    },
    {name: 'auto-iso: date', input: {value: '2024-05-06', format: 'auto-iso'}, expected: {value: '2024-05-06'}},
    {
      name: 'auto-iso: midnight',
      input: {value: '2024-05-06 00:00:00', format: 'auto-iso'},
      expected: {value: '2024-05-06'},
    },
    {
      name: 'auto-iso: T midnight',
      input: {value: '2024-05-06T00:00:00', format: 'auto-iso'},
      expected: {value: '2024-05-06'},
    },
    {
      name: 'auto-iso: with ms and Z',
      input: {value: '2024-05-06T00:00:00.000Z', format: 'auto-iso'},
      expected: {value: '2024-05-06'},
    },
    {
      name: 'auto-iso: offset kept as written',
      input: {value: '2024-05-06T00:00:00+02:00', format: 'auto-iso'},
      expected: {value: '2024-05-06'},
    },
    {
      name: 'auto-iso: a time is dropped with a warning',
      input: {value: '2024-05-06T08:30:00', format: 'auto-iso'},
      expected: {value: '2024-05-06', warning: dropped},
    },
    {
      name: 'auto-iso: the date as written, not shifted by the offset',
      input: {value: '2024-05-06T23:30:00-05:00', format: 'auto-iso'},
      expected: {value: '2024-05-06', warning: dropped},
    },
    {
      name: 'auto-iso: milliseconds only',
      input: {value: '2024-05-06T00:00:00.001Z', format: 'auto-iso'},
      expected: {value: '2024-05-06', warning: dropped},
    },
    {
      name: 'auto-iso: D/M is not ISO',
      input: {value: '06/05/2024', format: 'auto-iso'},
      expected: {problem: 'transform.date.format'},
    },
    {
      name: 'auto-iso: compact is not accepted',
      input: {value: '20240506', format: 'auto-iso'},
      expected: {problem: 'transform.date.format'},
    },
    {
      name: 'auto-iso: a bad offset',
      input: {value: '2024-05-06T00:00:00+25:00', format: 'auto-iso'},
      expected: {problem: 'transform.date.format'},
    },
    {
      name: 'auto-iso: an impossible time',
      input: {value: '2024-05-06T25:00:00', format: 'auto-iso'},
      expected: {problem: 'transform.date-time.invalid-time'},
    },
    {
      name: 'auto-iso: invalid date',
      input: {value: '2024-02-30', format: 'auto-iso'},
      expected: {problem: 'transform.date.invalid'},
    },
    {name: 'absent', input: {value: undefined, format: 'YYYY-MM-DD'}, expected: {value: undefined}},
    {name: 'blank', input: {value: ' ', format: 'excel-serial'}, expected: {value: undefined}},
  ]
  it.each(cases)('$name', ({input, expected}) => {
    expect(outcome(parseDate(input.value, {format: input.format}))).toEqual(expected)
  })
})

const zone = new Intl.DateTimeFormat('en-US', {timeZone: 'Europe/Stockholm', timeZoneName: 'longOffset'})
/** The tz database's offset (`+02:00`) for Stockholm at an instant, through Node's ICU. */
function offsetOf(date: Date): string | undefined {
  return zone
    .formatToParts(date)
    .find((part) => part.type === 'timeZoneName')
    ?.value.replace('GMT', '')
}

describe('parseDateTime', () => {
  const cases: Case<{value: string | undefined; format: DateFormat}, Outcome<string | undefined>>[] = [
    // The 2026 switches: 2026-03-29 and 2026-10-25 at 01:00 UTC.
    {
      name: 'spring: the last winter second',
      input: {value: '2026-03-29T00:59:59Z', format: 'auto-iso'},
      expected: {value: '2026-03-29T01:59:59+01:00'},
    },
    {
      name: 'spring: the switch instant',
      input: {value: '2026-03-29T01:00:00Z', format: 'auto-iso'},
      expected: {value: '2026-03-29T03:00:00+02:00'},
    },
    {
      name: 'autumn: the last summer second',
      input: {value: '2026-10-25T00:59:59Z', format: 'auto-iso'},
      expected: {value: '2026-10-25T02:59:59+02:00'},
    },
    {
      name: 'autumn: the switch instant',
      input: {value: '2026-10-25T01:00:00Z', format: 'auto-iso'},
      expected: {value: '2026-10-25T02:00:00+01:00'},
    },
    {
      name: 'local: before the spring gap',
      input: {value: '2026-03-29 01:59:59', format: 'YYYY-MM-DD'},
      expected: {value: '2026-03-29T01:59:59+01:00'},
    },
    {
      name: 'local: the gap starts at 02:00',
      input: {value: '2026-03-29 02:00', format: 'YYYY-MM-DD'},
      expected: {problem: 'transform.date-time.dst-gap'},
    },
    {
      name: 'local: the gap ends at 02:59',
      input: {value: '2026-03-29 02:59:59', format: 'YYYY-MM-DD'},
      expected: {problem: 'transform.date-time.dst-gap'},
    },
    {
      name: 'local: after the gap',
      input: {value: '2026-03-29 03:00', format: 'YYYY-MM-DD'},
      expected: {value: '2026-03-29T03:00:00+02:00'},
    },
    {
      name: 'local: before the autumn overlap',
      input: {value: '2026-10-25 01:59', format: 'YYYY-MM-DD'},
      expected: {value: '2026-10-25T01:59:00+02:00'},
    },
    {
      name: 'local: the overlap takes summer time',
      input: {value: '2026-10-25 02:00', format: 'YYYY-MM-DD'},
      expected: {value: '2026-10-25T02:00:00+02:00', warning: 'transform.date-time.dst-ambiguous'},
    },
    {
      name: 'local: the end of the overlap',
      input: {value: '2026-10-25 02:59:59', format: 'YYYY-MM-DD'},
      expected: {value: '2026-10-25T02:59:59+02:00', warning: 'transform.date-time.dst-ambiguous'},
    },
    {
      name: 'local: after the overlap',
      input: {value: '2026-10-25 03:00', format: 'YYYY-MM-DD'},
      expected: {value: '2026-10-25T03:00:00+01:00'},
    },
    {
      name: 'winter',
      input: {value: '2026-01-15 08:30', format: 'YYYY-MM-DD'},
      expected: {value: '2026-01-15T08:30:00+01:00'},
    },
    {
      name: 'summer',
      input: {value: '2026-06-15T08:30', format: 'YYYY-MM-DD'},
      expected: {value: '2026-06-15T08:30:00+02:00'},
    },
    {
      name: '2024: the gap on 31 March',
      input: {value: '2024-03-31 02:30', format: 'YYYY-MM-DD'},
      expected: {problem: 'transform.date-time.dst-gap'},
    },
    {
      name: '2024: the overlap on 27 October',
      input: {value: '2024-10-27 02:30', format: 'YYYY-MM-DD'},
      expected: {value: '2024-10-27T02:30:00+02:00', warning: 'transform.date-time.dst-ambiguous'},
    },
    {
      name: '1990: summer ended in September',
      input: {value: '1990-10-15 12:00', format: 'YYYY-MM-DD'},
      expected: {value: '1990-10-15T12:00:00+01:00'},
    },
    {
      name: '1990: still summer on 29 September',
      input: {value: '1990-09-29 12:00', format: 'YYYY-MM-DD'},
      expected: {value: '1990-09-29T12:00:00+02:00'},
    },
    {
      name: '1996: summer until October',
      input: {value: '1996-10-15 12:00', format: 'YYYY-MM-DD'},
      expected: {value: '1996-10-15T12:00:00+02:00'},
    },
    {
      name: '1980: summer from 6 April',
      input: {value: '1980-03-30 12:00', format: 'YYYY-MM-DD'},
      expected: {value: '1980-03-30T12:00:00+01:00'},
    },
    {
      name: '1980: in summer time',
      input: {value: '1980-04-06 12:00', format: 'YYYY-MM-DD'},
      expected: {value: '1980-04-06T12:00:00+02:00'},
    },
    {
      name: '1975: no summer time',
      input: {value: '1975-07-01 12:00', format: 'YYYY-MM-DD'},
      expected: {value: '1975-07-01T12:00:00+01:00'},
    },
    {
      name: 'an offset is converted to Swedish time',
      input: {value: '2026-07-01T12:00:00-04:00', format: 'auto-iso'},
      expected: {value: '2026-07-01T18:00:00+02:00'},
    },
    {
      name: 'conversion crosses midnight and the year',
      input: {value: '2026-12-31T23:30:00Z', format: 'auto-iso'},
      expected: {value: '2027-01-01T00:30:00+01:00'},
    },
    {
      name: 'fractions of a second are kept',
      input: {value: '2026-01-15T08:30:00.250', format: 'auto-iso'},
      expected: {value: '2026-01-15T08:30:00.250+01:00'},
    },
    {
      name: 'D/M/YYYY with a one-digit hour',
      input: {value: '15/1/2026 8:30', format: 'D/M/YYYY'},
      expected: {value: '2026-01-15T08:30:00+01:00'},
    },
    {
      name: 'M/D/YYYY with seconds',
      input: {value: '6/15/2026 08:30:15', format: 'M/D/YYYY'},
      expected: {value: '2026-06-15T08:30:15+02:00'},
    },
    {
      name: 'DD.MM.YYYY',
      input: {value: '15.06.2026 08:30', format: 'DD.MM.YYYY'},
      expected: {value: '2026-06-15T08:30:00+02:00'},
    },
    {
      name: 'YYYYMMDD',
      input: {value: '20260615 08:30', format: 'YYYYMMDD'},
      expected: {value: '2026-06-15T08:30:00+02:00'},
    },
    {
      name: 'Excel serial with a time',
      input: {value: '46036.5', format: 'excel-serial'},
      expected: {value: '2026-01-14T12:00:00+01:00'},
    },
    {
      name: 'Excel time rounded to the second',
      input: {value: '46036.00001', format: 'excel-serial'},
      expected: {value: '2026-01-14T00:00:01+01:00'},
    },
    {
      name: 'Excel time rounding up to midnight is the next day',
      input: {value: '46036.999999999', format: 'excel-serial'},
      expected: {value: '2026-01-15T00:00:00+01:00'},
    },
    {
      name: 'Excel serial without a time: midnight',
      input: {value: '46036', format: 'excel-serial'},
      expected: {value: '2026-01-14T00:00:00+01:00', warning: 'transform.date-time.no-time'},
    },
    {
      name: 'no time: midnight with a warning',
      input: {value: '2026-01-15', format: 'YYYY-MM-DD'},
      expected: {value: '2026-01-15T00:00:00+01:00', warning: 'transform.date-time.no-time'},
    },
    {
      name: 'hour 24',
      input: {value: '2026-01-15 24:00', format: 'YYYY-MM-DD'},
      expected: {problem: 'transform.date-time.invalid-time'},
    },
    {
      name: 'minute 60',
      input: {value: '2026-01-15 12:60', format: 'YYYY-MM-DD'},
      expected: {problem: 'transform.date-time.invalid-time'},
    },
    {
      name: 'second 60',
      input: {value: '2026-01-15 12:00:60', format: 'YYYY-MM-DD'},
      expected: {problem: 'transform.date-time.invalid-time'},
    },
    {
      name: 'a time without minutes',
      input: {value: '2026-01-15 12', format: 'YYYY-MM-DD'},
      expected: {problem: 'transform.date.format'},
    },
    {
      name: 'an offset in a declared format',
      input: {value: '2026-01-15 12:00Z', format: 'YYYY-MM-DD'},
      expected: {problem: 'transform.date.format'},
    },
    {
      name: 'invalid date',
      input: {value: '2026-02-29 12:00', format: 'YYYY-MM-DD'},
      expected: {problem: 'transform.date.invalid'},
    },
    {
      name: 'past year 9999 after conversion',
      input: {value: '9999-12-31T23:30:00Z', format: 'auto-iso'},
      expected: {problem: 'transform.date.range'},
    },
    {name: 'absent', input: {value: undefined, format: 'auto-iso'}, expected: {value: undefined}},
  ]
  it.each(cases)('$name', ({input, expected}) => {
    expect(outcome(parseDateTime(input.value, {format: input.format, timeZone: 'Europe/Stockholm'}))).toEqual(expected)
  })

  it('the time zone defaults to Europe/Stockholm', () => {
    expect(parseDateTime('2026-06-15 08:30', {format: 'YYYY-MM-DD'})).toEqual({
      ok: true,
      value: '2026-06-15T08:30:00+02:00',
    })
  })

  it('agrees with the tz database for instants from 1970 to 2100', () => {
    // The tz database is exact for Sweden only from 1970 (before, it shares Berlin's history): compare from there.
    fc.assert(
      fc.property(
        fc.date({min: new Date('1970-01-01T00:00:00Z'), max: new Date('2100-12-31T00:00:00Z'), noInvalidDate: true}),
        (date) => {
          const iso = `${date.toISOString().slice(0, 19)}Z`
          const result = parseDateTime(iso, {format: 'auto-iso'})
          expect(result.ok && result.value?.slice(-6)).toBe(offsetOf(new Date(iso)))
        },
      ),
      {numRuns: 2000},
    )
  })

  it('switches when the tz database does, to the second, every year from 1980 to 2099', () => {
    for (let year = 1980; year < 2100; year++) {
      for (const month of ['03', '04', '09', '10']) {
        for (let day = 1; day <= 30; day++) {
          // Every day of the switching months at 00:59:59Z and 01:00:00Z, so each switch instant is hit from both sides.
          for (const time of ['00:59:59', '01:00:00']) {
            const iso = `${year}-${month}-${String(day).padStart(2, '0')}T${time}Z`
            const result = parseDateTime(iso, {format: 'auto-iso'})
            expect(result.ok && result.value?.slice(-6), iso).toBe(offsetOf(new Date(iso)))
          }
        }
      }
    }
  })

  it('round-trips local times that exist exactly once', () => {
    fc.assert(
      fc.property(
        fc.date({min: new Date('1970-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true}),
        (date) => {
          const local = date.toISOString().slice(0, 19)
          const result = parseDateTime(local, {format: 'auto-iso'})
          if (!result.ok) {
            expect(result.problem.code).toBe('transform.date-time.dst-gap')
            return
          }
          expect(result.value?.slice(0, 19)).toBe(local)
          // The instant written out must be the instant meant: re-parsing it with its offset changes nothing.
          expect(parseDateTime(result.value, {format: 'auto-iso'})).toEqual({ok: true, value: result.value})
        },
      ),
    )
  })
})

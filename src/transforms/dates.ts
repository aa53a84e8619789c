import {
  type CalendarDate,
  civilFromDays,
  daysFromCivil,
  firstSunday,
  formatIsoDate,
  isRealDate,
  lastSunday,
  pad2,
} from './calendar.js'
import {fail, ok, type TransformProblem, type TransformResult} from './types.js'

/**
 * The date layouts a column can declare. `D/M/YYYY` and `M/D/YYYY` cannot be told apart for days ≤ 12, which is why
 * a format is always declared per column and never guessed; `auto-iso` only accepts forms that mean one thing.
 */
export const DATE_FORMATS = [
  'YYYY-MM-DD',
  'YYYYMMDD',
  'D/M/YYYY',
  'M/D/YYYY',
  'DD.MM.YYYY',
  'excel-serial',
  'auto-iso',
] as const
export type DateFormat = (typeof DATE_FORMATS)[number]

/** Time zones `parseDateTime` can place local times in. Sweden's rule is built in, so no tz database is needed. */
export const TIME_ZONES = ['Europe/Stockholm'] as const
export type TimeZone = (typeof TIME_ZONES)[number]

export interface ParseDateOptions {
  format: DateFormat
}

export interface ParseDateTimeOptions {
  format: DateFormat
  /** The zone of times written without an offset. Default `Europe/Stockholm`. */
  timeZone?: TimeZone
}

interface Clock {
  hour: number
  minute: number
  second: number
  /** `.123` as written, or ''. */
  fraction: string
}

interface Parsed {
  date: CalendarDate
  time?: Clock
  /** Minutes east of UTC, when the text has an offset (`Z`, `+01:00`). */
  offset?: number
}

// Day, month and year group order of each declared layout.
const LAYOUTS: Record<Exclude<DateFormat, 'excel-serial'>, {pattern: string; order: [number, number, number]}> = {
  'YYYY-MM-DD': {pattern: '(\\d{4})-(\\d{2})-(\\d{2})', order: [1, 2, 3]},
  YYYYMMDD: {pattern: '(\\d{4})(\\d{2})(\\d{2})', order: [1, 2, 3]},
  'D/M/YYYY': {pattern: '(\\d{1,2})/(\\d{1,2})/(\\d{4})', order: [3, 2, 1]},
  'M/D/YYYY': {pattern: '(\\d{1,2})/(\\d{1,2})/(\\d{4})', order: [3, 1, 2]},
  'DD.MM.YYYY': {pattern: '(\\d{1,2})\\.(\\d{1,2})\\.(\\d{4})', order: [3, 2, 1]},
  'auto-iso': {pattern: '(\\d{4})-(\\d{2})-(\\d{2})', order: [1, 2, 3]},
}
const TIME = '(?:[Tt ](\\d{1,2}):(\\d{2})(?::(\\d{2})(\\.\\d+)?)?)'
const OFFSET = '([Zz]|[+-]\\d{2}:\\d{2})'
// Compiled once per (format, with time): these run for every cell of a column.
const DATE_ONLY = compile((pattern) => `^${pattern}$`)
const WITH_TIME = compile((pattern) => `^${pattern}${TIME}?$`)
const ISO_DATE_TIME = new RegExp(`^${LAYOUTS['auto-iso'].pattern}(?:${TIME}${OFFSET}?)?$`)
const EXCEL_SERIAL = /^(\d{1,7})(?:[.,](\d+))?$/
// Excel's 1900 date system: serial 1 is 1900-01-01, serial 60 the 1900-02-29 that never was.
const EXCEL_EPOCH = daysFromCivil(1899, 12, 30)
const EXCEL_FAKE_LEAP_DAY = 60
const EXCEL_MAX_SERIAL = 2_958_465
const DAY_SECONDS = 86_400

function compile(wrap: (pattern: string) => string): Record<string, RegExp> {
  return Object.fromEntries(Object.entries(LAYOUTS).map(([format, {pattern}]) => [format, new RegExp(wrap(pattern))]))
}

/**
 * Parses a date in the column's declared format to RFC 3339 full-date (`YYYY-MM-DD`), with real calendar validation
 * (leap years included).
 * - `YYYY-MM-DD`, `YYYYMMDD`: exactly that. `D/M/YYYY`, `M/D/YYYY`, `DD.MM.YYYY`: day and month may have one digit.
 * - `excel-serial`: Excel's 1900 date system (`45000` → `2023-03-15`). Serial 60 is Excel's non-existent 1900-02-29
 *   (a problem); serials before it are counted from 1899-12-31, later ones from 1899-12-30. A time part (`45000.5`)
 *   is truncated with the warning `transform.date.time-dropped`.
 * - `auto-iso`: the unambiguous ISO forms only: `YYYY-MM-DD`, `YYYY-MM-DD 00:00:00`, `YYYY-MM-DDT00:00:00(.000)`
 *   with or without `Z`/`±hh:mm`. The date is taken as written, without converting the offset, because a date-only
 *   field exported as midnight in some zone would otherwise move a day. A time other than midnight is dropped with
 *   the warning `transform.date.time-dropped`.
 * A value not in the format is `transform.date.format`; a date that does not exist is `transform.date.invalid`.
 * An absent or blank value stays absent.
 */
export function parseDate(value: string | undefined, options: ParseDateOptions): TransformResult<string | undefined> {
  if (value === undefined || value.trim() === '') return ok(undefined)
  const parsed = parseParts(value.trim(), options.format, false)
  if (!parsed.ok) return parsed
  const {date, time} = parsed.value
  const midnight =
    time === undefined || (time.hour === 0 && time.minute === 0 && time.second === 0 && !/[1-9]/.test(time.fraction))
  return ok(formatIsoDate(date), midnight ? undefined : {code: 'transform.date.time-dropped'})
}

/**
 * Parses a date and time in the column's declared format to an RFC 3339 date-time with the offset Swedish local time
 * had then: `2026-01-15 08:30` → `2026-01-15T08:30:00+01:00`, `2026-06-15 08:30` → `2026-06-15T08:30:00+02:00`.
 * - Every format may be followed by a time `H:MM`, `HH:MM:SS` or `HH:MM:SS.fff` (after a space or `T`); an Excel
 *   serial's fraction is its time, rounded to the second. A value with no time is midnight, with the warning
 *   `transform.date-time.no-time`.
 * - `auto-iso` also takes `Z` or `±hh:mm`: that instant is converted to Swedish local time, so output is always in
 *   `+01:00`/`+02:00`.
 * - Summer time (the EU rule): from the last Sunday of March to the last Sunday of October, switching at 01:00 UTC.
 *   Sweden's earlier rules are applied too (1980: from the first Sunday of April; 1980–1995: ending the last Sunday of
 *   September; before 1980: none — the single summer of 1916 is ignored). The rule is assumed to continue.
 * - The local hour skipped in March (02:00–02:59) does not exist: problem `transform.date-time.dst-gap`. The hour
 *   repeated in October (02:00–02:59) is taken as its first, summer-time occurrence (+02:00) with the warning
 *   `transform.date-time.dst-ambiguous`.
 * Fractions of a second are kept as written. An absent or blank value stays absent.
 */
export function parseDateTime(
  value: string | undefined,
  options: ParseDateTimeOptions,
): TransformResult<string | undefined> {
  if (value === undefined || value.trim() === '') return ok(undefined)
  const parsed = parseParts(value.trim(), options.format, true)
  if (!parsed.ok) return parsed
  const {date, offset} = parsed.value
  let warning: TransformProblem | undefined
  let time = parsed.value.time
  if (time === undefined) {
    time = {hour: 0, minute: 0, second: 0, fraction: ''}
    warning = {code: 'transform.date-time.no-time'}
  }

  const wall = daysFromCivil(date.year, date.month, date.day) * 1440 + time.hour * 60 + time.minute
  let utc: number
  if (offset !== undefined) {
    utc = wall - offset
  } else {
    const local = stockholmLocalToUtc(wall)
    if (local === 'gap') return fail('transform.date-time.dst-gap', {timeZone: 'Europe/Stockholm'})
    if (local.ambiguous) warning = {code: 'transform.date-time.dst-ambiguous', params: {timeZone: 'Europe/Stockholm'}}
    utc = local.utc
  }

  const zoneOffset = stockholmOffsetAt(utc)
  const localMinutes = utc + zoneOffset
  const localDate = civilFromDays(Math.floor(localMinutes / 1440))
  if (localDate.year < 1 || localDate.year > 9999) return fail('transform.date.range')
  const minuteOfDay = localMinutes - Math.floor(localMinutes / 1440) * 1440
  const clock = `${pad2(Math.floor(minuteOfDay / 60))}:${pad2(minuteOfDay % 60)}:${pad2(time.second)}${time.fraction}`
  return ok(`${formatIsoDate(localDate)}T${clock}+${pad2(zoneOffset / 60)}:00`, warning)
}

function parseParts(text: string, format: DateFormat, withTime: boolean): TransformResult<Parsed> {
  if (format === 'excel-serial') return parseExcelSerial(text, withTime)
  const match = (format === 'auto-iso' ? ISO_DATE_TIME : withTime ? WITH_TIME[format] : DATE_ONLY[format])?.exec(text)
  if (!match) return fail('transform.date.format', {format})
  const [y, m, d] = LAYOUTS[format].order
  const date = {year: Number(match[y]), month: Number(match[m]), day: Number(match[d])}
  if (!isRealDate(date.year, date.month, date.day)) return fail('transform.date.invalid')
  const parsed: Parsed = {date}
  if (match[4] !== undefined) {
    // Leap seconds (:60) and 24:00 are not accepted: SS 12000 consumers would have to handle them for nothing.
    if (Number(match[4]) > 23 || Number(match[5]) > 59 || Number(match[6] ?? 0) > 59) {
      return fail('transform.date-time.invalid-time')
    }
    parsed.time = {
      hour: Number(match[4]),
      minute: Number(match[5]),
      second: Number(match[6] ?? 0),
      fraction: match[7] ?? '',
    }
  }
  const offset = match[8]
  if (offset !== undefined) {
    if (offset === 'Z' || offset === 'z') parsed.offset = 0
    else {
      const hours = Number(offset.slice(1, 3))
      const minutes = Number(offset.slice(4, 6))
      if (hours > 23 || minutes > 59) return fail('transform.date.format', {format})
      parsed.offset = (offset.startsWith('-') ? -1 : 1) * (hours * 60 + minutes)
    }
  }
  return ok(parsed)
}

function parseExcelSerial(text: string, withTime: boolean): TransformResult<Parsed> {
  const match = EXCEL_SERIAL.exec(text)
  if (!match) return fail('transform.date.format', {format: 'excel-serial'})
  let serial = Number(match[1])
  const fraction = match[2]
  let seconds = fraction === undefined ? undefined : Math.round(Number(`0.${fraction}`) * DAY_SECONDS)
  if (seconds === DAY_SECONDS) {
    // A time that rounds up to 24:00 is the next day's midnight; a date alone is truncated, not rounded.
    if (withTime) {
      serial++
      seconds = 0
    } else {
      seconds = DAY_SECONDS - 1
    }
  }
  if (serial < 1 || serial > EXCEL_MAX_SERIAL) return fail('transform.date.range')
  if (serial === EXCEL_FAKE_LEAP_DAY) return fail('transform.date.excel-leap-day')
  const date = civilFromDays(EXCEL_EPOCH + (serial < EXCEL_FAKE_LEAP_DAY ? serial + 1 : serial))
  if (seconds === undefined) return ok({date})
  const time = {
    hour: Math.floor(seconds / 3600),
    minute: Math.floor(seconds / 60) % 60,
    second: seconds % 60,
    fraction: '',
  }
  return ok({date, time})
}

/** Start and end of summer time in `year`, in minutes since 1970-01-01T00:00Z; undefined for years without it. */
function summerTime(year: number): {start: number; end: number} | undefined {
  if (year < 1980) return undefined
  const startMonth = year === 1980 ? 4 : 3
  const startDay = year === 1980 ? firstSunday(year, 4) : lastSunday(year, 3)
  const endMonth = year <= 1995 ? 9 : 10
  // Both switches happen at 01:00 UTC (02:00 → 03:00 local in spring, 03:00 → 02:00 in autumn).
  return {
    start: daysFromCivil(year, startMonth, startDay) * 1440 + 60,
    end: daysFromCivil(year, endMonth, lastSunday(year, endMonth)) * 1440 + 60,
  }
}

/** Sweden's offset from UTC in minutes (60 or 120) at an instant given in minutes since 1970-01-01T00:00Z. */
function stockholmOffsetAt(utc: number): number {
  const range = summerTime(civilFromDays(Math.floor(utc / 1440)).year)
  return range !== undefined && utc >= range.start && utc < range.end ? 120 : 60
}

/**
 * The instant of a Swedish wall-clock time (minutes since 1970-01-01T00:00 as if it were UTC): a time is valid in
 * the offset that the resulting instant really has. Both valid: the October overlap; neither: the March gap.
 */
function stockholmLocalToUtc(wall: number): {utc: number; ambiguous: boolean} | 'gap' {
  const summer = stockholmOffsetAt(wall - 120) === 120
  const winter = stockholmOffsetAt(wall - 60) === 60
  if (summer) return {utc: wall - 120, ambiguous: winter}
  if (winter) return {utc: wall - 60, ambiguous: false}
  return 'gap'
}

/**
 * Proleptic Gregorian calendar arithmetic for the transforms, without `Date`: its two-digit-year rule and silent
 * overflow (Feb 30 → Mar 2) would accept bad dates, and its local-time methods depend on the machine's time zone.
 */

import type {TransformContext} from './types.js'

/** A calendar date; `month` and `day` are 1-based. */
export interface CalendarDate {
  year: number
  month: number
  day: number
}

/** True for Gregorian leap years. */
export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0
}

/** The number of days in `month` (1–12) of `year`. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31
}

/** True if the parts name a real date in the years 0001–9999, the range RFC 3339 full-date can write. */
export function isRealDate(year: number, month: number, day: number): boolean {
  return (
    Number.isInteger(year) &&
    Number.isInteger(month) &&
    Number.isInteger(day) &&
    year >= 1 &&
    year <= 9999 &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month)
  )
}

/** `YYYY-MM-DD`. */
export function formatIsoDate({year, month, day}: CalendarDate): string {
  return `${String(year).padStart(4, '0')}-${pad2(month)}-${pad2(day)}`
}

/** Parses a strict `YYYY-MM-DD` that is a real date; anything else is undefined. */
export function parseIsoDate(text: string): CalendarDate | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text)
  if (!match) return undefined
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])]
  return isRealDate(year, month, day) ? {year, month, day} : undefined
}

/**
 * The reference date of a transform context.
 * @throws RangeError if it is not a real `YYYY-MM-DD` date: that is a caller bug (the config layer checks it), not a
 * problem with a cell, so it must not turn into one issue per row.
 */
export function referenceDateOf(ctx: TransformContext): CalendarDate {
  const date = parseIsoDate(ctx.referenceDate)
  if (!date)
    throw new RangeError(`TransformContext.referenceDate must be a real YYYY-MM-DD date, got '${ctx.referenceDate}'`)
  return date
}

/** Days since 1970-01-01 (negative before it). Howard Hinnant's `days_from_civil`. */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year
  const era = Math.floor(y / 400)
  const yearOfEra = y - era * 400
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear
  return era * 146_097 + dayOfEra - 719_468
}

/** The date `days` after 1970-01-01. Howard Hinnant's `civil_from_days`. */
export function civilFromDays(days: number): CalendarDate {
  const z = days + 719_468
  const era = Math.floor(z / 146_097)
  const dayOfEra = z - era * 146_097
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365,
  )
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100))
  const mp = Math.floor((5 * dayOfYear + 2) / 153)
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1
  const month = mp < 10 ? mp + 3 : mp - 9
  return {year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day}
}

/** The day of the month of the last Sunday of `month`. */
export function lastSunday(year: number, month: number): number {
  const last = daysInMonth(year, month)
  // 1970-01-01 was a Thursday: (days + 4) mod 7 is 0 on Sundays.
  const weekday = (((daysFromCivil(year, month, last) + 4) % 7) + 7) % 7
  return last - weekday
}

/** The day of the month of the first Sunday of `month`. */
export function firstSunday(year: number, month: number): number {
  const weekday = (((daysFromCivil(year, month, 1) + 4) % 7) + 7) % 7
  return 1 + ((7 - weekday) % 7)
}

/** Two digits, zero-padded. */
export function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n)
}

import type {SEXES} from '../schema/code-lists.js'
import {type CivicNumberCheck, type CivicNumberKind, checkCivicNumber} from '../validation/identity.js'
import {referenceDateOf} from './calendar.js'
import {fail, ok, type TransformContext, type TransformProblem, type TransformResult} from './types.js'

/** A civic number in SS 12000's form, with what it says about its holder. */
export interface CivicNumber {
  /** 12 characters, no separator: `YYYYMMDDNNNC` (temporary numbers: letters at positions 9–10). */
  value: string
  kind: CivicNumberKind
  /** `YYYY-MM-DD`; for a samordningsnummer the day minus 60. */
  birthDate: string
}

export interface NormalizeCivicNumberOptions {
  /** Accept school-register temporary numbers (letters at positions 9–10). Default true. */
  allowTemporary?: boolean
}

// Positions 9–10 may hold letters (temporary numbers); the case is fixed below, with a warning.
const LONG_FORM = /^(\d{8})([-+]?)([0-9A-Za-z]{2}\d{2})$/
const SHORT_FORM = /^(\d{2})(\d{2})(\d{2})([-+]?)([0-9A-Za-z]{2}\d{2})$/
// A YYMMDDNNNN born in a year ending 00–09 loses one to three leading zeros when Excel stores it as a number.
const ZEROS_LOST = /^\d{7,9}$/
const SAMORDNING_DAY_OFFSET = 60

/**
 * Normalises a civic number (personnummer, samordningsnummer or temporary number) to SS 12000's 12 characters.
 *
 * Accepted layouts: `YYYYMMDD-NNNN`, `YYYYMMDD+NNNN`, `YYYYMMDDNNNN`, `YYMMDD-NNNN`, `YYMMDD+NNNN`, `YYMMDDNNNN`.
 * - Century of a 6-digit date: the latest year ending in YY whose date (samordningsnummer: day − 60) is not after
 *   `ctx.referenceDate`, so the person is 0–99 years old on that date; `+` (Skatteverket's mark for 100 or older)
 *   goes back one more century. On 2026-08-17, `260817-…` is 2026 (age 0), `260818-…` is 1926 (age 99), `260817+…`
 *   is 1926 and `260818+…` is 1826. With an 8-digit year the separator is ignored: the year says it all.
 * - 7 to 9 digits: a YYMMDDNNNN whose leading zeros Excel dropped (`101011234` was `0101011234`); padded back to 10
 *   digits with the warning `transform.civic-no.leading-zeros`. The date and check digit still have to be right.
 *   11 digits are a problem: a 12-digit number never loses a zero (years 0xxx do not occur) and a 10-digit one cannot
 *   gain one, so a digit was mistyped.
 * - Samordningsnummer keep their day + 60 in the value; `birthDate` has the real day.
 * - Temporary numbers (`20130101TF01`, `20130101-TF01`) have no check digit; lower-case letters are upper-cased with
 *   the warning `transform.civic-no.lower-case`. With `allowTemporary: false` they are a problem.
 * The result is checked with `checkCivicNumber`: a date that does not exist and a wrong Luhn check digit are problems.
 * An absent or blank value stays absent.
 * @throws RangeError if `ctx.referenceDate` is not a real date (a caller bug).
 */
export function normalizeCivicNumber(
  value: string | undefined,
  ctx: TransformContext,
  options: NormalizeCivicNumberOptions = {},
): TransformResult<CivicNumber | undefined> {
  if (value === undefined || value.trim() === '') return ok(undefined)
  const text = value.trim()
  let warning: TransformProblem | undefined

  let digits = text
  if (ZEROS_LOST.test(text)) {
    digits = text.padStart(10, '0')
    warning = {code: 'transform.civic-no.leading-zeros'}
  }

  let date8: string
  let tail: string
  const long = LONG_FORM.exec(digits)
  const short = long ? null : SHORT_FORM.exec(digits)
  if (long) {
    date8 = long[1] ?? ''
    tail = long[3] ?? ''
  } else if (short) {
    const [yy, mm, dd, separator] = [short[1] ?? '', short[2] ?? '', short[3] ?? '', short[4] ?? '']
    tail = short[5] ?? ''
    const temporary = !/^\d{2}/.test(tail)
    const year = centuryYear(Number(yy), Number(mm), birthDay(Number(dd), temporary), separator === '+', ctx)
    if (year < 1) return fail('transform.civic-no.date')
    date8 = `${String(year).padStart(4, '0')}${mm}${dd}`
  } else {
    return fail('transform.civic-no.format')
  }

  if (!/^\d{2}/.test(tail)) {
    if (options.allowTemporary === false) return fail('transform.civic-no.temporary')
    const upper = tail.toUpperCase()
    if (upper !== tail) {
      tail = upper
      warning = {code: 'transform.civic-no.lower-case'}
    }
  }

  const civic = date8 + tail
  const check = checkCivicNumber(civic)
  if (!check.ok) return failCheck(check)
  return ok({value: civic, kind: check.kind, birthDate: check.birthDate}, warning)
}

/** The day of birth a number's day stands for: a samordningsnummer adds 60, a temporary number does not. */
function birthDay(rawDay: number, temporary: boolean): number {
  return !temporary && rawDay > SAMORDNING_DAY_OFFSET ? rawDay - SAMORDNING_DAY_OFFSET : rawDay
}

/**
 * The latest year ending in `yy` whose (month, day) is not after the reference date; one century earlier for `+`.
 * Compares (month, day) as numbers, so an impossible date still gets a year and the date check names the problem.
 */
function centuryYear(yy: number, month: number, day: number, hundredOrOlder: boolean, ctx: TransformContext): number {
  const reference = referenceDateOf(ctx)
  let year = reference.year - ((((reference.year - yy) % 100) + 100) % 100)
  if (year === reference.year && month * 100 + day > reference.month * 100 + reference.day) year -= 100
  return hundredOrOlder ? year - 100 : year
}

function failCheck(check: Extract<CivicNumberCheck, {ok: false}>): TransformResult<never> {
  switch (check.problem) {
    case 'date':
      return fail('transform.civic-no.date')
    case 'checksum':
      return fail('transform.civic-no.checksum')
    default:
      // empty, separator, length, characters: not the 12-character form at all.
      return fail('transform.civic-no.format')
  }
}

/**
 * The birth date (`YYYY-MM-DD`) in a 12-character civic number (as `normalizeCivicNumber` returns it): the date part,
 * with 60 subtracted from a samordningsnummer's day. Temporary numbers give the date they were made with. A value
 * that is not a valid 12-character number is a problem; an absent value stays absent.
 */
export function deriveBirthDate(civic12: string | undefined): TransformResult<string | undefined> {
  if (civic12 === undefined || civic12.trim() === '') return ok(undefined)
  const check = checkCivicNumber(civic12.trim())
  return check.ok ? ok(check.birthDate) : failCheck(check)
}

export type CivicNumberSex = Extract<(typeof SEXES)[number], 'Man' | 'Kvinna'>

/**
 * SS 12000 `sex` from a 12-character personnummer or samordningsnummer: the second-to-last digit is odd for men
 * (`Man`) and even for women (`Kvinna`). A temporary number carries no such digit: problem `transform.sex.temporary`.
 *
 * This is what the number says, not necessarily what the person is: the number is not always changed with the legal
 * gender, and Swedish proposals for a reformed personnummer (more numbers per day) drop the sex digit, so numbers
 * issued from about 2026 on may not carry sex at all. Prefer a sex column when the export has one.
 */
export function deriveSex(civic12: string | undefined): TransformResult<CivicNumberSex | undefined> {
  if (civic12 === undefined || civic12.trim() === '') return ok(undefined)
  const value = civic12.trim()
  const check = checkCivicNumber(value)
  if (!check.ok) return failCheck(check)
  if (check.kind === 'temporary') return fail('transform.sex.temporary')
  return ok(Number(value.charAt(10)) % 2 === 1 ? 'Man' : 'Kvinna')
}

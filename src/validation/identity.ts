/**
 * Swedish identity numbers and codes as they appear in SS 12000:2020 data: civic numbers (personnummer,
 * samordningsnummer, school-register temporary numbers), organisation numbers, school unit codes and municipality codes.
 * Everything here is pure so that validation results do not depend on the clock or the environment.
 */

import {isRealDate} from '../transforms/calendar.js'

export type CivicNumberKind = 'personnummer' | 'samordningsnummer' | 'temporary'

export type CivicNumberProblem =
  /** '' or only whitespace. */
  | 'empty'
  /** Contains '-', '+' or whitespace; SS 12000 wants 12 characters without a separator. */
  | 'separator'
  /** Not 12 characters long. */
  | 'length'
  /** Characters other than digits, or other than upper-case letters at positions 9–10. */
  | 'characters'
  /** The date part (after subtracting 60 from a samordningsnummer's day) is not a real calendar date. */
  | 'date'
  /** The Luhn check digit does not match. */
  | 'checksum'

export type CivicNumberCheck =
  | {ok: true; kind: CivicNumberKind; birthDate: string}
  | {
      ok: false
      problem: CivicNumberProblem
      /** For 'checksum': the check digit the first 11 characters call for. */
      expectedCheckDigit?: number
      /**
       * For 'separator': the value with separators removed, when that leaves exactly 12 characters.
       * For 'characters': the upper-cased value, when lower-case letters at positions 9–10 were the only fault.
       */
      suggestion?: string
    }

export type OrganisationNumberCheck =
  | {ok: true; kind: 'legal-entity' | 'personal'; normalized: string}
  | {ok: false; problem: 'empty' | 'length' | 'characters' | 'checksum'}

export type CodeCheck = {ok: true} | {ok: false; problem: 'empty' | 'length' | 'characters'}

const SAMORDNING_DAY_OFFSET = 60

// Positions 9–10 may hold letters in temporary numbers; everything else must be digits.
const CIVIC_SHAPE = /^[0-9]{8}[0-9A-Z]{2}[0-9]{2}$/
const CIVIC_SEPARATORS = /[-+\s]/g

function isDigits(value: string): boolean {
  return /^[0-9]+$/.test(value)
}

function formatDate(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`
}

/**
 * Computes the Luhn (mod 10) check digit for `digits`, which must not include the check digit itself.
 * Weights are 2,1,2,1,… from the left, as in Swedish personnummer and organisationsnummer.
 * @throws RangeError if `digits` contains anything but 0–9.
 */
export function luhnCheckDigit(digits: string): number {
  if (!/^[0-9]*$/.test(digits)) throw new RangeError(`luhnCheckDigit expects only digits, got '${digits}'`)
  let sum = 0
  for (let i = 0; i < digits.length; i++) {
    const product = Number(digits[i]) * (i % 2 === 0 ? 2 : 1)
    // Digit sum of a product of at most 18.
    sum += product > 9 ? product - 9 : product
  }
  return (10 - (sum % 10)) % 10
}

/** True if `digits` is all digits, at least 2 long, and its last digit is the Luhn check digit of the rest. */
export function hasValidLuhn(digits: string): boolean {
  if (digits.length < 2 || !isDigits(digits)) return false
  return luhnCheckDigit(digits.slice(0, -1)) === Number(digits.slice(-1))
}

/**
 * Checks a `civicNo.value` against SS 12000's 12-character form `YYYYMMDDNNNC`, recognising samordningsnummer
 * (day + 60) and school-register temporary numbers (letters at positions 9–10, no check digit).
 * Problems are reported in the order empty, separator, length, characters, date, checksum: the first one found wins.
 */
export function checkCivicNumber(value: string): CivicNumberCheck {
  if (value.trim() === '') return {ok: false, problem: 'empty'}

  if (/[-+\s]/.test(value)) {
    const stripped = value.replace(CIVIC_SEPARATORS, '')
    return stripped.length === 12
      ? {ok: false, problem: 'separator', suggestion: stripped}
      : {ok: false, problem: 'separator'}
  }

  if (value.length !== 12) return {ok: false, problem: 'length'}

  if (!CIVIC_SHAPE.test(value)) {
    const upper = value.toUpperCase()
    // Only offer the fix when case was the whole problem; upper-casing elsewhere would not help.
    return CIVIC_SHAPE.test(upper)
      ? {ok: false, problem: 'characters', suggestion: upper}
      : {ok: false, problem: 'characters'}
  }

  const year = Number(value.slice(0, 4))
  const month = Number(value.slice(4, 6))
  const rawDay = Number(value.slice(6, 8))
  const temporary = !isDigits(value.slice(8, 10))

  if (temporary) {
    if (!isRealDate(year, month, rawDay)) return {ok: false, problem: 'date'}
    return {ok: true, kind: 'temporary', birthDate: formatDate(year, month, rawDay)}
  }

  // Day 60 is neither a personnummer day nor a samordningsnummer day (it would be day 0).
  const samordning = rawDay > SAMORDNING_DAY_OFFSET
  const day = samordning ? rawDay - SAMORDNING_DAY_OFFSET : rawDay
  if (!isRealDate(year, month, day)) return {ok: false, problem: 'date'}

  const luhnPart = value.slice(2)
  if (!hasValidLuhn(luhnPart)) {
    return {ok: false, problem: 'checksum', expectedCheckDigit: luhnCheckDigit(luhnPart.slice(0, -1))}
  }
  return {ok: true, kind: samordning ? 'samordningsnummer' : 'personnummer', birthDate: formatDate(year, month, day)}
}

/**
 * Checks an organisationsnummer: `NNNNNN-NNNN` (dash optional) or the 12-digit `16NNNNNNNNNN` form (dash optional
 * before the last four). A third digit below 2 means a sole trader's personnummer-based number: valid, kind 'personal'.
 * Surrounding whitespace is ignored.
 */
export function checkOrganisationNumber(value: string): OrganisationNumberCheck {
  const trimmed = value.trim()
  if (trimmed === '') return {ok: false, problem: 'empty'}
  if (!/^[0-9-]+$/.test(trimmed)) return {ok: false, problem: 'characters'}

  const dashes = trimmed.split('-').length - 1
  if (dashes > 1) return {ok: false, problem: 'characters'}
  const digits = trimmed.replace('-', '')
  const dashAt = trimmed.indexOf('-')
  // The dash goes before the last four digits: after six digits, or after eight in the 16-prefixed form.
  if (dashes === 1 && dashAt !== 6 && !(dashAt === 8 && digits.startsWith('16'))) {
    return {ok: false, problem: 'characters'}
  }

  let core: string
  if (digits.length === 10) core = digits
  else if (digits.length === 12 && digits.startsWith('16')) core = digits.slice(2)
  else return {ok: false, problem: 'length'}

  if (!hasValidLuhn(core)) return {ok: false, problem: 'checksum'}
  return {
    ok: true,
    kind: Number(core[2]) >= 2 ? 'legal-entity' : 'personal',
    normalized: `${core.slice(0, 6)}-${core.slice(6)}`,
  }
}

function checkDigitCode(value: string, length: number): CodeCheck {
  if (value.trim() === '') return {ok: false, problem: 'empty'}
  if (!isDigits(value)) return {ok: false, problem: 'characters'}
  if (value.length !== length) return {ok: false, problem: 'length'}
  return {ok: true}
}

/** Checks a skolenhetskod (school unit code): exactly 8 digits, no whitespace. */
export function checkSchoolUnitCode(value: string): CodeCheck {
  return checkDigitCode(value, 8)
}

/** Checks `Organisation.municipalityCode`: exactly 4 digits as a string, so '0180' keeps its leading zero. */
export function checkMunicipalityCode(value: string): CodeCheck {
  return checkDigitCode(value, 4)
}

// Masking is deliberately more lenient than checking (lower-case letters too): anything shaped like a civic number is
// hidden, valid or not, because a mistyped number still identifies a person.
const MASK_FORMS: ReadonlyArray<{pattern: RegExp; datePart: number; separatorAt?: number}> = [
  {pattern: /^[0-9]{8}[0-9A-Za-z]{2}[0-9]{2}$/, datePart: 8},
  {pattern: /^[0-9]{8}[-+][0-9A-Za-z]{2}[0-9]{2}$/, datePart: 8, separatorAt: 8},
  {pattern: /^[0-9]{10}$/, datePart: 6},
  {pattern: /^[0-9]{6}[-+][0-9]{4}$/, datePart: 6, separatorAt: 6},
]

/**
 * Masks a civic number for output, keeping only the date part: '200112241234' → '20011224-****',
 * '011224-1234' → '011224-****'. A '+' separator (100 years or older) is kept, since it belongs to the date.
 * Anything not shaped like a civic number keeps its first 2 characters if at least 6 long, else becomes '****'.
 */
export function maskCivicNumber(value: string): string {
  const trimmed = value.trim()
  for (const form of MASK_FORMS) {
    if (form.pattern.test(trimmed)) {
      const separator = form.separatorAt === undefined ? '-' : trimmed.charAt(form.separatorAt)
      return `${trimmed.slice(0, form.datePart)}${separator}****`
    }
  }
  const chars = Array.from(value)
  return chars.length >= 6 ? `${chars.slice(0, 2).join('')}${'*'.repeat(chars.length - 2)}` : '****'
}

const MONTH = '(?:0[1-9]|1[0-2])'
// Days 01–31 and samordningsnummer days 61–91.
const DAY = '(?:0[1-9]|[12][0-9]|3[01]|6[1-9]|[78][0-9]|9[01])'
const UUID = '[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}'
const LONG_FORM = `[0-9]{4}${MONTH}${DAY}[-+]?[0-9A-Z]{2}[0-9]{2}`
const SHORT_FORM = `[0-9]{2}${MONTH}${DAY}[-+]?[0-9]{4}`
// Not glued to a word, not the fraction of a decimal or part of a time, and not the head of a longer dashed token.
const BEFORE = '(?<![\\p{L}\\p{N}_])(?<!\\p{N}[.,:])'
const AFTER = '(?![\\p{L}\\p{N}_])(?![.,:]\\p{N})(?!-[\\p{L}\\p{N}])'
// UUIDs are matched first and passed through, so their all-digit final segment is never mistaken for a number.
const TEXT_PATTERN = new RegExp(`${BEFORE}(${UUID})${AFTER}|${BEFORE}(?:${LONG_FORM}|${SHORT_FORM})${AFTER}`, 'gu')

/**
 * Masks every civic-number-shaped substring of `text` (YYYYMMDDNNNN, YYYYMMDD-NNNN, YYMMDD-NNNN, YYMMDDNNNN, and
 * temporary numbers with upper-case letters at positions 9–10), leaving UUIDs, ISO dates, times and other numbers.
 * A month of 01–12 and a day of 01–31 or 61–91 are required so that ordinary numbers are mostly left alone.
 */
export function maskCivicNumbersInText(text: string): string {
  return text.replace(TEXT_PATTERN, (match: string, uuid: string | undefined) =>
    uuid === undefined ? maskCivicNumber(match) : match,
  )
}

function parseIsoDate(value: string): {year: number; month: number; day: number} | undefined {
  const match = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/.exec(value)
  if (!match) return undefined
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])]
  return isRealDate(year, month, day) ? {year, month, day} : undefined
}

/**
 * Builds a valid 12-character civic number for fictional test data.
 * @param birthDate 'YYYY-MM-DD', a real calendar date.
 * @param serial birth serial 0–999, written as 3 digits.
 * @param options.samordningsnummer adds 60 to the day.
 * @throws RangeError on a bad date or serial.
 */
export function makeCivicNumber(birthDate: string, serial: number, options?: {samordningsnummer?: boolean}): string {
  const date = parseIsoDate(birthDate)
  if (!date) throw new RangeError(`makeCivicNumber: '${birthDate}' is not a real YYYY-MM-DD date`)
  if (!Number.isInteger(serial) || serial < 0 || serial > 999) {
    throw new RangeError(`makeCivicNumber: serial must be an integer 0–999, got ${serial}`)
  }
  const day = date.day + (options?.samordningsnummer ? SAMORDNING_DAY_OFFSET : 0)
  const body =
    String(date.year).padStart(4, '0') +
    String(date.month).padStart(2, '0') +
    String(day).padStart(2, '0') +
    String(serial).padStart(3, '0')
  return body + luhnCheckDigit(body.slice(2))
}

/**
 * Builds a valid organisationsnummer 'NNNNNN-NNNN' from its first 9 digits by appending the Luhn check digit.
 * @throws RangeError unless `nineDigits` is exactly 9 digits.
 */
export function makeOrganisationNumber(nineDigits: string): string {
  if (!/^[0-9]{9}$/.test(nineDigits)) {
    throw new RangeError(`makeOrganisationNumber expects exactly 9 digits, got '${nineDigits}'`)
  }
  const full = nineDigits + luhnCheckDigit(nineDigits)
  return `${full.slice(0, 6)}-${full.slice(6)}`
}

/**
 * A streaming column profiler for `ss12000 inspect`: per column it counts fill rate and distinct values, keeps a few
 * (masked) examples and detects what kind of data the column holds, so that the user can write or pick a mapping.
 *
 * Pure: no I/O, no clock, no randomness. Memory is bounded by `headers × distinctCap` strings whatever the row count,
 * because every other piece of state is a counter or a map keyed by a fixed set of format labels.
 */

import {isRealDate} from '../transforms/calendar.js'
import {checkCivicNumber, hasValidLuhn, maskCivicNumber, maskCivicNumbersInText} from '../validation/identity.js'

/** What a column (or a single value) holds. */
export type ColumnKind =
  | 'personnummer'
  | 'date'
  | 'datetime'
  | 'email'
  | 'phone'
  | 'schoolUnitCode'
  | 'integer'
  | 'decimal'
  | 'percent'
  | 'boolean'
  | 'classCode'
  | 'text'
  | 'empty'

/** The profile of one column. */
export interface ColumnProfile {
  /** The header. */
  name: string
  /** 1-based column. */
  index: number
  /** Rows with a value in this column. */
  filled: number
  /** Rows seen. */
  rows: number
  /** `filled / rows` (0..1); 0 when no rows were seen. */
  fillRate: number
  /** Distinct values, exact up to the cap; see `distinctCapped`. */
  distinct: number
  /** True when there were more distinct values than the cap; `distinct` is then the cap (show it as "10,000+"). */
  distinctCapped: boolean
  /**
   * Up to `exampleCount` distinct values in first-seen order, masked unless `reveal` (see `maskExample`).
   */
  examples: string[]
  /** The dominant kind: the first in priority order that at least 90 % of the filled values match; see the module. */
  kind: ColumnKind
  /**
   * The share of filled values that match `kind` (0..1). For 'text' it is the share of values that look like nothing
   * more specific (a low value means a mixed column); for 'empty' it is 0.
   */
  confidence: number
  /** The variants of `kind` seen, most frequent first (labels in `COLUMN_FORMATS`). */
  formats: string[]
  /** Personnummer columns only: values shaped like civic numbers that fail `checkCivicNumber` (date or checksum). */
  invalid?: number
  /** Shortest and longest value in characters (code points); 0 when the column has no values. */
  minLength: number
  maxLength: number
}

/** Feeds rows in one at a time; `result()` may be called at any point and does not change the profiler. */
export interface ColumnProfiler {
  add(row: Record<string, string | undefined>): void
  result(): ColumnProfile[]
}

/** Options for `createColumnProfiler`. */
export interface ColumnProfilerOptions {
  /** Show examples unmasked (`--reveal`). */
  reveal?: boolean
  /** How many distinct values to count exactly per column; default 10,000. */
  distinctCap?: number
  /** How many examples to keep per column; default 5. */
  exampleCount?: number
}

/** What `detectValueKind` says about one value. */
export interface ValueKind {
  kind: ColumnKind
  /** The variant, one of the labels in `COLUMN_FORMATS`; absent for plain text, e-mail and empty values. */
  format?: string
  /** Personnummer only: a samordningsnummer (day + 60) or a temporary number with letters. */
  variant?: string
}

/** Context for classifying a single value: the column header switches on the Excel-serial and percent hints. */
export interface ValueContext {
  header?: string
}

/** Every format label the profiler reports, by kind, so that callers and docs can refer to them. */
export const COLUMN_FORMATS = {
  personnummer: {
    longDash: 'YYYYMMDD-NNNN',
    longPlus: 'YYYYMMDD+NNNN',
    shortDash: 'YYMMDD-NNNN',
    shortPlus: 'YYMMDD+NNNN',
    long: 'YYYYMMDDNNNN',
    short: 'YYMMDDNNNN',
    samordningsnummer: 'samordningsnummer',
    temporary: 'with letters (temporary)',
  },
  date: {
    iso: 'YYYY-MM-DD',
    compact: 'YYYYMMDD',
    slashAmbiguous: 'D/M/YYYY or M/D/YYYY',
    dayFirst: 'D/M/YYYY',
    monthFirst: 'M/D/YYYY',
    dotted: 'DD.MM.YYYY',
    excelSerial: 'Excel serial',
  },
  datetime: {
    seconds: 'YYYY-MM-DD HH:MM:SS',
    minutes: 'YYYY-MM-DD HH:MM',
    iso: 'YYYY-MM-DDTHH:MM:SS (ISO 8601)',
  },
  phone: {
    mobile: '070-123 45 67 (Swedish mobile)',
    mobileDigits: '0701234567 (Swedish mobile, digits only)',
    landline: '08-123 456 78 (Swedish landline)',
    landlineDigits: '081234567 (Swedish landline, digits only)',
    plus46: '+46…',
    zero046: '0046…',
    international: '+… or 00… (other country)',
  },
  percent: {
    sign: '50 %',
    signTight: '50%',
    fraction: '0.5',
    number: '50',
  },
  boolean: {
    jaNej: 'Ja/Nej',
    jN: 'J/N',
    trueFalse: 'true/false',
    santFalskt: 'Sant/Falskt',
    yesNo: 'Yes/No',
    zeroOne: '1/0',
    x: 'x',
  },
  schoolUnitCode: {digits: '8 digits'},
  classCode: {
    grade: 'grade + letters (7A, FA)',
    range: 'grade range (1-3A)',
    fklass: 'F-klass',
    programme: 'programme + year (NA21b)',
  },
  integer: {
    plain: '123',
    signed: '-123 (signed)',
    grouped: '1 234 (space-grouped)',
  },
  decimal: {
    point: '3.5',
    comma: '3,5',
    groupedPoint: '1 234.5 (space-grouped)',
    groupedComma: '1 234,5 (space-grouped)',
    whole: 'whole number',
  },
  text: {leadingZeros: 'code with leading zeros'},
} as const

const F = COLUMN_FORMATS
// An integer 0 or 1 under a percent header: a fraction or a number, decided per column (see percentFormats).
const PERCENT_ZERO_OR_ONE = '0 or 1'
// No format label (e-mail): counted, never reported.
const NO_FORMAT = ''

const DEFAULT_DISTINCT_CAP = 10_000
const DEFAULT_EXAMPLE_COUNT = 5
// Longer than any structured value we detect (an e-mail address is at most 254), so such values are text at once.
const MAX_STRUCTURED_LENGTH = 254

const MONTH = '(?:0[1-9]|1[0-2])'
// Days 01–31 and samordningsnummer days 61–91.
const CIVIC_DAY = '(?:0[1-9]|[12][0-9]|3[01]|6[1-9]|[78][0-9]|9[01])'
const CENTURY = '(?:18|19|20)'
const ALL_DIGITS = /^[0-9]+$/
const CIVIC_LONG_DIGITS = new RegExp(`^${CENTURY}[0-9]{2}${MONTH}${CIVIC_DAY}[0-9]{4}$`)
const CIVIC_SHORT_DIGITS = new RegExp(`^[0-9]{2}${MONTH}${CIVIC_DAY}[0-9]{4}$`)
// Only used on values that are not all digits, so an empty separator means letters at positions 9–10.
const CIVIC_LONG_MARKED = new RegExp(`^(${CENTURY}[0-9]{2}${MONTH}${CIVIC_DAY})([-+]?)([0-9]{4}|[A-Z]{2}[0-9]{2})$`)
const CIVIC_SHORT_MARKED = new RegExp(`^([0-9]{2}${MONTH}${CIVIC_DAY})([-+])([0-9]{4})$`)

const ISO_DATE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/
const ISO_DATETIME =
  /^([0-9]{4})-([0-9]{2})-([0-9]{2})([ T])([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:[.,][0-9]{1,9})?)?(?:Z|[+-][0-9]{2}(?::?[0-9]{2})?)?$/
const SLASH_DATE = /^([0-9]{1,2})\/([0-9]{1,2})\/([0-9]{4})$/
const DOTTED_DATE = /^([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})$/

const LOCAL_CHAR = "[\\p{L}\\p{N}!#$%&'*+/=?^_`{|}~-]"
// Separators between the parts are required, so the repetitions cannot split a string in more than one way.
const EMAIL = new RegExp(
  `^${LOCAL_CHAR}+(?:\\.${LOCAL_CHAR}+)*@(?:[\\p{L}\\p{N}](?:[\\p{L}\\p{N}-]{0,61}[\\p{L}\\p{N}])?\\.)+\\p{L}{2,63}$`,
  'u',
)

const GROUP_SPACE = '[ \\u00A0\\u202F]'
const SIGNED_INTEGER = /^[-+](?:0|[1-9][0-9]*)$/
const GROUPED_INTEGER = new RegExp(`^[-+]?[1-9][0-9]{0,2}(?:${GROUP_SPACE}[0-9]{3})+$`)
const DECIMAL = new RegExp(`^[-+]?(?:[0-9]+|([1-9][0-9]{0,2}(?:${GROUP_SPACE}[0-9]{3})+))([.,])[0-9]+$`)
const PERCENT_SIGN = new RegExp(
  `^[-+]?(?:[0-9]+|[1-9][0-9]{0,2}(?:${GROUP_SPACE}[0-9]{3})+)(?:[.,][0-9]+)?(${GROUP_SPACE}?)%$`,
)
const GROUP_SPACES = /[ \u00A0\u202F]/g

// Area code (optionally in parentheses), an optional separator, then the subscriber number in one block or in groups.
const NATIONAL_PHONE =
  /^(?:0[1-9][0-9]{0,3}|\(0[1-9][0-9]{0,3}\))(?: ?- ?| |\/)?(?:[0-9]{5,8}|[0-9]{2,3}(?:[ -][0-9]{2,3}){1,3})$/
const INTERNATIONAL_PHONE = /^(?:\+|00)[1-9][0-9]*(?:[ -]?\(0\)[ -]?[0-9]+)?(?:[ -][0-9]+)*$/

const LETTERS = '[A-Za-zÅÄÖåäöÉé]'
const CLASS_FKLASS = new RegExp(`^F-?klass${LETTERS}?$`, 'i')
const CLASS_GRADE = new RegExp(`^(?:FK|F|[0-9]{1,2})${LETTERS}{0,3}$`)
const CLASS_RANGE = new RegExp(`^(?:F|[0-9]{1,2})-[0-9]{1,2}${LETTERS}{0,3}$`)
const CLASS_PROGRAMME = new RegExp(`^[A-ZÅÄÖ]{2,4}[0-9]{2}${LETTERS}?$`)
const CLASS_MAX_LENGTH = 8

const BOOLEAN_WORDS: ReadonlyMap<string, string> = new Map([
  ['ja', F.boolean.jaNej],
  ['nej', F.boolean.jaNej],
  ['j', F.boolean.jN],
  ['n', F.boolean.jN],
  ['true', F.boolean.trueFalse],
  ['false', F.boolean.trueFalse],
  ['sant', F.boolean.santFalskt],
  ['falskt', F.boolean.santFalskt],
  ['yes', F.boolean.yesNo],
  ['no', F.boolean.yesNo],
  ['x', F.boolean.x],
])

const PERCENT_HEADER = /%|procent|percent|omfattning|tjänstgöringsgrad/
const DATE_HEADER = /datum|date/
const HIGH_SURROGATE = /[\uD800-\uDBFF]/

interface Hints {
  /** The header mentions a date: integers 20000–60000 are Excel serials. */
  date: boolean
  /** The header mentions a percentage: numbers 0–100 are percentages. */
  percent: boolean
}

interface Candidate {
  kind: ColumnKind
  format: string
}

/** Everything one value contributes to its column's counters. */
interface Analysis {
  /** Every kind the value could be, one format each, in priority order (some only count at column level). */
  candidates: Candidate[]
  /** Set when the value is shaped like a civic number; `gated` for undelimited 10-digit values (see the Luhn rule). */
  civic?: {gated: boolean; luhn: boolean; valid: boolean; variant?: string}
  /** Set for D/M/YYYY-or-M/D/YYYY values: which reading a part above 12 rules out. */
  slash?: {dayFirst: boolean; monthFirst: boolean}
  digitsOnly: boolean
  leadingZero: boolean
}

function headerHints(header: string | undefined): Hints {
  const lower = (header ?? '').normalize('NFC').toLowerCase()
  return {date: DATE_HEADER.test(lower), percent: PERCENT_HEADER.test(lower)}
}

function twoDigits(value: string, at: number): number {
  return (value.charCodeAt(at) - 48) * 10 + (value.charCodeAt(at + 1) - 48)
}

function countDigits(value: string): number {
  let digits = 0
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i)
    if (code >= 48 && code <= 57) digits++
  }
  return digits
}

/** A 10-digit civic number is valid if some century makes it one: Luhn ignores the century, leap days do not. */
function isValidShortCivic(digits: string): boolean {
  return checkCivicNumber(`20${digits}`).ok || checkCivicNumber(`19${digits}`).ok
}

function civicVariant(datePart: string, rest: string): string | undefined {
  if (/[A-Z]/.test(rest)) return F.personnummer.temporary
  return twoDigits(datePart, datePart.length - 2) > 60 ? F.personnummer.samordningsnummer : undefined
}

function analyzeDigits(value: string, hints: Hints, analysis: Analysis): void {
  const length = value.length
  const leadingZero = length > 1 && value.charCodeAt(0) === 48
  const candidates = analysis.candidates
  analysis.digitsOnly = true
  analysis.leadingZero = leadingZero

  if (length === 12 && CIVIC_LONG_DIGITS.test(value)) {
    analysis.civic = {
      gated: false,
      luhn: hasValidLuhn(value.slice(2)),
      valid: checkCivicNumber(value).ok,
      variant: civicVariant(value.slice(0, 8), value.slice(8)),
    }
    candidates.push({kind: 'personnummer', format: F.personnummer.long})
  } else if (length === 10 && CIVIC_SHORT_DIGITS.test(value)) {
    const luhn = hasValidLuhn(value)
    analysis.civic = {
      gated: true,
      luhn,
      valid: luhn && isValidShortCivic(value),
      variant: civicVariant(value.slice(0, 6), value.slice(6)),
    }
    candidates.push({kind: 'personnummer', format: F.personnummer.short})
  }

  if (length === 8) {
    const year = Number(value.slice(0, 4))
    if (year >= 1900 && year <= 2100 && isRealDate(year, twoDigits(value, 4), twoDigits(value, 6))) {
      candidates.push({kind: 'date', format: F.date.compact})
    }
  } else if (hints.date && length === 5) {
    const serial = Number(value)
    if (serial >= 20_000 && serial <= 60_000) candidates.push({kind: 'date', format: F.date.excelSerial})
  }

  if (hints.percent && !leadingZero && length <= 3) {
    const number = Number(value)
    if (number <= 100) {
      candidates.push({kind: 'percent', format: number <= 1 ? PERCENT_ZERO_OR_ONE : F.percent.number})
    }
  }

  if (value === '0' || value === '1') candidates.push({kind: 'boolean', format: F.boolean.zeroOne})

  if (leadingZero) {
    const second = value.charCodeAt(1)
    if ((length === 9 || length === 10) && second !== 48) {
      const mobile = length === 10 && second === 55
      candidates.push({kind: 'phone', format: mobile ? F.phone.mobileDigits : F.phone.landlineDigits})
    } else if (length >= 10 && length <= 17 && second === 48 && value.charCodeAt(2) !== 48) {
      candidates.push({kind: 'phone', format: value.startsWith('0046') ? F.phone.zero046 : F.phone.international})
    }
  }

  if (length === 8) candidates.push({kind: 'schoolUnitCode', format: F.schoolUnitCode.digits})
  if (!leadingZero) candidates.push({kind: 'integer', format: F.integer.plain})
}

function analyzeDates(value: string, analysis: Analysis): boolean {
  const candidates = analysis.candidates
  let match = ISO_DATE.exec(value)
  if (match) {
    if (!isRealDate(Number(match[1]), Number(match[2]), Number(match[3]))) return false
    candidates.push({kind: 'date', format: F.date.iso})
    return true
  }
  match = ISO_DATETIME.exec(value)
  if (match) {
    const hours = Number(match[5])
    const minutes = Number(match[6])
    const seconds = match[7] === undefined ? 0 : Number(match[7])
    if (!isRealDate(Number(match[1]), Number(match[2]), Number(match[3]))) return false
    if (hours > 23 || minutes > 59 || seconds > 59) return false
    const format = match[4] === 'T' ? F.datetime.iso : match[7] === undefined ? F.datetime.minutes : F.datetime.seconds
    candidates.push({kind: 'datetime', format})
    return true
  }
  match = SLASH_DATE.exec(value)
  if (match) {
    const first = Number(match[1])
    const second = Number(match[2])
    const year = Number(match[3])
    const dayFirst = isRealDate(year, second, first)
    const monthFirst = isRealDate(year, first, second)
    if (!dayFirst && !monthFirst) return false
    analysis.slash = {dayFirst: first > 12 && dayFirst, monthFirst: second > 12 && monthFirst}
    candidates.push({kind: 'date', format: F.date.slashAmbiguous})
    return true
  }
  match = DOTTED_DATE.exec(value)
  if (match) {
    if (!isRealDate(Number(match[3]), Number(match[2]), Number(match[1]))) return false
    candidates.push({kind: 'date', format: F.date.dotted})
    return true
  }
  return false
}

function analyzeCivic(value: string, analysis: Analysis): void {
  let match = CIVIC_LONG_MARKED.exec(value)
  if (match) {
    const datePart = match[1] ?? ''
    const separator = match[2] ?? ''
    const rest = match[3] ?? ''
    const format =
      separator === '-' ? F.personnummer.longDash : separator === '+' ? F.personnummer.longPlus : F.personnummer.long
    const temporary = /[A-Z]/.test(rest)
    analysis.civic = {
      gated: false,
      luhn: temporary || hasValidLuhn(datePart.slice(2) + rest),
      valid: checkCivicNumber(datePart + rest).ok,
      variant: civicVariant(datePart, rest),
    }
    analysis.candidates.push({kind: 'personnummer', format})
    return
  }
  match = CIVIC_SHORT_MARKED.exec(value)
  if (match) {
    const datePart = match[1] ?? ''
    const rest = match[3] ?? ''
    const luhn = hasValidLuhn(datePart + rest)
    analysis.civic = {
      gated: false,
      luhn,
      valid: luhn && isValidShortCivic(datePart + rest),
      variant: civicVariant(datePart, rest),
    }
    const format = match[2] === '+' ? F.personnummer.shortPlus : F.personnummer.shortDash
    analysis.candidates.push({kind: 'personnummer', format})
  }
}

interface ParsedNumber {
  kind: 'integer' | 'decimal'
  format: string
  value: number
}

function parseNumber(value: string): ParsedNumber | undefined {
  if (SIGNED_INTEGER.test(value)) return {kind: 'integer', format: F.integer.signed, value: Number(value)}
  if (GROUPED_INTEGER.test(value)) {
    return {kind: 'integer', format: F.integer.grouped, value: Number(value.replace(GROUP_SPACES, ''))}
  }
  const match = DECIMAL.exec(value)
  if (!match) return undefined
  const grouped = match[1] !== undefined
  const comma = match[2] === ','
  const format = grouped
    ? comma
      ? F.decimal.groupedComma
      : F.decimal.groupedPoint
    : comma
      ? F.decimal.comma
      : F.decimal.point
  return {kind: 'decimal', format, value: Number(value.replace(GROUP_SPACES, '').replace(',', '.'))}
}

function analyzePhone(value: string, first: number, candidates: Candidate[]): void {
  // '+' or '00' first: international; '0' or '(' first: a Swedish number with its area code.
  if (first === 43 || (first === 48 && value.charCodeAt(1) === 48)) {
    if (!INTERNATIONAL_PHONE.test(value)) return
    const digits = countDigits(value) - (first === 48 ? 2 : 0)
    if (digits < 8 || digits > 15) return
    const format = value.startsWith('+46') ? F.phone.plus46 : value.startsWith('0046') ? F.phone.zero046 : undefined
    candidates.push({kind: 'phone', format: format ?? F.phone.international})
    return
  }
  if (!NATIONAL_PHONE.test(value)) return
  const digits = countDigits(value)
  if (digits < 7 || digits > 10) return
  const mobile = value.startsWith('07') || value.startsWith('(07')
  candidates.push({kind: 'phone', format: mobile ? F.phone.mobile : F.phone.landline})
}

function classCodeFormat(value: string): string | undefined {
  if (value.length > CLASS_MAX_LENGTH) return undefined
  if (CLASS_FKLASS.test(value)) return F.classCode.fklass
  if (CLASS_GRADE.test(value)) return F.classCode.grade
  if (CLASS_RANGE.test(value)) return F.classCode.range
  if (CLASS_PROGRAMME.test(value)) return F.classCode.programme
  return undefined
}

function analyzeMixed(value: string, hints: Hints, analysis: Analysis): void {
  const candidates = analysis.candidates
  const length = value.length
  const first = value.charCodeAt(0)
  const digitFirst = first >= 48 && first <= 57

  if (digitFirst) {
    if (length >= 11 && length <= 13) analyzeCivic(value, analysis)
    // A date or time cannot be anything else we detect; an impossible date ('2024-02-30') is text.
    if (length >= 8 && analyzeDates(value, analysis)) return
  }

  if (value.includes('@')) {
    if (EMAIL.test(value)) candidates.push({kind: 'email', format: NO_FORMAT})
    return
  }

  const number = digitFirst || first === 43 || first === 45 ? parseNumber(value) : undefined

  if (value.endsWith('%')) {
    const match = PERCENT_SIGN.exec(value)
    if (match) candidates.push({kind: 'percent', format: match[1] === '' ? F.percent.signTight : F.percent.sign})
  } else if (number && hints.percent && number.value >= 0 && number.value <= 100) {
    const format =
      number.value > 1 ? F.percent.number : number.kind === 'decimal' ? F.percent.fraction : PERCENT_ZERO_OR_ONE
    candidates.push({kind: 'percent', format})
  }

  if (length <= 6) {
    const format = BOOLEAN_WORDS.get(value.toLowerCase())
    if (format !== undefined) candidates.push({kind: 'boolean', format})
  }

  if (first === 43 || first === 48 || first === 40) analyzePhone(value, first, candidates)

  const classCode = classCodeFormat(value)
  if (classCode !== undefined) candidates.push({kind: 'classCode', format: classCode})

  if (number) candidates.push({kind: number.kind, format: number.format})
}

function analyzeValue(value: string, hints: Hints): Analysis {
  const analysis: Analysis = {candidates: [], digitsOnly: false, leadingZero: false}
  if (value.length === 0 || value.length > MAX_STRUCTURED_LENGTH) return analysis
  if (ALL_DIGITS.test(value)) analyzeDigits(value, hints, analysis)
  else analyzeMixed(value, hints, analysis)
  return analysis
}

/** The single best kind for a lone value: the first candidate that does not need the rest of the column. */
function primaryKind(analysis: Analysis): ValueKind {
  for (const candidate of analysis.candidates) {
    const {kind, format} = candidate
    if (kind === 'personnummer') {
      if (analysis.civic?.gated && !analysis.civic.luhn) continue
      const variant = analysis.civic?.variant
      return variant === undefined ? {kind, format} : {kind, format, variant}
    }
    if (kind === 'boolean' && format === F.boolean.zeroOne) continue
    if (format === F.date.slashAmbiguous) {
      const slash = analysis.slash
      const resolved = slash?.dayFirst ? F.date.dayFirst : slash?.monthFirst ? F.date.monthFirst : format
      return {kind, format: resolved}
    }
    if (format === PERCENT_ZERO_OR_ONE) return {kind, format: F.percent.number}
    return format === NO_FORMAT ? {kind} : {kind, format}
  }
  if (analysis.digitsOnly && analysis.leadingZero) return {kind: 'text', format: F.text.leadingZeros}
  return {kind: 'text'}
}

/**
 * Classifies one value on its own; `createColumnProfiler` uses the same rules and then decides per column (see there).
 * The value is taken as is (cells arrive trimmed). `context.header` switches on the header hints: a header containing
 * 'datum'/'date' makes integers 20000–60000 Excel serial dates; one containing '%', 'procent', 'percent',
 * 'omfattning' or 'tjänstgöringsgrad' makes numbers 0–100 percentages.
 * For a lone value, a 10-digit `YYMMDDNNNN` is a personnummer only if its Luhn digit is right (else a phone number
 * or a code), a lone '0'/'1' is an integer, and D/M vs M/D is decided by a part above 12 when there is one.
 * An empty string is 'empty'.
 */
export function detectValueKind(value: string, context?: ValueContext): ValueKind {
  if (value === '') return {kind: 'empty'}
  return primaryKind(analyzeValue(value, headerHints(context?.header)))
}

function increment(map: Map<string, number>, key: string, by = 1): void {
  map.set(key, (map.get(key) ?? 0) + by)
}

function total(map: ReadonlyMap<string, number> | undefined): number {
  let sum = 0
  if (map) for (const count of map.values()) sum += count
  return sum
}

/** Labels by count, most frequent first; ties keep first-seen order. The empty label (no format) is left out. */
function ordered(...maps: Array<ReadonlyMap<string, number> | undefined>): string[] {
  const merged = new Map<string, number>()
  for (const map of maps) if (map) for (const [label, count] of map) increment(merged, label, count)
  return [...merged]
    .filter(([label, count]) => label !== NO_FORMAT && count > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([label]) => label)
}

/** A copy of `map` with `from` renamed `to` in place (keeping first-seen order for ties). */
function renamed(map: ReadonlyMap<string, number>, from: string, to: string): Map<string, number> {
  const result = new Map<string, number>()
  for (const [label, count] of map) increment(result, label === from ? to : label, count)
  return result
}

function codePointLength(value: string): number {
  return HIGH_SURROGATE.test(value) ? Array.from(value).length : value.length
}

interface Decision {
  kind: ColumnKind
  confidence: number
  formats: string[]
  invalid?: number
}

class ColumnState {
  readonly hints: Hints
  filled = 0
  readonly distinct = new Set<string>()
  distinctCapped = false
  readonly examples: string[] = []
  minLength = 0
  maxLength = 0
  /** kind → format label → values. */
  readonly formats = new Map<ColumnKind, Map<string, number>>()
  /** Personnummer variants (samordningsnummer, temporary) of values that count unconditionally. */
  readonly civicVariants = new Map<string, number>()
  /** The same for 10-digit values, which only count when the column passes the Luhn rule. */
  readonly shortCivicVariants = new Map<string, number>()
  shortCivic = 0
  shortCivicLuhn = 0
  civicInvalid = 0
  shortCivicInvalid = 0
  slashDayFirst = false
  slashMonthFirst = false
  digitsOnly = 0
  leadingZero = 0
  plainText = 0

  constructor(
    readonly name: string,
    readonly index: number,
    private readonly distinctCap: number,
    private readonly exampleCount: number,
  ) {
    this.hints = headerHints(name)
  }

  add(value: string): void {
    this.filled++
    const length = codePointLength(value)
    if (this.filled === 1 || length < this.minLength) this.minLength = length
    if (length > this.maxLength) this.maxLength = length

    if (!this.distinctCapped && !this.distinct.has(value)) {
      if (this.distinct.size < this.distinctCap) this.distinct.add(value)
      else this.distinctCapped = true
    }
    if (this.examples.length < this.exampleCount && !this.examples.includes(value)) this.examples.push(value)

    const analysis = analyzeValue(value, this.hints)
    for (const {kind, format} of analysis.candidates) {
      let byFormat = this.formats.get(kind)
      if (!byFormat) this.formats.set(kind, (byFormat = new Map()))
      increment(byFormat, format)
    }
    const civic = analysis.civic
    if (civic) {
      if (civic.gated) {
        this.shortCivic++
        if (civic.luhn) this.shortCivicLuhn++
        if (!civic.valid) this.shortCivicInvalid++
        if (civic.variant !== undefined) increment(this.shortCivicVariants, civic.variant)
      } else {
        if (!civic.valid) this.civicInvalid++
        if (civic.variant !== undefined) increment(this.civicVariants, civic.variant)
      }
    }
    if (analysis.slash?.dayFirst) this.slashDayFirst = true
    if (analysis.slash?.monthFirst) this.slashMonthFirst = true
    if (analysis.digitsOnly) this.digitsOnly++
    if (analysis.leadingZero) this.leadingZero++
    if (primaryKind(analysis).kind === 'text') this.plainText++
  }

  /** Applies the column-level rules to the counters; see `createColumnProfiler`. */
  decide(): Decision {
    const filled = this.filled
    if (filled === 0) return {kind: 'empty', confidence: 0, formats: []}
    const enough = (count: number): boolean => count > 0 && count * 10 >= filled * 9
    const share = (count: number): number => count / filled
    const of = (kind: ColumnKind): ReadonlyMap<string, number> => this.formats.get(kind) ?? new Map()

    // 10-digit numbers are personnummer only if ≥ 90 % of them pass Luhn; phone numbers mostly do not.
    const civic = new Map(of('personnummer'))
    const shortAccepted = this.shortCivic > 0 && this.shortCivicLuhn * 10 >= this.shortCivic * 9
    if (!shortAccepted) civic.delete(F.personnummer.short)
    const civicCount = total(civic)
    if (enough(civicCount)) {
      return {
        kind: 'personnummer',
        confidence: share(civicCount),
        formats: ordered(civic, this.civicVariants, shortAccepted ? this.shortCivicVariants : undefined),
        invalid: this.civicInvalid + (shortAccepted ? this.shortCivicInvalid : 0),
      }
    }

    // 8-digit values are YYYYMMDD dates if ≥ 90 % of them are real dates, else school unit codes.
    const eightDigits = total(this.formats.get('schoolUnitCode'))
    const eightDigitDates = of('date').get(F.date.compact) ?? 0
    const eightAreDates = eightDigits > 0 && eightDigitDates * 10 >= eightDigits * 9
    let dates = new Map(of('date'))
    if (!eightAreDates) dates.delete(F.date.compact)
    const slashFormat =
      this.slashDayFirst && !this.slashMonthFirst
        ? F.date.dayFirst
        : this.slashMonthFirst && !this.slashDayFirst
          ? F.date.monthFirst
          : F.date.slashAmbiguous
    dates = renamed(dates, F.date.slashAmbiguous, slashFormat)
    const dateCount = total(dates)
    if (enough(dateCount)) return {kind: 'date', confidence: share(dateCount), formats: ordered(dates)}

    // A column mixing dates and date-times is a datetime column.
    const datetimeCount = total(of('datetime')) + dateCount
    if (enough(datetimeCount)) {
      return {kind: 'datetime', confidence: share(datetimeCount), formats: ordered(of('datetime'), dates)}
    }

    const emailCount = total(of('email'))
    if (enough(emailCount)) return {kind: 'email', confidence: share(emailCount), formats: []}

    const percent = this.percentFormats(of('percent'))
    const percentCount = total(percent)
    if (enough(percentCount)) return {kind: 'percent', confidence: share(percentCount), formats: ordered(percent)}

    // '1/0' and 'x' are booleans only when they are all the column holds.
    const booleans = new Map(of('boolean'))
    for (const label of [F.boolean.zeroOne, F.boolean.x]) if (booleans.get(label) !== filled) booleans.delete(label)
    const booleanCount = total(booleans)
    if (enough(booleanCount)) return {kind: 'boolean', confidence: share(booleanCount), formats: ordered(booleans)}

    const phoneCount = total(of('phone'))
    if (enough(phoneCount)) return {kind: 'phone', confidence: share(phoneCount), formats: ordered(of('phone'))}

    const schoolUnitCount = eightAreDates ? 0 : eightDigits
    if (enough(schoolUnitCount)) {
      return {kind: 'schoolUnitCode', confidence: share(schoolUnitCount), formats: ordered(of('schoolUnitCode'))}
    }

    // Classes repeat: at least 2 distinct values, and no more distinct values than 40 % of the filled ones.
    const classCount = total(of('classCode'))
    const distinct = this.distinct.size
    if (enough(classCount) && distinct >= 2 && !this.distinctCapped && distinct * 10 <= filled * 4) {
      return {kind: 'classCode', confidence: share(classCount), formats: ordered(of('classCode'))}
    }

    // A digits-only column with any leading zero holds codes ('0180'), which must stay text.
    if (this.leadingZero > 0 && enough(this.digitsOnly)) {
      return {kind: 'text', confidence: share(this.digitsOnly), formats: [F.text.leadingZeros]}
    }

    const integerCount = total(of('integer'))
    if (enough(integerCount)) return {kind: 'integer', confidence: share(integerCount), formats: ordered(of('integer'))}

    // Whole numbers fit a decimal column too.
    const decimalCount = total(of('decimal')) + integerCount
    if (enough(decimalCount)) {
      const whole = new Map([[F.decimal.whole as string, integerCount]])
      return {kind: 'decimal', confidence: share(decimalCount), formats: ordered(of('decimal'), whole)}
    }

    return {kind: 'text', confidence: share(this.plainText), formats: []}
  }

  /** Integers 0 and 1 under a percent header are fractions when the other numbers are, else numbers 0–100. */
  private percentFormats(percent: ReadonlyMap<string, number>): Map<string, number> {
    const fractions = (percent.get(F.percent.fraction) ?? 0) > 0 && (percent.get(F.percent.number) ?? 0) === 0
    return renamed(percent, PERCENT_ZERO_OR_ONE, fractions ? F.percent.fraction : F.percent.number)
  }

  profile(rows: number, reveal: boolean): ColumnProfile {
    const decision = this.decide()
    const examples = this.examples.map((value) => {
      if (reveal) return value
      return maskExample(decision.kind, value)
    })
    const profile: ColumnProfile = {
      name: this.name,
      index: this.index,
      filled: this.filled,
      rows,
      fillRate: rows === 0 ? 0 : this.filled / rows,
      distinct: this.distinct.size,
      distinctCapped: this.distinctCapped,
      examples,
      kind: decision.kind,
      confidence: decision.confidence,
      formats: decision.formats,
      minLength: this.minLength,
      maxLength: this.maxLength,
    }
    if (decision.invalid !== undefined) profile.invalid = decision.invalid
    return profile
  }
}

function checkCount(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0) {
    throw new RangeError(`createColumnProfiler: ${name} must be a non-negative integer, got ${value}`)
  }
  return value
}

/**
 * Creates a streaming profiler for the columns `headers` (index = position + 1). `add` reads `row[header]`; a missing
 * key, `undefined` or '' is an empty cell, and values are used as given (readers deliver them trimmed and NFC).
 *
 * Each value is classified (`detectValueKind`), then the column's kind is the first of these, in this order, that at
 * least 90 % of its filled values match ('empty' when it has none, 'text' when nothing reaches 90 %):
 * 1. personnummer: `YYYYMMDD-NNNN`, `YYYYMMDD+NNNN`, `YYMMDD-NNNN`, `YYMMDD+NNNN`, 12 digits `YYYYMMDDNNNN`, 10 digits
 *    `YYMMDDNNNN`; samordningsnummer (day 61–91) and temporary numbers (capital letters at positions 9–10,
 *    `20130101TF01`, `20130101-TF01`) are reported as extra variants. Month 01–12 and day 01–31/61–91 are required,
 *    and for the 4-digit-year forms a year 18xx–20xx. 10-digit values only count if ≥ 90 % of the column's 10-digit
 *    values pass Luhn (so a column of `0701234567` phone numbers is not one). `invalid` counts the counted values
 *    that fail `checkCivicNumber` after removing the separator (10-digit forms: valid if 20YY or 19YY makes it valid).
 * 2. date: `YYYY-MM-DD`; `YYYYMMDD` (year 1900–2100) when ≥ 90 % of the column's 8-digit values are real dates;
 *    `D/M/YYYY` / `M/D/YYYY` (reported as 'D/M/YYYY or M/D/YYYY' unless some value has a first part above 12 →
 *    'D/M/YYYY', or a second part above 12 → 'M/D/YYYY'); `DD.MM.YYYY`; with a header containing 'datum' or
 *    'date', integers 20000–60000 as 'Excel serial'. Every date must exist (2024-02-30 is text).
 * 3. datetime: `YYYY-MM-DD HH:MM(:SS)` or ISO 8601 with `T` (optional fraction and zone); dates count too, so a
 *    column mixing dates and date-times is datetime.
 * 4. email: `local@domain.tld` (letters and digits of any script, dot-separated parts, a letters-only TLD).
 * 5. percent: `50 %`, `50%`; with a header containing '%', 'procent', 'percent', 'omfattning' or
 *    'tjänstgöringsgrad', numbers 0–100 too ('0.5' when the column holds fractions 0–1, else '50').
 * 6. boolean: Ja/Nej, J/N, true/false, Sant/Falskt, Yes/No (any case); '1'/'0' and 'x'/'X' only when every value of
 *    the column is one of them.
 * 7. phone: Swedish numbers with an area code (`070-123 45 67`, `08-123 456 78`, `(08) 123 45`, 7–10 digits),
 *    9–10 digits starting with 0 (`0701234567`), `+46 …`/`0046 …` and other `+`/`00` international numbers (8–15
 *    digits).
 * 8. schoolUnitCode: exactly 8 digits, when the column's 8-digit values are not dates (see 2).
 * 9. classCode: at most 8 characters like `7A`, `9B`, `FA`, `FK`, `F-klass`, `1-3A`, `NA21b`, `TE22`, and the column
 *    has at least 2 distinct values, no more than 40 % of its filled count (classes repeat) and is not capped.
 * 10. text 'code with leading zeros': digits-only values (≥ 90 %) with any leading zero ('0180', a municipality
 *    code), since reading them as numbers would lose the zero.
 * 11. integer: `123`, `-123`, `1 234` (space, no-break or narrow no-break space as thousands separator); no leading
 *    zeros.
 * 12. decimal: `3.5`, `3,5` (Swedish decimal comma), `1 234,5`; whole numbers count too.
 * 13. text: anything else; `confidence` is then the share of values that looked like nothing more specific.
 *
 * Memory stays bounded: per column at most `distinctCap` distinct strings plus counters keyed by fixed format labels.
 * @throws RangeError when `distinctCap` or `exampleCount` is not a non-negative integer.
 */
export function createColumnProfiler(headers: readonly string[], options?: ColumnProfilerOptions): ColumnProfiler {
  const distinctCap = checkCount('distinctCap', options?.distinctCap ?? DEFAULT_DISTINCT_CAP)
  const exampleCount = checkCount('exampleCount', options?.exampleCount ?? DEFAULT_EXAMPLE_COUNT)
  const reveal = options?.reveal ?? false
  const columns = headers.map((header, position) => new ColumnState(header, position + 1, distinctCap, exampleCount))
  let rows = 0
  return {
    add(row) {
      rows++
      for (const column of columns) {
        // Guards against inherited members ('constructor', '__proto__') when the row is an ordinary object.
        const value: unknown = Object.hasOwn(row, column.name) ? row[column.name] : undefined
        if (typeof value === 'string' && value !== '') column.add(value)
      }
    },
    result() {
      return columns.map((column) => column.profile(rows, reveal))
    },
  }
}

/** Kinds whose values say nothing about a person and are shown as they are. */
const IMPERSONAL_KINDS: ReadonlySet<ColumnKind> = new Set<ColumnKind>([
  'schoolUnitCode',
  'classCode',
  'boolean',
  'percent',
  'integer',
  'decimal',
  'empty',
])

/**
 * An example value as `inspect` may show it without `--reveal`. A column's kind does not say whether it holds personal
 * data (a text column may hold names or school names, a date column birth dates or start dates), so everything that
 * may be personal keeps only its shape: civic numbers their date part (`20110407-****`), e-mail addresses their first
 * letter and domain (`a…@exempelby.example`), phone numbers their first three digits, dates their year, text its first
 * letter. Codes, classes, numbers and yes/no values are shown whole, with any civic number inside them masked.
 */
export function maskExample(kind: ColumnKind, value: string): string {
  switch (kind) {
    case 'personnummer':
      return maskCivicNumber(value)
    case 'email': {
      const at = value.lastIndexOf('@')
      return at > 0 ? `${value.slice(0, 1)}…${value.slice(at)}` : `${value.slice(0, 1)}…`
    }
    case 'phone':
      return value.replace(/\d/g, (digit, offset: number) =>
        value.slice(0, offset).replace(/\D/g, '').length < 3 ? digit : '*',
      )
    case 'date':
    case 'datetime': {
      const year = /(?:^|\D)((?:18|19|20)\d\d)(?:\D|$)/.exec(value)?.[1]
      return year === undefined ? '****' : `${year}-**-**`
    }
    default:
      return IMPERSONAL_KINDS.has(kind) ? maskCivicNumbersInText(value) : `${[...value][0] ?? ''}…`
  }
}

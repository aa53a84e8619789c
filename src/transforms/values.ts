import {fail, ok, type TransformProblem, type TransformResult} from './types.js'

/** Words read as true when a column declares none: Swedish and English yes, `1`, and a checkbox `x`. */
export const DEFAULT_TRUE_WORDS: readonly string[] = ['ja', 'j', '1', 'x', 'true', 'sant', 'yes']
/** Words read as false when a column declares none. */
export const DEFAULT_FALSE_WORDS: readonly string[] = ['nej', 'n', '0', 'false', 'falskt', 'no']

export interface ParseBooleanOptions {
  /** Values meaning true, compared case-insensitively. Replaces (does not extend) DEFAULT_TRUE_WORDS. */
  true?: readonly string[]
  /** Values meaning false, compared case-insensitively. Replaces (does not extend) DEFAULT_FALSE_WORDS. */
  false?: readonly string[]
  /**
   * The value of an empty (absent) cell. Default: absent stays absent. A checkbox column where `x` means yes and an
   * empty cell no declares `empty: false`.
   */
  empty?: boolean
}

/**
 * Reads a yes/no value: by default `Ja`/`Nej`, `J`/`N`, `1`/`0`, `x`, `true`/`false`, `Sant`/`Falskt`, `Yes`/`No`,
 * in any case. An empty cell is absent, not false, unless the column says `empty: false` (an `x`/blank checkbox
 * column): in a Ja/Nej column a blank means "not known". A value in both lists is true. Anything else is
 * `transform.boolean.unknown`, naming the accepted values.
 */
export function parseBoolean(
  value: string | undefined,
  options: ParseBooleanOptions = {},
): TransformResult<boolean | undefined> {
  if (value === undefined || value.trim() === '') return ok(options.empty)
  const word = value.trim().toLowerCase()
  const trueWords = options.true ?? DEFAULT_TRUE_WORDS
  const falseWords = options.false ?? DEFAULT_FALSE_WORDS
  if (trueWords.some((candidate) => candidate.trim().toLowerCase() === word)) return ok(true)
  if (falseWords.some((candidate) => candidate.trim().toLowerCase() === word)) return ok(false)
  return fail('transform.boolean.unknown', {accepted: [...trueWords, ...falseWords].join(', ')})
}

export interface NumberRangeOptions {
  /** The smallest value allowed (inclusive). */
  min?: number
  /** The largest value allowed (inclusive). */
  max?: number
}

// Thousands are grouped with spaces, as in Swedish and in Excel's Swedish number formats: a comma or point is always
// the decimal mark, never a thousands separator.
const GROUP_SPACE = '[ \\u00A0\\u202F]'
const INTEGER = new RegExp(`^[+-]?(?:\\d{1,3}(?:${GROUP_SPACE}\\d{3})+|\\d+)$`)
const DECIMAL = new RegExp(`^[+-]?(?:(?:\\d{1,3}(?:${GROUP_SPACE}\\d{3})+|\\d+)(?:[.,]\\d+)?|[.,]\\d+)$`)

/** Unicode minus (U+2212), which Excel's Swedish number formats write, as ASCII `-`. */
function asciiMinus(text: string): string {
  return text.replace(/^\u2212/, '-')
}

function checkRange(number: number, options: NumberRangeOptions): TransformResult<number> {
  if ((options.min !== undefined && number < options.min) || (options.max !== undefined && number > options.max)) {
    const range =
      options.min !== undefined && options.max !== undefined
        ? `${options.min} to ${options.max}`
        : options.min !== undefined
          ? `at least ${options.min}`
          : `at most ${options.max}`
    return fail('transform.number.range', {range})
  }
  return ok(number)
}

/**
 * A whole number: optional sign (ASCII or Unicode minus), digits, thousands optionally grouped by spaces or no-break
 * spaces (`1 234`). Decimals are a problem rather than rounded (`3,0` too: with Swedish decimal commas `1,000` is one,
 * not a thousand, and guessing would be silent). Outside ±2^53 or the declared min/max is a problem.
 * An absent or blank value stays absent.
 */
export function parseInteger(
  value: string | undefined,
  options: NumberRangeOptions = {},
): TransformResult<number | undefined> {
  if (value === undefined || value.trim() === '') return ok(undefined)
  const text = asciiMinus(value.trim())
  if (!INTEGER.test(text)) return fail('transform.integer.invalid')
  const number = Number(text.replace(/[ \u00A0\u202F]/g, ''))
  if (!Number.isSafeInteger(number))
    return fail('transform.number.range', {range: `-${Number.MAX_SAFE_INTEGER} to ${Number.MAX_SAFE_INTEGER}`})
  return checkRange(number + 0, options)
}

/**
 * A decimal number with a decimal comma or point (`3,5`, `3.5`, `,5`) and thousands optionally grouped by spaces
 * (`1 234,5`). A comma is always the decimal mark, so `1,234` is 1.234; `1,234.5` (both marks) is a problem.
 * No exponents. Outside the declared min/max is a problem. An absent or blank value stays absent.
 */
export function parseDecimal(
  value: string | undefined,
  options: NumberRangeOptions = {},
): TransformResult<number | undefined> {
  if (value === undefined || value.trim() === '') return ok(undefined)
  const number = decimalOf(value.trim())
  if (number === undefined) return fail('transform.decimal.invalid')
  return checkRange(number, options)
}

function decimalOf(text: string): number | undefined {
  const ascii = asciiMinus(text)
  if (!DECIMAL.test(ascii)) return undefined
  const number = Number(ascii.replace(/[ \u00A0\u202F]/g, '').replace(',', '.'))
  // `+ 0` turns -0 into 0, so `-0` and `0` give the same JSON.
  return Number.isFinite(number) ? number + 0 : undefined
}

export type PercentScale = 'auto' | 'fraction' | 'percent'

export interface ParsePercentOptions {
  /**
   * How a number without `%` is read: `percent` (50 is 50 %), `fraction` (0.5 is 50 %), or `auto`: at most 1 is a
   * fraction, above 1 a percentage (so `1` is 100 %, as a duty of 1 % is not a thing). Default `auto`.
   */
  scale?: PercentScale
}

/**
 * An integer percentage 0–100 for SS 12000 `dutyPercent`: `50 %`, `50%`, `50` (percent scale), `0.5`/`0,5` (fraction
 * scale, or auto). A `%` sign always means percent, whatever the scale. A result that is not whole is rounded half up
 * with the warning `transform.percent.rounded` (`37,5 %` → 38); outside 0–100 (before rounding) is
 * `transform.percent.range`. An absent or blank value stays absent.
 */
export function parsePercent(
  value: string | undefined,
  options: ParsePercentOptions = {},
): TransformResult<number | undefined> {
  if (value === undefined || value.trim() === '') return ok(undefined)
  const text = value.trim()
  const signed = text.endsWith('%')
  const number = decimalOf(signed ? text.slice(0, -1).trimEnd() : text)
  if (number === undefined) return fail('transform.percent.invalid')
  const scale = options.scale ?? 'auto'
  const fraction = !signed && (scale === 'fraction' || (scale === 'auto' && number <= 1))
  // toPrecision(12) removes binary noise (0.57 * 100 = 56.99999999999999) before deciding whether to round.
  const percent = Number((fraction ? number * 100 : number).toPrecision(12)) + 0
  if (percent < 0 || percent > 100) return fail('transform.percent.range')
  if (Number.isInteger(percent)) return ok(percent)
  const warning: TransformProblem = {code: 'transform.percent.rounded'}
  return ok(Math.round(percent), warning)
}

export interface SplitListOptions {
  /** The separator, taken literally (not a regular expression). Default: a comma or a semicolon. */
  separator?: string
  /** Drop repeated items, keeping the first. Default false. */
  unique?: boolean
}

/**
 * Splits a list cell (`Ek, Lind; Berg`) into trimmed, non-empty items, in order. A separator is literal text, since
 * templates are data and never carry code (nor regular expressions that could run for ever). An absent or blank value
 * stays absent; a value of separators only is an empty list.
 */
export function splitList(
  value: string | undefined,
  options: SplitListOptions = {},
): TransformResult<string[] | undefined> {
  if (value === undefined || value.trim() === '') return ok(undefined)
  const parts =
    options.separator === undefined || options.separator === '' ? value.split(/[,;]/) : value.split(options.separator)
  const items = parts.map((item) => item.trim()).filter((item) => item !== '')
  return ok(options.unique ? [...new Set(items)] : items)
}

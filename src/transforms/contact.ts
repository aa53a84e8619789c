import {fail, ok, type TransformProblem, type TransformResult} from './types.js'

// ajv-formats' `email` (full mode), which validates the output, plus a top-level domain of two or more letters:
// a transform must never produce a value that schema validation then rejects.
const EMAIL =
  /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$/
// RFC 5321 limits; longer addresses cannot be delivered.
const MAX_LOCAL_PART = 64
const MAX_ADDRESS = 254

/**
 * Lower-cases and checks an email address. Local parts are case-sensitive in theory, but no school mail system treats
 * them so, and lower case lets the same address from two exports compare equal. Accepted: ASCII letters, digits and
 * the RFC 5322 atom characters before one `@`, dot-separated labels after it with a top-level domain of letters, at
 * most 64 + 254 characters. Anything else — spaces, two `@`, a domain without a dot, non-ASCII (`åsa@skola.se`; write
 * it in ASCII or punycode) — is `transform.email.invalid`. An absent or blank value stays absent.
 */
export function normalizeEmail(value: string | undefined): TransformResult<string | undefined> {
  if (value === undefined || value.trim() === '') return ok(undefined)
  const email = value.trim().toLowerCase()
  const at = email.indexOf('@')
  // Lengths first: they bound the regular expression's work on the domain's labels.
  if (email.length > MAX_ADDRESS || at > MAX_LOCAL_PART || !EMAIL.test(email)) return fail('transform.email.invalid')
  return ok(email)
}

export interface NormalizePhoneOptions {
  /** The country of numbers written without a country code. Only Sweden (`SE`) so far. Default `SE`. */
  defaultCountry?: 'SE'
}

const SWEDEN = '46'
// Swedish national significant numbers (after the trunk 0): 7 digits (small-town landlines) to 9 (mobiles, 08-).
const SE_MIN = 7
const SE_MAX = 9
// E.164: at most 15 digits with the country code; the shortest numbers in use (Niue, Saint Helena) have 7.
const E164_MIN = 7
const E164_MAX = 15
const PHONE_CHARACTERS = /^\+?[0-9 ()./\-\u00A0\u2010\u2011\u2013]+$/

/**
 * A phone number in E.164 (`+46701234567`), as SS 12000 consumers and SMS gateways expect.
 * - Swedish national numbers: `070-123 45 67` → `+46701234567`, `08-123 456 78` → `+46812345678`.
 * - International prefixes: `+46 (0)70-123 45 67` → `+46701234567` (the `(0)` is the trunk prefix), `0046…` → `+46…`,
 *   and `+46 070…` loses the stray 0 with the warning `transform.phone.trunk-zero`. Foreign numbers (`+47 …`) are
 *   kept, with only separators removed.
 * - A number without the leading 0 or a country code (`701234567`: Excel dropped the 0) is taken as Swedish with the
 *   warning `transform.phone.leading-zero`, when its length fits.
 * Spaces, hyphens, dots, slashes and parentheses are separators. Letters (`ext. 12`) are `transform.phone.invalid`.
 * A Swedish number must have 7–9 digits after the 0 (`transform.phone.length`), any other 7–15 digits in all
 * (`transform.phone.international-length`). An absent or blank value stays absent.
 */
export function normalizePhone(
  value: string | undefined,
  options: NormalizePhoneOptions = {},
): TransformResult<string | undefined> {
  if (value === undefined || value.trim() === '') return ok(undefined)
  const text = value.trim()
  if (!PHONE_CHARACTERS.test(text)) return fail('transform.phone.invalid')
  // `(0)` only ever marks the trunk prefix that is dropped when dialling from abroad.
  const digits = text.replace(/\(\s*0\s*\)/g, '').replace(/[^0-9+]/g, '')
  if (!/^\+?[0-9]+$/.test(digits)) return fail('transform.phone.invalid')

  let international: string | undefined
  if (digits.startsWith('+')) international = digits.slice(1)
  else if (digits.startsWith('00')) international = digits.slice(2)
  if (international !== undefined) {
    if (international.startsWith(SWEDEN)) return swedish(international.slice(SWEDEN.length), true)
    if (international.startsWith('0') || international.length < E164_MIN || international.length > E164_MAX) {
      return fail('transform.phone.international-length')
    }
    return ok(`+${international}`)
  }

  // Only Sweden is a default country so far; the option exists so that templates say what they assume.
  switch (options.defaultCountry ?? 'SE') {
    case 'SE':
      return swedishNational(digits)
  }
}

/** A number written the Swedish national way: a trunk 0, or none when Excel dropped it. */
function swedishNational(digits: string): TransformResult<string> {
  if (digits.startsWith('0')) return swedish(digits.slice(1), false)
  if (digits.length >= SE_MIN && digits.length <= SE_MAX) {
    return swedish(digits, false, {code: 'transform.phone.leading-zero'})
  }
  return fail('transform.phone.length')
}

/** `+46` and the national significant number, which must not start with 0 and must have 7–9 digits. */
function swedish(national: string, afterCountryCode: boolean, warning?: TransformProblem): TransformResult<string> {
  let number = national
  if (afterCountryCode && number.startsWith('0')) {
    number = number.slice(1)
    warning = {code: 'transform.phone.trunk-zero'}
  }
  if (number.startsWith('0') || number.length < SE_MIN || number.length > SE_MAX) return fail('transform.phone.length')
  return ok(`+${SWEDEN}${number}`, warning)
}

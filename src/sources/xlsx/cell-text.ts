/**
 * A number cell's text as Excel shows it: what a number format does to the text (percent, zero padding, dates and
 * times in either date system), and numbers with all their digits and no exponent.
 */

/** How a number format shows a number, reduced to what changes its text. */
export type NumberStyle =
  | {kind: 'general'}
  | {kind: 'percent'}
  /** A format of zeros and `-`/space, like `0000` (kommunkod) or `000000-0000` (personnummer): digits padded. */
  | {kind: 'digits'; pattern: string}
  | {kind: 'date'}
  | {kind: 'time'; seconds: boolean; elapsed: boolean}

/** The style of a cell without a number format. */
export const GENERAL: NumberStyle = {kind: 'general'}
const PERCENT: NumberStyle = {kind: 'percent'}
const DATE: NumberStyle = {kind: 'date'}

/** Built-in number formats (ECMA-376 18.8.30) that are not shown as plain numbers. */
export function builtInStyle(id: number): NumberStyle {
  if (id === 9 || id === 10) return PERCENT
  if (id === 1) return {kind: 'digits', pattern: '0'}
  if ((id >= 14 && id <= 17) || id === 22 || (id >= 27 && id <= 31) || (id >= 34 && id <= 36) || (id >= 50 && id <= 58))
    return DATE
  if (id === 18 || id === 20 || id === 32) return {kind: 'time', seconds: false, elapsed: false}
  if (id === 19 || id === 21 || id === 33 || id === 45 || id === 47)
    return {kind: 'time', seconds: true, elapsed: false}
  if (id === 46) return {kind: 'time', seconds: true, elapsed: true}
  return GENERAL
}

/** What a custom format code does to a number: only its first section (positive numbers) matters here. */
export function formatStyle(code: string): NumberStyle {
  const section = firstSection(code)
  const bare = section
    .replace(/"[^"]*"/g, '')
    .replace(/\\./g, '')
    .replace(/[_*]./g, '')
    .replace(/\[(?!(?:h+|m+|s+)\])[^\]]*\]/gi, '')
    .toLowerCase()
    .replace(/general|am\/pm|a\/p|e[+-]/g, '')
  if (/[dmyhs]/.test(bare)) {
    const hasTime = /[hs]/.test(bare)
    const hasDate = /[dy]/.test(bare) || (bare.includes('m') && !hasTime)
    if (hasDate) return DATE
    return {kind: 'time', seconds: bare.includes('s'), elapsed: /\[[hms]+\]/.test(bare)}
  }
  if (bare.includes('%')) return PERCENT
  const literal = section.replace(/"([^"]*)"/g, '$1').replace(/\\(.)/g, '$1')
  if (/^[0 -]*0[0 -]*$/.test(literal)) return {kind: 'digits', pattern: literal}
  return GENERAL
}

function firstSection(code: string): string {
  let quoted = false
  for (let i = 0; i < code.length; i++) {
    const c = code[i]
    if (c === '"') quoted = !quoted
    else if (c === '\\') i++
    else if (c === ';' && !quoted) return code.slice(0, i)
  }
  return code
}

/** A number cell's text: dates and times by their format, percentages as `50%`, other numbers with all digits. */
export function numberText(raw: string, style: NumberStyle, date1904: boolean): string {
  const value = Number(raw)
  if (!Number.isFinite(value)) return raw.trim()
  switch (style.kind) {
    case 'general':
      return formatNumber(value)
    case 'percent':
      return percentText(value)
    case 'digits':
      return paddedDigits(value, style.pattern) ?? formatNumber(value)
    case 'date':
      return serialText(value, date1904, undefined)
    case 'time':
      return serialText(value, date1904, style)
  }
}

/**
 * A number as Excel shows it in the formula bar: integers in full (a personnummer 200112240123 stays so), other
 * numbers rounded to Excel's 15 significant digits (0.1+0.2 is 0.3) and written without an exponent.
 */
function formatNumber(value: number): string {
  if (Number.isInteger(value) && Math.abs(value) < 1e15) return String(value + 0)
  return plainNumber(Number(value.toPrecision(15)))
}

/** JavaScript's shortest round-trip text of a number, with the exponent written out when it is within ±20. */
function plainNumber(value: number): string {
  const text = String(value + 0)
  const e = text.indexOf('e')
  if (e < 0) return text
  const exponent = Number(text.slice(e + 1))
  if (exponent > 20 || exponent < -20) return text
  const negative = text.startsWith('-')
  const mantissa = text.slice(negative ? 1 : 0, e)
  const dot = mantissa.indexOf('.')
  const digits = dot < 0 ? mantissa : mantissa.slice(0, dot) + mantissa.slice(dot + 1)
  const point = (dot < 0 ? mantissa.length : dot) + exponent
  const body =
    point <= 0
      ? `0.${'0'.repeat(-point)}${digits}`
      : point >= digits.length
        ? digits + '0'.repeat(point - digits.length)
        : `${digits.slice(0, point)}.${digits.slice(point)}`
  return (negative ? '-' : '') + body
}

/** 0.5 → `50%`, 0.125 → `12.5%`: the decimal point moved in the text, so no binary rounding creeps in. */
function percentText(value: number): string {
  const text = formatNumber(value)
  if (text.includes('e')) return `${formatNumber(value * 100)}%`
  const negative = text.startsWith('-')
  const [whole = '0', fraction = ''] = (negative ? text.slice(1) : text).split('.')
  const digits = whole + fraction.padEnd(2, '0')
  const point = whole.length + 2
  const integer = digits.slice(0, point).replace(/^0+(?=\d)/, '')
  const decimals = digits.slice(point).replace(/0+$/, '')
  return `${negative ? '-' : ''}${integer}${decimals === '' ? '' : `.${decimals}`}%`
}

/** An integer shown through a format like `000000-0000`: zero-padded, literals in place, extra digits in front. */
function paddedDigits(value: number, pattern: string): string | undefined {
  if (!Number.isInteger(value) || value < 0 || value >= 1e15) return undefined
  let zeros = 0
  for (const c of pattern) if (c === '0') zeros++
  const digits = String(value).padStart(zeros, '0')
  let d = digits.length - 1
  let out = ''
  for (let p = pattern.length - 1; p >= 0; p--) out = (pattern[p] === '0' ? digits[d--] : pattern[p]) + out
  return d >= 0 ? digits.slice(0, d + 1) + out : out
}

const DAY_MS = 86_400_000

/**
 * An Excel date serial as ISO 8601 text. Excel dates have no time zone, so the arithmetic is done in UTC. The 1900
 * date system counts the non-existent 1900-02-29 (serial 60), so serials before it are one day off from the epoch.
 */
function serialText(serial: number, date1904: boolean, time: Extract<NumberStyle, {kind: 'time'}> | undefined): string {
  if (serial < 0 || serial >= 2_958_466) return formatNumber(serial)
  let days = Math.floor(serial)
  let seconds = Math.round((serial - days) * 86_400)
  if (seconds === 86_400) {
    days++
    seconds = 0
  }
  const clock = (withSeconds: boolean, hours: number) =>
    `${pad2(hours)}:${pad2(Math.floor(seconds / 60) % 60)}${withSeconds ? `:${pad2(seconds % 60)}` : ''}`
  if (time !== undefined && (days === 0 || time.elapsed)) {
    const hours = Math.floor(seconds / 3600) + (time.elapsed ? days * 24 : 0)
    return clock(time.seconds || seconds % 60 !== 0, hours)
  }
  let date: string
  if (date1904) date = isoDate(Date.UTC(1904, 0, 1) + days * DAY_MS)
  else if (days === 60) date = '1900-02-29'
  else date = isoDate(Date.UTC(1899, 11, 30) + (days < 60 ? days + 1 : days) * DAY_MS)
  return seconds === 0 ? date : `${date}T${clock(true, Math.floor(seconds / 3600))}`
}

function isoDate(ms: number): string {
  const date = new Date(ms)
  const year = date.getUTCFullYear()
  return `${String(year).padStart(4, '0')}-${pad2(date.getUTCMonth() + 1)}-${pad2(date.getUTCDate())}`
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n)
}

/** A `t="d"` cell (ISO 8601 text, written by some tools) as a date, or a date-time when it has a time of day. */
export function isoDateText(text: string): string {
  const match = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$/.exec(text)
  if (!match) return text
  const [, date, hours = '00', minutes = '00', seconds = '00'] = match
  return hours === '00' && minutes === '00' && seconds === '00' ? date! : `${date}T${hours}:${minutes}:${seconds}`
}

/** Whether a number's text is already how it is shown: an integer of at most 15 digits, no leading zero or sign. */
export function plainInteger(value: string): boolean {
  const n = value.length
  if (n === 0 || n > 15) return false
  const first = value.charCodeAt(0)
  if (first < 49 || first > 57) return n === 1 && first === 48
  for (let i = 1; i < n; i++) {
    const c = value.charCodeAt(i)
    if (c < 48 || c > 57) return false
  }
  return true
}

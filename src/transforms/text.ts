import {fail, ok, type TransformResult} from './types.js'

/**
 * Name particles kept in lower case when title-casing, as Swedish (and German/Dutch) noble and toponymic names are
 * written: `CARL VON LINNÉ` → `Carl von Linné`, `AF KLINTBERG` → `af Klintberg`. `du`, `da`, `di`, `le` are left out
 * because they are also family names of their own (Du, Da, Le); templates may pass their own list.
 */
export const DEFAULT_NAME_PARTICLES: readonly string[] = ['af', 'de', 'den', 'der', 'van', 'von', 'zu']

export type TextCase = 'upper' | 'lower' | 'title'

export interface NormalizeTextOptions {
  /** Replace every run of whitespace (tabs, line breaks, no-break spaces) inside the value with one space. Default false. */
  collapseSpaces?: boolean
  /** Change the case; default: keep it. */
  case?: TextCase
  /** For `case: 'title'`: words kept in lower case when another word follows. Default DEFAULT_NAME_PARTICLES. */
  particles?: readonly string[]
}

/**
 * Unicode NFC, trimmed (no-break spaces too), optionally with inner whitespace collapsed and the case changed.
 * An absent or blank value stays absent (`ok(undefined)`): whether a field is required is the template's business.
 *
 * `case: 'title'` is meant for names exported in capitals: `ANNA-KARIN ÅBERG` → `Anna-Karin Åberg`, `O'BRIEN` →
 * `O'Brien`, `CARL VON LINNÉ` → `Carl von Linné`. Every letter after a non-letter (space, hyphen, apostrophe) is
 * capitalised and the rest lower-cased, except particles (`von`, `af`, `de`…) followed by another word. Title-casing
 * cannot restore `McLean` or `DiCaprio`, so a value that already mixes upper and lower case is trusted and left as it
 * is: only all-capital or all-lower-case values are re-cased. Upper and lower case are locale-independent (Swedish has
 * no special case mappings).
 */
export function normalizeText(
  value: string | undefined,
  options: NormalizeTextOptions = {},
): TransformResult<string | undefined> {
  if (value === undefined) return ok(undefined)
  let text = value.normalize('NFC').trim()
  if (text === '') return ok(undefined)
  if (options.collapseSpaces) text = text.replace(/\s+/g, ' ')
  switch (options.case) {
    case 'upper':
      return ok(text.toUpperCase())
    case 'lower':
      return ok(text.toLowerCase())
    case 'title':
      return ok(titleCase(text, options.particles ?? DEFAULT_NAME_PARTICLES))
    default:
      return ok(text)
  }
}

function titleCase(text: string, particles: readonly string[]): string {
  if (/\p{Lu}/u.test(text) && /\p{Ll}/u.test(text)) return text
  const lowerParticles = new Set(particles.map((particle) => particle.toLowerCase()))
  // Splitting on whitespace with a capture group keeps the separators at the odd indexes, so the text's own spacing
  // survives when collapseSpaces is off.
  const tokens = text.toLowerCase().split(/(\s+)/)
  // The text is trimmed, so the last token is a word.
  const lastWord = tokens.length - 1
  return tokens
    .map((token, index) => {
      if (index % 2 === 1) return token
      if (index < lastWord && lowerParticles.has(token)) return token
      return token.replace(
        /(^|[^\p{L}\p{M}])(\p{Ll})/gu,
        (_whole, before: string, letter: string) => before + letter.toUpperCase(),
      )
    })
    .join('')
}

export type NameFormat = 'family, given' | 'given family' | 'family given'

/**
 * A split name. SS 12000's `middleName` is never filled by splitting: a Swedish mellannamn (a family name placed
 * before the surname) cannot be told from a second given name or a double surname by position, so `Ek, Alva Maria`
 * gives givenName `Alva Maria`. A template that has a middle-name column maps it directly.
 */
export interface PersonName {
  givenName?: string
  familyName?: string
}

export interface SplitNameOptions {
  /**
   * How the column writes the name: `family, given` (`Ek, Alva Maria`: the comma decides), `given family`
   * (`Alva Maria Ek`: the last word is the family name) or `family given` (`Ek Alva Maria`: the first word is).
   */
  format: NameFormat
  /** Particles that belong to the family name that follows them (`Carl von Linné` → `von Linné`). */
  particles?: readonly string[]
}

/**
 * Splits a full name into SS 12000 givenName and familyName. Whitespace inside each part is collapsed; case is kept
 * (compose with `text` to re-case). Hyphenated names are one word (`Anna-Karin`, `Ek-Lind`).
 *
 * A single name (one word, or one side of the comma empty) is not an error of the export: some people have only one
 * name. It becomes the familyName (or the givenName, when only the part after the comma is there) with the warning
 * `transform.name.single`; SS 12000 requires both, so schema validation still reports the other unless the template
 * supplies it. Without a comma, `family, given` is a problem for names of several words (`transform.name.format`),
 * and a comma is a problem in the two word-order formats, since it means the column was declared wrongly.
 */
export function splitName(
  value: string | undefined,
  options: SplitNameOptions,
): TransformResult<PersonName | undefined> {
  if (value === undefined) return ok(undefined)
  const text = value.normalize('NFC').trim().replace(/\s+/g, ' ')
  if (text === '') return ok(undefined)
  const particles = new Set((options.particles ?? DEFAULT_NAME_PARTICLES).map((particle) => particle.toLowerCase()))

  if (options.format === 'family, given') {
    const parts = text.split(',')
    if (parts.length === 1) {
      if (text.includes(' ')) return fail('transform.name.format', {format: options.format})
      return ok({familyName: text}, {code: 'transform.name.single', params: {part: 'familyName'}})
    }
    if (parts.length > 2) return fail('transform.name.format', {format: options.format})
    const familyName = (parts[0] ?? '').trim()
    const givenName = (parts[1] ?? '').trim()
    if (familyName === '' && givenName === '') return fail('transform.name.format', {format: options.format})
    if (givenName === '') return ok({familyName}, {code: 'transform.name.single', params: {part: 'familyName'}})
    if (familyName === '') return ok({givenName}, {code: 'transform.name.single', params: {part: 'givenName'}})
    return ok({givenName, familyName})
  }

  if (text.includes(',')) return fail('transform.name.format', {format: options.format})
  const words = text.split(' ')
  if (words.length === 1) return ok({familyName: text}, {code: 'transform.name.single', params: {part: 'familyName'}})
  const isParticle = (word: string | undefined) => word !== undefined && particles.has(word.toLowerCase())

  if (options.format === 'given family') {
    let start = words.length - 1
    // Keep at least one given name, so `Von Anna` is not all family name.
    while (start > 1 && isParticle(words[start - 1])) start--
    return ok({givenName: words.slice(0, start).join(' '), familyName: words.slice(start).join(' ')})
  }

  let end = 1
  while (end < words.length - 1 && isParticle(words[end - 1])) end++
  return ok({familyName: words.slice(0, end).join(' '), givenName: words.slice(end).join(' ')})
}

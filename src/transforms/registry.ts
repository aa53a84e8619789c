import {
  type SchemaOptions,
  type Static,
  type TLiteral,
  type TObject,
  type TSchema,
  type TUnion,
  Type,
} from '@sinclair/typebox'
import {Value} from '@sinclair/typebox/value'

import {deriveSex, normalizeCivicNumber} from './civic-number.js'
import {normalizeEmail, normalizePhone} from './contact.js'
import {DATE_FORMATS, parseDate, parseDateTime, TIME_ZONES} from './dates.js'
import {schoolYearFromClass} from './school.js'
import {normalizeText, splitName} from './text.js'
import {fail, ok, type TransformContext, type TransformResult} from './types.js'
import {parseBoolean, parseDecimal, parseInteger, parsePercent, splitList} from './values.js'

/**
 * A transform as the template layer sees it: a name, a one-line summary, the schema of its parameters (strict: no
 * unknown parameters; defaults filled by `resolveTransformParams`) and a function from a cell's text to a value.
 */
export interface TransformDefinition {
  summary: string
  params: TObject
  /**
   * Transforms one value. `params` must come from `resolveTransformParams`, which checked them; a transform never
   * throws for any `value`, only for a context without a real reference date.
   */
  apply(value: string | undefined, params: Record<string, unknown>, ctx: TransformContext): TransformResult<unknown>
}

function defineTransform<S extends TObject>(
  summary: string,
  params: S,
  apply: (value: string | undefined, params: Static<S>, ctx: TransformContext) => TransformResult<unknown>,
): TransformDefinition {
  return {summary, params, apply: (value, checked, ctx) => apply(value, checked as Static<S>, ctx)}
}

function oneOf<T extends string>(values: readonly T[], options: SchemaOptions): TUnion<TLiteral<T>[]> {
  return Type.Union(
    values.map((value) => Type.Literal(value)),
    options,
  )
}

function strict<P extends Parameters<typeof Type.Object>[0]>(properties: P): TObject<P> {
  return Type.Object(properties, {additionalProperties: false})
}

/** A successful result's value changed by `f`; a problem or warning is kept. */
function mapValue<T, U>(result: TransformResult<T>, f: (value: T) => U): TransformResult<U> {
  return result.ok ? ok(f(result.value), result.warning) : result
}

const dateFormat = oneOf(DATE_FORMATS, {description: 'How the column writes dates; declared, never guessed.'})
const range = {
  min: Type.Optional(Type.Number({description: 'The smallest value allowed (inclusive).'})),
  max: Type.Optional(Type.Number({description: 'The largest value allowed (inclusive).'})),
}

/**
 * Every transform a template can name, by name. A null-prototype object, so a template naming `constructor` or
 * `__proto__` finds nothing; look names up with `getTransform`.
 */
export const TRANSFORMS: Readonly<Record<string, TransformDefinition>> = Object.freeze(
  Object.assign(Object.create(null) as Record<string, TransformDefinition>, {
    trim: defineTransform('Remove surrounding whitespace; a blank value becomes absent.', strict({}), (value) => {
      const text = value?.trim()
      return ok(text === '' ? undefined : text)
    }),
    text: defineTransform(
      'Unicode NFC and trimmed; optionally collapse inner whitespace and change case (title case for names in capitals).',
      strict({
        collapseSpaces: Type.Optional(
          Type.Boolean({
            default: false,
            description: 'Replace each run of whitespace inside the value with one space.',
          }),
        ),
        case: Type.Optional(
          oneOf(['upper', 'lower', 'title'] as const, {
            description: 'Change the case; title case re-cases only values in all capitals or all lower case.',
          }),
        ),
        particles: Type.Optional(
          Type.Array(Type.String(), {
            description:
              'Title case: words kept in lower case before another word (default af, de, den, der, van, von, zu).',
          }),
        ),
      }),
      (value, params) => normalizeText(value, params),
    ),
    'split-name': defineTransform(
      'Split a full name into givenName and familyName (never middleName: it cannot be told by position).',
      strict({
        format: oneOf(['family, given', 'given family', 'family given'] as const, {
          description: 'How the column writes names: "Ek, Alva Maria", "Alva Maria Ek" or "Ek Alva Maria".',
        }),
        part: Type.Optional(
          oneOf(['givenName', 'familyName'] as const, {
            description: 'Return only this part; default both, as an object.',
          }),
        ),
        particles: Type.Optional(
          Type.Array(Type.String(), {
            description: 'Words that belong to the family name after them (default af, von…).',
          }),
        ),
      }),
      (value, {part, ...options}) => {
        const result = splitName(value, options)
        return part === undefined ? result : mapValue(result, (name) => name?.[part])
      },
    ),
    'civic-number': defineTransform(
      'A personnummer, samordningsnummer or temporary number in SS 12000 form: 12 characters, no separator.',
      strict({
        allowTemporary: Type.Optional(
          Type.Boolean({default: true, description: 'Accept temporary numbers with letters at positions 9-10.'}),
        ),
      }),
      (value, params, ctx) => mapValue(normalizeCivicNumber(value, ctx, params), (civic) => civic?.value),
    ),
    'birth-date-from-civic-number': defineTransform(
      'The birth date (YYYY-MM-DD) in a civic number, in any layout civic-number accepts.',
      strict({}),
      (value, _params, ctx) => mapValue(normalizeCivicNumber(value, ctx), (civic) => civic?.birthDate),
    ),
    'sex-from-civic-number': defineTransform(
      'Man or Kvinna from a civic number (in any layout civic-number accepts); not from temporary numbers.',
      strict({}),
      (value, _params, ctx) => {
        const civic = normalizeCivicNumber(value, ctx)
        if (!civic.ok) return civic
        const sex = deriveSex(civic.value?.value)
        return sex.ok && sex.warning === undefined && civic.warning !== undefined ? ok(sex.value, civic.warning) : sex
      },
    ),
    date: defineTransform(
      'A date in the declared format, as YYYY-MM-DD.',
      strict({format: dateFormat}),
      (value, params) => parseDate(value, params),
    ),
    'date-time': defineTransform(
      'A date and time in the declared format, as RFC 3339 with the Swedish offset (+01:00 or +02:00).',
      strict({
        format: dateFormat,
        timeZone: Type.Optional(
          oneOf(TIME_ZONES, {default: 'Europe/Stockholm', description: 'The zone of times written without an offset.'}),
        ),
      }),
      (value, params) => parseDateTime(value, params),
    ),
    email: defineTransform('An email address, lower-cased and checked.', strict({}), (value) => normalizeEmail(value)),
    phone: defineTransform(
      'A phone number in E.164 (+46701234567).',
      strict({
        defaultCountry: Type.Optional(
          oneOf(['SE'] as const, {default: 'SE', description: 'The country of numbers without a country code.'}),
        ),
      }),
      (value, params) => normalizePhone(value, params),
    ),
    boolean: defineTransform(
      'true or false from Ja/Nej, J/N, 1/0, x, true/false, Sant/Falskt, Yes/No (any case) or the declared words.',
      strict({
        true: Type.Optional(
          Type.Array(Type.String({minLength: 1}), {description: 'Values meaning true; replaces the default list.'}),
        ),
        false: Type.Optional(
          Type.Array(Type.String({minLength: 1}), {description: 'Values meaning false; replaces the default list.'}),
        ),
        empty: Type.Optional(
          Type.Boolean({description: 'The value of an empty cell (false for x/blank checkboxes); default absent.'}),
        ),
      }),
      (value, params) => parseBoolean(value, params),
    ),
    integer: defineTransform('A whole number; thousands may be grouped with spaces.', strict(range), (value, params) =>
      parseInteger(value, params),
    ),
    decimal: defineTransform(
      'A number with a decimal comma or point; thousands may be grouped with spaces.',
      strict(range),
      (value, params) => parseDecimal(value, params),
    ),
    percent: defineTransform(
      'A whole percentage 0-100 (dutyPercent) from 50, 50 %, or 0,5 as a fraction.',
      strict({
        scale: Type.Optional(
          oneOf(['auto', 'fraction', 'percent'] as const, {
            default: 'auto',
            description: 'How numbers without % are read; auto: at most 1 is a fraction, above 1 a percentage.',
          }),
        ),
      }),
      (value, params) => parsePercent(value, params),
    ),
    list: defineTransform(
      'Split a cell into trimmed, non-empty items.',
      strict({
        separator: Type.Optional(
          Type.String({minLength: 1, description: 'The separator, literally; default a comma or a semicolon.'}),
        ),
        unique: Type.Optional(Type.Boolean({default: false, description: 'Drop repeated items, keeping the first.'})),
      }),
      (value, params) => splitList(value, params),
    ),
    'school-year': defineTransform(
      'The school year (0-10) from a class name: 7A → 7, FA → 0, NA24 → the gymnasium year on the reference date.',
      strict({}),
      (value, _params, ctx) => mapValue(schoolYearFromClass(value, ctx), (year) => year?.schoolYear),
    ),
    'school-type-from-class': defineTransform(
      'The school type a class name implies: FKLASS (FA, 0A), GR (7A) or GY (NA24).',
      strict({}),
      (value, _params, ctx) => {
        const year = schoolYearFromClass(value, ctx)
        if (!year.ok || year.value === undefined) return year
        return year.value.schoolType === undefined ? fail('transform.school-type.unknown') : ok(year.value.schoolType)
      },
    ),
  }),
)

/** The transform called `name`, if there is one (own names only: `toString` is not a transform). */
export function getTransform(name: string): TransformDefinition | undefined {
  return Object.hasOwn(TRANSFORMS, name) ? TRANSFORMS[name] : undefined
}

/**
 * Checks a template's parameters for a transform and fills in defaults, so that `apply` gets exactly what its schema
 * describes. Errors are sentences for the template author: an unknown transform (with the known names), an unknown
 * parameter (with the known ones), a missing required parameter, or a value of the wrong type (with the allowed
 * values). `params` may be undefined or null for none.
 */
export function resolveTransformParams(
  name: string,
  params: unknown,
): {ok: true; transform: TransformDefinition; params: Record<string, unknown>} | {ok: false; errors: string[]} {
  const transform = getTransform(name)
  if (transform === undefined) {
    return {
      ok: false,
      errors: [`Unknown transform '${name}'. Known transforms: ${Object.keys(TRANSFORMS).join(', ')}.`],
    }
  }
  const given = params ?? {}
  if (typeof given !== 'object' || Array.isArray(given)) {
    return {ok: false, errors: [`The parameters of transform '${name}' must be a mapping of names to values.`]}
  }
  const properties = transform.params.properties as Record<string, TSchema>
  const known = Object.keys(properties)
  const required = new Set(transform.params.required ?? [])
  const errors: string[] = []
  for (const [key, value] of Object.entries(given)) {
    const schema = Object.hasOwn(properties, key) ? properties[key] : undefined
    if (schema === undefined) {
      const list = known.length === 0 ? 'it takes none' : `known: ${known.join(', ')}`
      errors.push(`Transform '${name}' has no parameter '${key}' (${list}).`)
    } else if (!Value.Check(schema, value)) {
      errors.push(
        `Parameter '${key}' of transform '${name}' must be ${describeType(schema)}, not ${JSON.stringify(value)}.`,
      )
    }
  }
  for (const key of required) {
    if (!Object.hasOwn(given, key)) {
      errors.push(`Transform '${name}' needs the parameter '${key}' (${describeType(properties[key] ?? {})}).`)
    }
  }
  if (errors.length > 0) return {ok: false, errors}
  const resolved = Value.Default(transform.params, Value.Clone(given)) as Record<string, unknown>
  // The per-parameter checks above are the messages; this is the whole-object guarantee apply relies on.
  if (!Value.Check(transform.params, resolved)) {
    return {ok: false, errors: [`The parameters of transform '${name}' do not fit its schema.`]}
  }
  return {ok: true, transform, params: resolved}
}

/** A parameter's type in words for messages and the README: `'a' | 'b'`, `boolean`, `string[]`. */
function describeType(schema: object): string {
  const json = schema as {anyOf?: unknown; const?: unknown; type?: unknown; items?: unknown}
  if (Array.isArray(json.anyOf)) return (json.anyOf as object[]).map(describeType).join(' | ')
  if (json.const !== undefined) return JSON.stringify(json.const).replaceAll('"', "'")
  if (json.type === 'array') return `${describeType((json.items as object | undefined) ?? {})}[]`
  return typeof json.type === 'string' ? json.type : 'any value'
}

/** One transform's documentation. */
export interface TransformDescription {
  name: string
  summary: string
  params: Array<{name: string; type: string; required: boolean; default?: unknown; description?: string}>
}

/** Every transform with its parameters, in registry order, for the README's mapping-file reference. */
export function describeTransforms(): TransformDescription[] {
  return Object.entries(TRANSFORMS).map(([name, transform]) => {
    const required = new Set(transform.params.required ?? [])
    const params = Object.entries(transform.params.properties as Record<string, TSchema>).map(([key, schema]) => {
      const param: TransformDescription['params'][number] = {
        name: key,
        type: describeType(schema),
        required: required.has(key),
      }
      if (schema.default !== undefined) param.default = schema.default
      if (typeof schema.description === 'string') param.description = schema.description
      return param
    })
    return {name, summary: transform.summary, params}
  })
}

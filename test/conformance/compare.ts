import {CYCLE_MARKER, isObject, type JsonSchema, schemaAtPath} from './oracle.js'

/**
 * A field-by-field comparison of one of OUR JSON Schemas (built by src/schema/model.ts) with THEIR schema (an oracle
 * component, resolved by oracle.ts), recursive into object properties and array items.
 */

export const DIFFERENCE_KINDS = [
  'missing-property',
  'extra-property',
  'type',
  'format',
  'enum',
  'required',
  'pattern',
  'minItems',
  'maxItems',
  'minimum',
  'maximum',
  'uniqueItems',
  'default',
  'embedded-shape',
  'unsupported-keyword',
] as const
export type DifferenceKind = (typeof DIFFERENCE_KINDS)[number]

export interface Difference {
  /** Our name of the compared schema (`Person`, `ExternalIdentifier`, `SchoolTypesEnum`). */
  schema: string
  /** Where, as `emails[].value`; the schema itself is the empty string. */
  path: string
  kind: DifferenceKind
  /**
   * What we have. `missing-property`: undefined. `extra-property`: true. `required`: whether we require it. `enum`:
   * the values only we have. `embedded-shape`: the property names only our schema has. Otherwise our keyword value.
   */
  ours: unknown
  /** The same for them: `enum` and `embedded-shape` list what only they have. */
  theirs: unknown
  /** The oracle this difference is against; `tk450` for fields the Skolverket profile keeps from TK450. */
  oracle: string
  /** For `extra-property`: whether the TK450 oracle has the field at this place (see CompareOptions.tk450). */
  inTk450?: boolean
}

export interface CompareOptions {
  /** Our name of the schema, used in the differences. */
  schema: string
  /** The oracle's name, used in the differences (`tk450`, `skolverket`). */
  oracle: string
  /** Our schema of an embedded entity (`$ref: 'Placement.json'` → our Placement in the same profile and mode). */
  ourEmbedded(name: string): JsonSchema
  /** Their schema of a component a cycle marker stands for. */
  expandTheirs(name: string): JsonSchema
  /**
   * The TK450 counterpart of the whole compared schema, when THEIR schema is a narrower profile of it. An extra
   * property of ours that TK450 has at the same place is marked `inTk450` and then compared with TK450's definition
   * (its schema, and whether TK450 requires it), so the fields a profile keeps from TK450 are still checked.
   */
  tk450?: {root: JsonSchema; expand(name: string): JsonSchema}
}

export interface Comparison {
  schema: string
  differences: Difference[]
  /** Property paths compared on both sides (the root and array items not counted). */
  comparedFields: number
}

/** Keywords that carry no contract, or that are compared elsewhere (our if/then `allOf`, our reference annotation). */
const IGNORED_KEYWORDS = new Set([
  'title',
  'description',
  'example',
  'examples',
  'readOnly',
  'additionalProperties',
  'x-ss12000-ref',
  'x-oracle-ref',
  '$id',
  'allOf',
])
const SCALAR_KEYWORDS = [
  'format',
  'pattern',
  'minItems',
  'maxItems',
  'minimum',
  'maximum',
  'uniqueItems',
  'default',
] as const satisfies readonly DifferenceKind[]
const STRUCTURAL_KEYWORDS = new Set(['type', 'enum', 'properties', 'required', 'items', '$ref', CYCLE_MARKER])
const KNOWN_KEYWORDS = new Set([...IGNORED_KEYWORDS, ...SCALAR_KEYWORDS, ...STRUCTURAL_KEYWORDS])

const EMBEDDED_REF = /^([A-Za-z]+)\.json$/

export function compareSchemas(ours: JsonSchema, theirs: JsonSchema, options: CompareOptions): Comparison {
  const comparison: Comparison = {schema: options.schema, differences: [], comparedFields: 0}
  walk(ours, theirs, '', options.oracle, options, comparison)
  return comparison
}

function walk(
  ours: JsonSchema,
  theirsRaw: JsonSchema,
  path: string,
  oracle: string,
  options: CompareOptions,
  out: Comparison,
): void {
  const theirs = expand(theirsRaw, oracle === 'tk450' && options.tk450 ? options.tk450.expand : options.expandTheirs)
  const add = (kind: DifferenceKind, at: string, oursValue: unknown, theirsValue: unknown, extra: object = {}) =>
    out.differences.push({
      schema: options.schema,
      path: at,
      kind,
      ours: oursValue,
      theirs: theirsValue,
      oracle,
      ...extra,
    })

  for (const [side, schema] of [
    ['ours', ours],
    ['theirs', theirs],
  ] as const) {
    for (const keyword of Object.keys(schema)) {
      if (!KNOWN_KEYWORDS.has(keyword)) {
        add('unsupported-keyword', path, side === 'ours' ? keyword : undefined, side === 'theirs' ? keyword : undefined)
      }
    }
  }

  // Our `_embedded` entries point at a whole entity schema: compare its field names only (shallow).
  const ref = typeof ours.$ref === 'string' ? EMBEDDED_REF.exec(ours.$ref) : null
  if (typeof ours.$ref === 'string') {
    if (!ref?.[1]) {
      add('unsupported-keyword', path, `$ref ${ours.$ref}`, undefined)
      return
    }
    const ourNames = Object.keys(propertiesOf(options.ourEmbedded(ref[1])))
    const theirNames = Object.keys(propertiesOf(theirs))
    const onlyOurs = ourNames.filter((name) => !theirNames.includes(name)).sort()
    const onlyTheirs = theirNames.filter((name) => !ourNames.includes(name)).sort()
    if (onlyOurs.length > 0 || onlyTheirs.length > 0) add('embedded-shape', path, onlyOurs, onlyTheirs)
    return
  }

  const ourTypes = typesOf(ours)
  const theirTypes = typesOf(theirs)
  if (!sameSet(ourTypes, theirTypes)) add('type', path, ours.type, theirs.type)

  if (ours.enum !== undefined || theirs.enum !== undefined) {
    const ourValues = Array.isArray(ours.enum) ? ours.enum : []
    const theirValues = Array.isArray(theirs.enum) ? theirs.enum : []
    const onlyOurs = ourValues.filter((value) => !theirValues.includes(value))
    const onlyTheirs = theirValues.filter((value) => !ourValues.includes(value))
    if (ours.enum === undefined || theirs.enum === undefined || onlyOurs.length > 0 || onlyTheirs.length > 0) {
      add(
        'enum',
        path,
        ours.enum === undefined ? undefined : onlyOurs,
        theirs.enum === undefined ? undefined : onlyTheirs,
      )
    }
  }

  for (const keyword of SCALAR_KEYWORDS) {
    const mine = normalizeScalar(keyword, ours[keyword])
    const other = normalizeScalar(keyword, theirs[keyword])
    if (JSON.stringify(mine) !== JSON.stringify(other)) add(keyword, path, mine, other)
  }

  const ourProperties = propertiesOf(ours)
  const theirProperties = propertiesOf(theirs)
  const ourRequired = requiredOf(ours)
  const theirRequired = requiredOf(theirs)
  const child = (name: string) => (path === '' ? name : `${path}.${name}`)

  for (const name of Object.keys(theirProperties)) {
    if (!(name in ourProperties)) add('missing-property', child(name), undefined, true)
  }
  for (const [name, mine] of Object.entries(ourProperties)) {
    const other = theirProperties[name]
    if (other !== undefined) {
      out.comparedFields++
      walk(mine, other, child(name), oracle, options, out)
      continue
    }
    const tk450Parent =
      options.tk450 && oracle !== 'tk450' ? schemaAtPath(options.tk450.root, path, options.tk450.expand) : undefined
    const tk450Field = tk450Parent ? propertiesOf(expand(tk450Parent, options.tk450!.expand))[name] : undefined
    add('extra-property', child(name), true, undefined, options.tk450 ? {inTk450: tk450Field !== undefined} : {})
    if (tk450Field !== undefined && tk450Parent !== undefined) {
      // A field the profile does not have but keeps from TK450: check it against TK450 instead.
      out.comparedFields++
      const tk450Requires = requiredOf(expand(tk450Parent, options.tk450!.expand)).includes(name)
      if (ourRequired.includes(name) !== tk450Requires) {
        out.differences.push({
          schema: options.schema,
          path: child(name),
          kind: 'required',
          ours: ourRequired.includes(name),
          theirs: tk450Requires,
          oracle: 'tk450',
        })
      }
      walk(mine, tk450Field, child(name), 'tk450', options, out)
    }
  }

  // Required, per field (a name they require may even be missing from the properties: a defect, still reported).
  for (const name of new Set([...ourRequired, ...theirRequired])) {
    const mineRequired = ourRequired.includes(name)
    const otherRequired = theirRequired.includes(name)
    if (mineRequired === otherRequired) continue
    add('required', child(name), mineRequired, otherRequired)
  }

  if (isObject(ours.items) || isObject(theirs.items)) {
    if (isObject(ours.items) && isObject(theirs.items)) {
      walk(ours.items, theirs.items, `${path}[]`, oracle, options, out)
    } else {
      add('type', `${path}[]`, isObject(ours.items) ? 'items' : undefined, isObject(theirs.items) ? 'items' : undefined)
    }
  }
}

function expand(schema: JsonSchema, expandCycle: (name: string) => JsonSchema): JsonSchema {
  const cycle = schema[CYCLE_MARKER]
  return typeof cycle === 'string' ? expandCycle(cycle) : schema
}

function propertiesOf(schema: JsonSchema): Record<string, JsonSchema> {
  return isObject(schema.properties) ? (schema.properties as Record<string, JsonSchema>) : {}
}

function requiredOf(schema: JsonSchema): string[] {
  return Array.isArray(schema.required) ? schema.required.map(String) : []
}

function typesOf(schema: JsonSchema): string[] {
  if (schema.type === undefined) return []
  return (Array.isArray(schema.type) ? schema.type : [schema.type]).map(String)
}

/** `uniqueItems: false` says the same as no `uniqueItems`. */
function normalizeScalar(keyword: string, value: unknown): unknown {
  if (keyword === 'uniqueItems' && value === false) return undefined
  return value
}

function sameSet(first: readonly unknown[], second: readonly unknown[]): boolean {
  return first.length === second.length && first.every((value) => second.includes(value))
}

/** One line per difference, for failure messages and the summary. */
export function formatDifference(difference: Difference, profile?: string): string {
  const where = `${profile ? `[${profile}] ` : ''}${difference.schema}${difference.path === '' ? '' : `.${difference.path}`}`
  const show = (value: unknown) => (value === undefined ? '—' : JSON.stringify(value))
  return `${where} ${difference.kind} (vs ${difference.oracle}): ours ${show(difference.ours)}, theirs ${show(difference.theirs)}`
}

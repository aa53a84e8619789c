import {existsSync, readFileSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

import {parseDocument} from 'yaml'

/**
 * The conformance oracles: the TK450 OpenAPI bundle (`openapi-ss12000-2020.json`) and Skolverket's expose OpenAPI
 * (`skolverket-ref-api-expose.yml`), both from the shared reference directory (../shared/ss12000, see its README.md).
 * Their schemas are turned into plain, self-contained JSON Schema objects so they can be compared with ours:
 * internal `$ref`s resolved, `allOf` flattened, `nullable` turned into a `null` type.
 */

export type JsonSchema = Record<string, unknown>

export interface OpenApiDocument {
  components: {schemas: Record<string, JsonSchema>}
  [key: string]: unknown
}

/** The keyword a resolved schema carries to say which component it came from (for messages only). */
export const ORACLE_REF = 'x-oracle-ref'
/** The keyword of the marker that stands for a `$ref` met again inside its own expansion. */
export const CYCLE_MARKER = 'x-oracle-cycle'

export const TK450_FILE = 'openapi-ss12000-2020.json'
export const SKOLVERKET_EXPOSE_FILE = 'skolverket-ref-api-expose.yml'
export const SAMPLE_DATA_DIR = 'skolverket-sampledata'

/** Where the project sits: two levels up from test/conformance. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url))

export interface OracleLocation {
  dir: string
  /** How the directory was chosen, for the failure message. */
  source: 'SS12000_SHARED_DIR' | 'default'
  exists: boolean
}

/** The shared reference directory: `SS12000_SHARED_DIR` when set, else `<repo root>/../shared/ss12000`. */
export function locateOracleDir(env: NodeJS.ProcessEnv = process.env): OracleLocation {
  const fromEnv = env.SS12000_SHARED_DIR
  const dir = fromEnv ? path.resolve(fromEnv) : path.resolve(REPO_ROOT, '../shared/ss12000')
  const exists = existsSync(path.join(dir, TK450_FILE)) && existsSync(path.join(dir, SKOLVERKET_EXPOSE_FILE))
  return {dir, source: fromEnv ? 'SS12000_SHARED_DIR' : 'default', exists}
}

/** The oracle directory, or an error that says where it was looked for and why the suite needs it. */
export function requireOracleDir(env: NodeJS.ProcessEnv = process.env): string {
  const location = locateOracleDir(env)
  if (!location.exists) {
    const how =
      location.source === 'SS12000_SHARED_DIR'
        ? `SS12000_SHARED_DIR points to ${location.dir}`
        : `looked in ${location.dir} (<repo root>/../shared/ss12000; set SS12000_SHARED_DIR to use another place)`
    throw new Error(
      `The SS 12000 conformance suite needs the shared reference files (../shared/ss12000 with ${TK450_FILE} and ` +
        `${SKOLVERKET_EXPOSE_FILE}), but they are missing: ${how}.`,
    )
  }
  return location.dir
}

export interface Oracles {
  dir: string
  tk450: OpenApiDocument
  skolverket: OpenApiDocument
}

export function loadOracles(dir: string = requireOracleDir()): Oracles {
  const tk450 = JSON.parse(readFileSync(path.join(dir, TK450_FILE), 'utf8')) as OpenApiDocument
  const skolverket = parseExposeYaml(readFileSync(path.join(dir, SKOLVERKET_EXPOSE_FILE), 'utf8')) as OpenApiDocument
  for (const [name, document] of [
    [TK450_FILE, tk450],
    [SKOLVERKET_EXPOSE_FILE, skolverket],
  ] as const) {
    if (!isObject(document?.components?.schemas)) throw new Error(`${name} has no components.schemas`)
  }
  return {dir, tk450, skolverket}
}

/**
 * Parses Skolverket's expose file. Its generator wrote 21 two-line double-quoted query-parameter descriptions whose
 * second line (`\ format, e.g ...`) is indented one column less than YAML 1.2 allows for a flow scalar in a block
 * mapping; `yaml` rejects those lines (MISSING_CHAR) where laxer parsers accept them. Exactly those lines get one more
 * space (which does not change the value: a continuation line's leading white space is folded away) and the text is
 * parsed again, which must then succeed without errors. Nothing in `components` is affected.
 */
export function parseExposeYaml(text: string): unknown {
  const first = parseDocument(text)
  if (first.errors.length === 0) return first.toJS()
  const lines = text.split('\n')
  const badLines = new Set<number>()
  for (const error of first.errors) {
    const line = error.linePos?.[0]?.line
    if (error.code !== 'MISSING_CHAR' || line === undefined) throw error
    badLines.add(line - 1)
  }
  for (const index of badLines) {
    const line = lines[index]
    if (line !== undefined && /^ +\\ /.test(line)) lines[index] = ` ${line}`
  }
  const second = parseDocument(lines.join('\n'))
  const [error] = second.errors
  if (error) throw error
  return second.toJS()
}

const COMPONENT_PREFIX = '#/components/schemas/'

/**
 * A component schema of an OpenAPI document, resolved: every internal `$ref` replaced by its target (a `$ref` met
 * again inside its own expansion becomes `{[CYCLE_MARKER]: name}`), every `allOf` merged into one schema, and
 * `nullable: true` expressed as a `null` type. Throws for unknown components and external refs.
 */
export function resolveComponent(document: OpenApiDocument, name: string): JsonSchema {
  const schema = document.components.schemas[name]
  if (schema === undefined) throw new Error(`no components.schemas.${name}`)
  return resolve(document, {$ref: `${COMPONENT_PREFIX}${name}`}, [])
}

function resolve(document: OpenApiDocument, schema: JsonSchema, stack: string[]): JsonSchema {
  if (typeof schema.$ref === 'string') {
    const ref = schema.$ref
    if (!ref.startsWith(COMPONENT_PREFIX)) throw new Error(`unsupported $ref ${ref}`)
    const name = ref.slice(COMPONENT_PREFIX.length)
    if (stack.includes(name)) return {[CYCLE_MARKER]: name}
    const target = document.components.schemas[name]
    if (target === undefined) throw new Error(`unresolvable $ref ${ref}`)
    // Keywords next to a $ref (OAS 3.0 ignores them, but descriptions and readOnly are common) are kept.
    const {$ref: _ref, ...siblings} = schema
    const resolved = resolve(document, target, [...stack, name])
    const merged =
      Object.keys(siblings).length > 0 ? mergeSchemas(resolved, resolve(document, siblings, stack)) : resolved
    return {...merged, [ORACLE_REF]: name}
  }
  let result: JsonSchema = {}
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'allOf') continue
    if (key === 'properties' && isObject(value)) {
      result.properties = Object.fromEntries(
        Object.entries(value).map(([property, sub]) => [property, resolve(document, sub as JsonSchema, stack)]),
      )
    } else if ((key === 'items' || key === 'additionalProperties' || key === 'not') && isObject(value)) {
      result[key] = resolve(document, value, stack)
    } else if ((key === 'oneOf' || key === 'anyOf') && Array.isArray(value)) {
      result[key] = value.map((sub) => resolve(document, sub as JsonSchema, stack))
    } else {
      result[key] = value
    }
  }
  if (Array.isArray(schema.allOf)) {
    for (const part of schema.allOf) result = mergeSchemas(result, resolve(document, part as JsonSchema, stack))
  }
  if (result.nullable === true) {
    delete result.nullable
    const types = result.type === undefined ? [] : Array.isArray(result.type) ? result.type : [result.type]
    if (types.length > 0 && !types.includes('null')) result.type = [...types, 'null']
  } else if (result.nullable === false) {
    delete result.nullable
  }
  return result
}

/**
 * Merges two resolved schemas as `allOf` means them for objects: the union of the properties (a property in both is
 * merged the same way) and of the required lists. Other keywords: the first schema's value wins, except that a
 * cycle marker gives way to a real schema.
 */
export function mergeSchemas(first: JsonSchema, second: JsonSchema): JsonSchema {
  if (first[CYCLE_MARKER] !== undefined && Object.keys(first).length === 1) return second
  if (second[CYCLE_MARKER] !== undefined && Object.keys(second).length === 1) return first
  const merged: JsonSchema = {...second, ...first}
  const firstProperties = isObject(first.properties) ? first.properties : undefined
  const secondProperties = isObject(second.properties) ? second.properties : undefined
  if (firstProperties || secondProperties) {
    const properties: Record<string, JsonSchema> = {...(secondProperties as Record<string, JsonSchema>)}
    for (const [name, sub] of Object.entries((firstProperties ?? {}) as Record<string, JsonSchema>)) {
      const other = properties[name]
      properties[name] = other === undefined ? sub : mergeSchemas(sub, other)
    }
    merged.properties = properties
  }
  const required = [
    ...(Array.isArray(first.required) ? first.required : []),
    ...(Array.isArray(second.required) ? second.required : []),
  ]
  if (required.length > 0) merged.required = [...new Set(required)]
  return merged
}

/** The resolved schema at a comparison path (`emails[].value`) inside a resolved schema, or undefined. */
export function schemaAtPath(
  schema: JsonSchema,
  fieldPath: string,
  expandCycle?: (name: string) => JsonSchema,
): JsonSchema | undefined {
  let current: JsonSchema | undefined = schema
  for (const segment of splitPath(fieldPath)) {
    if (current === undefined) return undefined
    const cycle = current[CYCLE_MARKER]
    if (typeof cycle === 'string' && expandCycle) current = expandCycle(cycle)
    if (segment === '[]') {
      current = isObject(current.items) ? current.items : undefined
    } else {
      const properties: unknown = current.properties
      current = isObject(properties) && isObject(properties[segment]) ? (properties[segment] as JsonSchema) : undefined
    }
  }
  return current
}

/** `emails[].value` → `['emails', '[]', 'value']`. The root path is the empty string. */
export function splitPath(fieldPath: string): string[] {
  if (fieldPath === '') return []
  return fieldPath
    .replaceAll('[]', '.[]')
    .split('.')
    .filter((segment) => segment !== '')
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

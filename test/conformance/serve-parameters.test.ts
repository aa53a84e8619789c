import {readFileSync} from 'node:fs'
import path from 'node:path'

import {describe, expect, it} from 'vitest'

import {entityFromName, type EntityName} from '../../src/schema/entity-names.js'
import {expansionsOf} from '../../src/server/expand.js'
import {
  ARRAY_FILTERS,
  COLLECTION_FILTERS,
  LOOKUP_KEYS,
  parameterFormat,
  RELATIONSHIP_FILTERS,
  REQUIRED_FILTERS,
  SORT_KEYS,
} from '../../src/server/filters.js'
import {requireOracleDir, TK450_FILE} from './oracle.js'

/**
 * What `serve` takes, against what the TK450 OpenAPI declares: for every list operation, the filters, which of them
 * are arrays, required, uuids, dates, date-times or codes, the sortkeys and expand values; for every lookup, the body's
 * keys. A parameter the standard adds or changes fails here before a client finds it.
 */

interface Parameter {
  name: string
  in: string
  required?: boolean
  schema?: Schema
  $ref?: string
}
interface Schema {
  type?: string
  format?: string
  enum?: string[]
  items?: Schema
  $ref?: string
  properties?: Record<string, Schema>
  allOf?: Schema[]
}
interface Operation {
  parameters?: Parameter[]
  requestBody?: {content: Record<string, {schema: Schema}>}
}
const document = JSON.parse(readFileSync(path.join(requireOracleDir(), TK450_FILE), 'utf8')) as {
  paths: Record<string, Record<string, Operation>>
  components: {parameters: Record<string, Parameter>; schemas: Record<string, Schema>}
}
const resolve = <T extends {$ref?: string}>(node: T, kind: 'parameters' | 'schemas'): T =>
  node.$ref ? (document.components[kind][node.$ref.split('/').pop()!] as T) : node
const parametersOf = (operation: Operation) =>
  (operation.parameters ?? []).map((parameter) => resolve(parameter, 'parameters'))

/** The parameters every list takes, whatever it filters; `offset` is declared but never used (SPEC-NOTES §3). */
const COMMON = new Set([
  'limit',
  'pageToken',
  'offset',
  'expandReferenceNames',
  'meta.created.before',
  'meta.created.after',
  'meta.modified.before',
  'meta.modified.after',
  'sortkey',
  'expand',
])
const AGGREGATED_FILTERS = ['startDate', 'endDate', 'organisation', 'schoolType', 'student']

const lists = Object.entries(document.paths)
  .filter(([route, methods]) => /^\/[A-Za-z]+$/.test(route) && methods.get && route !== '/deletedEntities')
  .filter(([route]) => !['/subscriptions', '/log', '/statistics'].includes(route))
  .map(([route, methods]) => ({route, entity: entityOf(route), operation: methods.get!}))

function entityOf(route: string): EntityName {
  const entity = entityFromName(route.slice(1))
  if (!entity) throw new Error(`no entity for ${route}`)
  return entity
}

describe('serve takes the parameters of the TK450 OpenAPI', () => {
  it('covers every collection the standard lists', () => {
    expect(lists.map(({route}) => route)).toHaveLength(19)
  })

  describe.each(lists)('GET $route', ({entity, operation}) => {
    const declared = parametersOf(operation).filter((parameter) => parameter.in === 'query')
    const filters = declared.filter((parameter) => !COMMON.has(parameter.name))

    it('filters by exactly the declared parameters', () => {
      const ours =
        entity === 'AggregatedAttendance'
          ? AGGREGATED_FILTERS
          : [...Object.keys(COLLECTION_FILTERS[entity] ?? {}), ...(entity === 'Person' ? RELATIONSHIP_FILTERS : [])]
      expect(ours.sort()).toEqual(filters.map((parameter) => parameter.name).sort())
    })

    it('takes arrays, uuids, dates and codes where the standard does, and requires what it requires', () => {
      for (const parameter of filters) {
        const schema = resolve(parameter.schema ?? {}, 'schemas')
        const isArray = schema.type === 'array'
        expect(ARRAY_FILTERS[entity]?.has(parameter.name) ?? false, `${parameter.name} is an array`).toBe(isArray)
        const item = resolve(isArray ? (schema.items ?? {}) : schema, 'schemas')
        const format = parameterFormat(entity, parameter.name)
        if (item.format === 'uuid' || item.format === 'date' || item.format === 'date-time') {
          expect(format, parameter.name).toBe(item.format)
        }
        if (item.enum) expect(format, parameter.name).toEqual(expect.arrayContaining(item.enum))
      }
      const required = declared.filter((parameter) => parameter.required).map((parameter) => parameter.name)
      expect(REQUIRED_FILTERS[entity] ?? []).toEqual(required)
    })

    it('sorts and expands by the declared values', () => {
      const sortkey = declared.find((parameter) => parameter.name === 'sortkey')
      expect(Object.keys(SORT_KEYS[entity] ?? {}).sort()).toEqual([...(sortkey?.schema?.enum ?? [])].sort())
      const expand = declared.find((parameter) => parameter.name === 'expand')
      expect(expansionsOf(entity).sort()).toEqual([...(expand?.schema?.items?.enum ?? [])].sort())
    })
  })

  const lookups = Object.entries(document.paths)
    .filter(([route, methods]) => route.endsWith('/lookup') && methods.post)
    .map(([route, methods]) => ({route, entity: entityOf(route.slice(0, -'/lookup'.length)), operation: methods.post!}))

  it.each(lookups)('POST $route takes the declared body keys', ({entity, operation}) => {
    const body = resolve(operation.requestBody!.content['application/json']!.schema, 'schemas')
    const properties = [body, ...(body.allOf ?? []).map((part) => resolve(part, 'schemas'))].flatMap((part) =>
      Object.keys(part.properties ?? {}),
    )
    expect(['ids', ...Object.keys(LOOKUP_KEYS[entity] ?? {})].sort()).toEqual(properties.sort())
  })
})

import {afterAll, describe, expect, it} from 'vitest'

import {
  ABSENCE_TYPES,
  ASSIGNMENT_ROLE_TYPES,
  CURRICULA,
  GROUP_TYPES,
  RELATION_TYPES,
} from '../../src/schema/code-lists.js'
import {ENTITY_NAMES, type EntityName} from '../../src/schema/entity-names.js'
import type {Model} from '../../src/schema/model.js'
import {MODES, PROFILE_NAMES, PROFILES, type ProfileName} from '../../src/schema/profiles.js'
import {getModel} from '../../src/schema/validators.js'
import {judge, loadAllowedDifferences, staleEntries, type Verdict} from './allowed-differences.js'
import {type Comparison, compareSchemas, formatDifference} from './compare.js'
import {
  isObject,
  type JsonSchema,
  loadOracles,
  type OpenApiDocument,
  requireOracleDir,
  resolveComponent,
  schemaAtPath,
  TK450_FILE,
} from './oracle.js'

// Throws, and so fails this file, when ../shared/ss12000 (or $SS12000_SHARED_DIR) is missing: see oracle.ts.
const oracles = loadOracles()
const entries = loadAllowedDifferences()

const response = (profile: ProfileName): Model => getModel({profile, mode: 'response'})

type TargetGroup = 'entity' | 'shared type' | 'code list'

/** One comparison: one of our schemas with one oracle component. */
interface Target {
  profile: ProfileName
  group: TargetGroup
  /** Our name (also the `schema` of allowed-differences.yaml entries). */
  schema: string
  /** The oracle component it is compared with. */
  theirs: string
  ours: JsonSchema
  /** For the skolverket profile: where the same schema is in TK450, for the fields the profile keeps from it. */
  tk450?: {component: string; path: string}
}

interface Result extends Target {
  comparison: Comparison
  verdicts: Verdict[]
}

const codeList = (values: readonly string[]): JsonSchema => ({type: 'string', enum: [...values]})

// --- what is compared with what ------------------------------------------------------------------------------------
/** The TK450 entities whose list/get responses carry `_embedded` are compared in their Expanded form. */
const EXPANDED_IN_TK450 = new Set<EntityName>(['Person', 'Placement', 'Duty', 'Group', 'Activity'])
const tk450Component = (entity: EntityName) => (EXPANDED_IN_TK450.has(entity) ? `${entity}Expanded` : entity)

function tk450Targets(): Target[] {
  const profile: ProfileName = 'ss12000-2020'
  const model = response(profile)
  const lists = PROFILES[profile].codeLists
  const types = [
    'Meta',
    'ObjectReference',
    'Enrolment',
    'GroupFragment',
    'DeletedEntities',
    'LogEntry',
    'StatisticsEntry',
    'CreateSubscription',
    'Error',
    'IdLookup',
  ] as const satisfies ReadonlyArray<keyof Model['types']>
  const codeLists: Array<[string, readonly string[]]> = [
    ['SchoolTypesEnum', lists.schoolTypes],
    ['OrganisationTypeEnum', lists.organisationTypes],
    ['DutyRole', lists.dutyRoles],
    ['GroupTypesEnum', GROUP_TYPES],
    ['AssignmentRoleTypeEnum', ASSIGNMENT_ROLE_TYPES],
    ['RelationTypesEnum', RELATION_TYPES],
    ['CurriculumEnum', CURRICULA],
    ['AbsenceEnum', ABSENCE_TYPES],
    ['EndPointsEnum', lists.objectTypes],
  ]
  return [
    ...ENTITY_NAMES.map((entity) => ({
      profile,
      group: 'entity' as const,
      schema: entity,
      theirs: tk450Component(entity),
      ours: model.entities[entity],
    })),
    ...types.map((name) => ({
      profile,
      group: 'shared type' as const,
      schema: name,
      theirs: name,
      ours: model.types[name],
    })),
    ...codeLists.map(([name, values]) => ({
      profile,
      group: 'code list' as const,
      schema: name,
      theirs: name,
      ours: codeList(values),
    })),
  ]
}

function skolverketTargets(): Target[] {
  const profile: ProfileName = 'skolverket'
  const model = response(profile)
  const lists = PROFILES[profile].codeLists
  const entities: EntityName[] = ['Organisation', 'Person', 'Group', 'Duty', 'Activity']
  // [ours, the expose file's name, the TK450 component, the path in it]
  const types: Array<[keyof Model['types'], string, string, string]> = [
    ['Meta', 'Meta', 'Meta', ''],
    ['Email', 'Email', 'Person', 'emails[]'],
    ['Enrolment', 'Enrolment', 'Enrolment', ''],
    ['ObjectReference', 'ObjectReference', 'ObjectReference', ''],
    ['ExternalIdentifier', 'externalIdentifier', 'Person', 'externalIdentifiers[]'],
    ['CivicNo', 'Person_civicNo', 'Person', 'civicNo'],
    ['DeletedEntities', 'DeletedEntities', 'DeletedEntities', ''],
    ['LogEntry', 'LogEntry', 'LogEntry', ''],
    ['StatisticsEntry', 'StatisticsEntry', 'StatisticsEntry', ''],
    ['GroupMembership', 'GroupMembership', 'GroupExpanded', 'groupMemberships[]'],
    ['DutyAssignment', 'DutyAssignment', 'Activity', 'teachers[]'],
  ]
  const codeLists: Array<[string, readonly string[]]> = [
    ['SchoolTypesEnum', lists.schoolTypes],
    ['GroupTypesEnum', GROUP_TYPES],
    ['DutyRoleEnum', lists.dutyRoles],
    ['EndPointsEnum', lists.objectTypes],
  ]
  return [
    ...entities.map((entity) => ({
      profile,
      group: 'entity' as const,
      schema: entity,
      theirs: entity,
      ours: model.entities[entity],
      tk450: {component: tk450Component(entity), path: ''},
    })),
    ...types.map(([name, theirs, component, path]) => ({
      profile,
      group: 'shared type' as const,
      schema: name,
      theirs,
      ours: model.types[name],
      tk450: {component, path},
    })),
    ...codeLists.map(([name, values]) => ({
      profile,
      group: 'code list' as const,
      schema: name,
      theirs: name,
      ours: codeList(values),
    })),
  ]
}

// --- running the comparisons ---------------------------------------------------------------------------------------
const resolvedCache = new Map<OpenApiDocument, Map<string, JsonSchema>>()
function resolved(document: OpenApiDocument, name: string): JsonSchema {
  let cache = resolvedCache.get(document)
  if (!cache) resolvedCache.set(document, (cache = new Map()))
  let schema = cache.get(name)
  if (!schema) cache.set(name, (schema = resolveComponent(document, name)))
  return schema
}

function run(target: Target): Result {
  const model = response(target.profile)
  const document = target.profile === 'skolverket' ? oracles.skolverket : oracles.tk450
  const expandTk450 = (name: string) => resolved(oracles.tk450, name)
  let tk450: {root: JsonSchema; expand: (name: string) => JsonSchema} | undefined
  if (target.tk450) {
    const root = schemaAtPath(expandTk450(target.tk450.component), target.tk450.path, expandTk450)
    if (!root) throw new Error(`${TK450_FILE} has no ${target.tk450.component}.${target.tk450.path}`)
    tk450 = {root, expand: expandTk450}
  }
  const comparison = compareSchemas(target.ours, resolved(document, target.theirs), {
    schema: target.schema,
    oracle: target.profile === 'skolverket' ? 'skolverket' : 'tk450',
    ourEmbedded: (name) =>
      name === 'GroupFragment' ? model.types.GroupFragment : (model.entities[name as EntityName] ?? missing(name)),
    expandTheirs: (name) => resolved(document, name),
    ...(tk450 ? {tk450} : {}),
  })
  return {...target, comparison, verdicts: judge(target.profile, comparison.differences, entries)}
}

function missing(name: string): never {
  throw new Error(`our model has no entity ${name} to embed`)
}

const results = [...tk450Targets(), ...skolverketTargets()].map(run)

const unexplained = (result: Result) =>
  result.verdicts
    .filter((verdict) => !verdict.allowedBy)
    .map((verdict) => formatDifference(verdict.difference, verdict.profile))

function expectExplained(result: Result): void {
  expect(
    unexplained(result),
    `${result.profile} ${result.schema} vs ${result.theirs}: differences that allowed-differences.yaml does not explain`,
  ).toEqual([])
  if (result.group !== 'code list') expect(result.comparison.comparedFields).toBeGreaterThan(0)
}

// --- tests ---------------------------------------------------------------------------------------------------------
describe('the conformance oracles', () => {
  it('fail the suite, saying where they were looked for, when ../shared/ss12000 is missing', () => {
    const nowhere = '/nonexistent/ss12000-shared'
    expect(() => requireOracleDir({SS12000_SHARED_DIR: nowhere})).toThrow(
      /conformance suite needs the shared reference files \(\.\.\/shared\/ss12000.*\/nonexistent\/ss12000-shared/,
    )
    expect(requireOracleDir({})).toBe(oracles.dir)
  })

  it('resolve every component of both files: no $ref, allOf or nullable left', () => {
    // The README counts 88 components.schemas in the TK450 bundle.
    expect(Object.keys(oracles.tk450.components.schemas)).toHaveLength(88)
    for (const document of [oracles.tk450, oracles.skolverket]) {
      for (const name of Object.keys(document.components.schemas)) {
        const leftovers: string[] = []
        visit(resolved(document, name), name, (schema, at) => {
          for (const keyword of ['$ref', 'allOf', 'nullable'])
            if (keyword in schema) leftovers.push(`${at}: ${keyword}`)
        })
        expect(leftovers).toEqual([])
      }
    }
  })

  it('stop at a cycle and mark it with the component name', () => {
    const document: OpenApiDocument = {
      components: {
        schemas: {
          A: {type: 'object', properties: {b: {$ref: '#/components/schemas/B'}}},
          B: {allOf: [{type: 'object', properties: {a: {$ref: '#/components/schemas/A'}}, required: ['a']}]},
        },
      },
    }
    const a = resolveComponent(document, 'A')
    expect(schemaAtPath(a, 'b')).toMatchObject({type: 'object', required: ['a']})
    expect(schemaAtPath(a, 'b.a')).toEqual({'x-oracle-cycle': 'A'})
  })
})

for (const [profile, oracle] of [
  ['ss12000-2020', 'TK450 OpenAPI (openapi-ss12000-2020.json)'],
  ['skolverket', 'Skolverket expose OpenAPI (skolverket-ref-api-expose.yml)'],
] as const) {
  describe(`${profile} (response mode) vs the ${oracle}`, () => {
    for (const group of ['entity', 'shared type', 'code list'] as const) {
      describe(group === 'entity' ? 'entities' : `${group}s`, () => {
        for (const result of results.filter((r) => r.profile === profile && r.group === group)) {
          const name = result.schema === result.theirs ? result.schema : `${result.schema} (${result.theirs})`
          it(name, () => expectExplained(result))
        }
      })
    }
  })
}

describe('the code lists have the sizes SPEC-NOTES §2.5 gives', () => {
  it.each([
    ['ss12000-2020', 'SchoolTypesEnum', 21],
    ['ss12000-2020', 'DutyRole', 6],
    ['ss12000-2020', 'EndPointsEnum', 18],
    ['skolverket', 'SchoolTypesEnum', 30],
    ['skolverket', 'DutyRoleEnum', 19],
    ['skolverket', 'EndPointsEnum', 5],
    ['skolverket', 'GroupTypesEnum', 8],
  ] as const)('%s %s: %i values', (profile, name, size) => {
    const result = results.find((r) => r.profile === profile && r.schema === name)
    expect(result?.ours.enum).toHaveLength(size)
    const document = profile === 'skolverket' ? oracles.skolverket : oracles.tk450
    expect(resolved(document, name).enum).toHaveLength(size)
  })
})

describe('payload mode = response mode minus the read-only requirements', () => {
  for (const profile of PROFILE_NAMES) {
    for (const entity of ENTITY_NAMES) {
      it(`${profile} ${entity}`, () => expect(modeReport(profile, entity).problems).toEqual([]))
    }
  }

  it('actually differs where the standard requires read-only fields', () => {
    const seen = PROFILE_NAMES.flatMap((profile) =>
      ENTITY_NAMES.flatMap((entity) =>
        modeReport(profile, entity).readOnlyRequired.map((field) => `${profile} ${field}`),
      ),
    )
    // Not vacuous: these response-only requirements come from TK450 (and Group.meta from the expose file).
    expect(seen).toEqual(
      expect.arrayContaining([
        'ss12000-2020 Organisation.meta',
        'ss12000-2020 Attendance.id',
        'ss12000-2020 Subscription.expires',
        'skolverket Group.meta',
        'skolverket Organisation.meta',
      ]),
    )
    expect(seen).not.toContain('ss12000-2020 Group.meta')
  })
})

function modeReport(profile: ProfileName, entity: EntityName): {problems: string[]; readOnlyRequired: string[]} {
  const problems: string[] = []
  const readOnlyRequired: string[] = []
  const payload = getModel({profile, mode: 'payload'}).entities[entity]
  compareModes(payload, response(profile).entities[entity], entity, problems, readOnlyRequired)
  return {problems, readOnlyRequired}
}

/**
 * Walks a payload-mode and a response-mode schema together: every keyword but `required` and `$id` must be the same,
 * and the response may require more only where the field is marked readOnly.
 */
function compareModes(
  payload: JsonSchema,
  responseSchema: JsonSchema,
  at: string,
  problems: string[],
  readOnlyRequired: string[],
): void {
  const required = (schema: JsonSchema) => (Array.isArray(schema.required) ? schema.required.map(String) : [])
  const properties = (schema: JsonSchema) =>
    isObject(schema.properties) ? (schema.properties as Record<string, JsonSchema>) : {}
  for (const field of required(payload)) {
    if (!required(responseSchema).includes(field)) problems.push(`${at}.${field}: required in payload mode only`)
  }
  for (const field of required(responseSchema)) {
    if (required(payload).includes(field)) continue
    if (properties(responseSchema)[field]?.readOnly === true) readOnlyRequired.push(`${at}.${field}`)
    else problems.push(`${at}.${field}: required in response mode only, but not readOnly`)
  }
  for (const keyword of new Set([...Object.keys(payload), ...Object.keys(responseSchema)])) {
    if (keyword === 'required' || keyword === '$id') continue
    const mine = payload[keyword]
    const other = responseSchema[keyword]
    if (keyword === 'properties' && isObject(mine) && isObject(other)) {
      for (const name of new Set([...Object.keys(mine), ...Object.keys(other)])) {
        const a = mine[name]
        const b = other[name]
        if (isObject(a) && isObject(b)) compareModes(a, b, `${at}.${name}`, problems, readOnlyRequired)
        else problems.push(`${at}.${name}: only in ${a === undefined ? 'response' : 'payload'} mode`)
      }
    } else if (keyword === 'items' && isObject(mine) && isObject(other)) {
      compareModes(mine, other, `${at}[]`, problems, readOnlyRequired)
    } else if (JSON.stringify(mine) !== JSON.stringify(other)) {
      problems.push(`${at}: ${keyword} differs between the modes`)
    }
  }
}

describe('conditional requirements (our allOf if/then, which the structural comparison ignores)', () => {
  const conditions = (profile: ProfileName, mode: (typeof MODES)[number]) =>
    [...getModel({profile, mode}).definitions].flatMap(([name, schema]) => {
      const allOf = (schema as JsonSchema).allOf
      return Array.isArray(allOf) ? allOf.map((rule) => describeCondition(name, rule as JsonSchema)) : []
    })

  it('ss12000-2020 has none: TK450 has no conditional requirements', () => {
    for (const mode of MODES) expect(conditions('ss12000-2020', mode)).toEqual([])
  })

  it('skolverket has exactly the Enrolment rules of SPEC-NOTES §4, on fields its expose Enrolment has', () => {
    const expected = ['Enrolment: schoolType = "GY" → educationCode', 'Enrolment: schoolType = "GR" → schoolYear']
    for (const mode of MODES) expect(conditions('skolverket', mode)).toEqual(expected)
    const exposeEnrolment = resolved(oracles.skolverket, 'Enrolment')
    expect(Object.keys(exposeEnrolment.properties as object)).toEqual(
      expect.arrayContaining(['schoolType', 'educationCode', 'schoolYear']),
    )
    expect(schemaAtPath(exposeEnrolment, 'schoolType')?.enum).toEqual(expect.arrayContaining(['GY', 'GR']))
  })
})

function describeCondition(name: string, rule: JsonSchema): string {
  const ifProperties = ((rule.if as JsonSchema | undefined)?.properties ?? {}) as Record<string, {const?: unknown}>
  const when = Object.entries(ifProperties).map(([field, schema]) => `${field} = ${JSON.stringify(schema.const)}`)
  const then = ((rule.then as JsonSchema | undefined)?.required ?? []) as string[]
  return `${name}: ${when.join(' and ')} → ${then.join(', ')}`
}

describe('allowed-differences.yaml', () => {
  it('has no stale entries: each one explains an actual difference in every profile it names', () => {
    expect(
      staleEntries(
        entries,
        results.flatMap((result) => result.verdicts),
      ),
    ).toEqual([])
  })
})

afterAll(() => {
  const rows = results.map((result) => {
    const byEntry = result.verdicts.filter((v) => v.allowedBy !== undefined && v.allowedBy !== 'profile-rule').length
    const byRule = result.verdicts.filter((v) => v.allowedBy === 'profile-rule').length
    return [
      result.profile,
      result.schema,
      result.theirs,
      result.group === 'code list'
        ? `${(result.ours.enum as unknown[]).length} values`
        : String(result.comparison.comparedFields),
      String(byEntry),
      String(byRule),
      String(unexplained(result).length),
    ]
  })
  const header = ['profile', 'schema', 'oracle schema', 'fields', 'allowed', 'by rule', 'unexplained']
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]?.length ?? 0)))
  const line = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ')
  const entitiesOk = (profile: ProfileName) =>
    results.filter((r) => r.profile === profile && r.group === 'entity' && unexplained(r).length === 0).length
  const entityCount = (profile: ProfileName) =>
    results.filter((r) => r.profile === profile && r.group === 'entity').length
  const total = results.reduce((sum, result) => sum + unexplained(result).length, 0)
  console.log(
    [
      'SS 12000 schema conformance (fields = property paths compared, or code values; allowed = by allowed-differences.yaml;',
      'by rule = Skolverket profile keeps TK450 fields)',
      line(header),
      ...rows.map(line),
      `${entitiesOk('ss12000-2020')}/${entityCount('ss12000-2020')} entities, both profiles ` +
        `(skolverket ${entitiesOk('skolverket')}/${entityCount('skolverket')}), ${total} unexplained; ` +
        `${results.length} schemas, ${entries.length} reviewed differences`,
    ].join('\n'),
  )
})

function visit(schema: JsonSchema, at: string, callback: (schema: JsonSchema, at: string) => void): void {
  callback(schema, at)
  for (const [name, sub] of Object.entries(isObject(schema.properties) ? schema.properties : {})) {
    if (isObject(sub)) visit(sub, `${at}.${name}`, callback)
  }
  if (isObject(schema.items)) visit(schema.items, `${at}[]`, callback)
}

import {
  ABSENCE_TYPES,
  DUTY_ROLES_2020,
  DUTY_ROLES_SKOLVERKET,
  GROUP_TYPES,
  ORGANISATION_TYPES_2020,
  ORGANISATION_TYPES_SKOLVERKET,
  SCHOOL_TYPES_2020,
  SCHOOL_TYPES_SKOLVERKET,
} from '../schema/code-lists.js'
import type {EntityName} from '../schema/entity-names.js'

/**
 * The read API's filters as SQL over the staged records: per collection, each query parameter the standard defines
 * (SPEC-NOTES §3) becomes a condition on the record's JSON (`r.json`), with its values bound as parameters. Array
 * parameters are form/explode style (`?schoolTypes=GR&schoolTypes=GY`): any value may match.
 */
export interface SqlCondition {
  sql: string
  params: unknown[]
}

export type FilterValues = string[]

/** How one parameter filters: its values (and the scope served, for rules that look at other records) → a condition. */
export type FilterRule = (values: FilterValues, scope: string) => SqlCondition

const placeholders = (values: readonly unknown[]) => values.map(() => '?').join(', ')

/** A scalar at a JSON path equals one of the values. */
export const equals =
  (path: string): FilterRule =>
  (values) => ({sql: `json_extract(r.json, '${path}') IN (${placeholders(values)})`, params: values})

/** An array at a JSON path holds one of the values (optionally at a path inside each item). */
export const contains =
  (path: string, inner = '$'): FilterRule =>
  (values) => ({
    sql: `EXISTS (SELECT 1 FROM json_each(r.json, '${path}') e WHERE ${inner === '$' ? 'e.value' : `json_extract(e.value, '${inner}')`} IN (${placeholders(values)}))`,
    params: values,
  })

/**
 * A date window on a date field: `onOrBefore` / `onOrAfter` compare as ISO text. `openMatches`: a record without the
 * field matches (endDate filters: no end date means still going).
 */
export const dateWindow =
  (path: string, comparison: '<=' | '>=', openMatches: boolean): FilterRule =>
  (values) => ({
    sql: `(json_extract(r.json, '${path}') ${comparison} ?${openMatches ? ` OR json_extract(r.json, '${path}') IS NULL` : ''})`,
    params: [values[0]],
  })

/**
 * A time window on a date-time field, compared as instants (offsets differ between systems). A date alone means the
 * whole day: `onOrBefore=2026-03-02` takes the events of that day too.
 */
export const timeWindow =
  (path: string, comparison: '<=' | '>=' | '>'): FilterRule =>
  (values) => {
    const value = values[0]
    const wholeDay = comparison === '<=' && /^\d{4}-\d{2}-\d{2}$/.test(value ?? '')
    return {
      sql: wholeDay
        ? `julianday(json_extract(r.json, '${path}')) < julianday(?, '+1 day')`
        : `julianday(json_extract(r.json, '${path}')) ${comparison} julianday(?)`,
      params: [value],
    }
  }

/**
 * A reference at a JSON path points at the organisation given or one below it (`parentOrganisation` chains, as the
 * scope holds them): the standard's "organisationselement och dess underliggande element".
 */
export const inOrganisationTree =
  (path: string): FilterRule =>
  (values, scope) => ({
    sql: `json_extract(r.json, '${path}') IN (${organisationTree(values.length)})`,
    params: [...values, scope],
  })

/** The ids of the organisations given (as many `?`) and every one below them in the scope (the last `?`). */
export const organisationTree = (count: number) => `WITH RECURSIVE tree(id) AS (
    SELECT value FROM (${Array.from({length: count}, () => 'SELECT ? AS value').join(' UNION ')})
    UNION SELECT o.id FROM current_record o JOIN tree ON json_extract(o.json, '$.parentOrganisation.id') = tree.id
    WHERE o.scope = ? AND o.entity = 'Organisation')
  SELECT id FROM tree`

/** A condition over the record another one refers to: `path` holds the id of a staged `entity` matching `where`. */
const through =
  (path: string, entity: EntityName, where: (values: FilterValues, scope: string) => SqlCondition): FilterRule =>
  (values, scope) => {
    const inner = where(values, scope)
    return {
      sql: `json_extract(r.json, '${path}') IN (SELECT c.id FROM current c JOIN record r ON r.entity = c.entity AND r.id = c.id AND r.batch = c.batch WHERE c.scope = ? AND c.entity = '${entity}' AND (${inner.sql}))`,
      params: [scope, ...inner.params],
    }
  }

/** Any of the rules matches. */
const anyOf =
  (...rules: FilterRule[]): FilterRule =>
  (values, scope) => {
    const conditions = rules.map((rule) => rule(values, scope))
    return {
      sql: conditions.map((condition) => `(${condition.sql})`).join(' OR '),
      params: conditions.flatMap((condition) => condition.params),
    }
  }

/** Every value matches one of the name fields, case-insensitively (persons `nameContains`). */
const nameContains: FilterRule = (values) => ({
  sql: values
    .map(
      () =>
        `(instr(lower(json_extract(r.json, '$.givenName')), lower(?)) > 0 OR instr(lower(json_extract(r.json, '$.familyName')), lower(?)) > 0 OR instr(lower(COALESCE(json_extract(r.json, '$.middleName'), '')), lower(?)) > 0)`,
    )
    .join(' AND '),
  params: values.flatMap((value) => [value, value, value]),
})

/** Activities `member`: the person is a member of one of the activity's groups, as the scope holds them. */
const member: FilterRule = (values) => ({
  sql: `EXISTS (
    SELECT 1 FROM json_each(r.json, '$.groups') g
    JOIN current gc ON gc.scope = c.scope AND gc.entity = 'Group' AND gc.id = json_extract(g.value, '$.id')
    JOIN record gr ON gr.entity = 'Group' AND gr.id = gc.id AND gr.batch = gc.batch
    JOIN json_each(gr.json, '$.groupMemberships') m
    WHERE json_extract(m.value, '$.person.id') IN (${placeholders(values)}))`,
  params: values,
})

/** One kind of relationship as rows (person, organisation, startDate, endDate): the expressions and their FROM … WHERE. */
const relation = (person: string, organisation: string, dated: string, from: string) =>
  `SELECT ${person} AS person, ${organisation} AS organisation, json_extract(${dated}, '$.startDate') AS startDate,
    json_extract(${dated}, '$.endDate') AS endDate FROM ${from}`

/** The standard's relationship types of persons (`relationship.entity.type`); each FROM takes the scope as its `?`. */
const RELATIONSHIPS: Record<string, string> = {
  enrolment: relation(
    'p.id',
    "json_extract(e.value, '$.enroledAt.id')",
    'e.value',
    "current_record p, json_each(p.json, '$.enrolments') e WHERE p.scope = ? AND p.entity = 'Person'",
  ),
  duty: relation(
    "json_extract(d.json, '$.person.id')",
    "json_extract(d.json, '$.dutyAt.id')",
    'd.json',
    "current_record d WHERE d.scope = ? AND d.entity = 'Duty'",
  ),
  'placement.child': relation(
    "json_extract(pl.json, '$.child.id')",
    "json_extract(pl.json, '$.placedAt.id')",
    'pl.json',
    "current_record pl WHERE pl.scope = ? AND pl.entity = 'Placement'",
  ),
  'placement.owner': relation(
    "json_extract(o.value, '$.id')",
    "json_extract(pl.json, '$.placedAt.id')",
    'pl.json',
    "current_record pl, json_each(pl.json, '$.owners') o WHERE pl.scope = ? AND pl.entity = 'Placement'",
  ),
  'responsibleFor.enrolment': relation(
    "json_extract(rs.value, '$.person.id')",
    "json_extract(e.value, '$.enroledAt.id')",
    'e.value',
    `current_record p, json_each(p.json, '$.responsibles') rs, json_each(p.json, '$.enrolments') e
      WHERE p.scope = ? AND p.entity = 'Person'`,
  ),
  'responsibleFor.placement': relation(
    "json_extract(rs.value, '$.person.id')",
    "json_extract(pl.json, '$.placedAt.id')",
    'pl.json',
    `current_record pl
      JOIN current_record ch ON ch.scope = pl.scope AND ch.entity = 'Person' AND ch.id = json_extract(pl.json, '$.child.id')
      JOIN json_each(ch.json, '$.responsibles') rs
      WHERE pl.scope = ? AND pl.entity = 'Placement'`,
  ),
}
export const RELATIONSHIP_TYPES = Object.keys(RELATIONSHIPS)

/**
 * Persons' `relationship.*` parameters, which filter together, as a query of the persons' ids (an id set: see
 * `ListQuery.idSets`): the person has a relationship of the type given (any
 * type without one) at the organisation given, whose dates fall in the windows given. A relationship without a
 * start or end date always matches that date's windows, as the standard says.
 */
export function relationshipCondition(values: Record<string, string | undefined>, scope: string): SqlCondition {
  const type = values['relationship.entity.type']
  const sources = type === undefined ? Object.values(RELATIONSHIPS) : [RELATIONSHIPS[type]!]
  const where: string[] = []
  const params: unknown[] = sources.map(() => scope)
  const organisation = values['relationship.organisation']
  if (organisation !== undefined) {
    where.push('rel.organisation = ?')
    params.push(organisation)
  }
  for (const [name, column, operator] of [
    ['relationship.startDate.onOrBefore', 'startDate', '<='],
    ['relationship.startDate.onOrAfter', 'startDate', '>='],
    ['relationship.endDate.onOrBefore', 'endDate', '<='],
    ['relationship.endDate.onOrAfter', 'endDate', '>='],
  ] as const) {
    const value = values[name]
    if (value === undefined) continue
    where.push(`(rel.${column} IS NULL OR rel.${column} ${operator} ?)`)
    params.push(value)
  }
  return {
    sql: `SELECT rel.person FROM (${sources.join(' UNION ALL ')}) rel${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''}`,
    params,
  }
}

/** Persons' parameters that filter together (`relationshipCondition`). */
export const RELATIONSHIP_FILTERS = [
  'relationship.entity.type',
  'relationship.organisation',
  'relationship.startDate.onOrBefore',
  'relationship.startDate.onOrAfter',
  'relationship.endDate.onOrBefore',
  'relationship.endDate.onOrAfter',
]

const dates = (prefix: 'startDate' | 'endDate'): Record<string, FilterRule> => ({
  [`${prefix}.onOrBefore`]: dateWindow(`$.${prefix}`, '<=', prefix === 'endDate'),
  [`${prefix}.onOrAfter`]: dateWindow(`$.${prefix}`, '>=', prefix === 'endDate'),
})
const windows = {...dates('startDate'), ...dates('endDate')}

const activityOf = (rule: FilterRule) => through('$.activity.id', 'Activity', rule)
const eventTimes = (onOrAfter: '>=' | '>') => ({
  'startTime.onOrAfter': timeWindow('$.startTime', onOrAfter),
  'startTime.onOrBefore': timeWindow('$.startTime', '<='),
  'endTime.onOrAfter': timeWindow('$.endTime', onOrAfter),
  'endTime.onOrBefore': timeWindow('$.endTime', '<='),
})

/**
 * Which parameters filter which collection (the TK450 OpenAPI's list operations). Parameters not listed are refused
 * with 400, as unknown parameters; persons' `relationship.*` filter together (`relationshipCondition`).
 */
export const COLLECTION_FILTERS: Partial<Record<EntityName, Record<string, FilterRule>>> = {
  Organisation: {
    parent: equals('$.parentOrganisation.id'),
    schoolUnitCode: equals('$.schoolUnitCode'),
    organisationCode: equals('$.organisationCode'),
    municipalityCode: equals('$.municipalityCode'),
    type: equals('$.organisationType'),
    schoolTypes: contains('$.schoolTypes'),
    ...windows,
  },
  Person: {
    nameContains,
    civicNo: equals('$.civicNo.value'),
    eduPersonPrincipalName: contains('$.eduPersonPrincipalNames'),
    'identifier.value': contains('$.externalIdentifiers', '$.value'),
    'identifier.context': contains('$.externalIdentifiers', '$.context'),
  },
  Placement: {
    organisation: equals('$.placedAt.id'),
    group: equals('$.group.id'),
    child: equals('$.child.id'),
    owner: contains('$.owners', '$.id'),
    ...windows,
  },
  Duty: {
    organisation: inOrganisationTree('$.dutyAt.id'),
    dutyRole: equals('$.dutyRole'),
    person: equals('$.person.id'),
    ...windows,
  },
  Group: {
    groupType: equals('$.groupType'),
    schoolTypes: equals('$.schoolType'),
    organisation: equals('$.organisation.id'),
    ...windows,
  },
  Programme: {
    schoolType: equals('$.schoolType'),
    code: equals('$.code'),
    parentProgramme: equals('$.parentProgramme.id'),
  },
  StudyPlan: {student: equals('$.student.id'), ...windows},
  SchoolUnitOffering: {organisation: equals('$.organisation.id')},
  Activity: {
    member,
    teacher: contains('$.teachers', '$.duty.id'),
    organisation: inOrganisationTree('$.organisation.id'),
    group: contains('$.groups', '$.id'),
  },
  CalendarEvent: {
    ...eventTimes('>='),
    activity: equals('$.activity.id'),
    // The activity's groups' members, or a student exception naming the person.
    student: anyOf(contains('$.studentExceptions', '$.student.id'), activityOf(member)),
    teacher: anyOf(contains('$.teacherExceptions', '$.duty.id'), activityOf(contains('$.teachers', '$.duty.id'))),
    organisation: activityOf(inOrganisationTree('$.organisation.id')),
    group: activityOf(contains('$.groups', '$.id')),
  },
  Attendance: {
    student: equals('$.student.id'),
    calendarEvent: equals('$.calendarEvent.id'),
    organisation: through('$.calendarEvent.id', 'CalendarEvent', activityOf(inOrganisationTree('$.organisation.id'))),
  },
  AttendanceEvent: {group: equals('$.group.id'), person: equals('$.person.id')},
  AttendanceSchedule: {
    placement: equals('$.placement.id'),
    group: through('$.placement.id', 'Placement', equals('$.group.id')),
    ...windows,
  },
  Grade: {
    organisation: equals('$.organisation.id'),
    student: equals('$.student.id'),
    registeredBy: equals('$.registeredBy.id'),
    gradingTeacher: equals('$.gradingTeacher.id'),
    'registeredDate.onOrAfter': dateWindow('$.registeredDate', '>=', false),
    'registeredDate.onOrBefore': dateWindow('$.registeredDate', '<=', false),
  },
  Absence: {
    organisation: equals('$.organisation.id'),
    student: equals('$.student.id'),
    registeredBy: equals('$.registeredBy.id'),
    type: equals('$.type'),
    // The standard describes absences' `…onOrAfter` as exclusive ("efter denna tidpunkt … Exkluderande").
    ...eventTimes('>'),
  },
  Resource: {organisation: equals('$.owner.id')},
  Room: {organisation: equals('$.owner.id')},
}

/** Parameters that take several values (form/explode: the key repeated); every other parameter takes one. */
export const ARRAY_FILTERS: Partial<Record<EntityName, ReadonlySet<string>>> = {
  Organisation: new Set(['parent', 'schoolUnitCode', 'organisationCode', 'type', 'schoolTypes']),
  Person: new Set(['nameContains']),
  Group: new Set(['groupType', 'schoolTypes', 'organisation']),
  Programme: new Set(['schoolType']),
  StudyPlan: new Set(['student']),
  AttendanceEvent: new Set(['group']),
  AggregatedAttendance: new Set(['schoolType', 'student']),
}

/** Parameters a collection's first page must have (the standard requires them). */
export const REQUIRED_FILTERS: Partial<Record<EntityName, string[]>> = {
  CalendarEvent: ['startTime.onOrAfter', 'startTime.onOrBefore'],
  AggregatedAttendance: ['startDate', 'endDate'],
}

/** One sort order of the read API: an SQL expression over the record (NULL sorts as '') and its direction. */
export interface SortKey {
  expression: string
  descending: boolean
}

const field = (path: string) => `COALESCE(json_extract(r.json, '${path}'), '')`
const MODIFIED = 'julianday(modified.finished_at)'
const sorts = (entries: Record<string, string>): Record<string, SortKey> =>
  Object.fromEntries(
    Object.entries(entries).flatMap(([name, expression]) => [
      [`${name}Asc`, {expression, descending: false}],
      [`${name}Desc`, {expression, descending: true}],
    ]),
  )
const pick = (all: Record<string, SortKey>, names: string[]) =>
  Object.fromEntries(names.map((name) => [name, all[name]!] as const))
const dated = sorts({StartDate: field('$.startDate'), EndDate: field('$.endDate')})
const modifiedDesc = {ModifiedDesc: {expression: MODIFIED, descending: true}}

/** The sortkey values each collection takes (the TK450 OpenAPI's enums), as keyset orders. */
export const SORT_KEYS: Partial<Record<EntityName, Record<string, SortKey>>> = {
  Organisation: {...modifiedDesc, ...pick(sorts({DisplayName: field('$.displayName')}), ['DisplayNameAsc'])},
  Person: {
    ...modifiedDesc,
    ...pick(sorts({DisplayName: `${field('$.givenName')} || ' ' || ${field('$.familyName')}`}), ['DisplayNameAsc']),
    ...sorts({GivenName: field('$.givenName'), FamilyName: field('$.familyName'), CivicNo: field('$.civicNo.value')}),
  },
  Placement: {...modifiedDesc, ...dated},
  Duty: {...modifiedDesc, ...pick(dated, ['StartDateAsc', 'StartDateDesc'])},
  Group: {...modifiedDesc, ...pick(sorts({DisplayName: field('$.displayName')}), ['DisplayNameAsc']), ...dated},
  Programme: {...modifiedDesc, ...pick(sorts({Name: field('$.name'), Code: field('$.code')}), ['NameAsc', 'CodeAsc'])},
  StudyPlan: {...modifiedDesc, ...dated},
  Syllabus: {
    ...modifiedDesc,
    ...sorts({
      SubjectName: field('$.subjectName'),
      SubjectCode: field('$.subjectCode'),
      CourseName: field('$.courseName'),
      CourseCode: field('$.courseCode'),
      SubjectDesignation: field('$.subjectDesignation'),
    }),
  },
  SchoolUnitOffering: {...modifiedDesc, ...dated},
  Activity: {...modifiedDesc, ...pick(sorts({DisplayName: field('$.displayName')}), ['DisplayNameAsc'])},
  CalendarEvent: {...modifiedDesc, ...sorts({StartTime: field('$.startTime')})},
  Grade: {
    ...modifiedDesc,
    registeredDateAsc: {expression: field('$.registeredDate'), descending: false},
    registeredDateDesc: {expression: field('$.registeredDate'), descending: true},
  },
  Absence: {...modifiedDesc, ...sorts({StartTime: field('$.startTime')})},
  Resource: {...modifiedDesc, ...pick(sorts({DisplayName: field('$.displayName')}), ['DisplayNameAsc'])},
  Room: {...modifiedDesc, ...pick(sorts({DisplayName: field('$.displayName')}), ['DisplayNameAsc'])},
}

/**
 * The keys a collection's `POST /lookup` body takes besides `ids` (the TK450 OpenAPI's lookup bodies, each an array):
 * a record is found when any key matches, as with ids.
 */
export const LOOKUP_KEYS: Partial<Record<EntityName, Record<string, FilterRule>>> = {
  Organisation: {schoolUnitCodes: equals('$.schoolUnitCode'), organisationCodes: equals('$.organisationCode')},
  Person: {civicNos: equals('$.civicNo.value')},
  // A placement is the child's: `personIds` finds the placements of these children.
  Placement: {personIds: equals('$.child.id')},
  Activity: {teachers: contains('$.teachers', '$.duty.id'), members: member},
  CalendarEvent: {
    activities: equals('$.activity.id'),
    student: COLLECTION_FILTERS.CalendarEvent!.student!,
    teacher: COLLECTION_FILTERS.CalendarEvent!.teacher!,
  },
  Attendance: {
    activities: through('$.calendarEvent.id', 'CalendarEvent', equals('$.activity.id')),
    students: equals('$.student.id'),
    // Spelled as the standard spells it.
    calendareEvents: equals('$.calendarEvent.id'),
  },
  AttendanceEvent: {person: equals('$.person.id'), group: equals('$.group.id')},
  AttendanceSchedule: {placement: equals('$.placement.id')},
}

/** What a parameter's values must look like: a uuid, a date, a date-time (or a date: the whole day), or a code. */
export type ParameterFormat = 'uuid' | 'date' | 'date-time' | readonly string[]

const UUID_PARAMETERS = new Set([
  'parent',
  'person',
  'organisation',
  'group',
  'child',
  'owner',
  'member',
  'teacher',
  'activity',
  'student',
  'calendarEvent',
  'placement',
  'registeredBy',
  'gradingTeacher',
  'parentProgramme',
  'relationship.organisation',
])
const SCHOOL_TYPES: readonly string[] = [...new Set([...SCHOOL_TYPES_2020, ...SCHOOL_TYPES_SKOLVERKET])]
const CODE_PARAMETERS: Record<string, readonly string[]> = {
  schoolTypes: SCHOOL_TYPES,
  schoolType: SCHOOL_TYPES,
  groupType: GROUP_TYPES,
  dutyRole: [...new Set([...DUTY_ROLES_2020, ...DUTY_ROLES_SKOLVERKET])],
  'relationship.entity.type': RELATIONSHIP_TYPES,
}

/** The format of a collection's filter parameter, if it has one to check. */
export function parameterFormat(entity: EntityName, name: string): ParameterFormat | undefined {
  if (UUID_PARAMETERS.has(name)) return 'uuid'
  if (/Date\.on|^(start|end)Date$/.test(name)) return 'date'
  if (/Time\.on/.test(name)) return 'date-time'
  if (name === 'type')
    return entity === 'Absence'
      ? ABSENCE_TYPES
      : [...new Set([...ORGANISATION_TYPES_2020, ...ORGANISATION_TYPES_SKOLVERKET])]
  return CODE_PARAMETERS[name]
}

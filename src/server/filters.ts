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

/** How one parameter filters: its values → a condition. */
export type FilterRule = (values: FilterValues) => SqlCondition

const placeholders = (values: readonly unknown[]) => values.map(() => '?').join(', ')

/** A scalar at a JSON path equals one of the values. */
export const equals =
  (path: string): FilterRule =>
  (values) => ({sql: `json_extract(r.json, '${path}') IN (${placeholders(values)})`, params: values})

/** An array at a JSON path holds one of the values (optionally at a path inside each item). */
export const contains =
  (path: string, inner = '$'): FilterRule =>
  (values) => ({
    sql: `EXISTS (SELECT 1 FROM json_each(r.json, '${path}') e WHERE json_extract(e.value, '${inner}') IN (${placeholders(values)}))`,
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
  (path: string, comparison: '<=' | '>='): FilterRule =>
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

const dates = (prefix: 'startDate' | 'endDate'): Record<string, FilterRule> => ({
  [`${prefix}.onOrBefore`]: dateWindow(`$.${prefix}`, '<=', prefix === 'endDate'),
  [`${prefix}.onOrAfter`]: dateWindow(`$.${prefix}`, '>=', prefix === 'endDate'),
})
const windows = {...dates('startDate'), ...dates('endDate')}

/** Which parameters filter which collection. Parameters not listed are refused with 400, as unknown parameters. */
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
    organisation: equals('$.dutyAt.id'),
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
    organisation: equals('$.organisation.id'),
    group: contains('$.groups', '$.id'),
  },
  CalendarEvent: {
    'startTime.onOrAfter': timeWindow('$.startTime', '>='),
    'startTime.onOrBefore': timeWindow('$.startTime', '<='),
    'endTime.onOrAfter': timeWindow('$.endTime', '>='),
    'endTime.onOrBefore': timeWindow('$.endTime', '<='),
    activity: equals('$.activity.id'),
  },
  Resource: {organisation: equals('$.organisation.id')},
  Room: {organisation: equals('$.organisation.id')},
}

/** Parameters that may appear only once (the rest are arrays). */
export const SINGLE_VALUED = new Set([
  'civicNo',
  'eduPersonPrincipalName',
  'identifier.value',
  'identifier.context',
  'municipalityCode',
  'dutyRole',
  'person',
  'code',
  'parentProgramme',
  'startDate.onOrBefore',
  'startDate.onOrAfter',
  'endDate.onOrBefore',
  'endDate.onOrAfter',
  'startTime.onOrAfter',
  'startTime.onOrBefore',
  'endTime.onOrAfter',
  'endTime.onOrBefore',
  'activity',
])

/** Parameters a collection's first page must have (the standard requires them). */
export const REQUIRED_FILTERS: Partial<Record<EntityName, string[]>> = {
  CalendarEvent: ['startTime.onOrAfter', 'startTime.onOrBefore'],
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

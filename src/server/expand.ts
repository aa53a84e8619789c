import type {EntityName} from '../schema/entity-names.js'
import {isRecord} from '../util.js'
import type {RecordStore, ServedRecord} from './store.js'

/** Records expanded at a time: each expansion costs one query per chunk. */
const CHUNK = 500

type Value = Record<string, unknown>

/**
 * How one `expand` value fills `_embedded.<name>` for a chunk of records: the records' ids and parsed values in, each
 * record's embedded value out (records with nothing to embed are left out of the map).
 */
type Embed = (
  store: RecordStore,
  scope: string,
  records: ReadonlyArray<{id: string; value: Value}>,
) => Map<string, unknown>

/** The id of a reference object. */
const idOf = (reference: unknown): string | undefined =>
  isRecord(reference) && typeof reference.id === 'string' ? reference.id : undefined
/** The id of the reference at `key`. */
const idAt = (value: unknown, key: string): string | undefined => idOf(isRecord(value) ? value[key] : undefined)
const listAt = (value: Value, key: string): unknown[] => (Array.isArray(value[key]) ? (value[key] as unknown[]) : [])

/** The staged records of `entity` with these ids, parsed, by id. */
function fetch(store: RecordStore, scope: string, entity: EntityName, ids: Iterable<string>): Map<string, Value> {
  const found = new Map<string, Value>()
  for (const record of store.lookup(scope, entity, [...new Set(ids)])) found.set(record.id, parse(record))
  return found
}

/** The one record a reference at `key` points at (`expand=person` on duties). */
const referenced =
  (key: string, entity: EntityName, shape: (value: Value) => Value = (value) => value): Embed =>
  (store, scope, records) => {
    const targets = fetch(
      store,
      scope,
      entity,
      records.flatMap(({value}) => idAt(value, key) ?? []),
    )
    const embedded = new Map<string, unknown>()
    for (const {id, value} of records) {
      const target = targets.get(idAt(value, key) ?? '')
      if (target) embedded.set(id, shape(target))
    }
    return embedded
  }

/** The records a list of references points at, in the list's order (`expand=teachers`: `teachers[].duty`). */
const referencedList =
  (key: string, entity: EntityName, inner?: string): Embed =>
  (store, scope, records) => {
    const idsOf = (value: Value) => listAt(value, key).flatMap((item) => (inner ? idAt(item, inner) : idOf(item)) ?? [])
    const targets = fetch(
      store,
      scope,
      entity,
      records.flatMap(({value}) => idsOf(value)),
    )
    return new Map(records.map(({id, value}) => [id, idsOf(value).flatMap((target) => targets.get(target) ?? [])]))
  }

/**
 * The records of `entity` that refer back to each record (`expand=duties` on persons: the duties whose `person` is
 * the person), optionally shaped from the referring item (`each`: the array the reference sits in).
 */
const referring =
  (entity: EntityName, holder: {owner: string; each?: string}, shape?: (record: Value, item: Value) => Value): Embed =>
  (store, scope, records) => {
    const index = store.referrers(scope, entity, holder)
    const targets = fetch(
      store,
      scope,
      entity,
      records.flatMap(({id}) => (index.get(id) ?? []).map((referrer) => referrer.id)),
    )
    return new Map(
      records.map(({id}) => [
        id,
        (index.get(id) ?? []).flatMap(({id: target, item}) => {
          const value = targets.get(target)
          if (!value) return []
          return [shape ? shape(value, item === null ? {} : (JSON.parse(item) as Value)) : value]
        }),
      ]),
    )
  }

/** A Group as the standard's GroupFragment: without its memberships. */
const groupFragment = (group: Value): Value => {
  const {groupMemberships: _memberships, ...fragment} = group
  return fragment
}
const dated = (item: Value): Value => ({
  ...(item.startDate === undefined ? {} : {startDate: item.startDate}),
  ...(item.endDate === undefined ? {} : {endDate: item.endDate}),
})

/** What each collection may expand (the TK450 OpenAPI's `expand` enums) and how. */
export const EXPANSIONS: Partial<Record<EntityName, Record<string, Embed>>> = {
  Person: {
    duties: referring('Duty', {owner: "json_extract(r.json, '$.person.id')"}),
    responsibleFor: referring(
      'Person',
      {owner: "json_extract(e.value, '$.person.id')", each: '$.responsibles'},
      (child, item) => ({
        person: {id: child.id},
        ...(item.relationType === undefined ? {} : {relationType: item.relationType}),
      }),
    ),
    placements: referring('Placement', {owner: "json_extract(r.json, '$.child.id')"}),
    ownedPlacements: referring('Placement', {owner: "json_extract(e.value, '$.id')", each: '$.owners'}),
    groupMemberships: referring(
      'Group',
      {owner: "json_extract(e.value, '$.person.id')", each: '$.groupMemberships'},
      (group, item) => ({group: groupFragment(group), ...dated(item)}),
    ),
  },
  Placement: {child: referenced('child', 'Person'), owners: referencedList('owners', 'Person')},
  Duty: {person: referenced('person', 'Person')},
  Group: {
    assignmentRoles: referring(
      'Duty',
      {owner: "json_extract(e.value, '$.group.id')", each: '$.assignmentRole'},
      (duty, item) => ({
        duty: {id: duty.id},
        ...(item.assignmentRoleType === undefined ? {} : {assignmentRoleType: item.assignmentRoleType}),
        ...dated(item),
      }),
    ),
  },
  Activity: {
    groups: referencedList('groups', 'Group'),
    teachers: referencedList('teachers', 'Duty', 'duty'),
    syllabus: referenced('syllabus', 'Syllabus'),
  },
  CalendarEvent: {
    activity: referenced('activity', 'Activity'),
    attendance: referring('Attendance', {owner: "json_extract(r.json, '$.calendarEvent.id')"}),
  },
  AttendanceEvent: {
    person: referenced('person', 'Person'),
    group: referenced('group', 'Group', groupFragment),
    registeredBy: referenced('registeredBy', 'Person'),
  },
  AggregatedAttendance: {activity: referenced('activity', 'Activity'), student: referenced('student', 'Person')},
}

/** The expand values a collection takes. */
export function expansionsOf(entity: EntityName): string[] {
  return Object.keys(EXPANSIONS[entity] ?? {})
}

/**
 * `expand=…`: each record gets `_embedded` with the related records the standard defines for the values asked for,
 * as staged in the same scope (full records with their `meta`; a group as a GroupFragment). Related records the scope
 * does not hold are left out; a list with nothing in it is an empty list. A chunk of records at a time, so memory
 * stays flat however long the page.
 */
export function* withExpansions(
  store: RecordStore,
  scope: string,
  entity: EntityName,
  names: readonly string[],
  records: Iterable<ServedRecord>,
): Generator<ServedRecord> {
  const embeds = names.map((name) => [name, EXPANSIONS[entity]![name]!] as const)
  let chunk: ServedRecord[] = []
  const flush = function* (): Generator<ServedRecord> {
    const parsed = chunk.map((record) => ({id: record.id, value: parse(record)}))
    const results = embeds.map(([name, embed]) => [name, embed(store, scope, parsed)] as const)
    for (const [index, {id, value}] of parsed.entries()) {
      const embedded: Value = {}
      for (const [name, result] of results) if (result.has(id)) embedded[name] = result.get(id)
      yield {...chunk[index]!, text: JSON.stringify({...value, _embedded: embedded})}
    }
    chunk = []
  }
  for (const record of records) {
    chunk.push(record)
    if (chunk.length === CHUNK) yield* flush()
  }
  if (chunk.length > 0) yield* flush()
}

function parse(record: ServedRecord): Value {
  return JSON.parse(record.text) as Value
}

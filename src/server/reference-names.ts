import type {EntityName} from '../schema/entity-names.js'
import {getModel} from '../schema/validators.js'
import type {StagingDatabase} from '../staging/database.js'
import {isRecord} from '../util.js'
import {referenceExtractor} from '../validation/references.js'
import type {ServedRecord} from './store.js'

/** Records named at a time: the names of their references are found with one query per chunk. */
const CHUNK = 500

/**
 * `expandReferenceNames=true`: every reference object in the records gets the `displayName` of what it refers to,
 * as staged in the same scope. A Person is named by given and family name, a Duty and a Placement by their person's
 * name, a CalendarEvent by its activity's and its start time, a Programme
 * by `name`, a Syllabus by `subjectName` (and course), the rest by their `displayName`; a reference to something not
 * staged stays without a name. Records are named a chunk at a time, so memory stays flat.
 */
export function* withReferenceNames(
  db: StagingDatabase,
  scope: string,
  entity: EntityName,
  records: Iterable<ServedRecord>,
): Generator<ServedRecord> {
  const extract = referenceExtractor(getModel({profile: 'ss12000-2020', mode: 'response'}), entity)
  const names = new ReferenceNames(db, scope)
  let chunk: ServedRecord[] = []
  const flush = function* (): Generator<ServedRecord> {
    const parsed = chunk.map((record) => JSON.parse(record.text) as Record<string, unknown>)
    const found = parsed.map((value) => extract(value))
    const known = names.lookUp(new Set(found.flat().map((reference) => reference.id)))
    for (const [index, value] of parsed.entries()) {
      for (const reference of found[index]!) {
        const name = known.get(reference.id)
        if (name === undefined) continue
        const target = at(value, reference.pointer)
        if (isRecord(target)) target.displayName = name
      }
      yield {...chunk[index]!, text: JSON.stringify(value)}
    }
    chunk = []
  }
  for (const record of records) {
    chunk.push(record)
    if (chunk.length === CHUNK) yield* flush()
  }
  if (chunk.length > 0) yield* flush()
}

class ReferenceNames {
  constructor(
    private readonly db: StagingDatabase,
    private readonly scope: string,
  ) {}

  /** The display names of the staged records with these ids. */
  lookUp(ids: Set<string>): Map<string, string> {
    const names = new Map<string, string>()
    if (ids.size === 0) return names
    const rows = this.db
      .prepare(`SELECT entity, id, json FROM current_record WHERE scope = ? AND id IN (SELECT value FROM json_each(?))`)
      .all(this.scope, JSON.stringify([...ids])) as Array<{entity: EntityName; id: string; json: string}>
    // Records without a name of their own are named by what they point at (and how).
    const borrowed = new Map<string, {from: string; suffix: string}>()
    for (const row of rows) {
      const value = JSON.parse(row.json) as Record<string, unknown>
      const through = NAMED_THROUGH[row.entity as keyof typeof NAMED_THROUGH]
      if (through) {
        const from = (value[through.reference] as {id?: unknown} | undefined)?.id
        if (typeof from === 'string') borrowed.set(row.id, {from, suffix: through.suffix(value)})
        continue
      }
      const name = displayNameOf(row.entity, value)
      if (name !== undefined) names.set(row.id, name)
    }
    if (borrowed.size > 0) {
      const lent = this.lookUp(new Set([...borrowed.values()].map(({from}) => from)))
      for (const [id, {from, suffix}] of borrowed) {
        const name = lent.get(from)
        if (name !== undefined) names.set(id, `${name}${suffix}`)
      }
    }
    return names
  }
}

/**
 * The records the standard gives no name, named by what they point at: a duty by its person, a placement by its
 * child, a calendar event by its activity and start time.
 */
const NAMED_THROUGH = {
  Duty: {reference: 'person', suffix: () => ''},
  Placement: {reference: 'child', suffix: () => ''},
  CalendarEvent: {
    reference: 'activity',
    suffix: (value: Record<string, unknown>) => (typeof value.startTime === 'string' ? ` ${value.startTime}` : ''),
  },
} satisfies Partial<Record<EntityName, {reference: string; suffix: (value: Record<string, unknown>) => string}>>

function displayNameOf(entity: EntityName, value: Record<string, unknown>): string | undefined {
  const text = (key: string) => (typeof value[key] === 'string' ? (value[key] as string) : undefined)
  switch (entity) {
    case 'Person':
      return [text('givenName'), text('familyName')].filter(Boolean).join(' ') || undefined
    case 'Programme':
      return text('name')
    case 'Syllabus':
      return [text('subjectName'), text('courseName')].filter(Boolean).join(', ') || undefined
    default:
      return text('displayName')
  }
}

/** The value at a JSON pointer (`/teachers/0/duty`). */
function at(value: unknown, pointer: string): unknown {
  let node = value
  for (const segment of pointer.split('/').slice(1)) {
    const key = segment.replace(/~1/g, '/').replace(/~0/g, '~')
    node = Array.isArray(node) ? node[Number(key)] : isRecord(node) ? node[key] : undefined
  }
  return node
}

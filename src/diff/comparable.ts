import {UsageError} from '../errors.js'
import {ENTITY_NAMES, type EntityName} from '../schema/entity-names.js'
import {getModel} from '../schema/validators.js'
import {canonicalHash, canonicalJson} from '../staging/canonical.js'
import {isRecord} from '../util.js'
import {referencePaths} from '../validation/references.js'

/** A field left out of the comparison: its path (`emails`, `enrolments.schoolYear`), of one entity type or of all. */
export interface IgnoreRule {
  entity?: EntityName
  segments: string[]
}

/**
 * Reads `--ignore` paths: dotted field names from the record down, with list levels left out (as export's columns:
 * `enrolments.schoolYear` is the schoolYear of every enrolment). A first segment that is an entity type
 * (`Person.emails`) limits the path to that type; field names are camelCase, entity types PascalCase, so the two
 * never meet.
 */
export function parseIgnorePaths(paths: readonly string[]): IgnoreRule[] {
  return paths.map((path) => {
    const segments = path.split('.')
    if (segments.some((segment) => segment.trim() === '')) {
      throw new UsageError(`Cannot ignore "${path}": a path is field names joined by dots (emails, civicNo.value).`, {
        actions: ['Give one --ignore per path; prefix an entity type to limit it to that type (Person.emails).'],
      })
    }
    const [first, ...rest] = segments
    if ((ENTITY_NAMES as readonly string[]).includes(first!)) {
      if (rest.length === 0) {
        throw new UsageError(`Cannot ignore "${path}": that is an entity type; give a field (${path}.displayName).`, {
          actions: ['To leave an entity type out of the diff, list the ones to compare with --entities.'],
        })
      }
      return {entity: first as EntityName, segments: rest}
    }
    return {segments}
  })
}

/** How records are made comparable; shared by both sides, except `translate`, which only the right side gets. */
export interface ComparableOptions {
  ignore: readonly IgnoreRule[]
  /** When records of this type are matched by a key: their ids differ by design, so `id` is left out. */
  keyedEntity?: EntityName
}

/**
 * References to the keyed entity type, read on the right as the ids of their left counterparts: a right record's
 * id → the id of the left record it is matched with.
 */
export interface Translation {
  target: EntityName
  ids: ReadonlyMap<string, string>
}

type ReferencePath = ReturnType<typeof referencePaths>[number]

let paths: Map<EntityName, ReferencePath[]> | undefined

function referencePathsOf(entity: EntityName): ReferencePath[] {
  if (paths === undefined) {
    const model = getModel({profile: 'ss12000-2020', mode: 'response'})
    paths = new Map(ENTITY_NAMES.map((name) => [name, referencePaths(model, name)]))
  }
  return paths.get(entity)!
}

/**
 * A record as the diff compares it, made in place (the caller hands over a value it owns):
 * - `meta` and `_embedded` left out: the server's bookkeeping and expanded data, not the record's content;
 * - every reference reduced to its `id`: `displayName` (and a PersonReference's `securityMarking`) describe the record
 *   referred to, which the diff compares in its own right — and one system names references, another does not;
 *   with a translation, a right-side reference to a matched record carries its left counterpart's id;
 * - the `--ignore` paths left out, and `id` of a type matched by key;
 * - null, an empty list and an empty object read as absent, as systems differ in which they write for "nothing".
 * Arrays stay as they are: the canonical JSON and the field comparison treat them as sets.
 */
export function comparableRecord(
  entity: EntityName,
  record: unknown,
  options: ComparableOptions,
  translation?: Translation,
): unknown {
  return comparableForm(entity, record, options, translation).value
}

/** What `comparableRecord` makes, and whether that differs from the record as it came. */
export interface ComparableForm {
  value: unknown
  /**
   * False when nothing was left out or translated: then a staged record's comparable canonical JSON is the canonical
   * JSON staging stored, and its hash staging's sha256.
   */
  changed: boolean
  /** The entity types the record refers to (with an id): one that refers to no record matched by key needs no translation. */
  targets: ReadonlySet<EntityName>
}

/** `comparableRecord`, telling also whether anything changed. */
export function comparableForm(
  entity: EntityName,
  record: unknown,
  options: ComparableOptions,
  translation?: Translation,
): ComparableForm {
  if (!isRecord(record)) return {value: record, changed: false, targets: new Set()}
  const track: Track = {changed: false, targets: new Set()}
  for (const key of ['meta', '_embedded']) {
    if (key in record) {
      delete record[key]
      track.changed = true
    }
  }
  for (const path of referencePathsOf(entity)) {
    const ids = translation !== undefined && path.target === translation.target ? translation.ids : undefined
    reduceReferences(record, path.steps, 0, ids, track, path.target)
  }
  for (const rule of options.ignore) {
    if (rule.entity === undefined || rule.entity === entity) removePath(record, rule.segments, 0, track)
  }
  if (options.keyedEntity === entity && 'id' in record) {
    delete record.id
    track.changed = true
  }
  const value = withoutEmpty(record, track) ?? {}
  return {value, changed: track.changed, targets: track.targets}
}

/** sha256 of a comparable record's canonical JSON. */
export function comparableHash(record: unknown): string {
  return canonicalHash(canonicalJson(record))
}

/** Whether records of this type hold references to `target` (so the right side's need translating). */
export function refersTo(entity: EntityName, target: EntityName): boolean {
  return referencePathsOf(entity).some((path) => path.target === target)
}

interface Track {
  changed: boolean
  targets: Set<EntityName>
}

function reduceReferences(
  node: unknown,
  steps: ReferencePath['steps'],
  at: number,
  ids: ReadonlyMap<string, string> | undefined,
  track: Track,
  target: EntityName,
): void {
  const step = steps[at]
  if (step === undefined) return
  if (step.kind === 'items') {
    if (!Array.isArray(node)) return
    if (at === steps.length - 1) {
      node.forEach((item, index) => (node[index] = reducedReference(item, ids, track, target)))
    } else {
      for (const item of node) reduceReferences(item, steps, at + 1, ids, track, target)
    }
    return
  }
  if (!isRecord(node) || node[step.name] === undefined) return
  if (at === steps.length - 1) node[step.name] = reducedReference(node[step.name], ids, track, target)
  else reduceReferences(node[step.name], steps, at + 1, ids, track, target)
}

function reducedReference(
  reference: unknown,
  ids: ReadonlyMap<string, string> | undefined,
  track: Track,
  target: EntityName,
): unknown {
  if (!isRecord(reference) || typeof reference.id !== 'string') return reference
  track.targets.add(target)
  const id = ids?.get(reference.id) ?? reference.id
  if (id === reference.id && Object.keys(reference).length === 1) return reference
  track.changed = true
  return {id}
}

function removePath(node: unknown, segments: readonly string[], at: number, track: Track): void {
  if (Array.isArray(node)) {
    for (const item of node) removePath(item, segments, at, track)
    return
  }
  if (!isRecord(node)) return
  const name = segments[at]!
  if (at < segments.length - 1) removePath(node[name], segments, at + 1, track)
  else if (name in node) {
    delete node[name]
    track.changed = true
  }
}

/** The value with null fields, empty lists and empty objects left out (undefined when nothing is left). */
function withoutEmpty(value: unknown, track: Track): unknown {
  if (value === null) return undefined
  if (Array.isArray(value)) {
    if (value.length === 0) return undefined
    // An item is kept even when empty: a list of three empty items is not a list of two.
    return value.map((item) => withoutEmpty(item, track) ?? (Array.isArray(item) ? [] : isRecord(item) ? {} : null))
  }
  if (!isRecord(value)) return value
  const result: Record<string, unknown> = {}
  let kept = 0
  for (const [key, field] of Object.entries(value)) {
    const cleaned = withoutEmpty(field, track)
    if (cleaned === undefined) {
      if (field !== undefined) track.changed = true
      continue
    }
    result[key] = cleaned
    kept++
  }
  return kept === 0 ? undefined : result
}

import type {TSchema} from '@sinclair/typebox'

import type {EntityName} from '../schema/entity-names.js'
import {type Model, REF_KEYWORD} from '../schema/model.js'
import {childPointer} from './issue.js'

/** One reference found in a record. */
export interface FoundReference {
  /** JSON pointer of the reference object, e.g. `/teachers/0/duty`. */
  pointer: string
  /** The entity type it must point to. */
  target: EntityName
  id: string
}

type Step = {kind: 'property'; name: string} | {kind: 'items'}
interface ReferencePath {
  steps: Step[]
  target: EntityName
}

type SchemaNode = TSchema & {
  properties?: Record<string, SchemaNode>
  items?: SchemaNode
  readOnly?: boolean
  [REF_KEYWORD]?: EntityName
}

/**
 * Where an entity type's references are, read from its schema (the `x-ss12000-ref` annotations), so the schema stays
 * the one place that says which field points to which entity. `_embedded` is skipped: it is expanded data, not the
 * record's own references.
 */
export function referencePaths(model: Model, entity: EntityName): ReferencePath[] {
  const paths: ReferencePath[] = []
  const walk = (node: SchemaNode, steps: Step[]) => {
    const target = node[REF_KEYWORD]
    if (target !== undefined) {
      paths.push({steps, target})
      return
    }
    if (node.items) walk(node.items, [...steps, {kind: 'items'}])
    for (const [name, child] of Object.entries(node.properties ?? {})) {
      if (name === '_embedded') continue
      walk(child, [...steps, {kind: 'property', name}])
    }
  }
  walk(model.entities[entity] as SchemaNode, [])
  return paths
}

/** Compiles an entity's reference paths into a function that lists the references of one record. */
/** The extractors of a model per entity type, each made on first use: `extractors(entity)(record)`. */
export function referenceExtractors(model: Model): (entity: EntityName) => (record: unknown) => FoundReference[] {
  const made = new Map<EntityName, (record: unknown) => FoundReference[]>()
  return (entity) => {
    let extract = made.get(entity)
    if (!extract) made.set(entity, (extract = referenceExtractor(model, entity)))
    return extract
  }
}

export function referenceExtractor(model: Model, entity: EntityName): (record: unknown) => FoundReference[] {
  const paths = referencePaths(model, entity)
  return (record) => {
    const found: FoundReference[] = []
    for (const path of paths) collect(record, path.steps, 0, '', path.target, found)
    return found
  }
}

function collect(node: unknown, steps: Step[], at: number, pointer: string, target: EntityName, out: FoundReference[]) {
  if (at === steps.length) {
    const id = (node as {id?: unknown} | null)?.id
    if (typeof id === 'string') out.push({pointer, target, id})
    return
  }
  const step = steps[at]!
  if (step.kind === 'items') {
    if (Array.isArray(node))
      node.forEach((item, index) => collect(item, steps, at + 1, childPointer(pointer, index), target, out))
  } else if (node !== null && typeof node === 'object' && !Array.isArray(node)) {
    const child = (node as Record<string, unknown>)[step.name]
    if (child !== undefined) collect(child, steps, at + 1, childPointer(pointer, step.name), target, out)
  }
}

/** What `dropReferencesTo` found in one record. */
export interface DroppedReferences {
  /** A reference to a dropped record outside any list: the whole record must go too. */
  blocking?: FoundReference
  /** References inside lists whose items were removed (the record stays, without those items). */
  removed: FoundReference[]
}

/**
 * Takes out of a record what refers to records that were dropped (rejected, refused): a list item that holds such
 * a reference is removed, and a list emptied that way is left out rather than kept as `[]`; a reference outside any
 * list cannot be removed, so it is returned as `blocking` and the record is left as it was. Used by convert and
 * stage when they write the valid part of invalid input.
 */
export function dropReferencesTo(
  record: Record<string, unknown>,
  references: FoundReference[],
  dropped: ReadonlySet<string>,
): DroppedReferences {
  const removed: FoundReference[] = []
  const removals: Array<{list: unknown[]; index: number}> = []
  for (const reference of references) {
    if (!dropped.has(reference.id)) continue
    const segments = reference.pointer.split('/').slice(1)
    const at = segments.findIndex((segment) => /^\d+$/.test(segment))
    if (at < 0) return {blocking: reference, removed: []}
    let list: unknown = record
    for (const segment of segments.slice(0, at)) list = (list as Record<string, unknown>)[segment]
    removals.push({list: list as unknown[], index: Number(segments[at])})
    removed.push(reference)
  }
  removals.sort((a, b) => b.index - a.index)
  for (const {list, index} of removals) list.splice(index, 1)
  if (removals.length > 0) {
    for (const [key, field] of Object.entries(record))
      if (Array.isArray(field) && field.length === 0) delete record[key]
  }
  return {removed}
}

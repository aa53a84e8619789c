import {createHash} from 'node:crypto'

import {UsageError} from '../errors.js'
import type {EntityName} from '../schema/entity-names.js'
import type {WriteKind} from '../remote/adapters/adapter.js'
import {canonicalValueJson} from '../staging/canonical.js'

/** A record of the desired state (the scope's current staged state): its hash, and the records of its own type it refers to. */
export interface DesiredRecord {
  entity: EntityName
  id: string
  sha256: string
  /** Ids of records of the same type this one refers to (parentOrganisation, responsibles, parentActivity). */
  sameType?: readonly string[]
}

/** Where an upload goes and what from. */
export interface PlanTarget {
  /** The target's base URL (no credentials). */
  url: string
  adapter: string
  /** The staged scope uploaded. */
  scope: string
}

export interface PlanInput {
  target: PlanTarget
  /** The scope's newest complete batch: the state planned from. */
  stagedBatch: number
  /** Whether that batch is partial: then absence means nothing, and no deletes are planned. */
  partial: boolean
  /** The types the adapter writes, in upload order. */
  writable: readonly EntityName[]
  /** The types asked for (`--entity`); default every type. */
  only?: readonly EntityName[]
  desired: Iterable<DesiredRecord>
  /** What the target is known to hold: `entity/id` → the sha256 it acknowledged (or a live pull found). */
  known: ReadonlyMap<string, string>
  /** For deletes' order: the same-type references of records the target holds (`entity/id` → ids). */
  knownSameType?: ReadonlyMap<string, readonly string[]>
  /** Records sent without an answer (a crash, a lost response): the target may or may not hold them. */
  uncertain: ReadonlySet<string>
}

/** One record to send. `layer`: records of a type in a later layer refer to ones of an earlier layer. */
export interface PlannedAction {
  entity: EntityName
  kind: WriteKind
  id: string
  /** The version sent (not for deletes). */
  sha256?: string
  layer: number
  /** In a reference cycle with others of its layer: they go in one request, whatever the chunk size. */
  together?: true
}

export interface EntityPlan {
  create: number
  update: number
  upsert: number
  delete: number
  unchanged: number
  /** Records the target holds of this type, as far as is known. */
  known: number
}

export interface Plan {
  format: 'ss12000-upload-plan/1'
  target: PlanTarget
  stagedBatch: number
  partial: boolean
  /** Per type the adapter writes: what is sent, and what is left as it is. */
  entities: Partial<Record<EntityName, EntityPlan>>
  /** Staged types the adapter cannot write, with their record counts: never sent, never silently. */
  unsupported: Partial<Record<EntityName, number>>
  /** Creates, upserts and updates in upload order, then deletes in the reverse order. */
  actions: PlannedAction[]
}

export const key = (entity: EntityName, id: string) => `${entity}/${id}`

/**
 * The upload plan: the desired state (what is staged) against what the target is known to hold. A record the target
 * acknowledged with the same hash is not sent; one it does not hold is created, one it holds in another version is
 * updated, one sent without an answer is upserted (sending it again is harmless), and — unless the staged state is a
 * partial batch — one it holds that is no longer staged is deleted. Creates and updates go in the adapter's order
 * (organisations → persons → duties and groups → activities), deletes in the reverse order; within a type, records
 * that refer to others of their type come in a later layer (a parent organisation before its units, on delete after).
 * Pure: the same input gives the same plan, and the same hash.
 */
export function makePlan(input: PlanInput): Plan {
  const only = input.only === undefined ? undefined : new Set(input.only)
  const writable = input.writable.filter((entity) => only === undefined || only.has(entity))
  const writableSet = new Set(writable)
  const entities: Partial<Record<EntityName, EntityPlan>> = {}
  for (const entity of writable) entities[entity] = {create: 0, update: 0, upsert: 0, delete: 0, unchanged: 0, known: 0}
  for (const [held] of input.known) {
    const entity = held.slice(0, held.indexOf('/')) as EntityName
    if (entities[entity]) entities[entity].known++
  }
  const unsupported: Partial<Record<EntityName, number>> = {}
  const sends = new Map<EntityName, PlannedAction[]>()
  const sameType = new Map<string, readonly string[]>()
  const staged = new Set<string>()
  for (const record of input.desired) {
    if (only !== undefined && !only.has(record.entity)) continue
    if (!writableSet.has(record.entity)) {
      unsupported[record.entity] = (unsupported[record.entity] ?? 0) + 1
      continue
    }
    const held = key(record.entity, record.id)
    staged.add(held)
    if (record.sameType !== undefined && record.sameType.length > 0) sameType.set(held, record.sameType)
    const counts = entities[record.entity]!
    const acknowledged = input.known.get(held)
    let kind: WriteKind
    if (input.uncertain.has(held)) kind = 'upsert'
    else if (acknowledged === undefined) kind = 'create'
    else if (acknowledged !== record.sha256) kind = 'update'
    else {
      counts.unchanged++
      continue
    }
    counts[kind]++
    const list = sends.get(record.entity) ?? []
    list.push({entity: record.entity, kind, id: record.id, sha256: record.sha256, layer: 0})
    sends.set(record.entity, list)
  }

  const actions: PlannedAction[] = []
  for (const entity of writable) {
    const list = sends.get(entity) ?? []
    layer(list, sameType)
    actions.push(...list.sort(byLayerKindId))
  }
  if (!input.partial) {
    // What the target holds (or may hold) that is not staged goes, last: referrers before what they refer to.
    const gone = new Map<EntityName, PlannedAction[]>()
    const candidates = new Set([...input.known.keys(), ...input.uncertain])
    for (const held of candidates) {
      if (staged.has(held)) continue
      const slash = held.indexOf('/')
      const entity = held.slice(0, slash) as EntityName
      if (!writableSet.has(entity)) continue
      const list = gone.get(entity) ?? []
      list.push({entity, kind: 'delete', id: held.slice(slash + 1), layer: 0})
      gone.set(entity, list)
      entities[entity]!.delete++
    }
    for (const entity of [...writable].reverse()) {
      const list = gone.get(entity) ?? []
      layer(list, input.knownSameType ?? new Map())
      // Reversed: a record that refers to another of its type is deleted before it.
      const deepest = Math.max(0, ...list.map((action) => action.layer))
      for (const action of list) action.layer = deepest - action.layer
      actions.push(...list.sort(byLayerKindId))
    }
  }
  return {
    format: 'ss12000-upload-plan/1',
    target: input.target,
    stagedBatch: input.stagedBatch,
    partial: input.partial,
    entities,
    unsupported,
    actions,
  }
}

const KIND_ORDER: Record<WriteKind, number> = {create: 0, upsert: 1, update: 2, delete: 3}

function byLayerKindId(a: PlannedAction, b: PlannedAction): number {
  return a.layer - b.layer || KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
}

/**
 * Gives each action of one type its layer: 0 when it refers to no record of its type that is sent too, else one more
 * than the deepest it refers to. Records in a reference cycle cannot be ordered: they share the layer after all
 * others, and the executor sends that layer as one request, where the body holds every end of the cycle.
 */
function layer(actions: PlannedAction[], sameType: ReadonlyMap<string, readonly string[]>): void {
  if (actions.length === 0) return
  const entity = actions[0]!.entity
  const sent = new Map(actions.map((action) => [action.id, action]))
  const depth = new Map<string, number>()
  const visiting = new Set<string>()
  const cyclic = new Set<string>()
  const depthOf = (id: string): number => {
    const known = depth.get(id)
    if (known !== undefined) return known
    if (visiting.has(id)) {
      cyclic.add(id)
      return 0
    }
    visiting.add(id)
    let deepest = -1
    for (const target of sameType.get(key(entity, id)) ?? []) {
      // A reference to a record that is not sent now is to one the target holds (or a dangling one): no order needed.
      if (target === id || !sent.has(target)) continue
      deepest = Math.max(deepest, depthOf(target))
      if (cyclic.has(target)) cyclic.add(id)
    }
    visiting.delete(id)
    depth.set(id, deepest + 1)
    return deepest + 1
  }
  // Recursion depth is the deepest chain of references within one type: organisations nest a few levels.
  for (const action of actions) action.layer = depthOf(action.id)
  if (cyclic.size > 0) {
    const last = Math.max(...actions.map((action) => action.layer)) + 1
    for (const action of actions) {
      if (!cyclic.has(action.id)) continue
      action.layer = last
      action.together = true
    }
  }
}

/** The plan's hash: sha256 of its canonical JSON. What `--approve` names. */
export function planHash(plan: Plan): string {
  return createHash('sha256').update(canonicalValueJson(plan)).digest('hex')
}

/** A limit per entity type: a number of records, or a share of what the target holds. */
export type Limit = {records: number} | {percent: number}

/** `--max-delete` / `--max-change` values: `50` or `5%`. */
export function parseLimit(text: string, flag: string): Limit {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(%?)\s*$/.exec(text)
  if (match === null) {
    throw new UsageError(`${flag} takes a number of records or a percentage (50, 5%), not "${text}".`)
  }
  const value = Number(match[1])
  if (match[2] === '%') {
    if (value > 100) throw new UsageError(`${flag} ${text}: a share is at most 100%.`)
    return {percent: value}
  }
  if (!Number.isInteger(value)) throw new UsageError(`${flag} ${text}: a number of records is a whole number.`)
  return {records: value}
}

export function formatLimit(limit: Limit): string {
  return 'records' in limit ? `${limit.records} records` : `${limit.percent}%`
}

/** By default an upload deletes at most 5 % and at most 50 of the records the target holds of any type. */
export const DEFAULT_MAX_DELETE: readonly Limit[] = [{percent: 5}, {records: 50}]

/** What a plan would do beyond a limit: per type, the deletes (or changes) and the limit they pass. */
export interface LimitBreach {
  entity: EntityName
  what: 'delete' | 'change'
  count: number
  known: number
  limit: Limit
}

/**
 * Checks the plan against the safety limits: deletes (and, when a change limit is set, updates) per type against the
 * records the target holds of that type. Every limit given must hold.
 */
export function checkLimits(
  plan: Plan,
  limits: {maxDelete: readonly Limit[]; maxChange: readonly Limit[]},
): LimitBreach[] {
  const breaches: LimitBreach[] = []
  for (const [entity, counts] of Object.entries(plan.entities) as Array<[EntityName, EntityPlan]>) {
    const check = (what: LimitBreach['what'], count: number, given: readonly Limit[]) => {
      if (count === 0) return
      for (const limit of given) {
        const allowed = 'records' in limit ? limit.records : (counts.known * limit.percent) / 100
        if (count > allowed) {
          breaches.push({entity, what, count, known: counts.known, limit})
          return
        }
      }
    }
    check('delete', counts.delete, limits.maxDelete)
    check('change', counts.update + counts.upsert, limits.maxChange)
  }
  return breaches
}

/** Consecutive actions of one type, kind and layer, at most `size` records: one request each. */
export interface PlannedChunk {
  entity: EntityName
  kind: WriteKind
  layer: number
  actions: PlannedAction[]
}

/**
 * Cuts the plan's actions into chunks of at most `size`. A cycle's layer (see `layer`) stays one chunk whatever its
 * size, since its records can only be written together.
 */
export function chunkPlan(actions: readonly PlannedAction[], size: number): PlannedChunk[] {
  const chunks: PlannedChunk[] = []
  let current: PlannedChunk | undefined
  for (const action of actions) {
    const whole = action.together === true
    if (
      current === undefined ||
      current.entity !== action.entity ||
      current.kind !== action.kind ||
      current.layer !== action.layer ||
      (!whole && current.actions.length >= size)
    ) {
      current = {entity: action.entity, kind: action.kind, layer: action.layer, actions: []}
      chunks.push(current)
    }
    current.actions.push(action)
  }
  return chunks
}

import type {EntityName} from '../schema/entity-names.js'
import {deriveId} from '../transforms/ids.js'
import type {TransformContext, TransformResult} from '../transforms/types.js'
import type {Config} from '../config/config.js'
import {isRecord} from '../util.js'
import {childPointer} from '../validation/issue.js'
import {isRowError, joinKey, keyValues} from './compile.js'
import type {
  CompiledFilter,
  CompiledInput,
  CompiledOutput,
  CompiledTemplate,
  DefaultApplied,
  MappingRuntime,
  RowContext,
  RowProblem,
} from './template.js'

/** How many derived ids are remembered; the cache starts over when it is full. */
const ID_CACHE_SIZE = 200_000

/** Where a value came from: a row and a 1-based column, packed in one number (column 0: the row as a whole). */
export type Origin = number
const COLUMNS = 16384
export const packOrigin = (row: number, column: number): Origin => row * COLUMNS + column
export const originRow = (origin: Origin): number => Math.floor(origin / COLUMNS)
export const originColumn = (origin: Origin): number => origin % COLUMNS

/** What one row gives one output. */
export interface Contribution {
  output: CompiledOutput
  entity: EntityName
  id: string
  value: Record<string, unknown>
  origins: Array<[pointer: string, column: string]>
  defaults: DefaultApplied[]
  lookupKeys: Array<[lookup: string, key: string]>
}

/** A problem of a row, with the entity it was being made for. */
export type MappedProblem = RowProblem & {entity: EntityName}

export type MappedRow =
  | {status: 'skipped'; filter: CompiledFilter}
  | {
      status: 'mapped'
      kept: CompiledFilter[]
      problems: MappedProblem[]
      contributions: Contribution[]
      /** The ids of the entities the row makes (or would have made, had it no errors). */
      ids: string[]
    }

/** An entity ready to be validated and written, with the rows it came from. */
export interface FinishedEntity {
  entity: EntityName
  value: Record<string, unknown>
  /** The rows that made it, first the one that created it. Empty for entities made from configuration only. */
  rows: number[]
  /** Pointer → origin of the values that came from cells. */
  origins: Map<string, Origin>
  /** The validation record announced for it while it was still being merged (see ValidationEngine.reserve). */
  reserved?: number
}

/** An entity made by the rows of a merged or extended output; `seq` is its place among its output's entities. */
export interface HeldEntity extends FinishedEntity {
  output: string
  seq: number
}

/** A list item a later row added to a held entity: kept aside until the entity is drained. */
export interface AppendedItem {
  /** The held entity it belongs to: its output and its place there. */
  output: string
  seq: number
  row: number | undefined
  /** The entity's field whose list it joins. */
  key: string
  item: unknown
  /** Origins of the item's values, with pointers relative to the item. */
  origins: Array<[string, Origin]>
  /** Defaults from the configuration in the item: counted by `countDefault` if the item is kept (not a repeat). */
  defaults: DefaultApplied[]
}

export interface AppliedRow {
  finished: FinishedEntity[]
  created: HeldEntity[]
  conflicts: MergeConflict[]
  appended: AppendedItem[]
}

/** "120 Person.enrolments[].startDate got 2024-08-19 from config term.start" */
export interface DefaultTally {
  field: string
  setting: string
  value: string
  count: number
}

/** Two rows that disagree about a field of one entity. */
export interface MergeConflict {
  entity: EntityName
  pointer: string
  kept: Origin
  ignored: Origin
  value: unknown
}

/**
 * Turns rows into entities with a compiled template: evaluates every output that reads the row's input, keeps
 * entities that later rows may add to (merged outputs and the targets of extensions) until the end, and resolves
 * lookups against the entities made so far. Pure apart from its own state; reading files and validating is the
 * caller's part.
 */
export class Mapper {
  private readonly held = new Map<string, Map<string, HeldEntity>>()
  private readonly defaults = new Map<string, DefaultTally>()
  private readonly ids = new Map<string, TransformResult<string>>()
  private readonly lookups = new Map<string, Map<string, string>>()
  /** The keys non-personal ids were derived from, to name what a failed reference points to. */
  private readonly keys = new Map<string, string>()
  /** The keys of personal ids, by id, once asked for (see keyOf). */
  private personal: Map<string, string> | undefined
  private readonly runtime: MappingRuntime

  constructor(
    readonly template: CompiledTemplate,
    config: Config,
    transform: TransformContext,
  ) {
    this.runtime = {
      config,
      transform,
      lookUp: (output, lookup, key) => this.lookups.get(`${output}\u0000${lookup}`)?.get(key),
      deriveId: (rule, key) => {
        // The same keys recur (a pupil in every group file row, a unit on every row): derive each id once.
        const text = `${rule.label}\u0000${rule.personal ? 1 : 0}\u0000${key.join('\u001f')}`
        let id = this.ids.get(text)
        if (id === undefined) {
          id = deriveId({
            namespace: config.ids.namespace,
            entity: rule.label,
            key,
            ...(config.ids.secret === undefined ? {} : {secret: config.ids.secret}),
            sensitive: rule.personal,
          })
          if (this.ids.size >= ID_CACHE_SIZE) this.ids.clear()
          this.ids.set(text, id)
          // Personal keys (civic numbers, one per person) are not kept here: keyOf finds them in the id cache, so
          // only a run with failures pays for them.
          if (id.ok && !rule.personal && this.keys.size < ID_CACHE_SIZE) this.keys.set(id.value, key.join(' '))
        }
        return id
      },
    }
    for (const output of template.outputs) {
      const extended = template.outputs.some((other) => other.extend === output.name)
      if (output.emit && (output.merge || extended)) this.held.set(output.name, new Map())
    }
  }

  /** The key an id was derived from (its cells joined by spaces; unmasked), when this run derived it. */
  keyOf(id: string): string | undefined {
    return this.keys.get(id) ?? this.personalKeys().get(id)
  }

  /**
   * The keys of the personal ids still in the id cache (all of them unless the cache overflowed), by id: built on
   * the first call, when a reference failed, so that "Person 20151101-**** is not in the input" names the person
   * by the personnummer the file holds (reports mask it unless --reveal), not by an id it never held.
   */
  private personalKeys(): Map<string, string> {
    if (this.personal !== undefined) return this.personal
    this.personal = new Map()
    for (const [text, id] of this.ids) {
      const [, personal, key] = text.split('\u0000')
      if (personal === '1' && id.ok && key !== undefined) this.personal.set(id.value, key.replaceAll('\u001f', ' '))
    }
    return this.personal
  }

  /** The order to read inputs in: an input whose outputs look up or extend another input's outputs comes after it. */
  inputOrder(): CompiledInput[] {
    const producer = new Map(this.template.outputs.map((output) => [output.name, output.from]))
    const ordered: CompiledInput[] = []
    const visiting = new Set<string>()
    const visit = (input: CompiledInput) => {
      if (ordered.includes(input) || visiting.has(input.name)) return
      visiting.add(input.name)
      for (const output of this.template.outputs.filter((candidate) => candidate.from === input.name)) {
        for (const dependency of output.dependsOn) {
          const from = producer.get(dependency)
          const other = this.template.inputs.find((candidate) => candidate.name === from)
          if (other && other !== input) visit(other)
        }
      }
      ordered.push(input)
    }
    for (const input of this.template.inputs) visit(input)
    return ordered
  }

  /** Maps one row of an input. Nothing is applied: call `apply` with the contributions of a row without errors. */
  mapRow(
    input: CompiledInput,
    cells: Readonly<Record<string, string>>,
    headers: Readonly<Record<string, string | undefined>>,
  ): MappedRow {
    const kept: CompiledFilter[] = []
    for (const filter of input.filters) {
      const header = headers[filter.column]
      if (!filter.matches(header === undefined ? undefined : cells[header])) continue
      if (filter.action === 'skip') return {status: 'skipped', filter}
      kept.push(filter)
    }
    const flags = new Set(kept.map((filter) => filter.name!))
    const problems: MappedProblem[] = []
    const contributions: Contribution[] = []
    const ids: string[] = []
    for (const output of this.template.outputs) {
      if (output.from !== input.name) continue
      const contribution = this.evaluate(output, {cells, headers, flags}, problems, ids)
      if (contribution) contributions.push(contribution)
    }
    return {status: 'mapped', kept, problems: oncePerCell(problems), contributions, ids}
  }

  /** Maps the outputs that read no input: one entity each, from constants and configuration. */
  mapConstants(): {problems: MappedProblem[]; contributions: Contribution[]} {
    const problems: MappedProblem[] = []
    const contributions: Contribution[] = []
    for (const output of this.template.outputs) {
      if (output.from !== undefined) continue
      const contribution = this.evaluate(output, {cells: {}, headers: {}, flags: new Set()}, problems, [])
      if (contribution) contributions.push(contribution)
    }
    return {problems, contributions}
  }

  /**
   * Applies a row's contributions. A new entity is returned finished, unless later rows may add to it: then it is
   * returned as created and held. A later row's contribution to a held entity merges into it: fields it lacks are
   * taken, a differing value is reported and the first kept, and the items of its lists are returned as appended
   * (the caller keeps them on disk until `drain`, so memory does not grow with the rows). Defaults from the
   * configuration are counted as they are taken. `column(key)` gives the 1-based column number of a template column
   * in the row's file.
   */
  apply(contributions: Contribution[], row: number | undefined, column: (key: string) => number): AppliedRow {
    const applied: AppliedRow = {finished: [], created: [], conflicts: [], appended: []}
    const originOf = (key: string) => (row === undefined ? 0 : packOrigin(row, column(key)))
    for (const contribution of contributions) {
      for (const [lookup, key] of contribution.lookupKeys) this.register(contribution, lookup, key)
      // An output that is not written only answers lookups.
      if (!contribution.output.emit) continue
      const target = contribution.output.extend ?? contribution.output.name
      const store = this.held.get(target)
      const origins = new Map<string, Origin>()
      for (const [pointer, key] of contribution.origins) if (!origins.has(pointer)) origins.set(pointer, originOf(key))
      const rows = row === undefined ? [] : [row]
      const existing = store?.get(contribution.id)
      if (!existing) {
        for (const taken of contribution.defaults) this.countDefault(taken)
        const entity: HeldEntity = {
          entity: contribution.entity,
          value: contribution.value,
          rows,
          origins,
          output: target,
          seq: store?.size ?? 0,
        }
        if (store) {
          store.set(contribution.id, entity)
          applied.created.push(entity)
        } else {
          applied.finished.push(entity)
        }
        continue
      }
      if (row !== undefined && existing.rows.at(-1) !== row) existing.rows.push(row)
      const scalars: Record<string, unknown> = {}
      for (const [key, value] of Object.entries(contribution.value)) {
        if (!Array.isArray(value)) {
          scalars[key] = value
          continue
        }
        value.forEach((item, index) => {
          const prefix = `/${key}/${index}`
          const itemOrigins: Array<[string, Origin]> = []
          for (const [pointer, origin] of origins) {
            if (pointer === prefix || pointer.startsWith(`${prefix}/`))
              itemOrigins.push([pointer.slice(prefix.length), origin])
          }
          const itemDefaults = contribution.defaults.filter(
            (taken) => taken.pointer === prefix || taken.pointer.startsWith(`${prefix}/`),
          )
          applied.appended.push({
            output: target,
            seq: existing.seq,
            row,
            key,
            item,
            origins: itemOrigins,
            defaults: itemDefaults,
          })
        })
      }
      const taken: string[] = []
      mergeInto(existing.value, scalars, '', taken, (pointer, value) => {
        const kept =
          existing.origins.get(pointer) ?? (existing.rows[0] === undefined ? 0 : packOrigin(existing.rows[0], 0))
        const ignored = origins.get(pointer) ?? (row === undefined ? 0 : packOrigin(row, 0))
        applied.conflicts.push({entity: contribution.entity, pointer, kept, ignored, value})
      })
      // What this row added keeps its origins and counts its defaults.
      const isTaken = (pointer: string) => taken.some((from) => pointer === from || pointer.startsWith(`${from}/`))
      for (const [pointer, origin] of origins) {
        if (isTaken(pointer) && !existing.origins.has(pointer)) existing.origins.set(pointer, origin)
      }
      for (const applied of contribution.defaults) if (isTaken(applied.pointer)) this.countDefault(applied)
    }
    return applied
  }

  /** Whether an extension's target exists. */
  has(output: string, id: string): boolean {
    return this.held.get(output)?.has(id) ?? false
  }

  /**
   * The held entities, output by output in template order, each in the order it was first made, without the list
   * items later rows appended (the caller adds them back with `appendItem`). Each is let go once yielded.
   */
  *drain(): Generator<HeldEntity> {
    for (const output of this.template.outputs) {
      const store = this.held.get(output.name)
      if (!store) continue
      for (const [id, entity] of store) {
        store.delete(id)
        yield entity
      }
    }
  }

  /** How many entities each held output holds, in drain order. */
  heldCounts(): Array<[output: string, count: number]> {
    return [...this.held].map(([output, store]) => [output, store.size])
  }

  /** Defaults from the configuration that went into entities, per field, setting and value. */
  defaultTallies(): DefaultTally[] {
    return [...this.defaults.values()].sort((a, b) => (a.field < b.field ? -1 : a.field > b.field ? 1 : 0))
  }

  /** Counts a default that went into an entity. */
  countDefault(applied: Pick<DefaultApplied, 'field' | 'setting' | 'value'>): void {
    const key = `${applied.field}\u0000${applied.setting}\u0000${applied.value}`
    const known = this.defaults.get(key)
    if (known) known.count++
    else this.defaults.set(key, {field: applied.field, setting: applied.setting, value: applied.value, count: 1})
  }

  private register(contribution: Contribution, lookup: string, key: string): void {
    const name = `${contribution.output.name}\u0000${lookup}`
    let map = this.lookups.get(name)
    if (!map) this.lookups.set(name, (map = new Map()))
    const known = map.get(key)
    if (known === undefined) map.set(key, contribution.id)
    else if (known !== contribution.id) map.set(key, 'ambiguous')
  }

  private evaluate(
    output: CompiledOutput,
    row: Pick<RowContext, 'cells' | 'headers' | 'flags'>,
    problems: MappedProblem[],
    ids: string[],
  ): Contribution | undefined {
    const context: RowContext = {
      runtime: this.runtime,
      cells: row.cells,
      headers: row.headers,
      flags: row.flags,
      item: undefined,
      column: undefined,
      problems: [],
      origins: [],
      defaults: [],
      hits: 0,
    }
    const fail = () => {
      for (const problem of context.problems) problems.push({...problem, entity: output.entity})
      return undefined
    }
    let id: string | undefined
    let keyColumn: string | undefined
    let keyText: string | undefined
    const at = (column: string | undefined) => (column === undefined ? {} : {column})
    if (output.idValue) {
      const value = output.idValue(context, '/id')
      id = typeof value === 'string' ? value : undefined
    } else {
      const key = keyValues(output.id.key, context, '/id')
      const parts = key.values
      keyColumn = key.column
      if (parts === undefined) {
        // A merged output makes entities from the distinct values of its key: a row without a value makes none.
        if (output.merge && context.problems.length === 0) return undefined
        if (context.problems.length === 0)
          context.problems.push({code: 'transform.id.key-empty', ...at(keyColumn), pointer: '/id'})
        return fail()
      }
      const derived = this.runtime.deriveId(output.id, parts)
      if (!derived.ok) {
        context.problems.push({code: derived.problem.code, ...at(keyColumn), pointer: '/id'})
        return fail()
      }
      id = derived.value
      keyText = parts.join(' ')
    }
    if (id === undefined) {
      context.problems.push({code: 'transform.id.key-empty', pointer: '/id'})
      return fail()
    }
    if (output.extend === undefined) ids.push(id)
    if (output.extend !== undefined && !this.has(output.extend, id)) {
      context.problems.push({
        code: output.missing === 'warn' ? 'mapping.extend-unmatched' : 'mapping.extend-missing',
        params: {target: output.entity, output: output.extend},
        ...at(keyColumn),
        ...(keyText === undefined ? {} : {value: keyText}),
        pointer: '',
        cause: {
          target: output.entity,
          id,
          key: keyText === undefined ? output.extend : `${output.extend} ${keyText}`,
        },
      })
      return fail()
    }
    const lookupKeys: Array<[string, string]> = []
    for (const [lookup, key] of output.lookups) {
      const parts = keyValues(key, context, '').values
      if (parts !== undefined) lookupKeys.push([lookup, joinKey(parts)])
    }
    const fields = output.build(context, '') as Record<string, unknown> | undefined
    const value: Record<string, unknown> = output.extend === undefined ? {id, ...fields} : {...fields}
    fail()
    if (context.problems.some((problem) => isRowError(problem.code))) return undefined
    return {
      output,
      entity: output.entity,
      id,
      value,
      origins: context.origins,
      defaults: context.defaults,
      lookupKeys,
    }
  }
}

/** One bad cell that several outputs read is one problem of the row, reported for the first output. */
function oncePerCell(problems: MappedProblem[]): MappedProblem[] {
  const seen = new Set<string>()
  return problems.filter((problem) => {
    const key = `${problem.code}\u0000${problem.column ?? ''}\u0000${problem.value ?? ''}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

/**
 * Merges `incoming` into `target`: absent fields are taken, lists take the items they lack, objects merge field by
 * field, and a differing scalar keeps the target's value and is reported. `taken` collects the pointers of the fields
 * that were added whole.
 */
function mergeInto(
  target: Record<string, unknown>,
  incoming: Record<string, unknown>,
  pointer: string,
  taken: string[],
  conflict: (pointer: string, value: unknown) => void,
): void {
  for (const [key, value] of Object.entries(incoming)) {
    const at = childPointer(pointer, key)
    const current = target[key]
    if (current === undefined) {
      target[key] = value
      taken.push(at)
    } else if (Array.isArray(current) && Array.isArray(value)) {
      const seen = itemTexts(current)
      for (const item of value) {
        const text = JSON.stringify(item)
        if (seen.has(text)) continue
        current.push(item)
        seen.add(text)
      }
    } else if (isRecord(current) && isRecord(value)) {
      mergeInto(current, value, at, taken, conflict)
    } else if (JSON.stringify(current) !== JSON.stringify(value)) {
      conflict(at, value)
    }
  }
}

/** The JSON of a long list's items, kept while the list lives, so growing it stays linear. */
const texts = new WeakMap<unknown[], Set<string>>()
function itemTexts(list: unknown[]): Set<string> {
  let set = texts.get(list)
  if (!set) texts.set(list, (set = new Set(list.map((item) => JSON.stringify(item)))))
  return set
}

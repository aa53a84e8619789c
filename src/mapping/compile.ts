import type {TSchema} from '@sinclair/typebox'

import {type Config, ConfigSchema} from '../config/config.js'
import type {LocatedYaml, YamlPath} from '../config/located-yaml.js'
import {ENTITY_NAMES, type EntityName} from '../schema/entity-names.js'
import {PROFILE_NAMES} from '../schema/profiles.js'
import {getModel} from '../schema/validators.js'
import {resolveTransformParams, type TransformDefinition} from '../transforms/registry.js'
import {isRecord} from '../util.js'
import {CATALOG, type IssueCode} from '../validation/catalog.js'
import {childPointer} from '../validation/issue.js'
import {closestMatch} from '../validation/suggest.js'
import type {
  CompiledColumn,
  CompiledFilter,
  CompiledInput,
  CompiledOutput,
  CompiledTemplate,
  CrosswalkDocument,
  Evaluator,
  IdRule,
  InputDocument,
  RowContext,
  RowProblem,
  TemplateDocument,
} from './template.js'

/** The keys that make a mapping a value spec rather than a nested SS 12000 object. */
const SOURCE_KEYS = ['column', 'const', 'config', 'ref', 'each', 'item'] as const
const MODIFIER_KEYS = ['transform', 'crosswalk', 'default', 'when', 'unless'] as const
/** Keys that only a `ref` takes. */
const REF_KEYS = ['key', 'by', 'personal', 'missing'] as const
const KEY_SEPARATOR = '\u001f'

/** A template problem: where it is written and what is wrong. */
export interface TemplateError {
  path: YamlPath
  message: string
}

/** A compiled part of a field tree: how to evaluate it, and whether it is made of constants only. */
interface Node {
  evaluate: Evaluator
  /** True when no cell of the row goes into it: then it does not make the object around it present. */
  constant: boolean
}

/** One schema position a value lands on, in each profile (they share field names but not all enums). */
type SchemaNodes = Array<SchemaNode | undefined>
type SchemaNode = TSchema & {
  properties?: Record<string, SchemaNode>
  items?: SchemaNode
  enum?: unknown[]
  type?: string | string[]
}

interface Crosswalk {
  name: string
  caseSensitive: boolean
  unmapped: 'error' | 'keep' | 'absent'
  map: Map<string, unknown>
  values: unknown[]
}

interface Scope {
  output: string
  entity: EntityName
  input?: CompiledInput
  inEach: boolean
  /** Outputs whose entities must exist before this output's rows are mapped (lookups, extensions). */
  dependsOn: Set<string>
}

/**
 * Compiles a template document (already shape-checked against TemplateDocumentSchema) into evaluators, checking
 * everything that can be checked before any data is read: inputs, columns, transforms and their parameters,
 * crosswalks and the values they produce, configuration settings, entity types, SS 12000 field names and enum
 * values, references and lookups. Returns every problem found, each with its place in the document.
 */
export function compileTemplate(
  located: LocatedYaml,
  path: string,
  sideCrosswalks: ReadonlyMap<string, Map<string, string>>,
): {template: CompiledTemplate; errors: TemplateError[]} {
  const document = located.value as TemplateDocument
  const errors: TemplateError[] = []
  const error = (where: YamlPath, message: string) => errors.push({path: where, message})
  const models = PROFILE_NAMES.map((profile) => getModel({profile, mode: 'payload'}))

  const inputs = Object.entries(document.inputs).map(([name, input]) => compileInput(name, input, error))
  const inputByName = new Map(inputs.map((input) => [input.name, input]))

  const crosswalks = new Map<string, Crosswalk>()
  for (const [name, crosswalk] of Object.entries(document.crosswalks ?? {})) {
    const compiled = compileCrosswalk(name, crosswalk, sideCrosswalks.get(name), (message) =>
      error(['crosswalks', name], message),
    )
    if (compiled) crosswalks.set(name, compiled)
  }

  // First every output's entity and id rule, so that references can point at outputs written later in the file.
  const outputDocuments = Object.entries(document.outputs)
  const heads = new Map<string, {entity: EntityName; id: IdRule; lookups: Set<string>}>()
  for (const [name, output] of outputDocuments) {
    const where: YamlPath = ['outputs', name]
    if (output.extend !== undefined) continue
    if (output.entity === undefined) {
      error(where, `output "${name}" needs an entity (one of ${ENTITY_NAMES.join(', ')}) or extend.`)
      continue
    }
    if (!(ENTITY_NAMES as readonly string[]).includes(output.entity)) {
      const guess = closestMatch(output.entity, ENTITY_NAMES)
      error([...where, 'entity'], `unknown entity type "${output.entity}"${guess ? ` (did you mean ${guess}?)` : ''}.`)
      continue
    }
    const idDocument = isRecord(output.id) ? output.id : {}
    heads.set(name, {
      entity: output.entity as EntityName,
      id: {
        label: typeof idDocument.label === 'string' ? idDocument.label : output.entity,
        personal: idDocument.personal === true,
        key: [],
      },
      lookups: new Set(Object.keys(output.lookup ?? {})),
    })
  }

  const outputs: CompiledOutput[] = []
  for (const [name, output] of outputDocuments) {
    const where: YamlPath = ['outputs', name]
    let head = heads.get(name)
    if (output.extend !== undefined) {
      if (output.entity !== undefined) error([...where, 'entity'], 'an extension takes its entity from its target.')
      if (output.emit !== undefined) error([...where, 'emit'], 'an extension is written with its target.')
      const target = heads.get(output.extend)
      if (!target) {
        error(
          [...where, 'extend'],
          `no output "${output.extend}" to extend (outputs: ${[...heads.keys()].join(', ')}).`,
        )
        continue
      }
      if (output.from === undefined) error(where, `output "${name}" extends "${output.extend}" but reads no input.`)
      if (document.outputs[output.extend]?.emit === false) {
        error([...where, 'extend'], `output "${output.extend}" is not written (emit: false), so nothing can extend it.`)
      }
      head = {entity: target.entity, id: {...target.id, key: []}, lookups: new Set()}
    } else if (output.missing !== undefined) {
      error([...where, 'missing'], '"missing" applies to an extension (extend:), whose target a row may not find.')
    }
    if (!head) continue
    const input = output.from === undefined ? undefined : inputByName.get(output.from)
    if (output.from !== undefined && !input) {
      error([...where, 'from'], `no input "${output.from}" (inputs: ${[...inputByName.keys()].join(', ')}).`)
      continue
    }
    const scope: Scope = {output: name, entity: head.entity, input, inEach: false, dependsOn: new Set()}
    if (output.extend !== undefined) scope.dependsOn.add(output.extend)
    const compiler = new FieldCompiler(scope, error, crosswalks, heads, models)

    const id: IdRule = {...head.id, key: []}
    let idValue: Evaluator | undefined
    const idDocument = output.id
    if (idDocument === undefined) {
      error(where, `output "${name}" needs an id: id: {key: [columns…]}.`)
    } else if (isRecord(idDocument) && 'key' in idDocument) {
      const known = ['key', 'label', 'personal']
      for (const key of Object.keys(idDocument)) {
        if (!known.includes(key)) error([...where, 'id', key], `unknown setting (known: ${known.join(', ')}).`)
      }
      if (output.extend !== undefined && (idDocument.label !== undefined || idDocument.personal !== undefined)) {
        error([...where, 'id'], 'an extension uses the id rule of its target; give only its key.')
      }
      id.key = compiler.keyParts(idDocument.key, [...where, 'id', 'key'])
    } else if (output.extend === undefined) {
      idValue = compiler.value(idDocument, [...where, 'id'], schemaAt(models, head.entity, ['id'])).evaluate
    } else {
      error([...where, 'id'], 'an extension finds its target by key: id: {key: [columns…]}.')
    }

    const lookups = new Map<string, Evaluator[]>()
    for (const [lookup, key] of Object.entries(output.lookup ?? {})) {
      if (output.extend !== undefined)
        error([...where, 'lookup'], 'lookups belong on the output that makes the entity.')
      lookups.set(lookup, compiler.keyParts(key, [...where, 'lookup', lookup]))
    }

    if ('id' in output.fields) error([...where, 'fields', 'id'], 'the id is made by the output\'s "id", not a field.')
    const build = compiler.object(output.fields, [...where, 'fields'], schemaAt(models, head.entity, []), '')
    outputs.push({
      name,
      ...(output.description === undefined ? {} : {description: output.description}),
      entity: head.entity,
      ...(output.from === undefined ? {} : {from: output.from}),
      ...(output.extend === undefined ? {} : {extend: output.extend}),
      id,
      ...(idValue === undefined ? {} : {idValue}),
      merge: output.merge ?? false,
      emit: output.emit ?? true,
      missing: output.missing ?? 'error',
      lookups,
      dependsOn: [...scope.dependsOn],
      build: build.evaluate,
    })
  }
  for (const input of inputs) {
    if (!outputs.some((output) => output.from === input.name)) {
      error(['inputs', input.name], `input "${input.name}" is read by no output.`)
    }
  }

  const template: CompiledTemplate = {
    name: document.name,
    version: document.version,
    title: document.title,
    ...(document.description === undefined ? {} : {description: document.description}),
    path,
    inputs,
    outputs,
  }
  return {template, errors}
}

function compileInput(
  name: string,
  input: InputDocument,
  error: (where: YamlPath, message: string) => void,
): CompiledInput {
  const columns: CompiledColumn[] = Object.entries(input.columns).map(([key, column]) => {
    if (typeof column === 'string') return {key, headers: [column], optional: false}
    if (Array.isArray(column)) return {key, headers: column, optional: false}
    return {key, headers: column.headers, optional: column.optional ?? false}
  })
  const known = new Set(columns.map((column) => column.key))
  const filters: CompiledFilter[] = (input.filters ?? []).map((filter, index) => {
    const where: YamlPath = ['inputs', name, 'filters', index]
    if (!known.has(filter.column)) error([...where, 'column'], unknownColumn(filter.column, name, [...known]))
    const tests = [filter.equals !== undefined, filter.in !== undefined, filter.empty !== undefined].filter(Boolean)
    if (tests.length !== 1) error(where, 'a filter needs exactly one test: equals, in or empty.')
    const fold = (value: string) => value.normalize('NFC').trim().toLowerCase()
    const wanted = new Set((filter.in ?? (filter.equals === undefined ? [] : [filter.equals])).map(fold))
    const matches =
      filter.empty !== undefined
        ? (value: string | undefined) => (value === undefined || value === '') === filter.empty
        : (value: string | undefined) => value !== undefined && wanted.has(fold(value))
    const action = filter.action ?? 'skip'
    if (action === 'keep' && filter.name === undefined) {
      error(where, 'a filter that keeps rows needs a name, so fields can depend on it with when: NAME.')
    }
    return {
      ...(filter.name === undefined ? {} : {name: filter.name}),
      column: filter.column,
      matches,
      action,
      reason: filter.reason,
    }
  })
  return {
    name,
    ...(input.description === undefined ? {} : {description: input.description}),
    files: input.files ?? [`${name}*`],
    optional: input.optional ?? false,
    reader: {...input.reader},
    columns,
    filters,
    crosswalked: [],
  }
}

function compileCrosswalk(
  name: string,
  crosswalk: CrosswalkDocument,
  side: Map<string, string> | undefined,
  error: (message: string) => void,
): Crosswalk | undefined {
  if ((crosswalk.map === undefined) === (crosswalk.file === undefined)) {
    error(`crosswalk "${name}" needs either map (inline) or file (a CSV beside the template), not both.`)
    return undefined
  }
  const caseSensitive = crosswalk.caseSensitive ?? false
  const entries: Array<[string, unknown]> = crosswalk.map ? Object.entries(crosswalk.map) : [...(side ?? new Map())]
  const map = new Map<string, unknown>()
  for (const [from, to] of entries) {
    const key = crosswalkKey(from, caseSensitive)
    if (map.has(key) && map.get(key) !== to) {
      error(`crosswalk "${name}" maps "${from}" twice, to different values.`)
    }
    map.set(key, to)
  }
  return {name, caseSensitive, unmapped: crosswalk.unmapped ?? 'error', map, values: [...new Set(map.values())]}
}

const crosswalkKey = (value: string, caseSensitive: boolean) =>
  caseSensitive ? value.normalize('NFC').trim() : value.normalize('NFC').trim().toLowerCase()

function unknownColumn(column: string, input: string | undefined, known: string[]): string {
  if (input === undefined) return `column "${column}": this output reads no input, so it has no columns.`
  const guess = closestMatch(column, known)
  return `input "${input}" has no column "${column}"${guess ? ` (did you mean ${guess}?)` : ''}; declare it under inputs.${input}.columns (known: ${known.join(', ')}).`
}

/** The schema nodes at a field path of an entity, in each profile's model. */
function schemaAt(models: ReturnType<typeof getModel>[], entity: EntityName, path: string[]): SchemaNodes {
  return models.map((model) => {
    let node: SchemaNode | undefined = model.entities[entity] as SchemaNode
    for (const segment of path) node = node?.properties?.[segment]
    return node
  })
}

const ConfigNode = ConfigSchema as unknown as SchemaNode

/** The schema of a configuration setting (`term.start`), if there is one. */
function configSetting(path: string): SchemaNode | undefined {
  let node: SchemaNode | undefined = ConfigNode
  for (const segment of path.split('.')) node = node?.properties?.[segment]
  return node
}

function configValue(config: Config, segments: readonly string[]): unknown {
  let value: unknown = config
  for (const segment of segments) value = isRecord(value) ? value[segment] : undefined
  return value
}

const FAILED = Symbol('failed')

/** Compiles the field trees of one output. */
class FieldCompiler {
  constructor(
    private readonly scope: Scope,
    private readonly error: (where: YamlPath, message: string) => void,
    private readonly crosswalks: Map<string, Crosswalk>,
    private readonly heads: Map<string, {entity: EntityName; id: IdRule; lookups: Set<string>}>,
    private readonly models: ReturnType<typeof getModel>[],
  ) {}

  /** Any field: a value spec, a constant, a nested object or a list. */
  node(node: unknown, where: YamlPath, schema: SchemaNodes, fieldPath: string): Node {
    if (Array.isArray(node)) return this.list(node, where, schema, fieldPath)
    if (isRecord(node)) {
      return SOURCE_KEYS.some((key) => key in node)
        ? this.value(node, where, schema, fieldPath)
        : this.object(node, where, schema, fieldPath)
    }
    return this.value({const: node}, where, schema, fieldPath)
  }

  object(fields: Record<string, unknown>, where: YamlPath, schema: SchemaNodes, fieldPath: string): Node {
    const present = schema.filter((node): node is SchemaNode => node !== undefined)
    if (present.length > 0 && !present.some((node) => node.properties !== undefined)) {
      this.error(where, `${this.field(fieldPath)} is not an object; give it a value spec ({column: …}, {const: …}).`)
      return {evaluate: () => undefined, constant: true}
    }
    const children: Array<[string, Node]> = []
    for (const [name, child] of Object.entries(fields)) {
      const known = [...new Set(present.flatMap((node) => Object.keys(node.properties ?? {})))]
      if (!known.includes(name) || name === '_embedded') {
        const guess = closestMatch(name, known)
        this.error(
          [...where, name],
          `${this.scope.entity} has no field ${this.field(fieldPath ? `${fieldPath}.${name}` : name)}${guess ? ` (did you mean ${guess}?)` : ''}.`,
        )
        continue
      }
      const childSchema = schema.map((node) => node?.properties?.[name])
      children.push([name, this.node(child, [...where, name], childSchema, fieldPath ? `${fieldPath}.${name}` : name)])
    }
    const constant = children.every(([, child]) => child.constant)
    const evaluate: Evaluator = (context, pointer) => {
      const before = context.hits
      const origins = context.origins.length
      const defaults = context.defaults.length
      const object: Record<string, unknown> = {}
      let any = false
      for (const [name, child] of children) {
        const value = child.evaluate(context, childPointer(pointer, name))
        if (value !== undefined) {
          object[name] = value
          any = true
        }
      }
      // An object none of whose cells had data is absent (an empty email column gives no email), constants or not.
      if (!any || (!constant && context.hits === before)) {
        context.origins.length = origins
        context.defaults.length = defaults
        return undefined
      }
      return object
    }
    return {evaluate, constant}
  }

  list(items: unknown[], where: YamlPath, schema: SchemaNodes, fieldPath: string): Node {
    if (schema.every((node) => node === undefined || node.type !== 'array')) {
      this.error(where, `${this.field(fieldPath)} is not a list.`)
      return {evaluate: () => undefined, constant: true}
    }
    const itemSchema = schema.map((node) => node?.items)
    const elements = items.map((item, index) => this.node(item, [...where, index], itemSchema, `${fieldPath}[]`))
    return {
      constant: elements.every((element) => element.constant),
      evaluate: (context, pointer) => {
        const list: unknown[] = []
        for (const element of elements) {
          const value = element.evaluate(context, childPointer(pointer, list.length))
          if (Array.isArray(value)) list.push(...value)
          else if (value !== undefined) list.push(value)
        }
        return list.length > 0 ? list : undefined
      },
    }
  }

  /** The parts of an id or lookup key: column names, or value specs. */
  keyParts(key: unknown, where: YamlPath): Evaluator[] {
    const parts = Array.isArray(key) ? key : [key]
    if (parts.length === 0) this.error(where, 'a key needs at least one part.')
    return parts.map((part, index) => {
      const spec = typeof part === 'string' ? {column: part} : part
      return this.value(spec, [...where, ...(Array.isArray(key) ? [index] : [])], [undefined]).evaluate
    })
  }

  value(spec: unknown, where: YamlPath, schema: SchemaNodes, fieldPath = ''): Node {
    if (!isRecord(spec)) return this.value({const: spec}, where, schema, fieldPath)
    // In an "each", "item" is the element template, not a second source.
    const sources = SOURCE_KEYS.filter((key) => key in spec && !(key === 'item' && 'each' in spec))
    const allowed = new Set<string>([...SOURCE_KEYS, ...MODIFIER_KEYS, ...REF_KEYS])
    for (const key of Object.keys(spec)) {
      if (!allowed.has(key)) {
        const guess = closestMatch(key, [...allowed])
        this.error([...where, key], `unknown key "${key}" in a value spec${guess ? ` (did you mean ${guess}?)` : ''}.`)
      }
    }
    const source = sources[0]
    if (sources.length !== 1 || source === undefined) {
      this.error(
        where,
        `a value spec takes one source of ${SOURCE_KEYS.join(', ')}; found ${sources.join(', ') || 'none'}.`,
      )
      return {evaluate: () => undefined, constant: true}
    }
    for (const key of REF_KEYS) {
      if (key in spec && source !== 'ref') this.error([...where, key], `"${key}" belongs to a ref.`)
    }

    let evaluate: Evaluator
    let constant = false
    let column: string | undefined
    switch (source) {
      case 'column': {
        column = String(spec.column)
        const input = this.scope.input
        if (!input || !input.columns.some((candidate) => candidate.key === column)) {
          this.error(
            [...where, 'column'],
            unknownColumn(
              column,
              input?.name,
              (input?.columns ?? []).map((candidate) => candidate.key),
            ),
          )
        }
        const key = column
        evaluate = (context) => {
          const header = context.headers[key]
          return header === undefined ? undefined : context.cells[header]
        }
        break
      }
      case 'item':
        if (!this.scope.inEach)
          this.error([...where, 'item'], '"item" is only meaningful inside the item of an "each".')
        evaluate = (context) => context.item
        break
      case 'const':
        constant = true
        this.checkValues([spec.const], where, schema, 'const')
        evaluate = () => spec.const
        break
      case 'config': {
        constant = true
        const setting = String(spec.config)
        const segments = setting.split('.')
        const field = this.field(fieldPath)
        if (!configSetting(setting)) this.error([...where, 'config'], `no configuration setting "${setting}".`)
        evaluate = (context, pointer) => {
          const value = configValue(context.runtime.config, segments)
          if (value !== undefined) context.defaults.push({pointer, field, setting, value: describe(value)})
          return value
        }
        break
      }
      case 'ref':
        ;({evaluate, constant} = this.reference(spec, where, schema))
        break
      case 'each':
        ;({evaluate, constant} = this.each(spec, where, schema, fieldPath))
        break
    }

    const steps = this.transforms(spec.transform, [...where, 'transform'])
    const crosswalk = this.crosswalk(spec.crosswalk, [...where, 'crosswalk'], schema)
    const crosswalked = this.scope.input?.crosswalked
    if (crosswalk && source === 'column' && column !== undefined && crosswalked && !crosswalked.includes(column)) {
      crosswalked.push(column)
    }
    const fallback =
      spec.default === undefined ? undefined : this.fallback(spec.default, [...where, 'default'], schema, fieldPath)
    const counts = source === 'column' || source === 'item'
    const guard = (name: unknown, key: string) => {
      if (name === undefined) return undefined
      const flag = String(name)
      const filters = this.scope.input?.filters ?? []
      if (!filters.some((filter) => filter.name === flag && filter.action === 'keep')) {
        this.error([...where, key], `no filter "${flag}" that keeps rows in input "${this.scope.input?.name ?? '-'}".`)
      }
      return flag
    }
    const when = guard(spec.when, 'when')
    const unless = guard(spec.unless, 'unless')

    const base = evaluate
    const full: Evaluator = (context, pointer) => {
      if (when !== undefined && !context.flags.has(when)) return undefined
      if (unless !== undefined && context.flags.has(unless)) return undefined
      let value: unknown = base(context, pointer)
      if (column !== undefined) context.column = column
      const problems = context.problems.length
      for (const step of steps) {
        value = applyStep(step, value, context, pointer, column)
        if (value === FAILED) return undefined
      }
      if (crosswalk && value !== undefined) {
        value = applyCrosswalk(crosswalk, value, context, pointer, column)
        if (value === FAILED) return undefined
      }
      if (value === undefined) {
        if (fallback && context.problems.length === problems) return fallback(context, pointer)
        return undefined
      }
      if (counts) {
        context.hits++
        if (column !== undefined) context.origins.push([pointer, column])
      }
      return value
    }
    return {evaluate: full, constant}
  }

  private reference(spec: Record<string, unknown>, where: YamlPath, schema: SchemaNodes): Node {
    const target = String(spec.ref)
    const head = this.heads.get(target)
    let rule: IdRule
    if (head) {
      rule = head.id
      const expected = (schema.find((node) => node !== undefined) as Record<string, unknown> | undefined)?.[
        'x-ss12000-ref'
      ]
      if (expected !== undefined && expected !== head.entity) {
        this.error(
          [...where, 'ref'],
          `this field refers to ${article(String(expected))} ${String(expected)}, but output "${target}" makes ${head.entity}.`,
        )
      }
    } else if ((ENTITY_NAMES as readonly string[]).includes(target)) {
      rule = {label: target, personal: spec.personal === true, key: []}
    } else {
      this.error(
        [...where, 'ref'],
        `no output or entity type "${target}" to refer to (outputs: ${[...this.heads.keys()].join(', ')}).`,
      )
      return {evaluate: () => undefined, constant: true}
    }
    const by = spec.by === undefined ? undefined : String(spec.by)
    const missing = spec.missing ?? 'error'
    if (missing !== 'error' && missing !== 'warn') {
      this.error([...where, 'missing'], 'missing is error (the row is rejected) or warn (the reference is left out).')
    }
    if (spec.missing !== undefined && by === undefined) {
      this.error(
        [...where, 'missing'],
        '"missing" applies to a lookup (by:); a reference by id key is checked by validation.',
      )
    }
    if (spec.personal !== undefined && head) {
      this.error([...where, 'personal'], `output "${target}" says whether its ids are personal; leave personal out.`)
    }
    if (by !== undefined) this.scope.dependsOn.add(target)
    if (by !== undefined && !head?.lookups.has(by)) {
      this.error(
        [...where, 'by'],
        `output "${target}" has no lookup "${by}"; declare it under outputs.${target}.lookup.`,
      )
    }
    if (spec.key === undefined) {
      this.error(where, 'a ref needs a key: the columns that identify the entity it refers to.')
      return {evaluate: () => undefined, constant: true}
    }
    const parts = this.keyParts(spec.key, [...where, 'key'])
    const evaluate: Evaluator = (context, pointer) => {
      const {values, column} = keyValues(parts, context, pointer)
      if (values === undefined) return undefined
      if (by !== undefined) {
        const key = values.join(KEY_SEPARATOR)
        const id = context.runtime.lookUp(target, by, key)
        if (id === undefined || id === 'ambiguous') {
          context.problems.push({
            code:
              id === 'ambiguous'
                ? 'mapping.lookup-ambiguous'
                : missing === 'warn'
                  ? 'mapping.lookup-unmatched'
                  : 'mapping.lookup-missing',
            params: {target: head?.entity ?? target, lookup: by},
            ...(column === undefined ? {} : {column}),
            pointer,
            value: values.join(' '),
            cause: {target: head?.entity ?? target, key: `${by} ${values.join(' ')}`},
          })
          return undefined
        }
        return {id}
      }
      const id = context.runtime.deriveId(rule, values)
      if (!id.ok) {
        context.problems.push({code: id.problem.code, ...(column === undefined ? {} : {column}), pointer})
        return undefined
      }
      return {id: id.value}
    }
    return {evaluate, constant: false}
  }

  private each(spec: Record<string, unknown>, where: YamlPath, schema: SchemaNodes, fieldPath: string): Node {
    if (!('item' in spec)) {
      this.error(where, 'an "each" needs an item: what each element of the list becomes.')
      return {evaluate: () => undefined, constant: true}
    }
    if (schema.every((node) => node === undefined || node.type !== 'array')) {
      this.error(where, 'an "each" makes a list, but this field is not one.')
    }
    const list = this.value(spec.each, [...where, 'each'], [undefined])
    const inner = new FieldCompiler({...this.scope, inEach: true}, this.error, this.crosswalks, this.heads, this.models)
    const item = inner.node(
      spec.item,
      [...where, 'item'],
      schema.map((node) => node?.items),
      `${fieldPath}[]`,
    )
    return {
      constant: false,
      evaluate: (context, pointer) => {
        const values = list.evaluate(context, pointer)
        if (values === undefined) return undefined
        const out: unknown[] = []
        const saved = context.item
        for (const value of Array.isArray(values) ? values : [values]) {
          context.item = value
          const element = item.evaluate(context, childPointer(pointer, out.length))
          if (element !== undefined) out.push(element)
        }
        context.item = saved
        return out.length > 0 ? out : undefined
      },
    }
  }

  private transforms(
    spec: unknown,
    where: YamlPath,
  ): Array<{name: string; transform: TransformDefinition; params: Record<string, unknown>}> {
    if (spec === undefined) return []
    const steps = Array.isArray(spec) ? spec : [spec]
    return steps.flatMap((step, index) => {
      const at: YamlPath = Array.isArray(spec) ? [...where, index] : where
      let name: string
      let params: unknown
      if (typeof step === 'string') {
        name = step
      } else if (isRecord(step) && Object.keys(step).length === 1) {
        ;[name] = Object.keys(step) as [string]
        params = step[name]
      } else {
        this.error(at, 'a transform is a name (trim) or a name with parameters ({date: {format: YYYY-MM-DD}}).')
        return []
      }
      const resolved = resolveTransformParams(name, params)
      if (!resolved.ok) {
        for (const message of resolved.errors) this.error(at, message)
        return []
      }
      return [{name, transform: resolved.transform, params: resolved.params}]
    })
  }

  private crosswalk(name: unknown, where: YamlPath, schema: SchemaNodes): Crosswalk | undefined {
    if (name === undefined) return undefined
    const crosswalk = this.crosswalks.get(String(name))
    if (!crosswalk) {
      this.error(
        where,
        `no crosswalk "${String(name)}" (crosswalks: ${[...this.crosswalks.keys()].join(', ') || 'none'}).`,
      )
      return undefined
    }
    this.checkValues(crosswalk.values, where, schema, `crosswalk "${crosswalk.name}"`)
    return crosswalk
  }

  private fallback(spec: unknown, where: YamlPath, schema: SchemaNodes, fieldPath: string): Evaluator {
    if (isRecord(spec) && 'config' in spec) return this.value({config: spec.config}, where, schema, fieldPath).evaluate
    this.checkValues([spec], where, schema, 'default')
    return () => spec
  }

  /** Values a template writes into an enum field must be spelt as the standard spells them (in some profile). */
  private checkValues(values: unknown[], where: YamlPath, schema: SchemaNodes, what: string): void {
    const enums = schema
      .map((node) => node?.enum ?? node?.items?.enum)
      .filter((list): list is unknown[] => Array.isArray(list))
    if (enums.length === 0) return
    const allowed = [...new Set(enums.flat())]
    for (const value of values) {
      if (allowed.includes(value)) continue
      const guess = typeof value === 'string' ? closestMatch(value, allowed.map(String)) : undefined
      this.error(
        where,
        `${what} gives ${JSON.stringify(value)}, which is not an SS 12000 value here${guess ? ` (did you mean ${JSON.stringify(guess)}?)` : ''}; allowed: ${allowed.join(', ')}.`,
      )
    }
  }

  private field(path: string): string {
    return path === '' ? this.scope.entity : `${this.scope.entity}.${path}`
  }
}

/**
 * Applies `f` to a value, or to each item of a list (dropping absent results; FAILED stops at the first failure).
 */
function eachValue(value: unknown, f: (item: unknown) => unknown, unique = false): unknown {
  if (!Array.isArray(value)) return f(value)
  const out: unknown[] = []
  for (const item of value) {
    const result = f(item)
    if (result === FAILED) return FAILED
    if (result !== undefined && !(unique && out.includes(result))) out.push(result)
  }
  return out.length > 0 ? out : undefined
}

/** Records a problem with a cell's value at a pointer. */
function report(
  context: RowContext,
  problem: {code: IssueCode; params?: Record<string, string | number>; cause?: RowProblem['cause']},
  column: string | undefined,
  pointer: string,
  text: string | undefined,
): void {
  context.problems.push({
    code: problem.code,
    ...(problem.params === undefined ? {} : {params: problem.params}),
    ...(column === undefined ? {} : {column}),
    pointer,
    ...(text === undefined ? {} : {value: text}),
    ...(problem.cause === undefined ? {} : {cause: problem.cause}),
  })
}

function applyStep(
  step: {transform: TransformDefinition; params: Record<string, unknown>},
  value: unknown,
  context: RowContext,
  pointer: string,
  column: string | undefined,
): unknown {
  return eachValue(value, (item) => {
    const text = item === undefined ? undefined : typeof item === 'string' ? item : describe(item)
    const result = step.transform.apply(text, step.params, context.runtime.transform)
    if (!result.ok) {
      report(context, result.problem, column, pointer, text)
      return FAILED
    }
    if (result.warning) report(context, result.warning, column, pointer, text)
    return result.value
  })
}

function applyCrosswalk(
  crosswalk: Crosswalk,
  value: unknown,
  context: RowContext,
  pointer: string,
  column: string | undefined,
): unknown {
  return eachValue(
    value,
    (item) => {
      const text = describe(item)
      const key = crosswalkKey(text, crosswalk.caseSensitive)
      if (crosswalk.map.has(key)) return crosswalk.map.get(key)
      if (crosswalk.unmapped === 'keep') return item
      if (crosswalk.unmapped === 'absent') return undefined
      const cause = {target: `crosswalk "${crosswalk.name}"`, key: text}
      report(
        context,
        {code: 'mapping.crosswalk-unmapped', params: {crosswalk: crosswalk.name}, cause},
        column,
        pointer,
        text,
      )
      return FAILED
    },
    true,
  )
}

/** `a Person`, `an Organisation`. */
function article(word: string): string {
  return /^[AEIOU]/.test(word) ? 'an' : 'a'
}

function describe(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value)
}

/** Whether a problem stops its row: errors do, warnings are reported and the row goes on. */
export function isRowError(code: keyof typeof CATALOG): boolean {
  return CATALOG[code].severity === 'error'
}

/**
 * A key's values as text (undefined when a part is absent or failed) and the column its first part came from, to
 * place problems with the key.
 */
export function keyValues(
  parts: Evaluator[],
  context: RowContext,
  pointer: string,
): {values: string[] | undefined; column?: string} {
  const values: string[] = []
  const problems = context.problems.length
  let column: string | undefined
  for (const part of parts) {
    const value = part(context, pointer)
    column ??= context.column
    if (value === undefined || context.problems.length > problems) {
      return {values: undefined, ...(column === undefined ? {} : {column})}
    }
    values.push(typeof value === 'string' ? value : describe(value))
  }
  return {values, ...(column === undefined ? {} : {column})}
}

/** Joins key values as ids and lookups do, so lookup keys registered and asked for match. */
export function joinKey(values: readonly string[]): string {
  return values.join(KEY_SEPARATOR)
}

/** The value-spec keys, in the order the README documents them. */
export const VALUE_SPEC_KEYS = {sources: SOURCE_KEYS, modifiers: MODIFIER_KEYS}

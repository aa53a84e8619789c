import {type Static, Type} from '@sinclair/typebox'

import type {Config} from '../config/config.js'
import type {EntityName} from '../schema/entity-names.js'
import {SOURCE_ENCODINGS, type ReaderOptions} from '../sources/types.js'
import type {TransformContext, TransformResult} from '../transforms/types.js'
import type {IssueCode} from '../validation/catalog.js'
import type {IssueCause} from '../validation/issue.js'

/** The template format this toolkit reads. A template says which format it is written in, so the format can evolve. */
export const TEMPLATE_FORMAT = 1
/** The key that holds the format version and marks a YAML file as a mapping template. */
export const FORMAT_KEY = 'ss12000-template'
/** The file a template folder holds. */
export const TEMPLATE_FILE_NAME = 'template.yaml'

const NAME = '^[a-z][a-z0-9]*(?:[-.][a-z0-9]+)*$'
const IDENTIFIER = '^[A-Za-z][A-Za-z0-9_-]*$'
const description = Type.Optional(Type.String({description: 'What this is, for people reading the template.'}))

const ColumnSchema = Type.Union([
  Type.String({minLength: 1}),
  Type.Array(Type.String({minLength: 1}), {minItems: 1}),
  Type.Object(
    {
      headers: Type.Array(Type.String({minLength: 1}), {minItems: 1}),
      optional: Type.Optional(Type.Boolean()),
      description,
    },
    {additionalProperties: false},
  ),
])

const FilterSchema = Type.Object(
  {
    name: Type.Optional(Type.String({pattern: IDENTIFIER})),
    column: Type.String(),
    equals: Type.Optional(Type.String()),
    in: Type.Optional(Type.Array(Type.String(), {minItems: 1})),
    empty: Type.Optional(Type.Boolean()),
    action: Type.Optional(Type.Union([Type.Literal('skip'), Type.Literal('keep')])),
    reason: Type.String({minLength: 1}),
  },
  {additionalProperties: false},
)

const ReaderSchema = Type.Object(
  {
    encoding: Type.Optional(Type.Union(SOURCE_ENCODINGS.map((encoding) => Type.Literal(encoding)))),
    delimiter: Type.Optional(Type.String({minLength: 1, maxLength: 1})),
    sheet: Type.Optional(Type.Union([Type.String({minLength: 1}), Type.Integer({minimum: 1})])),
    headerRow: Type.Optional(Type.Integer({minimum: 1})),
    skipRows: Type.Optional(Type.Integer({minimum: 0})),
  },
  {additionalProperties: false},
)

const InputSchema = Type.Object(
  {
    description,
    files: Type.Optional(Type.Array(Type.String({minLength: 1}), {minItems: 1})),
    optional: Type.Optional(Type.Boolean()),
    reader: Type.Optional(ReaderSchema),
    columns: Type.Record(Type.String(), ColumnSchema),
    filters: Type.Optional(Type.Array(FilterSchema)),
  },
  {additionalProperties: false},
)

const CrosswalkSchema = Type.Object(
  {
    description,
    map: Type.Optional(Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()]))),
    file: Type.Optional(Type.String({minLength: 1})),
    caseSensitive: Type.Optional(Type.Boolean()),
    unmapped: Type.Optional(Type.Union([Type.Literal('error'), Type.Literal('keep'), Type.Literal('absent')])),
  },
  {additionalProperties: false},
)

const OutputSchema = Type.Object(
  {
    description,
    entity: Type.Optional(Type.String()),
    extend: Type.Optional(Type.String()),
    from: Type.Optional(Type.String()),
    id: Type.Optional(Type.Unknown()),
    merge: Type.Optional(Type.Boolean()),
    emit: Type.Optional(Type.Boolean()),
    missing: Type.Optional(Type.Union([Type.Literal('error'), Type.Literal('warn')])),
    lookup: Type.Optional(Type.Record(Type.String(), Type.Array(Type.Unknown(), {minItems: 1}))),
    fields: Type.Record(Type.String(), Type.Unknown()),
  },
  {additionalProperties: false},
)

/** The shape of a template document; the field trees inside outputs are checked by the compiler, with the schema. */
export const TemplateDocumentSchema = Type.Object(
  {
    [FORMAT_KEY]: Type.Literal(TEMPLATE_FORMAT),
    name: Type.String({pattern: NAME}),
    version: Type.String({pattern: '^\\d+\\.\\d+\\.\\d+$'}),
    title: Type.String({minLength: 1}),
    description,
    inputs: Type.Record(Type.String({pattern: IDENTIFIER}), InputSchema),
    crosswalks: Type.Optional(Type.Record(Type.String({pattern: IDENTIFIER}), CrosswalkSchema)),
    outputs: Type.Record(Type.String({pattern: IDENTIFIER}), OutputSchema),
  },
  {additionalProperties: false},
)

export type TemplateDocument = Static<typeof TemplateDocumentSchema>
export type InputDocument = Static<typeof InputSchema>
export type OutputDocument = Static<typeof OutputSchema>
export type CrosswalkDocument = Static<typeof CrosswalkSchema>

// --- What the compiler makes of a template ---------------------------------------------------------------------------

/** A problem found while mapping one row: a catalog code, where in the row and where in the entity. */
export interface RowProblem {
  code: IssueCode
  params?: Record<string, string | number>
  /** The template's column key whose cell the problem is about. */
  column?: string
  /** The JSON pointer in the entity being built. */
  pointer: string
  /** The offending value, shown masked. */
  value?: string
  /** What the value was looked up in and did not find (a lookup's target entity, a crosswalk), for root causes. */
  cause?: IssueCause
}

/** A default from the configuration that filled a field. */
export interface DefaultApplied {
  /** JSON pointer of the field in the entity. */
  pointer: string
  /** The SS 12000 field, e.g. `Person.enrolments[].startDate`. */
  field: string
  /** The configuration setting, e.g. `term.start`. */
  setting: string
  value: string
}

/** What evaluators may consult beyond the row: the user's configuration and the entities made so far. */
export interface MappingRuntime {
  config: Config
  transform: TransformContext
  /** The id registered under an output's lookup key; 'ambiguous' when several entities share the key. */
  lookUp(output: string, lookup: string, key: string): string | 'ambiguous' | undefined
  /** The id an id rule gives a key (deriveId with the configured namespace and secret; remembered, as keys recur). */
  deriveId(rule: Pick<IdRule, 'label' | 'personal'>, key: readonly string[]): TransformResult<string>
}

/** What mapping one row needs to know, and what it collects. */
export interface RowContext {
  runtime: MappingRuntime
  /** The row's cells by header. */
  cells: Readonly<Record<string, string>>
  /** Column key → the header it has in this file (undefined: an optional column the file lacks). */
  headers: Readonly<Record<string, string | undefined>>
  /** Filters that matched and kept the row, by name. */
  flags: ReadonlySet<string>
  /** The current item of an `each`. */
  item: unknown
  /** The template column read last, to place problems of values made from several cells (keys, list items). */
  column: string | undefined
  problems: RowProblem[]
  /** Which column each filled pointer came from, to locate later problems in the row. */
  origins: Array<[pointer: string, column: string]>
  defaults: DefaultApplied[]
  /** How many cells went into values so far: an object none of whose cells had a value is left out. */
  hits: number
}

/** Evaluates one value spec or field tree for a row; undefined means absent. */
export type Evaluator = (context: RowContext, pointer: string) => unknown

/** How an output's ids are made: a label (usually the entity name) and the key's parts. */
export interface IdRule {
  label: string
  personal: boolean
  key: Evaluator[]
}

/** A filter of an input, compiled. */
export interface CompiledFilter {
  name?: string
  column: string
  matches(value: string | undefined): boolean
  action: 'skip' | 'keep'
  reason: string
}

export interface CompiledColumn {
  key: string
  /** Header aliases as written, first the preferred one. */
  headers: string[]
  optional: boolean
}

export interface CompiledInput {
  name: string
  description?: string
  files: string[]
  optional: boolean
  reader: ReaderOptions
  columns: CompiledColumn[]
  filters: CompiledFilter[]
  /** Columns whose values go through a crosswalk: convert records their value domains, for schema drift. */
  crosswalked: string[]
}

export interface CompiledOutput {
  name: string
  description?: string
  entity: EntityName
  /** The input whose rows make this output; undefined for one entity made from constants and configuration. */
  from?: string
  /** The output whose entities this one adds to. */
  extend?: string
  /** The id rule: this output's own, or for an extension the target's rule applied to this output's key. */
  id: IdRule
  /** An id taken verbatim from the data instead of derived. */
  idValue?: Evaluator
  merge: boolean
  /** False for an output that only provides lookups and ids to others: its entities are not written. */
  emit: boolean
  /** An extension whose target no row made: `error` rejects the row, `warn` lets it add nothing, with a warning. */
  missing: 'error' | 'warn'
  lookups: Map<string, Evaluator[]>
  /** Outputs whose entities must exist before this one's rows are mapped: lookup targets and the extended output. */
  dependsOn: string[]
  build: Evaluator
}

export interface CompiledTemplate {
  name: string
  version: string
  title: string
  description?: string
  /** Where the template was loaded from (a file), for messages; `builtin:NAME` parts are not used. */
  path: string
  inputs: CompiledInput[]
  outputs: CompiledOutput[]
}

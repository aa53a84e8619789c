import {REF_KEYWORD} from '../schema/model.js'
import type {ErrorObject} from '../schema/validators.js'
import type {IssueCode} from './catalog.js'
import {childPointer, fieldName, type Issue, type RecordContext, recordIssue} from './issue.js'
import {closestMatch} from './suggest.js'
import {word, type WordKey, WORDS} from '../i18n/words.js'

type SchemaObject = Record<string, unknown>

/**
 * Rewrites ajv's errors for one record into plain-sentence Issues: what is wrong, in SS 12000 field terms, where, and
 * what to do. Unknown fields become warnings. The `if` wrappers of conditional requirements are folded into the
 * requirement they guard.
 */
export function issuesFromSchemaErrors(errors: readonly ErrorObject[], record: RecordContext): Issue[] {
  const issues: Issue[] = []
  for (const error of errors) {
    if (error.keyword === 'if' || error.keyword === 'const') continue
    issues.push(issueFromError(error, errors, record))
  }
  return issues
}

function issueFromError(error: ErrorObject, all: readonly ErrorObject[], record: RecordContext): Issue {
  const {entity} = record
  const at = error.instancePath
  const make = (code: IssueCode, params: Record<string, string | number | undefined>, pointer = at, value?: unknown) =>
    recordIssue(record, code, params, pointer, value)
  const parentSchema = (error.parentSchema ?? {}) as SchemaObject

  switch (error.keyword) {
    case 'required': {
      const missing = String(error.params.missingProperty)
      const pointer = childPointer(at, missing)
      const condition = conditionOf(error, all)
      if (condition) return make('schema.required-when', {condition}, pointer)
      // Point at the object that lacks the field: the field itself has no position.
      return {...make('schema.required', {}, pointer), source: record.locate(at)}
    }
    case 'type': {
      const expected = String(error.params.type)
        .split(',')
        .map((type) => phrase('type', type) ?? type)
        .join(` ${word('or')} `)
      const issue = make('schema.type', {expected}, at, error.data)
      if (parentSchema[REF_KEYWORD] !== undefined && typeof error.data === 'string') {
        issue.hint = word('hint.reference-object', {id: JSON.stringify(error.data)})
      }
      return issue
    }
    case 'format': {
      const format = String(error.params.format)
      const expected = phrase('format', format) ?? word('format.other', {format})
      const issue = make('schema.format', {expected}, at, error.data)
      if (format === 'date-time' && typeof error.data === 'string' && /T\d\d:\d\d(:\d\d(\.\d+)?)?$/.test(error.data)) {
        issue.hint = word('hint.time-offset')
      }
      return issue
    }
    case 'enum': {
      const allowed = (error.params.allowedValues as unknown[]).map(String)
      const suggestion = typeof error.data === 'string' ? closestMatch(error.data, allowed) : undefined
      return make(
        'schema.enum',
        {
          allowed: allowed.join(', '),
          suggestion: suggestion ? word('hint.did-you-mean-value', {suggestion}) : undefined,
        },
        at,
        error.data,
      )
    }
    case 'minItems':
      return make('schema.min-items', {limit: Number(error.params.limit)}, at)
    case 'uniqueItems':
      return make('schema.unique-items', {}, at, error.data)
    case 'minimum':
    case 'maximum':
      return make(
        'schema.range',
        {
          comparison: word(error.keyword === 'minimum' ? 'range.minimum' : 'range.maximum'),
          limit: Number(error.params.limit),
        },
        at,
        error.data,
      )
    case 'pattern':
      return make('schema.pattern', {pattern: String(error.params.pattern)}, at, error.data)
    case 'additionalProperties': {
      const extra = String(error.params.additionalProperty)
      const known = Object.keys((parentSchema.properties ?? {}) as SchemaObject)
      const suggestion = closestMatch(extra, known)
      return make(
        'schema.unknown-field',
        {
          parent: fieldName(entity, at),
          suggestion: suggestion ? word('hint.did-you-mean-field', {suggestion}) : undefined,
        },
        childPointer(at, extra),
      )
    }
    default:
      return make('schema.other', {detail: error.message ?? error.keyword}, at, error.data)
  }
}

/** For a `required` error inside an if/then, the condition in words: `schoolType is "GY"`. */
function conditionOf(error: ErrorObject, all: readonly ErrorObject[]): string | undefined {
  const thenAt = error.schemaPath.lastIndexOf('/then/')
  if (thenAt < 0) return undefined
  const ifPath = `${error.schemaPath.slice(0, thenAt)}/if`
  const guard = all.find((candidate) => candidate.keyword === 'if' && candidate.schemaPath === ifPath)
  const ifSchema = (guard?.parentSchema as SchemaObject | undefined)?.if as SchemaObject | undefined
  const properties = (ifSchema?.properties ?? {}) as Record<string, {const?: unknown}>
  const parts = Object.entries(properties).map(([name, schema]) =>
    word('condition.is', {name, value: JSON.stringify(schema.const)}),
  )
  return parts.length > 0 ? parts.join(` ${word('and')} `) : word('condition.other')
}

/** The phrase for a JSON type or format name the word list has (`a whole number`), else undefined. */
function phrase(kind: 'type' | 'format', name: string): string | undefined {
  const key = `${kind}.${name}`
  return name !== 'other' && Object.hasOwn(WORDS.en, key) ? word(key as WordKey) : undefined
}

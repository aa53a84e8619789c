import type {ErrorObject} from 'ajv'
import {type Document, isMap, isScalar, isSeq, LineCounter, parseDocument} from 'yaml'

import {UsageError} from '../errors.js'

/** A path into a YAML document: mapping keys and sequence indexes. */
export type YamlPath = ReadonlyArray<string | number>

/**
 * A YAML file parsed with positions kept, so that every complaint about a setting can name the file, line and column
 * where it is written. Used by the configuration file and the mapping templates, which users edit by hand.
 */
export interface LocatedYaml {
  /** The plain JavaScript value of the document. */
  value: unknown
  /** `file:line:col` of the node at `path` (the key of a mapping entry, or the sequence item), or of its nearest parent. */
  where(path: YamlPath): string
}

/**
 * Parses YAML text. A syntax error is a UsageError at its position; `path` names the file in messages.
 */
export function parseLocatedYaml(text: string, path: string): LocatedYaml {
  const lines = new LineCounter()
  const document = parseDocument(text, {lineCounter: lines, prettyErrors: false, uniqueKeys: true})
  const at = (offset: number | undefined) => {
    if (offset === undefined) return path
    const {line, col} = lines.linePos(offset)
    return `${path}:${line}:${col}`
  }
  const [syntax] = document.errors
  if (syntax) throw new UsageError(`${at(syntax.pos[0])}: ${syntax.message.split('\n')[0]}`)
  return {value: document.toJS() as unknown, where: (located) => at(offsetOf(document, located))}
}

/** Where a setting is written: the key of a mapping entry, or the item of a list. */
function offsetOf(document: Document, path: YamlPath): number | undefined {
  let node: unknown = document.contents
  let offset: number | undefined = (node as {range?: number[]} | null)?.range?.[0]
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment))
      if (!pair) return offset
      offset = (pair.key as {range?: number[]}).range?.[0] ?? offset
      node = pair.value
    } else if (isSeq(node)) {
      node = node.items[Number(segment)]
      offset = (node as {range?: number[]} | undefined)?.range?.[0] ?? offset
    } else {
      return offset
    }
  }
  return offset
}

/** One schema problem of a hand-written YAML file, as the place it is about and what is wrong there. */
export interface LocatedSchemaError {
  /** The path of the setting to point at: an unknown setting itself, not the mapping that holds it. */
  path: string[]
  /** `unknown setting`, `missing setting "x"`, or ajv's message. */
  detail: string
}

/**
 * The one ajv error worth showing for a hand-written file: a misspelt setting also shows up as a missing one, and the
 * misspelling is the one to point at.
 */
export function pickSchemaError(errors: readonly ErrorObject[]): LocatedSchemaError {
  const error = errors.find((candidate) => candidate.keyword === 'additionalProperties') ?? errors[0]!
  const segments = error.instancePath
    .split('/')
    .slice(1)
    .map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'))
  if (error.keyword === 'additionalProperties') {
    return {path: [...segments, String(error.params.additionalProperty)], detail: 'unknown setting'}
  }
  if (error.keyword === 'required') {
    return {path: segments, detail: `missing setting "${String(error.params.missingProperty)}"`}
  }
  if (error.keyword === 'enum') {
    const allowed = (error.params.allowedValues as unknown[]).map((value) => JSON.stringify(value)).join(', ')
    return {path: segments, detail: `must be one of ${allowed}`}
  }
  return {path: segments, detail: error.message ?? error.keyword}
}

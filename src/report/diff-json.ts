import type {DiffDetail, DiffSummary} from '../diff/engine.js'

/**
 * A diff as one JSON document, streamed: the summary's fields (as `JSON.stringify(summary, null, 2)` lays them out),
 * then `details`, one detail per line. It parses to the `DiffResult` that `diff` returns, the shape `--json` prints:
 *
 * ```
 * {left, right: {spec, kind, description, scope?, batch?, source?, path?, records: {Person: 30, …}},
 *  match: 'id' | 'civicNo' | …, matchedEntity?, ignore: [paths], masked, equal, warnings: [text], detailCount,
 *  entities: {Person: {left, right, onlyLeft, onlyRight, changed, same, fields: {emails: 2}, match?: {by, matched,
 *    ambiguousLeft, ambiguousRight, unmatchedLeft, unmatchedRight, withoutKeyLeft, withoutKeyRight}}, …},
 *  details: [{entity, kind: 'changed' | 'only-left' | 'only-right' | 'ambiguous-left' | 'ambiguous-right',
 *    leftId?, rightId?, key?, label?, changes: [{path, left?, right?, itemsOnlyLeft?, itemsOnlyRight?}]}, …]}
 * ```
 */
export function* renderDiffJson(summary: DiffSummary, details: Iterable<DiffDetail>): Generator<string> {
  const head = JSON.stringify(summary, null, 2)
  // The summary without its closing brace, so that details follow as its last field.
  yield `${head.slice(0, head.lastIndexOf('}')).trimEnd()},\n  "details": [`
  let first = true
  for (const detail of details) {
    yield `${first ? '' : ','}\n    ${JSON.stringify(detail)}`
    first = false
  }
  yield first ? ']\n}\n' : '\n  ]\n}\n'
}

import type {DiffChange, DiffDetail, DiffResult, DiffSummary, EntityDiff, MatchReport} from '../diff/engine.js'
import type {EntityName} from '../schema/entity-names.js'
import {formatCount as n, plural, table} from './issue-groups-text.js'

/** Values longer than this are cut with an ellipsis: the text report is for reading; json and csv have them whole. */
const VALUE_WIDTH = 100
/** How many changed fields the summary names per type before "+N more". */
const MOST_CHANGED = 3

/** The human rendering of a whole diff result (small diffs; `renderDiffText` streams the same text). */
export function renderDiffResult(result: DiffResult): string {
  return [...renderDiffText(result, result.details)].join('').trimEnd()
}

/**
 * The human rendering of a diff, line by line so that a large one streams: what was compared, a table per entity
 * type (records per side, only left, only right, changed, same, the fields that differ most), the match report when
 * matching by key, then every record that differs with its fields as `path  left → right`, warnings, and the verdict.
 */
export function* renderDiffText(summary: DiffSummary, details: Iterable<DiffDetail>): Generator<string> {
  for (const line of renderDiffSummary(summary)) yield `${line}\n`
  let entity: EntityName | undefined
  for (const detail of details) {
    if (detail.entity !== entity) {
      entity = detail.entity
      yield `\n${entity}:\n`
    }
    for (const line of renderDetail(detail)) yield `${line}\n`
  }
  yield '\n'
  if (summary.warnings.length > 0) {
    yield `${plural(summary.warnings.length, 'warning')}:\n`
    for (const warning of summary.warnings) yield `  ⚠ ${warning}\n`
    yield '\n'
  }
  yield `${verdict(summary)}\n`
}

/** The head of the report: the sides, the match, the per-type table and the match report. */
export function renderDiffSummary(summary: DiffSummary): string[] {
  const how = summary.match === 'id' ? 'by id' : `${summary.matchedEntity} by ${summary.match}, the rest by id`
  const lines = [
    `Left:  ${summary.left.description}`,
    `Right: ${summary.right.description}`,
    `Records paired ${how}` +
      (summary.ignore.length > 0 ? `; ignoring ${summary.ignore.join(', ')}` : '') +
      (summary.masked ? '; personnummer masked (--reveal shows them)' : '') +
      '.',
    '',
  ]
  const entities = Object.entries(summary.entities) as Array<[EntityName, EntityDiff]>
  if (entities.length === 0) {
    lines.push('Neither side holds any records to compare.')
    return lines
  }
  const fieldsDiffer = entities.some(([, entity]) => Object.keys(entity.fields).length > 0)
  const rows = [
    [
      '',
      'left',
      'right',
      'only left',
      'only right',
      'changed',
      'same',
      ...(fieldsDiffer ? ['fields that differ'] : []),
    ],
  ]
  for (const [name, entity] of entities) {
    rows.push([
      name,
      n(entity.left),
      n(entity.right),
      n(entity.onlyLeft),
      n(entity.onlyRight),
      n(entity.changed),
      n(entity.same),
      ...(fieldsDiffer ? [mostChanged(entity.fields)] : []),
    ])
  }
  lines.push(...table(rows, new Set([0, 7])).map((line) => `  ${line}`))
  for (const [name, entity] of entities) {
    if (entity.match !== undefined) lines.push('', renderMatchReport(name, entity.match))
  }
  return lines
}

/** `Person by civicNo: 27 matched; ambiguous 1 left, 2 right; unmatched 1 left (1 without civicNo), 2 right.` */
function renderMatchReport(entity: EntityName, match: MatchReport): string {
  const parts = [`${n(match.matched)} matched`]
  if (match.ambiguousLeft + match.ambiguousRight > 0) {
    parts.push(`ambiguous ${n(match.ambiguousLeft)} left, ${n(match.ambiguousRight)} right`)
  }
  const without = (count: number) => (count > 0 ? ` (${n(count)} without ${match.by})` : '')
  parts.push(
    `unmatched ${n(match.unmatchedLeft)} left${without(match.withoutKeyLeft)}, ` +
      `${n(match.unmatchedRight)} right${without(match.withoutKeyRight)}`,
  )
  return `${entity} by ${match.by}: ${parts.join('; ')}.`
}

/** `emails 30, givenName 7, +2 more`: the fields that differ in most pairs first. */
function mostChanged(fields: Record<string, number>): string {
  const entries = Object.entries(fields).sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))
  const shown = entries.slice(0, MOST_CHANGED).map(([field, count]) => `${field} ${n(count)}`)
  const more = entries.length - shown.length
  return `${shown.join(', ')}${more > 0 ? `, +${n(more)} more` : ''}`
}

const KIND_TEXT: Record<DiffDetail['kind'], string> = {
  changed: 'changed',
  'only-left': 'only left',
  'only-right': 'only right',
  'ambiguous-left': 'ambiguous, left',
  'ambiguous-right': 'ambiguous, right',
}
const KIND_MARK: Record<DiffDetail['kind'], string> = {
  changed: '~',
  'only-left': '-',
  'only-right': '+',
  'ambiguous-left': '?',
  'ambiguous-right': '?',
}

/**
 * One record: `~ 1c9b3a5f-… → 7d0e… "Alva Ek" [20110407-****]: changed 2 fields`, then one line per field:
 * `    givenName  "Alva" → "Alva Maria"`; a field only one side has shows `(absent)` on the other.
 */
function renderDetail(detail: DiffDetail): string[] {
  const ids =
    detail.leftId !== undefined && detail.rightId !== undefined && detail.leftId !== detail.rightId
      ? `${detail.leftId} → ${detail.rightId}`
      : (detail.leftId ?? detail.rightId ?? '')
  const about = [
    ids,
    ...(detail.label === undefined ? [] : [JSON.stringify(detail.label)]),
    ...(detail.key === undefined ? [] : [`[${detail.key}]`]),
  ].join(' ')
  const what = detail.kind === 'changed' ? `changed ${plural(detail.changes.length, 'field')}` : KIND_TEXT[detail.kind]
  const lines = [`  ${KIND_MARK[detail.kind]} ${about}: ${what}`]
  if (detail.changes.length === 0) return lines
  const width = Math.max(...detail.changes.map((change) => change.path.length))
  for (const change of detail.changes) {
    lines.push(`      ${change.path.padEnd(width)}  ${describeChange(change)}`)
    const indent = `      ${' '.repeat(width)}    `
    for (const item of change.itemsOnlyLeft ?? []) lines.push(`${indent}- ${formatValue(item)}`)
    for (const item of change.itemsOnlyRight ?? []) lines.push(`${indent}+ ${formatValue(item)}`)
  }
  return lines
}

function describeChange(change: DiffChange): string {
  const left = change.left === undefined ? '(absent)' : formatValue(change.left)
  const right = change.right === undefined ? '(absent)' : formatValue(change.right)
  if (change.itemsOnlyLeft !== undefined && change.itemsOnlyRight !== undefined) {
    const onlyLeft = change.itemsOnlyLeft.length
    const onlyRight = change.itemsOnlyRight.length
    if (onlyLeft > 0 && onlyRight > 0) return `${plural(onlyLeft, 'item')} only left, ${n(onlyRight)} only right`
    if (onlyLeft > 0) return `${plural(onlyLeft, 'item')} only left`
    if (onlyRight > 0) return `${plural(onlyRight, 'item')} only right`
  }
  // Equal once masked: the difference lies in the digits masking hides.
  if (left === right) return `${left} → ${right} (differs in masked digits; --reveal shows it)`
  return `${left} → ${right}`
}

/** A value as JSON, cut to VALUE_WIDTH; a long array says first how many items it has. */
function formatValue(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value)
  if (text.length <= VALUE_WIDTH) return text
  const count = Array.isArray(value) ? `${plural(value.length, 'item')}: ` : ''
  return `${count}${text.slice(0, VALUE_WIDTH - count.length - 1)}…`
}

function verdict(summary: DiffSummary): string {
  if (summary.equal) return 'No differences: the two sides hold the same records.'
  const totals = {changed: 0, onlyLeft: 0, onlyRight: 0, ambiguous: 0}
  for (const entity of Object.values(summary.entities)) {
    totals.changed += entity.changed
    totals.onlyLeft += entity.onlyLeft
    totals.onlyRight += entity.onlyRight
    totals.ambiguous += (entity.match?.ambiguousLeft ?? 0) + (entity.match?.ambiguousRight ?? 0)
  }
  const parts = [
    `${n(totals.changed)} changed`,
    `${n(totals.onlyLeft)} only left`,
    `${n(totals.onlyRight)} only right`,
    ...(totals.ambiguous > 0 ? [`${n(totals.ambiguous)} ambiguous`] : []),
  ]
  return `Differences: ${parts.join(', ')}. Exit code 1.`
}

import type {DiffChange, DiffDetail, DiffSummary, EntityDiff, MatchReport} from '../diff/engine.js'
import type {EntityName} from '../schema/entity-names.js'
import {
  formatCount as n,
  type Html,
  htmlContext,
  plural,
  renderPage,
  summaryCards,
  tableEnd,
  tableGroup,
  tableStart,
} from './html/index.js'

export {escapeHtml} from './html/index.js'

/**
 * A diff as one self-contained HTML page (src/report/html): what was compared, summary cards, the summary per entity
 * type, the match report, and a table per type with a group of rows per record (one row per field that differs, left
 * and right side by side). With JavaScript each table gets a search box and a kind filter. Every value is escaped,
 * and masked as the diff masked it (and once more by the page unless revealed). Streamed chunk by chunk, so a large
 * diff is written without being held.
 */
export function* renderDiffHtml(summary: DiffSummary, details: Iterable<DiffDetail>): Generator<string> {
  const h = htmlContext({reveal: !summary.masked})
  const how =
    summary.match === 'id'
      ? 'by id'
      : `${h.text(summary.matchedEntity ?? '')} by ${h.text(summary.match)}, every other type by id`
  const facts: Array<[string, string]> = [
    ['Left', `${h.code(summary.left.spec)} ${h.text(summary.left.description)}`],
    ['Right', `${h.code(summary.right.spec)} ${h.text(summary.right.description)}`],
    ['Paired', how],
  ]
  if (summary.ignore.length > 0) facts.push(['Ignored', summary.ignore.map((path) => h.code(path)).join(', ')])
  yield* renderPage(
    h,
    {
      title: `ss12000 diff: ${summary.left.spec} ↔ ${summary.right.spec}`,
      heading: 'ss12000 diff',
      facts,
      verdict: {text: verdict(summary), tone: summary.equal ? 'ok' : 'warn'},
    },
    body(h, summary, details),
  )
}

function* body(h: Html, summary: DiffSummary, details: Iterable<DiffDetail>): Generator<string> {
  yield* summarySection(h, summary)
  yield '<section id="details">\n<h2>Details</h2>\n'
  let entity: EntityName | undefined
  for (const detail of details) {
    if (detail.entity !== entity) {
      if (entity !== undefined) yield `${tableEnd({grouped: true})}</section>\n`
      entity = detail.entity
      yield entityHead(h, entity, summary.entities[entity])
    }
    yield recordRows(h, detail)
  }
  if (entity === undefined) yield '<p>No record differs.</p>\n'
  else yield `${tableEnd({grouped: true})}</section>\n`
  yield '</section>\n'
}

function* summarySection(h: Html, summary: DiffSummary): Generator<string> {
  yield '<section id="summary">\n<h2>Summary</h2>\n'
  const entities = Object.entries(summary.entities) as Array<[EntityName, EntityDiff]>
  const sum = (count: (entity: EntityDiff) => number) => entities.reduce((acc, [, entity]) => acc + count(entity), 0)
  yield summaryCards(h, [
    {metric: 'changed', label: 'changed', value: sum((entity) => entity.changed), tone: 'warn'},
    {metric: 'only-left', label: 'only left', value: sum((entity) => entity.onlyLeft), tone: 'bad'},
    {metric: 'only-right', label: 'only right', value: sum((entity) => entity.onlyRight), tone: 'ok'},
    {metric: 'ambiguous', label: 'ambiguous', value: sum((entity) => ambiguousCount(entity.match)), tone: 'warn'},
    {metric: 'same', label: 'same', value: sum((entity) => entity.same)},
  ])
  if (entities.length === 0) {
    yield '<p>Neither side holds any records to compare.</p>\n'
  } else {
    yield '<table class="summary">\n<thead><tr><th scope="col">entity</th><th scope="col">left</th><th scope="col">right</th>'
    yield '<th scope="col">only left</th><th scope="col">only right</th><th scope="col">changed</th><th scope="col">same</th>'
    yield '<th scope="col">fields that differ</th></tr></thead>\n<tbody>\n'
    for (const [name, entity] of entities) {
      const differs = entity.onlyLeft + entity.onlyRight + entity.changed + ambiguousCount(entity.match) > 0
      const link = differs ? `<a href="#entity-${name}">${name}</a>` : name
      const fields = Object.entries(entity.fields)
        .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))
        .map(([field, count]) => `${h.text(field)} ${n(count)}`)
        .join(', ')
      yield `<tr${differs ? ' class="differs"' : ''}><th scope="row">${link}</th>${[
        entity.left,
        entity.right,
        entity.onlyLeft,
        entity.onlyRight,
        entity.changed,
        entity.same,
      ]
        .map((count) => `<td class="num">${n(count)}</td>`)
        .join('')}<td>${fields}</td></tr>\n`
    }
    yield '</tbody>\n</table>\n'
  }
  const matched = entities.filter(([, entity]) => entity.match !== undefined)
  for (const [name, entity] of matched) yield matchTable(h, name, entity.match!)
  if (summary.warnings.length > 0) {
    yield `<h3>${plural(summary.warnings.length, 'warning')}</h3>\n<ul class="warnings">\n`
    for (const warning of summary.warnings) yield `<li>${h.text(warning)}</li>\n`
    yield '</ul>\n'
  }
  yield '</section>\n'
}

function matchTable(h: Html, entity: EntityName, match: MatchReport): string {
  const rows: Array<[string, number, number]> = [
    ['ambiguous', match.ambiguousLeft, match.ambiguousRight],
    ['unmatched', match.unmatchedLeft, match.unmatchedRight],
    [`of them without ${match.by}`, match.withoutKeyLeft, match.withoutKeyRight],
  ]
  return (
    `<h3>${h.text(entity)} matched by ${h.text(match.by)}: ${n(match.matched)} pairs</h3>\n` +
    '<table class="match">\n<thead><tr><th scope="col"></th><th scope="col">left</th><th scope="col">right</th></tr></thead>\n<tbody>\n' +
    rows
      .map(
        ([what, left, right]) =>
          `<tr><th scope="row">${h.text(what)}</th><td class="num">${n(left)}</td><td class="num">${n(right)}</td></tr>\n`,
      )
      .join('') +
    '</tbody>\n</table>\n'
  )
}

const KINDS: Array<[DiffDetail['kind'], string]> = [
  ['changed', 'changed'],
  ['only-left', 'only left'],
  ['only-right', 'only right'],
  ['ambiguous-left', 'ambiguous, left'],
  ['ambiguous-right', 'ambiguous, right'],
]
const KIND_TEXT = new Map(KINDS)

function entityHead(h: Html, entity: EntityName, counts: EntityDiff | undefined): string {
  const records =
    counts === undefined ? 0 : counts.onlyLeft + counts.onlyRight + counts.changed + ambiguousCount(counts.match)
  return (
    `<section class="entity" id="entity-${entity}">\n<h3>${entity} <small>${plural(records, 'record')} differ${records === 1 ? 's' : ''}</small></h3>\n` +
    tableStart(h, {
      id: `details-${entity}`,
      className: 'details',
      grouped: true,
      noun: `${entity} records`,
      filters: [{key: 'kind', label: 'kind', options: KINDS}],
      columns: ['kind', 'left id', 'right id', 'key', 'name', 'field', 'left', 'right'].map((label) => ({label})),
    })
  )
}

/** One record as a tbody of its own (the unit the filter shows or hides): its cells span its field rows. */
function recordRows(h: Html, detail: DiffDetail): string {
  const span = Math.max(1, detail.changes.length)
  const spanned = (html: string, cls = '') =>
    `<td${span > 1 ? ` rowspan="${span}"` : ''}${cls === '' ? '' : ` class="${cls}"`}>${html}</td>`
  const record =
    spanned(h.text(KIND_TEXT.get(detail.kind) ?? detail.kind), 'kind') +
    spanned(h.code(detail.leftId), 'id') +
    spanned(h.code(detail.rightId), 'id') +
    spanned(h.text(detail.key ?? '')) +
    spanned(h.text(detail.label ?? ''))
  const fields =
    detail.changes.length === 0
      ? ['<td></td><td></td><td></td>']
      : detail.changes.map((change) => changeCells(h, change))
  const rows = fields.map((cells, index) => `<tr>${index === 0 ? record : ''}${cells}</tr>`)
  return tableGroup(h, rows, {kind: detail.kind}, detail.kind)
}

function changeCells(h: Html, change: DiffChange): string {
  const side = (value: unknown, items: unknown[] | undefined, mark: string) => {
    if (value === undefined) return '<td class="absent">(absent)</td>'
    const list =
      items !== undefined && items.length > 0
        ? `<ul class="items">${items.map((item) => `<li>${mark} ${h.code(JSON.stringify(item))}</li>`).join('')}</ul>`
        : ''
    return `<td>${h.code(JSON.stringify(value))}${list}</td>`
  }
  return (
    `<td><code>${h.text(change.path)}</code></td>` +
    side(change.left, change.itemsOnlyLeft, '−') +
    side(change.right, change.itemsOnlyRight, '+')
  )
}

function ambiguousCount(match: MatchReport | undefined): number {
  return match === undefined ? 0 : match.ambiguousLeft + match.ambiguousRight
}

function verdict(summary: DiffSummary): string {
  if (summary.equal) return 'No differences: the two sides hold the same records.'
  let changed = 0
  let onlyLeft = 0
  let onlyRight = 0
  let ambiguous = 0
  for (const entity of Object.values(summary.entities)) {
    changed += entity.changed
    onlyLeft += entity.onlyLeft
    onlyRight += entity.onlyRight
    ambiguous += ambiguousCount(entity.match)
  }
  return (
    `Differences: ${n(changed)} changed, ${n(onlyLeft)} only left, ${n(onlyRight)} only right` +
    (ambiguous > 0 ? `, ${n(ambiguous)} ambiguous.` : '.')
  )
}

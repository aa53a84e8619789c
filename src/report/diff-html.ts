import type {DiffChange, DiffDetail, DiffSummary, EntityDiff, MatchReport} from '../diff/engine.js'
import type {EntityName} from '../schema/entity-names.js'
import {formatCount as n, plural} from './issue-groups-text.js'

/**
 * A diff as one self-contained HTML file that opens in any browser, offline: inline CSS, no external asset, and a
 * Content-Security-Policy that lets the page load nothing from anywhere. Without JavaScript it is complete — what was
 * compared, the summary per entity type, the match report, and a table per type with a group of rows per record
 * (one row per field that differs). With JavaScript, a small inline script adds a search box and a kind filter to each
 * table. Every value is HTML-escaped; the script holds no data. Values come masked as the diff masked them. Streamed
 * chunk by chunk, so a large diff is written without being held.
 */
export function* renderDiffHtml(summary: DiffSummary, details: Iterable<DiffDetail>): Generator<string> {
  const title = `ss12000 diff: ${summary.left.spec} ↔ ${summary.right.spec}`
  yield `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
`
  yield* header(summary)
  yield* summarySection(summary)
  yield '<section id="details">\n<h2>Details</h2>\n'
  let entity: EntityName | undefined
  for (const detail of details) {
    if (detail.entity !== entity) {
      if (entity !== undefined) yield '</table>\n</section>\n'
      entity = detail.entity
      yield entityHead(entity, summary.entities[entity])
    }
    yield recordRows(detail)
  }
  if (entity === undefined) yield '<p>No record differs.</p>\n'
  else yield '</table>\n</section>\n'
  yield `</section>\n<script>${SCRIPT}</script>\n</body>\n</html>\n`
}

function* header(summary: DiffSummary): Generator<string> {
  const how =
    summary.match === 'id'
      ? 'by id'
      : `${escapeHtml(summary.matchedEntity ?? '')} by ${escapeHtml(summary.match)}, every other type by id`
  yield '<header>\n<h1>ss12000 diff</h1>\n<dl class="sides">\n'
  yield `<dt>Left</dt><dd><code>${escapeHtml(summary.left.spec)}</code> ${escapeHtml(summary.left.description)}</dd>\n`
  yield `<dt>Right</dt><dd><code>${escapeHtml(summary.right.spec)}</code> ${escapeHtml(summary.right.description)}</dd>\n`
  yield `<dt>Paired</dt><dd>${how}</dd>\n`
  if (summary.ignore.length > 0) {
    yield `<dt>Ignored</dt><dd>${summary.ignore.map((path) => `<code>${escapeHtml(path)}</code>`).join(', ')}</dd>\n`
  }
  yield `<dt>Personnummer</dt><dd>${summary.masked ? 'masked (--reveal shows them)' : 'shown (--reveal)'}</dd>\n</dl>\n`
  yield `<p class="verdict ${summary.equal ? 'equal' : 'differ'}">${escapeHtml(verdict(summary))}</p>\n</header>\n`
}

function* summarySection(summary: DiffSummary): Generator<string> {
  yield '<section id="summary">\n<h2>Summary</h2>\n'
  const entities = Object.entries(summary.entities) as Array<[EntityName, EntityDiff]>
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
        .map(([field, count]) => `${escapeHtml(field)} ${n(count)}`)
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
  for (const [name, entity] of matched) yield matchTable(name, entity.match!)
  if (summary.warnings.length > 0) {
    yield `<h3>${plural(summary.warnings.length, 'warning')}</h3>\n<ul class="warnings">\n`
    for (const warning of summary.warnings) yield `<li>${escapeHtml(warning)}</li>\n`
    yield '</ul>\n'
  }
  yield '</section>\n'
}

function matchTable(entity: EntityName, match: MatchReport): string {
  const rows: Array<[string, number, number]> = [
    ['ambiguous', match.ambiguousLeft, match.ambiguousRight],
    ['unmatched', match.unmatchedLeft, match.unmatchedRight],
    [`of them without ${match.by}`, match.withoutKeyLeft, match.withoutKeyRight],
  ]
  return (
    `<h3>${escapeHtml(entity)} matched by ${escapeHtml(match.by)}: ${n(match.matched)} pairs</h3>\n` +
    '<table class="match">\n<thead><tr><th scope="col"></th><th scope="col">left</th><th scope="col">right</th></tr></thead>\n<tbody>\n' +
    rows
      .map(
        ([what, left, right]) =>
          `<tr><th scope="row">${escapeHtml(what)}</th><td class="num">${n(left)}</td><td class="num">${n(right)}</td></tr>\n`,
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

function entityHead(entity: EntityName, counts: EntityDiff | undefined): string {
  const records =
    counts === undefined ? 0 : counts.onlyLeft + counts.onlyRight + counts.changed + ambiguousCount(counts.match)
  const options = KINDS.map(([kind, text]) => `<option value="${kind}">${text}</option>`).join('')
  return (
    `<section class="entity" id="entity-${entity}">\n<h3>${entity} <small>${plural(records, 'record')} differ${records === 1 ? 's' : ''}</small></h3>\n` +
    `<div class="controls" hidden><input type="search" placeholder="Filter ${entity} records…" aria-label="Filter ${entity} records">` +
    `<select aria-label="Kind"><option value="">every kind</option>${options}</select> <span class="shown"></span></div>\n` +
    '<table class="details">\n<thead><tr><th scope="col">kind</th><th scope="col">left id</th><th scope="col">right id</th>' +
    '<th scope="col">key</th><th scope="col">name</th><th scope="col">field</th><th scope="col">left</th><th scope="col">right</th></tr></thead>\n'
  )
}

/** One record as a tbody of its own (the unit the filter shows or hides): its cells span its field rows. */
function recordRows(detail: DiffDetail): string {
  const span = Math.max(1, detail.changes.length)
  const spanned = (html: string, cls = '') =>
    `<td${span > 1 ? ` rowspan="${span}"` : ''}${cls === '' ? '' : ` class="${cls}"`}>${html}</td>`
  const record =
    spanned(escapeHtml(KIND_TEXT.get(detail.kind) ?? detail.kind), 'kind') +
    spanned(code(detail.leftId), 'id') +
    spanned(code(detail.rightId), 'id') +
    spanned(escapeHtml(detail.key ?? '')) +
    spanned(escapeHtml(detail.label ?? ''))
  const fields = detail.changes.length === 0 ? ['<td></td><td></td><td></td>'] : detail.changes.map(changeCells)
  const rows = fields.map((cells, index) => `<tr>${index === 0 ? record : ''}${cells}</tr>`).join('\n')
  return `<tbody class="${detail.kind}" data-kind="${detail.kind}">\n${rows}\n</tbody>\n`
}

function changeCells(change: DiffChange): string {
  const side = (value: unknown, items: unknown[] | undefined, mark: string) => {
    if (value === undefined) return '<td class="absent">(absent)</td>'
    const list =
      items !== undefined && items.length > 0
        ? `<ul class="items">${items.map((item) => `<li>${mark} ${code(JSON.stringify(item))}</li>`).join('')}</ul>`
        : ''
    return `<td>${code(JSON.stringify(value))}${list}</td>`
  }
  return (
    `<td><code>${escapeHtml(change.path)}</code></td>` +
    side(change.left, change.itemsOnlyLeft, '−') +
    side(change.right, change.itemsOnlyRight, '+')
  )
}

function code(text: string | undefined): string {
  return text === undefined ? '' : `<code>${escapeHtml(text)}</code>`
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

const ESCAPES: Record<string, string> = {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}

/** Text as HTML text or attribute value: the five characters that could end or open markup, as entities. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char]!)
}

const STYLE = `
:root{color-scheme:light dark;--line:#c8c8c8;--muted:#666;--changed:#fff4d6;--left:#fde4e4;--right:#e2f5e4;--ambiguous:#ece4fb}
@media (prefers-color-scheme:dark){:root{--line:#555;--muted:#aaa;--changed:#4a3f1e;--left:#4d2626;--right:#1f4226;--ambiguous:#3a2f55}}
[hidden]{display:none!important}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:1.5rem;max-width:110rem}
h1{font-size:1.5rem;margin:0 0 .5rem}h2{font-size:1.25rem;margin:2rem 0 .5rem}h3{font-size:1.05rem;margin:1.5rem 0 .5rem}
h3 small{font-weight:normal;color:var(--muted)}
dl.sides{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:0}dl.sides dt{font-weight:600}dl.sides dd{margin:0}
.verdict{font-weight:600;padding:.5rem .75rem;border-radius:4px}.verdict.equal{background:var(--right)}.verdict.differ{background:var(--changed)}
table{border-collapse:collapse;margin:.25rem 0 1rem}th,td{border:1px solid var(--line);padding:.25rem .5rem;text-align:left;vertical-align:top}
thead th{position:sticky;top:0;background:Canvas}td.num{text-align:right;font-variant-numeric:tabular-nums}
tr.differs th{font-weight:700}
table.details{width:100%}table.details td{word-break:break-word}table.details td.id{white-space:nowrap}
tbody.changed td.kind{background:var(--changed)}tbody.only-left td.kind{background:var(--left)}tbody.only-right td.kind{background:var(--right)}
tbody.ambiguous-left td.kind,tbody.ambiguous-right td.kind{background:var(--ambiguous)}
td.absent{color:var(--muted);font-style:italic}
code{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
ul.items{margin:.25rem 0 0;padding-left:1rem}ul.warnings{padding-left:1.25rem}
.controls{margin:.25rem 0}.controls input{min-width:20rem;padding:.2rem .4rem}.controls .shown{color:var(--muted)}
@media print{.controls{display:none!important}thead th{position:static}}
`

/** The filter: per table, a search over each record's text and a kind choice. It reads the page; it holds no data. */
const SCRIPT = `
(function () {
  document.querySelectorAll('section.entity').forEach(function (section) {
    var controls = section.querySelector('.controls')
    var search = controls.querySelector('input')
    var kind = controls.querySelector('select')
    var shown = controls.querySelector('.shown')
    var records = Array.prototype.slice.call(section.querySelectorAll('table.details > tbody'))
    var texts = records.map(function (record) { return record.textContent.toLowerCase() })
    function apply() {
      var query = search.value.trim().toLowerCase()
      var count = 0
      records.forEach(function (record, index) {
        var show = (!kind.value || record.dataset.kind === kind.value) && (!query || texts[index].indexOf(query) >= 0)
        record.hidden = !show
        if (show) count++
      })
      shown.textContent = count + ' of ' + records.length + ' shown'
    }
    search.addEventListener('input', apply)
    kind.addEventListener('change', apply)
    controls.hidden = false
    apply()
  })
})()
`

import {formatCount, type Html} from './escape.js'

/** What the top of a report says: its title, a few facts about the run, and the verdict. */
export interface PageHead {
  /** The browser tab's title and the page's heading (text, escaped here). */
  title: string
  heading: string
  /** Facts as label → HTML (already escaped by the caller). */
  facts: Array<[string, string]>
  verdict: {text: string; tone: Tone}
}

export type Tone = 'ok' | 'bad' | 'warn' | 'info'

/**
 * A report as one self-contained HTML page that opens in any browser, offline: inline CSS, no external asset, and a
 * Content-Security-Policy that lets the page load nothing from anywhere. Complete without JavaScript; the one inline
 * script (which holds no data) adds the search and filters to the tables. Streamed: `body` is written as it is made.
 */
export function* renderPage(h: Html, head: PageHead, body: Iterable<string>): Generator<string> {
  yield `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<meta name="referrer" content="no-referrer">
<title>${h.text(head.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>${h.text(head.heading)}</h1>
<dl class="facts">
`
  for (const [label, value] of head.facts) yield `<dt>${h.text(label)}</dt><dd>${value}</dd>\n`
  yield `<dt>Personnummer</dt><dd>${h.reveal ? 'shown (--reveal)' : 'masked (--reveal shows them)'}</dd>\n</dl>\n`
  yield `<p class="verdict ${head.verdict.tone}" id="verdict">${h.text(head.verdict.text)}</p>\n</header>\n`
  yield* body
  yield `<script>${SCRIPT}</script>\n</body>\n</html>\n`
}

/** A section with an id (the anchor) and a heading, around its content. */
export function* section(h: Html, id: string, title: string, content: Iterable<string>): Generator<string> {
  yield `<section id="${h.text(id)}">\n<h2>${h.text(title)}</h2>\n`
  yield* content
  yield '</section>\n'
}

/** One number of a run, as a card: `metric` names it for scripts and tests (`[data-metric="records"]`). */
export interface Card {
  metric: string
  label: string
  value: number
  tone?: Tone
}

/** The run's numbers as a row of cards; a tone only where the number is not zero. */
export function summaryCards(h: Html, cards: Card[]): string {
  const items = cards.map((card) => {
    const tone = card.tone !== undefined && card.value > 0 ? ` ${card.tone}` : ''
    return (
      `<div class="card${tone}" data-metric="${h.text(card.metric)}" data-value="${card.value}">` +
      `<span class="value">${formatCount(card.value)}</span><span class="label">${h.text(card.label)}</span></div>`
    )
  })
  return `<div class="cards">\n${items.join('\n')}\n</div>\n`
}

/**
 * A reconciliation as an equation, `records 12 = valid 9 + invalid 2 + skipped 1`, marked ✔ when the parts add up
 * (they always should: a ✖ is a bug worth reporting).
 */
export function reconciliation(h: Html, total: [string, number], parts: Array<[string, number]>): string {
  const sum = parts.reduce((acc, [, value]) => acc + value, 0)
  const term = ([label, value]: [string, number]) =>
    `<span class="term"><span class="value">${formatCount(value)}</span> ${h.text(label)}</span>`
  const ok = sum === total[1]
  return (
    `<p class="equation ${ok ? 'ok' : 'bad'}" data-reconciles="${ok}">${term(total)} = ` +
    `${parts.map(term).join(' + ')} <span class="check">${ok ? '✔' : '✖ does not add up'}</span></p>\n`
  )
}

/** A table column: its heading, and whether it holds numbers (right-aligned). */
export interface Column {
  label: string
  numeric?: boolean
}

/** A filter over a data attribute of the rows (`data-<key>`): a choice of its values; the page's own when no options. */
export interface Filter {
  key: string
  label: string
  options?: Array<[value: string, text: string]>
}

export interface TableOptions {
  id: string
  columns: Column[]
  /** A search box over each row's text (default true) and choices over the rows' data attributes. */
  search?: boolean
  filters?: Filter[]
  /** What the rows are, for the search box's label: "records", "issue groups". */
  noun?: string
  className?: string
  /** Rows come as groups, each its own `<tbody>` (`tableGroup`): the unit the filter shows or hides. */
  grouped?: boolean
}

/**
 * The start of a table with its controls. Without JavaScript the controls stay hidden and every row shows; the
 * script shows them and filters by search text (over the row's text) and by each filter (the row's data attribute).
 */
export function tableStart(h: Html, options: TableOptions): string {
  const id = h.text(options.id)
  const noun = h.text(options.noun ?? 'rows')
  const filters = options.filters ?? []
  let controls = ''
  if (options.search !== false || filters.length > 0) {
    const search =
      options.search === false ? '' : `<input type="search" placeholder="Search ${noun}…" aria-label="Search ${noun}">`
    const selects = filters.map((filter) => {
      const given = (filter.options ?? []).map(
        ([value, text]) => `<option value="${h.text(value)}">${h.text(text)}</option>`,
      )
      return (
        `<select data-filter="${h.text(filter.key)}" aria-label="${h.text(filter.label)}"${filter.options ? '' : ' data-fill'}>` +
        `<option value="">every ${h.text(filter.label)}</option>${given.join('')}</select>`
      )
    })
    controls = `<div class="controls" hidden>${search}${selects.join('')} <span class="shown"></span></div>\n`
  }
  const head = options.columns
    .map((column) => `<th scope="col"${column.numeric ? ' class="num"' : ''}>${h.text(column.label)}</th>`)
    .join('')
  const classes = ['data', ...(options.className === undefined ? [] : [options.className])].join(' ')
  return (
    controls +
    `<table id="${id}" class="${classes}"${options.grouped ? ' data-grouped' : ''}>\n<thead><tr>${head}</tr></thead>\n` +
    (options.grouped ? '' : '<tbody>\n')
  )
}

/** A row: cells as HTML (`td`/`th` elements), with data attributes for the filters (values escaped here). */
export function tableRow(h: Html, cells: string[], data: Record<string, string> = {}, className?: string): string {
  return `<tr${attributes(h, data, className)}>${cells.join('')}</tr>\n`
}

/** A group of rows as one `<tbody>`, for grouped tables: the filter shows or hides it whole. */
export function tableGroup(h: Html, rows: string[], data: Record<string, string> = {}, className?: string): string {
  return `<tbody${attributes(h, data, className)}>\n${rows.join('\n')}\n</tbody>\n`
}

export function tableEnd(options: Pick<TableOptions, 'grouped'>): string {
  return options.grouped ? '</table>\n' : '</tbody>\n</table>\n'
}

/** A row of a whole table: its cells as HTML, data attributes for the filters, a class. */
export interface Row {
  cells: string[]
  data?: Record<string, string>
  className?: string
}

/** A whole table at once, for the small ones (per entity type, per file); `footer` rows (totals) are never filtered. */
export function* table(h: Html, options: TableOptions, rows: Iterable<Row>, footer: Row[] = []): Generator<string> {
  yield tableStart(h, options)
  for (const row of rows) yield tableRow(h, row.cells, row.data, row.className)
  if (footer.length > 0) {
    yield `</tbody>\n<tfoot>\n${footer.map((row) => tableRow(h, row.cells, row.data, row.className)).join('')}</tfoot>\n</table>\n`
  } else {
    yield tableEnd(options)
  }
}

/** Cells: a number (right-aligned), text, code, a row heading. */
export const cell = {
  num: (value: number) => `<td class="num">${formatCount(value)}</td>`,
  text: (h: Html, value: string | undefined) => `<td>${h.text(value)}</td>`,
  code: (h: Html, value: string | undefined) => `<td>${h.code(value)}</td>`,
  html: (html: string, className?: string) =>
    `<td${className === undefined ? '' : ` class="${className}"`}>${html}</td>`,
  head: (h: Html, value: string) => `<th scope="row">${h.text(value)}</th>`,
}

function attributes(h: Html, data: Record<string, string>, className: string | undefined): string {
  const cls = className === undefined ? '' : ` class="${h.text(className)}"`
  return (
    cls +
    Object.entries(data)
      .map(([key, value]) => ` data-${key.replace(/[^a-z0-9-]/g, '')}="${h.text(value)}"`)
      .join('')
  )
}

const STYLE = `
:root{color-scheme:light dark;--line:#c8c8c8;--muted:#666;--changed:#fff4d6;--left:#fde4e4;--right:#e2f5e4;--ambiguous:#ece4fb;--card:#f4f5f7}
@media (prefers-color-scheme:dark){:root{--line:#555;--muted:#aaa;--changed:#4a3f1e;--left:#4d2626;--right:#1f4226;--ambiguous:#3a2f55;--card:#26282c}}
[hidden]{display:none!important}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:1.5rem;max-width:110rem}
h1{font-size:1.5rem;margin:0 0 .5rem}h2{font-size:1.25rem;margin:2rem 0 .5rem}h3{font-size:1.05rem;margin:1.5rem 0 .5rem}
h3 small{font-weight:normal;color:var(--muted)}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:0}dl.facts dt{font-weight:600}dl.facts dd{margin:0}
.verdict{font-weight:600;padding:.5rem .75rem;border-radius:4px}.verdict.ok{background:var(--right)}.verdict.bad{background:var(--left)}
.verdict.warn{background:var(--changed)}.verdict.info{background:var(--card)}
.cards{display:flex;flex-wrap:wrap;gap:.75rem;margin:1rem 0}
.card{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:.5rem .9rem;min-width:7rem}
.card .value{display:block;font-size:1.6rem;font-weight:700;font-variant-numeric:tabular-nums}.card .label{color:var(--muted)}
.card.bad{background:var(--left)}.card.warn{background:var(--changed)}.card.ok{background:var(--right)}
.equation{font-size:1.05rem}.equation .value{font-weight:700;font-variant-numeric:tabular-nums}
.equation.ok .check{color:green}.equation.bad .check{color:#c00;font-weight:700}
table{border-collapse:collapse;margin:.25rem 0 1rem}th,td{border:1px solid var(--line);padding:.25rem .5rem;text-align:left;vertical-align:top}
thead th{position:sticky;top:0;background:Canvas}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
tr.differs th{font-weight:700}tr.total th,tr.total td{font-weight:700}
table.details{width:100%}table.details td{word-break:break-word}table.details td.id{white-space:nowrap}
tbody.changed td.kind{background:var(--changed)}tbody.only-left td.kind{background:var(--left)}tbody.only-right td.kind{background:var(--right)}
tbody.ambiguous-left td.kind,tbody.ambiguous-right td.kind{background:var(--ambiguous)}
tr.error td.severity{background:var(--left)}tr.warning td.severity{background:var(--changed)}
td.absent{color:var(--muted);font-style:italic}
code{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
ul.items,ul.places{margin:.25rem 0 0;padding-left:1rem}ul.warnings{padding-left:1.25rem}
.hint{color:var(--muted)}
nav.toc{margin:.75rem 0}nav.toc a{margin-right:1rem}
.controls{margin:.25rem 0;display:flex;gap:.5rem;align-items:center;flex-wrap:wrap}
.controls input{min-width:20rem;padding:.2rem .4rem}.controls .shown{color:var(--muted)}
@media print{.controls{display:none!important}thead th{position:static}}
`

/**
 * The filter: for every table with controls (right before it), a search over each row's (or row group's) text and a choice per data
 * attribute, its options taken from the rows when the page gave none. It reads the page; it holds no data.
 */
const SCRIPT = `
(function () {
  document.querySelectorAll('.controls').forEach(function (controls) {
    var table = controls.nextElementSibling
    if (!table || table.tagName !== 'TABLE') return
    var search = controls.querySelector('input')
    var selects = Array.prototype.slice.call(controls.querySelectorAll('select'))
    var shown = controls.querySelector('.shown')
    var units = Array.prototype.slice.call(
      table.querySelectorAll(table.hasAttribute('data-grouped') ? ':scope > tbody' : ':scope > tbody > tr'))
    var texts = units.map(function (unit) { return unit.textContent.toLowerCase() })
    selects.forEach(function (select) {
      if (!select.hasAttribute('data-fill')) return
      var values = {}
      units.forEach(function (unit) {
        var value = unit.getAttribute('data-' + select.dataset.filter)
        if (value) values[value] = true
      })
      Object.keys(values).sort().forEach(function (value) {
        var option = document.createElement('option')
        option.value = value
        option.textContent = value
        select.appendChild(option)
      })
    })
    function apply() {
      var query = search ? search.value.trim().toLowerCase() : ''
      var count = 0
      units.forEach(function (unit, index) {
        var show = !query || texts[index].indexOf(query) >= 0
        selects.forEach(function (select) {
          if (select.value && unit.getAttribute('data-' + select.dataset.filter) !== select.value) show = false
        })
        unit.hidden = !show
        if (show) count++
      })
      shown.textContent = count + ' of ' + units.length + ' shown'
    }
    if (search) search.addEventListener('input', apply)
    selects.forEach(function (select) { select.addEventListener('change', apply) })
    controls.hidden = false
    apply()
  })
})()
`

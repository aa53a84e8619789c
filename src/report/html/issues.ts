import type {IssueGroup} from '../../validation/issue-groups.js'
import {formatLocation} from '../../validation/issue.js'
import {formatCount, type Html, plural} from './escape.js'
import {cell, summaryCards, tableEnd, type TableOptions, tableRow, tableStart} from './page.js'

/** Issue groups that share a cause: fixing the cause fixes them all. */
export interface RootCause {
  /** A short name for the cause, shown as a heading and offered as a filter. */
  title: string
  /** What to do about it, when known. */
  hint?: string
  groups: readonly IssueGroup[]
}

/** How issue groups are put under root causes: today one cause per issue code; a finer analysis can be passed in. */
export type RootCauses = (groups: readonly IssueGroup[]) => RootCause[]

/** The default: the groups of one issue code share a cause (same check, same fix), most issues first. */
export const causesByCode: RootCauses = (groups) => {
  const byCode = new Map<string, IssueGroup[]>()
  for (const group of groups) {
    const list = byCode.get(group.code) ?? []
    list.push(group)
    byCode.set(group.code, list)
  }
  return [...byCode.entries()]
    .map(([code, list]) => ({
      title: code,
      ...(list[0]?.hint === undefined ? {} : {hint: list[0].hint}),
      groups: list,
    }))
    .sort((a, b) => severityRank(a) - severityRank(b) || total(b) - total(a))
}

export interface IssuesOptions {
  rootCauses?: RootCauses
  /** Prefixed to the table's id and the cards' metrics, when a page has two issue sections. */
  prefix?: string
}

/**
 * The issues of a run: how many errors and warnings, the root causes (each with its count and what to do), and every
 * issue group — severity, code, message, count, the first locations (file:line:column, entity, id, field, value) —
 * in a table that can be searched and filtered by severity, code and cause. Bounded: groups keep a few locations.
 */
export function* issuesSection(
  h: Html,
  groups: readonly IssueGroup[],
  counts: {errors: number; warnings: number},
  options: IssuesOptions = {},
): Generator<string> {
  const prefix = options.prefix ?? ''
  yield summaryCards(h, [
    {metric: `${prefix}errors`, label: 'errors', value: counts.errors, tone: 'bad'},
    {metric: `${prefix}warnings`, label: 'warnings', value: counts.warnings, tone: 'warn'},
    {metric: `${prefix}issue-groups`, label: 'issue groups', value: groups.length},
  ])
  if (groups.length === 0) {
    yield '<p>No issues.</p>\n'
    return
  }
  const causes = (options.rootCauses ?? causesByCode)(groups)
  yield `<h3>By root cause</h3>\n<ol class="causes">\n`
  for (const cause of causes) {
    const errors = cause.groups.some((group) => group.severity === 'error')
    yield (
      `<li class="${errors ? 'error' : 'warning'}"><strong>${h.text(cause.title)}</strong>: ` +
      `${plural(total(cause), errors ? 'issue' : 'warning')} in ${plural(cause.groups.length, 'group')}` +
      (cause.hint === undefined ? '' : ` <span class="hint">— ${h.text(cause.hint)}</span>`) +
      '</li>\n'
    )
  }
  yield '</ol>\n<h3>Issue groups</h3>\n'
  const table: TableOptions = {
    id: `${prefix}issues-table`,
    noun: 'issues',
    columns: [
      {label: 'severity'},
      {label: 'code'},
      {label: 'message'},
      {label: 'count', numeric: true},
      {label: 'first locations'},
    ],
    filters: [
      {
        key: 'severity',
        label: 'severity',
        options: [
          ['error', 'error'],
          ['warning', 'warning'],
        ],
      },
      {key: 'code', label: 'code'},
      ...(causes.some((cause) => cause.title !== cause.groups[0]?.code) ? [{key: 'cause', label: 'cause'}] : []),
    ],
  }
  yield tableStart(h, table)
  for (const cause of causes) {
    for (const group of cause.groups) {
      const hint = group.hint === undefined ? '' : `<div class="hint">hint: ${h.text(group.hint)}</div>`
      yield tableRow(
        h,
        [
          cell.html(group.severity, 'severity'),
          cell.code(h, group.code),
          cell.html(`${h.text(group.message)}${hint}`),
          cell.num(group.count),
          cell.html(places(h, group)),
        ],
        {severity: group.severity, code: group.code, cause: cause.title},
        group.severity,
      )
    }
  }
  yield tableEnd(table)
}

function places(h: Html, group: IssueGroup): string {
  const items = group.first.map((place) => {
    const who = [place.entity, place.id, place.field ?? (place.path || undefined)].filter(Boolean) as string[]
    return (
      `<li>${h.code(formatLocation(place.source) || undefined)}` +
      (who.length > 0 ? ` ${h.text(who.join(' '))}` : '') +
      (place.value === undefined ? '' : ` got ${h.code(place.value)}`) +
      '</li>'
    )
  })
  const more = group.count - group.first.length
  if (more > 0) items.push(`<li class="hint">… and ${formatCount(more)} more</li>`)
  return items.length === 0 ? '' : `<ul class="places">${items.join('')}</ul>`
}

function total(cause: RootCause): number {
  return cause.groups.reduce((sum, group) => sum + group.count, 0)
}

function severityRank(cause: RootCause): number {
  return cause.groups.some((group) => group.severity === 'error') ? 0 : 1
}

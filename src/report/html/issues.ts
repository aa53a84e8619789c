import type {IssueGroup} from '../../validation/issue-groups.js'
import {formatLocation, type IssuePlace} from '../../validation/issue.js'
import {explainedErrors, type RootCause} from '../../validation/root-causes.js'
import {describeRootCause} from '../root-causes-text.js'
import {formatCount, type Html, plural} from './escape.js'
import {cell, summaryCards, tableEnd, type TableOptions, tableRow, tableStart} from './page.js'

/** The issues of a run as the services report them: all groups, and the root-cause analysis of them. */
export interface IssuesInput {
  groups: readonly IssueGroup[]
  counts: {errors: number; warnings: number}
  /** The root causes (RootCauseTracker), most dependent failures first. */
  rootCauses?: readonly RootCause[]
  /** The groups with what the root causes explain taken out; all groups when there are no root causes. */
  otherGroups?: readonly IssueGroup[]
}

export interface IssuesOptions {
  /** Prefixed to the table's id and the cards' metrics, when a page has two issue sections. */
  prefix?: string
}

/** The `cause` filter's value of an issue group no root cause explains. */
export const NO_ROOT_CAUSE = '(no root cause)'

/** How many places "referred to from" lists under a root cause. */
const REFERRED_FROM = 3

/**
 * The issues of a run: how many errors and warnings; the root causes first (what is missing or invalid, how many
 * failures depend on it, where it is referred to from, what fails with it); then the other issues by code; and every
 * issue group — severity, code, message, count, the first locations (file:line:column, entity, id, field, value) — in
 * a table that can be searched and filtered by severity, code and root cause. The table's counts add up to the errors
 * and warnings. Bounded: groups keep a few locations, and there are at most MAX_ROOT_CAUSES causes.
 */
export function* issuesSection(h: Html, input: IssuesInput, options: IssuesOptions = {}): Generator<string> {
  const prefix = options.prefix ?? ''
  const {groups, counts} = input
  const rootCauses = input.rootCauses ?? []
  const others = input.otherGroups ?? groups
  yield summaryCards(h, [
    {metric: `${prefix}errors`, label: 'errors', value: counts.errors, tone: 'bad'},
    {metric: `${prefix}warnings`, label: 'warnings', value: counts.warnings, tone: 'warn'},
    {metric: `${prefix}root-causes`, label: 'root causes', value: rootCauses.length, tone: 'bad'},
    {metric: `${prefix}issue-groups`, label: 'issue groups', value: groups.length},
  ])
  if (groups.length === 0) {
    yield '<p>No issues.</p>\n'
    return
  }
  if (rootCauses.length > 0) {
    const explained = explainedErrors(rootCauses)
    yield (
      `<h3>Root causes</h3>\n<p class="causes-head">` +
      `${rootCauses.length === 1 ? '1 root cause explains' : `${formatCount(rootCauses.length)} root causes explain`} ` +
      `<strong data-metric="${prefix}explained">${formatCount(explained)}</strong> of ${plural(counts.errors, 'error')}. ` +
      'Fix these first: what fails with them goes away with them.</p>\n<ol class="causes">\n'
    )
    for (const cause of rootCauses) yield rootCauseItem(h, cause)
    yield '</ol>\n'
  }
  if (others.length > 0) {
    yield `<h3>${rootCauses.length > 0 ? 'Other issues' : 'Issues'} by code</h3>\n<ol class="causes">\n`
    for (const [code, list] of byCode(others)) {
      const errors = list.some((group) => group.severity === 'error')
      const hint = list[0]?.hint
      yield (
        `<li class="${errors ? 'error' : 'warning'}"><strong>${h.code(code)}</strong>: ` +
        `${plural(total(list), errors ? 'issue' : 'warning')} in ${plural(list.length, 'group')}` +
        (hint === undefined ? '' : ` <span class="hint">— ${h.text(hint)}</span>`) +
        '</li>\n'
      )
    }
    yield '</ol>\n'
  }
  yield '<h3>Issue groups</h3>\n'
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
      ...(rootCauses.length > 0 ? [{key: 'cause', label: 'root cause'}] : []),
    ],
  }
  yield tableStart(h, table)
  for (const cause of rootCauses) {
    const title = describeRootCause(cause)
    if (cause.issue) {
      const {issue} = cause
      yield groupRow(h, {...issue, severity: 'error', count: 1, first: [issue.place]}, title)
    }
    for (const group of cause.dependents) yield groupRow(h, group, title)
  }
  for (const group of others) yield groupRow(h, group, NO_ROOT_CAUSE)
  yield tableEnd(table)
}

/** One root cause: what it is, what depends on it, the record's own error, where it is referred to from, what fails. */
function rootCauseItem(h: Html, cause: RootCause): string {
  const warnings = cause.count - cause.errors
  const what = [
    cause.errors > 0 ? plural(cause.errors, 'error') : undefined,
    warnings > 0 ? plural(warnings, 'warning') : undefined,
  ].filter(Boolean)
  const parts = [
    `<li class="${cause.errors > 0 ? 'error' : 'warning'}" data-cause="${h.text(describeRootCause(cause))}">` +
      `<strong>${h.text(describeRootCause(cause))}</strong>: ` +
      `<span class="count">${what.join(' and ')}</span> depend${cause.count === 1 ? 's' : ''} on it`,
  ]
  if (cause.issue) {
    const {issue} = cause
    parts.push(
      `<div class="own">✖ ${h.text(issue.message)} ${h.code(`[${issue.code}]`)} at ${placeText(h, issue.place)}` +
        (issue.hint === undefined ? '' : `<div class="hint">hint: ${h.text(issue.hint)}</div>`) +
        '</div>',
    )
  }
  const first = cause.first.slice(0, REFERRED_FROM).map((place) => `<li>${placeText(h, place)}</li>`)
  if (cause.count > first.length)
    first.push(`<li class="hint">… and ${formatCount(cause.count - first.length)} more</li>`)
  parts.push(`<div>referred to from:</div><ul class="places">${first.join('')}</ul>`)
  const failing = cause.dependents.map(
    (group) =>
      `<li class="${group.severity}">${h.text(group.message)} ${h.code(`[${group.code}]`)} × ${formatCount(group.count)}</li>`,
  )
  parts.push(`<div>failing with it:</div><ul class="dependents">${failing.join('')}</ul></li>\n`)
  return parts.join('')
}

function groupRow(h: Html, group: IssueGroup, cause: string): string {
  const hint = group.hint === undefined ? '' : `<div class="hint">hint: ${h.text(group.hint)}</div>`
  return tableRow(
    h,
    [
      cell.html(group.severity, 'severity'),
      cell.code(h, group.code),
      cell.html(`${h.text(group.message)}${hint}`),
      cell.num(group.count),
      cell.html(places(h, group)),
    ],
    {severity: group.severity, code: group.code, cause},
    group.severity,
  )
}

/** `people.csv:12:4 Person 6f0c… civicNo got 19…` — the location, who and what, the value masked by `h`. */
function placeText(h: Html, place: IssuePlace): string {
  const who = [place.entity, place.id, place.field ?? (place.path || undefined)].filter(Boolean) as string[]
  return (
    `${h.code(formatLocation(place.source) || undefined)}` +
    (who.length > 0 ? ` ${h.text(who.join(' '))}` : '') +
    (place.value === undefined ? '' : ` got ${h.code(place.value)}`)
  )
}

function places(h: Html, group: IssueGroup): string {
  const items = group.first.map((place) => `<li>${placeText(h, place)}</li>`)
  const more = group.count - group.first.length
  if (more > 0) items.push(`<li class="hint">… and ${formatCount(more)} more</li>`)
  return items.length === 0 ? '' : `<ul class="places">${items.join('')}</ul>`
}

/** Groups by issue code, codes with errors first, then most issues. */
function byCode(groups: readonly IssueGroup[]): Array<[string, IssueGroup[]]> {
  const map = new Map<string, IssueGroup[]>()
  for (const group of groups) {
    const list = map.get(group.code) ?? []
    list.push(group)
    map.set(group.code, list)
  }
  const rank = (list: IssueGroup[]) => (list.some((group) => group.severity === 'error') ? 0 : 1)
  return [...map.entries()].sort(([, a], [, b]) => rank(a) - rank(b) || total(b) - total(a))
}

function total(groups: readonly IssueGroup[]): number {
  return groups.reduce((sum, group) => sum + group.count, 0)
}

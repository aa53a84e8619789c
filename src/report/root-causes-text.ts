import {explainedErrors, type RootCause} from '../validation/root-causes.js'
import type {IssueGroup} from '../validation/issue-groups.js'
import {formatLocation} from '../validation/issue.js'
import {formatCount as n, plural, renderIssueGroups} from './issue-groups-text.js'

/** How many places "referred to from" lists; the dependent groups under it show theirs. */
const REFERRED_FROM = 3

/**
 * Issues with their root causes first: "2 root causes explain 3,000 of 3,012 errors:", each cause with what depends
 * on it indented under it, then the issues no cause explains. Without root causes, the plain issue groups.
 */
export function renderIssuesWithRootCauses(
  groups: readonly IssueGroup[],
  counts: {errors: number; warnings: number},
  rootCauses: readonly RootCause[] = [],
  otherGroups: readonly IssueGroup[] = groups,
): string[] {
  if (groups.length === 0) return []
  const head = `${plural(counts.errors, 'error')}, ${plural(counts.warnings, 'warning')}`
  if (rootCauses.length === 0) return [`${head}:`, '', ...renderIssueGroups(groups)]
  const explained = explainedErrors(rootCauses)
  const causes = rootCauses.length === 1 ? '1 root cause explains' : `${n(rootCauses.length)} root causes explain`
  const lines = [`${head}. ${causes} ${n(explained)} of ${plural(counts.errors, 'error')}:`, '']
  for (const cause of rootCauses) lines.push(...renderRootCause(cause))
  if (otherGroups.length > 0) {
    const other = otherGroups.reduce((sum, group) => sum + group.count, 0)
    lines.push(`Other issues (${n(other)}):`, '', ...renderIssueGroups(otherGroups))
  }
  return lines
}

/** One root cause: what it is, how many failures depend on it, where the references come from, the dependents. */
export function renderRootCause(cause: RootCause): string[] {
  const warnings = cause.count - cause.errors
  const what = [
    cause.errors > 0 ? plural(cause.errors, 'error') : undefined,
    warnings > 0 ? plural(warnings, 'warning') : undefined,
  ]
  const depend = `${what.filter(Boolean).join(' and ')} depend${cause.count === 1 ? 's' : ''} on it`
  const lines = [`● ${describeRootCause(cause)}: ${depend}`]
  if (cause.issue) {
    const {place} = cause.issue
    const value = place.value === undefined ? '' : `  got ${place.value}`
    lines.push(`    ✖ ${cause.issue.message}  [${cause.issue.code}]`)
    lines.push(`        ${formatLocation(place.source)}${place.path ? `  ${place.path}` : ''}${value}`)
    if (cause.issue.hint) lines.push(`        hint: ${cause.issue.hint}`)
  }
  lines.push('  referred to from:')
  const first = cause.first.slice(0, REFERRED_FROM)
  for (const place of first) lines.push(`    ${formatLocation(place.source)}${place.field ? `  ${place.field}` : ''}`)
  if (cause.count > first.length) lines.push(`    … and ${n(cause.count - first.length)} more`)
  lines.push('  failing with it:')
  lines.push(...renderIssueGroups(cause.dependents).map((line) => (line === '' ? line : `  ${line}`)))
  return lines
}

/** `Organisation 33284873 is not in the input`, `Duty signature ABC 33284873 …`, `Organisation 6f0c… is invalid`. */
export function describeRootCause(cause: RootCause): string {
  const name = cause.key ?? cause.id ?? ''
  if (cause.kind === 'invalid') return `${cause.target} ${name} is invalid`
  if (cause.target.startsWith('crosswalk ')) return `${cause.target} has no value ${JSON.stringify(name)}`
  return `${cause.target} ${name} is not in the input`
}

import type {IssueGroup} from '../validation/issue-groups.js'
import {formatLocation} from '../validation/issue.js'

/** "3 errors, 1 warning:" and the issue groups under it; nothing when there are none. */
export function renderIssueSection(
  groups: readonly IssueGroup[],
  counts: {errors: number; warnings: number},
): string[] {
  if (groups.length === 0) return []
  return [`${plural(counts.errors, 'error')}, ${plural(counts.warnings, 'warning')}:`, '', ...renderIssueGroups(groups)]
}

/** Issue groups as text: the message with its count and code, the first locations, the hint. */
export function renderIssueGroups(groups: readonly IssueGroup[]): string[] {
  const lines: string[] = []
  for (const group of groups) {
    const mark = group.severity === 'error' ? '✖ error  ' : '⚠ warning'
    lines.push(`${mark} ${group.message}${group.count > 1 ? `  (${formatCount(group.count)}×)` : ''}  [${group.code}]`)
    for (const place of group.first) {
      const who = [place.entity, place.id ? abbreviateId(place.id) : undefined, place.path || undefined]
        .filter(Boolean)
        .join(' ')
      const value = place.value === undefined ? '' : `  got ${place.value}`
      lines.push(`    ${formatLocation(place.source)}${who ? `  ${who}` : ''}${value}`)
    }
    if (group.count > group.first.length) lines.push(`    … and ${formatCount(group.count - group.first.length)} more`)
    if (group.hint) lines.push(`    hint: ${group.hint}`)
    lines.push('')
  }
  return lines
}

function abbreviateId(id: string): string {
  return id.length > 12 ? `${id.slice(0, 8)}…` : id
}

/** 12,345 */
export function formatCount(value: number): string {
  return value.toLocaleString('en-US')
}

/** `3 errors`, `1 warning` */
export function plural(count: number, word: string): string {
  return `${formatCount(count)} ${word}${count === 1 ? '' : 's'}`
}

/** Left-aligned first column, right-aligned numbers (or left-aligned where `alignLeft` says). */
export function table(rows: string[][], alignLeft: ReadonlySet<number> = new Set([0])): string[] {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)))
  return rows.map((row) =>
    row
      .map((cell, column) => (alignLeft.has(column) ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
      .join('  ')
      .trimEnd(),
  )
}

import type {IssueGroup, ValidateResult} from '../services/validate.js'
import {formatLocation} from '../validation/integrity.js'

/** The human rendering of a validate result: reconciliation table, issue groups with first locations, verdict. */
export function renderValidateResult(result: ValidateResult): string {
  const lines: string[] = []
  const {totals} = result
  lines.push(
    `Validated ${plural(totals.files, 'file')} against the ${result.profile} profile (${result.mode} mode).`,
    '',
  )
  const rows: string[][] = [['', 'records', 'valid', 'invalid']]
  for (const [entity, counts] of Object.entries(result.entities)) {
    rows.push([entity, n(counts.records), n(counts.valid), n(counts.invalid)])
  }
  if (totals.skipped > 0) rows.push(['(type unknown, skipped)', n(totals.skipped), '', ''])
  rows.push(['Total', n(totals.records), n(totals.valid), n(totals.invalid)])
  lines.push(...table(rows).map((line) => `  ${line}`), '')

  if (result.groups.length > 0) {
    lines.push(`${plural(totals.errors, 'error')}, ${plural(totals.warnings, 'warning')}:`, '')
    for (const group of result.groups) lines.push(...renderGroup(group), '')
  }
  lines.push(verdict(result))
  return lines.join('\n')
}

function renderGroup(group: IssueGroup): string[] {
  const mark = group.severity === 'error' ? '✖ error  ' : '⚠ warning'
  const lines = [`${mark} ${group.message}${group.count > 1 ? `  (${n(group.count)}×)` : ''}  [${group.code}]`]
  for (const place of group.first) {
    const who = [place.entity, place.id ? abbreviateId(place.id) : undefined, place.path || undefined]
      .filter(Boolean)
      .join(' ')
    const value = place.value === undefined ? '' : `  got ${place.value}`
    lines.push(`    ${formatLocation(place.source)}${who ? `  ${who}` : ''}${value}`)
  }
  if (group.count > group.first.length) lines.push(`    … and ${n(group.count - group.first.length)} more`)
  if (group.hint) lines.push(`    hint: ${group.hint}`)
  return lines
}

function verdict(result: ValidateResult): string {
  const {totals} = result
  if (result.valid) {
    return totals.warnings > 0
      ? `Valid: ${plural(totals.records, 'record')}, with ${plural(totals.warnings, 'warning')}.`
      : `Valid: all ${plural(totals.records, 'record')} pass.`
  }
  return `Invalid: ${plural(totals.errors, 'error')} in ${plural(totals.invalid, 'record')}${totals.skipped ? ` (${n(totals.skipped)} skipped)` : ''}. Exit code 3.`
}

function abbreviateId(id: string): string {
  return id.length > 12 ? `${id.slice(0, 8)}…` : id
}

function n(value: number): string {
  return value.toLocaleString('en-US')
}

function plural(count: number, word: string): string {
  return `${n(count)} ${word}${count === 1 ? '' : 's'}`
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)))
  return rows.map((row) =>
    row
      .map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
      .join('  ')
      .trimEnd(),
  )
}

import type {ValidateResult} from '../services/validate.js'
import {formatCount as n, plural, table} from './issue-groups-text.js'
import {renderIssuesWithRootCauses} from './root-causes-text.js'

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

  lines.push(...renderIssuesWithRootCauses(result.groups, totals, result.rootCauses, result.otherGroups))
  lines.push(verdict(result))
  return lines.join('\n')
}

function verdict(result: ValidateResult): string {
  const {totals} = result
  if (result.valid) {
    return totals.warnings > 0
      ? `Valid: ${plural(totals.records, 'record')}, with ${plural(totals.warnings, 'warning')}.`
      : `Valid: all ${plural(totals.records, 'record')} pass.`
  }
  const skipped = totals.skipped ? ` (${n(totals.skipped)} skipped)` : ''
  return `Invalid: ${plural(totals.errors, 'error')} in ${plural(totals.invalid, 'record')}${skipped}. Exit code 3.`
}

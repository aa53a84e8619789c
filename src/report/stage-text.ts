import type {StageResult} from '../services/stage.js'
import {renderChangesTable} from './changes-text.js'
import {formatCount as n, plural} from './issue-groups-text.js'
import {renderIssuesWithRootCauses} from './root-causes-text.js'

/**
 * The human rendering of a stage result: the batch and, per entity type, what it added, changed, kept and no longer
 * has against what the scope held (the term rollover view), the fields that changed most, schema drift, issues, and
 * the reconciled record counts.
 */
export function renderStageResult(result: StageResult): string {
  const lines: string[] = []
  const {batch, totals} = result
  lines.push(...renderIssuesWithRootCauses(result.issueGroups, totals, result.rootCauses, result.otherIssueGroups))
  if (batch) {
    const about = [
      `scope ${result.scope}`,
      result.template ? `template ${result.template.name} ${result.template.version}` : undefined,
      result.partial ? 'partial' : undefined,
    ].filter(Boolean)
    lines.push(
      `Staged batch ${batch.batch} (${about.join(', ')}) in ${result.db}, ` +
        (batch.previous === undefined
          ? 'the first of its scope.'
          : `against what the scope held after batch ${batch.previous}.`),
      '',
    )
    lines.push(...renderChangesTable(batch.entities, result.partial).map((line) => `  ${line}`), '')
    if (result.partial) {
      lines.push('A partial batch: records it lacks stay staged as they were; nothing is counted as removed.', '')
    }
  }
  if (result.drift.length > 0) {
    lines.push(
      `Schema drift: the input files differ from those of batch ${result.driftSince} (same template). Check the mapping before you upload:`,
      ...result.drift.map((warning) => `  ⚠ ${warning.message}`),
      '',
    )
  }
  lines.push(reconciliation(result), verdict(result))
  return lines.join('\n')
}

function reconciliation(result: StageResult): string {
  const {totals} = result
  const parts = [`${n(totals.staged)} staged`]
  if (totals.refused > 0 || !result.valid) parts.push(`${n(totals.refused)} refused (in ${result.rejects})`)
  if (totals.withheld > 0) parts.push(`${n(totals.withheld)} withheld`)
  if (totals.skipped > 0) parts.push(`${n(totals.skipped)} skipped (entity type unknown)`)
  return `Read ${plural(totals.records, 'record')}: ${parts.join(', ')}.`
}

function verdict(result: StageResult): string {
  const {batch, totals} = result
  if (!batch) {
    return `Nothing staged: ${plural(totals.refused, 'record')} with errors. Fix them, or pass --allow-partial to stage the valid records. Exit code 3.`
  }
  if (totals.refused > 0) return `Staged without the refused records. Exit code 5.`
  if (batch.unchanged) return 'No changes: the scope holds the same records as before.'
  return 'Staged.'
}

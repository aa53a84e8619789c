import type {StageResult} from '../services/stage.js'
import {formatCount as n, plural, renderIssueSection, table} from './issue-groups-text.js'

/** How many changed fields the report names per entity type. */
const SHOWN_FIELDS = 5

/**
 * The human rendering of a stage result: the batch and, per entity type, what it added, changed, kept and no longer
 * has against what the scope held (the term rollover view), the fields that changed most, schema drift, issues, and
 * the reconciled record counts.
 */
export function renderStageResult(result: StageResult): string {
  const lines: string[] = []
  const {batch, totals} = result
  lines.push(...renderIssueSection(result.issueGroups, totals))
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
    const rows: string[][] = [
      ['', 'records', 'added', 'changed', 'unchanged', result.partial ? 'absent (not removed)' : 'absent'],
    ]
    const fields: string[] = []
    for (const [entity, changes] of Object.entries(batch.entities)) {
      rows.push([
        entity,
        n(changes.records),
        n(changes.added),
        n(changes.changed),
        n(changes.unchanged),
        result.partial ? '–' : n(changes.absent),
      ])
      const top = Object.entries(changes.fields)
        .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
        .slice(0, SHOWN_FIELDS)
      if (top.length > 0) fields.push(`  ${entity}: ${top.map(([field, count]) => `${field} ${n(count)}`).join(', ')}`)
    }
    lines.push(...table(rows).map((line) => `  ${line}`), '')
    if (fields.length > 0) lines.push('Changed fields (records):', ...fields, '')
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

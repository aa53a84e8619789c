import type {EntityName} from '../schema/entity-names.js'
import type {PullResult} from '../services/pull.js'
import {renderChangesTable} from './changes-text.js'
import {formatCount as n, plural} from './issue-groups-text.js'

export interface PullReport extends PullResult {
  source: string
  scope: string
  db: string
  seconds: number
}

/**
 * The human rendering of a pull: where from, full or incremental (and since when, or why it fell back), per entity
 * type what the snapshot batch added, changed, kept and removed, the records received and flagged invalid, the
 * collections the server does not answer, and the rate.
 */
export function renderPullResult(report: PullReport): string {
  const {batch} = report
  const lines: string[] = []
  const how = report.incremental ? `incremental, changes since ${report.since}` : 'full'
  lines.push(
    `Pulled ${report.source} into snapshot batch ${batch.batch} (scope ${report.scope}, ${how}) in ${report.db}, ` +
      (batch.previous === undefined
        ? 'the first of its scope.'
        : `against what it held after batch ${batch.previous}.`),
  )
  if (report.fellBack) lines.push(`  ⚠ ${report.fellBack} Pulled in full instead.`)
  lines.push('', ...renderChangesTable(batch.entities, false).map((line) => `  ${line}`), '')
  const received = Object.values(report.counts).reduce((sum, count) => sum + count!.received, 0)
  const invalid = Object.entries(report.counts).filter(([, count]) => count!.invalid > 0)
  for (const [entity, count] of invalid) {
    lines.push(
      `  ⚠ ${plural(count!.invalid, `invalid ${entity as EntityName}`)}: kept, with their issues in record_issue (batch ${batch.batch}).`,
    )
  }
  for (const {reason} of report.skipped) lines.push(`  ⚠ ${reason} Its records in the snapshot are left as they were.`)
  const deleted = Object.values(report.counts).reduce((sum, count) => sum + count!.deleted, 0)
  const rate = report.seconds > 0 ? ` (${n(Math.round(received / report.seconds))} records/s)` : ''
  lines.push(
    `Received ${plural(received, 'record')} in ${report.seconds.toFixed(1)} s${rate}` +
      (report.incremental ? `; ${plural(deleted, 'deletion')} applied.` : '.'),
    batch.unchanged ? 'No changes: the snapshot holds the same records as before.' : 'Snapshot staged.',
  )
  return lines.join('\n')
}

import type {StageResult} from '../services/stage.js'
import {formatCount as n, plural, renderIssueGroups, table} from './issue-groups-text.js'

/** The human rendering of a stage result: the batch, and per entity what changed against what was staged. */
export function renderStageResult(result: StageResult, db: string): string {
  const lines: string[] = []
  if (result.issueGroups.length > 0) lines.push(...renderIssueGroups(result.issueGroups))
  const batch = result.batch
  if (!batch) {
    lines.push(
      `Not staged: ${plural(result.refused, 'record')} refused because of errors. Fix them, or pass --allow-partial to stage the valid records. Exit code 3.`,
    )
    return lines.join('\n')
  }
  const rows: string[][] = [['', 'added', 'changed', 'unchanged', result.partial ? 'absent (not counted)' : 'absent']]
  for (const [entity, changes] of Object.entries(batch.entities)) {
    rows.push([entity, n(changes.added), n(changes.changed), n(changes.unchanged), n(changes.absent)])
  }
  lines.push(
    `Staged batch ${batch.batch} (scope ${result.scope}${result.partial ? ', partial' : ''}) in ${db}` +
      (batch.previous === undefined ? ', the first of its scope.' : `, compared with what was staged before.`),
    '',
    ...table(rows).map((line) => `  ${line}`),
    '',
  )
  if (batch.unchanged) lines.push('No changes: the staged state is the same as before.')
  if (result.refused > 0) lines.push(`${plural(result.refused, 'record')} refused. Exit code 5.`)
  return lines.join('\n')
}

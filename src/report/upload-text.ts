import type {EntityName} from '../schema/entity-names.js'
import type {RefusalCause, UploadReport} from '../services/upload.js'
import {formatLimit} from '../sync/plan.js'
import {formatCount as n, plural, table} from './issue-groups-text.js'

/**
 * The human rendering of an upload: the plan (per entity type what is created, updated, upserted, deleted and left
 * alone; what the adapter cannot write; samples; the limits it passes; its hash and how to approve it), and after a
 * run what the target took and what it refused: the refused records others depend on first, then by reason.
 */
export function renderUploadReport(report: UploadReport): string {
  const {plan} = report
  const lines: string[] = []
  const against =
    report.against === 'live' ? 'what its read API holds now' : 'what it acknowledged before (the upload journal)'
  lines.push(
    `${report.executed ? 'Uploaded' : 'Upload plan'}: scope ${report.scope} (batch ${plan.stagedBatch}${plan.partial ? ', partial' : ''}) → ${report.target} (${report.adapter}), against ${against}.`,
    '',
  )
  const rows: string[][] = [['', 'create', 'update', 'upsert', 'delete', 'unchanged', 'held there']]
  for (const [entity, counts] of Object.entries(plan.entities) as Array<
    [EntityName, NonNullable<(typeof plan.entities)[EntityName]>]
  >) {
    rows.push([
      entity,
      n(counts.create),
      n(counts.update),
      n(counts.upsert),
      plan.partial ? '–' : n(counts.delete),
      n(counts.unchanged),
      n(counts.known),
    ])
  }
  lines.push(...table(rows).map((line) => `  ${line}`))
  if (plan.partial) lines.push('  The staged state is a partial batch: nothing is deleted.')
  const unsupported = Object.entries(plan.unsupported) as Array<[EntityName, number]>
  if (unsupported.length > 0) {
    lines.push(
      `  ⚠ ${report.adapter} cannot write ${unsupported.map(([entity, count]) => plural(count, entity)).join(', ')}: not sent.`,
    )
  }
  const upserts = Object.values(plan.entities).reduce((sum, counts) => sum + (counts?.upsert ?? 0), 0)
  if (upserts > 0) {
    lines.push(
      `  ${plural(upserts, 'record')} went out before without an answer: sent again as upserts (harmless if the target has them).`,
    )
  }
  if (!report.executed && report.samples.length > 0) {
    lines.push('', 'For example:')
    for (const sample of report.samples) {
      lines.push(
        `  ${sample.kind.padEnd(6)} ${sample.entity} ${sample.id}${sample.label === undefined ? '' : ` (${sample.label})`}`,
      )
    }
  }
  for (const breach of report.breaches) {
    lines.push(
      `  ⚠ Would ${breach.what} ${plural(breach.count, breach.entity)} of ${n(breach.known)}: more than ${formatLimit(breach.limit)}; refused unless allowed (--max-${breach.what}).`,
    )
  }
  if (!report.executed) {
    lines.push('', `Plan hash: ${report.hash}`)
    if (report.planOut !== undefined) {
      lines.push(
        `Written to ${report.planOut}. To send exactly this plan: ss12000 upload ${report.target} --plan ${report.planOut} --approve ${report.hash}`,
      )
    }
    return lines.join('\n')
  }
  lines.push('')
  const sent = Object.entries(report.sent) as Array<[EntityName, {ok: number; refused: number}]>
  const ok = sent.reduce((sum, [, counts]) => sum + counts.ok, 0)
  const refused = sent.reduce((sum, [, counts]) => sum + counts.refused, 0)
  lines.push(...renderRefusalCauses(report.refusalCauses))
  for (const group of report.refusals) {
    lines.push(`  ✖ ${plural(group.count, group.entity)}: ${group.httpStatus} ${group.reason}`)
    for (const example of group.examples) lines.push(`      ${example.id}: ${example.reason}`)
  }
  const rate = report.seconds > 0 && ok > 0 ? ` (${n(Math.round((ok + refused) / report.seconds))} records/s)` : ''
  lines.push(
    ok + refused === 0
      ? 'Nothing to send: the target already holds the staged state.'
      : `Sent ${plural(ok + refused, 'record')} in ${report.seconds.toFixed(1)} s${rate}: ${n(ok)} taken, ${n(refused)} refused.`,
  )
  if (refused > 0)
    lines.push('The refused records are listed above and in the journal (upload_outcome); fix them and upload again.')
  return lines.join('\n')
}

/**
 * The refused records other refusals come from, first: `● Organisation 6f0c… refused (400: …): 37 refusals depend on
 * it (Person 30, Group 7)`.
 */
export function renderRefusalCauses(causes: readonly RefusalCause[]): string[] {
  if (causes.length === 0) return []
  const explained = causes.reduce((sum, cause) => sum + cause.dependents, 0)
  const head =
    causes.length === 1
      ? `1 refused record is behind ${plural(explained, 'other refusal')}:`
      : `${n(causes.length)} refused records are behind ${plural(explained, 'other refusal')}:`
  const lines = [head]
  for (const cause of causes) {
    const types = Object.entries(cause.byEntity)
      .map(([entity, count]) => `${entity} ${n(count!)}`)
      .join(', ')
    lines.push(`  ● ${cause.entity} ${cause.id} refused (${cause.httpStatus}: ${cause.reason})`)
    lines.push(`      ${plural(cause.dependents, 'refusal')} of records that refer to it depend on it (${types})`)
  }
  lines.push('')
  return lines
}

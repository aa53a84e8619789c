import type {BatchStatus, DriftWarning, ScopeStatus, StatusResult} from '../services/status.js'
import {renderChangesTable} from './changes-text.js'
import {formatCount as n, plural} from './issue-groups-text.js'

/** Files named per batch before "and N more". */
const FILES_SHOWN = 3

/** The human rendering of status: per scope what it holds now, its schema drift, and its batches newest first. */
export function renderStatusResult(result: StatusResult): string {
  if (result.scopes.length === 0) {
    return `Nothing is staged in ${result.database} yet. Stage convert's output with: ss12000 stage <folder>`
  }
  const lines = [`Staging database ${result.database}: ${plural(result.scopes.length, 'scope')}.`, '']
  for (const scope of result.scopes) lines.push(...renderScope(scope))
  return lines.join('\n').trimEnd()
}

function renderScope(scope: ScopeStatus): string[] {
  const held = Object.entries(scope.held).map(([entity, count]) => `${entity} ${n(count)}`)
  const lines = [
    `Scope ${scope.scope}: holds ${plural(scope.records, 'record')}` +
      (held.length > 0 ? ` (${held.join(', ')})` : '') +
      `; ${batches(scope.batchCount)}.`,
  ]
  const newest = scope.batches[0]
  if (scope.drift.length > 0) {
    lines.push(
      `  ⚠ Schema drift in the newest batch${newest === undefined ? '' : ` (${newest.id})`}: the input differs from the previous batch of its template.`,
      ...renderDrift(scope.drift, '    '),
    )
  }
  lines.push('')
  for (const batch of scope.batches) lines.push(...renderBatch(batch, batch === newest), '')
  const hidden = scope.batchCount - scope.batches.length
  if (hidden > 0) {
    lines.push(`  … and ${batches(hidden, 'older ')} (--limit 0 lists them all).`, '')
  }
  return lines
}

function renderBatch(batch: BatchStatus, newest: boolean): string[] {
  const header = [
    `Batch ${batch.id}`,
    batch.kind,
    ...(batch.label === undefined ? [] : [`"${batch.label}"`]),
    ...(batch.template === undefined
      ? []
      : [`template ${batch.template.name}${batch.template.version ? `@${batch.template.version}` : ''}`]),
    ...(batch.source === undefined ? [] : [`from ${batch.source}`]),
    formatTime(batch.finishedAt),
    ...(batch.partial ? ['partial'] : []),
    ...(unchanged(batch) ? ['no changes'] : []),
  ]
  const lines = [`  ${header.join(' · ')}`]
  const entities = Object.entries(batch.counts)
  if (entities.length === 0) {
    lines.push('    no records')
  } else {
    lines.push(...renderChangesTable(batch.counts, batch.partial).map((line) => `    ${line}`))
  }
  if (batch.files.length > 0) {
    const names = batch.files.slice(0, FILES_SHOWN).map((file) => file.path)
    const more = batch.files.length - names.length
    lines.push(
      `    ${batch.files.length === 1 ? 'file' : 'files'}: ${names.join(', ')}${more > 0 ? ` and ${n(more)} more` : ''}`,
    )
  }
  if (batch.drift.length > 0) {
    if (newest) lines.push(`    ⚠ ${plural(batch.drift.length, 'drift warning')} (above)`)
    else lines.push(`    ⚠ ${plural(batch.drift.length, 'drift warning')}:`, ...renderDrift(batch.drift, '      '))
  }
  return lines
}

/** Whether the batch left its scope as it was: nothing added, changed or absent. */
function unchanged(batch: BatchStatus): boolean {
  const entities = Object.values(batch.counts)
  return (
    entities.length > 0 &&
    entities.every((changes) => changes.added === 0 && changes.changed === 0 && changes.absent === 0)
  )
}

function batches(count: number, adjective = ''): string {
  return `${n(count)} ${adjective}${count === 1 ? 'batch' : 'batches'}`
}

function renderDrift(warnings: DriftWarning[], indent: string): string[] {
  return warnings.map((warning) => `${indent}- ${warning.message}`)
}

/** `givenName 8, enrolments 4, +2 more`: the fields arrive most-changed first. */

/** `2026-11-27 10:00:00+00:00`: the batch clock's RFC 3339 text, easier to read, in the offset it was written in. */
export function formatTime(time: string): string {
  return time.replace('T', ' ').replace(/\.\d+(?=[+-]\d\d:\d\d$|Z$)/, '')
}

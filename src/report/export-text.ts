import type {ExportResult} from '../services/export.js'
import {formatCount as n, plural, table} from './issue-groups-text.js'

/**
 * The human rendering of an export result. Records on stdout get one line (the command prints it on stderr, so the
 * data stays alone on stdout); files get a table per entity type and what was written where.
 */
export function renderExportResult(result: ExportResult): string {
  const state = result.current
    ? `the current state of scope ${result.scope} (batch ${result.batch})`
    : `the state of scope ${result.scope} right after batch ${result.batch}`
  const masking = result.masked ? '; personnummer masked (--reveal shows them)' : ''
  const [only] = result.entities
  if (result.out === undefined) {
    const what = plural(only?.records ?? 0, `${only?.entity ?? ''} record`)
    if (result.truncated) return `Stopped after ${what} of ${state}: the reader closed stdout.`
    return `Exported ${what} of ${state} as ${result.format}${masking}.`
  }
  const lines: string[] = []
  if (result.entities.length === 0) {
    lines.push(`Nothing to export: ${state} holds no records.`)
  } else if (
    result.entities.length === 1 &&
    only !== undefined &&
    only.file !== undefined &&
    only.sheet === undefined
  ) {
    lines.push(`Exported ${plural(only.records, `${only.entity} record`)} of ${state} to ${only.file}${masking}.`)
  } else {
    const xlsx = result.format === 'xlsx'
    const rows = [
      [
        '',
        'records',
        ...(result.format === 'json' || result.format === 'ndjson' ? [] : ['columns']),
        xlsx ? 'sheet' : 'file',
      ],
    ]
    for (const entity of result.entities) {
      rows.push([
        entity.entity,
        n(entity.records),
        ...(entity.columns === undefined ? [] : [n(entity.columns)]),
        (xlsx ? entity.sheet : entity.file) ?? '',
      ])
    }
    lines.push(
      `Exported ${state} as ${result.format}:`,
      '',
      ...table(rows, new Set([0, rows[0]!.length - 1])).map((line) => `  ${line}`),
      '',
    )
    lines.push(
      xlsx
        ? `Wrote ${plural(result.entities.length, 'worksheet')} to ${result.out}${masking}.`
        : `Wrote ${plural(result.entities.length, 'file')} to ${result.out}${masking}.`,
    )
  }
  if (result.removed.length > 0) {
    lines.push(`Removed ${plural(result.removed.length, 'file')} of an earlier export: ${result.removed.join(', ')}.`)
  }
  const cut = result.entities.filter((entity) => (entity.cutCells ?? 0) > 0)
  if (cut.length > 0) {
    const total = cut.reduce((sum, entity) => sum + (entity.cutCells ?? 0), 0)
    lines.push(
      `⚠ ${plural(total, 'cell')} longer than Excel's 32,767 characters cut (${cut.map((entity) => `${entity.sheet ?? entity.entity}: ${n(entity.cutCells ?? 0)}`).join(', ')}); export json for the whole values.`,
    )
  }
  return lines.join('\n')
}

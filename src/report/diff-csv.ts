import type {DiffDetail} from '../diff/engine.js'
import {csvCell} from './csv-cell.js'

/** The columns of the diff's CSV, one row per field that differs. */
export const DIFF_CSV_COLUMNS = ['entity', 'leftId', 'rightId', 'key', 'kind', 'path', 'left', 'right'] as const

/**
 * A diff's details as CSV for Excel in Sweden, as rejects.csv and export's CSV: UTF-8 with a byte-order mark, `;`
 * between cells, CRLF line ends, every cell through `csvCell` (quoted when needed, never taken for a formula). One
 * row per field that differs; a record only on one side or ambiguous is one row with no path. Text is written as
 * it is, other values (numbers, lists, objects) as JSON; an absent value is an empty cell. Values come masked as the
 * diff masked them.
 */
export function* renderDiffCsv(details: Iterable<DiffDetail>): Generator<string> {
  yield `\ufeff${DIFF_CSV_COLUMNS.join(';')}\r\n`
  for (const detail of details) {
    const record = [detail.entity, detail.leftId ?? '', detail.rightId ?? '', detail.key ?? '', detail.kind]
    if (detail.changes.length === 0) {
      yield row([...record, '', '', ''])
      continue
    }
    for (const change of detail.changes) yield row([...record, change.path, cell(change.left), cell(change.right)])
  }
}

function row(cells: string[]): string {
  return `${cells.map((text) => csvCell(text)).join(';')}\r\n`
}

function cell(value: unknown): string {
  if (value === undefined) return ''
  return typeof value === 'string' ? value : JSON.stringify(value)
}

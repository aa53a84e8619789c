import type {InspectResult} from '../services/inspect.js'
import {formatCount as n, plural, renderIssueSection, table} from './issue-groups-text.js'
import {renderTemplateFits} from './templates-text.js'

const DELIMITER_NAMES: Record<string, string> = {';': 'semicolon', ',': 'comma', '\t': 'tab', '|': 'pipe'}

/**
 * The human rendering of an inspect result: how the file was read, one line per column, the issues, and the shipped
 * templates that fit the headers.
 */
export function renderInspectResult(result: InspectResult): string {
  const lines: string[] = [`${result.file}`]
  const how: string[] = [result.format === 'xlsx' ? 'Excel workbook' : 'CSV']
  if (result.encoding) how.push(`encoding ${result.encoding.name}${result.encoding.detected ? ' (detected)' : ''}`)
  if (result.delimiter) {
    const name = DELIMITER_NAMES[result.delimiter.character] ?? JSON.stringify(result.delimiter.character)
    how.push(`delimiter ${name}${result.delimiter.detected ? ' (detected)' : ''}`)
  }
  if (result.sheet !== undefined) how.push(`sheet "${result.sheet}"`)
  if (result.header.row > 0) {
    const where = result.format === 'xlsx' ? 'row' : 'line'
    how.push(`header on ${where} ${result.header.row}${result.header.detected ? ' (detected)' : ''}`)
  }
  lines.push(`  ${how.join(', ')}`)
  if (result.sheets && result.sheets.length > 1) {
    lines.push(
      `  sheets: ${result.sheets.map((sheet) => `${sheet.index}. ${sheet.name} (${n(sheet.rows)} rows)`).join(', ')}`,
    )
  }
  lines.push(`  ${plural(result.records, 'record')}, ${plural(result.columns.length, 'column')}`, '')

  if (result.columns.length > 0) {
    const rows = [['#', 'column', 'kind', 'filled', 'distinct', 'examples']]
    for (const column of result.columns) {
      const kind = column.formats.length > 0 ? `${column.kind}: ${column.formats.join(', ')}` : column.kind
      const invalid = column.invalid ? ` (${n(column.invalid)} fail the check digit)` : ''
      rows.push([
        String(column.index),
        column.name,
        `${kind}${invalid}`,
        `${(column.fillRate * 100).toFixed(1)}%`,
        `${n(column.distinct)}${column.distinctCapped ? '+' : ''}`,
        column.examples.join(' · '),
      ])
    }
    lines.push(...table(rows, new Set([1, 2, 5])).map((line) => `  ${line}`), '')
  }
  lines.push(...renderIssueSection(result.issues.groups, result.issues))
  if (result.header.columns.length > 0) lines.push(...renderTemplateFits(result.templates))
  return lines.join('\n').trimEnd()
}

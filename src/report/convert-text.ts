import type {ConvertResult} from '../services/convert.js'
import {formatCount as n, plural, table} from './issue-groups-text.js'
import {renderIssuesWithRootCauses} from './root-causes-text.js'
import {ANNOTATED_DIR} from './xlsx/annotate.js'

/**
 * The human rendering of a convert result: rows per file reconciled (read = accepted + rejected + skipped), what the
 * filters did, entities per type, the defaults taken from the configuration, issues grouped, and what was written.
 */
export function renderConvertResult(result: ConvertResult): string {
  const lines: string[] = []
  const {totals} = result
  lines.push(
    `Converted with template ${result.template.name} ${result.template.version}, validated against the ${result.profile} profile.`,
    '',
  )

  const files: string[][] = [['Rows', 'read', 'accepted', 'rejected', 'skipped']]
  for (const file of result.files) {
    files.push([`${file.file} (${file.input})`, n(file.rows), n(file.accepted), n(file.rejected), n(file.skipped)])
  }
  files.push(['Total', n(totals.rows), n(totals.accepted), n(totals.rejected), n(totals.skipped)])
  lines.push(...table(files).map((line) => `  ${line}`), '')

  const filtered = result.files.flatMap((file) => [
    ...Object.entries(file.skippedBy).map(([reason, count]) => `  ${n(count)} skipped in ${file.file}: ${reason}`),
    ...Object.entries(file.keptBy).map(([reason, count]) => `  ${n(count)} kept in ${file.file}: ${reason}`),
  ])
  if (filtered.length > 0) lines.push('Filters:', ...filtered, '')

  const entities: string[][] = [['Entities', 'produced', 'written', 'rejected']]
  for (const [entity, tally] of Object.entries(result.entities)) {
    entities.push([entity, n(tally.produced), n(tally.written), n(tally.rejected)])
  }
  if (entities.length > 1) lines.push(...table(entities).map((line) => `  ${line}`), '')

  if (result.defaults.length > 0) {
    lines.push('Defaults from the configuration:')
    const defaults = result.defaults.map((applied) => [
      n(applied.count),
      applied.field,
      `got ${applied.value} from config ${applied.setting}`,
    ])
    lines.push(...table(defaults, new Set([1, 2])).map((line) => `  ${line}`), '')
  }

  lines.push(...renderIssuesWithRootCauses(result.issueGroups, totals, result.rootCauses, result.otherIssueGroups))
  lines.push(verdict(result))
  const annotated = result.outputs.filter((name) => name.startsWith(`${ANNOTATED_DIR}/`))
  if (annotated.length > 0) {
    const what =
      annotated.length === 1
        ? 'An annotated copy of the input'
        : `Annotated copies of the ${n(annotated.length)} inputs`
    lines.push(`${what}, each problem marked where it is:`)
    for (const name of annotated) lines.push(`  ${result.outDir}/${name}`)
  }
  return lines.join('\n')
}

function verdict(result: ConvertResult): string {
  const {totals} = result
  const entityFiles = result.outputs.filter(
    (name) => name !== 'rejects.csv' && name !== 'report.json' && !name.startsWith(`${ANNOTATED_DIR}/`),
  ).length
  const where = result.outDir
  if (result.valid) {
    const warnings = totals.warnings > 0 ? `, with ${plural(totals.warnings, 'warning')}` : ''
    return `Wrote ${plural(entityFiles, 'entity file')}, rejects.csv and report.json to ${where}${warnings}.`
  }
  if (result.partial) {
    return `Partial: ${plural(totals.errors, 'error')}; ${plural(totals.rejected, 'row')} rejected (see ${where}/rejects.csv). Wrote the valid entities to ${where}, marked partial in report.json. Exit code 5.`
  }
  return `Not written: ${plural(totals.errors, 'error')}; ${plural(totals.rejected, 'row')} rejected (see ${where}/rejects.csv and report.json). Fix them, or pass --allow-partial to write the valid entities. Exit code 3.`
}

import type {ConvertResult} from '../../services/convert.js'
import type {StageResult} from '../../services/stage.js'
import {type Html, htmlContext, plural} from './escape.js'
import {issuesSection} from './issues.js'
import {cell, reconciliation, renderPage, section, summaryCards, table, type Tone} from './page.js'
import {stageSections, stageVerdict} from './stage.js'

/**
 * `ss12000 convert --html`: cards with the counts, the reconciliation (rows read = accepted + rejected + skipped) in
 * total and per file, what the filters did, the entities per type (produced, written, rejected), the defaults taken
 * from the configuration, and the issues by root cause; with --stage, what staging did after. Sized by files, types
 * and issue groups, never by rows.
 */
export function renderConvertHtml(
  result: ConvertResult & {stage?: StageResult},
  options: {reveal: boolean},
): Generator<string> {
  const h = htmlContext(options)
  const converted = verdict(result)
  const staged = result.stage === undefined ? undefined : stageVerdict(result.stage)
  return renderPage(
    h,
    {
      title: `ss12000 convert: ${result.template.name}`,
      heading: 'ss12000 convert',
      facts: [
        ['Template', h.text(`${result.template.name} ${result.template.version}`)],
        ['Profile', h.text(result.profile)],
        ['Reference date', h.text(result.referenceDate)],
        ['Output', h.code(result.outDir)],
      ],
      verdict:
        staged === undefined
          ? converted
          : {text: `${converted.text} ${staged.text}`, tone: staged.tone === 'bad' ? 'bad' : converted.tone},
    },
    body(h, result),
  )
}

function* body(h: Html, result: ConvertResult & {stage?: StageResult}): Generator<string> {
  const {totals} = result
  const tallies = Object.values(result.entities)
  yield* section(h, 'summary', 'Summary', [
    summaryCards(h, [
      {metric: 'rows', label: 'rows read', value: totals.rows},
      {metric: 'accepted', label: 'accepted', value: totals.accepted, tone: 'ok'},
      {metric: 'rejected', label: 'rejected', value: totals.rejected, tone: 'bad'},
      {metric: 'skipped', label: 'skipped by a filter', value: totals.skipped},
      {metric: 'produced', label: 'entities made', value: tallies.reduce((sum, t) => sum + (t?.produced ?? 0), 0)},
      {metric: 'written', label: 'entities written', value: tallies.reduce((sum, t) => sum + (t?.written ?? 0), 0)},
    ]),
    reconciliation(
      h,
      ['rows read', totals.rows],
      [
        ['accepted', totals.accepted],
        ['rejected', totals.rejected],
        ['skipped', totals.skipped],
      ],
    ),
  ])
  yield* section(h, 'files', 'Rows per file', files(h, result))
  const filtered = result.files.flatMap((file) => [
    ...Object.entries(file.skippedBy).map(([reason, count]) => ({file: file.file, what: 'skipped', reason, count})),
    ...Object.entries(file.keptBy).map(([reason, count]) => ({file: file.file, what: 'kept', reason, count})),
  ])
  if (filtered.length > 0) {
    yield* section(
      h,
      'filters',
      'Filters',
      table(
        h,
        {
          id: 'filters-table',
          noun: 'filters',
          columns: [{label: 'file'}, {label: 'rows', numeric: true}, {label: ''}, {label: 'reason'}],
          filters: [{key: 'what', label: 'outcome'}],
        },
        filtered.map((row) => ({
          cells: [cell.code(h, row.file), cell.num(row.count), cell.text(h, row.what), cell.text(h, row.reason)],
          data: {what: row.what},
        })),
      ),
    )
  }
  const entities = Object.entries(result.entities)
  yield* section(
    h,
    'entities',
    'Entities per type',
    entities.length === 0
      ? ['<p>No entities were made.</p>\n']
      : table(
          h,
          {
            id: 'entities-table',
            noun: 'entity types',
            search: false,
            columns: [
              {label: 'entity'},
              {label: 'produced', numeric: true},
              {label: 'written', numeric: true},
              {label: 'rejected', numeric: true},
            ],
          },
          entities.map(([entity, tally]) => ({
            cells: [cell.head(h, entity), cell.num(tally.produced), cell.num(tally.written), cell.num(tally.rejected)],
            data: {entity},
          })),
        ),
  )
  if (result.defaults.length > 0) {
    yield* section(
      h,
      'defaults',
      'Defaults from the configuration',
      table(
        h,
        {
          id: 'defaults-table',
          noun: 'defaults',
          columns: [{label: 'count', numeric: true}, {label: 'field'}, {label: 'value'}, {label: 'setting'}],
        },
        result.defaults.map((applied) => ({
          cells: [
            cell.num(applied.count),
            cell.code(h, applied.field),
            cell.code(h, applied.value),
            cell.code(h, applied.setting),
          ],
        })),
      ),
    )
  }
  yield* section(
    h,
    'issues',
    'Issues',
    issuesSection(h, {
      groups: result.issueGroups,
      counts: totals,
      rootCauses: result.rootCauses,
      otherGroups: result.otherIssueGroups,
    }),
  )
  yield* section(h, 'outputs', 'Written', [
    result.outputs.length === 0
      ? '<p>Nothing.</p>\n'
      : `<ul>${result.outputs.map((name) => `<li>${h.code(`${result.outDir}/${name}`)}</li>`).join('')}</ul>\n`,
  ])
  if (result.stage !== undefined) yield* stageSections(h, result.stage, {prefix: 'stage-'})
}

function* files(h: Html, result: ConvertResult): Generator<string> {
  const {totals} = result
  yield* table(
    h,
    {
      id: 'files-table',
      noun: 'files',
      columns: [
        {label: 'file'},
        {label: 'input'},
        {label: 'read', numeric: true},
        {label: 'accepted', numeric: true},
        {label: 'rejected', numeric: true},
        {label: 'skipped', numeric: true},
      ],
      filters: [{key: 'input', label: 'input'}],
    },
    [
      ...result.files.map((file) => ({
        cells: [
          cell.code(h, file.file),
          cell.text(h, file.input),
          cell.num(file.rows),
          cell.num(file.accepted),
          cell.num(file.rejected),
          cell.num(file.skipped),
        ],
        data: {input: file.input},
      })),
    ],
    [
      {
        cells: [
          cell.head(h, 'Total'),
          cell.html(''),
          cell.num(totals.rows),
          cell.num(totals.accepted),
          cell.num(totals.rejected),
          cell.num(totals.skipped),
        ],
        className: 'total',
      },
    ],
  )
}

function verdict(result: ConvertResult): {text: string; tone: Tone} {
  const {totals} = result
  if (result.valid) {
    const warnings = totals.warnings > 0 ? `, with ${plural(totals.warnings, 'warning')}` : ''
    return {text: `Converted: wrote the entity files to ${result.outDir}${warnings}.`, tone: warnings ? 'warn' : 'ok'}
  }
  if (result.partial) {
    return {
      text: `Partial: ${plural(totals.errors, 'error')}; ${plural(totals.rejected, 'row')} rejected (see rejects.csv). The valid entities were written, marked partial.`,
      tone: 'warn',
    }
  }
  return {
    text: `Not written: ${plural(totals.errors, 'error')}; ${plural(totals.rejected, 'row')} rejected (see rejects.csv and report.json).`,
    tone: 'bad',
  }
}

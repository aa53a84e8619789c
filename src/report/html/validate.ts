import type {ValidateResult} from '../../services/validate.js'
import {type Html, htmlContext, plural} from './escape.js'
import {issuesSection} from './issues.js'
import {cell, reconciliation, renderPage, section, summaryCards, table} from './page.js'

/**
 * `ss12000 validate --html`: cards with the counts, the reconciliation (records = valid + invalid + skipped), the
 * records per entity type and per file, and the issues by root cause. Sized by types, files and issue groups, never
 * by records.
 */
export function renderValidateHtml(result: ValidateResult, options: {reveal: boolean}): Generator<string> {
  const h = htmlContext(options)
  return renderPage(
    h,
    {
      title: `ss12000 validate: ${result.valid ? 'valid' : 'invalid'}`,
      heading: 'ss12000 validate',
      facts: [
        ['Profile', h.text(`${result.profile} (${result.mode} mode)`)],
        ['Files', h.text(plural(result.totals.files, 'file'))],
      ],
      verdict: verdict(result),
    },
    body(h, result),
  )
}

function* body(h: Html, result: ValidateResult): Generator<string> {
  const {totals} = result
  yield* section(h, 'summary', 'Summary', [
    summaryCards(h, [
      {metric: 'records', label: 'records', value: totals.records},
      {metric: 'valid', label: 'valid', value: totals.valid, tone: 'ok'},
      {metric: 'invalid', label: 'invalid', value: totals.invalid, tone: 'bad'},
      {metric: 'skipped', label: 'skipped (type unknown)', value: totals.skipped, tone: 'warn'},
      {metric: 'files', label: 'files', value: totals.files},
    ]),
    reconciliation(
      h,
      ['records', totals.records],
      [
        ['valid', totals.valid],
        ['invalid', totals.invalid],
        ['skipped', totals.skipped],
      ],
    ),
  ])
  yield* section(h, 'entities', 'Records per entity type', entities(h, result))
  yield* section(
    h,
    'issues',
    'Issues',
    issuesSection(h, {
      groups: result.groups,
      counts: totals,
      rootCauses: result.rootCauses,
      otherGroups: result.otherGroups,
    }),
  )
  yield* section(
    h,
    'files',
    'Files',
    table(
      h,
      {
        id: 'files-table',
        noun: 'files',
        columns: [
          {label: 'file'},
          {label: 'shape'},
          {label: 'records', numeric: true},
          {label: 'skipped', numeric: true},
        ],
        filters: [{key: 'shape', label: 'shape'}],
      },
      result.files.map((file) => ({
        cells: [cell.code(h, file.file), cell.text(h, file.shape), cell.num(file.records), cell.num(file.skipped)],
        data: {shape: file.shape},
      })),
    ),
  )
}

function* entities(h: Html, result: ValidateResult): Generator<string> {
  const rows = Object.entries(result.entities).map(([entity, counts]) => ({
    cells: [cell.head(h, entity), cell.num(counts.records), cell.num(counts.valid), cell.num(counts.invalid)],
    data: {entity},
  }))
  if (result.totals.skipped > 0) {
    rows.push({
      cells: [cell.head(h, '(type unknown, skipped)'), cell.num(result.totals.skipped), cell.html(''), cell.html('')],
      data: {entity: '(unknown)'},
    })
  }
  if (rows.length === 0) {
    yield '<p>No records.</p>\n'
    return
  }
  yield* table(
    h,
    {
      id: 'entities-table',
      noun: 'entity types',
      search: false,
      columns: [
        {label: 'entity'},
        {label: 'records', numeric: true},
        {label: 'valid', numeric: true},
        {label: 'invalid', numeric: true},
      ],
    },
    rows,
    [
      {
        cells: [
          cell.head(h, 'Total'),
          cell.num(result.totals.records),
          cell.num(result.totals.valid),
          cell.num(result.totals.invalid),
        ],
        className: 'total',
      },
    ],
  )
}

function verdict(result: ValidateResult): {text: string; tone: 'ok' | 'bad' | 'warn'} {
  const {totals} = result
  if (result.valid) {
    return totals.warnings > 0
      ? {text: `Valid: ${plural(totals.records, 'record')}, with ${plural(totals.warnings, 'warning')}.`, tone: 'warn'}
      : {text: `Valid: all ${plural(totals.records, 'record')} pass.`, tone: 'ok'}
  }
  const skipped = totals.skipped ? ` (${plural(totals.skipped, 'record')} skipped)` : ''
  return {
    text: `Invalid: ${plural(totals.errors, 'error')} in ${plural(totals.invalid, 'record')}${skipped}.`,
    tone: 'bad',
  }
}

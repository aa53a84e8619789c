import type {StageResult} from '../../services/stage.js'
import type {EntityName} from '../../schema/entity-names.js'
import type {EntityChanges} from '../../staging/batches.js'
import {formatCount, type Html, htmlContext, plural} from './escape.js'
import {issuesSection, type IssuesOptions} from './issues.js'
import {cell, reconciliation, renderPage, section, summaryCards, table, type Tone} from './page.js'

/**
 * `ss12000 stage --html`: the batch, cards with the counts, the reconciliation (records read = staged + refused +
 * withheld + skipped), per entity type what the batch added, changed, kept and no longer has (the term rollover view)
 * with the fields that changed, schema drift, and the issues by root cause. Sized by types and issue groups.
 */
export function renderStageHtml(result: StageResult, options: {reveal: boolean}): Generator<string> {
  const h = htmlContext(options)
  return renderPage(
    h,
    {
      title: `ss12000 stage: ${result.batch ? `batch ${result.batch.batch}` : 'nothing staged'}`,
      heading: 'ss12000 stage',
      facts: stageFacts(h, result),
      verdict: stageVerdict(result),
    },
    stageSections(h, result),
  )
}

export function stageFacts(h: Html, result: StageResult): Array<[string, string]> {
  const facts: Array<[string, string]> = [
    ['Scope', h.text(result.scope)],
    ['Database', h.code(result.db)],
  ]
  if (result.batch) {
    const against =
      result.batch.previous === undefined
        ? 'the first of its scope'
        : `against what the scope held after batch ${result.batch.previous}`
    facts.push(['Batch', h.text(`${result.batch.batch}${result.partial ? ' (partial)' : ''}, ${against}`)])
  }
  if (result.template) facts.push(['Template', h.text(`${result.template.name} ${result.template.version}`)])
  facts.push(['Rejects', h.code(result.rejects)])
  return facts
}

/** The stage sections, also under convert's when it staged (`convert --stage`); ids prefixed there. */
export function* stageSections(h: Html, result: StageResult, options: IssuesOptions = {}): Generator<string> {
  const prefix = options.prefix ?? ''
  const {totals, batch} = result
  const changes = Object.values(batch?.entities ?? {})
  const sum = (key: 'added' | 'changed' | 'unchanged' | 'absent') =>
    changes.reduce((acc, entity) => acc + (entity?.[key] ?? 0), 0)
  yield* section(h, `${prefix}summary`, prefix ? 'Staged' : 'Summary', [
    summaryCards(h, [
      {metric: `${prefix}records`, label: 'records read', value: totals.records},
      {metric: `${prefix}staged`, label: 'staged', value: totals.staged, tone: 'ok'},
      {metric: `${prefix}refused`, label: 'refused', value: totals.refused, tone: 'bad'},
      {metric: `${prefix}withheld`, label: 'withheld', value: totals.withheld, tone: 'warn'},
      {metric: `${prefix}skipped`, label: 'skipped (type unknown)', value: totals.skipped, tone: 'warn'},
      {metric: `${prefix}added`, label: 'added', value: sum('added')},
      {metric: `${prefix}changed`, label: 'changed', value: sum('changed')},
      {metric: `${prefix}unchanged`, label: 'unchanged', value: sum('unchanged')},
      {metric: `${prefix}absent`, label: result.partial ? 'absent (not counted)' : 'absent', value: sum('absent')},
    ]),
    reconciliation(
      h,
      ['records read', totals.records],
      [
        ['staged', totals.staged],
        ['refused', totals.refused],
        ['withheld', totals.withheld],
        ['skipped', totals.skipped],
      ],
    ),
    totals.refused > 0 ? `<p>Refused records are in ${h.code(result.rejects)}, with their reasons.</p>\n` : '',
    result.partial
      ? '<p>A partial batch: records it lacks stay staged as they were; nothing is counted as removed.</p>\n'
      : '',
  ])
  yield* section(h, `${prefix}entities`, 'Per entity type', entityTable(h, result, prefix))
  if (result.drift.length > 0) {
    yield* section(h, `${prefix}drift`, 'Schema drift', [
      `<p>The input files differ from those of batch ${result.driftSince ?? ''} (same template). Check the mapping before you upload:</p>\n<ul class="warnings">\n`,
      ...result.drift.map((warning) => `<li>${h.text(warning.message)}</li>\n`),
      '</ul>\n',
    ])
  }
  yield* section(
    h,
    `${prefix}issues`,
    prefix ? 'Issues found staging' : 'Issues',
    issuesSection(
      h,
      {groups: result.issueGroups, counts: totals, rootCauses: result.rootCauses, otherGroups: result.otherIssueGroups},
      {prefix},
    ),
  )
}

function* entityTable(h: Html, result: StageResult, prefix: string): Generator<string> {
  const names = new Set([
    ...Object.keys(result.entities),
    ...Object.keys(result.batch?.entities ?? {}),
  ]) as Set<EntityName>
  if (names.size === 0) {
    yield '<p>No records.</p>\n'
    return
  }
  yield* table(
    h,
    {
      id: `${prefix}entities-table`,
      noun: 'entity types',
      columns: [
        {label: 'entity'},
        {label: 'read', numeric: true},
        {label: 'refused', numeric: true},
        {label: 'in the batch', numeric: true},
        {label: 'added', numeric: true},
        {label: 'changed', numeric: true},
        {label: 'unchanged', numeric: true},
        {label: result.partial ? 'absent (not counted)' : 'absent', numeric: true},
        {label: 'fields changed'},
      ],
    },
    [...names].map((entity) => {
      const read = result.entities[entity]
      const changes: EntityChanges | undefined = result.batch?.entities[entity]
      const dash = cell.html('–', 'num')
      const num = (value: number | undefined) => (value === undefined ? dash : cell.num(value))
      return {
        cells: [
          cell.head(h, entity),
          num(read?.records),
          num(read?.refused),
          num(changes?.records),
          num(changes?.added),
          num(changes?.changed),
          num(changes?.unchanged),
          result.partial ? dash : num(changes?.absent),
          cell.text(h, fieldsChanged(changes?.fields ?? {})),
        ],
        data: {entity},
      }
    }),
  )
}

/** `emails 30, givenName 7`: every field that changed, in most records first (a type has a few dozen at most). */
function fieldsChanged(fields: Record<string, number>): string {
  return Object.entries(fields)
    .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))
    .map(([field, count]) => `${field} ${formatCount(count)}`)
    .join(', ')
}

export function stageVerdict(result: StageResult): {text: string; tone: Tone} {
  const {batch, totals} = result
  if (!batch) {
    return {
      text: `Nothing staged: ${plural(totals.refused, 'record')} with errors. Fix them, or pass --allow-partial to stage the valid records.`,
      tone: 'bad',
    }
  }
  if (totals.refused > 0) return {text: 'Staged without the refused records.', tone: 'warn'}
  if (batch.unchanged) return {text: 'No changes: the scope holds the same records as before.', tone: 'ok'}
  return {text: `Staged batch ${batch.batch}.`, tone: 'ok'}
}

import type {EntityName} from '../../schema/entity-names.js'
import type {UploadReport} from '../../services/upload.js'
import {formatLimit} from '../../sync/plan.js'
import {formatCount, type Html, htmlContext, plural} from './escape.js'
import {type Card, cell, renderPage, section, summaryCards, table, type Tone} from './page.js'

/**
 * `ss12000 upload --html`: the plan per entity type (create, update, upsert, delete, unchanged, held there) with
 * what the adapter cannot write and the safety limits, for a dry run a few sample records and the plan's hash, and
 * after a run what the target took and the refusals grouped by reason. Sized by types and refusal groups.
 */
export function renderUploadHtml(report: UploadReport, options: {reveal: boolean}): Generator<string> {
  const h = htmlContext(options)
  const {plan} = report
  const facts: Array<[string, string]> = [
    ['Target', `${h.code(report.target)} (${h.text(report.adapter)})`],
    ['Scope', h.text(`${report.scope} (batch ${plan.stagedBatch}${plan.partial ? ', partial' : ''})`)],
    [
      'Against',
      h.text(report.against === 'live' ? 'what its read API holds now' : 'what it acknowledged (the upload journal)'),
    ],
    ['Plan hash', h.code(report.hash)],
  ]
  if (report.run !== undefined) facts.push(['Run', h.text(String(report.run))])
  return renderPage(
    h,
    {
      title: `ss12000 upload: ${report.executed ? 'uploaded' : 'plan'} → ${report.target}`,
      heading: report.executed ? 'ss12000 upload' : 'ss12000 upload (plan)',
      facts,
      verdict: verdict(report),
    },
    body(h, report),
  )
}

function* body(h: Html, report: UploadReport): Generator<string> {
  const {plan} = report
  const entities = Object.entries(plan.entities) as Array<[EntityName, NonNullable<(typeof plan.entities)[EntityName]>]>
  const sum = (key: 'create' | 'update' | 'upsert' | 'delete' | 'unchanged') =>
    entities.reduce((acc, [, counts]) => acc + counts[key], 0)
  const sent = Object.values(report.sent)
  const cards: Card[] = [
    {metric: 'create', label: 'create', value: sum('create')},
    {metric: 'update', label: 'update', value: sum('update')},
    {metric: 'upsert', label: 'upsert', value: sum('upsert')},
    {metric: 'delete', label: 'delete', value: plan.partial ? 0 : sum('delete'), tone: 'warn'},
    {metric: 'unchanged', label: 'unchanged', value: sum('unchanged')},
  ]
  if (report.executed) {
    cards.push(
      {metric: 'taken', label: 'taken', value: sent.reduce((acc, counts) => acc + (counts?.ok ?? 0), 0), tone: 'ok'},
      {metric: 'refused', label: 'refused', value: sent.reduce((acc, counts) => acc + (counts?.refused ?? 0), 0)},
    )
    cards[cards.length - 1]!.tone = 'bad'
  }
  const notes: string[] = []
  if (plan.partial) notes.push('<p>The staged state is a partial batch: nothing is deleted.</p>\n')
  const unsupported = Object.entries(plan.unsupported) as Array<[EntityName, number]>
  if (unsupported.length > 0) {
    notes.push(
      `<p class="hint">⚠ ${h.text(report.adapter)} cannot write ${h.text(unsupported.map(([entity, count]) => plural(count, entity)).join(', '))}: not sent.</p>\n`,
    )
  }
  for (const breach of report.breaches) {
    notes.push(
      `<p class="hint">⚠ Would ${breach.what} ${h.text(plural(breach.count, breach.entity))} of ${formatCount(breach.known)}: more than ${h.text(formatLimit(breach.limit))}.</p>\n`,
    )
  }
  yield* section(h, 'summary', 'Summary', [summaryCards(h, cards), ...notes])
  yield* section(
    h,
    'plan',
    'Plan per entity type',
    table(
      h,
      {
        id: 'plan-table',
        noun: 'entity types',
        search: false,
        columns: [
          {label: 'entity'},
          ...['create', 'update', 'upsert', 'delete', 'unchanged', 'held there'].map((label) => ({
            label,
            numeric: true,
          })),
          ...(report.executed
            ? [
                {label: 'taken', numeric: true},
                {label: 'refused', numeric: true},
              ]
            : []),
        ],
      },
      entities.map(([entity, counts]) => ({
        cells: [
          cell.head(h, entity),
          cell.num(counts.create),
          cell.num(counts.update),
          cell.num(counts.upsert),
          plan.partial ? cell.html('–', 'num') : cell.num(counts.delete),
          cell.num(counts.unchanged),
          cell.num(counts.known),
          ...(report.executed
            ? [cell.num(report.sent[entity]?.ok ?? 0), cell.num(report.sent[entity]?.refused ?? 0)]
            : []),
        ],
        data: {entity},
      })),
    ),
  )
  if (!report.executed && report.samples.length > 0) {
    yield* section(
      h,
      'samples',
      'For example',
      table(
        h,
        {
          id: 'samples-table',
          noun: 'records',
          columns: [{label: 'action'}, {label: 'entity'}, {label: 'id'}, {label: 'name'}],
          filters: [
            {key: 'kind', label: 'action'},
            {key: 'entity', label: 'entity'},
          ],
        },
        report.samples.map((sample) => ({
          cells: [
            cell.text(h, sample.kind),
            cell.text(h, sample.entity),
            cell.code(h, sample.id),
            cell.text(h, sample.label),
          ],
          data: {kind: sample.kind, entity: sample.entity},
        })),
      ),
    )
  }
  if (report.executed) {
    yield* section(
      h,
      'refusals',
      'Refusals',
      report.refusals.length === 0 ? ['<p>The target refused nothing.</p>\n'] : refusalsSection(h, report),
    )
  }
}

/** The refusals: the refused records others depend on first, then every refusal grouped by reason. */
function* refusalsSection(h: Html, report: UploadReport): Generator<string> {
  const causes = report.refusalCauses
  if (causes.length > 0) {
    const explained = causes.reduce((sum, cause) => sum + cause.dependents, 0)
    yield (
      `<h3>Root causes</h3>\n<p>${h.text(plural(causes.length, 'refused record'))} ` +
      `${causes.length === 1 ? 'is' : 'are'} behind <strong data-metric="refusals-explained">${formatCount(explained)}</strong> other refusals: ` +
      'records that refer to them were refused too. Fix these first.</p>\n<ol class="causes">\n'
    )
    for (const cause of causes) {
      const types = Object.entries(cause.byEntity)
        .map(([entity, count]) => `${entity} ${formatCount(count!)}`)
        .join(', ')
      yield (
        `<li class="error" data-cause="${h.text(`${cause.entity} ${cause.id}`)}"><strong>${h.text(cause.entity)} ${h.code(cause.id)}</strong> ` +
        `refused (${cause.httpStatus}: ${h.text(cause.reason)}): <span class="count">${h.text(plural(cause.dependents, 'refusal'))}</span> ` +
        `depend on it (${h.text(types)})</li>\n`
      )
    }
    yield '</ol>\n<h3>By reason</h3>\n'
  }
  yield* table(
    h,
    {
      id: 'refusals-table',
      noun: 'refusals',
      columns: [
        {label: 'entity'},
        {label: 'status', numeric: true},
        {label: 'reason'},
        {label: 'records', numeric: true},
        {label: 'for example'},
      ],
      filters: [{key: 'entity', label: 'entity'}],
    },
    report.refusals.map((group) => ({
      cells: [
        cell.text(h, group.entity),
        cell.html(String(group.httpStatus), 'num'),
        cell.text(h, group.reason),
        cell.num(group.count),
        cell.html(
          `<ul class="places">${group.examples.map((example) => `<li>${h.code(example.id)}: ${h.text(example.reason)}</li>`).join('')}</ul>`,
        ),
      ],
      data: {entity: group.entity},
    })),
  )
}

function verdict(report: UploadReport): {text: string; tone: Tone} {
  if (!report.executed) return {text: `A plan: nothing was sent. Its hash is ${report.hash}.`, tone: 'info'}
  const sent = Object.values(report.sent)
  const ok = sent.reduce((acc, counts) => acc + (counts?.ok ?? 0), 0)
  const refused = sent.reduce((acc, counts) => acc + (counts?.refused ?? 0), 0)
  if (ok + refused === 0) return {text: 'Nothing to send: the target already holds the staged state.', tone: 'ok'}
  return {
    text: `Sent ${plural(ok + refused, 'record')} in ${report.seconds.toFixed(1)} s: ${formatCount(ok)} taken, ${formatCount(refused)} refused.`,
    tone: refused > 0 ? 'bad' : 'ok',
  }
}

import type {EntityName} from '../schema/entity-names.js'
import type {EntityChanges} from '../staging/batches.js'
import {formatCount as n, table} from './issue-groups-text.js'

/** How many changed fields a row names before "+N more". */
const MOST_CHANGED = 3

/**
 * A batch's changes as a table: per entity type records, added, changed, unchanged and absent (not counted for a
 * partial batch), and — when some field changed — the fields that changed most. Used by `stage` and `status`.
 */
export function renderChangesTable(counts: Partial<Record<EntityName, EntityChanges>>, partial: boolean): string[] {
  const entities = Object.entries(counts) as Array<[EntityName, EntityChanges]>
  // The last column only when some field changed: a first batch or a restage with no changes has none.
  const fieldsChanged = entities.some(([, changes]) => Object.keys(changes.fields).length > 0)
  const rows: string[][] = [
    [
      '',
      'records',
      'added',
      'changed',
      'unchanged',
      partial ? 'absent (not counted)' : 'absent',
      ...(fieldsChanged ? ['most changed'] : []),
    ],
  ]
  for (const [entity, changes] of entities) {
    rows.push([
      entity,
      n(changes.records),
      n(changes.added),
      n(changes.changed),
      n(changes.unchanged),
      partial ? '–' : n(changes.absent),
      ...(fieldsChanged ? [mostChanged(changes.fields)] : []),
    ])
  }
  return table(rows, new Set([0, 6]))
}

/** `emails 30, givenName 7, +2 more`: the fields that changed in most records first. */
function mostChanged(fields: Record<string, number>): string {
  const entries = Object.entries(fields).sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))
  const shown = entries.slice(0, MOST_CHANGED).map(([field, count]) => `${field} ${n(count)}`)
  const more = entries.length - shown.length
  return `${shown.join(', ')}${more > 0 ? `, +${n(more)} more` : ''}`
}

import type {HistoryChange, HistoryResult, HistoryVersion} from '../services/history.js'
import {formatCount as n, plural} from './issue-groups-text.js'
import {formatTime} from './status-text.js'

/** Values longer than this are cut with an ellipsis: history is for reading; --json has them whole. */
const VALUE_WIDTH = 100

/** The human rendering of history: where the record stands now, then each version oldest first with its changes. */
export function renderHistoryResult(result: HistoryResult): string {
  const severalScopes = result.current.length > 1
  const lines = [
    `${result.entity} ${result.id} in ${result.database}: ${plural(result.versions.length, 'version')}` +
      (severalScopes ? ` in ${plural(result.current.length, 'scope')}.` : ` in scope ${result.current[0]?.scope}.`),
  ]
  for (const state of result.current) {
    lines.push(
      state.held
        ? `Held now in scope ${state.scope}, as its version of batch ${state.batch}.`
        : `Not held now in scope ${state.scope}: removed in batch ${state.batch}.`,
    )
  }
  lines.push('')
  const removedIn = new Map<string, number>()
  for (const version of result.versions) {
    lines.push(header(version, severalScopes), ...describe(version, removedIn.get(version.scope)), '')
    if (version.event === 'removed') removedIn.set(version.scope, version.batch)
    else removedIn.delete(version.scope)
  }
  return lines.join('\n').trimEnd()
}

function header(version: HistoryVersion, withScope: boolean): string {
  const parts = [
    `Batch ${version.batch}`,
    ...(withScope ? [`scope ${version.scope}`] : []),
    ...(version.label === undefined ? [] : [`"${version.label}"`]),
    formatTime(version.finishedAt),
    ...(version.file === undefined
      ? []
      : [version.line === undefined ? version.file : `${version.file}:${version.line}`]),
  ]
  return parts.join(' · ')
}

function describe(version: HistoryVersion, removedIn: number | undefined): string[] {
  switch (version.event) {
    case 'added':
      return [`  added with ${plural(version.changes.length, 'field')}:`, ...renderChanges(version.changes, false)]
    case 'removed':
      return [`  removed: no longer present in batch ${version.batch}, a full batch of scope ${version.scope}.`]
    case 'added-again': {
      const after = removedIn === undefined ? '' : ` after its removal in batch ${removedIn}`
      if (version.changes.length === 0) {
        return [`  added again${after}, the same as its version of batch ${version.comparedWith}.`]
      }
      return [
        `  added again${after}; ${plural(version.changes.length, 'field')} ${version.changes.length === 1 ? 'differs' : 'differ'} from its version of batch ${version.comparedWith}:`,
        ...renderChanges(version.changes, true),
      ]
    }
    case 'changed':
      if (version.changes.length === 0) return ['  changed, though no field differs.']
      return [
        `  changed ${plural(version.changes.length, 'field')} against batch ${version.comparedWith}:`,
        ...renderChanges(version.changes, true),
      ]
  }
}

/**
 * One line per field: `~ givenName  "Alva" → "Alva Maria"`, `+ middleName  "Berg"`, `- sex  "Kvinna"`; an array's
 * items that came and went on lines of their own. Without marks (`added`), a plain field list.
 */
function renderChanges(changes: HistoryChange[], marked: boolean): string[] {
  const width = Math.max(...changes.map((change) => change.path.length))
  const lines: string[] = []
  for (const change of changes) {
    const mark = !marked ? '' : change.before === undefined ? '+ ' : change.after === undefined ? '- ' : '~ '
    lines.push(`    ${mark}${change.path.padEnd(width)}  ${describeChange(change)}`.trimEnd())
    const indent = `    ${' '.repeat(mark.length)}  `
    for (const item of change.itemsAdded ?? []) lines.push(`${indent}+ ${formatValue(item)}`)
    for (const item of change.itemsRemoved ?? []) lines.push(`${indent}- ${formatValue(item)}`)
  }
  return lines
}

function describeChange(change: HistoryChange): string {
  if (change.before === undefined) return formatValue(change.after)
  if (change.after === undefined) return formatValue(change.before)
  if (change.itemsAdded !== undefined && change.itemsRemoved !== undefined) {
    const added = change.itemsAdded.length
    const removed = change.itemsRemoved.length
    if (added === 0) return `${plural(removed, 'item')} removed`
    return removed === 0 ? `${plural(added, 'item')} added` : `${plural(added, 'item')} added, ${n(removed)} removed`
  }
  const before = formatValue(change.before)
  const after = formatValue(change.after)
  // Equal once masked: the difference lies in the digits masking hides.
  if (before === after) return `${before} → ${after} (differs in masked digits; --reveal shows it)`
  return `${before} → ${after}`
}

/** A value as JSON, cut to VALUE_WIDTH; a long array says first how many items it has. */
function formatValue(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value)
  if (text.length <= VALUE_WIDTH) return text
  const count = Array.isArray(value) ? `${plural(value.length, 'item')}: ` : ''
  return `${count}${text.slice(0, VALUE_WIDTH - count.length - 1)}…`
}

import {isRecord} from '../util.js'
import {canonicalValueJson} from './canonical.js'

/** One field that differs between two versions of a record: its path (`givenName`, `civicNo.value`), before and after. */
export interface FieldChange {
  path: string
  /** Absent when the field was added. */
  before?: unknown
  /** Absent when the field was removed. */
  after?: unknown
}

/**
 * The fields that differ between two versions of a record, as leaf paths in key order. Objects are compared field by
 * field; an array is one value, compared as a set (canonical JSON), since the standard's arrays have no order. `meta`
 * at the top is the server's bookkeeping and never counts as a change.
 */
export function fieldChanges(before: unknown, after: unknown): FieldChange[] {
  const changes: FieldChange[] = []
  compare(before, after, '', changes, true)
  return changes
}

function compare(before: unknown, after: unknown, path: string, changes: FieldChange[], top: boolean): void {
  if (isRecord(before) && isRecord(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()
    for (const key of keys) {
      if (top && key === 'meta') continue
      const child = path === '' ? key : `${path}.${key}`
      const a = before[key]
      const b = after[key]
      if (a === undefined && b === undefined) continue
      if (a === undefined) changes.push({path: child, after: b})
      else if (b === undefined) changes.push({path: child, before: a})
      else compare(a, b, child, changes, false)
    }
    return
  }
  if (canonicalValueJson(before) !== canonicalValueJson(after)) changes.push({path, before, after})
}

/** The top-level field of a change's path (`civicNo.value` → `civicNo`). */
export function topField(path: string): string {
  const dot = path.indexOf('.')
  return dot === -1 ? path : path.slice(0, dot)
}

import {entityFromName, type EntityName} from '../schema/entity-names.js'
import {normalizeCivicNumber} from '../transforms/civic-number.js'
import {isRecord} from '../util.js'
import type {Deviations} from './deviations.js'

/**
 * Reading what real SS 12000 servers send, which is not always what the standard says (SPEC-NOTES §3, §4). Every
 * deviation tolerated here is reported once through `Deviations`; none is fixed silently.
 */
export interface ReadContext {
  /** Names the server in warnings (its base URL). */
  server: string
  deviations: Deviations
  /** YYYY-MM-DD: the date two-digit civic-number years are placed against (the person is 0–99 on it). */
  referenceDate: string
}

/** One page of a list: its records (normalized) and the token of the next page, if there is one. */
export interface ListPage {
  records: Record<string, unknown>[]
  pageToken?: string
}

/**
 * A list answer `{data: [...], pageToken}`. Tolerated: the records under the collection's own name
 * (`{organisations: [...]}`, as Skolverket's OpenAPI has it), a numeric pageToken (stringified), an empty one (the end),
 * and items that are not objects (skipped). A string saying what is wrong when the body is not a list answer at all.
 */
export function readListPage(body: unknown, collection: string, context: ReadContext): ListPage | string {
  if (!isRecord(body)) return `the answer is ${describe(body)}, not a list answer {"data": [...], "pageToken": ...}`
  let items = body.data
  if (!Array.isArray(items)) {
    const named = Object.keys(body).find((key) => key.toLowerCase() === collection.toLowerCase())
    if (named === undefined || !Array.isArray(body[named])) {
      return `the answer has no "data" list (it has ${
        Object.keys(body)
          .map((key) => `"${key}"`)
          .join(', ') || 'no keys'
      })`
    }
    items = body[named]
    context.deviations.report(`envelope:${collection}`, () => {
      return `${context.server}/${collection} lists its records under "${named}" instead of "data"; read them from there.`
    })
  }
  const records: Record<string, unknown>[] = []
  for (const item of items as unknown[]) {
    if (isRecord(item)) {
      records.push(normalizeRecord(item, collection, context))
      continue
    }
    context.deviations.report(`non-object:${collection}`, () => {
      return `${context.server}/${collection} sends list items that are not JSON objects (${describe(item)}); skipped them, as they have no id to keep them by.`
    })
  }
  const pageToken = readPageToken(body.pageToken, collection, context)
  if (pageToken === false) return `its pageToken is ${describe(body.pageToken)}, neither a string nor null`
  return pageToken === undefined ? {records} : {records, pageToken}
}

/** `an array`, `a number`, `null`… for messages about what came instead. */
function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`
}

/** The next page's token: a non-empty string, undefined at the end (absent, null or ''), false when unreadable. */
export function readPageToken(value: unknown, collection: string, context: ReadContext): string | undefined | false {
  if (value === undefined || value === null) return undefined
  if (typeof value === 'string') {
    if (value !== '') return value
    context.deviations.report('page-token-empty', () => {
      return `${context.server}/${collection} ended a list with pageToken "" instead of null; read it as the last page.`
    })
    return undefined
  }
  if (typeof value === 'number' && Number.isFinite(value)) {
    context.deviations.report('page-token-number', () => {
      return `${context.server}/${collection} sends pageToken as a number, not a string; sent it back as text.`
    })
    return String(value)
  }
  return false
}

const NAIVE_DATE_TIME = /^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2})(:\d{2}(?:\.\d+)?)?$/
const LONG_CIVIC_WITH_SEPARATOR = /^(\d{8})[-+]([0-9A-Z]{2}\d{2})$/
const SEPARATOR = /[-+]/

/**
 * A record as the toolkit's schemas expect it, in place, with its `_embedded` records:
 * - `meta.created` / `meta.modified` without a UTC offset get `Z`: read as UTC, which is what servers that drop the
 *   offset mean in practice (Python's naive `utcnow()`, Skolverket's reference server; MongoDB stores UTC).
 * - `civicNo.value` with a separator: `YYYYMMDD-NNNN` (or `+`) loses it; `YYMMDD-NNNN` / `YYMMDD+NNNN` gets its
 *   century by Skatteverket's rule (0–99 years old on the reference date, 100 or more with `+`). A short number that
 *   is not a real date or has a wrong check digit is kept as sent, for validation to flag.
 */
export function normalizeRecord(
  record: Record<string, unknown>,
  collection: string,
  context: ReadContext,
): Record<string, unknown> {
  const meta = record.meta
  if (isRecord(meta)) {
    for (const key of ['created', 'modified']) {
      const value = meta[key]
      if (typeof value !== 'string') continue
      const naive = NAIVE_DATE_TIME.exec(value)
      if (!naive) continue
      meta[key] = `${naive[1]}T${naive[2]}${naive[3] ?? ':00'}Z`
      context.deviations.report('naive-timestamp', () => {
        return `${context.server}/${collection} sends meta.${key} without a UTC offset (${value}); read such times as UTC.`
      })
    }
  }
  const civicNo = record.civicNo
  if (isRecord(civicNo) && typeof civicNo.value === 'string' && SEPARATOR.test(civicNo.value)) {
    const normalized = normalizeCivicNo(civicNo.value, context.referenceDate)
    if (normalized !== undefined) {
      civicNo.value = normalized
      context.deviations.report('civic-no-separator', () => {
        return `${context.server}/${collection} sends civicNo.value with a separator (YYYYMMDD-NNNN or YYMMDD-NNNN); normalized to the standard's 12 characters.`
      })
    } else {
      context.deviations.report('civic-no-unreadable', () => {
        return `${context.server}/${collection} sends civicNo.value with a separator that is not a readable civic number; kept as sent, for validation to flag.`
      })
    }
  }
  const embedded = record._embedded
  if (isRecord(embedded)) {
    for (const value of Object.values(embedded)) {
      for (const item of Array.isArray(value) ? value : [value]) {
        if (isRecord(item)) normalizeRecord(item, collection, context)
      }
    }
  }
  return record
}

function normalizeCivicNo(value: string, referenceDate: string): string | undefined {
  const text = value.trim()
  const long = LONG_CIVIC_WITH_SEPARATOR.exec(text)
  // With a four-digit year the separator says nothing more: removing it is always right.
  if (long) return `${long[1]}${long[2]}`
  const result = normalizeCivicNumber(text, {referenceDate})
  return result.ok && result.value !== undefined ? result.value.value : undefined
}

/** Deleted ids by entity type, and those a server did not say the type of. */
export interface DeletedIds {
  byEntity: Map<EntityName, string[]>
  /**
   * Ids from a flat list (or an unknown key) when more than one type was asked for: they cannot be placed. Ids are
   * UUIDs, so a caller may look them up in every type.
   */
  unattributed: string[]
}

/**
 * Adds a `deletedEntities` answer to `into`. The standard groups ids by plural key (`persons`, the misspelled
 * `activitites`, …); tolerated: other spellings `entityFromName` knows, unknown keys and a flat list of ids (when
 * only one type was asked for, its ids; otherwise unattributed). False when the body is not such an answer.
 */
export function addDeletedIds(
  body: unknown,
  asked: readonly EntityName[],
  into: DeletedIds,
  context: ReadContext,
): boolean {
  const data = isRecord(body) ? body.data : body
  if (Array.isArray(data)) {
    const only = asked.length === 1 ? asked[0] : undefined
    context.deviations.report('deleted-flat', () => {
      const where =
        only === undefined ? 'kept them as unattributed ids' : `read them as ${only} ids, the one type asked for`
      return `${context.server}/deletedEntities answers a flat list of ids instead of ids grouped by type; ${where}.`
    })
    addIds(into, only, data, context)
    return true
  }
  if (!isRecord(data)) return false
  for (const [key, ids] of Object.entries(data)) {
    const entity = entityFromName(key)
    if (entity === undefined) {
      context.deviations.report(`deleted-key:${key}`, () => {
        return `${context.server}/deletedEntities names a type "${key}" the standard does not have; kept its ids as unattributed.`
      })
    }
    if (Array.isArray(ids)) addIds(into, entity, ids, context)
    else if (ids !== null && ids !== undefined) return false
  }
  return true
}

function addIds(into: DeletedIds, entity: EntityName | undefined, ids: unknown[], context: ReadContext): void {
  const target = entity === undefined ? into.unattributed : (into.byEntity.get(entity) ?? [])
  if (entity !== undefined) into.byEntity.set(entity, target)
  for (const id of ids) {
    if (typeof id === 'string') target.push(id)
    else if (isRecord(id) && typeof id.id === 'string') {
      target.push(id.id)
      context.deviations.report('deleted-objects', () => {
        return `${context.server}/deletedEntities lists objects {"id": ...} instead of bare ids; read their ids.`
      })
    } else {
      context.deviations.report('deleted-not-id', () => {
        return `${context.server}/deletedEntities lists something that is not an id (${typeof id}); skipped it.`
      })
    }
  }
}

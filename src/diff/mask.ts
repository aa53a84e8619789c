import type {EntityName} from '../schema/entity-names.js'
import {isRecord} from '../util.js'
import {maskCivicNumber, maskCivicNumbersInText} from '../validation/identity.js'

/** Masks personnummer in a value found at `path` of a record (`''` for the record itself). */
export type ValueMask = (value: unknown, path: string) => unknown

const asIs: ValueMask = (value) => value

/**
 * The mask of one entity type's values, as history's: a Person's `civicNo.value` whatever its shape, and every
 * civic-number-shaped substring of any other string (UUIDs, dates and other numbers stay). `reveal` masks nothing.
 */
export function valueMask(entity: EntityName, reveal: boolean): ValueMask {
  if (reveal) return asIs
  const mask = (value: unknown, path: string): unknown => {
    if (typeof value === 'string') {
      return entity === 'Person' && path === 'civicNo.value' ? maskCivicNumber(value) : maskCivicNumbersInText(value)
    }
    if (Array.isArray(value)) return value.map((item) => mask(item, path))
    if (isRecord(value)) {
      return Object.fromEntries(
        Object.entries(value).map(([key, item]) => [key, mask(item, path === '' ? key : `${path}.${key}`)]),
      )
    }
    return value
  }
  return mask
}

/** Masks personnummer in free text (ids, keys, names, messages) unless `reveal`. */
export function textMask(reveal: boolean): (text: string) => string {
  return reveal ? (text) => text : maskCivicNumbersInText
}

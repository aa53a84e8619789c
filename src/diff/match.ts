import {UsageError} from '../errors.js'
import type {EntityName} from '../schema/entity-names.js'
import {isRecord} from '../util.js'

/**
 * How records of the two sides are paired. `id` (the default) pairs records of every entity type by id. The others
 * pair the records of one entity type by a key the two systems share when they gave the same people or units
 * different ids; every other entity type is still paired by id.
 * - `civicNo`: a Person's `civicNo.value` (a dash between the date and the last four is ignored).
 * - `eppn`: a Person's `eduPersonPrincipalNames`, compared without regard to case (as eduPerson's caseIgnoreMatch).
 * - `schoolUnitCode`: an Organisation's `schoolUnitCode`.
 * - `externalIdentifier`: the values of a Person's `externalIdentifiers`, of one `context` if given.
 */
export type MatchSpec =
  {by: 'id'} | {by: 'civicNo'} | {by: 'eppn'} | {by: 'schoolUnitCode'} | {by: 'externalIdentifier'; context?: string}

/** A match by key: the entity type it pairs and how a record's keys are found. */
export interface KeyMatch {
  entity: EntityName
  /** The record's keys: none (the record cannot be matched), one, or several (eppn, externalIdentifier). */
  keys(record: unknown): string[]
  /** Whether keys are personnummer, which output masks. */
  civic: boolean
}

const MATCH_NAMES = ['id', 'civicNo', 'eppn', 'schoolUnitCode', 'externalIdentifier'] as const

/** Reads `--match`: `id`, `civicNo`, `eppn`, `schoolUnitCode`, `externalIdentifier` or `externalIdentifier:CONTEXT`. */
export function parseMatchSpec(text: string): MatchSpec {
  const colon = text.indexOf(':')
  const name = colon < 0 ? text : text.slice(0, colon)
  if (name === 'externalIdentifier') {
    const context = colon < 0 ? undefined : text.slice(colon + 1)
    if (context === '') throw matchError(text, 'externalIdentifier:CONTEXT needs a context after the colon.')
    return context === undefined ? {by: 'externalIdentifier'} : {by: 'externalIdentifier', context}
  }
  if (colon >= 0 || !(MATCH_NAMES as readonly string[]).includes(name)) {
    throw matchError(text, `use one of ${MATCH_NAMES.join(', ')} (externalIdentifier:CONTEXT for one context).`)
  }
  return {by: name as Exclude<MatchSpec['by'], 'externalIdentifier'>}
}

/** `--match` written back. */
export function formatMatchSpec(match: MatchSpec): string {
  return match.by === 'externalIdentifier' && match.context !== undefined
    ? `externalIdentifier:${match.context}`
    : match.by
}

/** The key match a spec stands for; undefined for matching by id. */
export function keyMatch(match: MatchSpec): KeyMatch | undefined {
  switch (match.by) {
    case 'id':
      return undefined
    case 'civicNo':
      return {entity: 'Person', civic: true, keys: civicNoKeys}
    case 'eppn':
      return {entity: 'Person', civic: false, keys: eppnKeys}
    case 'schoolUnitCode':
      return {entity: 'Organisation', civic: false, keys: schoolUnitCodeKeys}
    case 'externalIdentifier':
      return {entity: 'Person', civic: false, keys: (record) => externalIdentifierKeys(record, match.context)}
  }
}

function civicNoKeys(record: unknown): string[] {
  const civicNo = isRecord(record) ? record.civicNo : undefined
  const value = isRecord(civicNo) ? civicNo.value : undefined
  if (typeof value !== 'string' || value.trim() === '') return []
  // Servers that write YYYYMMDD-NNNN mean the same number as those that write YYYYMMDDNNNN.
  return [value.trim().replace(/^([0-9]{8})-([0-9A-Za-z]{4})$/, '$1$2')]
}

function eppnKeys(record: unknown): string[] {
  const names = isRecord(record) ? record.eduPersonPrincipalNames : undefined
  if (!Array.isArray(names)) return []
  const keys = names.filter((name): name is string => typeof name === 'string' && name.trim() !== '')
  return [...new Set(keys.map((name) => name.trim().toLowerCase()))]
}

function schoolUnitCodeKeys(record: unknown): string[] {
  const code = isRecord(record) ? record.schoolUnitCode : undefined
  return typeof code === 'string' && code.trim() !== '' ? [code.trim()] : []
}

function externalIdentifierKeys(record: unknown, context: string | undefined): string[] {
  const identifiers = isRecord(record) ? record.externalIdentifiers : undefined
  if (!Array.isArray(identifiers)) return []
  const keys: string[] = []
  for (const identifier of identifiers) {
    if (!isRecord(identifier) || typeof identifier.value !== 'string' || identifier.value === '') continue
    if (context !== undefined && identifier.context !== context) continue
    keys.push(identifier.value)
  }
  return [...new Set(keys)]
}

function matchError(text: string, why: string): UsageError {
  return new UsageError(`Cannot match by "${text}": ${why}`)
}

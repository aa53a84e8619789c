import {readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

import {isMap, isSeq, LineCounter, parseDocument} from 'yaml'

import {PROFILE_NAMES, type ProfileName} from '../../src/schema/profiles.js'
import {type Difference, DIFFERENCE_KINDS, type DifferenceKind} from './compare.js'
import {isObject} from './oracle.js'

/**
 * The reviewed list of differences between our schemas and the oracles (allowed-differences.yaml), and the one
 * profile-level rule that is kept in code: see the header of the YAML file.
 */

export const ALLOWED_DIFFERENCES_FILE = fileURLToPath(new URL('./allowed-differences.yaml', import.meta.url))

export interface AllowedDifference {
  /** One profile or several: the entry must then match a difference in each of them. */
  profiles: ProfileName[]
  schema: string
  path: string
  kind: DifferenceKind
  reason: string
  /** When given, the difference's `ours` / `theirs` must be exactly this (pins enum values, patterns …). */
  ours?: unknown
  theirs?: unknown
  /** Where the entry is in the file, for messages. */
  line: number
}

const ENTRY_KEYS = new Set(['profile', 'schema', 'path', 'kind', 'reason', 'ours', 'theirs'])
/** A reason must say where the decision comes from. */
const CITATION = /README|SPEC-NOTES/

export function loadAllowedDifferences(file: string = ALLOWED_DIFFERENCES_FILE): AllowedDifference[] {
  const lineCounter = new LineCounter()
  const document = parseDocument(readFileSync(file, 'utf8'), {lineCounter})
  const [error] = document.errors
  if (error) throw new Error(`${file}: ${error.message}`)
  if (!isSeq(document.contents)) throw new Error(`${file}: the document must be a list of entries`)
  // toJS on the whole document resolves the YAML aliases (&reason / *reason) that a single item cannot.
  const values = document.toJS() as unknown[]
  return document.contents.items.map((item, index) => {
    const line = isMap(item) && item.range ? lineCounter.linePos(item.range[0]).line : 0
    const where = `${file}:${line}`
    const raw = values[index]
    if (!isObject(raw)) throw new Error(`${where}: an entry must be a mapping`)
    for (const key of Object.keys(raw)) if (!ENTRY_KEYS.has(key)) throw new Error(`${where}: unknown key ${key}`)
    const profiles = (Array.isArray(raw.profile) ? raw.profile : [raw.profile]) as unknown[]
    if (profiles.length === 0 || !profiles.every((p) => PROFILE_NAMES.includes(p as ProfileName))) {
      throw new Error(`${where}: profile must be one of ${PROFILE_NAMES.join(', ')} (or a list of them)`)
    }
    for (const key of ['schema', 'path', 'kind', 'reason'] as const) {
      if (typeof raw[key] !== 'string') throw new Error(`${where}: ${key} must be a string`)
    }
    if (!DIFFERENCE_KINDS.includes(raw.kind as DifferenceKind)) throw new Error(`${where}: unknown kind ${raw.kind}`)
    const reason = String(raw.reason).trim()
    if (!CITATION.test(reason))
      throw new Error(`${where}: the reason must cite the oracle README or a SPEC-NOTES section`)
    const entry: AllowedDifference = {
      profiles: profiles as ProfileName[],
      schema: String(raw.schema),
      path: String(raw.path),
      kind: raw.kind as DifferenceKind,
      reason,
      line,
    }
    if ('ours' in raw) entry.ours = raw.ours
    if ('theirs' in raw) entry.theirs = raw.theirs
    return entry
  })
}

export function entryMatches(entry: AllowedDifference, profile: ProfileName, difference: Difference): boolean {
  return (
    entry.profiles.includes(profile) &&
    entry.schema === difference.schema &&
    entry.path === difference.path &&
    entry.kind === difference.kind &&
    (!('ours' in entry) || sameJson(entry.ours, difference.ours)) &&
    (!('theirs' in entry) || sameJson(entry.theirs, difference.theirs))
  )
}

/**
 * The profile-level rule. Skolverket's profile keeps every TK450 field (Skolverket drops fields outside its model on
 * ingest, but a value of the wrong type is still wrong), so a field we have and Skolverket's expose file does not is
 * allowed when the TK450 oracle has that field at the same place. Such a field is then compared with TK450 instead
 * (compare.ts, CompareOptions.tk450), and whatever differs there needs an entry like any other difference.
 */
export function allowedByProfileRule(profile: ProfileName, difference: Difference): boolean {
  return (
    profile === 'skolverket' &&
    difference.kind === 'extra-property' &&
    difference.oracle === 'skolverket' &&
    difference.inTk450 === true
  )
}

export interface Verdict {
  profile: ProfileName
  difference: Difference
  allowedBy?: 'profile-rule' | AllowedDifference
}

/** How each difference is explained: by the profile rule first, else by the first matching entry, else not at all. */
export function judge(profile: ProfileName, differences: Difference[], entries: AllowedDifference[]): Verdict[] {
  return differences.map((difference) => {
    if (allowedByProfileRule(profile, difference)) return {profile, difference, allowedBy: 'profile-rule'}
    const entry = entries.find((candidate) => entryMatches(candidate, profile, difference))
    return entry ? {profile, difference, allowedBy: entry} : {profile, difference}
  })
}

/**
 * Entries that explain nothing: for some profile they name, no difference (outside the profile rule) matches them.
 * Checked against every comparison, so an entry left behind after a schema fix fails the suite.
 */
export function staleEntries(entries: AllowedDifference[], verdicts: Verdict[]): string[] {
  const stale: string[] = []
  for (const entry of entries) {
    for (const profile of entry.profiles) {
      const used = verdicts.some((verdict) => verdict.profile === profile && verdict.allowedBy === entry)
      if (!used) {
        stale.push(
          `allowed-differences.yaml:${entry.line} [${profile}] ${entry.schema}${entry.path === '' ? '' : `.${entry.path}`} ${entry.kind} matches no actual difference`,
        )
      }
    }
  }
  return stale
}

/** Deep equality of JSON values; YAML's `null` stands for "absent". */
function sameJson(first: unknown, second: unknown): boolean {
  return JSON.stringify(first ?? null) === JSON.stringify(second ?? null)
}

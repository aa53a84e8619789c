import type {IssueCode} from './catalog.js'
import {formatLocation, type Issue, type IssueCause, type IssuePlace} from './issue.js'
import {bySeverityThenCount, FIRST_LOCATIONS, type IssueGroup} from './issue-groups.js'

/** The most root causes a run reports; causes beyond them stay in the ordinary issue groups. */
export const MAX_ROOT_CAUSES = 20

/**
 * One thing many failures come from: a referred-to entity that is missing (not in the input, no row has its key),
 * or a record that exists but is invalid, so that what refers to it is refused too (and what refers to those).
 */
export interface RootCause {
  /** `missing`: nothing with this id or key is in the input; `invalid`: the record is there but has errors. */
  kind: 'missing' | 'invalid'
  /** The entity type referred to, or `crosswalk "name"`. */
  target: string
  /** The id referred to. */
  id?: string
  /** The legacy key or value it was looked up by. */
  key?: string
  /** For `invalid`: the record's own error, with where the record is. */
  issue?: {code: IssueCode; message: string; hint?: string; place: IssuePlace}
  /** The failures that depend on it (errors and warnings, through any number of references). */
  count: number
  /** The errors among them. */
  errors: number
  /** Where the first references to it are (file:row:column and the SS 12000 field). */
  first: IssuePlace[]
  /** The dependent failures, grouped as the ordinary issue groups are. */
  dependents: IssueGroup[]
}

/** The errors the root causes explain: those that depend on them, and an invalid record's own error. */
export function explainedErrors(rootCauses: readonly RootCause[]): number {
  return rootCauses.reduce((sum, cause) => sum + cause.errors + (cause.issue ? 1 : 0), 0)
}

/** What the first places of an issue group are about: a cause of theirs, or the record they make invalid. */
export interface PlaceNote {
  cause?: string
  own?: string
}

interface CauseEntry {
  cause: IssueCause
  count: number
  errors: number
  first: IssuePlace[]
  dependents: Map<string, {count: number; first: IssuePlace[]}>
}

interface RecordEntry {
  /** The record's first error that does not come from a reference, with its group. */
  own?: {group: string; place: IssuePlace; issue: Pick<Issue, 'code' | 'message' | 'hint'>}
  /** Else the cause of its first failed reference. */
  via?: string
}

/**
 * Follows the reference graph as issues arrive (IssueCollector feeds it): counts failed references per thing they
 * point to, and remembers per invalid record id why it is invalid. Memory grows with the distinct targets and invalid
 * records, never with the issues themselves (a few first places per group are kept).
 */
export class RootCauseTracker {
  private readonly causes = new Map<string, CauseEntry>()
  private readonly records = new Map<string, RecordEntry>()
  /** After `analyse`: the reported root cause of each failed reference's cause, and of each invalid root record. */
  private readonly rootByCause = new Map<string, RootCause>()
  private readonly rootByRecord = new Map<string, RootCause>()

  /** Notes an issue as it is added to `group`, with the place the collector made of it. */
  add(issue: Issue, group: string, place: IssuePlace): PlaceNote | undefined {
    const {cause} = issue
    let note: PlaceNote | undefined
    if (cause !== undefined) {
      const key = causeKey(cause)
      let entry = this.causes.get(key)
      if (!entry) this.causes.set(key, (entry = {cause, count: 0, errors: 0, first: [], dependents: new Map()}))
      entry.count++
      if (issue.severity === 'error') entry.errors++
      if (entry.first.length < FIRST_LOCATIONS) entry.first.push(place)
      let dependent = entry.dependents.get(group)
      if (!dependent) entry.dependents.set(group, (dependent = {count: 0, first: []}))
      dependent.count++
      if (dependent.first.length < FIRST_LOCATIONS) dependent.first.push(place)
      note = {cause: key}
    }
    if (issue.severity === 'error' && issue.id !== undefined) {
      let record = this.records.get(issue.id)
      if (!record) this.records.set(issue.id, (record = {}))
      if (cause !== undefined) record.via ??= causeKey(cause)
      else if (record.own === undefined) {
        record.own = {group, place, issue: {code: issue.code, message: issue.message, hint: issue.hint}}
        note = {...note, own: issue.id}
      }
    }
    return note
  }

  /**
   * Says a record with this id is missing because of an issue that is not about it (convert: a row rejected while
   * mapping would have made it), so that references to it are grouped under that issue.
   */
  blame(id: string, issue: Issue, group: string, place: IssuePlace): void {
    if (this.records.has(id)) return
    const record: RecordEntry = {}
    if (issue.cause !== undefined) record.via = causeKey(issue.cause)
    else record.own = {group, place, issue: {code: issue.code, message: issue.message, hint: issue.hint}}
    this.records.set(id, record)
  }

  /**
   * The root causes, most dependent failures first, and the issue groups with what they explain taken out. A cause
   * is reported when it explains at least two failures, or is an invalid record with failures depending on it.
   */
  analyse(
    groups: ReadonlyMap<string, IssueGroup>,
    notes: ReadonlyMap<string, Array<PlaceNote | undefined>>,
  ): {rootCauses: RootCause[]; groups: IssueGroup[]} {
    const roots = new Map<
      string,
      {
        root: RootCause
        own?: string
        members: Set<string>
        dependents: Map<string, {count: number; first: IssuePlace[]}>
      }
    >()
    for (const [key, entry] of this.causes) {
      const found = this.rootOf(key)
      let root = roots.get(found.key)
      if (!root) {
        const record = found.id === undefined ? undefined : this.records.get(found.id)
        const own = found.kind === 'invalid' ? record?.own : undefined
        root = {
          root: {
            kind: found.kind,
            target: found.cause.target,
            ...(found.cause.id === undefined ? {} : {id: found.cause.id}),
            ...(found.cause.key === undefined ? {} : {key: found.cause.key}),
            ...(own === undefined ? {} : {issue: {...withoutUndefined(own.issue), place: own.place}}),
            count: 0,
            errors: 0,
            first: [],
            dependents: [],
          },
          ...(own === undefined ? {} : {own: own.group}),
          members: new Set(),
          dependents: new Map(),
        }
        roots.set(found.key, root)
      }
      root.members.add(key)
      root.root.count += entry.count
      root.root.errors += entry.errors
      for (const place of entry.first) if (root.root.first.length < FIRST_LOCATIONS) root.root.first.push(place)
      for (const [group, dependent] of entry.dependents) {
        let merged = root.dependents.get(group)
        if (!merged) root.dependents.set(group, (merged = {count: 0, first: []}))
        merged.count += dependent.count
        for (const place of dependent.first) if (merged.first.length < FIRST_LOCATIONS) merged.first.push(place)
      }
    }

    const reported = [...roots.values()]
      .filter(({root}) => root.count >= 2 || (root.kind === 'invalid' && root.count >= 1))
      .sort((a, b) => b.root.errors - a.root.errors || b.root.count - a.root.count)
      .slice(0, MAX_ROOT_CAUSES)
    const explainedCauses = new Set<string>()
    const explainedRecords = new Set<string>()
    const taken = new Map<string, number>()
    const take = (group: string, count: number) => taken.set(group, (taken.get(group) ?? 0) + count)
    this.rootByCause.clear()
    this.rootByRecord.clear()
    for (const {root, own, members, dependents} of reported) {
      for (const member of members) {
        explainedCauses.add(member)
        this.rootByCause.set(member, root)
      }
      if (own !== undefined && root.id !== undefined) {
        explainedRecords.add(root.id)
        this.rootByRecord.set(root.id, root)
        take(own, 1)
      }
      for (const [key, dependent] of dependents) {
        const group = groups.get(key)
        if (!group) continue
        take(key, dependent.count)
        root.dependents.push({...group, count: dependent.count, first: dependent.first})
      }
      root.dependents.sort(bySeverityThenCount)
    }

    const remaining: IssueGroup[] = []
    for (const [key, group] of groups) {
      const count = group.count - (taken.get(key) ?? 0)
      if (count <= 0) continue
      if (count === group.count) {
        remaining.push(group)
        continue
      }
      const placeNotes = notes.get(key) ?? []
      const first = group.first.filter((_, index) => {
        const note = placeNotes[index]
        if (note?.cause !== undefined && explainedCauses.has(note.cause)) return false
        return !(note?.own !== undefined && explainedRecords.has(note.own))
      })
      remaining.push({...group, count, first})
    }
    return {rootCauses: reported.map(({root}) => root), groups: remaining.sort(bySeverityThenCount)}
  }

  /**
   * The reported root cause an issue comes under, after `analyse`: the one its failed reference leads to, or the one
   * that is its own record being invalid (the record's own error, not other issues about it).
   */
  rootCauseOf(issue: Issue): RootCause | undefined {
    if (issue.cause !== undefined) return this.rootByCause.get(causeKey(issue.cause))
    if (issue.severity !== 'error' || issue.id === undefined) return undefined
    const root = this.rootByRecord.get(issue.id)
    const own = root?.issue
    const same =
      own !== undefined &&
      own.code === issue.code &&
      own.message === issue.message &&
      formatLocation(own.place.source) === formatLocation(issue.source)
    return same ? root : undefined
  }

  /** Follows a cause to the thing at the root: a missing target, or the first invalid record with an error of its own. */
  private rootOf(key: string): {key: string; kind: RootCause['kind']; cause: IssueCause; id?: string} {
    const seen = new Set<string>()
    let at = key
    for (;;) {
      seen.add(at)
      const cause = this.causes.get(at)!.cause
      const record = cause.id === undefined ? undefined : this.records.get(cause.id)
      if (record === undefined) return {key: at, kind: 'missing', cause}
      if (record.own !== undefined || record.via === undefined || seen.has(record.via) || !this.causes.has(record.via))
        return {key: `record\u0000${cause.id}`, kind: 'invalid', cause, id: cause.id!}
      at = record.via
    }
  }
}

function causeKey(cause: IssueCause): string {
  return `${cause.target}\u0000${cause.id ?? ''}\u0000${cause.key ?? ''}`
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T
}

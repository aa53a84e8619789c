import type {IssueCode} from './catalog.js'
import type {Issue, IssuePlace} from './issue.js'
import {type PlaceNote, type RootCause, RootCauseTracker} from './root-causes.js'

/** How many locations each issue group keeps. */
export const FIRST_LOCATIONS = 5

/** Identical problems, counted, with where the first few are. */
export interface IssueGroup {
  severity: Issue['severity']
  code: IssueCode
  message: string
  hint?: string
  count: number
  first: IssuePlace[]
}

/**
 * Groups issues by (severity, code, message) as they arrive, keeping counts and the first locations, and follows the
 * references the failed ones point to, so that the root causes can be told (see RootCauseTracker).
 */
export class IssueCollector {
  readonly all: Issue[] = []
  errors = 0
  warnings = 0
  private readonly byKey = new Map<string, IssueGroup>()
  /** Per group, what each of its first places is about (parallel to `first`). */
  private readonly notes = new Map<string, Array<PlaceNote | undefined>>()
  private readonly causes = new RootCauseTracker()

  constructor(private readonly keepAll: boolean) {}

  add(issue: Issue): void {
    if (issue.severity === 'error') this.errors++
    else this.warnings++
    if (this.keepAll) this.all.push(issue)
    const key = groupKey(issue)
    let group = this.byKey.get(key)
    if (!group) {
      group = {severity: issue.severity, code: issue.code, message: issue.message, count: 0, first: []}
      if (issue.hint !== undefined) group.hint = issue.hint
      this.byKey.set(key, group)
      this.notes.set(key, [])
    }
    group.count++
    // The tracker keeps the places of failed references and of invalid records' own errors; others only the first few.
    const tracked = issue.cause !== undefined || (issue.severity === 'error' && issue.id !== undefined)
    const place = group.first.length < FIRST_LOCATIONS || tracked ? placeOf(issue) : undefined
    const note = this.causes.add(issue, key, place ?? {})
    if (group.first.length < FIRST_LOCATIONS && place !== undefined) {
      group.first.push(place)
      this.notes.get(key)!.push(note)
    }
  }

  /**
   * Says that a record with this id is left out because of an issue already added that is not about it (a row
   * rejected while mapping would have made it): failures referring to it are grouped under that issue.
   */
  blame(id: string, issue: Issue): void {
    const key = groupKey(issue)
    const group = this.byKey.get(key)
    const index = group?.first.findIndex((place) => place.source === issue.source && place.field === issue.field)
    this.causes.blame(
      id,
      issue,
      key,
      (index === undefined || index < 0 ? undefined : group?.first[index]) ?? placeOf(issue),
    )
  }

  /** Errors before warnings, then the most frequent first. */
  groups(): IssueGroup[] {
    return [...this.byKey.values()].sort(bySeverityThenCount)
  }

  /** The root causes, and the groups of the issues they do not explain (errors first, then the most frequent). */
  rootCauses(): {rootCauses: RootCause[]; groups: IssueGroup[]} {
    return this.causes.analyse(this.byKey, this.notes)
  }

  /** The root cause an issue comes under, once `rootCauses()` has run (see RootCauseTracker.rootCauseOf). */
  rootCauseOf(issue: Issue): RootCause | undefined {
    return this.causes.rootCauseOf(issue)
  }
}

function groupKey(issue: Issue): string {
  return `${issue.severity}\u0000${issue.code}\u0000${issue.message}`
}

function placeOf(issue: Issue): IssuePlace {
  const {source, entity, id, path, field, value} = issue
  return Object.fromEntries(
    Object.entries({source, entity, id, path, field, value}).filter(([, v]) => v !== undefined),
  ) as IssuePlace
}

export function bySeverityThenCount(a: IssueGroup, b: IssueGroup): number {
  return a.severity === b.severity ? b.count - a.count : a.severity === 'error' ? -1 : 1
}

import type {IssueCode} from './catalog.js'
import type {Issue, IssuePlace} from './issue.js'

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

/** Groups issues by (severity, code, message) as they arrive, keeping counts and the first locations. */
export class IssueCollector {
  readonly all: Issue[] = []
  errors = 0
  warnings = 0
  private readonly byKey = new Map<string, IssueGroup>()

  constructor(private readonly keepAll: boolean) {}

  add(issue: Issue): void {
    if (issue.severity === 'error') this.errors++
    else this.warnings++
    if (this.keepAll) this.all.push(issue)
    const key = `${issue.severity}\u0000${issue.code}\u0000${issue.message}`
    let group = this.byKey.get(key)
    if (!group) {
      group = {severity: issue.severity, code: issue.code, message: issue.message, count: 0, first: []}
      if (issue.hint !== undefined) group.hint = issue.hint
      this.byKey.set(key, group)
    }
    group.count++
    if (group.first.length < FIRST_LOCATIONS) {
      const {source, entity, id, path, field, value} = issue
      group.first.push(
        Object.fromEntries(Object.entries({source, entity, id, path, field, value}).filter(([, v]) => v !== undefined)),
      )
    }
  }

  /** Errors before warnings, then the most frequent first. */
  groups(): IssueGroup[] {
    return [...this.byKey.values()].sort((a, b) =>
      a.severity === b.severity ? b.count - a.count : a.severity === 'error' ? -1 : 1,
    )
  }
}

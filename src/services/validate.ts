import {stat} from 'node:fs/promises'

import {UsageError} from '../errors.js'
import {entityFromName, type EntityName} from '../schema/entity-names.js'
import type {Mode, ProfileName} from '../schema/profiles.js'
import {isTabularFile} from '../sources/index.js'
import {type JsonInputEvent, readJsonInput} from '../sources/json-input.js'
import {type EntityCounts, ValidationEngine} from '../validation/engine.js'
import {type Issue, makeIssue, type SourceLocation} from '../validation/issue.js'
import {IssueCollector, type IssueGroup} from '../validation/issue-groups.js'
import type {RootCause} from '../validation/root-causes.js'

export interface ValidateOptions {
  paths: string[]
  profile: ProfileName
  mode: Mode
  /** The entity type of records whose file name or body key does not say. */
  entity?: EntityName
  reveal: boolean
  allowExternalRefs: boolean
  /** Keep every issue in the result (for `--json`); otherwise only the groups with their first locations. */
  keepAllIssues: boolean
  /** Called now and then with what has been read so far. */
  onProgress?: (progress: {file: string; records: number}) => void
  /** The engine to validate with, when the caller asks it about records afterwards (stage does); else a new one. */
  engine?: ValidationEngine
  /** The collector to add issues to, when the caller adds more of its own (stage does); else a new one. */
  collector?: IssueCollector
  /** Called with every issue that belongs to a record (by the engine's record number), as it is found. */
  onRecordIssue?: (record: number, issue: Issue) => void
}

export interface ValidatedFile {
  file: string
  shape: string
  records: number
  /** Records whose entity type could not be told, so were not validated. */
  skipped: number
}

export interface ValidateResult {
  valid: boolean
  profile: ProfileName
  mode: Mode
  files: ValidatedFile[]
  entities: Partial<Record<EntityName, EntityCounts>>
  /** records = valid + invalid + skipped, always. */
  totals: {
    files: number
    records: number
    valid: number
    invalid: number
    skipped: number
    errors: number
    warnings: number
  }
  groups: IssueGroup[]
  /** What many failures come from (a missing or invalid record they refer to), with the failures under it. */
  rootCauses: RootCause[]
  /** The groups of the issues no root cause explains (all of `groups` when there are no root causes). */
  otherGroups: IssueGroup[]
  /** Every issue, when asked for. */
  issues?: Issue[]
}

const PROGRESS_EVERY = 5000

/**
 * Validates SS 12000 JSON files and directories in one streaming pass: every record goes through the validation
 * engine as it is read; only ids and compact locations are kept for the whole-input checks.
 */
export async function validate(options: ValidateOptions): Promise<ValidateResult> {
  await assertPathsExist(options.paths)
  const engine = options.engine ?? new ValidationEngine(options)
  const collector = options.collector ?? new IssueCollector(options.keepAllIssues)
  const files: ValidatedFile[] = []
  let current: ValidatedFile | undefined
  let read = 0

  for await (const event of readJsonInput(options.paths)) {
    if (current?.file !== event.file) {
      current = {file: event.file, shape: 'unknown', records: 0, skipped: 0}
      files.push(current)
    }
    if (event.kind === 'item') {
      current.records++
      const entity = entityOfItem(event, options.entity)
      if (entity === undefined) {
        current.skipped++
      } else {
        const file = event.file
        const outcome = engine.validateRecord({
          entity,
          value: event.value,
          source: {file, line: event.position.line, column: event.position.column},
          locate: (pointer): SourceLocation => {
            const position = event.locate(pointer)
            return {file, line: position.line, column: position.column}
          },
        })
        for (const issue of outcome.issues) {
          collector.add(issue)
          options.onRecordIssue?.(outcome.record, issue)
        }
      }
      if (++read % PROGRESS_EVERY === 0) options.onProgress?.({file: event.file, records: read})
    } else if (event.kind === 'file') {
      current.shape = event.shape
      if (current.skipped > 0) {
        collector.add(
          makeIssue('input.entity-unknown', {count: current.skipped}, {source: {file: event.file}}, options.reveal),
        )
      }
    } else {
      const source: SourceLocation = {file: event.file}
      if (event.position) Object.assign(source, {line: event.position.line, column: event.position.column})
      collector.add(makeIssue(event.code, {detail: event.message}, {source}, options.reveal))
    }
  }
  for (const {record, issue} of engine.settle()) {
    collector.add(issue)
    options.onRecordIssue?.(record, issue)
  }

  const entities = engine.entityCounts()
  const counted = Object.values(entities)
  const totals = {
    files: files.length,
    records: files.reduce((sum, file) => sum + file.records, 0),
    valid: counted.reduce((sum, counts) => sum + counts.valid, 0),
    invalid: counted.reduce((sum, counts) => sum + counts.invalid, 0),
    skipped: files.reduce((sum, file) => sum + file.skipped, 0),
    errors: collector.errors,
    warnings: collector.warnings,
  }
  if (totals.records === 0 && totals.errors === 0) {
    collector.add(makeIssue('input.no-entities', {}, {}, options.reveal))
    totals.warnings = collector.warnings
  }
  const causes = collector.rootCauses()
  const result: ValidateResult = {
    valid: totals.errors === 0,
    profile: options.profile,
    mode: options.mode,
    files,
    entities,
    totals,
    groups: collector.groups(),
    rootCauses: causes.rootCauses,
    otherGroups: causes.groups,
  }
  if (options.keepAllIssues) result.issues = collector.all
  return result
}

/**
 * The entity type of an item: a wrapper's collection key says; then `--entity`; then the file name. Undefined: the
 * item is skipped (and counted).
 */
export function entityOfItem(item: Extract<JsonInputEvent, {kind: 'item'}>, entity: EntityName | undefined) {
  const fromBody = item.bodyKey !== undefined && item.bodyKey !== 'data' ? entityFromName(item.bodyKey) : undefined
  return fromBody ?? entity ?? item.entityHint
}

async function assertPathsExist(paths: string[]): Promise<void> {
  if (paths.length === 0) throw new UsageError('Nothing to validate: give at least one file or directory.')
  for (const path of paths) {
    const stats = await stat(path).catch(() => undefined)
    if (!stats) {
      throw new UsageError(`No such file or directory: ${path}`, {
        actions: ['Check the path; directories are searched for .json, .ndjson and .jsonl files.'],
      })
    }
    // Exports people reach for by mistake: validate reads SS 12000 JSON, not the legacy files it is made from.
    if (stats.isFile() && isTabularFile(path)) {
      throw new UsageError(`${path} is a spreadsheet or CSV export; validate reads SS 12000 JSON.`, {
        actions: [`Run \`ss12000 inspect ${path}\` to see how the toolkit reads it.`],
      })
    }
  }
}

import {createHash} from 'node:crypto'
import {createReadStream} from 'node:fs'
import {readFile, stat} from 'node:fs/promises'
import {join} from 'node:path'

import {entityFromName, type EntityName} from '../schema/entity-names.js'
import type {Mode, ProfileName} from '../schema/profiles.js'
import {type JsonInputEvent, listJsonFiles, readJsonInput} from '../sources/json-input.js'
import {BatchWriter, type BatchResult} from '../staging/batches.js'
import {openStagingDatabase} from '../staging/database.js'
import {ValidationEngine} from '../validation/engine.js'
import type {SourceLocation} from '../validation/issue.js'
import {IssueCollector, type IssueGroup} from '../validation/issue-groups.js'

export interface StageOptions {
  paths: string[]
  dbPath: string
  /** What the batch replaces; default: the template convert used (its report.json), else `default`. */
  scope?: string
  label?: string
  profile: ProfileName
  mode: Mode
  reveal: boolean
  allowPartial: boolean
  keepAllIssues: boolean
  /** RFC 3339 with offset; the command passes the clock. */
  now: () => string
}

export interface StageResult {
  scope: string
  valid: boolean
  /** Whether a batch was written, and what it changed against what was staged before. */
  batch?: BatchResult
  partial: boolean
  records: number
  refused: number
  issueGroups: IssueGroup[]
}

type Item = Extract<JsonInputEvent, {kind: 'item'}>

/**
 * Stages SS 12000 JSON (any shape validate reads; usually convert's output folder): validates every record with the
 * one engine, then writes the valid ones as one batch in one transaction. Invalid records are refused; with errors
 * and without `allowPartial` nothing is written. A convert output marked partial stages as a partial batch.
 * WORK IN PROGRESS (issue 5): no rejects file, no drift check, no command yet.
 */
export async function stage(options: StageOptions): Promise<StageResult> {
  const engine = new ValidationEngine({...options, allowExternalRefs: false})
  const collector = new IssueCollector(options.keepAllIssues)
  const entityOf = (item: Item): EntityName | undefined =>
    (item.bodyKey !== undefined && item.bodyKey !== 'data' ? entityFromName(item.bodyKey) : undefined) ??
    item.entityHint
  // Pass 1: validate everything, so references are settled before anything is written.
  let records = 0
  for await (const event of readJsonInput(options.paths)) {
    if (event.kind !== 'item') continue
    const entity = entityOf(event)
    if (entity === undefined) continue
    const file = event.file
    const outcome = engine.validateRecord({
      entity,
      value: event.value,
      source: {file, line: event.position.line, column: event.position.column},
      locate: (pointer): SourceLocation => ({file, ...event.locate(pointer)}),
    })
    records++
    for (const issue of outcome.issues) collector.add(issue)
  }
  for (const issue of engine.finish()) collector.add(issue)
  const convertReport = await readConvertReport(options.paths)
  const scope = options.scope ?? convertReport?.template ?? 'default'
  const valid = collector.errors === 0
  let refused = 0
  if (!valid && !options.allowPartial) {
    return {scope, valid, partial: false, records, refused: records, issueGroups: collector.groups()}
  }
  const partial = !valid || convertReport?.partial === true
  const files = await Promise.all(
    (await listJsonFiles(options.paths)).map(async (path) => ({
      path,
      sha256: await sha256(path),
      size: (await stat(path)).size,
    })),
  )
  const db = openStagingDatabase(options.dbPath)
  try {
    const writer = BatchWriter.begin(db, {
      kind: 'import',
      scope,
      ...(options.label === undefined ? {} : {label: options.label}),
      ...(convertReport?.template === undefined
        ? {}
        : {template: {name: convertReport.template, version: convertReport.version ?? ''}}),
      partial,
      files,
      now: options.now,
    })
    try {
      // Pass 2: the same items in the same order, so the engine's record numbers line up.
      let record = 0
      for await (const event of readJsonInput(options.paths)) {
        if (event.kind !== 'item') continue
        const entity = entityOf(event)
        if (entity === undefined) continue
        const ordinal = record++
        const id = (event.value as {id?: unknown} | null)?.id
        if (engine.isInvalid(ordinal) || typeof id !== 'string') {
          refused++
          continue
        }
        writer.add({entity, id, value: event.value, file: event.file, line: event.position.line})
      }
      const batch = writer.commit()
      return {scope, valid, batch, partial, records, refused, issueGroups: collector.groups()}
    } catch (error) {
      writer.rollback()
      throw error
    }
  } finally {
    db.close()
  }
}

async function sha256(path: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

/** The report.json convert wrote beside its entity files, when one of the paths is such a folder. */
async function readConvertReport(
  paths: string[],
): Promise<{template?: string; version?: string; partial?: boolean} | undefined> {
  for (const path of paths) {
    try {
      const report = JSON.parse(await readFile(join(path, 'report.json'), 'utf8')) as {
        tool?: string
        template?: {name?: string; version?: string}
        partial?: boolean
      }
      if (report.tool !== 'ss12000 convert') continue
      return {
        ...(report.template?.name === undefined ? {} : {template: report.template.name}),
        ...(report.template?.version === undefined ? {} : {version: report.template.version}),
        partial: report.partial === true,
      }
    } catch {
      // Not a convert output folder.
    }
  }
  return undefined
}

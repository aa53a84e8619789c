import {createHash} from 'node:crypto'
import {createReadStream} from 'node:fs'
import {readFile, rename, stat} from 'node:fs/promises'
import {join} from 'node:path'

import type {EntityName} from '../schema/entity-names.js'
import type {Mode, ProfileName} from '../schema/profiles.js'
import {getEntityValidator, getModel} from '../schema/validators.js'
import {listJsonFiles, readJsonInput} from '../sources/json-input.js'
import {BatchWriter, type BatchResult} from '../staging/batches.js'
import {openStagingDatabase, type StagingDatabase} from '../staging/database.js'
import {compareInputs, type DriftWarning, type InputRead} from '../staging/drift.js'
import {isRecord} from '../util.js'
import {ValidationEngine} from '../validation/engine.js'
import {fieldName, type Issue, issueReason, makeIssue} from '../validation/issue.js'
import {IssueCollector, type IssueGroup} from '../validation/issue-groups.js'
import {maskCivicNumbersInText} from '../validation/identity.js'
import {dropReferencesTo, referenceExtractors} from '../validation/references.js'
import {csvCell} from '../report/csv-cell.js'
import {LineWriter} from './convert-output.js'
import {entityOfItem, validate, type ValidateResult} from './validate.js'
import type {RootCause} from '../validation/root-causes.js'

export interface StageOptions {
  paths: string[]
  dbPath: string
  /** What the batch replaces; default: the template convert used (its report.json), else `default`. */
  scope?: string
  label?: string
  /** The entity type of records whose file name or body key does not say (as validate's --entity). */
  entity?: EntityName
  profile: ProfileName
  mode: Mode
  reveal: boolean
  allowPartial: boolean
  keepAllIssues: boolean
  /** Where refused records go (CSV, with reasons); written on every run, header only when nothing was refused. */
  rejectsPath: string
  /** RFC 3339 with offset; the command passes the clock. */
  now: () => string
  onProgress?: (progress: {phase: 'validating' | 'staging'; file: string; records: number}) => void
}

export interface StageResult {
  scope: string
  db: string
  /** Whether the input was valid as a whole. */
  valid: boolean
  /** Whether a batch was written, and what it changed against what the scope held before. */
  batch?: BatchResult
  /** True when the batch leaves out refused records or stages convert output that was partial. */
  partial: boolean
  /**
   * records read = staged + refused + withheld + skipped, always. Refused records are in the rejects file (invalid,
   * or refer to an invalid one); withheld are valid records not staged because errors stopped a strict run;
   * skipped are records whose entity type could not be told.
   */
  totals: {
    records: number
    staged: number
    refused: number
    withheld: number
    skipped: number
    errors: number
    warnings: number
  }
  /** Per entity type: records read and refused. */
  entities: Partial<Record<EntityName, {records: number; refused: number}>>
  files: ValidateResult['files']
  rejects: string
  /** The template convert used, when convert's output was staged. */
  template?: {name: string; version: string}
  /** How the template's input files changed since the last batch staged with the template. */
  drift: DriftWarning[]
  /** The batch drift was measured against. */
  driftSince?: number
  issueGroups: IssueGroup[]
  /** What many failures come from (a missing or invalid record they refer to), with the failures under it. */
  rootCauses: RootCause[]
  /** The groups of the issues no root cause explains. */
  otherIssueGroups: IssueGroup[]
  issues?: Issue[]
}

/** What stage takes from a convert output folder's report.json. */
interface ConvertReport {
  template: {name: string; version: string}
  configHash?: string
  partial: boolean
  files: InputRead[]
}

const PROGRESS_EVERY = 5000
const REJECT_HEADERS = ['file', 'line', 'entity', 'id', 'reasons', 'record']

/**
 * Stages SS 12000 JSON (any shape validate reads; usually convert's output folder) as one batch, in one transaction:
 * validate every record with the one engine (pass 1), then write the valid ones (pass 2). With errors and without
 * `allowPartial` nothing is written. With it, invalid records are refused, and so is what depends on them: a list
 * item that refers to a refused record is taken out, a record that refers to one outside a list is refused too.
 * Every refused record goes to the rejects file with its reasons.
 */
export async function stage(options: StageOptions): Promise<StageResult> {
  const engine = new ValidationEngine({...options, allowExternalRefs: false})
  const collector = new IssueCollector(options.keepAllIssues)
  const reasons = new Map<number, string[]>()
  const validated = await validate({
    ...options,
    allowExternalRefs: false,
    engine,
    collector,
    onRecordIssue: (record, issue) => {
      if (issue.severity !== 'error') return
      const known = reasons.get(record)
      const reason = issueReason(issue)
      if (known === undefined) reasons.set(record, [reason])
      else if (!known.includes(reason)) known.push(reason)
    },
    onProgress: ({file, records}) => options.onProgress?.({phase: 'validating', file, records}),
  })
  const convertReport = await readConvertReport(options.paths)
  const scope = options.scope ?? convertReport?.template.name ?? 'default'
  const valid = validated.valid
  const writing = valid || options.allowPartial
  const partial = writing && (!valid || convertReport?.partial === true)

  const db = writing ? openStagingDatabase(options.dbPath) : undefined
  try {
    const drift = db && convertReport ? measureDrift(db, convertReport) : undefined
    const pass = new SecondPass(options, engine, reasons)
    let batch: BatchResult | undefined
    if (db) {
      const files = await Promise.all(
        (await listJsonFiles(options.paths)).map(async (path) => ({path, ...(await fileDigest(path))})),
      )
      batch = await pass.run(() =>
        BatchWriter.begin(db, {
          kind: 'import',
          scope,
          ...(options.label === undefined ? {} : {label: options.label}),
          ...(convertReport === undefined ? {} : {template: convertReport.template, inputs: convertReport.files}),
          ...(convertReport?.configHash === undefined ? {} : {configHash: convertReport.configHash}),
          ...(drift === undefined ? {} : {drift: drift.warnings}),
          partial,
          files,
          now: options.now,
        }),
      )
    } else {
      await pass.run(undefined)
    }
    for (const issue of pass.issues) collector.add(issue)

    const entities: StageResult['entities'] = {}
    for (const [entity, tally] of Object.entries(validated.entities) as Array<[EntityName, {records: number}]>) {
      entities[entity] = {records: tally.records, refused: pass.refusedBy.get(entity) ?? 0}
    }
    const skipped = validated.totals.skipped
    const refused = Object.values(entities).reduce((sum, tally) => sum + tally.refused, 0)
    const staged = pass.staged
    const causes = collector.rootCauses()
    const result: StageResult = {
      scope,
      db: options.dbPath,
      valid,
      ...(batch === undefined ? {} : {batch}),
      partial,
      totals: {
        records: validated.totals.records,
        staged,
        refused,
        withheld: validated.totals.records - staged - refused - skipped,
        skipped,
        errors: collector.errors,
        warnings: collector.warnings,
      },
      entities,
      files: validated.files,
      rejects: options.rejectsPath,
      ...(convertReport === undefined ? {} : {template: convertReport.template}),
      drift: drift?.warnings ?? [],
      ...(drift === undefined ? {} : {driftSince: drift.since}),
      issueGroups: collector.groups(),
      rootCauses: causes.rootCauses,
      otherIssueGroups: causes.groups,
    }
    if (options.keepAllIssues) result.issues = collector.all
    return result
  } finally {
    db?.close()
  }
}

/**
 * Pass 2 reads the input again in the same order (so the engine's record numbers line up), refuses the invalid
 * records into the rejects file and gives the rest to the batch. Refusing a record can refuse records that refer to
 * it; when that happens to a record the pass had already staged, the pass starts over (transaction rolled back)
 * knowing the larger set, until a pass refuses nothing new.
 */
class SecondPass {
  readonly refusedBy = new Map<EntityName, number>()
  issues: Issue[] = []
  staged = 0
  private readonly refusedIds = new Set<string>()
  private readonly model
  private readonly validators = new Map<EntityName, ReturnType<typeof getEntityValidator>>()

  constructor(
    private readonly options: StageOptions,
    private readonly engine: ValidationEngine,
    private readonly reasons: Map<number, string[]>,
  ) {
    this.model = getModel({profile: options.profile, mode: options.mode})
  }

  private validator(entity: EntityName): ReturnType<typeof getEntityValidator> {
    let validator = this.validators.get(entity)
    if (!validator) {
      validator = getEntityValidator(entity, {profile: this.options.profile, mode: this.options.mode})
      this.validators.set(entity, validator)
    }
    return validator
  }

  async run(begin: (() => BatchWriter) | undefined): Promise<BatchResult | undefined> {
    for (;;) {
      const known = this.refusedIds.size
      const writer = begin?.()
      try {
        const grew = await this.once(writer)
        if (grew && this.refusedIds.size > known && writer) {
          writer.rollback()
          continue
        }
        return writer?.commit()
      } catch (error) {
        writer?.rollback()
        throw error
      }
    }
  }

  /** One pass; true when it refused a record some already-staged record of this pass may refer to. */
  private async once(writer: BatchWriter | undefined): Promise<boolean> {
    const {options} = this
    this.refusedBy.clear()
    this.issues = []
    const rejects = LineWriter.create(`${options.rejectsPath}.tmp`)
    rejects.write(`\ufeff${REJECT_HEADERS.map((cell) => csvCell(cell)).join(';')}\r\n`)
    const mask = options.reveal ? (text: string) => text : maskCivicNumbersInText
    const extractor = referenceExtractors(this.model)
    let record = 0
    let grew = false
    this.staged = 0
    try {
      for await (const event of readJsonInput(options.paths)) {
        if (event.kind !== 'item') continue
        const entity = entityOfItem(event, options.entity)
        if (entity === undefined) continue
        const ordinal = record++
        const value = event.value
        const id = isRecord(value) && typeof value.id === 'string' ? value.id : undefined
        const line = event.position.line
        const invalid = this.engine.isInvalid(ordinal)
        let refusal = invalid ? (this.reasons.get(ordinal) ?? []) : undefined
        if (refusal === undefined && writer === undefined) continue // withheld: a strict run with errors
        if (refusal === undefined && id === undefined) refusal = ['the record has no id, so it cannot be staged']
        if (refusal === undefined && isRecord(value) && this.refusedIds.size > 0) {
          const found = dropReferencesTo(value, extractor(entity)(value), this.refusedIds)
          const place = (pointer: string, target: string, referred: string) => {
            const field = fieldName(entity, pointer)
            const position = event.locate(pointer)
            return {
              field,
              where: {
                entity,
                ...(id === undefined ? {} : {id}),
                cause: {target, id: referred},
                path: pointer,
                field,
                source: {file: event.file, line: position.line, column: position.column},
              },
              target,
            }
          }
          if (found.blocking) {
            const {field, where, target} = place(found.blocking.pointer, found.blocking.target, found.blocking.id)
            const issue = makeIssue('mapping.rejected-reference', {field, target, entity}, where, options.reveal)
            this.issues.push(issue)
            refusal = [issueReason(issue)]
          }
          for (const reference of found.removed) {
            const {field, where, target} = place(reference.pointer, reference.target, reference.id)
            this.issues.push(makeIssue('mapping.rejected-item', {field, target}, where, options.reveal))
          }
          if (refusal === undefined && found.removed.length > 0 && !this.validator(entity)(value)) {
            refusal = ['a list lost its last item to a refused reference']
          }
        }
        if (refusal !== undefined) {
          this.refusedBy.set(entity, (this.refusedBy.get(entity) ?? 0) + 1)
          // References to the id lead to this record, unless it is a later duplicate of a valid one.
          const cascades = id !== undefined && (!invalid || this.engine.isIdInvalid(id))
          if (cascades && !this.refusedIds.has(id)) {
            this.refusedIds.add(id)
            if (this.staged > 0) grew = true
          }
          const cells = [event.file, String(line), entity, id ?? '', refusal.join(' | '), JSON.stringify(value)]
          rejects.write(`${cells.map((cell, index) => csvCell(index >= 4 ? mask(cell) : cell)).join(';')}\r\n`)
          continue
        }
        writer?.add({entity, id: id ?? '', value, file: event.file, line})
        if (++this.staged % PROGRESS_EVERY === 0) {
          options.onProgress?.({phase: 'staging', file: event.file, records: this.staged})
        }
      }
    } finally {
      rejects.close()
    }
    await rename(`${options.rejectsPath}.tmp`, options.rejectsPath)
    return grew
  }
}

/** The drift of the inputs convert read against those of the last batch staged with the same template. */
function measureDrift(
  db: StagingDatabase,
  report: ConvertReport,
): {since: number; warnings: DriftWarning[]} | undefined {
  const previous = db
    .prepare(
      `SELECT id, inputs FROM batch WHERE status = 'complete' AND template = ? AND inputs IS NOT NULL
       ORDER BY id DESC LIMIT 1`,
    )
    .get(report.template.name) as {id: number; inputs: string} | undefined
  if (previous === undefined) return undefined
  return {
    since: previous.id,
    warnings: compareInputs(JSON.parse(previous.inputs) as InputRead[], report.files, previous.id),
  }
}

async function fileDigest(path: string): Promise<{sha256: string; size: number}> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer)
  return {sha256: hash.digest('hex'), size: (await stat(path)).size}
}

/** The report.json convert wrote beside its entity files, when one of the paths is such a folder. */
async function readConvertReport(paths: string[]): Promise<ConvertReport | undefined> {
  for (const path of paths) {
    let report: {
      tool?: unknown
      template?: {name?: unknown; version?: unknown}
      configHash?: unknown
      partial?: unknown
      files?: unknown
    }
    try {
      report = JSON.parse(await readFile(join(path, 'report.json'), 'utf8')) as typeof report
    } catch {
      continue // Not a convert output folder.
    }
    if (report.tool !== 'ss12000 convert' || typeof report.template?.name !== 'string') continue
    const files = Array.isArray(report.files) ? report.files.filter(isInputRead) : []
    return {
      template: {name: report.template.name, version: String(report.template.version ?? '')},
      ...(typeof report.configHash === 'string' ? {configHash: report.configHash} : {}),
      partial: report.partial === true,
      files: files.map(({input, headers, columns, domains}) => ({input, headers, columns, domains})),
    }
  }
  return undefined
}

function isInputRead(value: unknown): value is InputRead {
  return (
    isRecord(value) &&
    typeof value.input === 'string' &&
    Array.isArray(value.headers) &&
    isRecord(value.columns) &&
    isRecord(value.domains)
  )
}

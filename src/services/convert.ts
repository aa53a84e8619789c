import {mkdir, readdir, rm, stat} from 'node:fs/promises'
import {basename, join} from 'node:path'

import {type Config, loadConfig} from '../config/config.js'
import {UsageError} from '../errors.js'
import {DEPENDENCY_ORDER, type EntityName} from '../schema/entity-names.js'
import type {ProfileName} from '../schema/profiles.js'
import {getEntityValidator, getModel} from '../schema/validators.js'
import {isTabularFile, openSource, type OpenedSource, type SourceInfo} from '../sources/index.js'
import {findColumns} from '../mapping/columns.js'
import {loadTemplate} from '../mapping/load.js'
import {
  type Contribution,
  type DefaultTally,
  type FinishedEntity,
  Mapper,
  type MappedProblem,
  originColumn,
  originRow,
  packOrigin,
} from '../mapping/mapper.js'
import type {CompiledInput, CompiledTemplate} from '../mapping/template.js'
import {columnLetters} from '../sources/xlsx/cell-ref.js'
import {ANNOTATED_DIR, annotatedName, writeAnnotatedWorkbook} from '../report/xlsx/annotate.js'
import {parseIsoDate} from '../transforms/calendar.js'
import {canonicalHash, canonicalJson} from '../staging/canonical.js'
import {doubled} from '../util.js'
import {ValidationEngine} from '../validation/engine.js'
import {
  fieldName,
  formatLocation,
  type Issue,
  issueReason,
  makeIssue,
  type SourceLocation,
  recordIssue,
  type RecordContext,
  withCause,
} from '../validation/issue.js'
import {IssueCollector, type IssueGroup} from '../validation/issue-groups.js'
import type {RootCause} from '../validation/root-causes.js'
import {dropReferencesTo, type FoundReference, referenceExtractor} from '../validation/references.js'
import {
  EntityFileWriter,
  entityFileName,
  formatEntity,
  EntitySpill,
  ItemSpill,
  parseSpilledItem,
  type OutputFormat,
  previousOutputs,
  type RejectedRow,
  writeJsonFile,
  writeRejects,
} from './convert-output.js'

export interface ConvertOptions {
  paths: string[]
  template: string
  configPath: string
  outDir: string
  format: OutputFormat
  allowPartial: boolean
  profile: ProfileName
  reveal: boolean
  /** The date the export describes (two-digit years, gymnasium years); default the configured term start. */
  referenceDate?: string
  keepAllIssues: boolean
  /** Write an annotated .xlsx copy of each input into `<outDir>/annotated/` (see src/report/xlsx/annotate.ts). */
  annotate?: boolean
  onProgress?: (progress: {file: string; rows: number}) => void
}

/** What happened to one input file's rows: read = accepted + rejected + skipped. */
export interface ConvertedFile {
  file: string
  input: string
  format: 'csv' | 'xlsx'
  rows: number
  accepted: number
  rejected: number
  skipped: number
  /** Rows skipped by a filter, by its reason. */
  skippedBy: Record<string, number>
  /** Rows a filter marked and kept (for example as ended enrolments), by its reason. */
  keptBy: Record<string, number>
  /** The file's headers, in its order: staging compares them with the previous batch's (schema drift). */
  headers: string[]
  /** Per template column, the header it was found under (null: an optional column the file lacks). */
  columns: Record<string, string | null>
  /**
   * Per crosswalked column, the distinct values read (sorted; at most DOMAIN_LIMIT, then `truncated`), so staging
   * can warn about codes the previous batch never had.
   */
  domains: Record<string, {values: string[]; truncated?: true}>
}

/** The most distinct values kept per crosswalked column in report.json. */
export const DOMAIN_LIMIT = 500

export interface EntityTally {
  /** Entities made from the rows. */
  produced: number
  /** Entities that failed validation or depend on one that did. */
  rejected: number
  /** Entities in the output files (0 when nothing was written). */
  written: number
}

export interface ConvertResult {
  tool: 'ss12000 convert'
  template: {name: string; version: string; path: string}
  /** sha256 of the configuration used (canonical JSON; the secret is a 256-bit value, so this reveals nothing). */
  configHash: string
  profile: ProfileName
  referenceDate: string
  /** Whether entity files were written. */
  written: boolean
  /** Errors were found and --allow-partial wrote the valid rest: absence in this output is not deletion. */
  partial: boolean
  valid: boolean
  outDir: string
  /** The file names written into outDir. */
  outputs: string[]
  files: ConvertedFile[]
  entities: Partial<Record<EntityName, EntityTally>>
  defaults: DefaultTally[]
  totals: {rows: number; accepted: number; rejected: number; skipped: number; errors: number; warnings: number}
  /** Issues grouped by (code, message), with the first locations; named so no reader takes them for SS 12000 groups. */
  issueGroups: IssueGroup[]
  /** What many failures come from (a missing unit, a signature no staff row has), with the failures under it. */
  rootCauses: RootCause[]
  /** The groups of the issues no root cause explains. */
  otherIssueGroups: IssueGroup[]
  issues?: Issue[]
}

const PROGRESS_EVERY = 5000
/** A pointer inside a list item (`/groupMemberships/3/person`). */
const LIST_ITEM = /\/\d+(?:\/|$)/
const ROW_ACCEPTED = 0
const ROW_REJECTED = 1
const ROW_SKIPPED = 2
/** A row status as annotated copies say it, by its number. */
const ROW_RESULTS = ['accepted', 'rejected', 'skipped'] as const

interface FilePlan {
  file: string
  input: CompiledInput
}

interface FileState {
  plan: FilePlan
  info: SourceInfo
  headers: Record<string, string | undefined>
  columnNumber: Record<string, number>
  firstRow: number
  report: ConvertedFile
}

/**
 * Converts legacy exports into SS 12000 JSON with a template: reads every file, maps its rows, validates all the
 * entities together with the one validation engine, and writes entity files (unless there are errors and the run is
 * strict), rejects.csv and report.json. Every row read is accepted, rejected (with reasons) or skipped by a filter.
 */
export async function convert(options: ConvertOptions): Promise<ConvertResult> {
  const config = await loadConfig(options.configPath)
  const template = await loadTemplate(options.template)
  const referenceDate = options.referenceDate ?? config.term.start
  if (parseIsoDate(referenceDate) === undefined) {
    throw new UsageError(`--reference-date ${referenceDate} is not a date written YYYY-MM-DD.`)
  }
  const plans = await planFiles(options.paths, template)
  const run = new ConvertRun(options, config, template, referenceDate)
  return run.execute(plans)
}

class ConvertRun {
  private readonly mapper: Mapper
  private readonly engine: ValidationEngine
  private readonly collector: IssueCollector
  private readonly spill: EntitySpill
  private readonly items: ItemSpill
  private readonly files: FileState[] = []
  private rowStatus = new Uint8Array(1 << 16)
  private rowFile = new Int32Array(1 << 16)
  private rowLine = new Int32Array(1 << 16)
  private rowCount = 0
  private readonly reasons = new Map<number, string[]>()
  private readonly recordReasons = new Map<number, string[]>()
  /** Ids of entities whose rows were rejected while mapping. */
  private readonly rejectedIds = new Set<string>()
  private readonly tallies = new Map<EntityName, EntityTally>()

  constructor(
    private readonly options: ConvertOptions,
    private readonly config: Config,
    private readonly template: CompiledTemplate,
    private readonly referenceDate: string,
  ) {
    this.mapper = new Mapper(template, config, {referenceDate})
    this.engine = new ValidationEngine({
      profile: options.profile,
      mode: 'payload',
      reveal: options.reveal,
      allowExternalRefs: false,
    })
    this.collector = new IssueCollector(options.keepAllIssues || options.annotate === true)
    const work = join(options.outDir, `.ss12000-convert-${process.pid}`)
    this.spill = new EntitySpill(work, options.format)
    this.items = new ItemSpill(join(work, 'items'))
  }

  async execute(plans: FilePlan[]): Promise<ConvertResult> {
    await prepareOutDir(this.options.outDir)
    try {
      const constants = this.mapper.mapConstants()
      for (const problem of constants.problems) this.collector.add(this.problemIssue(problem, undefined))
      this.finishAll(this.mapper.apply(constants.contributions, undefined, () => 0).finished)

      const order = this.mapper.inputOrder()
      const ordered = [...plans].sort((a, b) => order.indexOf(a.input) - order.indexOf(b.input))
      for (const plan of ordered) await this.readFile(plan)
      await this.finishHeld()
      this.spill.close()

      const excused = (id: string) => this.rejectedIds.has(id)
      for (const {record, issue} of this.engine.settle(excused)) this.noteRecordIssue(record, issue)
      return await this.write()
    } finally {
      await this.spill.remove()
    }
  }

  private async readFile(plan: FilePlan): Promise<void> {
    const source = await openSource(plan.file, plan.input.reader)
    const state = this.fileState(plan, source)
    // Header problems are known now; problems about the whole file arrive as it is read.
    let reported = source.issues.length
    for (const issue of source.issues) this.collector.add(issue)
    let read = 0
    const domains = plan.input.crosswalked.flatMap((key) => {
      const header = state.headers[key]
      return header === undefined ? [] : [{key, header, values: new Set<string>(), truncated: false}]
    })
    for await (const row of source.rows) {
      const rowId = this.addRow(this.files.length - 1, row.line)
      state.report.rows++
      for (const domain of domains) {
        const value = row.cells[domain.header]?.trim()
        if (value === undefined || value === '' || domain.values.has(value)) continue
        if (domain.values.size < DOMAIN_LIMIT) domain.values.add(value)
        else domain.truncated = true
      }
      const errors = (row.issues ?? []).filter((issue) => issue.severity === 'error')
      for (const issue of row.issues ?? []) this.collector.add(issue)
      if (errors.length > 0) {
        this.reject(
          rowId,
          errors.map((issue) => issue.message),
        )
      } else {
        const mapped = this.mapper.mapRow(plan.input, row.cells, state.headers)
        if (mapped.status === 'skipped') {
          this.rowStatus[rowId] = ROW_SKIPPED
          state.report.skipped++
          state.report.skippedBy[mapped.filter.reason] = (state.report.skippedBy[mapped.filter.reason] ?? 0) + 1
        } else {
          const located = mapped.problems.map((problem) => this.problemIssue(problem, {state, line: row.line}))
          for (const issue of located) this.collector.add(issue)
          const failed = located.filter((issue) => issue.severity === 'error')
          if (failed.length > 0) {
            this.reject(
              rowId,
              failed.map((issue) => issueReason(issue)),
            )
            // What the row would have made is missing on purpose: references to it are dealt with at the end.
            for (const id of mapped.ids) {
              this.rejectedIds.add(id)
              this.collector.blame(id, failed[0]!)
            }
          } else {
            for (const filter of mapped.kept) {
              state.report.keptBy[filter.reason] = (state.report.keptBy[filter.reason] ?? 0) + 1
            }
            this.applyRow(mapped.contributions, rowId, state)
          }
        }
      }
      if (++read % PROGRESS_EVERY === 0) this.options.onProgress?.({file: plan.file, rows: read})
    }
    for (const issue of source.issues.slice(reported)) this.collector.add(issue)
    reported = source.issues.length
    for (const {key, values, truncated} of domains) {
      state.report.domains[key] = {values: [...values].sort(), ...(truncated ? {truncated: true as const} : {})}
    }
  }

  private applyRow(contributions: Contribution[], rowId: number, state: FileState): void {
    const {finished, created, conflicts, appended} = this.mapper.apply(
      contributions,
      rowId,
      (key) => state.columnNumber[key] ?? 0,
    )
    for (const item of appended) this.items.add(item)
    // Held entities' ids are known now: references to them resolve as they are read, not all at the end.
    for (const entity of created) {
      entity.reserved = this.engine.reserve(
        entity.entity,
        String(entity.value.id),
        this.originLocation(packOrigin(rowId, 0)),
      )
    }
    for (const conflict of conflicts) {
      const first = formatLocation(this.originLocation(conflict.kept))
      const place = this.recordPlace(conflict.entity, this.originLocation(conflict.ignored))
      this.collector.add(recordIssue(place, 'mapping.merge-conflict', {first}, conflict.pointer, conflict.value))
    }

    this.finishAll(finished)
  }

  /**
   * The held entities, now that every row is read: each gets back the list items later rows added (deduplicated, in
   * row order, with their origins and rows), bucket by bucket, and is validated and spilled.
   */
  private async finishHeld(): Promise<void> {
    const drained = this.mapper.drain()
    for await (const bucket of this.items.buckets(this.mapper.heldCounts())) {
      for (let position = bucket.from; position < bucket.to; position++) {
        const next = drained.next()
        if (next.done) throw new Error(`convert: held entity ${position} is missing`)
        const entity = next.value
        appendItems(entity, bucket.items.get(position) ?? [], (index) => {
          const [field, setting, value] = this.items.defaults[index]!
          this.mapper.countDefault({field, setting, value})
        })
        this.finishAll([entity])
      }
    }
    if (!drained.next().done) throw new Error('convert: more held entities than counted')
  }

  /** Validates finished entities and spills them. */
  private finishAll(entities: FinishedEntity[]): void {
    for (const entity of entities) {
      const firstRow = entity.rows[0]
      const source = firstRow === undefined ? {file: this.template.path} : this.originLocation(packOrigin(firstRow, 0))
      const outcome = this.engine.validateRecord({
        entity: entity.entity,
        value: entity.value,
        source,
        locate: (pointer) => this.locate(entity, pointer, source),
        ...(entity.reserved === undefined ? {} : {reserved: entity.reserved}),
      })
      const tally = this.tally(entity.entity)
      tally.produced++
      for (const issue of outcome.issues) this.noteRecordIssue(outcome.record, issue)
      const inLists: Array<[string, number]> = []
      for (const [pointer, origin] of entity.origins) if (LIST_ITEM.test(pointer)) inLists.push([pointer, origin])
      this.spill.add(entity.entity, outcome.record, entity.rows, entity.value, inLists)
    }
  }

  /** Collects an issue of a validated record; errors become the reasons its rows are rejected. */
  private noteRecordIssue(record: number, issue: Issue): void {
    // A reference to an entity made from rows is named by the key it was derived from (a unit by its unit code).
    const cause = issue.cause
    if (cause?.id !== undefined && cause.key === undefined) {
      const key = this.mapper.keyOf(cause.id)
      if (key !== undefined) withCause(issue, {...cause, key}, this.options.reveal)
    }
    this.collector.add(issue)
    if (issue.severity !== 'error') return
    const reasons = this.recordReasons.get(record)
    if (reasons) reasons.push(issueReason(issue))
    else this.recordReasons.set(record, [issueReason(issue)])
  }

  /** The place of a pointer in an entity: the cell its value came from, or the nearest parent's, or the row. */
  private locate(entity: Pick<FinishedEntity, 'origins'>, pointer: string, fallback: SourceLocation): SourceLocation {
    let at = pointer
    for (;;) {
      const origin = entity.origins.get(at)
      if (origin !== undefined) return this.originLocation(origin)
      if (at === '') return fallback
      at = at.slice(0, at.lastIndexOf('/'))
    }
  }

  private originLocation(origin: number): SourceLocation {
    const row = originRow(origin)
    const column = originColumn(origin)
    const state = this.files[this.rowFile[row]!]
    if (!state) return {file: this.template.path}
    return cellLocation(state, this.rowLine[row]!, column)
  }

  private problemIssue(problem: MappedProblem, at: {state: FileState; line: number} | undefined): Issue {
    const column = problem.column === undefined ? 0 : (at?.state.columnNumber[problem.column] ?? 0)
    const source = at ? cellLocation(at.state, at.line, column) : {file: this.template.path}
    const issue = recordIssue(
      this.recordPlace(problem.entity, source),
      problem.code,
      problem.params ?? {},
      problem.pointer,
      problem.value,
    )
    return problem.cause === undefined ? issue : withCause(issue, problem.cause, this.options.reveal)
  }

  /** What the issue factory needs to place a problem in an entity made from a row: here, the row's cell. */
  private recordPlace(entity: EntityName, source: SourceLocation): RecordContext {
    return {entity, profile: this.options.profile, reveal: this.options.reveal, locate: () => source}
  }

  private fileState(plan: FilePlan, source: OpenedSource): FileState {
    const {headers, columnNumber} = resolveColumns(plan, source.info)
    const state: FileState = {
      plan,
      info: source.info,
      headers,
      columnNumber,
      firstRow: this.rowCount,
      report: {
        file: plan.file,
        input: plan.input.name,
        format: source.info.format,
        rows: 0,
        accepted: 0,
        rejected: 0,
        skipped: 0,
        skippedBy: {},
        keptBy: {},
        headers: [...source.info.headers],
        columns: Object.fromEntries(plan.input.columns.map((column) => [column.key, headers[column.key] ?? null])),
        domains: {},
      },
    }
    this.files.push(state)
    return state
  }

  private addRow(file: number, line: number): number {
    const row = this.rowCount++
    if (row === this.rowStatus.length) {
      this.rowStatus = doubled(this.rowStatus)
      this.rowFile = doubled(this.rowFile)
      this.rowLine = doubled(this.rowLine)
    }
    this.rowFile[row] = file
    this.rowLine[row] = line
    return row
  }

  private reject(row: number, reasons: string[]): void {
    this.rowStatus[row] = ROW_REJECTED
    const known = this.reasons.get(row)
    if (known) known.push(...reasons.filter((reason) => !known.includes(reason)))
    else this.reasons.set(row, [...new Set(reasons)])
  }

  /**
   * Writes each input's annotated copy into `<outDir>/annotated/`, with the issues placed in it (and those placed in
   * no input file); returns the names written, relative to outDir.
   */
  private async annotate(files: ConvertedFile[], run: Pick<ConvertResult, 'totals' | 'entities'>): Promise<string[]> {
    const inputs = new Set(this.files.map((state) => state.plan.file))
    const byFile = new Map<string, Issue[]>()
    const nowhere: Issue[] = []
    for (const issue of this.collector.all) {
      const file = issue.source?.file
      if (file === undefined || !inputs.has(file)) nowhere.push(issue)
      else {
        const list = byFile.get(file)
        if (list) list.push(issue)
        else byFile.set(file, [issue])
      }
    }
    const taken = new Set<string>()
    const written: string[] = []
    for (const [index, state] of this.files.entries()) {
      const name = annotatedName(state.plan.file, taken)
      await writeAnnotatedWorkbook(
        join(this.options.outDir, ANNOTATED_DIR, name),
        {
          file: state.plan.file,
          reader: state.plan.input.reader,
          report: files[index]!,
          rowResult: (row) => ROW_RESULTS[this.rowStatus[state.firstRow + row] ?? ROW_ACCEPTED]!,
          rowReasons: (row) => this.reasons.get(state.firstRow + row),
          issues: [...(byFile.get(state.plan.file) ?? []), ...nowhere],
        },
        {
          template: {name: this.template.name, version: this.template.version},
          ...run,
          rootCauseOf: (issue) => this.collector.rootCauseOf(issue),
          reveal: this.options.reveal,
        },
      )
      written.push(`${ANNOTATED_DIR}/${name}`)
    }
    return written
  }

  private tally(entity: EntityName): EntityTally {
    let tally = this.tallies.get(entity)
    if (!tally) this.tallies.set(entity, (tally = {produced: 0, rejected: 0, written: 0}))
    return tally
  }

  /**
   * Goes through the spilled entities in dependency order: invalid ones are left out and their rows rejected; a
   * reference to a left-out entity drops the list item that holds it, or the whole entity when it is not in a list.
   * Writes the entity files when the run is valid or partial output is allowed.
   */
  private async write(): Promise<ConvertResult> {
    const {outDir, format} = this.options
    const valid = this.collector.errors === 0 && this.recordReasons.size === 0
    const writing = valid || this.options.allowPartial
    const model = getModel({profile: this.options.profile, mode: 'payload'})
    // Entities whose rows were rejected are gone like rejected entities: references to them go with them.
    const dropped = new Set<string>([...this.rejectedIds].filter((id) => !this.engine.hasId(id)))
    const outputs: string[] = []
    const writers: EntityFileWriter[] = []
    const entities = DEPENDENCY_ORDER.filter((entity) => this.spill.entities().includes(entity))
    try {
      for (const entity of entities) {
        const extract = referenceExtractor(model, entity)
        const validate = getEntityValidator(entity, {profile: this.options.profile, mode: 'payload'})
        const writer = writing
          ? await EntityFileWriter.create(join(outDir, entityFileName(entity, format)), format)
          : undefined
        if (writer) writers.push(writer)
        const tally = this.tally(entity)
        for await (const spilled of this.spill.read(entity)) {
          let text = spilled.text
          let reasons = this.engine.isInvalid(spilled.record)
            ? (this.recordReasons.get(spilled.record) ?? [])
            : undefined
          // Only entities that may refer to a left-out one are read back; the rest are copied as they are.
          let value: Record<string, unknown> | undefined
          if (reasons !== undefined || dropped.size > 0) value = JSON.parse(text) as Record<string, unknown>
          if (reasons === undefined && value !== undefined) {
            const origins = new Map<string, number>(
              spilled.origins === '' ? [] : (JSON.parse(spilled.origins) as Array<[string, number]>),
            )
            const change = this.dropRejectedReferences(entity, value, extract, dropped, spilled.rows, origins)
            reasons = change.reasons
            if (reasons === undefined && change.changed) {
              if (!validate(value)) reasons = ['a list lost its last item to a rejected reference']
              else text = formatEntity(value, format)
            }
          }
          if (reasons !== undefined) {
            if (typeof value?.id === 'string') dropped.add(value.id)
            tally.rejected++
            for (const row of spilled.rows) this.reject(row, reasons)
            continue
          }
          if (writer) {
            writer.add(text)
            tally.written++
          }
        }
      }
      for (const writer of writers) {
        await writer.commit()
        outputs.push(basename(writer.path))
      }
    } catch (error) {
      for (const writer of writers) await writer.abandon().catch(() => undefined)
      throw error
    }

    const rejected: RejectedRow[] = []
    const headerUnion: string[] = []
    for (const state of this.files) {
      const first = state.firstRow
      const last = first + state.report.rows
      let any = false
      for (let row = first; row < last; row++) {
        const status = this.rowStatus[row]
        if (status === ROW_REJECTED) {
          state.report.rejected++
          any = true
        } else if (status === ROW_ACCEPTED) state.report.accepted++
      }
      if (!any) continue
      for (const header of state.info.headers) if (!headerUnion.includes(header)) headerUnion.push(header)
      const source = await openSource(state.plan.file, state.plan.input.reader)
      let row = first
      for await (const data of source.rows) {
        if (this.rowStatus[row] === ROW_REJECTED) {
          rejected.push({
            file: state.plan.file,
            line: data.line,
            reasons: this.reasons.get(row) ?? [],
            cells: data.cells,
          })
        }
        row++
      }
    }
    await writeRejects(join(outDir, 'rejects.csv'), headerUnion, rejected, this.options.reveal)
    outputs.push('rejects.csv')

    const files = this.files.map((state) => state.report)
    const totals = {
      rows: sum(files, 'rows'),
      accepted: sum(files, 'accepted'),
      rejected: sum(files, 'rejected'),
      skipped: sum(files, 'skipped'),
      errors: this.collector.errors,
      warnings: this.collector.warnings,
    }
    const causes = this.collector.rootCauses()
    const totalsAndEntities = {
      totals,
      entities: Object.fromEntries(
        DEPENDENCY_ORDER.filter((e) => this.tallies.has(e)).map((e) => [e, this.tallies.get(e)!]),
      ),
    }
    if (this.options.annotate) outputs.push(...(await this.annotate(files, totalsAndEntities)))
    const result: ConvertResult = {
      tool: 'ss12000 convert',
      // As the user named it (a shipped name or a path), so that report.json does not depend on where things are.
      template: {name: this.template.name, version: this.template.version, path: this.options.template},
      configHash: canonicalHash(canonicalJson(this.config)),
      profile: this.options.profile,
      referenceDate: this.referenceDate,
      written: writing,
      partial: writing && !valid,
      valid,
      outDir,
      outputs: [...outputs, 'report.json'],
      files,
      entities: totalsAndEntities.entities,
      defaults: this.mapper.defaultTallies(),
      totals,
      issueGroups: this.collector.groups(),
      rootCauses: causes.rootCauses,
      otherIssueGroups: causes.groups,
    }
    if (this.options.keepAllIssues) result.issues = this.collector.all
    // The report describes the folder it is in, so it does not name it: moving the folder changes nothing.
    await writeJsonFile(join(outDir, 'report.json'), {...result, outDir: undefined, issues: undefined})
    return result
  }

  /**
   * Removes list items that refer to rejected entities (with a warning each); returns reasons when a reference
   * outside a list does, so the whole entity must go.
   */
  private dropRejectedReferences(
    entity: EntityName,
    value: Record<string, unknown>,
    extract: ReturnType<typeof referenceExtractor>,
    dropped: Set<string>,
    rows: number[],
    origins: Map<string, number>,
  ): {reasons?: string[]; changed: boolean} {
    if (dropped.size === 0) return {changed: false}
    const found = dropReferencesTo(value, extract(value), dropped)
    const first = rows[0] === undefined ? {file: this.template.path} : this.originLocation(packOrigin(rows[0], 0))
    const place = (reference: FoundReference) => {
      const field = fieldName(entity, reference.pointer)
      const key = this.mapper.keyOf(reference.id)
      return {
        field,
        place: {
          entity,
          id: String(value.id),
          path: reference.pointer,
          field,
          value: reference.id,
          cause: {target: reference.target, id: reference.id, ...(key === undefined ? {} : {key})},
        },
        source: this.locate({origins}, reference.pointer, first),
      }
    }
    if (found.blocking) {
      const {field, place: where, source} = place(found.blocking)
      const issue = makeIssue(
        'mapping.rejected-reference',
        {field, target: found.blocking.target, entity},
        {...where, source},
        this.options.reveal,
      )
      this.collector.add(issue)
      return {reasons: [issueReason(issue)], changed: false}
    }
    for (const reference of found.removed) {
      const {field, place: where, source} = place(reference)
      this.collector.add(
        makeIssue('mapping.rejected-item', {field, target: reference.target}, {...where, source}, this.options.reveal),
      )
    }
    return {changed: found.removed.length > 0}
  }
}

/** Puts back the list items later rows added to a held entity: repeats left out, origins and rows kept. */
function appendItems(entity: FinishedEntity, lines: string[], countDefault: (index: number) => void): void {
  if (lines.length === 0) return
  const seen = new Map<string, Set<string>>()
  for (const line of lines) {
    const spilled = parseSpilledItem(line)
    let list = entity.value[spilled.key]
    if (!Array.isArray(list)) entity.value[spilled.key] = list = []
    let texts = seen.get(spilled.key)
    if (!texts) seen.set(spilled.key, (texts = new Set((list as unknown[]).map((item) => JSON.stringify(item)))))
    if (texts.has(spilled.item)) continue
    texts.add(spilled.item)
    const index = (list as unknown[]).push(JSON.parse(spilled.item)) - 1
    for (const [pointer, origin] of spilled.origins) entity.origins.set(`/${spilled.key}/${index}${pointer}`, origin)
    for (const index of spilled.defaults) countDefault(index)
    if (spilled.row !== undefined && entity.rows.at(-1) !== spilled.row) entity.rows.push(spilled.row)
  }
}

function sum(files: ConvertedFile[], key: 'rows' | 'accepted' | 'rejected' | 'skipped'): number {
  return files.reduce((total, file) => total + file[key], 0)
}

function cellLocation(state: FileState, line: number, column: number): SourceLocation {
  const file = state.plan.file
  if (state.info.format === 'xlsx') {
    return {file, sheet: state.info.sheet ?? '', line, ...(column > 0 ? {cell: `${columnLetters(column)}${line}`} : {})}
  }
  return {file, line, ...(column > 0 ? {column} : {})}
}

/** Which header of the file each template column is, and its column number. Missing required columns stop the run. */
function resolveColumns(
  plan: FilePlan,
  info: SourceInfo,
): {headers: Record<string, string | undefined>; columnNumber: Record<string, number>} {
  const found = findColumns(plan.input.columns, info.headers)
  const headers: Record<string, string | undefined> = Object.create(null) as Record<string, string | undefined>
  const columnNumber: Record<string, number> = Object.create(null) as Record<string, number>
  const missing: string[] = []
  for (const column of plan.input.columns) {
    const index = found.get(column.key)
    if (index === undefined) {
      if (!column.optional) missing.push(`${column.key} (${column.headers.join(', ')})`)
      headers[column.key] = undefined
      continue
    }
    headers[column.key] = info.headers[index]
    columnNumber[column.key] = index + 1
  }
  if (missing.length > 0) {
    throw new UsageError(
      `${plan.file} (input "${plan.input.name}") lacks ${missing.length === 1 ? 'a column' : 'columns'}: ${missing.join('; ')}. Its headers are: ${info.headers.join(', ') || '(none)'}.`,
      {
        actions: [
          'Rename the header in the export, or add it as an alias in the template (inputs.<input>.columns).',
          `See how the file is read with \`ss12000 inspect ${plan.file}\`.`,
        ],
      },
    )
  }
  return {headers, columnNumber}
}

/** `*.csv`, `elever*` → a case-insensitive test of a file's name. */
function globTest(pattern: string): RegExp {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replaceAll('*', '.*')
    .replaceAll('?', '.')
  return new RegExp(`^${source}$`, 'i')
}

/** How specifically a file-name pattern matches a name: its literal characters, or -1 when it does not match. */
function patternScore(pattern: string, name: string): number {
  return globTest(pattern).test(name) ? pattern.replace(/[*?]/g, '').length : -1
}

/** Expands directories into the exports in them and decides which template input each file is. */
async function planFiles(paths: string[], template: CompiledTemplate): Promise<FilePlan[]> {
  if (paths.length === 0) throw new UsageError('Nothing to convert: give at least one export file or folder.')
  const files: string[] = []
  for (const path of paths) {
    const stats = await stat(path).catch(() => undefined)
    if (!stats) throw new UsageError(`No such file or folder: ${path}`)
    if (stats.isDirectory()) {
      const names = (await readdir(path)).filter((name) => !name.startsWith('.') && isTabularFile(name)).sort()
      if (names.length === 0) throw new UsageError(`${path} holds no CSV or Excel exports.`)
      files.push(...names.map((name) => join(path, name)))
    } else {
      files.push(path)
    }
  }
  const plans: FilePlan[] = []
  for (const file of files) {
    const name = basename(file)
    // The most specific pattern wins: `gruppmedlem*` over `grupp*` for gruppmedlemmar.csv.
    const scored = template.inputs
      .map((input) => ({input, score: Math.max(-1, ...input.files.map((pattern) => patternScore(pattern, name)))}))
      .filter((candidate) => candidate.score >= 0)
    const best = Math.max(-1, ...scored.map((candidate) => candidate.score))
    const matching = scored.filter((candidate) => candidate.score === best).map((candidate) => candidate.input)
    let input = matching.length === 1 ? matching[0] : template.inputs.length === 1 ? template.inputs[0] : undefined
    if (!input && matching.length === 0) input = await inputByHeaders(file, template)
    if (!input) {
      const inputs = template.inputs.map((candidate) => `${candidate.name} (${candidate.files.join(', ')})`).join('; ')
      throw new UsageError(
        matching.length > 1
          ? `${file} fits several inputs of template ${template.name}: ${matching.map((m) => m.name).join(', ')}.`
          : `${file} fits no input of template ${template.name}, by name or by its headers. Inputs: ${inputs}.`,
        {actions: ['Rename the file to match an input, or leave it out.']},
      )
    }
    plans.push({file, input})
  }
  // Every file's columns are checked before any row is read, so a missing column stops the run at once.
  for (const plan of plans) {
    const source = await openSource(plan.file, plan.input.reader)
    try {
      resolveColumns(plan, source.info)
    } finally {
      await closeSource(source)
    }
  }
  for (const input of template.inputs) {
    if (!input.optional && !plans.some((plan) => plan.input === input)) {
      throw new UsageError(
        `Template ${template.name} needs a file for input "${input.name}" (${input.files.join(', ')}).`,
        {
          actions: ['Give that export too, or mark the input optional in the template.'],
        },
      )
    }
  }
  return plans
}

/** The one input all of whose required columns the file has, if there is exactly one. */
async function inputByHeaders(file: string, template: CompiledTemplate): Promise<CompiledInput | undefined> {
  const fits: CompiledInput[] = []
  for (const input of template.inputs) {
    const source = await openSource(file, input.reader).catch(() => undefined)
    if (!source) continue
    const found = findColumns(input.columns, source.info.headers)
    if (input.columns.every((column) => column.optional || found.has(column.key))) fits.push(input)
    await closeSource(source)
  }
  return fits.length === 1 ? fits[0] : undefined
}

/** Stops a source that will not be read to the end. */
async function closeSource(source: OpenedSource): Promise<void> {
  const iterator = source.rows[Symbol.asyncIterator]()
  await iterator.return?.()
}

/**
 * Makes the output folder, and removes what an earlier convert wrote into it, so no stale entity file survives a
 * failed run.
 */
async function prepareOutDir(outDir: string): Promise<void> {
  const stats = await stat(outDir).catch(() => undefined)
  if (stats && !stats.isDirectory()) throw new UsageError(`--out ${outDir} is a file; give a folder to write into.`)
  try {
    await mkdir(outDir, {recursive: true})
  } catch (error) {
    throw new UsageError(`Cannot make the output folder ${outDir}: ${(error as Error).message}`)
  }
  for (const name of await previousOutputs(join(outDir, 'report.json'))) await rm(join(outDir, name), {force: true})
}

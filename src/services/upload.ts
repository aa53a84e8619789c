import {readFile, writeFile} from 'node:fs/promises'

import {ExitCode, type ExitCodeValue, RemoteError, UsageError} from '../errors.js'
import type {RecordOutcome, WriteAdapter} from '../remote/adapters/adapter.js'
import {ENTITY_NAMING, type EntityName} from '../schema/entity-names.js'
import {getModel} from '../schema/validators.js'
import {openStagingDatabase, type StagingDatabase} from '../staging/database.js'
import {resolveScope} from '../staging/read.js'
import {UploadJournal} from '../sync/journal.js'
import {
  checkLimits,
  chunkPlan,
  type DesiredRecord,
  formatLimit,
  key,
  type Limit,
  type LimitBreach,
  makePlan,
  type Plan,
  planHash,
  type PlannedChunk,
} from '../sync/plan.js'
import {isRecord} from '../util.js'
import {maskCivicNumber, maskCivicNumbersInText} from '../validation/identity.js'
import {referenceExtractors, referencePaths} from '../validation/references.js'
import {type PullClient, type PullOptions, pullToTemporaryDatabase} from './pull.js'

export interface UploadOptions {
  dbPath: string
  /** The staged scope to upload; default the only one. */
  scope?: string
  adapter: WriteAdapter
  /** The target's base URL, as journaled and shown (never with credentials). */
  target: string
  /** Only these entity types (`--entity`). */
  entities?: readonly EntityName[]
  /** run: plan and send; dry-run: plan, print (and write) it; approved: send exactly the plan in this file. */
  mode: {kind: 'run'} | {kind: 'dry-run'; planOut?: string} | {kind: 'approved'; planFile: string; approve: string}
  /** `--against-live`: what the target holds comes from a pull of its read API instead of the journal. */
  live?: {
    client: PullClient
    source: string
    pull: Pick<PullOptions, 'limit' | 'calendarWindow' | 'profile' | 'now' | 'warn'>
  }
  limits: {maxDelete: readonly Limit[]; maxChange: readonly Limit[]}
  chunkSize: number
  concurrency: number
  reveal: boolean
  now: () => string
  warn: (message: string) => void
  onProgress?: (event: UploadEvent) => void
}

export type UploadEvent =
  | {kind: 'planned'; totals: Partial<Record<EntityName, number>>}
  | {kind: 'sent'; entity: EntityName; sent: number; refused: number; total: number}
  | {kind: 'done'; entity: EntityName; sent: number; refused: number; total: number}

/** Refusals of one kind: the records a target refused for the same reason (ids and numbers taken out). */
export interface RefusalGroup {
  entity: EntityName
  httpStatus: number
  reason: string
  count: number
  /** The first few records refused so, with the target's own words. */
  examples: Array<{id: string; reason: string}>
}

export interface UploadReport {
  target: string
  adapter: string
  scope: string
  db: string
  hash: string
  /** The plan without its actions: what each type gets, what cannot be sent. */
  plan: Omit<Plan, 'actions'>
  /** Where the known state came from. */
  against: 'journal' | 'live'
  breaches: LimitBreach[]
  /** A few records of each type and kind, for the dry run (labels masked unless --reveal). */
  samples: Array<{entity: EntityName; kind: string; id: string; label?: string}>
  executed: boolean
  run?: number
  /** Per type: records the target took, and refused. */
  sent: Partial<Record<EntityName, {ok: number; refused: number}>>
  refusals: RefusalGroup[]
  /** Refused records that others were refused because of (they refer to it, directly or through refused records). */
  refusalCauses: RefusalCause[]
  planOut?: string
  seconds: number
}

const SAMPLES_PER_KIND = 3
/** The most refusal causes a report lists. */
const MAX_REFUSAL_CAUSES = 20

/**
 * A refused record that others depend on: the records that refer to it (or to a refused record that does, and so
 * on) were refused too, so fixing it is the first thing to do.
 */
export interface RefusalCause {
  entity: EntityName
  id: string
  httpStatus: number
  /** The target's reason for refusing it (masked unless --reveal). */
  reason: string
  /** The refusals that depend on it. */
  dependents: number
  /** Those per entity type. */
  byEntity: Partial<Record<EntityName, number>>
}

/**
 * `ss12000 upload`: plans what a target needs to equal the staged scope, and sends it through a write adapter. The
 * known target state is the journal (what the target acknowledged) or, with `live`, a pull of its read API. Records
 * sent without an answer are upserted; nothing acknowledged is sent again. Safety limits refuse large deletes. The
 * staged state is read in one read transaction, so the records sent are the records planned; each chunk is journaled
 * before it goes and with its answer, so a rerun after any crash resumes where the journal stands.
 */
export async function upload(options: UploadOptions): Promise<{report: UploadReport; exitCode: ExitCodeValue}> {
  const started = performance.now()
  const writer = openStagingDatabase(options.dbPath, {create: false})
  const reader = openStagingDatabase(options.dbPath, {create: false})
  let cleanup: (() => Promise<void>) | undefined
  try {
    reader.exec('BEGIN')
    const scope = resolveScope(reader, options.scope, options.dbPath)
    const newest = reader
      .prepare(`SELECT id, partial FROM batch WHERE scope = ? AND status = 'complete' ORDER BY id DESC LIMIT 1`)
      .get(scope) as {id: number; partial: number}
    const target = {url: options.target, adapter: options.adapter.name, scope}
    const journal = new UploadJournal(writer, target)

    let known: Map<string, string>
    let uncertain: Set<string>
    let knownVersions: StagingDatabase = reader
    let liveScope: string | undefined
    if (options.live !== undefined) {
      const pulled = await pullToTemporaryDatabase({
        ...options.live.pull,
        client: options.live.client,
        source: options.live.source,
        entities: options.adapter.entities.filter((entity) => options.entities?.includes(entity) ?? true),
        reveal: options.reveal,
      })
      cleanup = pulled.cleanup
      knownVersions = pulled.db
      liveScope = pulled.scope
      known = currentHashes(pulled.db, pulled.scope)
      // The target itself says what it holds: nothing is uncertain.
      uncertain = new Set()
    } else {
      known = journal.known()
      uncertain = journal.uncertain()
    }

    const model = getModel({profile: 'ss12000-2020', mode: 'payload'})
    const sameTypeReader = sameTypeReferences(model)
    const plan = makePlan({
      target,
      stagedBatch: newest.id,
      partial: newest.partial === 1,
      writable: options.adapter.entities,
      ...(options.entities === undefined ? {} : {only: options.entities}),
      desired: desiredRecords(reader, scope, sameTypeReader),
      known,
      knownSameType: knownSameType(knownVersions, known, sameTypeReader),
      uncertain,
    })
    const hash = planHash(plan)
    const breaches = checkLimits(plan, options.limits)
    const {actions: _actions, ...summary} = plan
    const report: UploadReport = {
      target: options.target,
      adapter: options.adapter.name,
      scope,
      db: options.dbPath,
      hash,
      plan: summary,
      against: options.live === undefined ? 'journal' : 'live',
      breaches,
      samples: samples(reader, scope, plan, options.reveal),
      executed: false,
      sent: {},
      refusals: [],
      refusalCauses: [],
      seconds: 0,
    }
    const done = () => ({
      report: {...report, seconds: (performance.now() - started) / 1000},
      exitCode: exitCodeOf(report),
    })

    if (options.mode.kind === 'dry-run') {
      if (options.mode.planOut !== undefined) {
        await writeFile(options.mode.planOut, `${JSON.stringify({hash, plan}, null, 1)}\n`)
        report.planOut = options.mode.planOut
      }
      return done()
    }
    if (options.mode.kind === 'approved') await checkApproved(options.mode.planFile, options.mode.approve, hash)
    if (breaches.length > 0) throw limitRefusal(breaches, plan, knownVersions, liveScope, options.reveal)

    if (options.live !== undefined) journal.replaceKnown(known, options.now())
    report.executed = true
    const execution = await execute(plan, hash, journal, reader, scope, options)
    report.run = execution.run
    report.sent = execution.sent
    report.refusals = execution.refusals
    report.refusalCauses = execution.refusalCauses
    if (execution.failure !== undefined) throw execution.failure
    return done()
  } finally {
    if (reader.inTransaction) reader.exec('COMMIT')
    reader.close()
    writer.close()
    await cleanup?.()
  }
}

function exitCodeOf(report: UploadReport): ExitCodeValue {
  return report.refusals.length > 0 ? ExitCode.Partial : ExitCode.Ok
}

/** The scope's records as the plan wants them: hashes, and the same-type references of the types that have them. */
function* desiredRecords(db: StagingDatabase, scope: string, sameType: SameTypeReader): Generator<DesiredRecord> {
  const rows = db
    .prepare(`SELECT entity, id, sha256 FROM current WHERE scope = ? ORDER BY entity, id`)
    .raw()
    .iterate(scope) as IterableIterator<[EntityName, string, string]>
  const references = new Map<string, readonly string[]>()
  for (const entity of sameType.entities) {
    for (const [id, json] of sameType.candidates(
      db,
      `SELECT id, json FROM current_record WHERE scope = ? AND entity = ?`,
      [scope, entity],
    )) {
      const ids = sameType.read(entity, json)
      if (ids.length > 0) references.set(key(entity, id), ids)
    }
  }
  for (const [entity, id, sha256] of rows) {
    const ids = references.get(key(entity, id))
    yield {entity, id, sha256, ...(ids === undefined ? {} : {sameType: ids})}
  }
}

function currentHashes(db: StagingDatabase, scope: string): Map<string, string> {
  const rows = db
    .prepare(`SELECT entity, id, sha256 FROM current WHERE scope = ?`)
    .raw()
    .iterate(scope) as IterableIterator<[EntityName, string, string]>
  const hashes = new Map<string, string>()
  for (const [entity, id, sha256] of rows) hashes.set(key(entity, id), sha256)
  return hashes
}

/**
 * The same-type references of records the target holds, for the order of deletes: read from the version it holds,
 * which staging keeps (the journal's acknowledged version) or the live pull found.
 */
function knownSameType(
  db: StagingDatabase,
  known: ReadonlyMap<string, string>,
  sameType: SameTypeReader,
): Map<string, readonly string[]> {
  const references = new Map<string, readonly string[]>()
  const version = db.prepare(`SELECT json FROM record WHERE entity = ? AND id = ? AND sha256 = ? LIMIT 1`).pluck()
  for (const [held, sha256] of known) {
    const slash = held.indexOf('/')
    const entity = held.slice(0, slash) as EntityName
    if (!sameType.entities.includes(entity)) continue
    const json = version.get(entity, held.slice(slash + 1), sha256) as string | undefined
    if (json === undefined) continue
    const ids = sameType.read(entity, json)
    if (ids.length > 0) references.set(held, ids)
  }
  return references
}

interface SameTypeReader {
  /** Entity types whose records may refer to others of their type. */
  entities: EntityName[]
  /** Rows of (id, json) of a query, skipping records whose text cannot hold such a reference. */
  candidates(db: StagingDatabase, sql: string, parameters: unknown[]): Iterable<[string, string]>
  read(entity: EntityName, json: string): string[]
}

/**
 * Which records refer to others of their own type (an organisation's parentOrganisation, a person's responsibles, an
 * activity's parentActivity), read from the model. Records whose JSON does not even name such a field are not parsed.
 */
function sameTypeReferences(model: ReturnType<typeof getModel>): SameTypeReader {
  const paths = new Map<EntityName, ReturnType<typeof referencePaths>>()
  for (const entity of Object.keys(ENTITY_NAMING) as EntityName[]) {
    const own = referencePaths(model, entity).filter((path) => path.target === entity)
    if (own.length > 0) paths.set(entity, own)
  }
  const fields = (entity: EntityName) =>
    [...new Set((paths.get(entity) ?? []).map((path) => path.steps.find((step) => step.kind === 'property')))]
      .filter((step) => step !== undefined)
      .map((step) => `"${(step as {name: string}).name}"`)
  return {
    entities: [...paths.keys()],
    *candidates(db, sql, parameters) {
      const entity = parameters[1] as EntityName
      const names = fields(entity)
      const filter = names.map(() => 'instr(json, ?) > 0').join(' OR ')
      yield* db
        .prepare(`${sql} AND (${filter})`)
        .raw()
        .iterate(...parameters, ...names) as Iterable<[string, string]>
    },
    read(entity, json) {
      const record = JSON.parse(json) as unknown
      const ids = new Set<string>()
      for (const path of paths.get(entity) ?? []) collectIds(record, path.steps, 0, ids)
      return [...ids]
    },
  }
}

function collectIds(
  node: unknown,
  steps: ReturnType<typeof referencePaths>[number]['steps'],
  at: number,
  out: Set<string>,
) {
  if (at === steps.length) {
    if (isRecord(node) && typeof node.id === 'string') out.add(node.id)
    return
  }
  const step = steps[at]!
  if (step.kind === 'items') {
    if (Array.isArray(node)) for (const item of node) collectIds(item, steps, at + 1, out)
  } else if (isRecord(node)) {
    collectIds(node[step.name], steps, at + 1, out)
  }
}

/** A short, masked name for a record in the dry run: its displayName, or a person's masked personnummer. */
function labelOf(entity: EntityName, value: unknown, reveal: boolean): string | undefined {
  if (!isRecord(value)) return undefined
  if (typeof value.displayName === 'string')
    return reveal ? value.displayName : maskCivicNumbersInText(value.displayName)
  if (entity === 'Person' && isRecord(value.civicNo) && typeof value.civicNo.value === 'string') {
    return reveal ? value.civicNo.value : maskCivicNumber(value.civicNo.value)
  }
  return undefined
}

function samples(db: StagingDatabase, scope: string, plan: Plan, reveal: boolean): UploadReport['samples'] {
  const taken = new Map<string, number>()
  const read = db.prepare(`SELECT json FROM current_record WHERE scope = ? AND entity = ? AND id = ?`).pluck()
  const out: UploadReport['samples'] = []
  for (const action of plan.actions) {
    const group = `${action.entity} ${action.kind}`
    const count = taken.get(group) ?? 0
    if (count >= SAMPLES_PER_KIND) continue
    taken.set(group, count + 1)
    const json = read.get(scope, action.entity, action.id) as string | undefined
    const label = json === undefined ? undefined : labelOf(action.entity, JSON.parse(json), reveal)
    out.push({entity: action.entity, kind: action.kind, id: action.id, ...(label === undefined ? {} : {label})})
  }
  return out
}

async function checkApproved(planFile: string, approve: string, current: string): Promise<void> {
  let saved: {hash?: unknown; plan?: unknown}
  try {
    saved = JSON.parse(await readFile(planFile, 'utf8')) as typeof saved
  } catch (error) {
    throw new UsageError(`Cannot read the plan ${planFile}: ${(error as Error).message}`)
  }
  if (!isRecord(saved) || typeof saved.hash !== 'string' || !isRecord(saved.plan)) {
    throw new UsageError(`${planFile} is not an upload plan (ss12000 upload --dry-run --plan-out writes one).`)
  }
  const recomputed = planHash(saved.plan as unknown as Plan)
  if (recomputed !== saved.hash) {
    throw new UsageError(`${planFile} was changed after it was written: its content no longer has its hash.`)
  }
  if (approve !== saved.hash) {
    throw new UsageError(`--approve ${approve} is not the hash of ${planFile} (${saved.hash}).`, {
      actions: ['Read the plan, then approve it with the hash it shows.'],
    })
  }
  if (current !== saved.hash) {
    throw new UsageError(
      `The plan in ${planFile} is no longer what an upload would do: the staged state or what the target is known to hold moved since it was made.`,
      {actions: ['Make a new plan (ss12000 upload URL --dry-run --plan-out plan.json), read it, and approve that.']},
    )
  }
}

function limitRefusal(
  breaches: readonly LimitBreach[],
  plan: Plan,
  versions: StagingDatabase,
  liveScope: string | undefined,
  reveal: boolean,
): UsageError {
  const lines = breaches.map((breach) => {
    const share =
      breach.known === 0 ? '' : ` (${((breach.count / breach.known) * 100).toFixed(1)} % of ${breach.known})`
    const verb = breach.what === 'delete' ? 'delete' : 'change'
    return `${verb} ${breach.count} ${breach.entity}${share}, more than ${formatLimit(breach.limit)}`
  })
  // The version the target holds: the newest staged one (the journal's), or the live pull's.
  const newest = versions
    .prepare(`SELECT json FROM record WHERE entity = ? AND id = ? AND json IS NOT NULL ORDER BY batch DESC LIMIT 1`)
    .pluck()
  const live = versions.prepare(`SELECT json FROM current_record WHERE scope = ? AND entity = ? AND id = ?`).pluck()
  const heldVersion = (entity: EntityName, id: string) =>
    (liveScope === undefined ? newest.get(entity, id) : live.get(liveScope, entity, id)) as string | undefined
  const deleted = breaches
    .filter((breach) => breach.what === 'delete')
    .flatMap((breach) =>
      plan.actions
        .filter((action) => action.kind === 'delete' && action.entity === breach.entity)
        .slice(0, 10)
        .map((action) => {
          const json = heldVersion(action.entity, action.id)
          const label = json === undefined ? undefined : labelOf(action.entity, JSON.parse(json), reveal)
          return `  ${action.entity} ${action.id}${label === undefined ? '' : ` (${label})`}`
        }),
    )
  return new UsageError(
    `The upload would ${lines.join('; ')}. Nothing was sent.${deleted.length > 0 ? `\nIt would delete, among others:\n${deleted.join('\n')}` : ''}`,
    {
      actions: [
        'Check the staged state (ss12000 status, ss12000 diff) — an export that lost rows looks just like this.',
        'If it is meant, allow it: --max-delete N or --max-delete P% (or upload.maxDelete in the configuration); --max-change likewise.',
      ],
    },
  )
}

interface Execution {
  run: number
  sent: UploadReport['sent']
  refusals: RefusalGroup[]
  refusalCauses: RefusalCause[]
  failure?: Error
}

/**
 * Sends the plan: types in order, within a type layer by layer, up to `concurrency` chunks of a layer at once. Each
 * chunk is journaled as sending before it goes and with its answer after. The first chunk the target fails for good
 * stops the run once the chunks in flight have answered.
 */
async function execute(
  plan: Plan,
  hash: string,
  journal: UploadJournal,
  reader: StagingDatabase,
  scope: string,
  options: UploadOptions,
): Promise<Execution> {
  const run = journal.beginRun(hash, plan.stagedBatch, options.now())
  const chunks = chunkPlan(plan.actions, options.chunkSize)
  const totals: Partial<Record<EntityName, number>> = {}
  for (const action of plan.actions) totals[action.entity] = (totals[action.entity] ?? 0) + 1
  options.onProgress?.({kind: 'planned', totals})
  const sent: UploadReport['sent'] = {}
  const refused: Array<{entity: EntityName; outcome: Extract<RecordOutcome, {status: 'refused'}>}> = []
  /** Per refused record, the ids it refers to: refusals are followed to the refused records they depend on. */
  const refusedRefersTo = new Map<string, string[]>()
  const extractor = referenceExtractors(getModel({profile: 'ss12000-2020', mode: 'payload'}))
  const referencesOf = (entity: EntityName, value: Record<string, unknown>) =>
    extractor(entity)(value).map((reference) => reference.id)
  const read = reader.prepare(
    `SELECT id, sha256, json FROM current_record WHERE scope = ? AND entity = ? AND id IN (SELECT value FROM json_each(?))`,
  )
  let seq = 0
  let failure: Error | undefined
  const progress = (entity: EntityName, kind: 'sent' | 'done') => {
    const counts = sent[entity] ?? {ok: 0, refused: 0}
    options.onProgress?.({kind, entity, sent: counts.ok, refused: counts.refused, total: totals[entity] ?? 0})
  }

  const sendChunk = async (chunk: PlannedChunk) => {
    const mine = ++seq
    const records: Array<{id: string; value?: Record<string, unknown>}> = []
    if (chunk.kind === 'delete') {
      for (const action of chunk.actions) records.push({id: action.id})
    } else {
      const rows = read.all(scope, chunk.entity, JSON.stringify(chunk.actions.map((action) => action.id))) as Array<{
        id: string
        sha256: string
        json: string
      }>
      const byId = new Map(rows.map((row) => [row.id, row]))
      for (const action of chunk.actions) {
        const row = byId.get(action.id)
        if (row === undefined || row.sha256 !== action.sha256) {
          throw new Error(`upload: ${chunk.entity} ${action.id} is not the version planned`)
        }
        records.push({id: action.id, value: JSON.parse(row.json) as Record<string, unknown>})
      }
    }
    journal.sending(run, mine, chunk, options.now())
    let result
    try {
      result = await options.adapter.write({entity: chunk.entity, kind: chunk.kind, records})
    } catch (error) {
      journal.failed(run, mine, (error as Error).message, options.now())
      failure ??= error as Error
      return
    }
    journal.answered(run, mine, chunk, result.outcomes, result.requests, options.now())
    const counts = (sent[chunk.entity] ??= {ok: 0, refused: 0})
    for (const [index, outcome] of result.outcomes.entries()) {
      if (outcome.status === 'ok') counts.ok++
      else {
        counts.refused++
        refused.push({entity: chunk.entity, outcome})
        const value = records[index]?.id === outcome.id ? records[index]?.value : undefined
        if (value !== undefined) refusedRefersTo.set(outcome.id, referencesOf(chunk.entity, value))
      }
    }
    progress(chunk.entity, 'sent')
  }

  // Steps: the chunks of one type and layer (creates, upserts and updates together; deletes apart), in plan order.
  const steps: PlannedChunk[][] = []
  for (const chunk of chunks) {
    const last = steps.at(-1)?.[0]
    const sameStep =
      last !== undefined &&
      last.entity === chunk.entity &&
      last.layer === chunk.layer &&
      (last.kind === 'delete') === (chunk.kind === 'delete')
    if (sameStep) steps.at(-1)!.push(chunk)
    else steps.push([chunk])
  }
  for (const [index, step] of steps.entries()) {
    let next = 0
    const worker = async () => {
      while (failure === undefined && next < step.length) await sendChunk(step[next++]!)
    }
    await Promise.all(Array.from({length: Math.min(options.concurrency, step.length)}, worker))
    if (failure !== undefined) break
    const entity = step[0]!.entity
    if (steps.slice(index + 1).every((later) => later[0]!.entity !== entity)) progress(entity, 'done')
  }

  const refusals = groupRefusals(refused, options.reveal)
  const refusalCauses = findRefusalCauses(refused, refusedRefersTo, options.reveal)
  const summary = {entities: plan.entities, sent, refused: refused.length}
  journal.finishRun(run, failure === undefined ? 'complete' : 'failed', summary, options.now())
  if (failure === undefined) return {run, sent, refusals, refusalCauses}
  const answered = Object.values(sent).reduce((sum, counts) => sum + counts!.ok + counts!.refused, 0)
  const wrapped =
    failure instanceof RemoteError
      ? new RemoteError(`${failure.message} The upload stopped after ${answered} of ${plan.actions.length} records.`, {
          actions: ['Run the same upload again when the target is back: it resumes where the journal stands.'],
        })
      : failure
  return {run, sent, refusals, refusalCauses, failure: wrapped}
}

/**
 * The refused records other refusals come from: each refused record that refers to a refused record is followed,
 * through any number of such references, to one that refers to none (its root); roots with dependents are causes,
 * the most dependents first.
 */
export function findRefusalCauses(
  refused: ReadonlyArray<{entity: EntityName; outcome: Extract<RecordOutcome, {status: 'refused'}>}>,
  refersTo: ReadonlyMap<string, readonly string[]>,
  reveal: boolean,
): RefusalCause[] {
  const byId = new Map(refused.map((entry) => [entry.outcome.id, entry]))
  const refusedParent = (id: string) => refersTo.get(id)?.find((other) => other !== id && byId.has(other))
  const causes = new Map<string, RefusalCause>()
  for (const {entity, outcome} of refused) {
    let root = refusedParent(outcome.id)
    if (root === undefined) continue
    const seen = new Set([outcome.id])
    for (let next = refusedParent(root); next !== undefined && !seen.has(root); next = refusedParent(root)) {
      seen.add(root)
      root = next
    }
    // A record in a cycle of refused records that leads back to itself is no dependent of its own.
    if (root === outcome.id) continue
    const at = byId.get(root)!
    let cause = causes.get(root)
    if (!cause) {
      const reason = reveal ? at.outcome.reason : maskCivicNumbersInText(at.outcome.reason)
      cause = {entity: at.entity, id: root, httpStatus: at.outcome.httpStatus, reason, dependents: 0, byEntity: {}}
      causes.set(root, cause)
    }
    cause.dependents++
    cause.byEntity[entity] = (cause.byEntity[entity] ?? 0) + 1
  }
  return [...causes.values()].sort((a, b) => b.dependents - a.dependents).slice(0, MAX_REFUSAL_CAUSES)
}

/** The target's reasons with what varies per record (ids, names, numbers) taken out, so equal causes group. */
export function reasonShape(reason: string): string {
  return reason
    .replace(/^[a-zA-Z]+\[\d+\]:\s*/, '')
    .replace(/[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}/gi, '…')
    .replace(/\S+@\S+?(?=[\s,.;)]*(?:\s|$))/g, '…')
    .replace(/\d+/g, 'N')
}

function groupRefusals(
  refused: ReadonlyArray<{entity: EntityName; outcome: Extract<RecordOutcome, {status: 'refused'}>}>,
  reveal: boolean,
): RefusalGroup[] {
  const groups = new Map<string, RefusalGroup>()
  for (const {entity, outcome} of refused) {
    const reason = reveal ? outcome.reason : maskCivicNumbersInText(outcome.reason)
    const shape = reasonShape(reason)
    const group = `${entity} ${outcome.httpStatus} ${shape}`
    let found = groups.get(group)
    if (found === undefined) {
      found = {entity, httpStatus: outcome.httpStatus, reason: shape, count: 0, examples: []}
      groups.set(group, found)
    }
    found.count++
    if (found.examples.length < 3) found.examples.push({id: outcome.id, reason})
  }
  return [...groups.values()].sort((a, b) => b.count - a.count)
}

import type {FastifyError, FastifyInstance, FastifyReply, FastifyRequest} from 'fastify'

import {ENTITY_NAMES, ENTITY_NAMING, type EntityName} from '../schema/entity-names.js'
import type {ProfileName} from '../schema/profiles.js'
import {getModel} from '../schema/validators.js'
import {type BatchResult, BatchWriter} from '../staging/batches.js'
import type {StagingDatabase} from '../staging/database.js'
import {isRecord} from '../util.js'
import {ValidationEngine} from '../validation/engine.js'
import {issueReason} from '../validation/issue.js'
import {referenceExtractors, referencePaths} from '../validation/references.js'
import {type EppnChanges, EppnIndex} from './eppn-index.js'

/**
 * Skolverket's ingest API (skolverket-ref-api-ingest.yml, SPEC-NOTES §4) over the
 * staging database.
 */
export interface IngestOptions {
  /** A connection of its own: a write cannot share one with the read API's open page streams. */
  db: StagingDatabase
  scope: string
  /** The profile bodies are validated against (Skolverket's ingest: `skolverket`). */
  profile: ProfileName
  now: () => string
  /** The largest body accepted, in bytes (default INGEST_BODY_LIMIT). */
  bodyLimit?: number
  /** Called after each write is committed. (Subscribers hear of writes through `watchBatches`, as of any batch.) */
  onWrite?: (write: IngestWrite) => void
}

/** A committed ingest write. */
export interface IngestWrite {
  entity: IngestEntity
  method: 'POST' | 'PUT' | 'DELETE'
  result: BatchResult
}

/** The five collections the ingest API writes, in upload order (SPEC-NOTES §4). */
export const INGEST_ENTITIES = ['Organisation', 'Person', 'Duty', 'Group', 'Activity'] as const
export type IngestEntity = (typeof INGEST_ENTITIES)[number]

/**
 * SPEC-NOTES §4's upload order, "organisations → persons → duties and groups → activities" (delete in the reverse
 * order). A reference that points back in this order, or into its own collection, must resolve when it is written: a
 * client that keeps the order can always satisfy it. Skolverket's server checks a subset of these (Duty.person, Group
 * members, Activity groups and teachers); the organisation references (enroledAt, dutyAt, organisation,
 * parentOrganisation) and the same-collection ones (responsibles, parentActivity) are checked here too, so that
 * what the read side serves holds together. Not checked: Duty.assignmentRole[].group (duties and groups have no order
 * between them) and references to collections this API cannot write (Programme, Syllabus, …).
 */
const UPLOAD_RANK: Record<IngestEntity, number> = {Organisation: 0, Person: 1, Duty: 2, Group: 2, Activity: 3}

/** The largest body accepted. Skolverket's server sets no limit; fastify's default (1 MiB) is too small for bulk. */
export const INGEST_BODY_LIMIT = 256 * 1024 * 1024

/** ajv-formats' `uuid`, which the entity schemas use for ids. */
const UUID = /^(?:urn:uuid:)?[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$/i

/** Up to this many ids to delete, referrers are looked for by text first (one pass of `instr` per id). */
const PREFILTER_IDS = 16

/** At most this many reasons in one error body; the rest are counted. */
const MAX_REASONS = 100

/**
 * A request the ingest API refuses, with the status and reasons it answers with: 400 for a body that is not what the
 * ingest file describes, 409 for a clash with what the scope holds (SPEC-NOTES §4). The body is `{"errors": [...]}`,
 * Skolverket's shape for a failed schema check, for every refusal.
 */
class IngestRefusal extends Error {
  constructor(
    readonly status: 400 | 409,
    readonly reasons: string[],
  ) {
    super(reasons[0])
  }
}

/**
 * POST (create; 409 for an id that exists), PUT (create or replace) and DELETE (`[{id}]`) on /organisations,
 * /persons, /groups, /duties and /activities with `{"<plural>": [...]}` bodies. Every write is a partial batch of its
 * own (label `ingest <METHOD> /<plural>`), so it shows on the read side at once and in `status` and `history`.
 *
 * Answers (the ingest file declares 201/202/400/403/default and no bodies; the bodies and 204/409 are Skolverket's
 * server's, SPEC-NOTES §4): POST 201 `{"ids": [...]}`; PUT 201 `{"ids": [...]}`, or 204 for an empty list (the one
 * case in which Skolverket's server returns no ids: every record it writes gives its id back); DELETE 202
 * `{"message": "Accepted"}`; refusals 400 or 409 `{"errors": ["<where>: <why>", ...]}`, also when the body is not
 * JSON, not sent as application/json, or too large.
 */
export function registerIngest(app: FastifyInstance, base: string, options: IngestOptions): void {
  const model = getModel({profile: options.profile, mode: 'payload'})
  const bodyLimit = options.bodyLimit ?? INGEST_BODY_LIMIT
  const extractor = referenceExtractors(model)
  const eppns = new EppnIndex(options.db, options.scope)

  for (const entity of INGEST_ENTITIES) {
    const url = `${base}/${ENTITY_NAMING[entity].collection}`
    for (const method of ['POST', 'PUT', 'DELETE'] as const) {
      app.route({
        method,
        url,
        bodyLimit,
        errorHandler: (error, _request, reply) => answerRefusal(error, reply, bodyLimit),
        handler: async (request, reply) => {
          const items = bodyItems(entity, request)
          if (method === 'DELETE') {
            deleteRecords(entity, items)
            return reply.status(202).send({message: 'Accepted'})
          }
          if (items.length === 0 && method === 'PUT') return reply.status(204).send()
          return reply.status(201).send({ids: writeRecords(entity, items, method)})
        },
      })
    }
  }

  function writeRecords(entity: IngestEntity, items: unknown[], method: 'POST' | 'PUT'): string[] {
    const plural = ENTITY_NAMING[entity].collection
    if (items.length === 0) refuse(400, [`${plural}: the list is empty; send at least one ${entity}.`])
    const records = items.map((item) => (isRecord(item) ? withoutReadOnly(entity, item) : item))
    validate(entity, records)
    const objects = records as Array<Record<string, unknown> & {id: string}>
    const ids = objects.map((record) => record.id)
    writeBatch(entity, method, (writer) => {
      checkReferences(entity, objects)
      if (method === 'POST') checkNew(entity, ids)
      if (entity === 'Person') checkEppns(objects)
      for (const record of objects) writer.add({entity, id: record.id, value: record})
      return entity === 'Person' ? {put: objects.map((person) => ({id: person.id, names: eppnsOf(person)}))} : {}
    })
    return ids
  }

  /**
   * Meta, the references' displayName and `_embedded` are read-only (the server's): what a client sends there is
   * ignored, as Skolverket's server ignores meta. Otherwise a stale name sent in a reference would be served as if
   * expandReferenceNames had been asked for.
   */
  function withoutReadOnly(entity: EntityName, item: Record<string, unknown>): Record<string, unknown> {
    const {meta: _meta, _embedded: _expanded, ...record} = item
    for (const reference of extractor(entity)(record)) {
      const target = objectAt(record, reference.pointer)
      if (target) delete target.displayName
    }
    return record
  }

  /** The profile's rules, through the one validation engine (schema, identity rules, uniqueness in the body). */
  function validate(entity: IngestEntity, records: unknown[]): void {
    const plural = ENTITY_NAMING[entity].collection
    const engine = new ValidationEngine({
      profile: options.profile,
      mode: 'payload',
      reveal: false,
      // References are checked against the scope below; the engine only checks the body's own ones.
      allowExternalRefs: true,
    })
    const reasons: string[] = []
    records.forEach((value, index) => {
      const at = `${plural}[${index}]`
      const outcome = engine.validateRecord({entity, value, source: {file: at}, locate: () => ({file: at})})
      for (const issue of outcome.issues) {
        // A shared eduPersonPrincipalName is a conflict (409), found with the stored persons' below.
        if (issue.severity === 'error' && issue.code !== 'unique.eppn') reasons.push(`${at}: ${issueReason(issue)}`)
      }
    })
    if (reasons.length > 0) refuse(400, reasons)
  }

  function checkReferences(entity: IngestEntity, records: Array<Record<string, unknown> & {id: string}>): void {
    const plural = ENTITY_NAMING[entity].collection
    const inBody = new Set(records.map((record) => record.id))
    const held = heldStatement()
    const reasons: string[] = []
    records.forEach((record, index) => {
      for (const reference of extractor(entity)(record)) {
        if (!isChecked(entity, reference.target)) continue
        if (reference.target === entity && inBody.has(reference.id)) continue
        if (held.get(options.scope, reference.target, reference.id) !== undefined) continue
        reasons.push(
          `${plural}[${index}]: ${reference.pointer.slice(1)} refers to ${reference.target} ${reference.id}, which does ` +
            `not exist.`,
        )
      }
    })
    if (reasons.length > 0) {
      refuse(400, reasons, 'Upload what is referred to first: organisations, persons, duties and groups, activities.')
    }
  }

  /** POST creates: an id the scope holds is a conflict (Skolverket: 409, "use PUT"). */
  function checkNew(entity: IngestEntity, ids: string[]): void {
    const plural = ENTITY_NAMING[entity].collection
    const held = heldStatement()
    const reasons = ids.flatMap((id, index) =>
      held.get(options.scope, entity, id) === undefined
        ? []
        : [`${plural}[${index}]: ${entity} ${id} exists already; PUT replaces it.`],
    )
    if (reasons.length > 0) refuse(409, reasons)
  }

  /**
   * No two persons may share an eduPersonPrincipalName (SPEC-NOTES §4: 409), in the body or with a stored person that
   * the body does not replace. Compared case-insensitively, as `validate` does.
   */
  function checkEppns(persons: Array<Record<string, unknown> & {id: string}>): void {
    const owners = new Map<string, {id: string; at: string}>()
    const reasons: string[] = []
    const wanted: Array<{eppn: string; at: string}> = []
    persons.forEach((person, index) => {
      const at = `persons[${index}]`
      for (const eppn of new Set(eppnsOf(person))) {
        const key = eppn.toLowerCase()
        const owner = owners.get(key)
        if (owner === undefined) {
          owners.set(key, {id: person.id, at})
          wanted.push({eppn, at})
        } else if (owner.id !== person.id) {
          reasons.push(`${at}: eduPersonPrincipalName ${eppn} is also Person ${owner.id}'s (${owner.at}).`)
        }
      }
    })
    // The stored persons the body replaces give their names up.
    const replaced = new Set(persons.map((person) => person.id))
    for (const {eppn, at} of wanted) {
      const holder = eppns.holder(eppn, replaced)
      if (holder !== undefined) reasons.push(`${at}: eduPersonPrincipalName ${eppn} belongs to Person ${holder}.`)
    }
    if (reasons.length > 0) refuse(409, reasons)
  }

  function deleteRecords(entity: IngestEntity, items: unknown[]): void {
    const plural = ENTITY_NAMING[entity].collection
    if (items.length === 0) refuse(400, [`${plural}: the list is empty; send at least one {"id": "<uuid>"}.`])
    const reasons: string[] = []
    const first = new Map<string, number>()
    items.forEach((item, index) => {
      const id = isRecord(item) ? item.id : undefined
      if (typeof id !== 'string' || !UUID.test(id)) {
        reasons.push(`${plural}[${index}]: must be {"id": "<uuid>"}, got ${JSON.stringify(item) ?? 'nothing'}.`)
      } else if (first.has(id)) {
        reasons.push(`${plural}[${index}]: ${id} is also ${plural}[${first.get(id)}].`)
      } else {
        first.set(id, index)
      }
    })
    if (reasons.length > 0) refuse(400, reasons)
    writeBatch(entity, 'DELETE', (writer) => {
      checkNotReferenced(entity, new Set(first.keys()))
      for (const id of first.keys()) writer.remove(entity, id)
      return entity === 'Person' ? {removed: [...first.keys()]} : {}
    })
  }

  /**
   * A record may go only when nothing the scope keeps refers to it (409 otherwise). Skolverket's server deletes
   * without looking, which leaves dangling references in what it serves (a deleted person stays a group member);
   * SPEC-NOTES §4 tells clients to delete in the reverse of the upload order (activities, then duties and groups,
   * then persons, then organisations) precisely so that referrers go first. Refusing holds clients to that order, so
   * the read side never serves a reference an ingest DELETE left dangling. Every staged entity type counts as a
   * referrer (a Placement staged by `stage` too), and so do records of the same body (deleting a parent organisation
   * with its children is fine).
   */
  function checkNotReferenced(entity: IngestEntity, ids: ReadonlySet<string>): void {
    const referrers = ENTITY_NAMES.filter((source) =>
      referencePaths(model, source).some((path) => path.target === entity),
    )
    // A few ids: SQLite skips the records whose text holds none of them, before they are parsed here.
    const few = ids.size <= PREFILTER_IDS
    const rows = options.db
      .prepare(
        `SELECT c.entity, c.id, c.json FROM current_record c
         WHERE c.scope = ? AND c.entity IN (SELECT value FROM json_each(?))
           AND (? OR EXISTS (SELECT 1 FROM json_each(?) d WHERE instr(c.json, d.value) > 0))`,
      )
      .iterate(options.scope, JSON.stringify(referrers), few ? 0 : 1, JSON.stringify(few ? [...ids] : [])) as Iterable<{
      entity: EntityName
      id: string
      json: string
    }>
    const reasons: string[] = []
    for (const row of rows) {
      if (row.entity === entity && ids.has(row.id)) continue
      for (const reference of extractor(row.entity)(JSON.parse(row.json))) {
        if (reference.target !== entity || !ids.has(reference.id)) continue
        reasons.push(
          `${entity} ${reference.id} is referred to by ${row.entity} ${row.id} (${reference.pointer.slice(1)}).`,
        )
      }
    }
    if (reasons.length > 0) {
      refuse(
        409,
        reasons,
        'Change or delete the referrers first: activities, duties and groups, persons, organisations.',
      )
    }
  }

  /**
   * One partial batch for one request: checks and writes in one transaction, so nothing slips in between. `write`
   * returns what it did to persons' eduPersonPrincipalNames, for the index once the batch is committed.
   */
  function writeBatch(
    entity: IngestEntity,
    method: IngestWrite['method'],
    write: (writer: BatchWriter) => EppnChanges,
  ) {
    const writer = BatchWriter.begin(options.db, {
      kind: 'import',
      scope: options.scope,
      label: `ingest ${method} /${ENTITY_NAMING[entity].collection}`,
      partial: true,
      files: [],
      now: options.now,
    })
    let result: BatchResult
    let changes: EppnChanges
    try {
      // Person POST and PUT check names against the index: it must hold what the scope holds.
      eppns.begin(writer.batch, entity === 'Person' && method !== 'DELETE')
      changes = write(writer)
      result = writer.commit()
    } catch (error) {
      writer.rollback()
      throw error
    }
    eppns.commit(changes)
    options.onWrite?.({entity, method, result})
    return result
  }

  function heldStatement() {
    return options.db.prepare(`SELECT 1 FROM current WHERE scope = ? AND entity = ? AND id = ?`).pluck()
  }
}

/** A person's eduPersonPrincipalNames, the texts among them. */
function eppnsOf(person: Record<string, unknown>): string[] {
  const names = person.eduPersonPrincipalNames
  return Array.isArray(names) ? names.filter((name): name is string => typeof name === 'string') : []
}

/** Whether a reference from `source` to `target` must resolve when written (see UPLOAD_RANK). */
function isChecked(source: IngestEntity, target: EntityName): boolean {
  if (!(INGEST_ENTITIES as readonly EntityName[]).includes(target)) return false
  const rank = UPLOAD_RANK[target as IngestEntity]
  return rank < UPLOAD_RANK[source] || target === source
}

/**
 * The items under the body's plural key. The ingest file's request schemas have `required` slips (Groups_delete,
 * Activities_delete and Duties_delete require `persons`, Activities and Duties require `data`; SPEC-NOTES §4):
 * Skolverket's server reads the plural key, and so does this.
 */
function bodyItems(entity: IngestEntity, request: FastifyRequest): unknown[] {
  const plural = ENTITY_NAMING[entity].collection
  const shape = `{"${plural}": [ … ]}`
  const type = request.headers['content-type']
  if (mediaType(type) !== 'application/json') {
    refuse(400, [
      type === undefined
        ? `The body must be ${shape}, sent as Content-Type: application/json.`
        : `The body must be JSON (Content-Type: application/json), not ${type}.`,
    ])
  }
  const body = request.body
  const items = isRecord(body) ? body[plural] : undefined
  if (!Array.isArray(items)) {
    const keys = isRecord(body) ? Object.keys(body) : []
    const got = isRecord(body) ? (keys.length > 0 ? `an object with ${keys.join(', ')}` : 'an empty object') : 'not'
    refuse(400, [`The body must be ${shape}; it is ${got === 'not' ? `a JSON ${jsonType(body)}` : got}.`])
  }
  return items
}

function mediaType(header: string | undefined): string | undefined {
  return header?.split(';')[0]?.trim().toLowerCase()
}

function jsonType(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value
}

/** The object a JSON pointer leads to inside a record, if there is one. */
function objectAt(record: Record<string, unknown>, pointer: string): Record<string, unknown> | undefined {
  let node: unknown = record
  for (const raw of pointer.split('/').slice(1)) {
    const segment = raw.replaceAll('~1', '/').replaceAll('~0', '~')
    node = Array.isArray(node) ? node[Number(segment)] : isRecord(node) ? node[segment] : undefined
  }
  return isRecord(node) ? node : undefined
}

/** Refuses the request: at most MAX_REASONS reasons (the rest counted), then what to do, if there is a hint. */
function refuse(status: 400 | 409, reasons: string[], hint?: string): never {
  const shown =
    reasons.length > MAX_REASONS
      ? [...reasons.slice(0, MAX_REASONS), `… and ${reasons.length - MAX_REASONS} more.`]
      : reasons
  throw new IngestRefusal(status, hint === undefined ? shown : [...shown, hint])
}

/**
 * The ingest routes' error handler: refusals, and the body errors fastify finds before a handler runs (not JSON,
 * empty, too large, an unknown content type), answer in the ingest API's shape; anything else (403 without a token,
 * a failure of the server) goes on to the app's handler.
 */
function answerRefusal(error: FastifyError, reply: FastifyReply, bodyLimit: number): FastifyReply {
  if (error instanceof IngestRefusal) return reply.status(error.status).send({errors: error.reasons})
  const reason = BODY_ERRORS[error.code]
  if (reason !== undefined) return reply.status(400).send({errors: [reason(bodyLimit)]})
  throw error
}

const BODY_ERRORS: Record<string, (bodyLimit: number) => string> = {
  FST_ERR_CTP_INVALID_JSON_BODY: () => 'The body is not valid JSON.',
  FST_ERR_CTP_EMPTY_JSON_BODY: () => 'The body is empty; send a JSON object.',
  FST_ERR_CTP_BODY_TOO_LARGE: (bodyLimit) =>
    `The body is larger than ${bodyLimit} bytes; send the records in several requests.`,
  FST_ERR_CTP_INVALID_MEDIA_TYPE: () => 'The body must be JSON, sent as Content-Type: application/json.',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () => 'The Content-Length does not match the body.',
  FST_ERR_CTP_INVALID_TYPE: () => 'The Content-Type header is not valid.',
}

import type {FastifyInstance} from 'fastify'

import {ENTITY_NAMING, type EntityName} from '../schema/entity-names.js'
import type {ProfileName} from '../schema/profiles.js'
import {getModel} from '../schema/validators.js'
import {BatchWriter} from '../staging/batches.js'
import type {StagingDatabase} from '../staging/database.js'
import {isRecord} from '../util.js'
import {ValidationEngine} from '../validation/engine.js'
import {issueReason} from '../validation/issue.js'
import {referenceExtractor} from '../validation/references.js'

/** WORK IN PROGRESS (issue 6): Skolverket's ingest API (skolverket-ref-api-ingest.yml) over the staging database. */
export interface IngestOptions {
  /** A connection of its own: a write cannot share one with the read API's open page streams. */
  db: StagingDatabase
  scope: string
  /** The profile bodies are validated against (Skolverket's ingest: `skolverket`). */
  profile: ProfileName
  now: () => string
}

/** The five collections the ingest API writes, in upload order. */
export const INGEST_ENTITIES: readonly EntityName[] = ['Organisation', 'Person', 'Group', 'Duty', 'Activity']

interface IngestError {
  status: 400 | 409
  body: unknown
}

/**
 * POST (create; 409 for an id that exists), PUT (create or replace) and DELETE (`[{id}]`) on /organisations,
 * /persons, /groups, /duties and /activities with `{"<plural>": [...]}` bodies. Every write is a partial batch of its
 * own, so it shows on the read side at once and in `status` and `history`.
 */
export function registerIngest(app: FastifyInstance, base: string, options: IngestOptions): void {
  for (const entity of INGEST_ENTITIES) {
    const plural = ENTITY_NAMING[entity].collection
    const path = `${base}/${plural}`
    app.post(path, async (request, reply) => {
      const result = write(entity, request.body, 'POST')
      return 'status' in result ? reply.status(result.status).send(result.body) : reply.status(201).send(result)
    })
    app.put(path, async (request, reply) => {
      const result = write(entity, request.body, 'PUT')
      return 'status' in result ? reply.status(result.status).send(result.body) : reply.status(201).send(result)
    })
    app.delete(path, async (request, reply) => {
      const items = bodyItems(entity, request.body)
      if ('status' in items) return reply.status(items.status).send(items.body)
      const ids = items.map((item) => (isRecord(item) && typeof item.id === 'string' ? item.id : undefined))
      if (ids.some((id) => id === undefined)) {
        return reply.status(400).send({errors: [`Every item of ${plural} must be {"id": "<uuid>"}.`]})
      }
      const writer = BatchWriter.begin(options.db, batchInput(entity, 'DELETE'))
      try {
        for (const id of new Set(ids as string[])) writer.remove(entity, id)
        writer.commit()
      } catch (error) {
        writer.rollback()
        throw error
      }
      return reply.status(202).send({message: 'Accepted'})
    })
  }

  function batchInput(entity: EntityName, method: string) {
    return {
      kind: 'import' as const,
      scope: options.scope,
      label: `ingest ${method} /${ENTITY_NAMING[entity].collection}`,
      partial: true,
      files: [],
      now: options.now,
    }
  }

  function write(entity: EntityName, body: unknown, method: 'POST' | 'PUT'): {ids: string[]} | IngestError {
    const items = bodyItems(entity, body)
    if ('status' in items) return items
    // Meta is the server's: what a client sends is ignored.
    const records = items.map((item) => {
      if (!isRecord(item)) return item
      const {meta: _meta, ...rest} = item
      return rest
    })
    const engine = new ValidationEngine({
      profile: options.profile,
      mode: 'payload',
      reveal: false,
      allowExternalRefs: true,
    })
    const errors: string[] = []
    records.forEach((value, index) => {
      const outcome = engine.validateRecord({
        entity,
        value,
        source: {file: `body[${index}]`},
        locate: () => ({file: `body[${index}]`}),
      })
      for (const issue of outcome.issues)
        if (issue.severity === 'error') errors.push(`[${index}] ${issueReason(issue)}`)
    })
    if (errors.length > 0) return {status: 400, body: {errors}}
    const ids = records.map((record) => (record as {id: string}).id)
    const held = options.db.prepare(`SELECT 1 FROM current WHERE scope = ? AND entity = ? AND id = ?`).pluck()
    // References must resolve, in the body or among what the scope holds.
    const inBody = new Set(ids)
    const extract = referenceExtractor(getModel({profile: options.profile, mode: 'payload'}), entity)
    records.forEach((record, index) => {
      for (const reference of extract(record)) {
        if (reference.target === entity && inBody.has(reference.id)) continue
        if (held.get(options.scope, reference.target, reference.id) === undefined) {
          errors.push(
            `[${index}] ${reference.pointer.slice(1)} refers to ${reference.target} ${reference.id}, which does not exist.`,
          )
        }
      }
    })
    if (errors.length > 0) return {status: 400, body: {errors}}
    if (method === 'POST') {
      const existing = ids.filter((id) => held.get(options.scope, entity, id) !== undefined)
      if (existing.length > 0) {
        return {status: 409, body: {errors: existing.map((id) => `${entity} ${id} exists already; PUT replaces it.`)}}
      }
    }
    if (entity === 'Person') {
      const clashes = eppnClashes(records as Array<Record<string, unknown>>)
      if (clashes.length > 0) return {status: 409, body: {errors: clashes}}
    }
    const writer = BatchWriter.begin(options.db, batchInput(entity, method))
    try {
      for (const [index, record] of records.entries()) writer.add({entity, id: ids[index]!, value: record})
      writer.commit()
    } catch (error) {
      writer.rollback()
      throw error
    }
    return {ids}
  }

  /** eduPersonPrincipalNames held by another person, in the body or in the scope. */
  function eppnClashes(persons: Array<Record<string, unknown>>): string[] {
    const owner = new Map<string, string>()
    const clashes: string[] = []
    const heldBy = options.db
      .prepare(
        `SELECT c.id FROM current_record c, json_each(c.json, '$.eduPersonPrincipalNames') e
         WHERE c.scope = ? AND c.entity = 'Person' AND e.value = ? AND c.id <> ? LIMIT 1`,
      )
      .pluck()
    for (const person of persons) {
      const id = String(person.id)
      for (const eppn of Array.isArray(person.eduPersonPrincipalNames) ? person.eduPersonPrincipalNames : []) {
        const other = owner.get(String(eppn)) ?? (heldBy.get(options.scope, eppn, id) as string | undefined)
        if (other !== undefined && other !== id)
          clashes.push(`eduPersonPrincipalName ${String(eppn)} belongs to Person ${other}.`)
        else owner.set(String(eppn), id)
      }
    }
    return clashes
  }
}

/** The items under the body's plural key (≥ 1), or a 400. */
function bodyItems(entity: EntityName, body: unknown): unknown[] | IngestError {
  const plural = ENTITY_NAMING[entity].collection
  const items = isRecord(body) ? body[plural] : undefined
  if (!Array.isArray(items) || items.length === 0) {
    return {status: 400, body: {errors: [`The body must be {"${plural}": [ … ]} with at least one item.`]}}
  }
  return items
}

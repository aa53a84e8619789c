import {UsageError} from '../../errors.js'
import {ENTITY_NAMING, type EntityName} from '../../schema/entity-names.js'
import {isRecord} from '../../util.js'
import {maskCivicNumbersInText} from '../../validation/identity.js'
import type {Ss12000Client, WriteAnswer} from '../client.js'
import {excerpt, readServerMessage} from '../server-message.js'
import type {ChunkResult, RecordOutcome, WriteAdapter, WriteChunk, WriteKind} from './adapter.js'

/** What the adapter needs of a client: its writes. */
export type WriteClient = Pick<Ss12000Client, 'sendJson'>

/**
 * The collections Skolverket's ingest API writes, in upload order (SPEC-NOTES §4: organisations → persons → duties
 * and groups → activities). The same list as src/server/ingest.ts's INGEST_ENTITIES (a test holds them equal), kept
 * here so that the client does not load the server.
 */
export const SKOLVERKET_INGEST_ENTITIES = ['Organisation', 'Person', 'Duty', 'Group', 'Activity'] as const

type Method = 'POST' | 'PUT' | 'DELETE'

const METHODS: Record<WriteKind, Method> = {create: 'POST', update: 'PUT', upsert: 'PUT', delete: 'DELETE'}

/** Refusals read rather than thrown: 400 (the body), 409 (a clash with what the server holds), 413 (too large). */
const READ_STATUSES = [400, 409, 413] as const

/** A POST's reason that says only that the id is held already (the toolkit's serve: "Person X exists already"). */
const EXISTS = /\b(?:exists already|already exists)\b/i

/** One record on its way: where it is in the chunk, and what is sent for it. */
interface Item {
  index: number
  id: string
  body: Record<string, unknown>
}

/** The state of one chunk's writing. */
interface Run {
  plural: string
  outcomes: Array<RecordOutcome | undefined>
  requests: number
}

/**
 * Skolverket's ingest API (SPEC-NOTES §4; the toolkit's own `ss12000 serve --ingest` implements it): `POST` creates
 * (409 for an id it holds), `PUT` creates or replaces, `DELETE` takes `[{"id": …}]`, each with a body
 * `{"<plural>": [...]}` on `/<plural>`. A refusal (400, 409) refuses the whole request, nothing written, and gives
 * reasons `{"errors": ["<plural>[<index>]: why", ...]}`. So:
 * - a refusal whose reasons name records (by index, or by id where no index is given, as a delete's "Person X is
 *   referred to by …") refuses those, and the others are sent again, until a request is taken or every record is
 *   refused; one whose reasons name no record refuses every record of that request with its reasons;
 * - a POST's records refused only because their id is held already are sent again as a PUT, which replaces them
 *   with the same values: after a retried POST (its first answer lost) the server holds them because this adapter
 *   wrote them, and a create planned from an older picture of the target ends with the target holding these values,
 *   which is what the upload is for;
 * - 413 halves the request (down to one record, which is then refused);
 * - any other failure, after the client's retries, is thrown.
 * `meta` is the server's and is not sent.
 */
export class SkolverketIngestAdapter implements WriteAdapter {
  readonly name = 'skolverket-ingest'
  readonly entities: readonly EntityName[] = SKOLVERKET_INGEST_ENTITIES

  constructor(private readonly client: WriteClient) {}

  async write(chunk: WriteChunk): Promise<ChunkResult> {
    if (!this.entities.includes(chunk.entity)) {
      throw new UsageError(
        `The ${this.name} adapter cannot write ${chunk.entity}; it writes ${this.entities.join(', ')}.`,
      )
    }
    const run: Run = {
      plural: ENTITY_NAMING[chunk.entity].collection,
      outcomes: chunk.records.map(() => undefined),
      requests: 0,
    }
    const items = chunk.records.map((record, index) => ({index, id: record.id, body: bodyOf(chunk, record)}))
    if (items.length > 0) await this.send(run, METHODS[chunk.kind], items)
    const outcomes = run.outcomes.map((outcome, index) => {
      if (outcome === undefined) throw new Error(`No outcome for record ${index} of a ${chunk.entity} chunk.`)
      return outcome
    })
    return {outcomes, requests: run.requests}
  }

  /** Sends `items` until each has an outcome. */
  private async send(run: Run, method: Method, items: Item[]): Promise<void> {
    let pending = items
    while (pending.length > 0) {
      const answer = await this.client.sendJson(
        method,
        run.plural,
        {[run.plural]: pending.map((item) => item.body)},
        {answerStatuses: READ_STATUSES},
      )
      run.requests++
      if (answer.status >= 200 && answer.status < 300) {
        for (const item of pending) run.outcomes[item.index] = {id: item.id, status: 'ok'}
        return
      }
      if (answer.status === 413) {
        if (pending.length === 1) {
          const [item] = pending as [Item]
          refuse(run, item, 413, 'The server refused it as too large (413), even alone in a request.')
          return
        }
        const half = Math.ceil(pending.length / 2)
        await this.send(run, method, pending.slice(0, half))
        await this.send(run, method, pending.slice(half))
        return
      }
      const refusal = readRefusal(answer, run.plural, pending)
      if (refusal.byItem.size === 0) {
        for (const item of pending) refuse(run, item, answer.status, refusal.general)
        return
      }
      const held: Item[] = []
      const unnamed: Item[] = []
      pending.forEach((item, position) => {
        const reasons = refusal.byItem.get(position)
        if (reasons === undefined) unnamed.push(item)
        else if (method === 'POST' && answer.status === 409 && reasons.every((reason) => EXISTS.test(reason))) {
          held.push(item)
        } else refuse(run, item, answer.status, joinReasons(reasons))
      })
      if (held.length > 0) await this.send(run, 'PUT', held)
      // Nothing of the refused request was written: the records it did not name go again.
      pending = unnamed
    }
  }
}

function refuse(run: Run, item: Item, httpStatus: number, reason: string): void {
  run.outcomes[item.index] = {id: item.id, status: 'refused', httpStatus, reason}
}

/** What is sent for a record: `{id}` for a delete, else its value without `meta` (the server's). */
function bodyOf(chunk: WriteChunk, record: WriteChunk['records'][number]): Record<string, unknown> {
  if (chunk.kind === 'delete') return {id: record.id}
  if (record.value === undefined || record.value.id !== record.id) {
    throw new Error(`A ${chunk.kind} of ${chunk.entity} ${record.id} needs the record, with that id, as its value.`)
  }
  const {meta: _meta, ...value} = record.value
  return value
}

/**
 * A refusal's reasons: those that name a record of the request (`persons[3]: why` by its position, or, without a
 * position, by its id), by position, and the others joined (or what the body was, when no reason can be read).
 */
function readRefusal(
  answer: WriteAnswer,
  plural: string,
  pending: readonly Item[],
): {byItem: Map<number, string[]>; general: string} {
  const reasons = readReasons(answer)
  const byItem = new Map<number, string[]>()
  const general: string[] = []
  const positions = new Map(pending.map((item, position) => [item.id.toLowerCase(), position]))
  const at = new RegExp(
    `^\\s*(?:\\$\\.|/|body[./])?${escapeRegExp(plural)}(?:\\[(\\d+)\\]|[./](\\d+))(?!\\d)\\s*:?\\s*`,
  )
  for (const reason of reasons) {
    const match = at.exec(reason)
    const position = match === null ? undefined : Number(match[1] ?? match[2])
    if (match !== null && position !== undefined && position < pending.length) {
      const rest = reason.slice(match[0].length)
      addReason(byItem, position, rest === '' ? reason : rest)
      continue
    }
    const named = match === null ? idsIn(reason, positions) : []
    if (named.length === 0) general.push(reason)
    for (const position of named) addReason(byItem, position, reason)
  }
  const fallback =
    answer.text === undefined || answer.text.trim() === ''
      ? `The server refused the request (${answer.status}) without a reason.`
      : `The server refused the request (${answer.status}): ${maskCivicNumbersInText(excerpt(answer.text))}`
  return {byItem, general: general.length > 0 ? joinReasons(general) : fallback}
}

function addReason(byItem: Map<number, string[]>, position: number, reason: string): void {
  const list = byItem.get(position)
  if (list === undefined) byItem.set(position, [reason])
  else list.push(reason)
}

/** The positions of the request's records whose ids a reason mentions. */
function idsIn(reason: string, positions: ReadonlyMap<string, number>): number[] {
  const found: number[] = []
  const text = reason.toLowerCase()
  for (const [id, position] of positions) if (id !== '' && text.includes(id)) found.push(position)
  return found
}

/**
 * The reasons of an error body, civic numbers masked: each of `{"errors": [...]}` (strings, or objects with a
 * message and a place), else the one message of the other shapes servers use (readServerMessage).
 */
function readReasons(answer: WriteAnswer): string[] {
  const body = answer.json
  let reasons: string[] = []
  if (isRecord(body) && Array.isArray(body.errors)) {
    reasons = body.errors.flatMap((item): string[] => {
      if (typeof item === 'string') return [item]
      if (!isRecord(item)) return item === null || item === undefined ? [] : [JSON.stringify(item)]
      const message = [item.message, item.msg, item.detail].find((value) => typeof value === 'string')
      if (message === undefined) return [JSON.stringify(item)]
      const where = Array.isArray(item.loc) ? item.loc.join('.') : [item.path, item.field].find(isText)
      return [where === undefined || where === '' ? message : `${where}: ${message}`]
    })
  } else if (answer.text !== undefined) {
    const message = readServerMessage(answer.text)
    if (message !== undefined) reasons = [message.message]
  }
  return reasons.map((reason) => maskCivicNumbersInText(reason.trim())).filter((reason) => reason !== '')
}

function isText(value: unknown): value is string {
  return typeof value === 'string'
}

/** Reasons as one text: sentences side by side, other texts separated by semicolons. */
function joinReasons(reasons: readonly string[]): string {
  return reasons.reduce(
    (text, reason) => (text === '' ? reason : `${text}${/[.!?]$/.test(text) ? ' ' : '; '}${reason}`),
    '',
  )
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

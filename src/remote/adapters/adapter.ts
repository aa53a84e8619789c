import type {EntityName} from '../../schema/entity-names.js'

/**
 * What an upload asks a target to do with records of one type:
 * - `create`: records the target does not hold yet (Skolverket's ingest: POST, 409 when the id exists);
 * - `update`: records it holds, replaced whole (PUT);
 * - `upsert`: records it may or may not hold — those of a chunk whose answer was lost (a crash, a timeout after
 *   sending): sent so that sending twice is harmless (PUT);
 * - `delete`: ids to remove (removing one it does not hold is no error).
 */
export type WriteKind = 'create' | 'update' | 'upsert' | 'delete'

/** One chunk of one kind for one entity type; `value` is the whole record (not for deletes). */
export interface WriteChunk {
  entity: EntityName
  kind: WriteKind
  records: Array<{id: string; value?: Record<string, unknown>}>
}

/** What became of one record of a chunk. */
export type RecordOutcome =
  | {id: string; status: 'ok'}
  /** The target refused this record (400/409 with a reason that names it): recorded, never retried as it is. */
  | {id: string; status: 'refused'; httpStatus: number; reason: string}

export interface ChunkResult {
  /** One per record of the chunk, in its order. */
  outcomes: RecordOutcome[]
  /**
   * HTTP requests it took (a 413 halves the chunk; a refusal resends the records it did not name), each counted once
   * however often the client retried it (the client's onRetry tells of those).
   */
  requests: number
}

/**
 * A write API an upload can send records to. One file per target kind (`skolverket-ingest.ts`); adding a vendor's
 * API is adding one adapter. Transport faults (network errors, timeouts, 5xx, 429) are retried by the client
 * underneath; what still fails is thrown (a `RemoteError`) and stops the upload, whose journal then knows the chunk
 * was sent without an answer.
 */
export interface WriteAdapter {
  /** As `--adapter` names it. */
  readonly name: string
  /** The entity types it can write, in upload order (deletes go in the reverse order). */
  readonly entities: readonly EntityName[]
  /** Sends one chunk and tells per record what became of it. */
  write(chunk: WriteChunk): Promise<ChunkResult>
}

import {UsageError} from '../errors.js'

/**
 * One side of a diff, as the engine reads it. A staged side reads the diff's staging database unless it names
 * another in `db` (a temporary database a URL side was pulled into); `parseSideSpec` never sets it.
 */
export type DiffSideSpec =
  /** What a scope holds now (`current_record`); without a scope, the only scope whose newest batch is an import. */
  | {kind: 'staged'; scope?: string; db?: string}
  /** The state of batch N's scope right after batch N. */
  | {kind: 'batch'; batch: number; db?: string}
  /** What a scope of snapshots (pulled from an API) holds now. */
  | {kind: 'snapshot'; scope: string; db?: string}
  /** The state of a snapshot batch's scope right after it. */
  | {kind: 'snapshot-batch'; batch: number; db?: string}
  /** A file or a directory of SS 12000 JSON (`<collection>.json`, NDJSON, API response pages). */
  | {kind: 'path'; path: string}

/** A side as the user wrote it: a URL is for the caller to pull into a temporary snapshot before diffing. */
export type ParsedSide = DiffSideSpec | {kind: 'url'; url: string}

const NUMBER = /^[1-9][0-9]*$/

/**
 * Reads a side of `ss12000 diff`: `staged`, `staged:SCOPE`, `batch:N`, `snapshot:NAME`, `snapshot:N` (all digits: a
 * batch number), an `http(s)://` URL, or else a path (a file or directory). The keywords win over a file of the same
 * name; write `./staged` for a directory called `staged`. A malformed keyword form (`batch:x`, `staged:`) is a usage
 * error, not a path.
 */
export function parseSideSpec(text: string): ParsedSide {
  if (text === 'staged') return {kind: 'staged'}
  if (/^https?:\/\//i.test(text)) return {kind: 'url', url: text}
  const colon = text.indexOf(':')
  const keyword = colon < 0 ? '' : text.slice(0, colon)
  const rest = text.slice(colon + 1)
  switch (keyword) {
    case 'staged':
      if (rest === '') throw sideError(text, 'staged:SCOPE needs a scope name.')
      return {kind: 'staged', scope: rest}
    case 'batch':
      if (!NUMBER.test(rest)) throw sideError(text, 'batch:N needs a batch number (ss12000 status lists them).')
      return {kind: 'batch', batch: Number(rest)}
    case 'snapshot':
      if (rest === '') throw sideError(text, 'snapshot: needs a scope name or a batch number.')
      return NUMBER.test(rest) ? {kind: 'snapshot-batch', batch: Number(rest)} : {kind: 'snapshot', scope: rest}
    default:
      return {kind: 'path', path: text}
  }
}

/** A side written back the way `parseSideSpec` reads it. */
export function formatSideSpec(side: ParsedSide): string {
  switch (side.kind) {
    case 'staged':
      return side.scope === undefined ? 'staged' : `staged:${side.scope}`
    case 'batch':
      return `batch:${side.batch}`
    case 'snapshot':
      return `snapshot:${side.scope}`
    case 'snapshot-batch':
      return `snapshot:${side.batch}`
    case 'path':
      return side.path
    case 'url':
      return side.url
  }
}

function sideError(text: string, why: string): UsageError {
  return new UsageError(`Cannot read the diff side "${text}": ${why}`, {
    actions: [
      'A side is staged, staged:SCOPE, batch:N, snapshot:NAME, snapshot:N, a file or directory of SS 12000 JSON, or an http(s) URL.',
    ],
  })
}

import {isRecord} from '../util.js'

/** What an error body said, whichever of the shapes real servers use it came in. */
export interface ServerMessage {
  /** The server's code, as a string (Skolverket's are numbers). */
  code?: string
  message: string
  /**
   * Which shape it was: the standard's `{code, message}` (and Skolverket's `{message, code}`), Skolverket's
   * `{"error": {code, message}}` and `{"errors": […]}`, FastAPI's `{"detail": …}`, OAuth2's
   * `{"error", "error_description"}`, or plain text.
   */
  shape: 'standard' | 'nested' | 'errors' | 'fastapi' | 'oauth2' | 'text'
}

const EXCERPT_LENGTH = 300

/** The first ~300 characters of a body, on one line. */
export function excerpt(text: string, length = EXCERPT_LENGTH): string {
  const line = text.replace(/\s+/g, ' ').trim()
  return line.length > length ? `${line.slice(0, length)}…` : line
}

/**
 * Reads an error body leniently (SPEC-NOTES §3, §4): the standard says `{code, message}`, Skolverket's server answers
 * three other ways, FastAPI servers answer `{"detail": …}` and token endpoints `{"error", "error_description"}`.
 * Anything else is shown as an excerpt of the text. Undefined for an empty body.
 */
export function readServerMessage(text: string): ServerMessage | undefined {
  if (text.trim() === '') return undefined
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    return {message: excerpt(text), shape: 'text'}
  }
  if (isRecord(body)) {
    const message = scalarText(body.message)
    if (message !== undefined) return withCode({message, shape: 'standard'}, body.code)
    if (isRecord(body.error)) {
      const nested = scalarText(body.error.message)
      if (nested !== undefined) return withCode({message: nested, shape: 'nested'}, body.error.code)
    }
    if (typeof body.error === 'string') {
      const description = scalarText(body.error_description)
      return {code: body.error, message: description ?? body.error, shape: 'oauth2'}
    }
    if (Array.isArray(body.errors)) return {message: excerpt(listText(body.errors)), shape: 'errors'}
    if (body.detail !== undefined) {
      const detail = Array.isArray(body.detail) ? listText(body.detail) : (scalarText(body.detail) ?? '')
      return {message: excerpt(detail === '' ? JSON.stringify(body.detail) : detail), shape: 'fastapi'}
    }
  }
  return {message: excerpt(text), shape: 'text'}
}

function withCode(found: ServerMessage, code: unknown): ServerMessage {
  const text = scalarText(code)
  return text === undefined ? found : {code: text, ...found}
}

function scalarText(value: unknown): string | undefined {
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  return undefined
}

/** `["a", {"message": "b"}, {"loc": ["query", "limit"], "msg": "c"}]` → `a; b; query.limit: c`. */
function listText(items: unknown[]): string {
  return items
    .map((item) => {
      if (!isRecord(item)) return scalarText(item) ?? JSON.stringify(item)
      const text = scalarText(item.message) ?? scalarText(item.msg) ?? scalarText(item.detail)
      if (text === undefined) return JSON.stringify(item)
      const where = Array.isArray(item.loc) ? item.loc.join('.') : (scalarText(item.path) ?? scalarText(item.field))
      return where === undefined || where === '' ? text : `${where}: ${text}`
    })
    .join('; ')
}

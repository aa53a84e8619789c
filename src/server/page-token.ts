import {createHmac, randomBytes, timingSafeEqual} from 'node:crypto'

/** What a follow-up page needs: the first request's query (the token carries it, since the request may not) and where to go on. */
export interface PageState {
  /** The collection the token belongs to. */
  collection: string
  /** The first request's filter parameters, as given. */
  query: Record<string, string[]>
  limit?: number
  /** The last id of the page before, and its sort value with a sortkey. */
  after: string
  afterKey?: string | number
}

/**
 * Opaque page tokens: the page state as base64url JSON with an HMAC, so a client can neither read meaning into
 * them nor forge one. The key is made when the server starts: a token does not outlive its server.
 */
export class PageTokens {
  private readonly key: Buffer

  constructor(key: Buffer = randomBytes(32)) {
    this.key = key
  }

  issue(state: PageState): string {
    const body = Buffer.from(JSON.stringify(state)).toString('base64url')
    return `${body}.${this.sign(body)}`
  }

  /** The state, or undefined for a token this server did not issue (or that was altered). */
  read(token: string): PageState | undefined {
    const dot = token.lastIndexOf('.')
    if (dot <= 0) return undefined
    const body = token.slice(0, dot)
    const given = Buffer.from(token.slice(dot + 1), 'base64url')
    const expected = Buffer.from(this.sign(body), 'base64url')
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined
    try {
      return JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as PageState
    } catch {
      return undefined
    }
  }

  private sign(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url')
  }
}

import {createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'

/** A request as the test server saw it. */
export interface SeenRequest {
  method: string
  path: string
  query: URLSearchParams
  headers: IncomingHttpHeaders
  body: string
}

export type Handler = (request: SeenRequest, response: ServerResponse, raw: IncomingMessage) => void | Promise<void>

/** A real node:http server on 127.0.0.1 that records every request; `handle` answers them (or does not). */
export interface TestServer {
  /** `http://127.0.0.1:port` */
  origin: string
  requests: SeenRequest[]
  /** Requests to `path` (without query). */
  to(path: string): SeenRequest[]
  close(): Promise<void>
}

export async function startTestServer(handle: Handler): Promise<TestServer> {
  const requests: SeenRequest[] = []
  const server: Server = createServer((raw, response) => {
    const chunks: Buffer[] = []
    raw.on('data', (chunk: Buffer) => chunks.push(chunk))
    raw.on('end', () => {
      const url = new URL(raw.url ?? '/', 'http://127.0.0.1')
      const request: SeenRequest = {
        method: raw.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        headers: raw.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      }
      requests.push(request)
      void Promise.resolve(handle(request, response, raw)).catch((error: unknown) => {
        response.statusCode = 599
        response.end(String(error))
      })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as AddressInfo
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    to: (path) => requests.filter((request) => request.path === path),
    close: async () => {
      // The client's keep-alive sockets, and requests a test left unanswered, would hold close() open.
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/** Answers JSON. */
export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body)
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  })
  response.end(text)
}

/** Options that keep retries fast: waits of at most 2 ms (tests count attempts, never time). */
export const FAST_RETRY = {attempts: 3, baseDelayMs: 1, maxDelayMs: 2}

/** Collects a client's warnings. */
export function warnings(): {warn: (message: string) => void; messages: string[]} {
  const messages: string[] = []
  return {warn: (message) => messages.push(message), messages}
}

import {createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'

/** A request as the proxy saw it. */
export interface ProxiedRequest {
  method: string
  /** The path below the API's base (`persons`, `persons/<id>`, `token`). */
  path: string
  /** How many requests with this method and path came before. */
  ordinal: number
  authorization: string | undefined
  body: string
}

/** What the proxy does with a request: pass it on (maybe changing it or its answer), answer itself, or misbehave. */
export type Fault =
  | {
      kind: 'pass'
      /** Another query string for the upstream request (`?limit=4`). */
      query?: string
      rewrite?: (body: Record<string, unknown>) => unknown
      /** The upstream answered: called, and the answer is then lost (the connection closes without it). */
      loseAnswer?: () => void
    }
  | {kind: 'answer'; status: number; body: string; headers?: Record<string, string>}
  | {kind: 'reset'}
  | {kind: 'stall'}
  | {kind: 'truncate'}

export type FaultPlan = (request: ProxiedRequest) => Fault

export interface FaultProxy {
  /** The proxy's base URL, standing in for the upstream's. */
  url: string
  requests: ProxiedRequest[]
  close(): Promise<void>
}

export const pass: Fault = {kind: 'pass'}

/**
 * A node:http proxy on 127.0.0.1 in front of a real server (the toolkit's own `serve`): every request is recorded and
 * handed to `plan`, which may pass it on — with the upstream's bearer token, whatever the client sent — or inject a
 * fault: an answer of its own, a reset connection, no answer at all, truncated JSON, or an answer lost after the
 * upstream acted on the request.
 */
export async function startFaultProxy(upstreamUrl: string, token: string, plan: FaultPlan): Promise<FaultProxy> {
  const upstream = new URL(upstreamUrl)
  const base = upstream.pathname.replace(/\/+$/, '')
  const requests: ProxiedRequest[] = []
  const counts = new Map<string, number>()
  const server: Server = createServer((incoming: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = []
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk))
    incoming.on('end', () => {
      const url = new URL(incoming.url ?? '/', 'http://127.0.0.1')
      const path = url.pathname.slice(base.length).replace(/^\/+/, '')
      const method = incoming.method ?? 'GET'
      const ordinal = counts.get(`${method} ${path}`) ?? 0
      counts.set(`${method} ${path}`, ordinal + 1)
      const body = Buffer.concat(chunks)
      const request: ProxiedRequest = {
        method,
        path,
        ordinal,
        authorization: incoming.headers.authorization,
        body: body.toString('utf8'),
      }
      requests.push(request)
      const fault = plan(request)
      if (fault.kind === 'reset') return void incoming.socket.destroy()
      if (fault.kind === 'stall') return // never answered; the client's timeout gives up on it
      if (fault.kind === 'answer') {
        response.writeHead(fault.status, {'content-type': 'application/json', ...fault.headers})
        return void response.end(fault.body)
      }
      const forward = httpRequest(
        {
          host: upstream.hostname,
          port: upstream.port,
          method,
          path: `${base}/${path}${(fault.kind === 'pass' ? fault.query : undefined) ?? url.search}`,
          headers: {...incoming.headers, host: upstream.host, authorization: `Bearer ${token}`},
        },
        (answer) => {
          const parts: Buffer[] = []
          answer.on('data', (chunk: Buffer) => parts.push(chunk))
          answer.on('end', () => {
            if (fault.kind === 'pass' && fault.loseAnswer !== undefined) {
              fault.loseAnswer()
              return void incoming.socket.destroy()
            }
            let text = Buffer.concat(parts).toString('utf8')
            if (fault.kind === 'pass' && fault.rewrite !== undefined) {
              text = JSON.stringify(fault.rewrite(JSON.parse(text) as Record<string, unknown>))
            }
            if (fault.kind === 'truncate') text = text.slice(0, Math.floor(text.length / 2))
            const headers: Record<string, string> = {}
            const type = answer.headers['content-type']
            if (type !== undefined) headers['content-type'] = type
            response.writeHead(answer.statusCode ?? 502, headers)
            response.end(text)
          })
        },
      )
      forward.end(body)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}${base}`,
    requests,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

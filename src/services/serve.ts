import {readFile} from 'node:fs/promises'
import type {AddressInfo} from 'node:net'
import {isIP} from 'node:net'
import {setTimeout as sleep} from 'node:timers/promises'

import {UsageError} from '../errors.js'
import type {ProfileName} from '../schema/profiles.js'
import {buildServer, notifierOf} from '../server/app.js'
import {openStagingDatabase} from '../staging/database.js'
import {listScopes, resolveScope} from '../staging/read.js'

/** The environment variable that holds the bearer tokens `serve` accepts (comma-separated): never a flag. */
export const SERVE_TOKEN_ENV = 'SS12000_SERVE_TOKEN'

export interface ServeOptions {
  dbPath: string
  scope?: string
  host: string
  port: number
  basePath: string
  /** Tokens to accept; undefined: no auth (loopback only). */
  tokens?: string[]
  tls?: {certPath: string; keyPath: string}
  /** Serve the ingest API too, validating against this profile. */
  ingest?: {profile: ProfileName}
  now: () => string
}

export interface RunningServer {
  url: string
  scope: string
  close(): Promise<void>
}

/** The bearer tokens in SS12000_SERVE_TOKEN (comma-separated). */
export function tokensFromEnvironment(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env[SERVE_TOKEN_ENV] ?? '')
    .split(',')
    .map((token) => token.trim())
    .filter(Boolean)
}

/** Opens the staged scope and starts the read API on it; refuses no auth off loopback and auth without tokens. */
export async function startServer(options: ServeOptions): Promise<RunningServer> {
  if (options.tokens !== undefined && options.tokens.length === 0) {
    throw new UsageError(`No bearer token to accept: set ${SERVE_TOKEN_ENV}.`, {
      actions: ['Or serve without tokens on this machine only: --no-auth (loopback addresses only).'],
    })
  }
  if (options.tokens === undefined && !isLoopback(options.host)) {
    throw new UsageError(`--no-auth is allowed only on a loopback address, not ${options.host}.`)
  }
  const https = options.tls
    ? {cert: await readPem(options.tls.certPath), key: await readPem(options.tls.keyPath)}
    : undefined
  // An ingest target may start empty: the scope named is created by its first write.
  const empty = options.ingest !== undefined && options.scope !== undefined
  const db = openStagingDatabase(options.dbPath, {create: empty})
  let scope: string
  try {
    scope =
      empty && !listScopes(db).includes(options.scope!)
        ? options.scope!
        : resolveScope(db, options.scope, options.dbPath)
  } catch (error) {
    db.close()
    throw error
  }
  const basePath = options.basePath.replace(/\/+$/, '')
  // The ingest API and the subscriptions write through a connection of their own: the read API's open page streams
  // keep theirs busy.
  const writer = openStagingDatabase(options.dbPath)
  const app = buildServer({
    db,
    scope,
    basePath,
    ...(options.tokens === undefined ? {} : {tokens: options.tokens}),
    ...(https === undefined ? {} : {https}),
    ...(options.ingest ? {ingest: {db: writer, profile: options.ingest.profile, now: options.now}} : {}),
    subscriptions: {db: writer, now: options.now},
    clientReports: {db: writer, now: options.now, ...(options.ingest ? {profile: options.ingest.profile} : {})},
  })
  try {
    await app.listen({host: options.host, port: options.port})
  } catch (error) {
    db.close()
    writer.close()
    throw new UsageError(`Cannot listen on ${options.host}:${options.port}: ${(error as Error).message}`)
  }
  const address = app.server.address() as AddressInfo
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
  return {
    url: `${https ? 'https' : 'http'}://${host}:${address.port}${basePath}`,
    scope,
    close: async () => {
      // Notifications already queued get a few seconds to go out.
      const notifier = notifierOf(app)
      if (notifier) await Promise.race([notifier.idle(), sleep(5000, undefined, {ref: false})])
      await app.close()
      db.close()
      writer.close()
    },
  }
}

async function readPem(path: string): Promise<Buffer> {
  try {
    return await readFile(path)
  } catch (error) {
    throw new UsageError(`Cannot read ${path}: ${(error as Error).message}`)
  }
}

function isLoopback(host: string): boolean {
  if (host === 'localhost') return true
  if (isIP(host) === 4) return host.startsWith('127.')
  return host === '::1'
}

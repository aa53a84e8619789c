import {existsSync} from 'node:fs'
import {text} from 'node:stream/consumers'

import {type Config, configPath, loadConfig} from '../config/config.js'
import {UsageError} from '../errors.js'
import {resolveClientAuth} from '../remote/auth.js'
import {DEFAULT_RETRY} from '../remote/backoff.js'
import {Ss12000Client} from '../remote/client.js'

export interface ConnectOptions {
  /** The API's base URL; default the configuration's `remote.url`. */
  url?: string
  /** Read the bearer token from stdin. */
  tokenStdin: boolean
  insecureHttp: boolean
  timeoutSeconds: number
  /** Retries after the first attempt. */
  retries: number
  concurrency: number
  /** The configuration file's path (its `remote` section, if the file exists), `--config` or the default. */
  config?: string
  warn: (message: string) => void
  env?: NodeJS.ProcessEnv
}

/**
 * A client of the API at `url`, with the credentials the user gave: a token on stdin, SS12000_TOKEN, or OAuth2
 * client credentials from the environment and the configuration's `remote` section (which is optional here).
 */
export async function connect(options: ConnectOptions): Promise<Ss12000Client> {
  const env = options.env ?? process.env
  const config = await optionalConfig(options.config, env)
  const stdinToken = options.tokenStdin ? await text(process.stdin) : undefined
  const auth = resolveClientAuth(env, config, stdinToken)
  const url = options.url ?? config?.remote?.url
  if (url === undefined) {
    throw new UsageError('Which API? Give its base URL (https://host/v2.0), or remote.url in the configuration.')
  }
  return new Ss12000Client({
    baseUrl: url,
    ...(auth === undefined ? {} : {auth}),
    insecureHttp: options.insecureHttp,
    timeoutMs: options.timeoutSeconds * 1000,
    retry: {...DEFAULT_RETRY, attempts: options.retries + 1},
    concurrency: options.concurrency,
    warn: options.warn,
    // Each retry is said: a server that needs many is worth knowing about.
    onRetry: (event) =>
      options.warn(
        `${event.request}: ${event.reason}; attempt ${event.attempt + 1} of ${event.attempts} in ${(event.delayMs / 1000).toFixed(1)} s.`,
      ),
  })
}

/** The configuration (`--config`, SS12000_CONFIG or the default file) when the file exists: optional here. */
export async function optionalConfig(
  flag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Config | undefined> {
  const path = configPath(flag, env)
  return existsSync(path) ? loadConfig(path, env) : undefined
}

/** The remote flags of a command (`remoteFlags` and `--config`), as they come from the parser. */
export interface RemoteFlagValues {
  'token-stdin': boolean
  'insecure-http': boolean
  timeout: number
  retries: number
  concurrency: number
  config?: string | undefined
}

/** `connect` with a command's remote flags. */
export function connectWithFlags(
  url: string | undefined,
  flags: RemoteFlagValues,
  warn: (message: string) => void,
): Promise<Ss12000Client> {
  return connect({
    ...(url === undefined ? {} : {url}),
    tokenStdin: flags['token-stdin'],
    insecureHttp: flags['insecure-http'],
    timeoutSeconds: flags.timeout,
    retries: flags.retries,
    concurrency: flags.concurrency,
    ...(flags.config === undefined ? {} : {config: flags.config}),
    warn,
  })
}

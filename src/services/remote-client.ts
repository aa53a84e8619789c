import {existsSync} from 'node:fs'
import {text} from 'node:stream/consumers'

import {type Config, configPath, loadConfig} from '../config/config.js'
import {UsageError} from '../errors.js'
import {resolveClientAuth} from '../remote/auth.js'
import {Ss12000Client} from '../remote/client.js'

export interface ConnectOptions {
  /** The API's base URL; default the configuration's `remote.url`. */
  url?: string
  /** Read the bearer token from stdin. */
  tokenStdin: boolean
  insecureHttp: boolean
  timeoutSeconds: number
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
  const path = configPath(options.config, env)
  const config: Config | undefined = existsSync(path) ? await loadConfig(path, env) : undefined
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
    concurrency: options.concurrency,
    warn: options.warn,
  })
}

/** The remote flags of a command (`remoteFlags` and `--config`), as they come from the parser. */
export interface RemoteFlagValues {
  'token-stdin': boolean
  'insecure-http': boolean
  timeout: number
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
    concurrency: flags.concurrency,
    ...(flags.config === undefined ? {} : {config: flags.config}),
    warn,
  })
}

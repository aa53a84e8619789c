import {readFile} from 'node:fs/promises'
import {resolve} from 'node:path'

import {type Static, Type} from '@sinclair/typebox'

import {UsageError} from '../errors.js'
import {SCHOOL_TYPES_2020, SCHOOL_TYPES_SKOLVERKET} from '../schema/code-lists.js'
import {compileSchemaLazily} from '../schema/validators.js'
import {isRecord} from '../util.js'
import {checkOrganisationNumber} from '../validation/identity.js'
import {parseLocatedYaml, pickSchemaError} from './located-yaml.js'

export const CONFIG_FILE_NAME = 'ss12000.config.yaml'
export const CONFIG_VERSION = 1

const schoolTypes = [...new Set<string>([...SCHOOL_TYPES_2020, ...SCHOOL_TYPES_SKOLVERKET])]

/**
 * Where a live SS 12000 API is and how to get a token for it (`pull`, `diff`, `probe`). Never a secret or a token:
 * those come from the environment (SS12000_TOKEN, SS12000_CLIENT_SECRET) or stdin, so the file can be shared.
 */
function RemoteConfigSchema() {
  return Type.Object(
    {
      /** The API's base URL, e.g. https://host/v2.0. */
      url: Type.Optional(Type.String({format: 'uri'})),
      /** OAuth2 client credentials: the token endpoint, the client id and the scope to ask for. */
      tokenUrl: Type.Optional(Type.String({format: 'uri'})),
      clientId: Type.Optional(Type.String({minLength: 1})),
      scope: Type.Optional(Type.String({minLength: 1})),
      /** How the client id and secret reach the token endpoint (RFC 6749 §2.3.1); HTTP Basic unless told. */
      tokenEndpointAuthMethod: Type.Optional(
        Type.Union([Type.Literal('client_secret_basic'), Type.Literal('client_secret_post')]),
      ),
    },
    {additionalProperties: false},
  )
}

/** `ss12000 upload`'s defaults: the safety limits and the chunk size. */
function UploadConfigSchema() {
  const limit = Type.Union([Type.Integer({minimum: 0}), Type.String({pattern: '^\\s*\\d+(\\.\\d+)?\\s*%\\s*$'})])
  return Type.Object(
    {
      /** Deletes allowed per entity type: a number of records, or a share ("5%") of what the target holds. */
      maxDelete: Type.Optional(limit),
      /** Changes (updates) allowed per entity type, likewise; no limit unless set. */
      maxChange: Type.Optional(limit),
      /** Records per request. */
      chunkSize: Type.Optional(Type.Integer({minimum: 1, maximum: 100_000})),
    },
    {additionalProperties: false},
  )
}

/** Settings that would put a credential in the file; refused with a pointer to the environment variable instead. */
const REMOTE_CREDENTIALS: Record<string, string> = {
  token: 'SS12000_TOKEN (or --token-stdin)',
  accessToken: 'SS12000_TOKEN (or --token-stdin)',
  clientSecret: 'SS12000_CLIENT_SECRET',
  secret: 'SS12000_CLIENT_SECRET',
  password: 'SS12000_CLIENT_SECRET',
}

/**
 * The configuration a user owns: what legacy exports lack but SS 12000 requires (the organiser, term dates, default
 * school types) and what makes ids stable and private (namespace and secret).
 */
export const ConfigSchema = Type.Object(
  {
    version: Type.Literal(CONFIG_VERSION),
    organisation: Type.Object(
      {
        name: Type.String({minLength: 1}),
        organisationNumber: Type.Optional(Type.String()),
      },
      {additionalProperties: false},
    ),
    ids: Type.Object(
      {
        namespace: Type.String({format: 'uuid'}),
        secret: Type.Optional(Type.String({pattern: '^[0-9a-fA-F]{64,}$'})),
      },
      {additionalProperties: false},
    ),
    term: Type.Object(
      {start: Type.String({format: 'date'}), end: Type.String({format: 'date'})},
      {additionalProperties: false},
    ),
    defaults: Type.Optional(
      Type.Object(
        {
          schoolTypes: Type.Optional(
            Type.Array(Type.Unsafe<string>({type: 'string', enum: schoolTypes}), {uniqueItems: true}),
          ),
        },
        {additionalProperties: false},
      ),
    ),
    remote: Type.Optional(RemoteConfigSchema()),
    upload: Type.Optional(UploadConfigSchema()),
  },
  {additionalProperties: false},
)

export type Config = Static<typeof ConfigSchema>
export type RemoteConfig = NonNullable<Config['remote']>

/** The environment variable that supplies (or overrides) `ids.secret`, so the secret need not sit in the file. */
export const SECRET_ENV = 'SS12000_ID_SECRET'
/** The environment variable naming the configuration file. */
export const CONFIG_ENV = 'SS12000_CONFIG'

const validateConfig = compileSchemaLazily(ConfigSchema)

/** The configuration file to use: `--config`, then SS12000_CONFIG, then ./ss12000.config.yaml. */
export function configPath(
  flag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
): string {
  return resolve(cwd, flag ?? env[CONFIG_ENV] ?? CONFIG_FILE_NAME)
}

/**
 * Reads and checks a configuration file. Every problem is a UsageError that names the file, line and column and
 * says what to write instead; SS12000_ID_SECRET, when set, replaces `ids.secret`.
 */
export async function loadConfig(path: string, env: NodeJS.ProcessEnv = process.env): Promise<Config> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch {
    throw new UsageError(`No configuration file at ${path}.`, {
      actions: ['Create one with `ss12000 init`, or point to it with --config or SS12000_CONFIG.'],
    })
  }
  return parseConfig(text, path, env)
}

/** Checks configuration text as `loadConfig` does; `path` names it in messages. */
export function parseConfig(text: string, path: string, env: NodeJS.ProcessEnv = process.env): Config {
  const document = parseLocatedYaml(text, path)
  const value = document.value
  const secret = env[SECRET_ENV]
  if (secret !== undefined && secret !== '' && isRecord(value) && isRecord(value.ids)) value.ids.secret = secret
  if (isRecord(value) && isRecord(value.remote)) {
    const credential = Object.keys(value.remote).find((key) => REMOTE_CREDENTIALS[key] !== undefined)
    if (credential !== undefined) {
      throw new UsageError(
        `${document.where(['remote', credential])}: remote.${credential}: a credential does not belong in the configuration file.`,
        {actions: [`Remove it from ${path} and give it in ${REMOTE_CREDENTIALS[credential]} instead.`]},
      )
    }
  }
  const validate = validateConfig()
  if (!validate(value)) {
    const error = pickSchemaError(validate.errors!)
    const field = error.path.join('.') || '(top level)'
    const detail =
      error.detail.startsWith('must match pattern') && error.path.at(-1) === 'secret'
        ? 'must be at least 64 hexadecimal characters (run `ss12000 init` to make one)'
        : error.detail
    throw new UsageError(`${document.where(error.path)}: ${field}: ${detail}.`, {
      actions: [`Fix ${path}; \`ss12000 init --force\` writes a fresh, commented one.`],
    })
  }
  const config = value as Config
  const number = config.organisation.organisationNumber
  if (number !== undefined && !checkOrganisationNumber(number).ok) {
    throw new UsageError(
      `${document.where(['organisation', 'organisationNumber'])}: organisation.organisationNumber is not a valid organisationsnummer.`,
    )
  }
  if (config.term.start > config.term.end) {
    throw new UsageError(`${path}: term.start (${config.term.start}) is after term.end (${config.term.end}).`)
  }
  return config
}

export interface ConfigTemplateValues {
  createdOn: string
  organisationName: string
  organisationNumber?: string
  namespace: string
  secret: string
  termStart: string
  termEnd: string
  schoolTypes: string[]
}

/** The commented configuration file `ss12000 init` writes. */
export function renderConfig(values: ConfigTemplateValues): string {
  const organisationNumber =
    values.organisationNumber === undefined
      ? "  # organisationNumber: 212000-0000  # the organiser's organisationsnummer"
      : `  organisationNumber: ${JSON.stringify(values.organisationNumber)}`
  return `# ss12000-toolkit configuration, created by \`ss12000 init\` on ${values.createdOn}.
# What legacy exports lack but SS 12000 requires comes from here; every default applied to a record is counted in
# the convert summary. Keep this file with your templates; keep ids.secret private.
version: ${CONFIG_VERSION}

organisation:
  # The huvudman (school organiser) the data belongs to.
  name: ${JSON.stringify(values.organisationName)}
${organisationNumber}

ids:
  # Namespace of the deterministic ids (UUIDv5). Never change it: every id would change with it.
  namespace: ${values.namespace}
  # Secret for ids derived from personnummer (an HMAC), so an id cannot be traced back to a number.
  # Never change it, and do not share it. ${SECRET_ENV} in the environment replaces it, if you would rather
  # not keep it in this file.
  secret: ${values.secret}

term:
  # Used as start and end dates of enrolments, duties, groups and placements when the export does not give them.
  # Check them against your municipality's calendar.
  start: ${values.termStart}
  end: ${values.termEnd}

defaults:
  # School types assumed when an export does not say (${SCHOOL_TYPES_2020.join(', ')}).
  schoolTypes: [${values.schoolTypes.join(', ')}]
`
}

/** The Swedish school year around a date: mid-August to mid-June, as a starting guess for `init`. */
export function schoolYearAround(today: string): {start: string; end: string} {
  const year = Number(today.slice(0, 4))
  const first = today.slice(5) >= '07-01' ? year : year - 1
  return {start: `${first}-08-15`, end: `${first + 1}-06-15`}
}

import {Flags} from '@oclif/core'

import {UsageError} from '../errors.js'
import {ENTITY_NAMES, entityFromName, type EntityName} from '../schema/entity-names.js'
import {MODES, type Mode, PROFILE_NAMES, type ProfileName} from '../schema/profiles.js'
import {DB_ENV} from '../staging/location.js'
import {type ReaderOptions, SOURCE_ENCODINGS, type SourceEncoding} from '../sources/types.js'

/** Flags shared by commands, defined once so they mean the same everywhere. */

export const profileFlag = Flags.option({
  options: PROFILE_NAMES,
  default: 'ss12000-2020' as ProfileName,
  env: 'SS12000_PROFILE',
  summary: "Which rules to validate against: the TK450 model or Skolverket's stricter read profile.",
})()

export const modeFlag = Flags.option({
  options: MODES,
  default: 'payload' as Mode,
  summary: 'payload: data you produce (meta optional). response: data an API returned (read-only fields required).',
})()

/** An entity or collection name (Person, persons, …) as an entity type. */
async function parseEntity(input: string): Promise<EntityName> {
  const entity = entityFromName(input)
  if (!entity) throw new UsageError(`Unknown entity type "${input}". Use one of: ${ENTITY_NAMES.join(', ')}.`)
  return entity
}

export const entityFlag = Flags.custom<EntityName>({
  summary:
    'Entity type of records whose file name or body key does not say: an entity or collection name (Person, persons, …).',
  helpValue: '<entity>',
  parse: parseEntity,
})()

/** Entity types to work on, repeatable: entity or collection names. */
export const entitiesFlag = Flags.custom<EntityName>({
  summary: 'An entity type to work on (repeatable): an entity or collection name (Person, persons, …); default all.',
  helpValue: '<entity>',
  multiple: true,
  parse: parseEntity,
})()

export const dbFlag = Flags.string({
  helpValue: '<path>',
  summary: `The staging database (default ./ss12000.db, or ${DB_ENV}).`,
})

export const revealFlag = Flags.boolean({
  default: false,
  summary: 'Show personnummer in output instead of masking them (20011224-****).',
})

export const allowExternalRefsFlag = Flags.boolean({
  default: false,
  summary: 'Report references to entities that are not in the input as warnings, not errors.',
})

/** Reader flags: one definition, so they mean the same for every command that reads CSV or Excel. */
export const readerFlags = {
  encoding: Flags.option({
    options: SOURCE_ENCODINGS,
    summary: 'CSV encoding, instead of detecting it (BOM, then UTF-8, falling back to Windows-1252).',
  })(),
  delimiter: Flags.string({
    summary: 'CSV delimiter, instead of sniffing it among ; , tab and | (write tab as \\t).',
  }),
  sheet: Flags.string({summary: 'Excel worksheet by name or 1-based number; default: the first sheet with data.'}),
  'header-row': Flags.integer({min: 1, summary: 'The row that holds the header, instead of detecting it (1 = first).'}),
  'skip-rows': Flags.integer({
    min: 0,
    default: 0,
    summary: 'Rows to skip right after the header (e.g. a row of explanations under it).',
  }),
}

/** Reader options from the reader flags. */
export function readerOptionsFrom(flags: {
  encoding?: SourceEncoding
  delimiter?: string
  sheet?: string
  'header-row'?: number
  'skip-rows'?: number
}): ReaderOptions {
  const options: ReaderOptions = {}
  if (flags.encoding !== undefined) options.encoding = flags.encoding
  if (flags.delimiter !== undefined)
    options.delimiter = flags.delimiter === '\\t' || flags.delimiter === 'tab' ? '\t' : flags.delimiter
  if (flags.sheet !== undefined) options.sheet = /^\d+$/.test(flags.sheet) ? Number(flags.sheet) : flags.sheet
  if (flags['header-row'] !== undefined) options.headerRow = flags['header-row']
  if (flags['skip-rows']) options.skipRows = flags['skip-rows']
  return options
}

export const configFlag = Flags.string({
  summary: 'The configuration file (default: ./ss12000.config.yaml, or SS12000_CONFIG).',
  helpValue: '<path>',
})

/** Flags of the commands that talk to a live SS 12000 API (pull, probe, diff against a URL). */
export const remoteFlags = {
  'token-stdin': Flags.boolean({
    default: false,
    summary: 'Read the bearer token from stdin (else SS12000_TOKEN, or OAuth2 client credentials). Never a flag value.',
  }),
  'insecure-http': Flags.boolean({
    default: false,
    summary: 'Allow plain http to a host other than this machine (loopback may always use http).',
  }),
  timeout: Flags.integer({
    default: 30,
    min: 1,
    helpValue: '<seconds>',
    summary: 'Seconds one request may take before it is retried.',
  }),
  retries: Flags.integer({
    default: 4,
    min: 0,
    max: 20,
    helpValue: '<n>',
    summary: 'Retries of a request after a network error, a timeout, 408, 429 or 5xx (with backoff), before giving up.',
  }),
  concurrency: Flags.integer({
    default: 4,
    min: 1,
    max: 32,
    helpValue: '<n>',
    summary: 'Requests in flight at once, across collections.',
  }),
}

import {Flags} from '@oclif/core'

import {UsageError} from '../errors.js'
import {ENTITY_NAMES, entityFromName, type EntityName} from '../schema/entity-names.js'
import {MODES, type Mode, PROFILE_NAMES, type ProfileName} from '../schema/profiles.js'

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

export const entityFlag = Flags.custom<EntityName>({
  summary:
    'Entity type of records whose file name or body key does not say: an entity or collection name (Person, persons, …).',
  helpValue: '<entity>',
  parse: async (input) => {
    const entity = entityFromName(input)
    if (!entity) throw new UsageError(`Unknown entity type "${input}". Use one of: ${ENTITY_NAMES.join(', ')}.`)
    return entity
  },
})()

export const revealFlag = Flags.boolean({
  default: false,
  summary: 'Show personnummer in output instead of masking them (20011224-****).',
})

export const allowExternalRefsFlag = Flags.boolean({
  default: false,
  summary: 'Report references to entities that are not in the input as warnings, not errors.',
})

import type {EntityName} from '../schema/entity-names.js'
import type {Model} from '../schema/model.js'
import type {ProfileName} from '../schema/profiles.js'
import {getTypeValidator} from '../schema/validators.js'
import {issueReason} from '../validation/issue.js'
import {issuesFromSchemaErrors} from '../validation/schema-errors.js'

/**
 * Why a request body is not a valid `type` of the model (the reasons joined in one sentence), or undefined when it
 * is. Unknown fields are warnings, as everywhere in the toolkit: callers leave them out rather than refuse them.
 * `named` is how the reasons name the fields (`LogEntry.severityLevel`); it defaults to the type.
 */
export function bodyErrors(
  type: keyof Model['types'],
  body: Record<string, unknown>,
  profile: ProfileName,
  named: string = String(type),
): string | undefined {
  const validate = getTypeValidator(type, {profile, mode: 'payload'})
  if (validate(body)) return undefined
  const errors = issuesFromSchemaErrors(validate.errors ?? [], {
    // Issues name SS 12000 entities; API documents are named the same way, for the field names.
    entity: named as EntityName,
    profile,
    reveal: false,
    locate: () => ({file: 'body'}),
  })
    .filter((issue) => issue.severity === 'error')
    .map(issueReason)
  return errors.length > 0 ? `${errors.join('; ')}.` : undefined
}

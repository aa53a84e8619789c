import type {EntityName} from '../schema/entity-names.js'
import type {ProfileName} from '../schema/profiles.js'
import {CATALOG, type IssueCode, renderIssueText} from './catalog.js'
import {maskCivicNumbersInText} from './identity.js'

export type Severity = 'error' | 'warning'

/** Where a problem is: a file and a position in it (a JSON line:column, an NDJSON line, later a sheet cell). */
export interface SourceLocation {
  file: string
  /** JSON and CSV: the physical line; Excel: the row number. */
  line?: number
  /** JSON: the character column; CSV: the 1-based field number. */
  column?: number
  sheet?: string
  /** Excel: the cell address, e.g. `C57`. */
  cell?: string
}

/** `persons.json:12:5`, `persons.ndjson:40`, `elever.xlsx:Elever!C57`, or the file alone. */
export function formatLocation(source: SourceLocation | undefined): string {
  if (!source) return ''
  if (source.sheet !== undefined) {
    const place = source.cell ?? (source.line === undefined ? '' : String(source.line))
    return `${source.file}:${source.sheet}${place ? `!${place}` : ''}`
  }
  if (source.line === undefined) return source.file
  return `${source.file}:${source.line}${source.column === undefined ? '' : `:${source.column}`}`
}

/**
 * One problem found in the data. Bad records become Issues and the run goes on; only conditions that stop the run
 * throw. `message` and `hint` come from the catalog (src/validation/catalog.ts) and are already masked unless the
 * user asked to reveal personal data.
 */
export interface Issue {
  severity: Severity
  code: IssueCode
  message: string
  hint?: string
  /** The entity type the problem belongs to, when known. */
  entity?: EntityName
  /** The entity's id, when it has one. */
  id?: string
  source?: SourceLocation
  /** JSON pointer inside the entity, e.g. `/civicNo/value`. */
  path?: string
  /** The SS 12000 field, e.g. `Person.civicNo.value`, `Person.enrolments[].schoolType`. */
  field?: string
  /** The offending value as text, masked unless revealed. */
  value?: string
  /**
   * What the record refers to that is missing or invalid, when the problem is a failed reference: the failure
   * depends on it, so many such failures can be reported under their one root cause (src/validation/root-causes.ts).
   */
  cause?: IssueCause
}

/** The thing a failed reference points to: an entity by id, or by the legacy key it was looked up with. */
export interface IssueCause {
  /** The entity type referred to (`Organisation`), or the crosswalk a value was looked up in (`crosswalk "sex"`). */
  target: string
  /** The id referred to. */
  id?: string
  /** The legacy key or value it was looked up by, e.g. `signature ABC 33284873`; masked unless revealed. */
  key?: string
}

/** `Person.enrolments[].schoolType` from an entity type and a JSON pointer (`/enrolments/0/schoolType`). */
export function fieldName(entity: string, pointer: string): string {
  if (pointer === '') return entity
  let field = entity
  for (const raw of pointer.split('/').slice(1)) {
    const segment = raw.replaceAll('~1', '/').replaceAll('~0', '~')
    field += /^\d+$/.test(segment) ? '[]' : `.${segment}`
  }
  return field
}

/** Appends a segment to a JSON pointer, escaping `~` and `/` as RFC 6901 says. */
export function childPointer(pointer: string, segment: string | number): string {
  if (typeof segment === 'number') return `${pointer}/${segment}`
  // Most segments are field names with nothing to escape; this runs for every reference of every record.
  if (segment.indexOf('~') < 0 && segment.indexOf('/') < 0) return `${pointer}/${segment}`
  return `${pointer}/${segment.replaceAll('~', '~0').replaceAll('/', '~1')}`
}

/** Where an issue is and what it is about: everything of an Issue but its text. */
export type IssuePlace = Pick<Issue, 'entity' | 'id' | 'source' | 'path' | 'field' | 'value'>

/**
 * Makes an Issue from a catalog code: renders its message and hint and, unless `reveal`, masks every civic number in
 * the text and value. All issues are made here, so no other code can forget the masking.
 */
export function makeIssue(
  code: IssueCode,
  params: Record<string, string | number | undefined>,
  details: IssuePlace & {cause?: IssueCause},
  reveal: boolean,
): Issue {
  const {message, hint} = renderIssueText(code, params)
  const mask = reveal ? (text: string) => text : maskCivicNumbersInText
  const issue: Issue = {severity: CATALOG[code].severity, code, message: mask(message)}
  if (hint !== undefined) issue.hint = mask(hint)
  if (details.entity !== undefined) issue.entity = details.entity
  if (details.id !== undefined) issue.id = details.id
  if (details.source !== undefined) issue.source = details.source
  if (details.path !== undefined) issue.path = details.path
  if (details.field !== undefined) issue.field = details.field
  if (details.value !== undefined) issue.value = mask(details.value)
  if (details.cause !== undefined) withCause(issue, details.cause, reveal)
  return issue
}

/** Sets what an issue's failed reference points to (its key masked unless `reveal`); returns the issue. */
export function withCause(issue: Issue, cause: IssueCause, reveal: boolean): Issue {
  issue.cause = cause.key === undefined || reveal ? cause : {...cause, key: maskCivicNumbersInText(cause.key)}
  return issue
}

/** A short, readable rendering of a JSON value for messages: strings quoted, long values cut. */
export function describeValue(value: unknown, max = 60): string {
  const text = value === undefined ? 'nothing' : JSON.stringify(value)
  return text.length > max ? `${text.slice(0, max - 1)}…` : text
}

/** What the record-level layers know about the record they check. */
export interface RecordContext {
  entity: EntityName
  id?: string
  profile: ProfileName
  reveal: boolean
  /** The location of a JSON pointer inside the record. */
  locate(pointer: string): SourceLocation
}

/**
 * An issue about a value inside a record: located at the pointer, named as an SS 12000 field, with the value shown
 * (masked). `entity`, `profile` and `field` are available to the message as parameters.
 */
export function recordIssue(
  record: RecordContext,
  code: IssueCode,
  params: Record<string, string | number | undefined>,
  pointer: string,
  raw?: unknown,
): Issue {
  const field = fieldName(record.entity, pointer)
  return makeIssue(
    code,
    {entity: record.entity, profile: record.profile, field, ...params},
    {
      entity: record.entity,
      id: record.id,
      source: record.locate(pointer),
      path: pointer,
      field,
      value: raw === undefined ? undefined : describeValue(raw),
    },
    record.reveal,
  )
}

/** An issue as a reason in a rejects file: its message, led by its field when the message does not name it. */
export function issueReason(issue: Issue): string {
  return issue.field === undefined || issue.message.includes(issue.field)
    ? issue.message
    : `${issue.field}: ${issue.message}`
}

import {ENTITY_NAMES, type EntityName} from '../schema/entity-names.js'
import type {Mode, ProfileName} from '../schema/profiles.js'
import {getEntityValidator, getModel} from '../schema/validators.js'
import {isRecord} from '../util.js'
import {civicNumberKey, checkIdentityRules} from './identity-layer.js'
import {IntegrityIndex, type PendingReference, type ReferenceLookup} from './integrity.js'
import type {IssueCode} from './catalog.js'
import {
  describeValue,
  fieldName,
  formatLocation,
  type Issue,
  makeIssue,
  type RecordContext,
  recordIssue,
  type SourceLocation,
} from './issue.js'
import {type FoundReference, referenceExtractors} from './references.js'
import {issuesFromSchemaErrors} from './schema-errors.js'

export interface ValidationOptions {
  profile: ProfileName
  mode: Mode
  /** Show civic numbers in messages instead of masking them. */
  reveal: boolean
  /** Unresolved references become warnings (the target exists elsewhere, e.g. in the receiving system). */
  allowExternalRefs: boolean
}

/** One record to validate, with a way to find positions inside it. */
export interface RecordInput {
  entity: EntityName
  value: unknown
  /** Where the record starts. */
  source: SourceLocation
  /** Where a JSON pointer inside the record is. */
  locate(pointer: string): SourceLocation
  /** The record `reserve` returned for it, if it was announced before. */
  reserved?: number
}

export interface RecordOutcome {
  /** The record's ordinal in this run. */
  record: number
  issues: Issue[]
  valid: boolean
}

export interface EntityCounts {
  records: number
  valid: number
  invalid: number
}

/**
 * Validates a stream of records in layers: schema → Swedish identity rules → uniqueness → references. Record-local
 * layers answer at once; references that point forward are settled by `finish()` once every record has been seen.
 * Used by `validate` and by everything that produces or loads SS 12000 data, so there is one engine.
 */
export class ValidationEngine {
  private readonly index = new IntegrityIndex()
  private extractors: ((entity: EntityName) => (record: unknown) => FoundReference[]) | undefined
  private readonly counts = new Map<EntityName, EntityCounts>()

  constructor(readonly options: ValidationOptions) {}

  /**
   * Announces a record whose id is known before its content is (an entity still being merged from many rows), so
   * that references to it resolve as they are read instead of waiting for the end. Pass the returned record to
   * `validateRecord` once the content is complete.
   */
  reserve(entity: EntityName, id: string, source: SourceLocation): number {
    const record = this.index.addRecord(entity, source)
    this.index.claimId(record, id)
    return record
  }

  validateRecord(input: RecordInput): RecordOutcome {
    const {entity, value} = input
    const record = input.reserved ?? this.index.addRecord(entity, input.source)
    const counts = this.countsOf(entity)
    counts.records++
    const object = isRecord(value) ? value : undefined
    const id = typeof object?.id === 'string' ? object.id : undefined
    const context: RecordContext = {
      entity,
      id,
      profile: this.options.profile,
      reveal: this.options.reveal,
      locate: input.locate,
    }
    const issues: Issue[] = []
    const make = (code: IssueCode, params: Record<string, string>, pointer: string, raw?: unknown) =>
      recordIssue(context, code, params, pointer, raw)

    if (!object) {
      issues.push(make('input.not-an-object', {detail: describeValue(value, 30)}, ''))
    } else {
      const validate = getEntityValidator(entity, this.options)
      if (!validate(object)) issues.push(...issuesFromSchemaErrors(validate.errors ?? [], context))
      issues.push(...checkIdentityRules(object, context))
      if (id !== undefined) {
        const first = this.index.claimId(record, id)
        if (first !== undefined && first !== record)
          issues.push(make('unique.id', {first: this.where(first)}, '/id', id))
      }
      if (entity === 'Person') issues.push(...this.checkPersonUniqueness(record, object, make))
      if (entity === 'Group' && object.groupType === 'Klass')
        issues.push(...this.checkClassMemberships(record, object, make))
      for (const reference of this.extractor(entity)(object)) {
        // The holder's id goes only where it is kept (a pending reference, an issue): this runs for every reference.
        const lookup = this.index.lookUp(record, reference, input.locate, id)
        if (lookup.status === 'wrong-type') {
          const held = id === undefined ? {record, ...reference} : {record, ...reference, holder: id}
          issues.push(this.referenceIssue(held, lookup, input.locate))
        }
      }
    }
    const valid = !issues.some((issue) => issue.severity === 'error')
    if (!valid) this.markInvalid(record)
    else counts.valid++
    return {record, issues, valid}
  }

  /** Settles the references that were still unresolved; call once, after the last record. */
  finish(): Issue[] {
    return this.settle().map(({issue}) => issue)
  }

  /**
   * As `finish`, with the record each issue belongs to (convert rejects the rows the record came from). References
   * to an id `excuse` accepts (an entity whose source row was rejected) are left for the caller to deal with: no
   * issue, and the record stays valid.
   */
  settle(excuse?: (id: string) => boolean): Array<{record: number; issue: Issue}> {
    const settled: Array<{record: number; issue: Issue}> = []
    for (const {reference, lookup} of this.index.unresolved()) {
      if (lookup.status === 'pending' && excuse?.(reference.id)) continue
      const issue = this.referenceIssue(
        reference,
        lookup,
        () => reference.source ?? this.index.locationOf(reference.record),
      )
      if (issue.severity === 'error') this.markInvalid(reference.record)
      settled.push({record: reference.record, issue})
    }
    return settled
  }

  /** Whether a record with this id was validated (or announced). */
  hasId(id: string): boolean {
    return this.index.hasId(id)
  }

  /**
   * Whether references to this id lead to an invalid record: the record holding it (the first with the id; a later
   * duplicate is invalid, and references still resolve to the first) is invalid. False for unknown ids.
   */
  isIdInvalid(id: string): boolean {
    const holder = this.index.holderOf(id)
    return holder !== undefined && this.index.isInvalid(holder)
  }

  /** Whether a record is invalid: when read, or once `finish` found its references unresolved. */
  isInvalid(record: number): boolean {
    return this.index.isInvalid(record)
  }

  /** Records, valid and invalid, per entity type seen, in the standard's order. */
  entityCounts(): Partial<Record<EntityName, EntityCounts>> {
    const result: Partial<Record<EntityName, EntityCounts>> = {}
    for (const entity of ENTITY_NAMES) {
      const counts = this.counts.get(entity)
      if (counts) result[entity] = {...counts}
    }
    return result
  }

  private checkPersonUniqueness(
    record: number,
    person: Record<string, unknown>,
    make: (
      code: 'unique.civic-no' | 'unique.eppn',
      params: Record<string, string>,
      pointer: string,
      raw: unknown,
    ) => Issue,
  ): Issue[] {
    const issues: Issue[] = []
    const civic = civicNumberKey(person)
    if (civic !== undefined) {
      const first = this.index.claimCivicNumber(record, civic)
      if (first !== undefined) {
        issues.push(
          make(
            'unique.civic-no',
            {first: this.where(first)},
            '/civicNo/value',
            (person.civicNo as {value: unknown}).value,
          ),
        )
      }
    }
    const eppns = person.eduPersonPrincipalNames
    if (Array.isArray(eppns)) {
      // Within one person a repeat is a uniqueItems schema error already; count each value once per person.
      const distinct = eppns.length === 1 ? eppns : [...new Set(eppns)]
      distinct.forEach((eppn) => {
        if (typeof eppn !== 'string') return
        const first = this.index.claimEppn(record, eppn.toLowerCase())
        if (first !== undefined) {
          issues.push(
            make('unique.eppn', {first: this.where(first)}, `/eduPersonPrincipalNames/${eppns.indexOf(eppn)}`, eppn),
          )
        }
      })
    }
    return issues
  }

  private checkClassMemberships(
    record: number,
    group: Record<string, unknown>,
    make: (code: 'unique.class', params: Record<string, string>, pointer: string, raw: unknown) => Issue,
  ): Issue[] {
    const issues: Issue[] = []
    const memberships = Array.isArray(group.groupMemberships) ? group.groupMemberships : []
    memberships.forEach((membership: unknown, index) => {
      if (!isRecord(membership)) return
      const person = isRecord(membership.person) ? membership.person.id : undefined
      if (typeof person !== 'string') return
      const date = (value: unknown) => (typeof value === 'string' ? value : undefined)
      const other = this.index.claimClassMembership(
        record,
        person,
        date(membership.startDate),
        date(membership.endDate),
      )
      if (other !== undefined) {
        issues.push(make('unique.class', {first: this.where(other)}, `/groupMemberships/${index}/person/id`, person))
      }
    })
    return issues
  }

  private referenceIssue(
    reference: PendingReference,
    lookup: ReferenceLookup,
    locate: (pointer: string) => SourceLocation,
  ): Issue {
    const entity = this.index.entityOf(reference.record)
    const field = fieldName(entity, reference.pointer)
    const details = {
      entity,
      ...(reference.holder === undefined ? {} : {id: reference.holder}),
      source: locate(reference.pointer),
      path: `${reference.pointer}/id`,
      field,
      value: reference.id,
      cause: {target: reference.target, id: reference.id},
    }
    if (lookup.status === 'wrong-type') {
      return makeIssue(
        'ref.wrong-type',
        {field, target: reference.target, actual: lookup.actual},
        details,
        this.options.reveal,
      )
    }
    const code = this.options.allowExternalRefs ? 'ref.external' : 'ref.unresolved'
    return makeIssue(code, {field, target: reference.target}, details, this.options.reveal)
  }

  private markInvalid(record: number): void {
    if (!this.index.markInvalid(record)) return
    const counts = this.countsOf(this.index.entityOf(record))
    counts.invalid++
    // A record counted valid when read can turn invalid when its forward references fail to resolve.
    if (counts.valid + counts.invalid > counts.records) counts.valid--
  }

  private where(record: number): string {
    return formatLocation(this.index.locationOf(record))
  }

  private extractor(entity: EntityName): (record: unknown) => FoundReference[] {
    const extractors = (this.extractors ??= referenceExtractors(getModel(this.options)))
    return extractors(entity)
  }

  private countsOf(entity: EntityName): EntityCounts {
    let counts = this.counts.get(entity)
    if (!counts) {
      counts = {records: 0, valid: 0, invalid: 0}
      this.counts.set(entity, counts)
    }
    return counts
  }
}

import {ENTITY_NAMES, type EntityName} from '../schema/entity-names.js'
import {doubled} from '../util.js'
import type {SourceLocation} from './issue.js'

/** A reference that could not be resolved when its record was read (it may point forward). */
export interface PendingReference {
  record: number
  pointer: string
  target: EntityName
  id: string
  /** The id of the record that holds the reference, when it has one. */
  holder?: string
  /** Where the reference is written, when the record's reader could say. */
  source?: SourceLocation
}

interface ClassMembership {
  record: number
  /** YYYY-MM-DD, '' when open at the start. */
  start: string
  /** YYYY-MM-DD, '\uffff' when open-ended. */
  end: string
}

/** The outcome of looking a reference up. */
export type ReferenceLookup = {status: 'ok'} | {status: 'wrong-type'; actual: EntityName} | {status: 'pending'}

/**
 * What whole-input checks need to remember about every record, and nothing more: its id, type and where it came from
 * (as numbers in typed arrays), and the civic numbers and EPPNs already claimed. Documents are never kept, so memory
 * grows with the number of ids, not with the size of the data.
 */
export class IntegrityIndex {
  private readonly files: string[] = []
  private readonly fileIndex = new Map<string, number>()
  private fileOf = new Int32Array(1024)
  private lineOf = new Int32Array(1024)
  private columnOf = new Int32Array(1024)
  private typeOf = new Uint8Array(1024)
  private invalid = new Uint8Array(1024)
  private count = 0
  private readonly ids = new Map<string, number>()
  private readonly civicNumbers = new Map<string, number>()
  private readonly eppns = new Map<string, number>()
  private readonly pending: PendingReference[] = []
  /** Klass memberships per person, to keep a pupil in one Klass at a time. */
  private readonly classes = new Map<string, ClassMembership | ClassMembership[]>()
  private readonly dates = new Map<string, string>()

  /** Records a record's type and location and returns its ordinal, the handle the other methods take. */
  addRecord(entity: EntityName, source: SourceLocation): number {
    const record = this.count++
    if (record === this.fileOf.length) this.grow()
    let file = this.fileIndex.get(source.file)
    if (file === undefined) {
      file = this.files.push(source.file) - 1
      this.fileIndex.set(source.file, file)
    }
    this.fileOf[record] = file
    this.lineOf[record] = source.line ?? 0
    this.columnOf[record] = source.column ?? 0
    this.typeOf[record] = ENTITY_NAMES.indexOf(entity)
    return record
  }

  /** Claims an id for a record; returns the first record that had it when it is a duplicate. */
  claimId(record: number, id: string): number | undefined {
    return claim(this.ids, id, record)
  }

  /** Claims a civic number (nationality-qualified); returns the first record that had it. */
  claimCivicNumber(record: number, key: string): number | undefined {
    return claim(this.civicNumbers, key, record)
  }

  /** Claims an eduPersonPrincipalName; returns the first record that had it. */
  claimEppn(record: number, eppn: string): number | undefined {
    return claim(this.eppns, eppn, record)
  }

  /**
   * Records a person's membership of a Klass group (dates inclusive, missing = open-ended). Returns the group record
   * of an earlier membership of another Klass whose dates overlap, when there is one: a pupil belongs to exactly one
   * Klass at a time (SS 12000 Group; SPEC-NOTES §1), while moving between classes over time is fine.
   */
  claimClassMembership(record: number, person: string, start?: string, end?: string): number | undefined {
    // Most pupils have one class and every pupil the same few term dates: keep one object, and one copy of each date.
    const membership = {record, start: this.intern(start ?? ''), end: this.intern(end ?? '\uffff')}
    const known = this.classes.get(person)
    if (known === undefined) {
      this.classes.set(person, membership)
      return undefined
    }
    const memberships = Array.isArray(known) ? known : [known]
    const clash = memberships.find(
      (other) => other.record !== record && other.start <= membership.end && membership.start <= other.end,
    )
    memberships.push(membership)
    if (!Array.isArray(known)) this.classes.set(person, memberships)
    return clash?.record
  }

  private intern(text: string): string {
    if (this.dates.size > 10_000) return text
    const known = this.dates.get(text)
    if (known !== undefined) return known
    this.dates.set(text, text)
    return text
  }

  /** Looks a reference up among the ids seen so far; unresolved ones are kept to be looked up again at the end. */
  lookUp(
    record: number,
    reference: Omit<PendingReference, 'record' | 'source' | 'holder'>,
    locate?: (pointer: string) => SourceLocation,
    holder?: string,
  ): ReferenceLookup {
    const found = this.resolve(reference)
    if (found.status === 'pending') {
      const source = locate?.(reference.pointer)
      const pending: PendingReference = {record, ...reference}
      if (holder !== undefined) pending.holder = holder
      if (source !== undefined) pending.source = source
      this.pending.push(pending)
    }
    return found
  }

  /** The references still unresolved now that every record has been read, with what each turned out to be. */
  *unresolved(): Generator<{reference: PendingReference; lookup: ReferenceLookup}> {
    for (const reference of this.pending) {
      const lookup = this.resolve(reference)
      if (lookup.status !== 'ok') yield {reference, lookup}
    }
    this.pending.length = 0
  }

  /** Marks a record invalid; true when it was not marked before (so counts move once per record). */
  markInvalid(record: number): boolean {
    if (this.invalid[record] === 1) return false
    this.invalid[record] = 1
    return true
  }

  /** Whether a record with this id was seen. */
  hasId(id: string): boolean {
    return this.ids.has(id)
  }

  /** The record that holds an id: the first that claimed it. */
  holderOf(id: string): number | undefined {
    return this.ids.get(id)
  }

  isInvalid(record: number): boolean {
    return this.invalid[record] === 1
  }

  entityOf(record: number): EntityName {
    return ENTITY_NAMES[this.typeOf[record]!]!
  }

  locationOf(record: number): SourceLocation {
    const line = this.lineOf[record]!
    const column = this.columnOf[record]!
    return {file: this.files[this.fileOf[record]!]!, ...(line > 0 ? {line} : {}), ...(column > 0 ? {column} : {})}
  }

  private resolve(reference: Pick<PendingReference, 'id' | 'target'>): ReferenceLookup {
    const record = this.ids.get(reference.id)
    if (record === undefined) return {status: 'pending'}
    const actual = this.entityOf(record)
    return actual === reference.target ? {status: 'ok'} : {status: 'wrong-type', actual}
  }

  private grow(): void {
    this.fileOf = doubled(this.fileOf)
    this.lineOf = doubled(this.lineOf)
    this.columnOf = doubled(this.columnOf)
    this.typeOf = doubled(this.typeOf)
    this.invalid = doubled(this.invalid)
  }
}

function claim(map: Map<string, number>, key: string, record: number): number | undefined {
  const first = map.get(key)
  if (first !== undefined) return first
  map.set(key, record)
  return undefined
}

/**
 * A deterministic fictional *legacy export* from a Swedish school administration system, the kind of input the
 * toolkit converts to SS 12000: four semicolon-separated files in Windows-1252 with CRLF line endings.
 *
 * - `elever.csv`: students, one row each. A title line and an empty line come before the header, as in real exports.
 * - `personal.csv`: staff, one row per (person, school unit); about 10 % of the persons work at two units.
 * - `grupper.csv`: teaching groups per class and subject, with the signatures of their teachers.
 * - `gruppmedlemmar.csv`: one row per (group, active student), with the civic number written without a dash.
 *
 * Everything derives from a seed through the PRNG of ./fictional.ts: no Math.random, no clock. Every person is made up
 * (names from lists, civic numbers from a random birth date and serial with a valid check digit), and every address
 * uses the reserved `.example` top-level domain. The in-memory generator and the streaming writer share one row
 * producer, so they give the same bytes; the streaming writer keeps memory flat for a million students.
 */
import {once} from 'node:events'
import {createWriteStream, type WriteStream} from 'node:fs'
import {mkdir} from 'node:fs/promises'
import {join} from 'node:path'
import {finished} from 'node:stream/promises'

import {decodeWindows1252} from '../../src/sources/text-decoding.js'
import {makeCivicNumber} from '../../src/validation/identity.js'
import {createRandom, FAMILY_NAMES, FEMALE_GIVEN_NAMES, MALE_GIVEN_NAMES, type Random, slugify} from './fictional.js'

// --- public shape ---------------------------------------------------------------------------------------------------

export interface LegacyExportOptions {
  /** PRNG seed. Default 12000. */
  seed?: number
  /** Total number of students (rows of elever.csv), split evenly over the units. Default 120. */
  students?: number
  /**
   * Number of school units. Positions 1, 4, 7, … (0-based) are gymnasieskolor (GY), the others grundskolor with
   * förskoleklass (FKLASS + GR); the default 3 gives two grundskolor and one gymnasium. Default 3.
   */
  units?: number
  /** The class size aimed at: a unit with S students gets round(S / classSize) classes (at least one). Default 25. */
  classSize?: number
}

/** The four files of a legacy export, each as Windows-1252 bytes. */
export interface LegacyExportFiles {
  'elever.csv': Buffer
  'personal.csv': Buffer
  'grupper.csv': Buffer
  'gruppmedlemmar.csv': Buffer
}

/** The name of one file of a legacy export. */
export type LegacyFileName = keyof LegacyExportFiles

/** The files of a legacy export in the order they are written. */
export const LEGACY_FILE_NAMES: readonly LegacyFileName[] = [
  'elever.csv',
  'personal.csv',
  'grupper.csv',
  'gruppmedlemmar.csv',
]

/** The header of each file, column by column. In elever.csv it is line 3 (after a title line and an empty line). */
export const LEGACY_HEADERS: Readonly<Record<LegacyFileName, readonly string[]>> = {
  'elever.csv': [
    'Personnummer',
    'Förnamn',
    'Efternamn',
    'Klass',
    'Skolenhetskod',
    'Skola',
    'E-post',
    'Kön',
    'Status',
    'Slutdatum',
  ],
  'personal.csv': [
    'Personnummer',
    'Förnamn',
    'Efternamn',
    'Signatur',
    'Befattning',
    'Skolenhetskod',
    'Tjänstgöringsgrad',
    'E-post',
    'Mentor för',
  ],
  'grupper.csv': ['Gruppnamn', 'Grupptyp', 'Skolenhetskod', 'Ämne', 'Lärare'],
  'gruppmedlemmar.csv': ['Gruppnamn', 'Skolenhetskod', 'Personnummer'],
}

/** The date in the title line of elever.csv. */
export const LEGACY_EXPORT_DATE = '2024-08-20'

/** The options `scripts/make-legacy-example.ts` uses for examples/legacy; the example test regenerates with them. */
export const LEGACY_EXAMPLE_OPTIONS = {
  seed: 54,
  students: 120,
  units: 3,
  classSize: 10,
} as const satisfies Required<LegacyExportOptions>

const DEFAULT_OPTIONS = {
  seed: 12000,
  students: 120,
  units: 3,
  classSize: 25,
} as const satisfies Required<LegacyExportOptions>

// --- Windows-1252 and CSV lines -------------------------------------------------------------------------------------

/**
 * The code page's characters in 0x80–0x9F (€, ‚, „, –, ’, …), read off the toolkit's own decoder so that the two
 * agree. The five bytes Windows-1252 leaves undefined decode to C1 controls and are not encodable.
 */
const WINDOWS_1252_HIGH: ReadonlyMap<string, number> = (() => {
  const decoded = decodeWindows1252(Uint8Array.from({length: 0x100}, (_, byte) => byte))
  const table = new Map<string, number>()
  for (let byte = 0x80; byte <= 0x9f; byte++) {
    const char = decoded.charAt(byte)
    if (char.charCodeAt(0) > 0x9f) table.set(char, byte)
  }
  return table
})()

/** Anything that is not a Latin-1 character Windows-1252 shares (C1 controls, and everything past U+00FF). */
const NOT_SHARED_WITH_LATIN1 = /[\u0080-\u009f\u0100-\uffff]/

/**
 * Encodes text as Windows-1252: ASCII and U+00A0–U+00FF (å ä ö é ü …) as their Latin-1 bytes, plus the code page's
 * own 0x80–0x9F characters (€ – ’ …).
 * @throws RangeError on a character Windows-1252 cannot represent.
 */
export function encodeWindows1252(text: string): Buffer {
  if (!NOT_SHARED_WITH_LATIN1.test(text)) return Buffer.from(text, 'latin1')
  const bytes = Buffer.allocUnsafe(text.length)
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index)
    if (code < 0x80 || (code >= 0xa0 && code <= 0xff)) {
      bytes[index] = code
      continue
    }
    const byte = WINDOWS_1252_HIGH.get(text.charAt(index))
    if (byte === undefined) {
      const hex = code.toString(16).toUpperCase().padStart(4, '0')
      throw new RangeError(`encodeWindows1252: U+${hex} cannot be written in Windows-1252`)
    }
    bytes[index] = byte
  }
  return bytes
}

/**
 * One line of the export without its line break: fields joined with `;`, a field quoted (inner quotes doubled) only
 * when it holds `;`, `"`, CR or LF.
 */
export function formatLegacyCsvLine(fields: readonly string[]): string {
  let line = ''
  for (let index = 0; index < fields.length; index++) {
    const field = fields[index]!
    const quoted =
      field.includes(';') || field.includes('"') || field.includes('\n') || field.includes('\r')
        ? `"${field.replaceAll('"', '""')}"`
        : field
    line = index === 0 ? quoted : `${line};${quoted}`
  }
  return line
}

const CRLF = '\r\n'
/** Each file's bytes are handed on in chunks of this size (the last one, and an overlong line, may differ). */
const CHUNK_BYTES = 1 << 16

/**
 * Encodes each file's lines straight into a chunk buffer and hands full chunks on; counts data rows (not titles and
 * headers). Lines are not gathered as strings, so nothing but the chunks outlives a line.
 */
class LineOutput {
  readonly rows: Record<LegacyFileName, number> = {
    'elever.csv': 0,
    'personal.csv': 0,
    'grupper.csv': 0,
    'gruppmedlemmar.csv': 0,
  }
  private readonly chunks = new Map<LegacyFileName, {bytes: Buffer; used: number}>()

  constructor(private readonly onChunk: (file: LegacyFileName, chunk: Buffer) => void) {}

  /** A data row. */
  row(file: LegacyFileName, fields: readonly string[]): void {
    this.rows[file]++
    this.append(file, fields)
  }

  /** A title, empty or header line: written, not counted. */
  preamble(file: LegacyFileName, fields: readonly string[]): void {
    this.append(file, fields)
  }

  /** Hands on whatever is left. */
  flush(): void {
    for (const file of LEGACY_FILE_NAMES) {
      const chunk = this.chunks.get(file)
      if (chunk !== undefined && chunk.used > 0) this.onChunk(file, chunk.bytes.subarray(0, chunk.used))
      this.chunks.delete(file)
    }
  }

  private append(file: LegacyFileName, fields: readonly string[]): void {
    const line = formatLegacyCsvLine(fields) + CRLF
    let chunk = this.chunks.get(file)
    if (chunk !== undefined && chunk.used + line.length > CHUNK_BYTES) {
      this.onChunk(file, chunk.bytes.subarray(0, chunk.used))
      chunk = undefined
    }
    if (chunk === undefined) {
      chunk = {bytes: Buffer.allocUnsafe(Math.max(CHUNK_BYTES, line.length)), used: 0}
      this.chunks.set(file, chunk)
    }
    // Windows-1252 has one byte per character, so the line takes line.length bytes.
    if (NOT_SHARED_WITH_LATIN1.test(line)) chunk.used += encodeWindows1252(line).copy(chunk.bytes, chunk.used)
    else chunk.used += chunk.bytes.write(line, chunk.used, 'latin1')
  }
}

// --- the school -----------------------------------------------------------------------------------------------------

/** The school year the export describes (autumn term 2024). */
const SCHOOL_YEAR = 2024
const GRUNDSKOLA_NAMES = ['Ekbackeskolan', 'Tallbacka skola', 'Björkhagsskolan', 'Sjöängsskolan', 'Lindåsskolan']
const GYMNASIUM_NAMES = ['Exempelby gymnasium', 'Åsens gymnasium', 'Strandgymnasiet']
/** Gymnasium classes by (programme, year in school), in the order a unit opens them. */
const GYMNASIUM_CLASSES: ReadonlyArray<readonly [programme: string, year: number]> = [
  ['NA', 1],
  ['TE', 1],
  ['NA', 2],
  ['EK', 3],
  ['EK', 1],
  ['SA', 2],
  ['TE', 3],
  ['SA', 1],
  ['TE', 2],
  ['NA', 3],
  ['EK', 2],
  ['SA', 3],
]

/** A few family names with particles, rare on top of FAMILY_NAMES (which already has double names). */
const PARTICLE_FAMILY_NAMES = ['von Berg', 'af Ekström', 'de Wall', 'van der Lind'] as const

type UnitKind = 'grundskola' | 'gymnasium'
type Stage = 'FK' | 'GR' | 'GY'

interface Unit {
  kind: UnitKind
  name: string
  code: string
  domain: string
  students: number
  classes: SchoolClass[]
}

interface SchoolClass {
  name: string
  stage: Stage
  /** 0 for förskoleklass, 1–9 in grundskola, 1–3 in gymnasium. */
  year: number
  programme?: string
  birthYear: number
  size: number
}

type GroupType = 'Undervisningsgrupp' | 'Övrig grupp'
interface GroupSpec {
  /** The group name is `<prefix> <class>`. */
  prefix: string
  /** Ämne: a short subject code, empty for an Övrig grupp. */
  subject: string
  type: GroupType
}

const teaching = (prefix: string, subject = prefix): GroupSpec => ({prefix, subject, type: 'Undervisningsgrupp'})
const FK_GROUPS: readonly GroupSpec[] = [{prefix: 'FK', subject: '', type: 'Övrig grupp'}]
const GR_LOW_GROUPS = [teaching('SV'), teaching('MA'), teaching('EN'), teaching('IDH')]
const GR_MIDDLE_GROUPS = [...GR_LOW_GROUPS.slice(0, 3), teaching('NO'), teaching('SO'), teaching('IDH')]
const GR_HIGH_GROUPS = [...GR_LOW_GROUPS.slice(0, 3), teaching('BI'), teaching('SO'), teaching('IDH')]
// Gymnasium groups are named after the course's subject (SVE, MAT, …) while Ämne keeps the short code.
const GY_BASE_GROUPS = [teaching('SVE', 'SV'), teaching('MAT', 'MA'), teaching('ENG', 'EN'), teaching('IDR', 'IDH')]
const GY_GROUPS: Readonly<Record<string, readonly GroupSpec[]>> = {
  NA: [...GY_BASE_GROUPS, teaching('BIO', 'BI')],
  TE: [...GY_BASE_GROUPS, teaching('NAK', 'NO')],
  EK: [...GY_BASE_GROUPS, teaching('SAM', 'SO')],
  SA: [...GY_BASE_GROUPS, teaching('SAM', 'SO')],
}

/** The groups a class is taught in; its students are members of all of them. */
function groupsOf(schoolClass: SchoolClass): readonly GroupSpec[] {
  if (schoolClass.stage === 'FK') return FK_GROUPS
  if (schoolClass.stage === 'GY') return GY_GROUPS[schoolClass.programme!]!
  return schoolClass.year <= 3 ? GR_LOW_GROUPS : schoolClass.year <= 6 ? GR_MIDDLE_GROUPS : GR_HIGH_GROUPS
}

/** Bijective base 26: 0 → A, 25 → Z, 26 → AA, …, so parallel classes never run out of names. */
function letters(n: number): string {
  let text = ''
  for (let rest = n + 1; rest > 0; rest = Math.floor((rest - 1) / 26)) {
    text = String.fromCharCode(65 + ((rest - 1) % 26)) + text
  }
  return text
}

/** The c-th of `count` classes of a unit. */
function planClass(kind: UnitKind, c: number, count: number, size: number): SchoolClass {
  if (kind === 'grundskola') {
    // Up to ten classes are spread over F–9; beyond that, each year gets parallel classes A, B, ….
    const year = count >= 10 ? c % 10 : count === 1 ? 0 : Math.round((c * 9) / (count - 1))
    const name = `${year === 0 ? 'F' : year}${letters(count >= 10 ? Math.floor(c / 10) : 0)}`
    return {name, stage: year === 0 ? 'FK' : 'GR', year, birthYear: SCHOOL_YEAR - 6 - year, size}
  }
  const [programme, year] = GYMNASIUM_CLASSES[c % GYMNASIUM_CLASSES.length]!
  const startYear = SCHOOL_YEAR - year + 1
  const parallel = Math.floor(c / GYMNASIUM_CLASSES.length)
  const name = `${programme}${String(startYear).slice(-2)}${parallel === 0 ? '' : letters(parallel).toLowerCase()}`
  return {name, stage: 'GY', year, programme, birthYear: startYear - 16, size}
}

function planUnits(settings: Required<LegacyExportOptions>, random: Random): Unit[] {
  const units: Unit[] = []
  const usedCodes = new Set<string>()
  const usedDomains = new Set<string>()
  const nthOfKind = {grundskola: 0, gymnasium: 0}
  for (let u = 0; u < settings.units; u++) {
    const kind: UnitKind = u % 3 === 1 ? 'gymnasium' : 'grundskola'
    const names = kind === 'grundskola' ? GRUNDSKOLA_NAMES : GYMNASIUM_NAMES
    const nth = nthOfKind[kind]++
    const base = names[nth % names.length]!
    const name = nth < names.length ? base : `${base} ${Math.floor(nth / names.length) + 1}`
    let domain = `${slugify(name)}.example`
    for (let n = 2; usedDomains.has(domain); n++) domain = `${slugify(name)}-${n}.example`
    usedDomains.add(domain)
    let code: string
    do code = String(random.int(10_000_000, 99_999_999))
    while (usedCodes.has(code))
    usedCodes.add(code)
    const students = Math.floor(settings.students / settings.units) + (u < settings.students % settings.units ? 1 : 0)
    const classCount = students === 0 ? 0 : Math.max(1, Math.round(students / settings.classSize))
    const classes: SchoolClass[] = []
    for (let c = 0; c < classCount; c++) {
      const size = Math.floor(students / classCount) + (c < students % classCount ? 1 : 0)
      classes.push(planClass(kind, c, classCount, size))
    }
    units.push({kind, name, code, domain, students, classes})
  }
  return units
}

// --- persons --------------------------------------------------------------------------------------------------------

/**
 * Hands out civic numbers that are unique by construction: one bit per (birth date, serial) of each birth year, so a
 * million persons take under 50 kilobytes per year instead of a set of strings.
 */
class CivicNumbers {
  private readonly years = new Map<number, {dates: string[]; used: Uint8Array; taken: [number, number]}>()

  /** A fresh `YYYYMMDDNNNC` for someone born in `year`; its serial is odd for men and even for women. */
  draw(random: Random, year: number, male: boolean): string {
    const entry = this.year(year)
    const sex = male ? 1 : 0
    // Each sex has half the serials; stop well before retries get slow.
    if (entry.taken[sex]! >= entry.dates.length * 450) {
      throw new RangeError(`legacy export: too many ${male ? 'men' : 'women'} born in ${year}`)
    }
    for (;;) {
      const day = random.int(0, entry.dates.length - 1)
      const serial = random.int(0, 499) * 2 + sex
      const slot = day * 1000 + serial
      const bit = 1 << (slot & 7)
      if ((entry.used[slot >>> 3]! & bit) !== 0) continue
      entry.used[slot >>> 3]! |= bit
      entry.taken[sex]!++
      return makeCivicNumber(entry.dates[day]!, serial)
    }
  }

  private year(year: number) {
    let entry = this.years.get(year)
    if (entry === undefined) {
      const dates: string[] = []
      for (let day = Date.UTC(year, 0, 1); new Date(day).getUTCFullYear() === year; day += 86_400_000) {
        dates.push(new Date(day).toISOString().slice(0, 10))
      }
      entry = {dates, used: new Uint8Array(dates.length * 125), taken: [0, 0]}
      this.years.set(year, entry)
    }
    return entry
  }
}

/** Hands out `given.family@domain` addresses, adding 2, 3, … on clashes. Remembers one counter per name and domain. */
class EmailAddresses {
  private readonly counts = new Map<string, number>()

  take(givenName: string, familyName: string, domain: string): string {
    const local = `${slugify(givenName)}.${slugify(familyName)}`
    const key = `${local}@${domain}`
    const count = (this.counts.get(key) ?? 0) + 1
    this.counts.set(key, count)
    // Names never end in a digit, so `local` + a number cannot equal another name's address.
    return count === 1 ? key : `${local}${count}@${domain}`
  }
}

interface DrawnPerson {
  civicNo: string
  male: boolean
  givenName: string
  familyName: string
}

function drawPerson(random: Random, civicNumbers: CivicNumbers, birthYear: number): DrawnPerson {
  const male = random.chance(0.5)
  const givenName = random.pick(male ? MALE_GIVEN_NAMES : FEMALE_GIVEN_NAMES)
  const familyName = random.chance(0.015) ? random.pick(PARTICLE_FAMILY_NAMES) : random.pick(FAMILY_NAMES)
  return {civicNo: civicNumbers.draw(random, birthYear, male), male, givenName, familyName}
}

/** `YYYYMMDDNNNN` → `YYYYMMDD-NNNN`, as elever.csv and personal.csv write it. */
const withDash = (civicNo: string) => `${civicNo.slice(0, 8)}-${civicNo.slice(8)}`

// --- staff ----------------------------------------------------------------------------------------------------------

type Role =
  | 'Rektor'
  | 'Administratör'
  | 'Lärare'
  | 'Förskollärare'
  | 'Fritidspedagog'
  | 'Speciallärare'
  | 'Skolsköterska'
  | 'Kurator'

interface StaffPerson {
  civicNo: string
  givenName: string
  familyName: string
  signature: string
  role: Role
  email: string
}

interface StaffRow {
  staff: StaffPerson
  percent: number
}

interface UnitStaff {
  rows: StaffRow[]
  /** The unit's Lärare, in row order. */
  teachers: StaffPerson[]
  mentorOf: Map<StaffPerson, string[]>
}

/** How many of each role a unit employs: about one Lärare per 12 students, and one rektor. */
function rolesOf(unit: Unit): Role[] {
  const count = (perStudents: number) => Math.max(1, Math.round(unit.students / perStudents))
  const early = unit.classes.filter((schoolClass) => schoolClass.stage === 'FK' || schoolClass.year <= 3).length
  const preschool = unit.classes.filter((schoolClass) => schoolClass.stage === 'FK').length
  const repeat = (role: Role, times: number): Role[] => Array.from({length: times}, () => role)
  return [
    'Rektor',
    ...repeat('Administratör', count(500)),
    ...repeat('Lärare', count(12)),
    ...(unit.kind === 'grundskola'
      ? [...repeat('Förskollärare', preschool), ...repeat('Fritidspedagog', Math.ceil(early / 2))]
      : []),
    ...repeat('Speciallärare', count(200)),
    ...repeat('Skolsköterska', count(400)),
    ...repeat('Kurator', count(400)),
  ]
}

const SIGNATURE_LETTERS = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZÅÄÖ']
/** A name's letters for signatures: upper case, A–Z and Å Ä Ö only (É → E, Ü → U). */
const signatureLetters = (name: string) =>
  name
    .toUpperCase()
    .replace(/[ÉÈ]/g, 'E')
    .replace(/Ü/g, 'U')
    .replace(/[^A-ZÅÄÖ]/g, '')

/**
 * A signature unique in the export: three letters from the name when one is free (KÖB for Karin Öberg), else three
 * random letters. Only when the 29³ three-letter signatures run short (tens of thousands of staff) are longer ones
 * used.
 */
function makeSignature(random: Random, used: Set<string>, givenName: string, familyName: string): string {
  const given = signatureLetters(givenName)
  const family = signatureLetters(familyName)
  const g = (i: number) => given.charAt(i)
  const f = (i: number) => family.charAt(i)
  const candidates = [
    g(0) + f(0) + f(1),
    g(0) + f(0) + f(2),
    g(0) + g(1) + f(0),
    g(0) + f(1) + f(2),
    g(0) + f(0) + f(family.length - 1),
  ]
  for (const candidate of candidates) {
    if (candidate.length === 3 && !used.has(candidate)) return candidate
  }
  for (let length = 3; ; length++) {
    for (let attempt = 0; attempt < 50; attempt++) {
      let candidate = ''
      for (let i = 0; i < length; i++) candidate += random.pick(SIGNATURE_LETTERS)
      if (!used.has(candidate)) return candidate
    }
  }
}

const PERCENTS = [100, 100, 100, 100, 80, 75, 50] as const
/** How a two-unit person's time is split between the first and the second unit. */
const SPLITS: ReadonlyArray<readonly [number, number]> = [
  [40, 60],
  [50, 50],
  [60, 40],
  [20, 80],
  [30, 70],
  [50, 30],
]
/** The chance that a staff position at the second or a later unit goes to someone already at an earlier one. */
const SHARE_CHANCE = 0.15

function planStaff(units: readonly Unit[], random: Random, civicNumbers: CivicNumbers, emails: EmailAddresses) {
  const usedSignatures = new Set<string>()
  // Single-unit staff of earlier units by role, who may still take a position at a later unit.
  const shareable = new Map<Role, StaffRow[]>()
  const staffByUnit = units.map((unit): UnitStaff => {
    const rows: StaffRow[] = []
    const hired: StaffRow[] = []
    for (const role of rolesOf(unit)) {
      const pool = shareable.get(role)
      if (role !== 'Rektor' && pool !== undefined && pool.length > 0 && random.chance(SHARE_CHANCE)) {
        const at = random.int(0, pool.length - 1)
        const first = pool[at]!
        pool[at] = pool[pool.length - 1]!
        pool.pop()
        const [before, after] = random.pick(SPLITS)
        first.percent = before
        rows.push({staff: first.staff, percent: after})
        continue
      }
      // Copied out of the drawn person, which is then garbage at once as it is for students: V8 keeps allocating the
      // students' draws in the young generation instead of tenuring them like the staff that the planning holds.
      const {civicNo, givenName, familyName} = drawPerson(random, civicNumbers, random.int(1960, 1998))
      const signature = makeSignature(random, usedSignatures, givenName, familyName)
      usedSignatures.add(signature)
      const staff: StaffPerson = {
        civicNo,
        givenName,
        familyName,
        signature,
        role,
        email: emails.take(givenName, familyName, unit.domain),
      }
      const row: StaffRow = {staff, percent: role === 'Rektor' ? 100 : random.pick(PERCENTS)}
      rows.push(row)
      if (role !== 'Rektor') hired.push(row)
    }
    // Only now: a person never takes two positions at the same unit.
    for (const row of hired) {
      const pool = shareable.get(row.staff.role)
      if (pool === undefined) shareable.set(row.staff.role, [row])
      else pool.push(row)
    }
    const teachers = rows.filter((row) => row.staff.role === 'Lärare').map((row) => row.staff)
    // Every class gets one mentor among the unit's teachers, in a shuffled rotation.
    const mentorOf = new Map<StaffPerson, string[]>()
    const rotation = random.shuffle(teachers)
    unit.classes.forEach((schoolClass, c) => {
      const mentor = rotation[c % rotation.length]!
      const classes = mentorOf.get(mentor)
      if (classes === undefined) mentorOf.set(mentor, [schoolClass.name])
      else classes.push(schoolClass.name)
    })
    return {rows, teachers, mentorOf}
  })
  return staffByUnit
}

/** Tjänstgöringsgrad: `80 %`, and now and then the fraction style `0,80` some systems write. */
function formatPercent(percent: number, rowIndex: number): string {
  return rowIndex % 20 === 13 ? (percent / 100).toFixed(2).replace('.', ',') : `${percent} %`
}

// --- the row producer -----------------------------------------------------------------------------------------------

/** Resumes its caller (to drain streams) after this many staff or group rows. */
const ROWS_PER_PAUSE = 2000

/**
 * Writes the whole export into `out`, pausing (yielding) between classes and batches of rows so that a streaming
 * caller can wait for its streams to drain. Each part of the data has its own PRNG stream.
 */
function* produceExport(settings: Required<LegacyExportOptions>, out: LineOutput): Generator<void, void, void> {
  const unitRandom = createRandom(settings.seed)
  const staffRandom = createRandom(settings.seed ^ 0x57aff)
  const groupRandom = createRandom(settings.seed ^ 0x6a0b5)
  const studentRandom = createRandom(settings.seed ^ 0xe1e5)
  const civicNumbers = new CivicNumbers()
  const emails = new EmailAddresses()

  const units = planUnits(settings, unitRandom)
  const staffByUnit = planStaff(units, staffRandom, civicNumbers, emails)

  // personal.csv: the units in turn, each with its rektor first.
  out.preamble('personal.csv', LEGACY_HEADERS['personal.csv'])
  let staffRow = 0
  for (const [u, unit] of units.entries()) {
    const {rows, mentorOf} = staffByUnit[u]!
    for (const {staff, percent} of rows) {
      out.row('personal.csv', [
        withDash(staff.civicNo),
        staff.givenName,
        staff.familyName,
        staff.signature,
        staff.role,
        unit.code,
        formatPercent(percent, staffRow),
        staff.email,
        (mentorOf.get(staff) ?? []).join(', '),
      ])
      if (++staffRow % ROWS_PER_PAUSE === 0) yield
    }
  }

  // grupper.csv: per class and subject, taught by one teacher of the unit in rotation, sometimes by two.
  out.preamble('grupper.csv', LEGACY_HEADERS['grupper.csv'])
  let groupRow = 0
  for (const [u, unit] of units.entries()) {
    const teachers = groupRandom.shuffle(staffByUnit[u]!.teachers)
    let turn = 0
    for (const schoolClass of unit.classes) {
      for (const spec of groupsOf(schoolClass)) {
        const first = teachers[turn++ % teachers.length]!
        const second =
          teachers.length > 1 && groupRandom.chance(0.12)
            ? teachers[(turn + groupRandom.int(0, teachers.length - 2)) % teachers.length]!
            : undefined
        // `second` is never `first`: the offset runs over the other teachers only.
        const signatures = second === undefined ? first.signature : `${first.signature}, ${second.signature}`
        out.row('grupper.csv', [`${spec.prefix} ${schoolClass.name}`, spec.type, unit.code, spec.subject, signatures])
        if (++groupRow % ROWS_PER_PAUSE === 0) yield
      }
    }
  }

  // elever.csv and gruppmedlemmar.csv together, class by class: only one class of students is held at a time.
  const elever = LEGACY_HEADERS['elever.csv']
  out.preamble('elever.csv', [`Elevlista exporterad ${LEGACY_EXPORT_DATE}`, ...elever.slice(1).map(() => '')])
  out.preamble('elever.csv', [''])
  out.preamble('elever.csv', elever)
  out.preamble('gruppmedlemmar.csv', LEGACY_HEADERS['gruppmedlemmar.csv'])
  for (const unit of units) {
    for (const schoolClass of unit.classes) {
      const active: string[] = []
      for (let s = 0; s < schoolClass.size; s++) {
        const person = drawPerson(studentRandom, civicNumbers, schoolClass.birthYear)
        const email = studentRandom.chance(0.03) ? '' : emails.take(person.givenName, person.familyName, unit.domain)
        const ended = studentRandom.chance(0.02)
        out.row('elever.csv', [
          withDash(person.civicNo),
          person.givenName,
          person.familyName,
          schoolClass.name,
          unit.code,
          unit.name,
          email,
          person.male ? 'M' : 'K',
          ended ? 'Avslutad' : 'Aktiv',
          ended ? studentRandom.date(`${SCHOOL_YEAR}-06-01`, `${SCHOOL_YEAR}-06-30`) : '',
        ])
        if (!ended) active.push(person.civicNo)
      }
      for (const spec of groupsOf(schoolClass)) {
        const groupName = `${spec.prefix} ${schoolClass.name}`
        for (const civicNo of active) out.row('gruppmedlemmar.csv', [groupName, unit.code, civicNo])
      }
      yield
    }
  }
}

function resolveOptions(options: LegacyExportOptions): Required<LegacyExportOptions> {
  const settings = {...DEFAULT_OPTIONS, ...options}
  if (!Number.isFinite(settings.seed)) throw new RangeError('legacy export: seed must be a finite number')
  for (const [name, value, min] of [
    ['students', settings.students, 0],
    ['units', settings.units, 1],
    ['classSize', settings.classSize, 1],
  ] as const) {
    if (!Number.isInteger(value) || value < min)
      throw new RangeError(`legacy export: ${name} must be an integer >= ${min}`)
  }
  return settings
}

/**
 * Generates a fictional legacy export in memory: Windows-1252, `;`-separated, CRLF, as described in the module
 * comment. Deterministic: the same options give the same bytes, the same as {@link writeLegacyExport} writes.
 * @throws RangeError on options out of range.
 */
export function generateLegacyExport(options: LegacyExportOptions = {}): LegacyExportFiles {
  const chunks: Record<LegacyFileName, Buffer[]> = {
    'elever.csv': [],
    'personal.csv': [],
    'grupper.csv': [],
    'gruppmedlemmar.csv': [],
  }
  const out = new LineOutput((file, chunk) => chunks[file].push(chunk))
  const producer = produceExport(resolveOptions(options), out)
  while (!producer.next().done) {
    // Nothing to wait for in memory: run straight through the pauses.
  }
  out.flush()
  return {
    'elever.csv': Buffer.concat(chunks['elever.csv']),
    'personal.csv': Buffer.concat(chunks['personal.csv']),
    'grupper.csv': Buffer.concat(chunks['grupper.csv']),
    'gruppmedlemmar.csv': Buffer.concat(chunks['gruppmedlemmar.csv']),
  }
}

/**
 * Streams the same export as {@link generateLegacyExport} to `<dir>/<file>` (creating `dir`), for large sizes such as
 * 1,000,000 students: rows are encoded into 64 KiB chunks and written with one write stream per file,
 * waiting for the streams to drain, so only one class of students and the staff list are held in memory.
 * @returns the number of data rows per file (not counting elever.csv's title and empty lines, nor the headers).
 * @throws RangeError on options out of range; rejects on a write error.
 */
export async function writeLegacyExport(
  dir: string,
  options: LegacyExportOptions = {},
): Promise<Record<LegacyFileName, number>> {
  const settings = resolveOptions(options)
  await mkdir(dir, {recursive: true})
  const streams = new Map<LegacyFileName, WriteStream>(
    LEGACY_FILE_NAMES.map((file) => [file, createWriteStream(join(dir, file))]),
  )
  let failure: unknown
  const closed = [...streams.values()].map((stream) =>
    finished(stream).catch((error: unknown) => {
      failure ??= error
    }),
  )
  const out = new LineOutput((file, chunk) => {
    streams.get(file)!.write(chunk)
  })
  try {
    for (const _ of produceExport(settings, out)) {
      if (failure !== undefined) throw failure
      for (const stream of streams.values()) {
        if (stream.writableNeedDrain) await once(stream, 'drain')
      }
    }
    out.flush()
  } catch (error) {
    for (const stream of streams.values()) stream.destroy()
    await Promise.all(closed)
    throw error
  }
  for (const stream of streams.values()) stream.end()
  await Promise.all(closed)
  if (failure !== undefined) throw failure
  return {...out.rows}
}

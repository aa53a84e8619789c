import {isUtf8} from 'node:buffer'
import {mkdtemp, readdir, readFile, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {parse} from 'csv-parse/sync'
import {describe, expect, it} from 'vitest'

import {decodeWindows1252} from '../../../src/sources/text-decoding.js'
import {checkCivicNumber} from '../../../src/validation/identity.js'
import {
  encodeWindows1252,
  formatLegacyCsvLine,
  generateLegacyExport,
  LEGACY_EXAMPLE_OPTIONS,
  LEGACY_FILE_NAMES,
  LEGACY_HEADERS,
  type LegacyExportFiles,
  type LegacyExportOptions,
  type LegacyFileName,
  writeLegacyExport,
} from '../../support/legacy-export.js'

const EXAMPLE_DIR = fileURLToPath(new URL('../../../examples/legacy/', import.meta.url))

const ROLES = [
  'Lärare',
  'Rektor',
  'Förskollärare',
  'Fritidspedagog',
  'Speciallärare',
  'Skolsköterska',
  'Kurator',
  'Administratör',
]
const SUBJECTS = ['MA', 'SV', 'EN', 'NO', 'SO', 'BI', 'IDH']

type Row = Record<string, string>

/** Lines before the header: elever.csv has a title line and an empty line. */
const headerLine = (file: LegacyFileName) => (file === 'elever.csv' ? 3 : 1)

/** The data rows of a file as objects keyed by its header. */
function rowsOf(files: LegacyExportFiles, file: LegacyFileName): Row[] {
  return parse(decodeWindows1252(files[file]), {
    delimiter: ';',
    columns: true,
    from_line: headerLine(file),
    relax_column_count: false,
  }) as Row[]
}

interface Parsed {
  students: Row[]
  staff: Row[]
  groups: Row[]
  members: Row[]
}

const parseAll = (files: LegacyExportFiles): Parsed => ({
  students: rowsOf(files, 'elever.csv'),
  staff: rowsOf(files, 'personal.csv'),
  groups: rowsOf(files, 'grupper.csv'),
  members: rowsOf(files, 'gruppmedlemmar.csv'),
})

const countBy = <T>(items: readonly T[], key: (item: T) => string) => {
  const counts = new Map<string, number>()
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1)
  return counts
}

/** The birth year a class implies: FA → 2018, 7B → 2011, NA24 → 2008. */
function birthYearOfClass(name: string): number {
  if (/^F[A-Z]+$/.test(name)) return 2018
  const grade = /^([1-9])[A-Z]+$/.exec(name)
  if (grade) return 2018 - Number(grade[1])
  const gymnasium = /^[A-Z]{2}(\d{2})[a-z]*$/.exec(name)
  if (gymnasium) return 2000 + Number(gymnasium[1]) - 16
  throw new Error(`unexpected class name '${name}'`)
}

/** Every rule of the format and every cross-file reference, on one generated export. */
function expectConsistent(files: LegacyExportFiles) {
  const {students, staff, groups, members} = parseAll(files)

  // elever.csv
  const unitNames = new Map<string, string>()
  const unitDomains = new Map<string, string>()
  for (const student of students) {
    expect(student.Personnummer).toMatch(/^\d{8}-\d{4}$/)
    const civicNo = student.Personnummer!.replace('-', '')
    const check = checkCivicNumber(civicNo)
    expect(check, civicNo).toMatchObject({ok: true, kind: 'personnummer'})
    expect(Number(civicNo.charAt(10)) % 2 === 1 ? 'M' : 'K', civicNo).toBe(student.Kön)
    if (check.ok) expect(Number(check.birthDate.slice(0, 4)), student.Klass).toBe(birthYearOfClass(student.Klass!))
    expect(student.Skolenhetskod).toMatch(/^\d{8}$/)
    expect(unitNames.get(student.Skolenhetskod!) ?? student.Skola).toBe(student.Skola)
    unitNames.set(student.Skolenhetskod!, student.Skola!)
    expect(student.Förnamn).not.toBe('')
    expect(student.Efternamn).not.toBe('')
    if (student['E-post'] !== '') {
      expect(student['E-post']).toMatch(/^[a-z0-9-]+\.[a-z0-9-]+\d*@[a-z0-9-]+\.example$/)
      const domain = student['E-post']!.split('@')[1]!
      expect(unitDomains.get(student.Skolenhetskod!) ?? domain).toBe(domain)
      unitDomains.set(student.Skolenhetskod!, domain)
    }
    if (student.Status === 'Aktiv') expect(student.Slutdatum).toBe('')
    else {
      expect(student.Status).toBe('Avslutad')
      expect(student.Slutdatum).toMatch(/^2024-06-(0[1-9]|[12]\d|30)$/)
    }
  }
  const studentEmails = students.map((student) => student['E-post']).filter((email) => email !== '')
  const staffEmails = [...new Set(staff.map((row) => row['E-post']))]
  expect(new Set([...studentEmails, ...staffEmails]).size).toBe(studentEmails.length + staffEmails.length)
  const classesAt = new Map<string, Set<string>>()
  for (const student of students) {
    const classes = classesAt.get(student.Skolenhetskod!) ?? new Set<string>()
    classes.add(student.Klass!)
    classesAt.set(student.Skolenhetskod!, classes)
  }

  // personal.csv: one row per (person, unit), at most two units, the same person data on both rows.
  const persons = new Map<string, Row[]>()
  for (const row of staff) {
    expect(row.Personnummer).toMatch(/^\d{8}-\d{4}$/)
    expect(checkCivicNumber(row.Personnummer!.replace('-', ''))).toMatchObject({ok: true, kind: 'personnummer'})
    expect(row.Signatur).toMatch(/^[A-ZÅÄÖ]{3}$/)
    expect(ROLES).toContain(row.Befattning)
    expect(row.Tjänstgöringsgrad).toMatch(/^(\d{1,3} %|[01],\d\d)$/)
    expect(row['E-post']).toMatch(/^[a-z0-9-]+\.[a-z0-9-]+\d*@[a-z0-9-]+\.example$/)
    expect(unitNames.has(row.Skolenhetskod!), row.Skolenhetskod).toBe(true)
    persons.set(row.Personnummer!, [...(persons.get(row.Personnummer!) ?? []), row])
  }
  for (const rows of persons.values()) {
    expect(rows.length).toBeLessThanOrEqual(2)
    expect(new Set(rows.map((row) => row.Skolenhetskod)).size).toBe(rows.length)
    const identity = (row: Row) => [row.Förnamn, row.Efternamn, row.Signatur, row.Befattning, row['E-post']]
    for (const row of rows) expect(identity(row)).toEqual(identity(rows[0]!))
  }
  const signatures = [...persons.values()].map((rows) => rows[0]!.Signatur)
  expect(new Set(signatures).size).toBe(persons.size)
  // Students and staff never share a civic number.
  const studentCivicNumbers = new Set(students.map((student) => student.Personnummer))
  expect(studentCivicNumbers.size).toBe(students.length)
  for (const civicNo of persons.keys()) expect(studentCivicNumbers.has(civicNo)).toBe(false)
  for (const code of unitNames.keys()) {
    const rectors = staff.filter((row) => row.Skolenhetskod === code && row.Befattning === 'Rektor')
    expect(rectors, code).toHaveLength(1)
  }

  // Mentors: classes of the row's unit, and each class of a unit exactly once.
  const mentored = new Map<string, number>()
  for (const row of staff) {
    if (row['Mentor för'] === '') continue
    expect(row.Befattning).toBe('Lärare')
    for (const name of row['Mentor för']!.split(', ')) {
      expect(classesAt.get(row.Skolenhetskod!)?.has(name), `${name} at ${row.Skolenhetskod}`).toBe(true)
      const key = `${row.Skolenhetskod}|${name}`
      mentored.set(key, (mentored.get(key) ?? 0) + 1)
    }
  }
  const allClasses = [...classesAt].flatMap(([code, names]) => [...names].map((name) => `${code}|${name}`))
  expect([...mentored.keys()].sort()).toEqual(allClasses.sort())
  expect([...mentored.values()].every((count) => count === 1)).toBe(true)

  // grupper.csv: names unique within a unit, taught by the unit's Lärare.
  const teachersAt = new Set(
    staff.filter((row) => row.Befattning === 'Lärare').map((row) => `${row.Skolenhetskod}|${row.Signatur}`),
  )
  const groupKeys = groups.map((group) => `${group.Skolenhetskod}|${group.Gruppnamn}`)
  expect(new Set(groupKeys).size).toBe(groups.length)
  for (const group of groups) {
    expect(['Undervisningsgrupp', 'Övrig grupp']).toContain(group.Grupptyp)
    if (group.Grupptyp === 'Undervisningsgrupp') expect(SUBJECTS).toContain(group.Ämne)
    else expect(group.Ämne).toBe('')
    const className = group.Gruppnamn!.split(' ').at(-1)!
    expect(classesAt.get(group.Skolenhetskod!)?.has(className), group.Gruppnamn).toBe(true)
    expect(group.Lärare).toMatch(/^[A-ZÅÄÖ]{3}(, [A-ZÅÄÖ]{3})?$/)
    const teachers = group.Lärare!.split(', ')
    expect(new Set(teachers).size).toBe(teachers.length)
    for (const signature of teachers) {
      expect(teachersAt.has(`${group.Skolenhetskod}|${signature}`), `${signature} in ${group.Gruppnamn}`).toBe(true)
    }
  }

  // gruppmedlemmar.csv: existing groups and active students of the group's class, each pair once, and complete.
  const studentsByCivicNo = new Map(students.map((student) => [student.Personnummer!.replace('-', ''), student]))
  const groupSet = new Set(groupKeys)
  for (const member of members) {
    expect(member.Personnummer).toMatch(/^\d{12}$/)
    expect(groupSet.has(`${member.Skolenhetskod}|${member.Gruppnamn}`), member.Gruppnamn).toBe(true)
    const student = studentsByCivicNo.get(member.Personnummer!)
    expect(student, member.Personnummer).toBeDefined()
    expect(student!.Status).toBe('Aktiv')
    expect(student!.Skolenhetskod).toBe(member.Skolenhetskod)
    expect(member.Gruppnamn!.split(' ').at(-1)).toBe(student!.Klass)
  }
  const memberKeys = members.map((member) => `${member.Skolenhetskod}|${member.Gruppnamn}|${member.Personnummer}`)
  expect(new Set(memberKeys).size).toBe(members.length)
  const groupsPerClass = countBy(groups, (group) => `${group.Skolenhetskod}|${group.Gruppnamn!.split(' ').at(-1)}`)
  const expectedMembers = students
    .filter((student) => student.Status === 'Aktiv')
    .reduce((sum, student) => sum + (groupsPerClass.get(`${student.Skolenhetskod}|${student.Klass}`) ?? 0), 0)
  expect(members.length).toBe(expectedMembers)

  return {students, staff, groups, members, persons}
}

describe('legacy export generator', () => {
  it('is deterministic: the same options give the same bytes, another seed other bytes', () => {
    const options: LegacyExportOptions = {seed: 7, students: 300}
    const first = generateLegacyExport(options)
    const second = generateLegacyExport(options)
    for (const file of LEGACY_FILE_NAMES) expect(first[file].equals(second[file]), file).toBe(true)
    const other = generateLegacyExport({seed: 8, students: 300})
    expect(other['elever.csv'].equals(first['elever.csv'])).toBe(false)
  })

  it('streams the same bytes to files as it generates in memory, and counts the data rows', async () => {
    const options: LegacyExportOptions = {seed: 3, students: 2500, units: 4}
    const dir = await mkdtemp(join(tmpdir(), 'legacy-export-'))
    try {
      const rows = await writeLegacyExport(join(dir, 'nested'), options)
      const files = generateLegacyExport(options)
      expect((await readdir(join(dir, 'nested'))).sort()).toEqual([...LEGACY_FILE_NAMES].sort())
      for (const file of LEGACY_FILE_NAMES) {
        const written = await readFile(join(dir, 'nested', file))
        expect(written.equals(files[file]), file).toBe(true)
        const lines = decodeWindows1252(written).split('\r\n').length - 1
        expect(rows[file], file).toBe(lines - headerLine(file))
      }
      expect(rows['elever.csv']).toBe(2500)
    } finally {
      await rm(dir, {recursive: true, force: true})
    }
  })

  it('writes Windows-1252, `;`-separated, CRLF files with the exact headers', () => {
    const files = generateLegacyExport({seed: 5})
    for (const file of LEGACY_FILE_NAMES) {
      const bytes = files[file]
      const text = decodeWindows1252(bytes)
      // Every line ends in CRLF: no lone LF, no lone CR, and a final CRLF.
      expect(text.replaceAll('\r\n', '')).not.toMatch(/[\r\n]/)
      expect(text.endsWith('\r\n')).toBe(true)
      // Windows-1252, not UTF-8: 'ö' is the single byte 0xF6, and re-encoding gives the same bytes.
      expect(bytes.includes(Buffer.from('ö', 'utf8'))).toBe(false)
      expect(encodeWindows1252(text).equals(bytes)).toBe(true)
      const lines = text.split('\r\n')
      const header = LEGACY_HEADERS[file].join(';')
      expect(lines[headerLine(file) - 1]).toBe(header)
      if (/[åäöÅÄÖ]/.test(header)) {
        expect(bytes.includes(0xf6) || bytes.includes(0xe4)).toBe(true)
        expect(isUtf8(bytes)).toBe(false)
      }
    }
    const elever = decodeWindows1252(files['elever.csv']).split('\r\n')
    expect(elever[0]).toBe('Elevlista exporterad 2024-08-20;;;;;;;;;')
    expect(elever[1]).toBe('')
    expect(files['elever.csv'].subarray(0, 80).toString('latin1')).toContain(';;;;;;;;;\r\n\r\nPersonnummer;F\xf6rnamn')
  })

  it('keeps every row consistent with the other files (example size)', () => {
    expectConsistent(generateLegacyExport(LEGACY_EXAMPLE_OPTIONS))
  })

  it('keeps every row consistent with the other files (parallel classes, five units, two gymnasia)', () => {
    const {students, groups} = expectConsistent(generateLegacyExport({seed: 11, students: 6000, units: 5}))
    const classes = new Set(students.map((student) => student.Klass))
    for (const name of ['FA', 'FB', '7A', '7B', 'NA24', 'NA24b', 'EK22']) expect(classes.has(name), name).toBe(true)
    const schools = new Set(students.map((student) => student.Skola))
    expect([...schools].sort()).toEqual(
      ['Björkhagsskolan', 'Ekbackeskolan', 'Exempelby gymnasium', 'Tallbacka skola', 'Åsens gymnasium'].sort(),
    )
    expect(groups.some((group) => group.Gruppnamn === 'ENG NA24')).toBe(true)
  })

  it('scales staff, classes and groups with the number of students', () => {
    const {students, staff, groups} = parseAll(generateLegacyExport({seed: 2, students: 6000}))
    const teachers = staff.filter((row) => row.Befattning === 'Lärare')
    // About one Lärare per 12 students and classes of about 25.
    expect(teachers.length).toBeGreaterThan(6000 / 12 - 10)
    expect(teachers.length).toBeLessThan(6000 / 12 + 10)
    const classes = new Set(students.map((student) => `${student.Skolenhetskod}|${student.Klass}`))
    expect(classes.size).toBe(240)
    expect(groups.length).toBeGreaterThan(classes.size * 4)
    // About 10 % of staff persons work at two units; a few percent of students have ended or have no address.
    const byPerson = countBy(staff, (row) => row.Personnummer!)
    const twoUnits = [...byPerson.values()].filter((count) => count === 2).length
    expect(twoUnits / byPerson.size).toBeGreaterThan(0.05)
    expect(twoUnits / byPerson.size).toBeLessThan(0.2)
    const ended = students.filter((student) => student.Status === 'Avslutad').length
    expect(ended / students.length).toBeGreaterThan(0.01)
    expect(ended / students.length).toBeLessThan(0.04)
    const withoutEmail = students.filter((student) => student['E-post'] === '').length
    expect(withoutEmail / students.length).toBeGreaterThan(0.015)
    expect(withoutEmail / students.length).toBeLessThan(0.05)
  })

  it('writes only the preamble and headers for zero students, and still lists each unit’s staff', () => {
    const {students, staff, groups, members} = parseAll(generateLegacyExport({students: 0}))
    expect([students.length, groups.length, members.length]).toEqual([0, 0, 0])
    expect(new Set(staff.map((row) => row.Skolenhetskod)).size).toBe(3)
  })

  it('rejects options out of range', () => {
    for (const options of [{students: -1}, {students: 1.5}, {units: 0}, {classSize: 0}, {seed: Number.NaN}]) {
      expect(() => generateLegacyExport(options), JSON.stringify(options)).toThrow(RangeError)
    }
  })
})

describe('encodeWindows1252', () => {
  it('writes Swedish letters and the code page’s own 0x80–0x9F characters as single bytes', () => {
    expect([...encodeWindows1252('åäöÅÄÖéü')]).toEqual([0xe5, 0xe4, 0xf6, 0xc5, 0xc4, 0xd6, 0xe9, 0xfc])
    expect([...encodeWindows1252('a€–’b')]).toEqual([0x61, 0x80, 0x96, 0x92, 0x62])
  })

  it('throws on characters Windows-1252 cannot represent', () => {
    expect(() => encodeWindows1252('Łukasz')).toThrow(RangeError)
    expect(() => encodeWindows1252('\u0081')).toThrow(RangeError)
    expect(() => encodeWindows1252('😀')).toThrow(RangeError)
  })
})

describe('formatLegacyCsvLine', () => {
  it('quotes only fields with a semicolon, a quote or a line break, doubling inner quotes', () => {
    expect(formatLegacyCsvLine(['MA 7A', '', 'ABC, DEF'])).toBe('MA 7A;;ABC, DEF')
    expect(formatLegacyCsvLine(['a;b', 'say "hej"', 'two\r\nlines', 'x'])).toBe('"a;b";"say ""hej""";"two\r\nlines";x')
  })
})

describe('examples/legacy', () => {
  it('holds exactly the four files, as scripts/make-legacy-example.ts generates them (regenerate after changes)', async () => {
    expect((await readdir(EXAMPLE_DIR)).sort()).toEqual([...LEGACY_FILE_NAMES].sort())
    const files = generateLegacyExport(LEGACY_EXAMPLE_OPTIONS)
    for (const file of LEGACY_FILE_NAMES) {
      const committed = await readFile(join(EXAMPLE_DIR, file))
      expect(committed.equals(files[file]), `examples/legacy/${file} differs from a fresh generation`).toBe(true)
    }
  })

  it('shows the wrinkles a converter has to handle', () => {
    const {students, staff, groups, members} = parseAll(generateLegacyExport(LEGACY_EXAMPLE_OPTIONS))
    expect(students).toHaveLength(120)
    expect(students.some((student) => student.Status === 'Avslutad')).toBe(true)
    expect(students.some((student) => student['E-post'] === '')).toBe(true)
    expect(students.some((student) => /\d@/.test(student['E-post']!))).toBe(true)
    expect([...countBy(staff, (row) => row.Personnummer!).values()].filter((count) => count === 2).length).toBe(2)
    expect(staff.filter((row) => /^\d,\d\d$/.test(row.Tjänstgöringsgrad!)).length).toBeGreaterThanOrEqual(1)
    expect(staff.some((row) => row['Mentor för']!.includes(', '))).toBe(true)
    expect(groups.some((group) => group.Grupptyp === 'Övrig grupp')).toBe(true)
    expect(groups.some((group) => group.Lärare!.includes(', '))).toBe(true)
    expect(members.length).toBeGreaterThan(0)
  })
})

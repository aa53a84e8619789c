import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import {
  maskExample,
  type ColumnKind,
  type ColumnProfile,
  createColumnProfiler,
  detectValueKind,
  type ValueKind,
} from '../../../src/sources/column-profile.js'
import {hasValidLuhn, makeCivicNumber, maskCivicNumber} from '../../../src/validation/identity.js'

// All civic numbers here are fictional, built with makeCivicNumber.
const LONG = makeCivicNumber('2001-12-24', 12) // 20011224NNNN
const SHORT = LONG.slice(2) // 011224NNNN
const dash = (civic: string, at: number, separator = '-'): string =>
  `${civic.slice(0, at)}${separator}${civic.slice(at)}`
const SAMORDNING = makeCivicNumber('2001-12-24', 12, {samordningsnummer: true})
const BAD_CHECKSUM = `${LONG.slice(0, 11)}${(Number(LONG.slice(11)) + 1) % 10}`

/** `count` valid 10-digit civic numbers of children born 2010 (no leading zero, so never a code). */
function shortCivicNumbers(count: number): string[] {
  return Array.from({length: count}, (_, i) =>
    makeCivicNumber(`2010-03-${String((i % 28) + 1).padStart(2, '0')}`, i),
  ).map((civic) => civic.slice(2))
}

/** `count` mobile numbers shaped like YYMMDDNNNN (070123…) whose last digit is not the Luhn digit. */
function mobileNumbers(count: number): string[] {
  const numbers: string[] = []
  for (let i = 0; numbers.length < count; i++) {
    const candidate = `070123${String(1000 + i * 37).padStart(4, '0')}`
    if (!hasValidLuhn(candidate)) numbers.push(candidate)
  }
  return numbers
}

function profileColumn(header: string, values: ReadonlyArray<string | undefined>, reveal = false): ColumnProfile {
  const profiler = createColumnProfiler([header], {reveal})
  for (const value of values) profiler.add({[header]: value})
  const [profile] = profiler.result()
  if (!profile) throw new Error('no profile')
  return profile
}

const repeat = <T>(values: readonly T[], times: number): T[] => Array.from({length: times}, () => values).flat()

describe('detectValueKind', () => {
  const cases: Array<[value: string, expected: ValueKind, header?: string]> = [
    // personnummer, every layout and variant
    [LONG, {kind: 'personnummer', format: 'YYYYMMDDNNNN'}],
    [dash(LONG, 8), {kind: 'personnummer', format: 'YYYYMMDD-NNNN'}],
    [dash(LONG, 8, '+'), {kind: 'personnummer', format: 'YYYYMMDD+NNNN'}],
    [dash(SHORT, 6), {kind: 'personnummer', format: 'YYMMDD-NNNN'}],
    [dash(SHORT, 6, '+'), {kind: 'personnummer', format: 'YYMMDD+NNNN'}],
    [SHORT, {kind: 'personnummer', format: 'YYMMDDNNNN'}],
    [SAMORDNING, {kind: 'personnummer', format: 'YYYYMMDDNNNN', variant: 'samordningsnummer'}],
    [dash(SAMORDNING.slice(2), 6), {kind: 'personnummer', format: 'YYMMDD-NNNN', variant: 'samordningsnummer'}],
    ['20130101TF01', {kind: 'personnummer', format: 'YYYYMMDDNNNN', variant: 'with letters (temporary)'}],
    ['20130101-TF01', {kind: 'personnummer', format: 'YYYYMMDD-NNNN', variant: 'with letters (temporary)'}],
    // A wrong check digit still looks like a personnummer (it is counted as invalid at column level).
    [BAD_CHECKSUM, {kind: 'personnummer', format: 'YYYYMMDDNNNN'}],
    [dash(BAD_CHECKSUM, 8), {kind: 'personnummer', format: 'YYYYMMDD-NNNN'}],
    // personnummer near-misses
    [`${LONG}0`, {kind: 'integer', format: '123'}], // 13 digits
    ['20011324-0122', {kind: 'text'}], // month 13
    ['20011200-0122', {kind: 'text'}], // day 00
    ['20011224-01222', {kind: 'text'}],
    ['20130101tf01', {kind: 'text'}], // letters must be capitals
    ['21011224-0122', {kind: 'text'}], // century 21
    ['123456789012', {kind: 'integer', format: '123'}], // no plausible date part
    ['0701234567', {kind: 'phone', format: '0701234567 (Swedish mobile, digits only)'}], // fails Luhn
    [mobileNumbers(1)[0] ?? '', {kind: 'phone', format: '0701234567 (Swedish mobile, digits only)'}],
    // dates
    ['2024-01-15', {kind: 'date', format: 'YYYY-MM-DD'}],
    ['2024-02-29', {kind: 'date', format: 'YYYY-MM-DD'}],
    ['9999-12-31', {kind: 'date', format: 'YYYY-MM-DD'}],
    ['20240115', {kind: 'date', format: 'YYYYMMDD'}],
    ['13/1/2024', {kind: 'date', format: 'D/M/YYYY'}],
    ['1/13/2024', {kind: 'date', format: 'M/D/YYYY'}],
    ['01/02/2024', {kind: 'date', format: 'D/M/YYYY or M/D/YYYY'}],
    ['15.03.2024', {kind: 'date', format: 'DD.MM.YYYY'}],
    ['1.3.2024', {kind: 'date', format: 'DD.MM.YYYY'}],
    ['45000', {kind: 'date', format: 'Excel serial'}, 'Startdatum'],
    ['45000', {kind: 'date', format: 'Excel serial'}, 'Start date'],
    ['20000', {kind: 'date', format: 'Excel serial'}, 'DATUM'],
    ['60000', {kind: 'date', format: 'Excel serial'}, 'datum'],
    // date near-misses
    ['2024-02-30', {kind: 'text'}],
    ['2023-02-29', {kind: 'text'}],
    ['2024-13-01', {kind: 'text'}],
    ['20240230', {kind: 'schoolUnitCode', format: '8 digits'}],
    ['18991231', {kind: 'schoolUnitCode', format: '8 digits'}], // before 1900
    ['32/1/2024', {kind: 'text'}],
    ['13/13/2024', {kind: 'text'}],
    ['31.02.2024', {kind: 'text'}],
    ['45000', {kind: 'integer', format: '123'}], // no date header
    ['19999', {kind: 'integer', format: '123'}, 'Startdatum'],
    ['60001', {kind: 'integer', format: '123'}, 'Startdatum'],
    // date-times
    ['2024-01-15 12:30', {kind: 'datetime', format: 'YYYY-MM-DD HH:MM'}],
    ['2024-01-15 12:30:59', {kind: 'datetime', format: 'YYYY-MM-DD HH:MM:SS'}],
    ['2024-01-15T12:30:00Z', {kind: 'datetime', format: 'YYYY-MM-DDTHH:MM:SS (ISO 8601)'}],
    ['2024-01-15T12:30:00.123+01:00', {kind: 'datetime', format: 'YYYY-MM-DDTHH:MM:SS (ISO 8601)'}],
    ['2024-01-15 24:00', {kind: 'text'}],
    ['2024-01-15T12:60', {kind: 'text'}],
    ['2024-02-30 12:00', {kind: 'text'}],
    // e-mail
    ['anna.svensson@skola.se', {kind: 'email'}],
    ['åsa.öberg@förskola.example.se', {kind: 'email'}],
    ['a+b@x.io', {kind: 'email'}],
    ['anna@skola', {kind: 'text'}],
    ['anna@@skola.se', {kind: 'text'}],
    ['anna.@skola.se', {kind: 'text'}],
    ['anna svensson@skola.se', {kind: 'text'}],
    ['@skola.se', {kind: 'text'}],
    // phone
    ['070-123 45 67', {kind: 'phone', format: '070-123 45 67 (Swedish mobile)'}],
    ['070 123 45 67', {kind: 'phone', format: '070-123 45 67 (Swedish mobile)'}],
    ['070-1234567', {kind: 'phone', format: '070-123 45 67 (Swedish mobile)'}],
    ['08-123 456 78', {kind: 'phone', format: '08-123 456 78 (Swedish landline)'}],
    ['08 - 123 45 67', {kind: 'phone', format: '08-123 456 78 (Swedish landline)'}],
    ['(08) 123 45', {kind: 'phone', format: '08-123 456 78 (Swedish landline)'}],
    ['0910-123 45', {kind: 'phone', format: '08-123 456 78 (Swedish landline)'}],
    ['081234567', {kind: 'phone', format: '081234567 (Swedish landline, digits only)'}],
    ['+46 70 123 45 67', {kind: 'phone', format: '+46…'}],
    ['+46701234567', {kind: 'phone', format: '+46…'}],
    ['+46 (0)70-123 45 67', {kind: 'phone', format: '+46…'}],
    ['0046 70 123 45 67', {kind: 'phone', format: '0046…'}],
    ['0046701234567', {kind: 'phone', format: '0046…'}],
    ['+358 40 123 4567', {kind: 'phone', format: '+… or 00… (other country)'}],
    ['070-123', {kind: 'text'}], // too few digits
    ['+46', {kind: 'integer', format: '-123 (signed)'}],
    ['070-123 45 67 89 01', {kind: 'text'}],
    // school unit code
    ['12345678', {kind: 'schoolUnitCode', format: '8 digits'}],
    // integers and codes
    ['0', {kind: 'integer', format: '123'}],
    ['1', {kind: 'integer', format: '123'}],
    ['42', {kind: 'integer', format: '123'}],
    ['-5', {kind: 'integer', format: '-123 (signed)'}],
    ['+7', {kind: 'integer', format: '-123 (signed)'}],
    ['1 234', {kind: 'integer', format: '1 234 (space-grouped)'}],
    ['1\u00A0234\u00A0567', {kind: 'integer', format: '1 234 (space-grouped)'}],
    ['12345678901234567890', {kind: 'integer', format: '123'}],
    ['0180', {kind: 'text', format: 'code with leading zeros'}],
    ['007', {kind: 'text', format: 'code with leading zeros'}],
    ['123 45', {kind: 'text'}], // a postcode, not thousands grouping
    ['-05', {kind: 'text'}],
    // decimals
    ['3.5', {kind: 'decimal', format: '3.5'}],
    ['3,5', {kind: 'decimal', format: '3,5'}],
    ['-0,25', {kind: 'decimal', format: '3,5'}],
    ['1 234,5', {kind: 'decimal', format: '1 234,5 (space-grouped)'}],
    ['1\u00A0234,50', {kind: 'decimal', format: '1 234,5 (space-grouped)'}],
    ['1 234.5', {kind: 'decimal', format: '1 234.5 (space-grouped)'}],
    ['3,5,1', {kind: 'text'}],
    ['1,234,567', {kind: 'text'}],
    ['3.', {kind: 'text'}],
    // percent
    ['50 %', {kind: 'percent', format: '50 %'}],
    ['50\u00A0%', {kind: 'percent', format: '50 %'}],
    ['12,5 %', {kind: 'percent', format: '50 %'}],
    ['50%', {kind: 'percent', format: '50%'}],
    ['75', {kind: 'percent', format: '50'}, 'Tjänstgöringsgrad'],
    ['0,5', {kind: 'percent', format: '0.5'}, 'Omfattning'],
    ['37,5', {kind: 'percent', format: '50'}, 'Procent'],
    ['100', {kind: 'percent', format: '50'}, 'Anställning (%)'],
    ['150', {kind: 'integer', format: '123'}, 'Omfattning'],
    ['75', {kind: 'integer', format: '123'}, 'Antal'],
    ['%', {kind: 'text'}],
    // booleans
    ['Ja', {kind: 'boolean', format: 'Ja/Nej'}],
    ['nej', {kind: 'boolean', format: 'Ja/Nej'}],
    ['J', {kind: 'boolean', format: 'J/N'}],
    ['N', {kind: 'boolean', format: 'J/N'}],
    ['true', {kind: 'boolean', format: 'true/false'}],
    ['FALSE', {kind: 'boolean', format: 'true/false'}],
    ['Sant', {kind: 'boolean', format: 'Sant/Falskt'}],
    ['Falskt', {kind: 'boolean', format: 'Sant/Falskt'}],
    ['x', {kind: 'boolean', format: 'x'}],
    ['X', {kind: 'boolean', format: 'x'}],
    ['Jaa', {kind: 'text'}],
    // class codes
    ['7A', {kind: 'classCode', format: 'grade + letters (7A, FA)'}],
    ['9B', {kind: 'classCode', format: 'grade + letters (7A, FA)'}],
    ['10C', {kind: 'classCode', format: 'grade + letters (7A, FA)'}],
    ['FA', {kind: 'classCode', format: 'grade + letters (7A, FA)'}],
    ['F', {kind: 'classCode', format: 'grade + letters (7A, FA)'}],
    ['FK', {kind: 'classCode', format: 'grade + letters (7A, FA)'}],
    ['6Ö', {kind: 'classCode', format: 'grade + letters (7A, FA)'}],
    ['F-klass', {kind: 'classCode', format: 'F-klass'}],
    ['Fklass', {kind: 'classCode', format: 'F-klass'}],
    ['1-3A', {kind: 'classCode', format: 'grade range (1-3A)'}],
    ['F-3', {kind: 'classCode', format: 'grade range (1-3A)'}],
    ['NA21b', {kind: 'classCode', format: 'programme + year (NA21b)'}],
    ['TE22', {kind: 'classCode', format: 'programme + year (NA21b)'}],
    ['TEIN23', {kind: 'classCode', format: 'programme + year (NA21b)'}],
    ['EKEKO23', {kind: 'text'}], // programme part is 2–4 capitals
    ['NA2021', {kind: 'text'}],
    ['ABCDE12', {kind: 'text'}],
    ['7ABCD', {kind: 'text'}],
    ['Matematik', {kind: 'text'}],
    ['F-klass A', {kind: 'text'}],
    // text and empty
    ['Anna', {kind: 'text'}],
    ['Storgatan 1, 123 45 Sthlm', {kind: 'text'}],
    ['a'.repeat(300), {kind: 'text'}],
    [`${'a'.repeat(250)}@skola.se`, {kind: 'text'}],
    ['', {kind: 'empty'}],
  ]

  it.each(cases)('%j → %j (header %j)', (value, expected, header) => {
    expect(detectValueKind(value, header === undefined ? undefined : {header})).toEqual(expected)
  })

  it('returns a known kind for any string, without throwing', () => {
    const kinds = new Set<ColumnKind>([
      'personnummer',
      'date',
      'datetime',
      'email',
      'phone',
      'schoolUnitCode',
      'integer',
      'decimal',
      'percent',
      'boolean',
      'classCode',
      'text',
      'empty',
    ])
    fc.assert(
      fc.property(
        fc.string({maxLength: 40}),
        fc.option(fc.string({maxLength: 20}), {nil: undefined}),
        (value, header) => {
          expect(kinds.has(detectValueKind(value, {header}).kind)).toBe(true)
        },
      ),
    )
  })

  it('recognises every fictional civic number in every layout', () => {
    const civic = fc
      .record({
        date: fc.date({
          min: new Date('1901-01-01T00:00:00Z'),
          max: new Date('2099-12-31T00:00:00Z'),
          noInvalidDate: true,
        }),
        serial: fc.integer({min: 0, max: 999}),
        samordningsnummer: fc.boolean(),
      })
      .map(({date, serial, samordningsnummer}) =>
        makeCivicNumber(date.toISOString().slice(0, 10), serial, {samordningsnummer}),
      )
    fc.assert(
      fc.property(civic, (value) => {
        for (const form of [value, dash(value, 8), dash(value.slice(2), 6), value.slice(2)]) {
          expect(detectValueKind(form).kind).toBe('personnummer')
        }
      }),
    )
  })
})

describe('column-level decisions', () => {
  it('reads 8-digit columns as YYYYMMDD dates when ≥ 90 % are real dates, else as school unit codes', () => {
    const dates = ['20240115', '20231231', '19991231', '20000229', '20100304', '20240101', '20240102', '20240103']
    expect(profileColumn('Födelsedag', dates)).toMatchObject({kind: 'date', formats: ['YYYYMMDD'], confidence: 1})

    const codes = ['12345678', '87654321', '20240115', '45678912', '98765432']
    expect(profileColumn('Skolenhet', codes)).toMatchObject({
      kind: 'schoolUnitCode',
      formats: ['8 digits'],
      confidence: 1,
    })

    // 9 dates and 1 non-date: exactly 90 %, still dates, with the non-date not counted.
    const mostlyDates = [...dates, '20240116', '99999999']
    expect(profileColumn('Dag', mostlyDates)).toMatchObject({kind: 'date', confidence: 0.9})
  })

  it('reads 10-digit columns as personnummer only when ≥ 90 % pass Luhn', () => {
    const civic = shortCivicNumbers(20)
    expect(profileColumn('Pnr', civic)).toMatchObject({
      kind: 'personnummer',
      formats: ['YYMMDDNNNN'],
      invalid: 0,
      confidence: 1,
    })

    const phones = mobileNumbers(20)
    const phoneProfile = profileColumn('Mobil', phones)
    expect(phoneProfile).toMatchObject({kind: 'phone', formats: ['0701234567 (Swedish mobile, digits only)']})
    expect(phoneProfile.invalid).toBeUndefined()

    // 18 of 20 pass: 90 %, a personnummer column with 2 invalid values.
    const flawed = [
      ...civic.slice(0, 18),
      ...civic.slice(18).map((value) => `${value.slice(0, 9)}${(Number(value[9]) + 1) % 10}`),
    ]
    expect(profileColumn('Pnr', flawed)).toMatchObject({kind: 'personnummer', invalid: 2, confidence: 1})

    // 17 of 20 pass: not personnummer; they are then plain integers (no leading zero).
    const tooFlawed = [
      ...civic.slice(0, 17),
      ...flawed.slice(18),
      `${civic[17]?.slice(0, 9)}${(Number(civic[17]?.[9]) + 1) % 10}`,
    ]
    expect(profileColumn('Nummer', tooFlawed)).toMatchObject({kind: 'integer'})
  })

  it('prefers personnummer over integer for 12 digits and counts invalid ones', () => {
    const values = [LONG, BAD_CHECKSUM, makeCivicNumber('1999-12-31', 123), '20230229' + '1234']
    const profile = profileColumn('Personnummer', values)
    expect(profile).toMatchObject({kind: 'personnummer', formats: ['YYYYMMDDNNNN'], invalid: 2, confidence: 1})
  })

  it('lists personnummer layouts most frequent first, with samordningsnummer and temporary variants', () => {
    const values = [
      dash(LONG, 8),
      dash(makeCivicNumber('2005-05-05', 1), 8),
      dash(makeCivicNumber('2006-06-06', 2), 8),
      LONG,
      SAMORDNING,
      '20130101TF01',
      '20130101-TF01',
    ]
    const profile = profileColumn('Pnr', values)
    expect(profile.kind).toBe('personnummer')
    expect(profile.formats).toEqual(['YYYYMMDD-NNNN', 'YYYYMMDDNNNN', 'with letters (temporary)', 'samordningsnummer'])
    expect(profile.invalid).toBe(0)
  })

  it('treats 0/1 as boolean only when the column holds nothing else', () => {
    expect(profileColumn('Aktiv', ['0', '1', '1', '0'])).toMatchObject({kind: 'boolean', formats: ['1/0']})
    expect(profileColumn('Aktiv', ['1', '1'])).toMatchObject({kind: 'boolean', formats: ['1/0']})
    expect(profileColumn('Antal', ['0', '1', '2', ...repeat(['1'], 20)])).toMatchObject({
      kind: 'integer',
      formats: ['123'],
    })
  })

  it('treats x as boolean only in a column of x and empties', () => {
    expect(profileColumn('Modersmål', ['x', undefined, 'X', '', 'x'])).toMatchObject({
      kind: 'boolean',
      formats: ['x'],
      filled: 3,
      rows: 5,
    })
    expect(profileColumn('Mixed', [...repeat(['x'], 20), 'y'])).toMatchObject({kind: 'text'})
  })

  it('reads boolean words, most frequent format first', () => {
    const values = [...repeat(['Ja', 'Nej'], 5), 'J', 'N', 'J']
    expect(profileColumn('Samtycke', values)).toMatchObject({kind: 'boolean', formats: ['Ja/Nej', 'J/N']})
  })

  it('reads percentages by sign anywhere and by header hint for bare numbers', () => {
    expect(profileColumn('Andel', ['50 %', '100 %', '25%'])).toMatchObject({kind: 'percent', formats: ['50 %', '50%']})
    expect(profileColumn('Omfattning', ['100', '50', '75', '100'])).toMatchObject({kind: 'percent', formats: ['50']})
    expect(profileColumn('Tjänstgöringsgrad', ['1', '0,5', '0,75', '1'])).toMatchObject({
      kind: 'percent',
      formats: ['0.5'],
    })
    expect(profileColumn('Procent', ['1', '50', '100'])).toMatchObject({kind: 'percent', formats: ['50']})
    expect(profileColumn('Antal', ['100', '50', '75', '100'])).toMatchObject({kind: 'integer'})
    expect(profileColumn('Antal', ['0,5', '0,25', '1'])).toMatchObject({
      kind: 'decimal',
      formats: ['3,5', 'whole number'],
    })
  })

  it('reads Excel serials as dates only under a date header', () => {
    const serials = ['45000', '45123', '44927', '45292']
    expect(profileColumn('Startdatum', serials)).toMatchObject({kind: 'date', formats: ['Excel serial']})
    expect(profileColumn('Slutdate', serials)).toMatchObject({kind: 'date'})
    expect(profileColumn('Poäng', serials)).toMatchObject({kind: 'integer'})
  })

  it('disambiguates D/M/YYYY and M/D/YYYY by a part above 12', () => {
    const ambiguous = ['1/2/2024', '3/4/2024', '12/12/2023']
    expect(profileColumn('Datum', ambiguous).formats).toEqual(['D/M/YYYY or M/D/YYYY'])
    expect(profileColumn('Datum', [...ambiguous, '13/2/2024']).formats).toEqual(['D/M/YYYY'])
    expect(profileColumn('Datum', [...ambiguous, '2/13/2024']).formats).toEqual(['M/D/YYYY'])
    expect(profileColumn('Datum', [...ambiguous, '13/2/2024', '2/13/2024']).formats).toEqual(['D/M/YYYY or M/D/YYYY'])
  })

  it('reads a column mixing dates and date-times as datetime', () => {
    const values = ['2024-01-15', '2024-01-16 08:00:00', '2024-01-17 09:30:00', '2024-01-18 10:00:00']
    expect(profileColumn('Tid', values)).toMatchObject({
      kind: 'datetime',
      formats: ['YYYY-MM-DD HH:MM:SS', 'YYYY-MM-DD'],
      confidence: 1,
    })
    expect(profileColumn('Dag', ['2024-01-15', '15.01.2024', '2024-01-16'])).toMatchObject({
      kind: 'date',
      formats: ['YYYY-MM-DD', 'DD.MM.YYYY'],
    })
  })

  it('reads class codes only when they repeat', () => {
    const classes = repeat(['7A', '7B', '8A', 'F-klass', 'NA21b'], 4)
    expect(profileColumn('Klass', classes)).toMatchObject({kind: 'classCode', confidence: 1})
    expect(profileColumn('Klass', classes).formats[0]).toBe('grade + letters (7A, FA)')
    // Every value different: not classes.
    expect(profileColumn('Kod', ['7A', '7B', '8A', '8B', '9A'])).toMatchObject({kind: 'text'})
    // One value only: not enough to call it classes.
    expect(profileColumn('Kod', repeat(['7A'], 10))).toMatchObject({kind: 'text'})
    // Names that happen to be short are not class codes.
    expect(profileColumn('Namn', repeat(['Anna', 'Bo', 'Eva'], 5))).toMatchObject({kind: 'text', confidence: 1})
  })

  it('keeps digit columns with leading zeros as codes', () => {
    expect(profileColumn('Kommunkod', ['0180', '1480', '0114', '1480'])).toMatchObject({
      kind: 'text',
      formats: ['code with leading zeros'],
      confidence: 1,
    })
    expect(profileColumn('Antal', [...repeat(['12', '7'], 10), '007'])).toMatchObject({
      kind: 'text',
      formats: ['code with leading zeros'],
    })
  })

  it('reads integers, decimals (with whole numbers) and e-mail', () => {
    expect(profileColumn('Antal', ['1', '22', '-3', '1 000'])).toMatchObject({
      kind: 'integer',
      formats: ['123', '-123 (signed)', '1 234 (space-grouped)'],
    })
    expect(profileColumn('Snitt', ['3,5', '4', '2,25', '1 234,5'])).toMatchObject({
      kind: 'decimal',
      // Ties keep first-seen order, decimals before whole numbers.
      formats: ['3,5', '1 234,5 (space-grouped)', 'whole number'],
    })
    expect(profileColumn('E-post', ['a@b.se', 'c@d.se'])).toMatchObject({kind: 'email', formats: []})
  })

  it('needs 90 % for a kind and otherwise reports text with the share of plain text', () => {
    const emails = Array.from({length: 9}, (_, i) => `elev${i}@skola.se`)
    expect(profileColumn('E-post', [...emails, 'saknas'])).toMatchObject({kind: 'email', confidence: 0.9})
    const mixed = profileColumn('E-post', [...emails.slice(0, 8), 'saknas', 'okänd'])
    expect(mixed).toMatchObject({kind: 'text', formats: []})
    expect(mixed.confidence).toBeCloseTo(0.2)
  })

  it('reads Swedish phone numbers in mixed layouts', () => {
    const values = ['070-123 45 67', '+46 70 123 45 67', '08-123 456 78', '073-987 65 43']
    expect(profileColumn('Telefon', values)).toMatchObject({
      kind: 'phone',
      formats: ['070-123 45 67 (Swedish mobile)', '+46…', '08-123 456 78 (Swedish landline)'],
    })
  })
})

describe('counting', () => {
  it('counts rows, fill rate and lengths, with missing keys, undefined and empty strings as empty', () => {
    const profiler = createColumnProfiler(['A', 'B', 'C'])
    profiler.add({A: 'x1', B: 'hello'})
    profiler.add({A: '', B: 'hi'})
    profiler.add({A: undefined, B: 'hey!'})
    profiler.add({})
    const [a, b, c] = profiler.result()
    expect(a).toMatchObject({name: 'A', index: 1, rows: 4, filled: 1, fillRate: 0.25, minLength: 2, maxLength: 2})
    expect(b).toMatchObject({name: 'B', index: 2, rows: 4, filled: 3, fillRate: 0.75, minLength: 2, maxLength: 5})
    expect(c).toMatchObject({
      name: 'C',
      index: 3,
      rows: 4,
      filled: 0,
      fillRate: 0,
      kind: 'empty',
      confidence: 0,
      formats: [],
      examples: [],
      distinct: 0,
      distinctCapped: false,
      minLength: 0,
      maxLength: 0,
    })
    expect(c?.invalid).toBeUndefined()
  })

  it('reports fill rate 0 and empty columns before any row', () => {
    const profiles = createColumnProfiler(['A']).result()
    expect(profiles).toEqual([
      {
        name: 'A',
        index: 1,
        filled: 0,
        rows: 0,
        fillRate: 0,
        distinct: 0,
        distinctCapped: false,
        examples: [],
        kind: 'empty',
        confidence: 0,
        formats: [],
        minLength: 0,
        maxLength: 0,
      },
    ])
  })

  it('measures length in characters, not UTF-16 units', () => {
    expect(profileColumn('Namn', ['Åsa', '😀😀'])).toMatchObject({minLength: 2, maxLength: 3})
  })

  it('counts distinct values exactly up to the cap', () => {
    const count = (values: string[], distinctCap: number): Pick<ColumnProfile, 'distinct' | 'distinctCapped'> => {
      const profiler = createColumnProfiler(['A'], {distinctCap})
      for (const value of values) profiler.add({A: value})
      const [profile] = profiler.result()
      return {distinct: profile?.distinct ?? -1, distinctCapped: profile?.distinctCapped ?? false}
    }
    expect(count(['a', 'b', 'a', 'c'], 3)).toEqual({distinct: 3, distinctCapped: false})
    expect(count(['a', 'b', 'a', 'c', 'd', 'e'], 3)).toEqual({distinct: 3, distinctCapped: true})
    expect(count(['a', 'b', 'c', 'a', 'b'], 3)).toEqual({distinct: 3, distinctCapped: false})
    expect(count(['a'], 0)).toEqual({distinct: 0, distinctCapped: true})
    expect(
      count(
        Array.from({length: 10_050}, (_, i) => `v${i}`),
        10_000,
      ),
    ).toEqual({
      distinct: 10_000,
      distinctCapped: true,
    })
  })

  it('does not call a capped column class codes', () => {
    const profiler = createColumnProfiler(['Klass'], {distinctCap: 2})
    for (const value of repeat(['7A', '7B', '8A'], 10)) profiler.add({Klass: value})
    expect(profiler.result()[0]).toMatchObject({kind: 'text', distinct: 2, distinctCapped: true})
  })

  it('reads own keys only, so headers like __proto__ and constructor are ordinary columns', () => {
    const profiler = createColumnProfiler(['constructor', '__proto__', 'toString'], {reveal: true})
    profiler.add({})
    const row = Object.create(null) as Record<string, string>
    row['__proto__'] = 'a'
    row['constructor'] = 'b'
    profiler.add(row)
    const [constructor, proto, toString] = profiler.result()
    expect(constructor).toMatchObject({filled: 1, examples: ['b']})
    expect(proto).toMatchObject({filled: 1, examples: ['a']})
    expect(toString).toMatchObject({filled: 0, kind: 'empty'})
  })

  it('can report at any point and keep counting', () => {
    const profiler = createColumnProfiler(['A'])
    profiler.add({A: '1'})
    const first = profiler.result()
    expect(profiler.result()).toEqual(first)
    profiler.add({A: '2'})
    expect(profiler.result()[0]).toMatchObject({rows: 2, filled: 2, distinct: 2})
    expect(first[0]).toMatchObject({rows: 1, filled: 1, distinct: 1})
  })

  it('rejects bad options', () => {
    expect(() => createColumnProfiler(['A'], {distinctCap: -1})).toThrow(RangeError)
    expect(() => createColumnProfiler(['A'], {distinctCap: 1.5})).toThrow(RangeError)
    expect(() => createColumnProfiler(['A'], {exampleCount: -1})).toThrow(RangeError)
  })
})

describe('examples', () => {
  it('keeps up to 5 distinct examples in first-seen order', () => {
    const values = ['b', 'a', 'b', 'c', 'a', 'd', 'e', 'f', 'g']
    expect(profileColumn('Namn', values, true).examples).toEqual(['b', 'a', 'c', 'd', 'e'])
  })

  it('honours exampleCount', () => {
    const profiler = createColumnProfiler(['A'], {exampleCount: 2, reveal: true})
    for (const value of ['x1', 'x2', 'x3']) profiler.add({A: value})
    expect(profiler.result()[0]?.examples).toEqual(['x1', 'x2'])
    const none = createColumnProfiler(['A'], {exampleCount: 0})
    none.add({A: 'x1'})
    expect(none.result()[0]?.examples).toEqual([])
  })

  it('masks every example of a personnummer column unless reveal', () => {
    const values = [LONG, dash(LONG, 8), SHORT, dash(SHORT, 6), SAMORDNING, '20130101TF01', 'saknas']
    const masked = profileColumn('Personnummer', [...values, ...shortCivicNumbers(60)])
    expect(masked.kind).toBe('personnummer')
    expect(masked.examples).toHaveLength(5)
    expect(masked.examples).toEqual(values.slice(0, 5).map((value) => maskCivicNumber(value)))
    for (const example of masked.examples) expect(example).toMatch(/^[0-9]{6,8}-\*{4}$/)

    const revealed = profileColumn('Personnummer', values, true)
    expect(revealed.examples).toEqual(values.slice(0, 5))

    // A value that does not look like a civic number is masked too in a personnummer column.
    const withText = createColumnProfiler(['Pnr'], {exampleCount: 30})
    for (const value of [...shortCivicNumbers(20), 'saknas']) withText.add({Pnr: value})
    expect(withText.result()[0]?.examples).toContain('sa****')
  })

  it('keeps only the shape of text examples, which may be names', () => {
    const values = [`Elev ${dash(LONG, 8)} flyttad`, `se ${SHORT}`, 'inget nummer']
    const profile = profileColumn('Kommentar', values)
    expect(profile.kind).toBe('text')
    expect(profile.examples).toEqual(['E…', 's…', 'i…'])
    expect(profileColumn('Kommentar', values, true).examples).toEqual(values)
  })
})

describe('maskExample', () => {
  it.each([
    {kind: 'personnummer', value: dash(LONG, 8), expected: `${LONG.slice(0, 8)}-****`},
    {kind: 'email', value: 'alva.ek@exempelby.example', expected: 'a…@exempelby.example'},
    {kind: 'phone', value: '070-123 45 67', expected: '070-*** ** **'},
    {kind: 'phone', value: '+46 70 123 45 67', expected: '+46 7* *** ** **'},
    {kind: 'date', value: '2011-04-07', expected: '2011-**-**'},
    {kind: 'datetime', value: '2026-08-17 08:00', expected: '2026-**-**'},
    {kind: 'text', value: 'Åsa', expected: 'Å…'},
    {kind: 'classCode', value: '7A', expected: '7A'},
    {kind: 'schoolUnitCode', value: '12345678', expected: '12345678'},
    {kind: 'boolean', value: 'Ja', expected: 'Ja'},
    {kind: 'integer', value: '42', expected: '42'},
  ] as const)('$kind: $value → $expected', ({kind, value, expected}) => {
    expect(maskExample(kind, value)).toBe(expected)
  })
})

describe('properties', () => {
  const headers = ['A', 'B', 'Datum', 'Omfattning %', '__proto__']
  const cell = fc.oneof(
    fc.string({maxLength: 16}),
    fc.constantFrom('', '0', '1', 'x', 'Ja', '7A', '2024-01-15', '45000', '0,5', '070-123 45 67', LONG, SHORT),
    fc.stringMatching(/^[0-9]{1,13}$/),
  )
  const rowArb = fc.dictionary(fc.constantFrom(...headers, 'other'), fc.option(cell, {nil: undefined}))

  it('never throws on arbitrary rows and keeps counts consistent', () => {
    fc.assert(
      fc.property(
        fc.array(rowArb, {maxLength: 40}),
        fc.integer({min: 0, max: 8}),
        fc.boolean(),
        (rows, distinctCap, reveal) => {
          const profiler = createColumnProfiler(headers, {distinctCap, reveal})
          for (const row of rows) profiler.add(row)
          const profiles = profiler.result()
          expect(profiles).toHaveLength(headers.length)
          for (const profile of profiles) {
            expect(profile.rows).toBe(rows.length)
            expect(profile.filled).toBeLessThanOrEqual(profile.rows)
            expect(profile.distinct).toBeLessThanOrEqual(profile.filled)
            expect(profile.distinct).toBeLessThanOrEqual(distinctCap)
            expect(profile.confidence).toBeGreaterThanOrEqual(0)
            expect(profile.confidence).toBeLessThanOrEqual(1)
            expect(profile.fillRate).toBeGreaterThanOrEqual(0)
            expect(profile.fillRate).toBeLessThanOrEqual(1)
            expect(profile.examples.length).toBeLessThanOrEqual(Math.min(5, profile.filled))
            expect(profile.minLength).toBeLessThanOrEqual(profile.maxLength)
            expect(profile.kind === 'empty').toBe(profile.filled === 0)
            if (profile.invalid !== undefined) expect(profile.invalid).toBeLessThanOrEqual(profile.filled)
            if (!reveal) {
              for (const example of profile.examples) expect(example).not.toContain(LONG)
            }
          }
        },
      ),
    )
  })
})

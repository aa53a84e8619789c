import {writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import ExcelJS from 'exceljs'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {JsonError} from '../../src/cli/base-command.js'
import type {InspectResult} from '../../src/services/inspect.js'
import {generatePersons} from '../support/fictional.js'
import {makeTempDir, runCli, stackTraceLines} from '../support/cli.js'

let temp: {dir: string; cleanup: () => Promise<void>}
const persons = [...generatePersons(60, 3)]
const civic = (index: number) => persons[index]!.civicNo!.value

/** A student export as Swedish admin systems write it: a title row, Windows-1252, semicolons, CRLF. */
function studentCsv(): Buffer {
  const lines = [
    'Elevlista Ekbackeskolan – HT 2026',
    '',
    'Personnummer;Förnamn;Efternamn;Klass;Skolenhetskod;E-post;Startdatum;Omfattning %',
    ...persons.map((person, index) =>
      [
        `${civic(index).slice(0, 8)}-${civic(index).slice(8)}`,
        person.givenName,
        `${person.familyName}’s`,
        ['7A', '7B', '8A'][index % 3],
        '12345678',
        person.emails?.[0]?.value ?? '',
        '2026-08-17',
        index % 2 === 0 ? '100' : '50',
      ].join(';'),
    ),
  ]
  return encodeWindows1252(`${lines.join('\r\n')}\r\n`)
}

/** Windows-1252 bytes for text that uses only Latin-1 letters plus – and ’. */
function encodeWindows1252(text: string): Buffer {
  const special: Record<string, number> = {'–': 0x96, '’': 0x92, '€': 0x80}
  return Buffer.from([...text].map((char) => special[char] ?? char.charCodeAt(0)))
}

beforeAll(async () => {
  temp = await makeTempDir('ss12000-inspect-')
  await writeFile(join(temp.dir, 'elever.csv'), studentCsv())
  const workbook = new ExcelJS.Workbook()
  workbook.addWorksheet('Info').addRow(['Export från Exempelby'])
  const sheet = workbook.addWorksheet('Elever')
  sheet.addRow(['Personnummer', 'Förnamn', 'Klass', 'Startdatum'])
  persons.forEach((person, index) => {
    sheet.addRow([
      Number(civic(index)),
      person.givenName,
      ['7A', '7B', '8A'][index % 3],
      new Date(Date.UTC(2026, 7, 17)),
    ])
  })
  await workbook.xlsx.writeFile(join(temp.dir, 'export.xlsx'))
  await writeFile(join(temp.dir, 'old.xls'), 'not really')
  await writeFile(join(temp.dir, 'broken.xlsx'), 'Personnummer;Namn\n1;2\n')
  await writeFile(join(temp.dir, 'empty.csv'), '')
})
afterAll(async () => {
  await temp.cleanup()
})

async function inspectJson(args: string[]): Promise<InspectResult> {
  const {stdout, exitCode} = await runCli(['inspect', ...args, '--json'])
  expect(exitCode).toBe(0)
  return JSON.parse(stdout) as InspectResult
}

describe('ss12000 inspect: CSV', () => {
  it('detects encoding, delimiter and header, and profiles every column', async () => {
    const result = await inspectJson([join(temp.dir, 'elever.csv')])
    expect(result).toMatchObject({
      format: 'csv',
      encoding: {name: 'windows-1252', detected: true},
      delimiter: {character: ';', detected: true},
      header: {row: 3, detected: true},
      records: 60,
      recordsWithProblems: 0,
    })
    const kinds = Object.fromEntries(result.columns.map((column) => [column.name, column.kind]))
    expect(kinds).toEqual({
      Personnummer: 'personnummer',
      Förnamn: 'text',
      Efternamn: 'text',
      Klass: 'classCode',
      Skolenhetskod: 'schoolUnitCode',
      'E-post': 'email',
      Startdatum: 'date',
      'Omfattning %': 'percent',
    })
    const personnummer = result.columns[0]!
    expect(personnummer).toMatchObject({formats: ['YYYYMMDD-NNNN', 'samordningsnummer'], fillRate: 1, distinct: 60})
    expect(result.columns[2]!.examples[0]).toMatch(/^.…$/)
  })

  it('prints a readable profile and masks personal data unless --reveal', async () => {
    const file = join(temp.dir, 'elever.csv')
    const {stdout, exitCode} = await runCli(['inspect', file])
    expect(exitCode).toBe(0)
    expect(stdout).toContain('CSV, encoding windows-1252 (detected), delimiter semicolon (detected), header on line 3')
    expect(stdout).toContain('60 records, 8 columns')
    expect(stdout).toContain(`${civic(0).slice(0, 8)}-****`)
    for (const index of [0, 1, 2]) expect(stdout).not.toContain(civic(index))
    expect(stdout).not.toContain(persons[0]!.familyName)
    const revealed = await runCli(['inspect', file, '--reveal'])
    expect(revealed.stdout).toContain(`${civic(0).slice(0, 8)}-${civic(0).slice(8)}`)
    expect(revealed.stdout).toContain(`${persons[0]!.familyName}’s`)
  })

  it('follows --header-row and --encoding', async () => {
    const result = await inspectJson([join(temp.dir, 'elever.csv'), '--header-row', '3', '--encoding', 'windows-1252'])
    expect(result).toMatchObject({encoding: {name: 'windows-1252', detected: false}, header: {row: 3, detected: false}})
    expect(result.columns[2]!.name).toBe('Efternamn')
  })

  it('reports an empty file and still exits 0', async () => {
    const result = await inspectJson([join(temp.dir, 'empty.csv')])
    expect(result.records).toBe(0)
    expect(result.issues.groups.map((group) => group.code)).toContain('source.empty')
  })
})

describe('ss12000 inspect: Excel', () => {
  it('lists the sheets, takes the first with data, and reads numbers and dates as a person sees them', async () => {
    const result = await inspectJson([join(temp.dir, 'export.xlsx'), '--sheet', 'elever', '--reveal'])
    expect(result.format).toBe('xlsx')
    expect(result.sheet).toBe('Elever')
    expect(result.sheets!.map((sheet) => sheet.name)).toEqual(['Info', 'Elever'])
    const [personnummer, , klass, start] = result.columns
    expect(personnummer).toMatchObject({kind: 'personnummer', formats: ['YYYYMMDDNNNN', 'samordningsnummer']})
    expect(personnummer!.examples[0]).toBe(civic(0))
    expect(klass!.kind).toBe('classCode')
    expect(start).toMatchObject({kind: 'date', formats: ['YYYY-MM-DD'], examples: ['2026-08-17']})
  })
})

describe('ss12000 inspect: files it cannot read', () => {
  it.each([
    {name: 'an .xls workbook', file: 'old.xls', exitCode: 2, message: /save it as \.xlsx/},
    {name: 'a missing file', file: 'nope.csv', exitCode: 2, message: /No such file/},
    {name: 'a CSV named .xlsx', file: 'broken.xlsx', exitCode: 3, message: /not an Excel \.xlsx workbook/i},
  ])('$name → exit $exitCode, a clear message, no stack trace', async ({file, exitCode, message}) => {
    const human = await runCli(['inspect', join(temp.dir, file)])
    expect(human.exitCode).toBe(exitCode)
    expect(human.stderr).toMatch(message)
    expect(stackTraceLines(human.stderr + human.stdout)).toEqual([])
    const machine = await runCli(['inspect', join(temp.dir, file), '--json'])
    expect(machine.exitCode).toBe(exitCode)
    expect((JSON.parse(machine.stdout) as JsonError).error.message).toMatch(message)
  })

  it('refuses --sheet on a CSV file', async () => {
    const {exitCode, stderr} = await runCli(['inspect', join(temp.dir, 'elever.csv'), '--sheet', '2'])
    expect(exitCode).toBe(2)
    expect(stderr).toContain('--sheet applies to Excel workbooks')
  })
})

import {readFile, writeFile} from 'node:fs/promises'

import type ExcelJS from 'exceljs'
import fc from 'fast-check'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {InvalidDataError, UsageError} from '../../../src/errors.js'
import type {SourceRow} from '../../../src/sources/types.js'
import {openXlsx, type XlsxOptions} from '../../../src/sources/xlsx.js'
import type {Issue} from '../../../src/validation/issue.js'
import {
  fixtureDir,
  writeRawWorkbook,
  writeRows,
  writeRowsStreaming,
  writeWorkbook,
  writeZip,
  type FixtureDir,
} from '../../support/workbooks.js'

let fx: FixtureDir

beforeAll(async () => {
  fx = await fixtureDir()
})

afterAll(async () => {
  await fx.cleanup()
})

async function readAll(file: string, options?: XlsxOptions) {
  const opened = await openXlsx(file, options)
  const rows: SourceRow[] = []
  for await (const row of opened.rows) rows.push(row)
  return {info: opened.info, rows, issues: opened.issues}
}

const codes = (issues: readonly Issue[] | undefined) => (issues ?? []).map((issue) => issue.code)
const plain = (row: SourceRow | undefined) => ({...row?.cells})

let counter = 0
const fresh = (extension = 'xlsx') => fx.path(`book-${++counter}.${extension}`)

// --- values ---------------------------------------------------------------------------------------------------------

interface ValueCase {
  name: string
  value: ExcelJS.CellValue
  numFmt?: string
  expected?: string
  issue?: {code: string; value?: string}
}

const VALUE_CASES: ValueCase[] = [
  {name: 'date', value: new Date(Date.UTC(2012, 3, 5)), expected: '2012-04-05'},
  {name: 'date with a time', value: new Date(Date.UTC(2012, 3, 5, 13, 30, 15)), expected: '2012-04-05T13:30:15'},
  {
    name: 'date in a custom format',
    value: new Date(Date.UTC(1999, 11, 31)),
    numFmt: 'yyyy-mm-dd',
    expected: '1999-12-31',
  },
  {name: 'date before the 1900 leap bug', value: 1, numFmt: 'yyyy-mm-dd', expected: '1900-01-01'},
  {name: 'date after the 1900 leap bug', value: 61, numFmt: 'yyyy-mm-dd', expected: '1900-03-01'},
  {name: 'date typed as text', value: '2012-04-05', expected: '2012-04-05'},
  {name: 'Swedish date typed as text', value: '5/4 2012', expected: '5/4 2012'},
  {name: 'time of day', value: 0.34375, numFmt: 'hh:mm', expected: '08:15'},
  {name: 'time with seconds', value: 0.5 + 1 / 86_400, numFmt: 'hh:mm:ss', expected: '12:00:01'},
  {name: 'personnummer as a number', value: 200112240123, expected: '200112240123'},
  {name: 'personnummer as text', value: '20011224-0123', expected: '20011224-0123'},
  {name: 'text with a leading zero', value: '0180', expected: '0180'},
  {name: 'zero-padding format', value: 180, numFmt: '0000', expected: '0180'},
  {name: 'personnummer format', value: 112240123, numFmt: '000000-0000', expected: '011224-0123'},
  {name: 'integer', value: 42, expected: '42'},
  {name: 'negative integer', value: -7, expected: '-7'},
  {name: 'decimal', value: 0.5, expected: '0.5'},
  {name: 'floating-point noise', value: 0.1 + 0.2, expected: '0.3'},
  {name: 'tiny number', value: 1e-7, expected: '0.0000001'},
  {name: 'huge number', value: 1e20, expected: '100000000000000000000'},
  {name: 'thousands format', value: 1234567.5, numFmt: '#,##0.00', expected: '1234567.5'},
  {name: 'percent', value: 0.5, numFmt: '0%', expected: '50%'},
  {name: 'percent with a decimal', value: 0.125, numFmt: '0.0%', expected: '12.5%'},
  {name: 'percent keeps what the format rounds', value: 0.075, numFmt: '0%', expected: '7.5%'},
  {name: 'TRUE', value: true, expected: 'TRUE'},
  {name: 'FALSE', value: false, expected: 'FALSE'},
  {name: 'rich text', value: {richText: [{text: 'Alva '}, {font: {bold: true}, text: 'Ek'}]}, expected: 'Alva Ek'},
  {name: 'hyperlink', value: {text: 'Skolwebben', hyperlink: 'https://skola.example/'}, expected: 'Skolwebben'},
  {
    name: 'mail link',
    value: {text: 'alva.ek@skola.example', hyperlink: 'mailto:alva.ek@skola.example'},
    expected: 'alva.ek@skola.example',
  },
  {name: 'formula, number', value: {formula: '40+2', result: 42}, expected: '42'},
  {name: 'formula, text', value: {formula: '"7"&"A"', result: '7A'}, expected: '7A'},
  {
    name: 'formula, date',
    value: {formula: 'DATE(2020,1,2)', result: new Date(Date.UTC(2020, 0, 2))},
    numFmt: 'yyyy-mm-dd',
    expected: '2020-01-02',
  },
  {name: 'formula, boolean', value: {formula: 'TRUE()', result: true}, expected: 'TRUE'},
  {name: 'formula, no result', value: {formula: '1+1'}, issue: {code: 'source.excel-no-result'}},
  {
    name: 'formula, error',
    value: {formula: 'NA()', result: {error: '#N/A'}},
    issue: {code: 'source.excel-error', value: '#N/A'},
  },
  {name: '#N/A', value: {error: '#N/A'}, issue: {code: 'source.excel-error', value: '#N/A'}},
  {name: '#REF!', value: {error: '#REF!'}, issue: {code: 'source.excel-error', value: '#REF!'}},
  {name: '#DIV/0!', value: {error: '#DIV/0!'}, issue: {code: 'source.excel-error', value: '#DIV/0!'}},
  {name: '#VALUE!', value: {error: '#VALUE!'}, issue: {code: 'source.excel-error', value: '#VALUE!'}},
  {name: 'spaces trimmed', value: '\u00a0 Åsa  ', expected: 'Åsa'},
  {name: 'decomposed å made NFC', value: 'a\u030asa', expected: 'åsa'},
  {name: 'whitespace only', value: '   '},
  {name: 'line break inside', value: 'Storgatan 1\nLgh 1102', expected: 'Storgatan 1\nLgh 1102'},
  {name: 'markup characters', value: 'Ek & <Lind> "A"', expected: 'Ek & <Lind> "A"'},
]

describe('values as a person sees them', () => {
  let result: Awaited<ReturnType<typeof readAll>>
  const lineOf = (name: string) => VALUE_CASES.findIndex((entry) => entry.name === name) + 2

  beforeAll(async () => {
    const file = await writeWorkbook(fresh(), (workbook) => {
      const sheet = workbook.addWorksheet('Värden')
      sheet.addRow(['Fall', 'Värde'])
      for (const entry of VALUE_CASES) {
        const row = sheet.addRow([entry.name, entry.value])
        if (entry.numFmt !== undefined) row.getCell(2).numFmt = entry.numFmt
      }
    })
    result = await readAll(file)
  })

  it.each(VALUE_CASES)('$name', (entry) => {
    const line = lineOf(entry.name)
    const row = result.rows.find((candidate) => candidate.line === line)
    expect(row?.cells.Fall).toBe(entry.name)
    expect(row?.cells['Värde']).toBe(entry.expected)
    if (entry.issue === undefined) {
      expect(row?.issues).toBeUndefined()
      return
    }
    expect(row?.issues).toHaveLength(1)
    const issue = row!.issues![0]!
    expect(issue.code).toBe(entry.issue.code)
    expect(issue.source).toEqual({file: result.info.file, sheet: 'Värden', line, column: 2, cell: `B${line}`})
    expect(issue.message).toContain(`Värden!B${line}`)
    if (entry.issue.value !== undefined) expect(issue.value).toBe(entry.issue.value)
  })

  it('reports severities from the catalog: an error cell is an error, a missing result a warning', () => {
    const all = result.rows.flatMap((row) => row.issues ?? [])
    expect(all.find((issue) => issue.code === 'source.excel-error')?.severity).toBe('error')
    expect(all.find((issue) => issue.code === 'source.excel-no-result')?.severity).toBe('warning')
  })
})

it('names an error cell exactly: Elever!C57', async () => {
  const file = await writeWorkbook(fresh(), (workbook) => {
    const sheet = workbook.addWorksheet('Elever')
    sheet.addRow(['Personnummer', 'Förnamn', 'Klass'])
    for (let line = 2; line <= 60; line++) sheet.addRow([`2010010${line % 10}-000${line % 10}`, `Elev ${line}`, '7A'])
    sheet.getCell('C57').value = {error: '#N/A'}
  })
  const {rows} = await readAll(file)
  const row = rows.find((candidate) => candidate.line === 57)!
  expect(row.cells.Klass).toBeUndefined()
  expect(row.issues).toEqual([
    expect.objectContaining({
      code: 'source.excel-error',
      severity: 'error',
      message: 'Cell Elever!C57 holds the Excel error #N/A',
      value: '#N/A',
      source: {file, sheet: 'Elever', line: 57, column: 3, cell: 'C57'},
    }),
  ])
})

it('quotes a sheet name with spaces in the cell reference, as Excel does', async () => {
  const file = await writeWorkbook(fresh(), (workbook) => {
    const sheet = workbook.addWorksheet('Elever 7A')
    sheet.addRow(['Namn', 'Klass'])
    sheet.addRow(['Alva', {error: '#REF!'}])
  })
  const {rows} = await readAll(file)
  expect(rows[0]!.issues![0]!.message).toBe("Cell 'Elever 7A'!B2 holds the Excel error #REF!")
})

it('masks a personnummer in issue values unless revealed', async () => {
  const file = await writeRows(fresh(), [
    ['Namn', 'Klass'],
    ['Alva', '7A', '20011224-0123'],
  ])
  const masked = await readAll(file)
  expect(masked.rows[0]!.issues![0]!.value).not.toContain('0123')
  const revealed = await readAll(file, {reveal: true})
  expect(revealed.rows[0]!.issues![0]!.value).toBe('20011224-0123')
})

// --- hand-written XML: what exceljs does not write ------------------------------------------------------------------

describe('worksheet XML as other writers make it', () => {
  const header =
    '<row r="1"><c r="A1" t="inlineStr"><is><t>Namn</t></is></c><c r="B1" t="inlineStr"><is><t>Värde</t></is></c></row>'
  const valueRow = (line: number, cell: string) =>
    `<row r="${line}"><c r="A${line}" t="inlineStr"><is><t>rad ${line}</t></is></c>${cell.replaceAll('@', `B${line}`)}</row>`

  it.each([
    {
      name: 'inline rich text, phonetic guide left out',
      cell: '<c r="@" t="inlineStr"><is><r><t>Al</t></r><r><rPr><b/></rPr><t>va</t></r><rPh sb="0" eb="1"><t>アルヴァ</t></rPh></is></c>',
      expected: 'Alva',
    },
    {name: 'ISO date cell', cell: '<c r="@" t="d"><v>2024-08-15T00:00:00Z</v></c>', expected: '2024-08-15'},
    {
      name: 'ISO date-time cell',
      cell: '<c r="@" t="d"><v>2024-08-15T08:30:00</v></c>',
      expected: '2024-08-15T08:30:00',
    },
    {
      name: 'entities',
      cell: '<c r="@" t="inlineStr"><is><t>Ek &amp; Lind &#229;&#xE4;</t></is></c>',
      expected: 'Ek & Lind åä',
    },
    {
      name: 'OOXML escape of a carriage return',
      cell: '<c r="@" t="str"><f>A1</f><v>a_x000D_b</v></c>',
      expected: 'a\rb',
    },
    {name: 'CDATA', cell: '<c r="@" t="str"><f>A1</f><v><![CDATA[<b>&amp;</b>]]></v></c>', expected: '<b>&amp;</b>'},
    {name: 'a comment inside a cell', cell: '<c r="@"><!-- note --><v>12</v></c>', expected: '12'},
    {name: 'shared formula with a result', cell: '<c r="@"><f t="shared" si="0"/><v>3</v></c>', expected: '3'},
    {name: 'formula error', cell: '<c r="@" t="e"><f>A1/0</f><v>#DIV/0!</v></c>', expected: undefined},
    {name: 'formula with an empty text result', cell: '<c r="@" t="str"><f>""</f><v></v></c>', expected: undefined},
    {name: 'boolean written as true', cell: '<c r="@" t="b"><v>true</v></c>', expected: 'TRUE'},
    {name: 'shared string index out of range', cell: '<c r="@" t="s"><v>99</v></c>', expected: undefined},
    {name: 'styled empty cell', cell: '<c r="@" s="1"/>', expected: undefined},
    {name: 'single-quoted attributes', cell: "<c r='@' t='inlineStr'><is><t>enkla</t></is></c>", expected: 'enkla'},
  ])('$name', async ({cell, expected}) => {
    const file = await writeRawWorkbook(fresh(), {
      sheets: {Blad1: `<sheetData>${header}${valueRow(2, cell)}</sheetData>`},
    })
    const {rows} = await readAll(file)
    expect(rows[0]?.line).toBe(2)
    expect(rows[0]?.cells['Värde']).toBe(expected)
  })

  it('reads shared strings with rich runs, phonetic guides and escapes', async () => {
    const file = await writeRawWorkbook(fresh(), {
      sharedStrings: [
        '<si><t>Namn</t></si>',
        '<si><t xml:space="preserve">Bo</t></si>',
        '<si><r><t>Bo</t></r><r><rPr><b/></rPr><t xml:space="preserve"> Lind</t></r><rPh sb="0" eb="1"><t>ボ</t></rPh></si>',
        '<si><t>Ek &amp; Ask_x000D_</t></si>',
        '<si/>',
        '<si><t>sist</t></si>',
      ],
      sheets: {
        Blad1:
          '<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row>' +
          [1, 2, 3, 4, 5]
            .map((index) => `<row r="${index + 1}"><c r="A${index + 1}" t="s"><v>${index}</v></c></row>`)
            .join('') +
          '</sheetData>',
      },
    })
    const {rows} = await readAll(file, {headerRow: 1})
    expect(rows.map((row) => row.cells.Namn)).toEqual(['Bo', 'Bo Lind', 'Ek & Ask', 'sist'])
    expect(rows.map((row) => row.line)).toEqual([2, 3, 4, 6])
  })

  it('reads namespace prefixes, missing r attributes, a byte order mark, and no dimension', async () => {
    const main = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main'
    const body =
      '<x:sheetData><x:row><x:c t="inlineStr"><x:is><x:t>Namn</x:t></x:is></x:c><x:c t="inlineStr"><x:is><x:t>Klass</x:t></x:is></x:c></x:row>' +
      '<x:row><x:c t="inlineStr"><x:is><x:t>Alva</x:t></x:is></x:c><x:c t="inlineStr"><x:is><x:t>7A</x:t></x:is></x:c></x:row>' +
      '<x:row r="5"><x:c r="B5" t="inlineStr"><x:is><x:t>8B</x:t></x:is></x:c><x:c r="C5"><x:v>3</x:v></x:c></x:row></x:sheetData>' +
      '<x:mergeCells count="1"><x:mergeCell ref="A2:A3"/></x:mergeCells>'
    const file = await writeRawWorkbook(fresh(), {
      sheets: {Blad1: body},
      sheetDocument: (xml) =>
        Buffer.concat([
          Buffer.from([0xef, 0xbb, 0xbf]),
          Buffer.from(`<?xml version="1.0" encoding="UTF-8"?><x:worksheet xmlns:x="${main}">${xml}</x:worksheet>`),
        ]),
    })
    const {info, rows, issues} = await readAll(file)
    expect(info.headers).toEqual(['Namn', 'Klass'])
    expect(info.sheets).toEqual([{name: 'Blad1', index: 1, rows: 5, columns: 3}])
    expect(rows.map((row) => [row.line, plain(row)])).toEqual([
      [2, {Namn: 'Alva', Klass: '7A'}],
      [5, {Klass: '8B'}],
    ])
    expect(rows[1]!.issues?.map((issue) => issue.source?.cell)).toEqual(['C5'])
    expect(codes(issues)).toEqual(['source.blank-rows'])
  })

  it('counts a sheet that numbers neither rows nor cells by parsing it', async () => {
    const row = (a: string, b: string) =>
      `<row><c t="inlineStr"><is><t>${a}</t></is></c><c t="inlineStr"><is><t>${b}</t></is></c><c/></row>`
    const file = await writeRawWorkbook(fresh(), {
      sheets: {Blad1: `<sheetData>${row('Namn', 'Klass')}${row('Alva', '7A')}${row('Bo', '7B')}</sheetData>`},
    })
    const {info, rows} = await readAll(file)
    expect(info.sheets).toEqual([{name: 'Blad1', index: 1, rows: 3, columns: 3}])
    expect(rows.map((entry) => [entry.line, plain(entry)])).toEqual([
      [2, {Namn: 'Alva', Klass: '7A'}],
      [3, {Namn: 'Bo', Klass: '7B'}],
    ])
  })

  it('reads the 1904 date system and custom formats, ignoring conditional-format number formats', async () => {
    const styles =
      '<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd"/><numFmt numFmtId="165" formatCode="0.0%"/></numFmts>' +
      '<cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/><xf numFmtId="165"/></cellXfs>' +
      '<dxfs count="1"><dxf><numFmt numFmtId="164" formatCode="0.00"/></dxf></dxfs>'
    const file = await writeRawWorkbook(fresh(), {
      workbookPr: 'date1904="1"',
      styles,
      sheets: {
        Blad1:
          '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>A</t></is></c><c r="B1" t="inlineStr"><is><t>B</t></is></c><c r="C1" t="inlineStr"><is><t>C</t></is></c></row>' +
          '<row r="2"><c r="A2" s="1"><v>0</v></c><c r="B2" s="2"><v>366</v></c><c r="C2" s="3"><v>0.256</v></c></row></sheetData>',
      },
    })
    const {rows} = await readAll(file)
    expect(plain(rows[0])).toEqual({A: '1904-01-01', B: '1905-01-01', C: '25.6%'})
  })
})

// --- sheets ---------------------------------------------------------------------------------------------------------

describe('sheets', () => {
  let file: string

  beforeAll(async () => {
    file = await writeWorkbook(fresh(), (workbook) => {
      workbook.addWorksheet('Tom')
      const pupils = workbook.addWorksheet('Elever')
      pupils.addRow(['Personnummer', 'Förnamn', 'Klass'])
      pupils.addRow(['20100101-0001', 'Alva', '7A'])
      pupils.addRow(['20100202-0002', 'Bo', '7B'])
      const classes = workbook.addWorksheet('Klasser')
      classes.addRow(['Klass', 'Mentor'])
      classes.addRow(['7A', 'Eva Ek'])
    })
  })

  it('lists every sheet with its size', async () => {
    const {info} = await readAll(file)
    expect(info.sheets).toEqual([
      {name: 'Tom', index: 1, rows: 0, columns: 0},
      {name: 'Elever', index: 2, rows: 3, columns: 3},
      {name: 'Klasser', index: 3, rows: 2, columns: 2},
    ])
    expect(info.format).toBe('xlsx')
  })

  it('reads the first sheet with data by default, when the first sheet is empty', async () => {
    const {info, rows} = await readAll(file)
    expect(info.sheet).toBe('Elever')
    expect(rows.map((row) => row.cells['Förnamn'])).toEqual(['Alva', 'Bo'])
    expect(rows[0]!.sheet).toBe('Elever')
  })

  it.each([
    {how: 'name', sheet: 'Klasser'},
    {how: 'name in another case', sheet: 'KLASSER'},
    {how: 'number', sheet: 3},
    {how: 'number as text', sheet: '3'},
  ])('picks a sheet by $how', async ({sheet}) => {
    const {info, rows} = await readAll(file, {sheet})
    expect(info.sheet).toBe('Klasser')
    expect(plain(rows[0])).toEqual({Klass: '7A', Mentor: 'Eva Ek'})
  })

  it('reads an empty sheet when asked for it', async () => {
    const {info, rows, issues} = await readAll(file, {sheet: 'Tom'})
    expect(info.sheet).toBe('Tom')
    expect(rows).toEqual([])
    expect(codes(issues)).toEqual(['source.empty'])
  })

  it.each([{sheet: 'Personal'}, {sheet: 4}, {sheet: 0}])(
    'refuses an unknown sheet $sheet, naming the sheets',
    async ({sheet}) => {
      const error = await openXlsx(file, {sheet}).catch((caught: unknown) => caught)
      expect(error).toBeInstanceOf(UsageError)
      expect((error as Error).message).toContain('1 "Tom", 2 "Elever", 3 "Klasser"')
    },
  )

  it('takes a number that is no position as a sheet name, and skips hidden sheets by default', async () => {
    const years = await writeWorkbook(fresh(), (workbook) => {
      const hidden = workbook.addWorksheet('Koder', {state: 'hidden'})
      hidden.addRow(['Kod', 'Text'])
      hidden.addRow(['1', 'Ett'])
      const sheet = workbook.addWorksheet('2024')
      sheet.addRow(['Namn', 'År'])
      sheet.addRow(['Alva', '2024'])
    })
    expect((await readAll(years)).info.sheet).toBe('2024')
    expect((await readAll(years, {sheet: 2024})).info.sheet).toBe('2024')
    expect((await readAll(years, {sheet: 1})).info.sheet).toBe('Koder')
  })

  it('counts the size of sheets written without a dimension', async () => {
    const streamed = await writeRowsStreaming(fresh(), [
      ['Namn', 'Klass', 'Född'],
      ...Array.from({length: 40}, (_, index) => [`Elev ${index}`, '8C', null, index]),
    ])
    const {info, rows} = await readAll(streamed)
    expect(info.sheets).toEqual([{name: 'Elever', index: 1, rows: 41, columns: 4}])
    expect(rows).toHaveLength(40)
  })

  it('accepts an .xlsm workbook', async () => {
    const macro = await writeRows(fresh('xlsm'), [
      ['Namn', 'Klass'],
      ['Alva', '7A'],
    ])
    expect(plain((await readAll(macro)).rows[0])).toEqual({Namn: 'Alva', Klass: '7A'})
  })
})

// --- header, title rows, skipping, blank rows -----------------------------------------------------------------------

describe('header and rows', () => {
  const titled: ExcelJS.CellValue[][] = [
    ['Elevlista läsåret 2025/26'],
    ['Utskriven 2025-08-20'],
    [],
    ['Personnummer', 'Förnamn', 'Efternamn', 'Klass'],
    ['(ÅÅÅÅMMDD-NNNN)', '', '', ''],
    ['20100101-0001', 'Alva', 'Ek', '7A'],
    ['20100202-0002', 'Bo', 'Lind', '7B'],
  ]

  it('skips title rows above the header', async () => {
    const {info, rows} = await readAll(await writeRows(fresh(), titled))
    expect(info).toMatchObject({
      headerRow: 4,
      headerDetected: true,
      headers: ['Personnummer', 'Förnamn', 'Efternamn', 'Klass'],
    })
    expect(rows.map((row) => row.line)).toEqual([5, 6, 7])
  })

  it('takes the header row it is given, and skips rows after it', async () => {
    const file = await writeRows(fresh(), titled)
    const {info, rows} = await readAll(file, {headerRow: 4, skipRows: 1})
    expect(info).toMatchObject({headerRow: 4, headerDetected: false})
    expect(rows.map((row) => [row.line, row.cells['Förnamn']])).toEqual([
      [6, 'Alva'],
      [7, 'Bo'],
    ])
  })

  it('refuses a header row that is blank', async () => {
    const error = await openXlsx(await writeRows(fresh(), titled), {headerRow: 3}).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(UsageError)
    expect((error as Error).message).toContain('Row 3')
  })

  it('counts blank rows between data rows, styled or absent, but not formatting below the data', async () => {
    const file = await writeWorkbook(fresh(), (workbook) => {
      const sheet = workbook.addWorksheet('Elever')
      sheet.getRow(1).values = ['Namn', 'Klass']
      sheet.getRow(2).values = ['Alva', '7A']
      sheet.getRow(3).values = ['Bo', '7B']
      sheet.getCell('A4').fill = {type: 'pattern', pattern: 'solid', fgColor: {argb: 'FFFFFF00'}}
      sheet.getCell('B4').border = {top: {style: 'thin'}}
      sheet.getRow(6).values = ['Cleo', '7C']
      for (let line = 7; line <= 20; line++) sheet.getCell(`A${line}`).font = {bold: true}
    })
    const {rows, issues} = await readAll(file)
    expect(rows.map((row) => row.line)).toEqual([2, 3, 6])
    expect(issues).toEqual([
      expect.objectContaining({
        code: 'source.blank-rows',
        message: '2 blank row(s) skipped (lines 4-5)',
        source: {file, sheet: 'Elever'},
      }),
    ])
  })

  it.each([
    {name: 'an empty sheet', rows: [], code: 'source.empty'},
    {name: 'a sheet of blank strings', rows: [['  ', '']], code: 'source.empty'},
    {name: 'a header only', rows: [['Namn', 'Klass']], code: 'source.header-only'},
  ])('reports $name', async ({rows: content, code}) => {
    const {info, rows, issues} = await readAll(await writeRows(fresh(), content))
    expect(rows).toEqual([])
    expect(codes(issues)).toEqual([code])
    if (code === 'source.empty') expect(info).toMatchObject({headerRow: 0, headers: [], rawHeaders: []})
  })

  it('reports a header only when the rows after it are formatted but blank (a big sheet, seen while iterating)', async () => {
    const file = await writeWorkbook(fresh(), (workbook) => {
      const sheet = workbook.addWorksheet('Elever')
      sheet.addRow(['Namn', 'Klass'])
      for (let line = 2; line <= 3000; line++) sheet.getCell(`A${line}`).font = {italic: true}
      for (let line = 2; line <= 40; line++) sheet.getCell(`C${line}`).value = ' '
    })
    const {rows, issues} = await readAll(file)
    expect(rows).toEqual([])
    expect(codes(issues)).toEqual(['source.header-only'])
  })

  it('names empty and repeated headers, with issues at the header cells', async () => {
    const file = await writeRows(fresh(), [
      ['Klass', null, 'Klass', 'Namn'],
      ['7A', 'x', '7B', 'Alva'],
    ])
    const {info, rows, issues} = await readAll(file)
    expect(info.headers).toEqual(['Klass', 'Column_2', 'Klass_2', 'Namn'])
    expect(info.rawHeaders).toEqual(['Klass', '', 'Klass', 'Namn'])
    expect(plain(rows[0])).toEqual({Klass: '7A', Column_2: 'x', Klass_2: '7B', Namn: 'Alva'})
    expect(issues.map((issue) => [issue.code, issue.source?.cell])).toEqual([
      ['source.header-empty', 'B1'],
      ['source.header-duplicate', 'C1'],
    ])
  })

  it('reports a value beyond the header as a ragged row, at its cell', async () => {
    const file = await writeRows(fresh(), [
      ['Namn', 'Klass', 'Mentor'],
      ['Alva', '7A', 'Eva'],
      ['Bo', '7B', null, null, 'extra'],
    ])
    const {rows} = await readAll(file)
    expect(rows[0]!.issues).toBeUndefined()
    expect(plain(rows[1])).toEqual({Namn: 'Bo', Klass: '7B'})
    expect(rows[1]!.issues).toEqual([
      expect.objectContaining({
        code: 'source.ragged-extra',
        severity: 'error',
        message: 'The row has 5 cells but the header has 3; the extra cells hold data that belongs to no column',
        source: {file, sheet: 'Elever', line: 3, column: 5, cell: 'E3'},
        value: 'extra',
      }),
    ])
  })

  it('keeps a header called __proto__ as an ordinary key', async () => {
    const {rows} = await readAll(
      await writeRows(fresh(), [
        ['__proto__', 'constructor'],
        ['polluted', 'yes'],
      ]),
    )
    const cells = rows[0]!.cells
    expect(Object.getPrototypeOf(cells)).toBeNull()
    expect(Object.keys(cells)).toEqual(['__proto__', 'constructor'])
    expect(cells['__proto__']).toBe('polluted')
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })
})

// --- merged cells ---------------------------------------------------------------------------------------------------

describe('merged cells', () => {
  it('fills merged header and data ranges, without taking a merged title for the header', async () => {
    const file = await writeWorkbook(fresh(), (workbook) => {
      const sheet = workbook.addWorksheet('Elever')
      sheet.getCell('A1').value = 'Elevlista 2025/26'
      sheet.mergeCells('A1:D1')
      sheet.getRow(2).values = ['Namn', null, 'Klass', 'Mentor']
      sheet.mergeCells('A2:B2')
      sheet.getRow(3).values = ['Alva', 'Ek', '7A', 'Eva']
      sheet.getRow(4).values = ['Bo', 'Lind', null, 'Eva']
      sheet.getRow(5).values = ['Cleo', 'Ask', null, 'Eva']
      sheet.mergeCells('C3:C5')
      sheet.getRow(6).values = ['Dan', 'Berg', '7B', 'Olle']
      sheet.getCell('D6').value = 'Olle'
      sheet.mergeCells('D6:F6')
    })
    const {info, rows, issues} = await readAll(file)
    expect(info.headerRow).toBe(2)
    expect(info.headers).toEqual(['Namn', 'Namn_2', 'Klass', 'Mentor'])
    expect(codes(issues)).toEqual(['source.header-duplicate'])
    expect(rows.map((row) => [row.line, row.cells.Klass])).toEqual([
      [3, '7A'],
      [4, '7A'],
      [5, '7A'],
      [6, '7B'],
    ])
    // A merge wider than the header is not a ragged row.
    expect(rows[3]!.issues).toBeUndefined()
  })

  it('finds merged cells at the end of a big sheet', async () => {
    const file = await writeWorkbook(fresh(), (workbook) => {
      const sheet = workbook.addWorksheet('Elever')
      sheet.addRow(['Namn', 'Klass'])
      for (let index = 0; index < 4000; index++) sheet.addRow([`Elev nummer ${index} med ett långt namn`, null])
      sheet.getCell('B3990').value = '9C'
      sheet.mergeCells('B3990:B3995')
    })
    const {rows} = await readAll(file)
    expect(rows).toHaveLength(4000)
    expect(rows.filter((row) => row.cells.Klass === '9C').map((row) => row.line)).toEqual([
      3990, 3991, 3992, 3993, 3994, 3995,
    ])
  })
})

// --- files that are not workbooks, and zip bombs --------------------------------------------------------------------

describe('refusing files', () => {
  const refusal = async (file: string, options?: XlsxOptions) => {
    const error = await readAll(file, options).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(InvalidDataError)
    return (error as Error).message
  }

  it('refuses a CSV named .xlsx', async () => {
    const file = fresh()
    await writeFile(file, 'Personnummer;Förnamn\r\n20100101-0001;Alva\r\n')
    expect(await refusal(file)).toBe(
      `${file} is not an Excel .xlsx workbook (it is not a zip archive); save it as .xlsx or export CSV.`,
    )
  })

  it.each([
    {name: 'an empty file', bytes: Buffer.alloc(0), says: 'not an Excel .xlsx workbook'},
    {
      name: 'an old .xls renamed',
      bytes: Buffer.from('d0cf11e0a1b11ae1000000000000000000000000', 'hex'),
      says: '(.xls)',
    },
    {name: 'a cut-off zip', bytes: Buffer.from('504b0304140000000800', 'hex'), says: 'cut off'},
  ])('refuses $name', async ({bytes, says}) => {
    const file = fresh()
    await writeFile(file, bytes)
    expect(await refusal(file)).toContain(says)
  })

  it.each([
    {name: 'a zip without a workbook', parts: [{name: 'notes.txt', data: 'hej'}], says: 'without an Excel workbook'},
    {
      name: 'an OpenDocument file',
      parts: [{name: 'mimetype', data: 'application/vnd.oasis', stored: true}],
      says: 'OpenDocument',
    },
  ])('refuses $name', async ({parts}) => {
    const message = await refusal(await writeZip(fresh(), parts))
    expect(message).toContain('is not an Excel .xlsx workbook')
  })

  it('refuses a workbook that would expand past the cap, with the figures and how to raise it', async () => {
    const file = await writeRows(fresh(), [
      ['Namn', 'Klass'],
      ['Alva', '7A'],
    ])
    const message = await refusal(file, {maxExpandedBytes: 1000})
    expect(message).toMatch(/would expand to [\d.]+ KiB \([\d.]+ KiB compressed\), more than the 1000 bytes/)
    const error: unknown = await openXlsx(file, {maxExpandedBytes: 1000}).catch((caught: unknown) => caught)
    expect((error as InvalidDataError).actions.join(' ')).toContain('maxExpandedBytes')
  })

  it('refuses a part that claims an absurd compression ratio', async () => {
    const file = await writeZip(fresh(), [
      {name: 'xl/workbook.xml', data: '<workbook/>'},
      {name: 'xl/worksheets/sheet1.xml', data: '<worksheet/>', declaredSize: 200 * 1024 ** 2},
    ])
    expect(await refusal(file)).toMatch(/zip bomb.*sheet1\.xml.*200\.0 MiB/)
  })

  it('refuses a part that expands beyond the size its directory declares', async () => {
    const file = await writeRawWorkbook(fresh(), {
      sheets: {Blad1: '<sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData>'},
    })
    const bytes = await readFile(file)
    // Make the directory entry of the sheet (the last part) declare 10 bytes.
    const central = bytes.lastIndexOf(Buffer.from('xl/worksheets/sheet1.xml')) - 46
    bytes.writeUInt32LE(10, central + 24)
    await writeFile(file, bytes)
    expect(await refusal(file)).toContain('expands beyond the 10 bytes its zip directory declares')
  })
})

// --- properties -----------------------------------------------------------------------------------------------------

const cellText = fc
  .string({unit: 'grapheme', minLength: 1, maxLength: 12})
  .map((text) => text.normalize('NFC').trim())
  // exceljs writes control characters raw and does not escape `_xHHHH_`, as Excel would; keep to what Excel writes.
  // eslint-disable-next-line no-control-regex -- the point is to find control characters
  .filter((text) => text !== '' && !/[\u0000-\u001f\u007f-\u009f\ufffe\uffff]|_x[0-9a-f]{4}_/i.test(text))

describe('properties', () => {
  it('reads back any table of strings unchanged', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(cellText, {minLength: 1, maxLength: 5}).chain((header) =>
          fc.tuple(
            fc.constant(header),
            fc.array(fc.array(fc.option(cellText, {nil: null}), {minLength: header.length, maxLength: header.length}), {
              maxLength: 8,
            }),
          ),
        ),
        async ([header, body]) => {
          const file = await writeRows(fresh(), [header, ...body])
          const {info, rows} = await readAll(file, {headerRow: 1})
          expect(info.headers).toEqual(header)
          const expected = body
            .map((values, index) => ({
              line: index + 2,
              cells: Object.fromEntries(
                values.flatMap((value, column) => (value === null ? [] : [[header[column]!, value]])),
              ),
            }))
            .filter((row) => Object.keys(row.cells).length > 0)
          expect(rows.map((row) => ({line: row.line, cells: plain(row)}))).toEqual(expected)
          expect(rows.every((row) => row.issues === undefined)).toBe(true)
        },
      ),
      {numRuns: 40},
    )
  })

  it('never fails on arbitrary bytes named .xlsx with anything but InvalidDataError', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({maxLength: 600}), async (bytes) => {
        const file = fresh()
        await writeFile(file, bytes)
        await readAll(file).catch((error: unknown) => {
          expect(error).toBeInstanceOf(InvalidDataError)
        })
      }),
      {numRuns: 100},
    )
  })

  it('never fails on a damaged workbook with anything but InvalidDataError', async () => {
    const original = await readFile(
      await writeWorkbook(fresh(), (workbook) => {
        const sheet = workbook.addWorksheet('Elever')
        sheet.addRow(['Personnummer', 'Namn', 'Född', 'Andel'])
        sheet.addRow([200112240123, {richText: [{text: 'Alva'}]}, new Date(Date.UTC(2001, 11, 24)), 0.5])
        sheet.getCell('D2').numFmt = '0%'
        sheet.mergeCells('B3:C3')
      }),
    )
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat(original.length - 1), fc.integer({min: 0, max: 255})), {minLength: 1, maxLength: 8}),
        fc.option(fc.nat(original.length), {nil: undefined}),
        async (changes, cut) => {
          const bytes = Buffer.from(original)
          for (const [at, value] of changes) bytes[at] = value
          const file = fresh()
          await writeFile(file, cut === undefined ? bytes : bytes.subarray(0, cut))
          await readAll(file).catch((error: unknown) => {
            expect(error).toBeInstanceOf(InvalidDataError)
          })
        },
      ),
      {numRuns: 150},
    )
  })
})

import {Buffer} from 'node:buffer'
import * as fs from 'node:fs/promises'
import * as os from 'node:os'
import * as path from 'node:path'

import {stringify} from 'csv-stringify/sync'
import fc from 'fast-check'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {UsageError} from '../../../src/errors.js'
import {type CsvReaderOptions, openCsv, sniffDelimiter} from '../../../src/sources/csv.js'
import {normalizeCell} from '../../../src/sources/header.js'
import {SOURCE_ENCODINGS, type SourceInfo} from '../../../src/sources/types.js'
import type {Issue} from '../../../src/validation/issue.js'

let root: string
let counter = 0

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'csv-source-'))
})

afterAll(async () => {
  await fs.rm(root, {recursive: true, force: true})
})

/** Writes a fixture file of its own (fictional people only). */
async function write(content: string | Uint8Array, name = 'elever.csv'): Promise<string> {
  const dir = path.join(root, `case-${++counter}`)
  await fs.mkdir(dir, {recursive: true})
  const file = path.join(dir, name)
  await fs.writeFile(file, content)
  return file
}

interface PlainRow {
  line: number
  cells: Record<string, string>
  issues?: string[]
}

interface Read {
  file: string
  info: SourceInfo
  rows: PlainRow[]
  /** File issues as `code@line`. */
  issues: string[]
  fileIssues: Issue[]
  rowIssues: Issue[]
}

/** Opens and iterates a CSV file; rows and issues in a shape easy to compare. */
async function read(content: string | Uint8Array, options?: CsvReaderOptions): Promise<Read> {
  const file = await write(content)
  const opened = await openCsv(file, options)
  const rows: PlainRow[] = []
  const rowIssues: Issue[] = []
  for await (const row of opened.rows) {
    expect(row.file).toBe(file)
    const plain: PlainRow = {line: row.line, cells: {...row.cells}}
    if (row.issues !== undefined) {
      plain.issues = row.issues.map((issue) => issue.code)
      rowIssues.push(...row.issues)
    }
    rows.push(plain)
  }
  return {
    file,
    info: opened.info,
    rows,
    issues: opened.issues.map((issue) => `${issue.code}@${issue.source?.line ?? '-'}`),
    fileIssues: opened.issues,
    rowIssues,
  }
}

const bytes = (...parts: Array<string | number[]>): Buffer =>
  Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part, 'utf8') : Buffer.from(part))))

const cellsOf = (result: Read): Array<Record<string, string>> => result.rows.map((row) => row.cells)

describe('encoding', () => {
  it('reads Windows-1252 as the real code page (– ’ € and å ä ö)', async () => {
    // Every non-ASCII byte written out: ö F6, Å C5, Ö D6, – 96, ’ 92, € 80, å E5, ä E4.
    const content = bytes(
      'F',
      [0xf6],
      'rnamn;Efternamn;Kommentar\r\n',
      [0xc5],
      'sa;',
      [0xd6],
      'berg;',
      [0x96, 0x20, 0x92, 0x80, 0x20, 0xe5, 0xe4, 0xf6],
      '\r\n',
    )
    const result = await read(content)
    expect(result.info.encoding).toBe('windows-1252')
    expect(result.info.encodingDetected).toBe(true)
    expect(result.info.headers).toEqual(['Förnamn', 'Efternamn', 'Kommentar'])
    expect(cellsOf(result)).toEqual([{Förnamn: 'Åsa', Efternamn: 'Öberg', Kommentar: '– ’€ åäö'}])
    expect(result.issues).toEqual([])
  })

  it.each([
    ['UTF-8 with BOM', (text: string) => bytes([0xef, 0xbb, 0xbf], text), 'utf-8'],
    ['UTF-16 LE with BOM', (text: string) => bytes([0xff, 0xfe], [...Buffer.from(text, 'utf16le')]), 'utf-16le'],
    [
      'UTF-16 BE with BOM',
      (text: string) => bytes([0xfe, 0xff], [...Buffer.from(text, 'utf16le').swap16()]),
      'utf-16be',
    ],
  ])('reads %s and drops the BOM', async (_name, encode, encoding) => {
    const result = await read(encode('Namn;Klass\r\nÅsa Öberg;7A\r\nBo Ek;8B\r\n'))
    expect(result.info.encoding).toBe(encoding)
    expect(result.info.encodingDetected).toBe(true)
    expect(result.info.rawHeaders).toEqual(['Namn', 'Klass'])
    expect(result.rows).toEqual([
      {line: 2, cells: {Namn: 'Åsa Öberg', Klass: '7A'}},
      {line: 3, cells: {Namn: 'Bo Ek', Klass: '8B'}},
    ])
  })

  it('reads a Windows-1252 line in a file with a UTF-8 BOM as well as it can, and warns', async () => {
    const result = await read(bytes([0xef, 0xbb, 0xbf], 'Namn;Ort\nBo;Lund\nCia;V', [0xe4], 'xj', [0xf6], '\n'))
    expect(result.info.encoding).toBe('utf-8')
    expect(result.rows.at(-1)!.cells.Ort).toBe('Växjö')
    expect(result.issues).toEqual(['source.encoding-mixed@3'])
  })

  it.each([1, 3, 7, 64 * 1024])('reads UTF-16 split in reads of %i bytes', async (chunkSize) => {
    const result = await read(bytes([0xff, 0xfe], [...Buffer.from('Namn;Ort\nÅsa;Umeå\n', 'utf16le')]), {chunkSize})
    expect(cellsOf(result)).toEqual([{Namn: 'Åsa', Ort: 'Umeå'}])
  })

  it('reads each line of a mixed file in its own encoding and says which lines were Windows-1252', async () => {
    const content = bytes(
      'Namn;Ort\n',
      'Åsa;Umeå\n',
      'Bo;',
      [0x56, 0xe4, 0x78, 0x6a, 0xf6],
      '\n',
      'Cia;Malmö\n',
      'Dan;',
      [0x96],
      '\n',
    )
    const result = await read(content)
    expect(result.info.encoding).toBe('utf-8')
    expect(cellsOf(result).map((cells) => cells.Ort)).toEqual(['Umeå', 'Växjö', 'Malmö', '–'])
    expect(result.issues).toEqual(['source.encoding-mixed@3'])
    expect(result.fileIssues[0]!.message).toBe(
      'The file mixes encodings: 2 line(s) are not valid UTF-8 and were read as Windows-1252 (lines 3, 5)',
    )
  })

  it('lists the first ten Windows-1252 lines of a mixed file and counts them all', async () => {
    const lines = [bytes('Namn;Ort\n'), bytes('Åsa;Umeå\n')]
    for (let index = 0; index < 12; index++) lines.push(bytes('Bo;', [0xe5], '\n'))
    const result = await read(Buffer.concat(lines))
    expect(result.fileIssues[0]!.message).toContain('12 line(s)')
    expect(result.fileIssues[0]!.message).toContain('(lines 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, …)')
  })

  it('settles on Windows-1252 after reading when the head was pure ASCII', async () => {
    const lines = [bytes('Namn;Ort\n')]
    for (let index = 0; index < 50; index++) lines.push(bytes('Bo;Lund\n'))
    lines.push(bytes('Cia;V', [0xe4], 'xj', [0xf6], '\n'))
    const result = await read(Buffer.concat(lines), {headBytes: 64, chunkSize: 64})
    expect(result.info.encoding).toBe('windows-1252')
    expect(result.rows.at(-1)).toEqual({line: 52, cells: {Namn: 'Cia', Ort: 'Växjö'}})
    expect(result.issues).toEqual([])
  })

  it('reads UTF-8 lines as UTF-8 in a Windows-1252 file, and warns', async () => {
    const lines = [bytes('Namn;Ort\n')]
    for (let index = 0; index < 20; index++) lines.push(bytes('Bo;Lule', [0xe5], '\n'))
    lines.push(bytes('Cia;Växjö\n'))
    const result = await read(Buffer.concat(lines), {headBytes: 64, chunkSize: 32})
    expect(result.info.encoding).toBe('windows-1252')
    expect(result.rows.at(-1)!.cells.Ort).toBe('Växjö')
    expect(result.rows[0]!.cells.Ort).toBe('Luleå')
    expect(result.issues).toEqual(['source.encoding-mixed@2'])
    expect(result.fileIssues[0]!.message).toContain('20 line(s)')
  })

  it.each([
    ['utf-8', bytes('Namn;Ort\nBo;Lule', [0xe5], '\n'), 'Lule\ufffd'],
    ['windows-1252', bytes('Namn;Ort\nBo;Luleå\n'), 'LuleÃ¥'],
    ['windows-1252', bytes([0xef, 0xbb, 0xbf], 'Namn;Ort\nBo;Lund\n'), 'Lund'],
  ] as const)('decodes as told by options.encoding %s, without detecting', async (encoding, content, expected) => {
    const result = await read(content, {encoding})
    expect(result.info.encoding).toBe(encoding)
    expect(result.info.encodingDetected).toBe(false)
    expect(result.rows[0]!.cells.Ort).toBe(expected)
  })

  it('keeps a multi-byte character whole when it is split across reads', async () => {
    const content = bytes('Namn;Ort\nÅsa;Umeå\nÖrjan;Skövde 😀\n')
    for (let chunkSize = 1; chunkSize <= 9; chunkSize++) {
      const result = await read(content, {chunkSize})
      expect(cellsOf(result)).toEqual([
        {Namn: 'Åsa', Ort: 'Umeå'},
        {Namn: 'Örjan', Ort: 'Skövde 😀'},
      ])
      expect(result.issues).toEqual([])
    }
  })
})

describe('delimiter', () => {
  it.each([';', ',', '\t', '|'])('sniffs %j', async (delimiter) => {
    const text = [
      ['Förnamn', 'Efternamn', 'Klass'],
      ['Åsa', 'Öberg', '7A'],
      ['Bo', 'Ek', '8B'],
    ]
      .map((row) => row.join(delimiter))
      .join('\n')
    const result = await read(text)
    expect(result.info.delimiter).toBe(delimiter)
    expect(result.info.delimiterDetected).toBe(true)
    expect(cellsOf(result)).toEqual([
      {Förnamn: 'Åsa', Efternamn: 'Öberg', Klass: '7A'},
      {Förnamn: 'Bo', Efternamn: 'Ek', Klass: '8B'},
    ])
  })

  it.each([
    [
      'semicolons with commas in every value',
      'Namn;Adress\nEk, Bo;Storgatan 1, Lund\nAx, Cia;Lilla vägen 2, Umeå\n',
      ';',
    ],
    ['commas, with semicolons inside quotes', 'Namn,Not\nBo,"a;b;c"\nCia,"d;e;f"\n', ','],
    ['one column with commas', 'Namn\n"Ek, Bo"\nAx\n', ';'],
    ['a title row above the header', 'Elevlista 2024\nNamn|Klass\nBo|7A\nCia|8B\n', '|'],
    ['Swedish decimals in a semicolon file', 'Namn;Betyg\nBo;3,5\nCia;4,0\nDan;2,5\n', ';'],
  ])('sniffs %s', (_name, text, expected) => {
    expect(sniffDelimiter(text)).toBe(expected)
  })

  it('honours a leading sep= line, which is neither data nor header, and counts it as a line', async () => {
    const result = await read('sep=,\r\nNamn,Klass\r\nEk; Bo,7A\r\n')
    expect(result.info.delimiter).toBe(',')
    expect(result.info.headerRow).toBe(2)
    expect(result.rows).toEqual([{line: 3, cells: {Namn: 'Ek; Bo', Klass: '7A'}}])
  })

  it.each([
    ['\t', '\t'],
    ['tab', '\t'],
    ['\\t', '\t'],
    [',', ','],
  ])('takes options.delimiter %j', async (given, delimiter) => {
    const result = await read(`Namn${delimiter}Ort;x\nBo${delimiter}Lund;y\n`, {delimiter: given})
    expect(result.info.delimiter).toBe(delimiter)
    expect(result.info.delimiterDetected).toBe(false)
    expect(cellsOf(result)).toEqual([{Namn: 'Bo', 'Ort;x': 'Lund;y'}])
  })

  it('prefers options.delimiter over a sep= line', async () => {
    const result = await read('sep=;\nA;B,C\n1;2,3\n', {delimiter: ','})
    expect(result.info.headers).toEqual(['A;B', 'C'])
    expect(result.rows).toEqual([{line: 3, cells: {'A;B': '1;2', C: '3'}}])
  })

  it('refuses a delimiter that cannot separate values', async () => {
    const file = await write('a;b\n')
    await expect(openCsv(file, {delimiter: ''})).rejects.toBeInstanceOf(UsageError)
    await expect(openCsv(file, {delimiter: '"'})).rejects.toBeInstanceOf(UsageError)
  })
})

describe('parsing', () => {
  it('reads quoted delimiters, doubled quotes and line breaks inside quotes, with the right lines after', async () => {
    const result = await read(
      'Namn;Kommentar;Klass\n' +
        'Bo;"Sa ""hej""; gick";7A\n' +
        'Cia;"rad ett\nrad två\r\nrad tre";8B\n' +
        'Dan;"";9C\n' +
        'Eva;"x\ry";9D\n' +
        'Filip;sista;6A\n',
    )
    expect(result.rows).toEqual([
      {line: 2, cells: {Namn: 'Bo', Kommentar: 'Sa "hej"; gick', Klass: '7A'}},
      {line: 3, cells: {Namn: 'Cia', Kommentar: 'rad ett\nrad två\r\nrad tre', Klass: '8B'}},
      {line: 6, cells: {Namn: 'Dan', Klass: '9C'}},
      {line: 7, cells: {Namn: 'Eva', Kommentar: 'x\ry', Klass: '9D'}},
      {line: 9, cells: {Namn: 'Filip', Kommentar: 'sista', Klass: '6A'}},
    ])
  })

  it.each([
    ['CRLF', '\r\n'],
    ['LF', '\n'],
    ['CR', '\r'],
  ])('reads %s line endings', async (_name, eol) => {
    const result = await read(['Rubrik', '', 'Namn;Klass', 'Bo;7A', '', 'Cia;8B', ''].join(eol))
    expect(result.info.headerRow).toBe(3)
    expect(result.rows).toEqual([
      {line: 4, cells: {Namn: 'Bo', Klass: '7A'}},
      {line: 6, cells: {Namn: 'Cia', Klass: '8B'}},
    ])
    expect(result.issues).toEqual(['source.blank-rows@5'])
  })

  it('reads a file that mixes line endings', async () => {
    const result = await read('Namn;Klass\r\nBo;7A\nCia;8B\rDan;9C\r\n')
    expect(result.rows.map((row) => [row.line, row.cells.Namn])).toEqual([
      [2, 'Bo'],
      [3, 'Cia'],
      [4, 'Dan'],
    ])
  })

  it('reads stray quotes as written', async () => {
    const result = await read('Namn;Skärm\nBo;"24" tum\nCia;15" tum\n')
    expect(cellsOf(result)).toEqual([
      {Namn: 'Bo', Skärm: '"24" tum'},
      {Namn: 'Cia', Skärm: '15" tum'},
    ])
    expect(result.issues).toEqual([])
  })

  it('opens a quote after spaces that follow the delimiter, as hand-written CSV has it', async () => {
    const result = await read('Namn, Ort\n"Ek, Bo", "Lund, Skåne"\n')
    expect(cellsOf(result)).toEqual([{Namn: 'Ek, Bo', Ort: 'Lund, Skåne'}])
  })

  it('trims whitespace and no-break spaces and composes decomposed characters (NFC)', async () => {
    const result = await read('  Namn\u00a0; Ort \n\u00a0 Bo \t;  A\u030angermanland\u00a0\n')
    expect(result.info.headers).toEqual(['Namn', 'Ort'])
    expect(result.info.rawHeaders).toEqual(['  Namn\u00a0', ' Ort '])
    expect(cellsOf(result)).toEqual([{Namn: 'Bo', Ort: 'Ångermanland'}])
    expect(result.rows[0]!.cells.Ort).toBe('\u00c5ngermanland')
  })

  it('delivers every record before a last record cut off inside a quote, and the cut-off one with an issue', async () => {
    const result = await read('Namn;Kommentar\nBo;ok\nCia;"börjar\nmen slutar aldrig')
    expect(result.rows).toEqual([
      {line: 2, cells: {Namn: 'Bo', Kommentar: 'ok'}},
      {line: 3, cells: {Namn: 'Cia', Kommentar: 'börjar\nmen slutar aldrig'}, issues: ['source.truncated']},
    ])
    expect(result.rowIssues[0]).toMatchObject({severity: 'error', source: {file: result.file, line: 3}})
    expect(result.rowIssues[0]!.message).toBe(
      'The file ends inside a quoted value that starts on line 3: the last record is cut off',
    )
  })

  it('names the line where the unclosed quote starts when earlier values span lines', async () => {
    const result = await read('A;B;C\n1;"x\ny";"open\n', {chunkSize: 4})
    expect(result.rows).toEqual([{line: 2, cells: {A: '1', B: 'x\ny', C: 'open'}, issues: ['source.truncated']}])
    expect(result.rowIssues[0]!.message).toContain('starts on line 3')
  })

  it('reports a cut-off record with nothing in it as a file issue', async () => {
    const result = await read('Namn;Klass\nBo;7A\n"')
    expect(result.rows).toEqual([{line: 2, cells: {Namn: 'Bo', Klass: '7A'}}])
    expect(result.issues).toEqual(['source.truncated@3'])
  })
})

describe('header', () => {
  it('skips title rows and blank rows above the header', async () => {
    const result = await read(
      ';;\nElevlista Exempelskolan;;\nUtskriven 2024-08-20;;\n\nFörnamn;Efternamn;Klass\nÅsa;Öberg;7A\n',
    )
    expect(result.info.headerRow).toBe(5)
    expect(result.info.headerDetected).toBe(true)
    expect(result.rows).toEqual([{line: 6, cells: {Förnamn: 'Åsa', Efternamn: 'Öberg', Klass: '7A'}}])
    expect(result.issues).toEqual([])
  })

  it('takes options.headerRow as the physical line of the header', async () => {
    const result = await read('Namn;Klass\nBo;7A\nFörnamn;Grupp\nCia;8B\n', {headerRow: 3})
    expect(result.info.headerRow).toBe(3)
    expect(result.info.headerDetected).toBe(false)
    expect(result.info.headers).toEqual(['Förnamn', 'Grupp'])
    expect(result.rows).toEqual([{line: 4, cells: {Förnamn: 'Cia', Grupp: '8B'}}])
  })

  it('counts a sep= line and quoted line breaks for options.headerRow, as info.headerRow does', async () => {
    const content = 'sep=;\n"Rubrik\növer två rader"\nNamn;Klass\nBo;7A\n'
    const detected = await read(content)
    expect(detected.info.headerRow).toBe(4)
    const given = await read(content, {headerRow: 4})
    expect(given.info.headerRow).toBe(4)
    expect(given.rows).toEqual(detected.rows)
    expect(given.rows).toEqual([{line: 5, cells: {Namn: 'Bo', Klass: '7A'}}])
    // Line 3 is inside the quoted title: the title record is the header then.
    expect((await read(content, {headerRow: 3})).info.headers).toEqual(['Rubrik\növer två rader'])
    // Line 1 is the sep= line: the first record is the header.
    expect((await read(content, {headerRow: 1})).info.headerRow).toBe(2)
  })

  it('refuses options.headerRow past the end of the file', async () => {
    const file = await write('Namn;Klass\nBo;7A\n')
    await expect(openCsv(file, {headerRow: 9})).rejects.toBeInstanceOf(UsageError)
    await expect(openCsv(file, {headerRow: 0})).rejects.toBeInstanceOf(UsageError)
  })

  it('skips options.skipRows records after the header', async () => {
    const result = await read('Namn;Klass\nTilltalsnamn;Klasskod\nBo;7A\nCia;8B\n', {skipRows: 1})
    expect(result.rows).toEqual([
      {line: 3, cells: {Namn: 'Bo', Klass: '7A'}},
      {line: 4, cells: {Namn: 'Cia', Klass: '8B'}},
    ])
  })

  it('names empty and repeated headers, and reports each', async () => {
    const result = await read('Namn;Klass;;Klass\nBo;7A;x;7B\n')
    expect(result.info.headers).toEqual(['Namn', 'Klass', 'Column_3', 'Klass_2'])
    expect(result.info.rawHeaders).toEqual(['Namn', 'Klass', '', 'Klass'])
    expect(cellsOf(result)).toEqual([{Namn: 'Bo', Klass: '7A', Column_3: 'x', Klass_2: '7B'}])
    expect(result.fileIssues.map((issue) => [issue.code, issue.source, issue.message])).toEqual([
      ['source.header-empty', {file: result.file, line: 1, column: 3}, 'Column 3 has no header; it is called Column_3'],
      [
        'source.header-duplicate',
        {file: result.file, line: 1, column: 4},
        'The header "Klass" appears more than once; column 4 is called Klass_2',
      ],
    ])
  })

  it('treats a header named __proto__ as a plain key', async () => {
    const file = await write('__proto__;constructor\nBo;7A\n')
    const opened = await openCsv(file)
    expect(opened.info.headers).toEqual(['__proto__', 'constructor'])
    const rows = []
    for await (const row of opened.rows) rows.push(row)
    expect(rows).toHaveLength(1)
    expect(Object.getPrototypeOf(rows[0]!.cells)).toBeNull()
    expect(Object.keys(rows[0]!.cells)).toEqual(['__proto__', 'constructor'])
    expect(rows[0]!.cells['__proto__']).toBe('Bo')
  })

  it.each([
    ['an empty file', ''],
    ['only blank lines', '\n  \n;;\n\r\n'],
    ['only a sep= line', 'sep=;\n'],
    ['only a BOM', bytes([0xef, 0xbb, 0xbf])],
  ])('reports %s as empty', async (_name, content) => {
    const result = await read(content)
    expect(result.info).toMatchObject({headerRow: 0, headers: [], rawHeaders: []})
    expect(result.rows).toEqual([])
    expect(result.issues).toEqual(['source.empty@-'])
  })

  it('reports a header without data rows', async () => {
    const result = await read('Namn;Klass\r\n\r\n')
    expect(result.info.headers).toEqual(['Namn', 'Klass'])
    expect(result.rows).toEqual([])
    expect(result.issues).toEqual(['source.blank-rows@2', 'source.header-only@1'])
  })
})

describe('rows', () => {
  it('flags ragged rows both ways, and lets trailing empty extra cells be', async () => {
    const result = await read('Namn;Klass;Ort\nBo;7A;Lund;;\nCia;8B;Umeå;x;\nDan;9C\n')
    expect(result.rows).toEqual([
      {line: 2, cells: {Namn: 'Bo', Klass: '7A', Ort: 'Lund'}},
      {line: 3, cells: {Namn: 'Cia', Klass: '8B', Ort: 'Umeå'}, issues: ['source.ragged-extra']},
      {line: 4, cells: {Namn: 'Dan', Klass: '9C'}, issues: ['source.ragged-short']},
    ])
    expect(result.rowIssues.map((issue) => [issue.severity, issue.source, issue.message])).toEqual([
      [
        'error',
        {file: result.file, line: 3, column: 4},
        'The row has 4 cells but the header has 3; the extra cells hold data that belongs to no column',
      ],
      [
        'warning',
        {file: result.file, line: 4},
        'The row has 2 cells but the header has 3; the missing cells are read as empty',
      ],
    ])
  })

  it('delivers a row whose only content is in extra cells', async () => {
    const result = await read('Namn;Klass\n;;x\n')
    expect(result.rows).toEqual([{line: 2, cells: {}, issues: ['source.ragged-extra']}])
  })

  it('skips blank rows and reports them once, with their lines', async () => {
    const lines = ['Namn;Klass', 'Bo;7A', '', ' ; ', ';;', 'Cia;8B']
    for (let index = 0; index < 10; index++) lines.push('')
    lines.push('Dan;9C')
    const result = await read(lines.join('\n'))
    expect(cellsOf(result).map((cells) => cells.Namn)).toEqual(['Bo', 'Cia', 'Dan'])
    expect(result.issues).toEqual(['source.blank-rows@3'])
    expect(result.fileIssues[0]!.message).toBe('13 blank row(s) skipped (lines 3, 4, 5, 7, 8, 9, 10, 11, 12, 13, …)')
  })

  it('puts no cell values in issue messages', async () => {
    const result = await read('Namn;Klass\n20010101-1234;7A;x\n')
    expect(JSON.stringify([result.fileIssues, result.rowIssues])).not.toContain('20010101')
  })

  it('gives the same rows and issues whatever the read size', async () => {
    const content = bytes(
      'sep=;\r\nElevlista\r\n\r\nNamn;Kommentar;Ort\r\n',
      'Åsa;"två\r\nrader";Umeå\r\n',
      '\r\n',
      'Bo;"a;b";V',
      [0xe4],
      'xj',
      [0xf6],
      '\r\n',
      'Cia;x;Lund;extra\r\n',
      'Dan;"öppen',
    )
    const expected = await read(content)
    expect(expected.rows.map((row) => row.line)).toEqual([5, 8, 9, 10])
    for (let chunkSize = 1; chunkSize <= 12; chunkSize++) {
      const result = await read(content, {chunkSize, headBytes: chunkSize * 3})
      expect(result.rows).toEqual(expected.rows)
      expect(result.issues).toEqual(expected.issues)
    }
  })

  it('stops reading when the caller stops iterating', async () => {
    const file = await write(`Namn;Klass\n${'Bo;7A\n'.repeat(5000)}`)
    const opened = await openCsv(file, {chunkSize: 256})
    let count = 0
    for await (const row of opened.rows) {
      expect(row.cells.Namn).toBe('Bo')
      if (++count === 3) break
    }
    expect(count).toBe(3)
    const again: unknown[] = []
    for await (const row of opened.rows) again.push(row)
    expect(again).toEqual([])
  })

  it('throws I/O errors as they are', async () => {
    await expect(openCsv(path.join(root, 'saknas.csv'))).rejects.toMatchObject({code: 'ENOENT'})
  })
})

describe('properties', () => {
  it('never throws for arbitrary bytes, and rows come in line order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({maxLength: 400}),
        fc.integer({min: 1, max: 64}),
        fc.constantFrom(undefined, ...SOURCE_ENCODINGS),
        fc.constantFrom(undefined, ';', ','),
        async (content, chunkSize, encoding, delimiter) => {
          const result = await read(content, {chunkSize, headBytes: 64, encoding, delimiter})
          const lines = result.rows.map((row) => row.line)
          expect(lines).toEqual([...lines].sort((a, b) => a - b))
          expect(new Set(lines).size).toBe(lines.length)
        },
      ),
      {numRuns: 150},
    )
  })

  it('never throws for arbitrary CSV-like text', async () => {
    const char = fc.constantFrom(';', ',', '\t', '|', '"', '\r', '\n', ' ', 'a', 'Å', '\u00a0', 's', 'e', 'p', '=')
    await fc.assert(
      fc.asyncProperty(
        fc.string({unit: char, maxLength: 200}),
        fc.integer({min: 1, max: 16}),
        async (text, chunkSize) => {
          const result = await read(text, {chunkSize})
          for (const row of result.rows) expect(row.line).toBeGreaterThanOrEqual(1)
        },
      ),
      {numRuns: 150},
    )
  })

  const DELIMITERS = [';', ',', '\t', '|'] as const
  /** A header name as detection takes it for one: text, not a number, and not Excel's `sep=` hint. */
  const headerName = (unit: fc.Arbitrary<string>) =>
    fc
      .string({unit, minLength: 1, maxLength: 12})
      .map((text) => normalizeCell(text))
      .filter((name): name is string => name !== undefined && /\p{L}/u.test(name) && !/^sep=/i.test(name))
  const cell = (unit: fc.Arbitrary<string>) =>
    fc
      .string({unit, minLength: 1, maxLength: 12})
      .map((text) => normalizeCell(text))
      .filter((value): value is string => value !== undefined)
  const table = (unit: fc.Arbitrary<string>) =>
    fc.integer({min: 1, max: 5}).chain((width) =>
      fc.record({
        header: fc.uniqueArray(headerName(unit), {minLength: width, maxLength: width}),
        rows: fc.array(fc.array(cell(unit), {minLength: width, maxLength: width}), {minLength: 1, maxLength: 8}),
      }),
    )
  /** Characters that make CSV interesting, and any other character now and then. */
  const interesting = (delimiter: string, others: string) =>
    fc.oneof(
      {weight: 3, arbitrary: fc.constantFrom(delimiter, '"', '\r', '\n', ' ', 'a', 'Ö', 'e\u0301', '1')},
      {
        weight: 2,
        arbitrary: fc.string({unit: 'binary', minLength: 1, maxLength: 1}).filter((char) => !others.includes(char)),
      },
    )

  /** The physical line each data row starts on: one per record, plus its line breaks inside quotes. */
  function expectedLines(header: string[], rows: string[][]): number[] {
    const breaks = (values: string[]) => values.join('').match(/\r\n|\r|\n/g)?.length ?? 0
    let line = 2 + breaks(header)
    return rows.map((row) => {
      const start = line
      line += 1 + breaks(row)
      return start
    })
  }

  it.each(DELIMITERS)('round-trips csv-stringify output with the %j delimiter sniffed', async (delimiter) => {
    const others = DELIMITERS.filter((candidate) => candidate !== delimiter).join('')
    await fc.assert(
      fc.asyncProperty(table(interesting(delimiter, others)), async ({header, rows}) => {
        const result = await read(stringify([header, ...rows], {delimiter}))
        expect(result.info.headers).toEqual(header)
        expect(result.rows.map((row) => row.cells)).toEqual(
          rows.map((row) => Object.fromEntries(header.map((name, index) => [name, row[index]]))),
        )
        expect(result.rows.map((row) => row.line)).toEqual(expectedLines(header, rows))
        expect(result.issues).toEqual([])
        if (header.length > 1) expect(result.info.delimiter).toBe(delimiter)
      }),
      {numRuns: 60},
    )
  })

  it.each(DELIMITERS)('round-trips any text with the %j delimiter given', async (delimiter) => {
    await fc.assert(
      fc.asyncProperty(table(interesting(delimiter, '')), fc.integer({min: 1, max: 32}), async (data, chunkSize) => {
        const {header, rows} = data
        const result = await read(stringify([header, ...rows], {delimiter}), {delimiter, chunkSize})
        expect(result.info.headers).toEqual(header)
        expect(result.rows.map((row) => row.cells)).toEqual(
          rows.map((row) => Object.fromEntries(header.map((name, index) => [name, row[index]]))),
        )
        expect(result.rows.map((row) => row.line)).toEqual(expectedLines(header, rows))
      }),
      {numRuns: 60},
    )
  })
})

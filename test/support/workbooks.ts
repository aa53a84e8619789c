import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {crc32, deflateRawSync} from 'node:zlib'

import ExcelJS from 'exceljs'

/**
 * Fixture workbooks for the Excel reader, built in a temporary directory at test time so that no binary is committed:
 * with exceljs for ordinary workbooks, and from hand-written XML parts for what exceljs cannot write (inline rich text,
 * namespace prefixes, ISO date cells, a zip whose directory lies about its sizes). Every person in them is made up.
 */

/** A temporary directory for one test file's fixtures; `cleanup` removes it. */
export interface FixtureDir {
  dir: string
  /** A path inside the directory. */
  path(name: string): string
  cleanup(): Promise<void>
}

/** Creates a fresh temporary directory for fixtures. */
export async function fixtureDir(prefix = 'ss12000-xlsx-'): Promise<FixtureDir> {
  const dir = await mkdtemp(join(tmpdir(), prefix))
  return {dir, path: (name) => join(dir, name), cleanup: () => rm(dir, {recursive: true, force: true})}
}

/** Writes a workbook that `build` fills in (exceljs's in-memory writer, which also writes `<dimension>`). */
export async function writeWorkbook(file: string, build: (workbook: ExcelJS.Workbook) => void): Promise<string> {
  const workbook = new ExcelJS.Workbook()
  build(workbook)
  await workbook.xlsx.writeFile(file)
  return file
}

/** Writes a one-sheet workbook from rows of cell values (`null` leaves a cell empty). */
export async function writeRows(file: string, rows: readonly (readonly ExcelJS.CellValue[])[], sheet = 'Elever') {
  return writeWorkbook(file, (workbook) => {
    const worksheet = workbook.addWorksheet(sheet)
    for (const row of rows) worksheet.addRow([...row])
  })
}

/** Writes a one-sheet workbook with exceljs's streaming writer, which leaves out `<dimension>`. */
export async function writeRowsStreaming(file: string, rows: Iterable<readonly ExcelJS.CellValue[]>, sheet = 'Elever') {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({filename: file, useSharedStrings: true})
  const worksheet = workbook.addWorksheet(sheet)
  for (const row of rows) worksheet.addRow([...row]).commit()
  await workbook.commit()
  return file
}

/** One file of a zip archive; `declaredSize` makes the directory lie about what it expands to. */
export interface ZipPart {
  name: string
  data: string | Buffer
  /** Store instead of deflate. */
  stored?: boolean
  declaredSize?: number
}

/** Writes a zip archive (local headers, central directory, end record) from parts. */
export async function writeZip(file: string, parts: readonly ZipPart[]): Promise<string> {
  const chunks: Buffer[] = []
  const directory: Buffer[] = []
  let offset = 0
  for (const part of parts) {
    const raw = typeof part.data === 'string' ? Buffer.from(part.data, 'utf8') : part.data
    const data = part.stored ? raw : deflateRawSync(raw)
    const method = part.stored ? 0 : 8
    const name = Buffer.from(part.name, 'utf8')
    const size = part.declaredSize ?? raw.length
    const crc = crc32(raw)
    const local = Buffer.alloc(30)
    local.writeUInt32LE(0x04034b50, 0)
    local.writeUInt16LE(20, 4)
    local.writeUInt16LE(0x0800, 6)
    local.writeUInt16LE(method, 8)
    local.writeUInt32LE(crc, 14)
    local.writeUInt32LE(data.length, 18)
    local.writeUInt32LE(size, 22)
    local.writeUInt16LE(name.length, 26)
    const central = Buffer.alloc(46)
    central.writeUInt32LE(0x02014b50, 0)
    central.writeUInt16LE(20, 4)
    central.writeUInt16LE(20, 6)
    central.writeUInt16LE(0x0800, 8)
    central.writeUInt16LE(method, 10)
    central.writeUInt32LE(crc, 16)
    central.writeUInt32LE(data.length, 20)
    central.writeUInt32LE(size, 24)
    central.writeUInt16LE(name.length, 28)
    central.writeUInt32LE(offset, 42)
    chunks.push(local, name, data)
    directory.push(central, name)
    offset += local.length + name.length + data.length
  }
  const directoryBytes = Buffer.concat(directory)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(parts.length, 8)
  end.writeUInt16LE(parts.length, 10)
  end.writeUInt32LE(directoryBytes.length, 12)
  end.writeUInt32LE(offset, 16)
  await writeFile(file, Buffer.concat([...chunks, directoryBytes, end]))
  return file
}

const MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main'
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships'

/** The parts of a hand-written workbook: each sheet's `<sheetData>…` body and optional other parts. */
export interface RawWorkbook {
  /** Sheet name → the XML inside `<worksheet>` (usually `<sheetData>…</sheetData>`, maybe `<mergeCells>`). */
  sheets: Record<string, string>
  /** The `<si>` items of the shared string table, as XML. */
  sharedStrings?: string[]
  /** The XML inside `<styleSheet>`. */
  styles?: string
  /** Attributes of `<workbookPr>`, e.g. `date1904="1"`. */
  workbookPr?: string
  /** Wraps each sheet as written: override to add namespace prefixes or a byte order mark. */
  sheetDocument?: (body: string) => string | Buffer
}

/** Writes a workbook from hand-written XML parts, for what exceljs cannot produce. */
export async function writeRawWorkbook(file: string, book: RawWorkbook): Promise<string> {
  const names = Object.keys(book.sheets)
  const document =
    book.sheetDocument ??
    ((body: string) => `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="${MAIN}">${body}</worksheet>`)
  const parts: ZipPart[] = [
    {
      name: '_rels/.rels',
      data: `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
    },
    {
      name: 'xl/_rels/workbook.xml.rels',
      data:
        `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
        names
          .map(
            (_, index) =>
              `<Relationship Id="rId${index + 1}" Type="${REL}/worksheet" Target="worksheets/sheet${index + 1}.xml"/>`,
          )
          .join('') +
        `<Relationship Id="rIdS" Type="${REL}/sharedStrings" Target="sharedStrings.xml"/>` +
        `<Relationship Id="rIdT" Type="${REL}/styles" Target="/xl/styles.xml"/></Relationships>`,
    },
    {
      name: 'xl/workbook.xml',
      data:
        `<?xml version="1.0"?><workbook xmlns="${MAIN}" xmlns:r="${REL}"><workbookPr ${book.workbookPr ?? ''}/><sheets>` +
        names.map((name, index) => `<sheet name="${name}" sheetId="${index + 1}" r:id="rId${index + 1}"/>`).join('') +
        '</sheets></workbook>',
    },
    {
      name: 'xl/sharedStrings.xml',
      data: `<?xml version="1.0"?><sst xmlns="${MAIN}">${(book.sharedStrings ?? []).join('')}</sst>`,
    },
    {name: 'xl/styles.xml', data: `<?xml version="1.0"?><styleSheet xmlns="${MAIN}">${book.styles ?? ''}</styleSheet>`},
    ...names.map((name, index) => ({name: `xl/worksheets/sheet${index + 1}.xml`, data: document(book.sheets[name]!)})),
  ]
  return writeZip(file, parts)
}

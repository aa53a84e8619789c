/**
 * The workbook around the sheets: which part is the workbook, its sheets and their parts (through the
 * relationships), its date system, the number style of each cell format, and the shared string table.
 */
import {posix} from 'node:path'

import {InvalidDataError} from '../../errors.js'
import {builtInStyle, formatStyle, type NumberStyle} from './cell-text.js'
import {attributesOf, decodeXml, MAX_PENDING, unescapeOoxml, xmlLineEnds} from './xml.js'
import {damagedPart, entryString, entryText, SAVE_AS_XLSX, type Zip, type ZipEntry} from './zip.js'

/** A worksheet of the workbook (chart and macro sheets are left out). */
export interface BookSheet {
  name: string
  visible: boolean
  entry: ZipEntry
}

/** What reading any sheet of the workbook needs. */
export interface Book {
  file: string
  sheets: BookSheet[]
  strings: string[]
  /** Number style by cell format (`s` attribute) index. */
  styles: NumberStyle[]
  date1904: boolean
}

/**
 * Reads the workbook's parts other than the sheets: the workbook, its relationships, the styles and the shared
 * strings.
 *
 * @throws InvalidDataError when the zip holds no .xlsx workbook (an .xlsb, an .ods, a Word document, …).
 */
export async function readBook(zip: Zip): Promise<Book> {
  const rootRels = zip.entries.get('_rels/.rels')
  let workbookPath = 'xl/workbook.xml'
  if (rootRels !== undefined) {
    const office = relationships(await entryString(zip, rootRels), '').find((rel) =>
      rel.type.endsWith('/officeDocument'),
    )
    if (office !== undefined) workbookPath = office.target
  }
  if (workbookPath.toLowerCase().endsWith('.bin')) {
    throw new InvalidDataError(`${zip.file} is an Excel binary workbook (.xlsb), which the toolkit cannot read.`, {
      actions: [SAVE_AS_XLSX],
    })
  }
  const workbookEntry = zip.entries.get(workbookPath.toLowerCase())
  if (workbookEntry === undefined) {
    const what = zip.entries.has('mimetype')
      ? 'an OpenDocument file (.ods) renamed'
      : zip.entries.has('word/document.xml')
        ? 'a Word document'
        : 'a zip archive without an Excel workbook in it'
    throw new InvalidDataError(`${zip.file} is not an Excel .xlsx workbook: it is ${what}.`, {actions: [SAVE_AS_XLSX]})
  }
  const baseDir = posix.dirname(workbookPath)
  const relsEntry = zip.entries.get(`${baseDir}/_rels/${posix.basename(workbookPath)}.rels`.toLowerCase())
  const rels = relsEntry === undefined ? [] : relationships(await entryString(zip, relsEntry), baseDir)
  const byId = new Map(rels.map((rel) => [rel.id, rel]))
  const workbookXml = await entryString(zip, workbookEntry)
  const properties = tagsOf(workbookXml, 'workbookPr')[0]
  const date1904 = properties?.date1904 === '1' || properties?.date1904 === 'true'

  const sheets: BookSheet[] = []
  for (const attributes of tagsOf(workbookXml, 'sheet')) {
    const idKey = Object.keys(attributes).find((key) => key === 'id' || key.endsWith(':id'))
    const rel = idKey === undefined ? undefined : byId.get(attributes[idKey]!)
    // Chart sheets, dialog sheets and macro sheets hold no cells.
    if (rel === undefined || !rel.type.endsWith('/worksheet')) continue
    const entry = zip.entries.get(rel.target.toLowerCase())
    if (entry === undefined) continue
    const state = attributes.state ?? 'visible'
    sheets.push({name: attributes.name ?? `Sheet${sheets.length + 1}`, visible: state === 'visible', entry})
  }

  const stringsRel = rels.find((rel) => rel.type.endsWith('/sharedStrings'))
  const stringsEntry = zip.entries.get((stringsRel?.target ?? `${baseDir}/sharedStrings.xml`).toLowerCase())
  const stylesRel = rels.find((rel) => rel.type.endsWith('/styles'))
  const stylesEntry = zip.entries.get((stylesRel?.target ?? `${baseDir}/styles.xml`).toLowerCase())
  const strings = stringsEntry === undefined ? [] : await readSharedStrings(zip, stringsEntry)
  const styles = stylesEntry === undefined ? [] : readStyles(await entryString(zip, stylesEntry))
  return {file: zip.file, sheets, strings, styles, date1904}
}

interface Relationship {
  id: string
  type: string
  target: string
}

function relationships(xml: string, baseDir: string): Relationship[] {
  const result: Relationship[] = []
  for (const attributes of tagsOf(xml, 'Relationship')) {
    const {Id: id, Type: type, Target: target} = attributes
    if (id === undefined || type === undefined || target === undefined || attributes.TargetMode === 'External') continue
    let path = target
    try {
      path = decodeURI(target)
    } catch {
      // keep it as written
    }
    path = path.startsWith('/') ? path.slice(1) : posix.normalize(posix.join(baseDir, path))
    result.push({id, type, target: path})
  }
  return result
}

/** The attributes of every element with this local name, in a small part read whole. */
function tagsOf(xml: string, name: string): Array<Record<string, string>> {
  const pattern = new RegExp(`<(?:[\\w.-]+:)?${name}(?=[\\s/>])([^>]*)>`, 'g')
  return [...xml.matchAll(pattern)].map((match) => attributesOf(match[1]!))
}

/** The number style of each cell format: `cellXfs` lists them, `numFmts` defines the custom format codes. */
function readStyles(xml: string): NumberStyle[] {
  const formats = new Map<number, string>()
  // Only `<numFmts>`: the `numFmt`s inside `<dxfs>` belong to conditional formats and may reuse ids.
  for (const attributes of tagsOf(section(xml, 'numFmts'), 'numFmt')) {
    const id = Number(attributes.numFmtId)
    if (Number.isInteger(id) && attributes.formatCode !== undefined) formats.set(id, attributes.formatCode)
  }
  const cache = new Map<number, NumberStyle>()
  return tagsOf(section(xml, 'cellXfs'), 'xf').map((attributes) => {
    const id = Number(attributes.numFmtId ?? 0) || 0
    let style = cache.get(id)
    if (style === undefined) {
      const code = formats.get(id)
      style = code === undefined ? builtInStyle(id) : formatStyle(code)
      cache.set(id, style)
    }
    return style
  })
}

/** The text of the first element with this local name, tags included; empty when there is none. */
function section(xml: string, name: string): string {
  const start = new RegExp(`<(?:[\\w.-]+:)?${name}[\\s>]`).exec(xml)
  if (!start) return ''
  const end = new RegExp(`</(?:[\\w.-]+:)?${name}>`).exec(xml.slice(start.index))
  return xml.slice(start.index, end ? start.index + end.index : xml.length)
}

const TEXT_RUN = /<(?:[\w.-]+:)?t(?:\s[^>]*)?>([\s\S]*?)<\/(?:[\w.-]+:)?t>/g
const PHONETIC = /<(?:[\w.-]+:)?rPh[\s>][\s\S]*?<\/(?:[\w.-]+:)?rPh>/g

/**
 * The shared string table, streamed: each `<si>` is plain or rich text (runs concatenated); phonetic guides (`rPh`)
 * are not part of the text. It is held in memory for the whole read, as every reader of the format must: its size
 * grows with the number of distinct strings in the workbook.
 */
async function readSharedStrings(zip: Zip, entry: ZipEntry): Promise<string[]> {
  const strings: string[] = []
  let pending = ''
  let open = ''
  let close = ''
  for await (const text of entryText(zip, entry)) {
    const s = pending + text
    let at = 0
    if (open === '') {
      // The element's spelling (`si` or `x:si`), found once, so that items are found with indexOf.
      const first = /<([\w.-]+:)?si[\s/>]/.exec(s)
      if (first === null) {
        pending = s.slice(Math.max(0, s.length - 64))
        continue
      }
      open = `<${first[1] ?? ''}si`
      close = `</${first[1] ?? ''}si>`
      at = first.index
    }
    for (;;) {
      const start = s.indexOf(open, at)
      if (start < 0) {
        at = s.length
        break
      }
      const gt = s.indexOf('>', start)
      if (gt < 0) {
        at = start
        break
      }
      if (s.charCodeAt(gt - 1) === 47 /* / */) {
        strings.push('')
        at = gt + 1
        continue
      }
      const end = s.indexOf(close, gt)
      if (end < 0) {
        at = start
        break
      }
      strings.push(stringItem(s.slice(gt + 1, end)))
      at = end + close.length
    }
    pending = s.slice(at)
    if (pending.length > MAX_PENDING) throw damagedPart(zip.file, 'the shared strings')
  }
  return strings
}

function stringItem(inner: string): string {
  let text = ''
  const second = inner.indexOf('<', 1)
  if (second >= 0 && second === inner.lastIndexOf('<') && inner.charCodeAt(second + 1) === 47) {
    // The usual item, one `<t>` element: no regular expression needed.
    text = inner.slice(inner.indexOf('>') + 1, second)
  } else {
    const content = inner.includes('rPh') ? inner.replace(PHONETIC, '') : inner
    for (const match of content.matchAll(TEXT_RUN)) text += match[1]
  }
  text = xmlLineEnds(text)
  if (text.includes('<![CDATA[')) {
    text = text.replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, (_, data: string) =>
      data.replaceAll('&', '&amp;').replaceAll('<', '&lt;'),
    )
  }
  return unescapeOoxml(decodeXml(text))
}

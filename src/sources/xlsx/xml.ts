/** The XML text helpers the workbook parts and the sheet tokenizer share. */

/** The most unparsed text a tokenizer may carry from one chunk to the next. */
export const MAX_PENDING = 8 * 1024 ** 2

const ENTITY = /&(?:#(\d+)|#[xX]([0-9a-fA-F]+)|(lt|gt|amp|quot|apos));/g
const NAMED: Record<string, string> = {lt: '<', gt: '>', amp: '&', quot: '"', apos: "'"}

/** Decodes the character and predefined entity references of XML text or an attribute value. */
export function decodeXml(text: string): string {
  if (!text.includes('&')) return text
  return text.replace(ENTITY, (whole, decimal?: string, hex?: string, name?: string) => {
    if (name !== undefined) return NAMED[name]!
    const code = decimal !== undefined ? Number(decimal) : parseInt(hex!, 16)
    return code > 0x10ffff ? whole : String.fromCodePoint(code)
  })
}

/** XML reads a line break written as CR LF or a lone CR as LF (XML 1.0, 2.11); `&#13;` stays a CR. */
export function xmlLineEnds(text: string): string {
  return text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text
}

/** OOXML escapes characters XML cannot hold as `_xHHHH_` (a carriage return is `_x000D_`). */
export function unescapeOoxml(text: string): string {
  if (!text.includes('_x')) return text
  return text.replace(/_x([0-9A-Fa-f]{4})_/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
}

/** The attributes in the text of a start tag (after its name), by name as written, values decoded. */
export function attributesOf(text: string): Record<string, string> {
  const attributes: Record<string, string> = Object.create(null)
  for (const match of text.matchAll(/([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
    attributes[match[1]!] = decodeXml(match[2] ?? match[3] ?? '')
  }
  return attributes
}

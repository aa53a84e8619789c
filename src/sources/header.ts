const NON_ASCII = /[^\t\n\r\u0020-\u007e]/

/**
 * A cell value as the toolkit sees it: surrounding whitespace (no-break spaces included) trimmed, Unicode NFC,
 * and empty → undefined. ASCII is already NFC, so only other text pays for normalising.
 */
export function normalizeCell(raw: string): string | undefined {
  const trimmed = raw.trim()
  if (trimmed === '') return undefined
  return NON_ASCII.test(trimmed) ? trimmed.normalize('NFC') : trimmed
}

/** A header the reader renamed, for an issue. */
export interface HeaderRename {
  /** 1-based column. */
  column: number
  kind: 'empty' | 'duplicate'
  /** The header as written (trimmed). */
  original: string
  /** The name the column goes by. */
  name: string
}

/**
 * Header names as rows will use them: normalised like cells, empty ones named `Column_<n>`, repeats numbered
 * (`Klass`, `Klass_2`) without clashing with another header that already has that name.
 */
export function normalizeHeaders(raw: readonly string[]): {headers: string[]; renames: HeaderRename[]} {
  const trimmed = raw.map((cell) => normalizeCell(cell) ?? '')
  const taken = new Set(trimmed.filter((name) => name !== ''))
  const used = new Set<string>()
  const renames: HeaderRename[] = []
  const headers = trimmed.map((original, index) => {
    const column = index + 1
    if (original === '') {
      const name = freeName(`Column_${column}`, taken, used)
      renames.push({column, kind: 'empty', original, name})
      return name
    }
    if (used.has(original)) {
      const name = freeName(original, taken, used)
      renames.push({column, kind: 'duplicate', original, name})
      return name
    }
    used.add(original)
    return original
  })
  return {headers, renames}
}

function freeName(base: string, taken: Set<string>, used: Set<string>): string {
  let name = base
  for (let n = 2; used.has(name) || (name !== base && taken.has(name)) || (name === base && used.has(base)); n++) {
    name = `${base}_${n}`
  }
  used.add(name)
  return name
}

const NUMBER_LIKE = /^[-+]?[\d\s.,:/%-]+$/

/**
 * Which of the first rows of a file is its header (0-based index into `rows`), skipping title rows, dates and
 * blank rows above it: the first row whose filled cells are mostly text (not numbers or dates), that has at least
 * two filled cells, and that fills at least half as many cells as the rows under it typically do. A file whose rows
 * have one column takes its first non-blank row. -1 when every row is blank.
 */
export function detectHeaderRow(rows: readonly (readonly string[])[]): number {
  const filled = rows.map((row) => row.filter((cell) => normalizeCell(cell) !== undefined))
  const firstNonBlank = filled.findIndex((cells) => cells.length > 0)
  if (firstNonBlank < 0) return -1
  for (let index = firstNonBlank; index < rows.length; index++) {
    const cells = filled[index]!
    if (cells.length < 2) continue
    const below = filled
      .slice(index + 1, index + 21)
      .map((row) => row.length)
      .filter((count) => count > 0)
    const typical = below.length > 0 ? median(below) : cells.length
    const texty = cells.filter((cell) => !NUMBER_LIKE.test(cell.trim())).length
    if (cells.length * 2 >= typical && texty >= 0.8 * cells.length) return index
  }
  return firstNonBlank
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

/** A row's values keyed by header, normalised, empty cells left out. */
export function cellsOf(headers: readonly string[], values: readonly string[]): Record<string, string> {
  const cells: Record<string, string> = Object.create(null)
  const count = Math.min(headers.length, values.length)
  for (let index = 0; index < count; index++) {
    const value = normalizeCell(values[index]!)
    if (value !== undefined) cells[headers[index]!] = value
  }
  return cells
}

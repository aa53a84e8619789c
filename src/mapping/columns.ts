import type {CompiledColumn} from './template.js'

/** A header as compared with a template's aliases: case, spaces, dashes, underscores and dots do not matter. */
export function normalizeHeader(header: string): string {
  return header
    .normalize('NFC')
    .toLowerCase()
    .replace(/[\s_.-]+/g, '')
}

/**
 * Where a template input's columns are among a file's headers: column key → 0-based index. A column is found by its
 * first alias the file has; when two headers compare equal, the first one counts. Columns the file lacks are absent.
 */
export function findColumns(
  columns: ReadonlyArray<Pick<CompiledColumn, 'key' | 'headers'>>,
  headers: readonly string[],
): Map<string, number> {
  const byName = new Map<string, number>()
  headers.forEach((header, index) => {
    const key = normalizeHeader(header)
    if (!byName.has(key)) byName.set(key, index)
  })
  const found = new Map<string, number>()
  for (const column of columns) {
    const index = column.headers.map((alias) => byName.get(normalizeHeader(alias))).find((at) => at !== undefined)
    if (index !== undefined) found.set(column.key, index)
  }
  return found
}

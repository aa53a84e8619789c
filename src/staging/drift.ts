/**
 * Schema drift: how the legacy export a template reads has changed since the last batch staged with that template —
 * a column gone or found under another header, headers new to the file, codes a crosswalked column never had. Staged
 * convert output carries what it read (report.json's files: headers, columns, domains); staging compares.
 */

/** What convert read from one file (the part of report.json's `files` entries drift needs). */
export interface InputRead {
  input: string
  headers: string[]
  columns: Record<string, string | null>
  domains: Record<string, {values: string[]; truncated?: true}>
}

export type DriftKind =
  'input-missing' | 'input-new' | 'column-missing' | 'column-renamed' | 'header-gone' | 'header-new' | 'new-values'

export interface DriftWarning {
  kind: DriftKind
  input: string
  /** The template column, for column and value warnings. */
  column?: string
  /** The headers or values concerned. */
  before?: string[]
  after?: string[]
  message: string
}

/** How many new values a warning names before it says "and N more". */
const SHOWN_VALUES = 10

/** The drift between the inputs of a previous batch and the inputs now, input by input, in template order. */
export function compareInputs(previous: InputRead[], now: InputRead[], since: number): DriftWarning[] {
  const before = byInput(previous)
  const after = byInput(now)
  const warnings: DriftWarning[] = []
  const batch = `batch ${since}`
  for (const [input, old] of before) {
    const current = after.get(input)
    if (current === undefined) {
      warnings.push({
        kind: 'input-missing',
        input,
        message: `${input}: no file was read for this input; ${batch} had one.`,
      })
      continue
    }
    for (const [column, header] of Object.entries(old.columns)) {
      const found = current.columns[column]
      if (header === null || found === undefined) continue
      if (found === null) {
        warnings.push({
          kind: 'column-missing',
          input,
          column,
          before: [header],
          message: `${input}: column ${column} is missing; ${batch} found it under "${header}".`,
        })
      } else if (found !== header) {
        warnings.push({
          kind: 'column-renamed',
          input,
          column,
          before: [header],
          after: [found],
          message: `${input}: column ${column} is now found under "${found}"; ${batch} found it under "${header}".`,
        })
      }
    }
    const mapped = new Set(Object.values(current.columns).filter((header) => header !== null))
    const gone = old.headers.filter((header) => !current.headers.includes(header) && !mapped.has(header))
    const renamedFrom = new Set(
      Object.entries(old.columns).flatMap(([column, header]) =>
        header !== null && current.columns[column] !== header ? [header] : [],
      ),
    )
    const unexplained = gone.filter((header) => !renamedFrom.has(header))
    if (unexplained.length > 0) {
      warnings.push({
        kind: 'header-gone',
        input,
        before: unexplained,
        message: `${input}: ${quoteList(unexplained)} ${unexplained.length === 1 ? 'is' : 'are'} gone from the file, which ${batch} had (the template does not use ${unexplained.length === 1 ? 'it' : 'them'}).`,
      })
    }
    const added = current.headers.filter((header) => !old.headers.includes(header) && !mapped.has(header))
    if (added.length > 0) {
      warnings.push({
        kind: 'header-new',
        input,
        after: added,
        message: `${input}: ${quoteList(added)} ${added.length === 1 ? 'is' : 'are'} new in the file since ${batch} (the template does not use ${added.length === 1 ? 'it' : 'them'}).`,
      })
    }
    for (const [column, domain] of Object.entries(current.domains)) {
      const known = old.domains[column]
      if (known === undefined) continue
      const seen = new Set(known.values)
      const fresh = domain.values.filter((value) => !seen.has(value))
      if (fresh.length === 0) continue
      const shown = fresh.slice(0, SHOWN_VALUES)
      const more = fresh.length > shown.length ? ` and ${fresh.length - shown.length} more` : ''
      warnings.push({
        kind: 'new-values',
        input,
        column,
        after: fresh,
        message: `${input}: column ${column} has ${fresh.length === 1 ? 'a value' : 'values'} that ${batch} did not: ${quoteList(shown)}${more}; check that the crosswalk maps ${fresh.length === 1 ? 'it' : 'them'} as you mean.`,
      })
    }
  }
  for (const input of after.keys()) {
    if (!before.has(input)) {
      warnings.push({
        kind: 'input-new',
        input,
        message: `${input}: a file was read for this input; ${batch} had none.`,
      })
    }
  }
  return warnings
}

/** Files of one input taken together: headers and domains joined, the columns as the first file found them. */
function byInput(files: InputRead[]): Map<string, InputRead> {
  const inputs = new Map<string, InputRead>()
  for (const file of files) {
    const known = inputs.get(file.input)
    if (known === undefined) {
      inputs.set(file.input, {
        input: file.input,
        headers: [...file.headers],
        columns: {...file.columns},
        domains: Object.fromEntries(
          Object.entries(file.domains).map(([key, domain]) => [key, {values: [...domain.values]}]),
        ),
      })
      continue
    }
    for (const header of file.headers) if (!known.headers.includes(header)) known.headers.push(header)
    for (const [column, header] of Object.entries(file.columns))
      if (known.columns[column] == null) known.columns[column] = header
    for (const [key, domain] of Object.entries(file.domains)) {
      const values = new Set([...(known.domains[key]?.values ?? []), ...domain.values])
      known.domains[key] = {values: [...values].sort()}
    }
  }
  return inputs
}

function quoteList(values: string[]): string {
  return values.map((value) => `"${value}"`).join(', ')
}

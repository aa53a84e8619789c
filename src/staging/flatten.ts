/**
 * Flattening SS 12000 records into rows for people who work in Excel: one column per leaf path, lists joined into one
 * cell. Pure; the export writes CSV and XLSX from it.
 *
 * - A leaf path names the keys from the record down to a value, joined by dots, with list levels left out:
 *   `civicNo.value`, `emails.value`, `enrolments.enroledAt.id`.
 * - A list of values (`eduPersonPrincipalNames`) is one cell, its items joined with `; `.
 * - A list of objects (`emails`) gives one column per leaf under it; each cell holds one entry per item, in item order,
 *   joined with `; `, so that the n-th entry of `emails.value` and of `emails.type` belong to the same email. An item
 *   without the leaf leaves its entry empty (`Skola elev; `); a column no item of the record has is an empty cell.
 * - Lists inside list items (a study plan's content → syllabuses) are joined with `, ` within their item, so the outer
 *   `; ` still separates the outer items.
 * - null, absent fields and empty lists are empty cells.
 */

/** A cell: text, or a number or boolean as the record holds it (a joined list is always text). */
export type FlatValue = string | number | boolean

/** What separates the items of a list in a cell: top-level lists, and lists inside list items. */
export const LIST_SEPARATOR = '; '
export const NESTED_LIST_SEPARATOR = ', '

export interface FlattenOptions {
  /** Replaces a leaf value before lists are joined (masking); `path` is its column. */
  leaf?: (path: string, value: FlatValue) => FlatValue
}

/**
 * One record as cells by column (leaf path), the columns in the order the record holds them.
 * @param record a parsed SS 12000 record.
 */
export function flattenRecord(record: unknown, options: FlattenOptions = {}): Map<string, FlatValue> {
  const cells = new Map<string, FlatValue>()
  flattenInto(record, '', 0, cells, options)
  return cells
}

function flattenInto(
  value: unknown,
  path: string,
  depth: number,
  cells: Map<string, FlatValue>,
  options: FlattenOptions,
) {
  if (value === null || value === undefined) return
  if (Array.isArray(value)) {
    const items = value.map((item) => {
      const itemCells = new Map<string, FlatValue>()
      flattenInto(item, path, depth + 1, itemCells, options)
      return itemCells
    })
    const columns = new Set<string>()
    for (const itemCells of items) for (const column of itemCells.keys()) columns.add(column)
    const separator = depth === 0 ? LIST_SEPARATOR : NESTED_LIST_SEPARATOR
    for (const column of columns) {
      cells.set(column, items.map((itemCells) => cellText(itemCells.get(column))).join(separator))
    }
    return
  }
  if (typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      flattenInto(child, path === '' ? key : `${path}.${key}`, depth, cells, options)
    }
    return
  }
  const leaf = typeof value === 'number' || typeof value === 'boolean' ? value : String(value)
  cells.set(path, options.leaf ? options.leaf(path, leaf) : leaf)
}

/** A cell's text: numbers as JavaScript writes them, booleans as true/false, nothing as ''. */
export function cellText(value: FlatValue | undefined): string {
  return value === undefined ? '' : String(value)
}

/** The fields of an object schema in the order the schema lists them, and the schema of each. */
export interface FieldOrder {
  /** The position of a field among its siblings, or undefined for a field the schema does not know. */
  position(field: string): number | undefined
  /** The order under a field (through lists and references), if the schema describes it. */
  child(field: string): FieldOrder | undefined
}

/** A JSON Schema as far as ordering needs it. */
export interface OrderingSchema {
  properties?: Record<string, OrderingSchema>
  items?: OrderingSchema
  $ref?: string
}

/**
 * The field order of a JSON Schema: properties in the order the schema lists them, lists by their items, and `$ref`s
 * resolved with `resolve`.
 */
export function schemaFieldOrder(
  schema: OrderingSchema,
  resolve: (ref: string) => OrderingSchema | undefined,
): FieldOrder {
  const object = unwrap(schema, resolve)
  const fields = Object.keys(object?.properties ?? {})
  return {
    position: (field) => {
      const index = fields.indexOf(field)
      return index < 0 ? undefined : index
    },
    child: (field) => {
      const property = object?.properties?.[field]
      return property === undefined ? undefined : schemaFieldOrder(property, resolve)
    },
  }
}

function unwrap(
  schema: OrderingSchema,
  resolve: (ref: string) => OrderingSchema | undefined,
): OrderingSchema | undefined {
  let current: OrderingSchema | undefined = schema
  // A bound on the walk keeps a reference cycle in a broken schema from hanging the export.
  for (let step = 0; current !== undefined && step < 16; step++) {
    if (current.$ref !== undefined) current = resolve(current.$ref)
    else if (current.items !== undefined) current = current.items
    else return current
  }
  return current
}

/**
 * Orders columns: `id` first, then as the schema lists the fields, level by level, so a field's columns stay together
 * (`civicNo.value`, `civicNo.nationality`); fields the schema does not know come after the known ones of their level,
 * in alphabetical order (an `id` comes first at every level). Without a schema, every level is alphabetical after
 * `id`. The order depends only on the set of columns, never on the order records came in.
 */
export function orderColumns(columns: Iterable<string>, order?: FieldOrder): string[] {
  const split = new Map<string, string[]>()
  for (const column of columns) split.set(column, column.split('.'))
  return [...split.keys()].sort((a, b) => compareSegments(split.get(a)!, split.get(b)!, order))
}

function compareSegments(a: string[], b: string[], order: FieldOrder | undefined): number {
  let level = order
  for (let index = 0; index < Math.min(a.length, b.length); index++) {
    const left = a[index]!
    const right = b[index]!
    if (left === right) {
      level = level?.child(left)
      continue
    }
    return compareFields(left, right, level)
  }
  return a.length - b.length
}

/** Two different fields of one object: `id` first, then the schema's order, then unknown fields alphabetically. */
function compareFields(left: string, right: string, level: FieldOrder | undefined): number {
  if (left === 'id' || right === 'id') return left === 'id' ? -1 : 1
  const leftPosition = level?.position(left)
  const rightPosition = level?.position(right)
  if (leftPosition !== undefined && rightPosition !== undefined) return leftPosition - rightPosition
  if (leftPosition !== undefined) return -1
  if (rightPosition !== undefined) return 1
  return left < right ? -1 : left > right ? 1 : 0
}

/**
 * A record with the keys of every object in the same order as the columns (`id` first, then the schema's order,
 * unknown fields last, alphabetically); list items keep their order. Staging keeps keys sorted, which reads badly and
 * puts a list like Activity's `groups` before `id`, where a reader may take the record for an ingest body.
 */
export function orderFields(value: unknown, order?: FieldOrder): unknown {
  if (Array.isArray(value)) return value.map((item) => orderFields(item, order))
  if (value === null || typeof value !== 'object') return value
  const object = value as Record<string, unknown>
  const keys = Object.keys(object).sort((left, right) => compareFields(left, right, order))
  return Object.fromEntries(keys.map((key) => [key, orderFields(object[key], order?.child(key))]))
}

/**
 * The columns of a table, gathered from records as they stream past (the first of an export's two passes), so that
 * only the set of column names is held, never the records.
 */
export class ColumnCollector {
  private readonly seen = new Set<string>()
  private count = 0

  add(cells: Map<string, FlatValue>): void {
    this.count++
    for (const column of cells.keys()) this.seen.add(column)
  }

  /** How many records were added. */
  get records(): number {
    return this.count
  }

  /** The columns in table order (see `orderColumns`); `id` is always there. */
  columns(order?: FieldOrder): string[] {
    return orderColumns(new Set(['id', ...this.seen]), order)
  }
}

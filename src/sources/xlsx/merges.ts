/** Merged cells: their ranges, and the filling of every cell of a range with the value of its top-left cell. */
import {columnNumber} from './cell-ref.js'
import type {ParsedRow} from './sheet-parser.js'

/** A merged range, by its 1-based edges. */
export interface Merge {
  top: number
  left: number
  bottom: number
  right: number
}

/**
 * Fills merged ranges as a person reads them: the value of a range's top-left cell belongs to every cell of the
 * range, across columns and down rows (a class code merged down beside its 25 students is every student's class). A
 * merged header therefore names every column it spans; the copies become duplicates (`Vårdnadshavare`,
 * `Vårdnadshavare_2`), which keeps the link to the header text, where empty headers (`Column_5`) would lose it. In
 * data rows, copies are not made into columns beyond the header, so a wide merge does not look like a ragged row.
 */
export class MergeFiller {
  private readonly merges: Merge[]
  private next = 0
  private active: Array<{merge: Merge; value: string}> = []

  constructor(merges: readonly Merge[]) {
    this.merges = [...merges].sort((a, b) => a.top - b.top || a.left - b.left)
  }

  apply(row: ParsedRow, limit: number): void {
    if (this.merges.length === 0) return
    const line = row.line
    if (this.active.length > 0) this.active = this.active.filter((entry) => entry.merge.bottom >= line)
    while (this.next < this.merges.length && this.merges[this.next]!.top <= line) {
      const merge = this.merges[this.next++]!
      if (merge.top !== line) continue
      const k = row.cols.indexOf(merge.left)
      const value = k < 0 ? undefined : row.values[k]
      if (value !== undefined && value !== '') this.active.push({merge, value})
    }
    for (const {merge, value} of this.active) {
      const right = Math.min(merge.right, limit)
      for (let column = merge.left; column <= right; column++) {
        if ((line === merge.top && column === merge.left) || row.cols.includes(column)) continue
        row.cols.push(column)
        row.values.push(value)
      }
    }
  }
}

/** A `<mergeCell ref>` (`A1:C2`) as a range; undefined when it is no range of two cells. */
export function parseRange(ref: string): Merge | undefined {
  const match = /^\$?([A-Za-z]{1,3})\$?(\d+)(?::\$?([A-Za-z]{1,3})\$?(\d+))?$/.exec(ref.trim())
  if (!match || match[3] === undefined || match[4] === undefined) return undefined
  const [left, right] = [columnNumber(match[1]!), columnNumber(match[3])]
  const [top, bottom] = [Number(match[2]), Number(match[4])]
  return {
    top: Math.min(top, bottom),
    left: Math.min(left, right),
    bottom: Math.max(top, bottom),
    right: Math.max(left, right),
  }
}

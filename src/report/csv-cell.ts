/** A lone dash or a plain negative number (-12, -1,5): Excel shows it as it is, it computes nothing. */
const PLAIN_NEGATIVE = /^-(?:\d+(?:[.,]\d+)?)?$/

/** A CSV cell as Excel reads it: quoted when needed, and never taken for a formula. */
export function csvCell(value: string, delimiter = ';'): string {
  // A leading =, +, - or @ makes Excel evaluate the cell, and OWASP adds tab and CR; a quote mark before it keeps it
  // text (CSV injection). A plain negative number stays a number, but `-2+3+cmd|…` is guarded.
  const guarded =
    /^[=+@\t\r]/.test(value) || (value.startsWith('-') && !PLAIN_NEGATIVE.test(value)) ? `'${value}` : value
  return guarded.includes(delimiter) || /["\r\n]/.test(guarded) ? `"${guarded.replaceAll('"', '""')}"` : guarded
}

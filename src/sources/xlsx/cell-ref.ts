/** Column letters of A1-style cell references, both ways. */

/** The column of a cell reference like `AB12` (1-based); 0 when it has no letters. */
export function columnOfRef(s: string, from: number, to: number): number {
  let column = 0
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i) | 32
    if (c < 97 || c > 122) break
    column = column * 26 + (c - 96)
  }
  return column
}

/** The column of its letters alone: `A` → `1`, `AB` → `28`. */
export function columnNumber(letters: string): number {
  return columnOfRef(letters, 0, letters.length)
}

/** `1` → `A`, `28` → `AB`. */
export function columnLetters(column: number): string {
  let letters = ''
  for (let n = column; n > 0; n = Math.floor((n - 1) / 26)) letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters
  return letters
}

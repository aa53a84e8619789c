/** Case-, accent- and space-insensitive form of a word, for "did you mean" suggestions. */
function fold(value: string): string {
  return value
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[\s_-]+/g, '')
    .toLowerCase()
}

function editDistance(a: string, b: string): number {
  const previous = Array.from({length: b.length + 1}, (_, index) => index)
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0]!
    previous[0] = i
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j]!
      previous[j] = Math.min(above + 1, previous[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1))
      diagonal = above
    }
  }
  return previous[b.length]!
}

/**
 * The candidate the user most likely meant: an exact match after folding case, accents and spaces (`larare` →
 * `Lärare`), else the closest within a small edit distance. Undefined when nothing is close.
 */
export function closestMatch(value: string, candidates: readonly string[]): string | undefined {
  const folded = fold(value)
  const exact = candidates.find((candidate) => fold(candidate) === folded)
  if (exact !== undefined) return exact
  const limit = Math.min(3, Math.floor(folded.length / 3))
  let best: {candidate: string; distance: number} | undefined
  for (const candidate of candidates) {
    const distance = editDistance(folded, fold(candidate))
    if (distance <= limit && (!best || distance < best.distance)) best = {candidate, distance}
  }
  return best?.candidate
}

/**
 * The deviations from the standard the client tolerates, each reported once: never silently, never a flood.
 * The key says what counts as "the same" deviation: its kind, plus the collection where that matters.
 */
export class Deviations {
  private readonly seen = new Set<string>()
  private readonly reported: string[] = []

  constructor(private readonly warn: (message: string) => void) {}

  /** Reports `message` unless a deviation with this key was reported before. */
  report(key: string, message: () => string): void {
    if (this.seen.has(key)) return
    this.seen.add(key)
    const text = message()
    this.reported.push(text)
    this.warn(text)
  }

  /** Every warning given so far, in order (for a command's summary or `--json` result). */
  get messages(): readonly string[] {
    return this.reported
  }
}

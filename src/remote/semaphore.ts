/** A counting semaphore: at most `size` holders at once, the others served in the order they asked. */
export class Semaphore {
  private active = 0
  private readonly waiting: Array<() => void> = []

  constructor(private readonly size: number) {
    if (!Number.isInteger(size) || size < 1)
      throw new RangeError(`Semaphore size must be a positive integer, got ${size}`)
  }

  /** Waits for a slot; the function it resolves to gives the slot back (calling it again does nothing). */
  async acquire(): Promise<() => void> {
    if (this.active < this.size) this.active++
    // A released slot passes straight to the next waiter, so `active` stays as it is.
    else await new Promise<void>((resolve) => this.waiting.push(resolve))
    let released = false
    return () => {
      if (released) return
      released = true
      const next = this.waiting.shift()
      if (next) next()
      else this.active--
    }
  }
}

/**
 * An async iterator that hands out items from batches. Readers produce a chunk's worth of items at a time because
 * every step through an async generator costs promise ticks: per item, that would cost several times the work of
 * finding and parsing it. Subclasses say how to get the next batch and how to let go of the source.
 */
export abstract class BatchedIterator<T> implements AsyncIterator<T> {
  private batch: T[] = []
  private position = 0
  private refilling: Promise<IteratorResult<T>> | undefined

  /** The next batch of items: an empty one means "nothing yet, ask again"; undefined means the end. */
  protected abstract nextBatch(): Promise<T[] | undefined>

  /** Lets go of the source (closes the file) when the consumer stops before the end. */
  protected abstract close(): Promise<void> | void

  next(): Promise<IteratorResult<T>> {
    if (this.refilling !== undefined) return this.refilling.then(() => this.next())
    if (this.position < this.batch.length) return Promise.resolve({value: this.batch[this.position++]!, done: false})
    this.refilling = this.refill().finally(() => {
      this.refilling = undefined
    })
    return this.refilling
  }

  async return(): Promise<IteratorResult<T>> {
    this.batch = []
    this.position = 0
    await this.close()
    return {value: undefined, done: true}
  }

  private async refill(): Promise<IteratorResult<T>> {
    for (;;) {
      const batch = await this.nextBatch()
      if (batch === undefined) {
        this.batch = []
        this.position = 0
        return {value: undefined, done: true}
      }
      if (batch.length > 0) {
        this.batch = batch
        this.position = 1
        return {value: batch[0]!, done: false}
      }
    }
  }
}

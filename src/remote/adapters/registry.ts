import {UsageError} from '../../errors.js'
import type {WriteAdapter} from './adapter.js'
import {SkolverketIngestAdapter, type WriteClient} from './skolverket-ingest.js'

/** The write adapters by the name `--adapter` gives, the default first. */
const ADAPTERS: Record<string, (client: WriteClient) => WriteAdapter> = {
  'skolverket-ingest': (client) => new SkolverketIngestAdapter(client),
}

/** The adapter used when none is named. */
export const DEFAULT_WRITE_ADAPTER = 'skolverket-ingest'

/** The names `createWriteAdapter` knows. */
export const WRITE_ADAPTER_NAMES: readonly string[] = Object.keys(ADAPTERS)

/**
 * The write adapter `name` stands for (the default when undefined), writing through `client`.
 * @throws UsageError for a name it does not know, listing the ones it does.
 */
export function createWriteAdapter(name: string | undefined, client: WriteClient): WriteAdapter {
  const wanted = name ?? DEFAULT_WRITE_ADAPTER
  const create = Object.hasOwn(ADAPTERS, wanted) ? ADAPTERS[wanted] : undefined
  if (create === undefined) {
    throw new UsageError(`There is no write adapter '${wanted}'.`, {
      actions: [`Known adapters: ${WRITE_ADAPTER_NAMES.join(', ')} (the default is ${DEFAULT_WRITE_ADAPTER}).`],
    })
  }
  return create(client)
}

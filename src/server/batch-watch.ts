import type {EntityName} from '../schema/entity-names.js'
import type {StagingDatabase} from '../staging/database.js'
import type {SubscriptionNotifier} from './subscriptions.js'

/**
 * Tells subscribers of every batch that lands in the served scope, whoever wrote it: the ingest API, or `ss12000
 * stage` in another process. It checks the database's `data_version` (which moves when another connection commits)
 * every `intervalMs`, and for the batches completed since it last looked notifies the types they changed and the
 * types they removed records of. Returns the function that stops it.
 */
export function watchBatches(
  db: StagingDatabase,
  scope: string,
  notifier: SubscriptionNotifier,
  intervalMs = 1000,
): () => void {
  const latest = db.prepare(`SELECT COALESCE(MAX(id), 0) FROM batch WHERE scope = ? AND status = 'complete'`).pluck()
  const changes = db.prepare(
    `SELECT r.entity, MAX(r.json IS NOT NULL) AS changed, MAX(r.json IS NULL) AS removed
     FROM record r JOIN batch b ON b.id = r.batch
     WHERE b.scope = ? AND b.status = 'complete' AND b.id > ? AND b.id <= ?
     GROUP BY r.entity`,
  )
  // A plain SELECT, not db.pragma(): it may run while a page stream has a query open on this connection.
  const dataVersion = db.prepare('SELECT data_version FROM pragma_data_version').pluck()
  let seen = latest.get(scope) as number
  let version = dataVersion.get() as number
  const check = () => {
    const now = dataVersion.get() as number
    if (now === version) return
    version = now
    const last = latest.get(scope) as number
    if (last === seen) return
    const rows = changes.all(scope, seen, last) as Array<{entity: EntityName; changed: number; removed: number}>
    seen = last
    const changed = rows.filter((row) => row.changed).map((row) => row.entity)
    const removed = rows.filter((row) => row.removed).map((row) => row.entity)
    if (changed.length > 0) notifier.notify({modified: changed, deleted: false})
    if (removed.length > 0) notifier.notify({modified: removed, deleted: true})
  }
  const timer = setInterval(() => {
    try {
      check()
    } catch {
      // The database is busy or closing: the next tick looks again.
    }
  }, intervalMs)
  timer.unref()
  return () => clearInterval(timer)
}

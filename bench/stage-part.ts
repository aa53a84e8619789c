/**
 * One half of what `ss12000 stage` does, alone in its own process, for the stage bench's memory breakdown:
 * `validate` reads and validates every record as the stage service's pass 1 does (and keeps the engine to the end,
 * as pass 2 needs it); `write` reads every record and writes it through BatchWriter as pass 2 does, without the
 * engine. Prints `{"records": n, "maxRssMiB": m}` on stdout.
 *
 *   node --import tsx bench/stage-part.ts validate|write <input folder> <database>
 */
import {entityFromName} from '../src/schema/entity-names.js'
import {readJsonInput} from '../src/sources/json-input.js'
import {BatchWriter} from '../src/staging/batches.js'
import {openStagingDatabase} from '../src/staging/database.js'
import {ValidationEngine} from '../src/validation/engine.js'

const [part, input, dbPath] = process.argv.slice(2)
if ((part !== 'validate' && part !== 'write') || input === undefined || dbPath === undefined) {
  throw new Error('usage: stage-part.ts validate|write <input folder> <database>')
}

let records = 0
if (part === 'validate') {
  const engine = new ValidationEngine({
    profile: 'ss12000-2020',
    mode: 'payload',
    reveal: false,
    allowExternalRefs: false,
  })
  let invalid = 0
  for await (const event of readJsonInput([input])) {
    if (event.kind !== 'item' || event.entityHint === undefined) continue
    const file = event.file
    const outcome = engine.validateRecord({
      entity: event.entityHint,
      value: event.value,
      source: {file, line: event.position.line, column: event.position.column},
      locate: (pointer) => ({file, ...event.locate(pointer)}),
    })
    if (!outcome.valid) invalid++
    records++
  }
  invalid += engine.finish().length
  if (invalid > 0) throw new Error(`bench data is invalid: ${invalid} issues`)
  // The stage service asks the engine which records are invalid all through pass 2: it stays alive until then.
  if (engine.isInvalid(records - 1)) throw new Error('bench data is invalid')
} else {
  const db = openStagingDatabase(dbPath)
  const writer = BatchWriter.begin(db, {
    kind: 'import',
    scope: 'bench',
    partial: false,
    files: [],
    now: () => '2026-11-27T10:00:00+01:00',
  })
  for await (const event of readJsonInput([input])) {
    if (event.kind !== 'item') continue
    const entity = (event.bodyKey === undefined ? undefined : entityFromName(event.bodyKey)) ?? event.entityHint
    const id = (event.value as {id?: unknown} | null)?.id
    if (entity === undefined || typeof id !== 'string') continue
    writer.add({entity, id, value: event.value, file: event.file, line: event.position.line})
    records++
  }
  writer.commit()
  db.close()
}
console.log(JSON.stringify({records, maxRssMiB: process.resourceUsage().maxRSS / 1024}))

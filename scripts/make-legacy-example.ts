/**
 * Regenerates the bundled legacy-export example, examples/legacy, from a fixed seed:
 *
 *   npx tsx scripts/make-legacy-example.ts
 *
 * The files come from test/support/legacy-export.ts with LEGACY_EXAMPLE_OPTIONS: a fictional export from a Swedish
 * school administration system (elever.csv, personal.csv, grupper.csv, gruppmedlemmar.csv; Windows-1252, `;`, CRLF).
 * test/unit/support/legacy-export.test.ts regenerates it in memory and compares it with the committed files byte for
 * byte, so change the generator or the options, run this, and commit the output.
 */
import {readdir, rm} from 'node:fs/promises'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {LEGACY_EXAMPLE_OPTIONS, LEGACY_FILE_NAMES, writeLegacyExport} from '../test/support/legacy-export.js'

/** Where the example lives, relative to this script. */
const EXAMPLE_DIR = fileURLToPath(new URL('../examples/legacy/', import.meta.url))

// Remove files the export no longer has, so the directory matches it exactly.
const expected = new Set<string>(LEGACY_FILE_NAMES)
for (const file of await readdir(EXAMPLE_DIR).catch(() => [])) {
  if (!expected.has(file)) await rm(join(EXAMPLE_DIR, file), {force: true})
}
const rows = await writeLegacyExport(EXAMPLE_DIR, LEGACY_EXAMPLE_OPTIONS)
for (const file of LEGACY_FILE_NAMES) console.log(`wrote ${join(EXAMPLE_DIR, file)} (${rows[file]} rows)`)

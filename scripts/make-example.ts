/**
 * Regenerates the bundled example dataset, examples/ss12000, from a fixed seed:
 *
 *   npx tsx scripts/make-example.ts
 *
 * The data comes from test/support/fictional.ts with EXAMPLE_DATASET_OPTIONS; test/unit/examples.test.ts regenerates it
 * in memory and compares it with the committed files, so change the options there, run this, and commit the output.
 * The dataset is validated under every profile first, and nothing is written if any issue is found.
 */
import {rm} from 'node:fs/promises'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {PROFILE_NAMES} from '../src/schema/profiles.js'
import {
  DATASET_COLLECTIONS,
  EXAMPLE_DATASET_OPTIONS,
  generateDataset,
  validateDataset,
  writeDataset,
} from '../test/support/fictional.js'

/** Where the example lives, relative to this script. */
const EXAMPLE_DIR = fileURLToPath(new URL('../examples/ss12000/', import.meta.url))

const dataset = generateDataset(EXAMPLE_DATASET_OPTIONS)
for (const profile of PROFILE_NAMES) {
  const issues = validateDataset(dataset, profile)
  if (issues.length > 0) {
    const sample = issues
      .slice(0, 5)
      .map((issue) => `  ${issue.severity} ${issue.code} ${issue.field ?? ''}: ${issue.message}`)
    throw new Error(
      `the example does not validate clean under ${profile} (${issues.length} issues):\n${sample.join('\n')}`,
    )
  }
}

// Remove collections the dataset no longer has (e.g. syllabuses.json), so the directory matches it exactly.
for (const {key, file} of DATASET_COLLECTIONS) {
  if (dataset[key] === undefined) await rm(join(EXAMPLE_DIR, file), {force: true})
}
const written = await writeDataset(EXAMPLE_DIR, dataset)
for (const path of written) console.log(`wrote ${path}`)
const counts = DATASET_COLLECTIONS.flatMap(({key}) => (dataset[key] ? [`${dataset[key].length} ${key}`] : []))
console.log(`examples/ss12000: ${counts.join(', ')}`)

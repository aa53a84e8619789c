/**
 * Regenerates the transform table in README.md's mapping-file reference from the transform registry:
 *
 *   npx tsx scripts/readme-transforms.ts   (part of `npm run readme`)
 */
import {readFile, writeFile} from 'node:fs/promises'
import {fileURLToPath} from 'node:url'

import {updateTransformReference} from '../src/report/transform-reference.js'

const README = fileURLToPath(new URL('../README.md', import.meta.url))
await writeFile(README, updateTransformReference(await readFile(README, 'utf8')))

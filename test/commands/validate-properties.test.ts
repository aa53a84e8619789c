import {writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import fc from 'fast-check'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {ENTITY_NAMES, ENTITY_NAMING} from '../../src/schema/entity-names.js'
import {validate} from '../../src/services/validate.js'
import {makeTempDir, runCli, stackTraceLines} from '../support/cli.js'

let temp: {dir: string; cleanup: () => Promise<void>}
beforeAll(async () => {
  temp = await makeTempDir('ss12000-prop-')
})
afterAll(async () => {
  await temp.cleanup()
})

const options = {
  profile: 'ss12000-2020',
  mode: 'payload',
  reveal: false,
  allowExternalRefs: false,
  keepAllIssues: true,
} as const
const fileNames = fc.constantFrom('persons.json', 'groups.ndjson', 'export.json', 'activities.jsonl')

describe('validate never crashes on arbitrary input', () => {
  it('arbitrary bytes: the service settles with issues, counts reconcile', async () => {
    let run = 0
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({maxLength: 400}), fileNames, async (bytes, name) => {
        const path = join(temp.dir, `bytes-${run++}-${name}`)
        await writeFile(path, bytes)
        const result = await validate({...options, paths: [path]})
        const {totals} = result
        expect(totals.records).toBe(totals.valid + totals.invalid + totals.skipped)
        expect(result.valid).toBe(totals.errors === 0)
      }),
      {numRuns: 300},
    )
  })

  it('arbitrary JSON in every entity position: the service settles', async () => {
    let run = 0
    const entityFile = fc.constantFrom(...ENTITY_NAMES.map((entity) => `${ENTITY_NAMING[entity].collection}.json`))
    await fc.assert(
      fc.asyncProperty(fc.array(fc.jsonValue({maxDepth: 4}), {maxLength: 6}), entityFile, async (values, name) => {
        const path = join(temp.dir, `json-${run++}-${name}`)
        await writeFile(path, JSON.stringify(values))
        const result = await validate({...options, paths: [path]})
        expect(result.totals.records).toBe(values.length)
      }),
      {numRuns: 300},
    )
  })

  it('arbitrary bytes through the command: exit 0 or 3, never a stack trace', async () => {
    const samples = fc.sample(fc.uint8Array({minLength: 1, maxLength: 200}), {numRuns: 8, seed: 12000})
    for (const [index, bytes] of samples.entries()) {
      const path = join(temp.dir, `cli-${index}-persons.json`)
      await writeFile(path, bytes)
      const {exitCode, stdout, stderr} = await runCli(['validate', path])
      expect([0, 3]).toContain(exitCode)
      expect(stackTraceLines(stdout + stderr)).toEqual([])
    }
  })
})

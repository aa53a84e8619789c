/**
 * Golden outputs of the shipped templates: each template's example, converted with the fixed test configuration
 * (test/fixtures/convert/ss12000.config.yaml), must give exactly the files in templates/<name>/expected/.
 *
 * Every output file is compared byte for byte. report.json is first normalised the way scripts/update-golden.ts
 * wrote it (normaliseReport): the template's and input files' paths are made relative to the repository root (they
 * already are when the tests run from the root), and an `outDir`, should the report carry one, becomes the template's
 * expected/ folder (the run here writes into a temporary folder). Nothing else is changed.
 *
 * After a deliberate change to a template, an example or the engine: `npx tsx scripts/update-golden.ts`, read the
 * diff of templates/<name>/expected/, and commit it.
 */
import {existsSync} from 'node:fs'
import {mkdtemp, readdir, readFile, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {convertExample, exampleDir, expectedDir, readOutputs, REPO_ROOT} from '../../../scripts/update-golden.js'
import {shippedTemplateNames} from '../../../src/mapping/load.js'
import type {ConvertResult} from '../../../src/services/convert.js'
import {validate} from '../../../src/services/validate.js'

const TEMPLATES = shippedTemplateNames()

/** Every file of a folder by name, as bytes. */
async function readAll(dir: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>()
  for (const name of (await readdir(dir)).sort()) files.set(name, await readFile(join(dir, name)))
  return files
}

it('ships the templates that have golden outputs', () => {
  expect(TEMPLATES).toEqual(expect.arrayContaining(['oneroster-1.1', 'sds-v1', 'se-generic']))
})

describe.each(TEMPLATES)('shipped template %s', (template) => {
  let outDir: string
  let result: ConvertResult

  beforeAll(async () => {
    outDir = await mkdtemp(join(tmpdir(), `ss12000-golden-${template}-`))
    result = await convertExample(template, outDir)
  })

  afterAll(async () => {
    await rm(outDir, {recursive: true, force: true})
  })

  it('has an example and golden outputs', () => {
    expect(existsSync(join(REPO_ROOT, exampleDir(template))), `${exampleDir(template)} is missing`).toBe(true)
    expect(existsSync(join(REPO_ROOT, expectedDir(template))), `${expectedDir(template)} is missing`).toBe(true)
  })

  it('converts its example into exactly the golden files', async () => {
    const actual = await readOutputs(outDir, template)
    const expected = await readOutputs(join(REPO_ROOT, expectedDir(template)), template)
    expect([...actual.keys()]).toEqual([...expected.keys()])
    expect([...actual.keys()]).toEqual(expect.arrayContaining([...result.outputs].sort()))
    for (const [name, text] of actual) {
      // Byte for byte (text is the UTF-8 the files hold); toBe shows a readable diff when they differ.
      expect(Buffer.from(text, 'utf8').equals(Buffer.from(expected.get(name)!, 'utf8')), name).toBe(true)
      expect(text, name).toBe(expected.get(name))
    }
  })

  it('accounts for every row and rejects none', () => {
    const {rows, accepted, rejected, skipped, errors} = result.totals
    expect(rows).toBeGreaterThan(0)
    expect(rows).toBe(accepted + rejected + skipped)
    expect(rejected).toBe(0)
    expect(errors).toBe(0)
    expect(result.valid).toBe(true)
    expect(result.written).toBe(true)
    for (const file of result.files) expect(file.rows, file.file).toBe(file.accepted + file.rejected + file.skipped)
  })

  it('writes output that validates as SS 12000:2020', async () => {
    const validated = await validate({
      paths: [outDir],
      profile: 'ss12000-2020',
      mode: 'payload',
      reveal: false,
      allowExternalRefs: false,
      keepAllIssues: true,
    })
    expect(validated.issues?.filter((issue) => issue.severity === 'error') ?? []).toEqual([])
    expect(validated.totals.errors).toBe(0)
    expect(validated.valid).toBe(true)
    expect(validated.totals.records).toBeGreaterThan(0)
  })

  it('gives byte-identical files when run twice', async () => {
    const first = await readAll(outDir)
    await convertExample(template, outDir)
    const second = await readAll(outDir)
    expect([...second.keys()]).toEqual([...first.keys()])
    for (const [name, bytes] of first) expect(second.get(name)?.equals(bytes), name).toBe(true)
  })
})

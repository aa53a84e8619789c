import {copyFile, readFile} from 'node:fs/promises'
import {execFile} from 'node:child_process'
import {join} from 'node:path'
import {promisify} from 'node:util'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {updateTransformReference} from '../../src/report/transform-reference.js'
import {makeTempDir, REPO_ROOT} from '../support/cli.js'

const run = promisify(execFile)

let temp: {dir: string; cleanup: () => Promise<void>}
beforeAll(async () => {
  temp = await makeTempDir('ss12000-readme-')
})
afterAll(async () => {
  await temp.cleanup()
})

describe('README', () => {
  it('has a current command reference (regenerate with npm run readme)', async () => {
    const copy = join(temp.dir, 'README.md')
    await copyFile(join(REPO_ROOT, 'README.md'), copy)
    const oclif = join(REPO_ROOT, 'node_modules', 'oclif', 'bin', 'run.js')
    await run(process.execPath, [oclif, 'readme', '--no-aliases', '--readme-path', copy], {cwd: REPO_ROOT})
    expect(await readFile(copy, 'utf8')).toBe(await readFile(join(REPO_ROOT, 'README.md'), 'utf8'))
  })

  it('starts with the two commands a newcomer runs', async () => {
    const readme = await readFile(join(REPO_ROOT, 'README.md'), 'utf8')
    const blocks = [...readme.matchAll(/```sh\n(.+?)\n```/g)].map((match) => match[1])
    expect(blocks.slice(0, 2)).toEqual(['npm ci && npm run demo', 'npm test'])
  })
})

describe('README mapping-file reference', () => {
  it('lists every transform as the registry describes it (regenerate with npm run readme)', async () => {
    const readme = await readFile(join(REPO_ROOT, 'README.md'), 'utf8')
    expect(updateTransformReference(readme)).toBe(readme)
  })
})

import {readFile, stat} from 'node:fs/promises'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {parseConfig} from '../../src/config/config.js'
import type {InitResult} from '../../src/services/init.js'
import {makeTempDir, runCli, stackTraceLines} from '../support/cli.js'

let temp: {dir: string; cleanup: () => Promise<void>}
beforeAll(async () => {
  temp = await makeTempDir('ss12000-init-')
})
afterAll(async () => {
  await temp.cleanup()
})

const base = [
  'init',
  '--organisation-name',
  'Exempelby kommun',
  '--term-start',
  '2026-08-17',
  '--term-end',
  '2027-06-11',
]

describe('ss12000 init', () => {
  it('writes a valid, private, commented configuration and never prints the secret', async () => {
    const {stdout, exitCode} = await runCli([...base, '--organisation-number', '212000-0142', '--json'], {
      cwd: temp.dir,
    })
    expect(exitCode).toBe(0)
    const result = JSON.parse(stdout) as InitResult
    const path = join(temp.dir, 'ss12000.config.yaml')
    expect(result).toMatchObject({
      path,
      overwritten: false,
      organisation: {name: 'Exempelby kommun', organisationNumber: '212000-0142'},
      term: {start: '2026-08-17', end: '2027-06-11'},
      schoolTypes: ['GR'],
    })
    expect((await stat(path)).mode & 0o777).toBe(0o600)
    const text = await readFile(path, 'utf8')
    const config = parseConfig(text, path, {})
    expect(config.ids.namespace).toBe(result.namespace)
    expect(config.ids.secret).toMatch(/^[0-9a-f]{64}$/)
    expect(stdout).not.toContain(config.ids.secret!)
    expect(text).toContain('# Namespace of the deterministic ids')
  })

  it('refuses to overwrite, and replaces with --force (new keys)', async () => {
    const path = join(temp.dir, 'again.yaml')
    expect((await runCli([...base, '--config', path])).exitCode).toBe(0)
    const first = await readFile(path, 'utf8')
    const refused = await runCli([...base, '--config', path])
    expect(refused.exitCode).toBe(2)
    expect(refused.stderr).toContain('already exists')
    expect(await readFile(path, 'utf8')).toBe(first)
    const forced = await runCli([...base, '--config', path, '--force'])
    expect(forced.exitCode).toBe(0)
    expect(forced.stdout).toContain('Replaced')
    expect(await readFile(path, 'utf8')).not.toBe(first)
  })

  it.each([
    {name: 'no organisation name', args: ['init'], message: /Missing required flag organisation-name/},
    {
      name: 'a bad organisationsnummer',
      args: [...base, '--organisation-number', '212000-0143'],
      message: /not a valid organisationsnummer/,
    },
    {
      name: 'an impossible term date',
      args: ['init', '--organisation-name', 'A', '--term-start', '2026-02-30'],
      message: /--term-start 2026-02-30 is not a date/,
    },
    {
      name: 'an upside-down term',
      args: ['init', '--organisation-name', 'A', '--term-start', '2026-08-17', '--term-end', '2026-06-01'],
      message: /ends \(2026-06-01\) before it starts/,
    },
  ])('exits 2 for $name and writes nothing', async ({args, message}) => {
    const path = join(temp.dir, `bad-${args.length}-${String(message).length}.yaml`)
    const {exitCode, stderr} = await runCli([...args, '--config', path])
    expect(exitCode).toBe(2)
    expect(stderr).toMatch(message)
    expect(stackTraceLines(stderr)).toEqual([])
    await expect(stat(path)).rejects.toThrow()
  })
})

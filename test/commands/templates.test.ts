import {readFile, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {JsonError} from '../../src/cli/base-command.js'
import {shippedTemplateNames, shippedTemplatesDir} from '../../src/mapping/load.js'
import type {InspectResult} from '../../src/services/inspect.js'
import type {TemplateInitResult, TemplateListResult, TemplateShowResult} from '../../src/services/templates.js'
import {makeTempDir, runCli, stackTraceLines} from '../support/cli.js'

let temp: {dir: string; cleanup: () => Promise<void>}
beforeAll(async () => {
  temp = await makeTempDir('ss12000-templates-cli-')
})
afterAll(async () => {
  await temp.cleanup()
})

describe('ss12000 templates list', () => {
  it('lists every shipped template with its inputs', async () => {
    const {stdout, stderr, exitCode} = await runCli(['templates', 'list'])
    expect(exitCode).toBe(0)
    expect(stderr).toBe('')
    expect(stdout).toMatch(/name\s+version\s+title/)
    expect(stdout).toMatch(/se-generic\s+1\.0\.0\s+Swedish admin-system export/)
    expect(stdout).toMatch(/students\s+elev\*, \*elever\*, student\*, \*students\*\s+4\s+6/)
    expect(stdout).toMatch(/staff \(optional\)/)
    expect(stdout).toContain('ss12000 templates init NAME')
  })

  it('--json gives the typed result', async () => {
    const {stdout, exitCode} = await runCli(['templates', 'list', '--json'])
    expect(exitCode).toBe(0)
    const result = JSON.parse(stdout) as TemplateListResult
    expect(result.templates.map((template) => template.name)).toEqual(shippedTemplateNames())
    expect(result.unreadable).toEqual([])
    expect(result.templates.find((template) => template.name === 'se-generic')!.inputs[0]).toMatchObject({
      name: 'students',
      optional: false,
      requiredColumns: 4,
      optionalColumns: 6,
    })
  })
})

describe('ss12000 templates show', () => {
  it('shows the inputs with their aliases, the outputs, and the YAML as written', async () => {
    const {stdout, exitCode} = await runCli(['templates', 'show', 'se-generic'])
    expect(exitCode).toBe(0)
    expect(stdout).toMatch(/^se-generic 1\.0\.0: Swedish admin-system export/)
    expect(stdout).toMatch(/civicNo\s+Personnummer, Personnr, Pnr/)
    expect(stdout).toMatch(/className\s+Klass, Klassnamn, Class, Basgrupp\s+optional/)
    expect(stdout).toMatch(/membership\s+Group\s+memberships \(adds to teachingGroup\)/)
    const text = await readFile(join(shippedTemplatesDir(), 'se-generic', 'template.yaml'), 'utf8')
    expect(stdout).toContain(text.trimEnd())
  })

  it('--json gives the text and the compiled summary', async () => {
    const {stdout, exitCode} = await runCli(['templates', 'show', 'se-generic', '--json'])
    expect(exitCode).toBe(0)
    const result = JSON.parse(stdout) as TemplateShowResult
    expect(result).toMatchObject({name: 'se-generic', shipped: true})
    expect(result.text).toContain('ss12000-template: 1')
    expect(result.inputs.map((input) => input.name)).toEqual(['students', 'staff', 'groups', 'memberships'])
    expect(result.outputs.find((output) => output.name === 'student')).toMatchObject({entity: 'Person'})
  })

  it.each([
    {name: 'an unknown name', args: ['no-such-template'], message: /No template "no-such-template"/},
    {name: 'a folder without template.yaml', args: ['.'], message: /folder without a template\.yaml/},
  ])('$name → exit 2, a clear message, no stack trace', async ({args, message}) => {
    const human = await runCli(['templates', 'show', ...args], {cwd: temp.dir})
    expect(human.exitCode).toBe(2)
    expect(human.stderr).toMatch(message)
    expect(stackTraceLines(human.stderr + human.stdout)).toEqual([])
    const machine = await runCli(['templates', 'show', ...args, '--json'], {cwd: temp.dir})
    expect(machine.exitCode).toBe(2)
    const error = (JSON.parse(machine.stdout) as JsonError).error
    expect(error).toMatchObject({code: 'usage', exitCode: 2})
    expect(error.message).toMatch(message)
  })

  it('a template that does not load → exit 2 naming file:line:col', async () => {
    const file = join(temp.dir, 'broken.yaml')
    await writeFile(file, 'ss12000-template: 1\nname: Not A Name\nversion: 1.0.0\ntitle: x\ninputs: {}\noutputs: {}\n')
    const {stderr, exitCode} = await runCli(['templates', 'show', file])
    expect(exitCode).toBe(2)
    expect(stderr).toMatch(/broken\.yaml:2:\d+/)
    expect(stackTraceLines(stderr)).toEqual([])
  })
})

describe('ss12000 templates init', () => {
  it('copies into ./NAME, then the copy shows; a second run refuses, --force replaces', async () => {
    const first = await runCli(['templates', 'init', 'se-generic'], {cwd: temp.dir})
    expect(first.exitCode).toBe(0)
    expect(first.stdout).toContain('Copied se-generic 1.0.0 to ./se-generic:')
    expect(first.stdout).toContain('template.yaml')
    const copy = join(temp.dir, 'se-generic', 'template.yaml')
    expect(await readFile(copy, 'utf8')).toBe(
      await readFile(join(shippedTemplatesDir(), 'se-generic', 'template.yaml'), 'utf8'),
    )
    const shown = await runCli(['templates', 'show', './se-generic', '--json'], {cwd: temp.dir})
    expect(shown.exitCode).toBe(0)
    expect((JSON.parse(shown.stdout) as TemplateShowResult).shipped).toBe(false)

    await writeFile(copy, (await readFile(copy, 'utf8')).replace('version: 1.0.0', 'version: 1.1.0'))
    const again = await runCli(['templates', 'init', 'se-generic'], {cwd: temp.dir})
    expect(again.exitCode).toBe(2)
    expect(again.stderr).toContain('already exists')
    expect(again.stderr).toContain('--force')
    expect(stackTraceLines(again.stderr)).toEqual([])
    expect(await readFile(copy, 'utf8')).toContain('version: 1.1.0')

    const forced = await runCli(['templates', 'init', 'se-generic', '--force', '--json'], {cwd: temp.dir})
    expect(forced.exitCode).toBe(0)
    const result = JSON.parse(forced.stdout) as TemplateInitResult
    expect(result).toMatchObject({template: 'se-generic', dir: copy.replace(/[/\\]template\.yaml$/, '')})
    expect(result.overwritten).toEqual(['template.yaml'])
    expect(await readFile(copy, 'utf8')).toContain('version: 1.0.0')
  })

  it('--out names the folder', async () => {
    const {stdout, exitCode} = await runCli(['templates', 'init', 'se-generic', '--out', 'mappings/kommun', '--json'], {
      cwd: temp.dir,
    })
    expect(exitCode).toBe(0)
    const result = JSON.parse(stdout) as TemplateInitResult
    expect(result.dir).toBe(join(temp.dir, 'mappings', 'kommun'))
    expect(result.files).toContain('template.yaml')
  })

  it('an unknown name → exit 2 listing the shipped templates, no stack trace', async () => {
    const human = await runCli(['templates', 'init', 'no-such-template'], {cwd: temp.dir})
    expect(human.exitCode).toBe(2)
    expect(human.stderr).toContain('No shipped template "no-such-template"')
    expect(human.stderr).toContain('se-generic')
    expect(stackTraceLines(human.stderr + human.stdout)).toEqual([])
    const machine = await runCli(['templates', 'init', 'no-such-template', '--json'], {cwd: temp.dir})
    expect(machine.exitCode).toBe(2)
    expect((JSON.parse(machine.stdout) as JsonError).error.code).toBe('usage')
  })
})

describe('ss12000 inspect ranks the shipped templates', () => {
  it('ends with the templates that fit, best first, with what is missing', async () => {
    const complete = join(temp.dir, 'elever.csv')
    await writeFile(complete, 'Personnummer;Förnamn;Efternamn;Klass;Skolenhetskod\n20110407-1234;Anna;Ek;7A;12345678\n')
    const {stdout, exitCode} = await runCli(['inspect', complete])
    expect(exitCode).toBe(0)
    const section = stdout.slice(stdout.indexOf('Templates that fit:'))
    expect(section).toMatch(/template\s+input\s+required\s+optional\s+missing/)
    expect(section).toMatch(/se-generic\s+students\s+4\/4\s+1\/6/)
    expect(section).toContain('Convert with --template se-generic')

    const partial = join(temp.dir, 'partial.csv')
    await writeFile(partial, 'Personnummer;Förnamn;Klass\n20110407-1234;Anna;7A\n')
    const json = await runCli(['inspect', partial, '--json'])
    const result = JSON.parse(json.stdout) as InspectResult
    expect(result.templates[0]).toMatchObject({
      template: 'se-generic',
      input: 'students',
      required: {found: 2, total: 4},
      complete: false,
    })
    expect(result.templates[0]!.missing.map((column) => column.key)).toEqual(['familyName', 'unitCode'])
    expect((await runCli(['inspect', partial])).stdout).toMatch(
      /se-generic\s+students\s+2\/4\s+1\/6\s+Efternamn, Skolenhetskod/,
    )
  })

  it('says so when no shipped template fits', async () => {
    const file = join(temp.dir, 'other.csv')
    await writeFile(file, 'Artikel;Pris;Antal\nPenna;12;3\n')
    const {stdout, exitCode} = await runCli(['inspect', file])
    expect(exitCode).toBe(0)
    expect(stdout.trimEnd()).toMatch(
      /No shipped template fits these headers; write one with `ss12000 templates init se-generic`\.$/,
    )
    const json = JSON.parse((await runCli(['inspect', file, '--json'])).stdout) as InspectResult
    expect(json.templates).toEqual([])
  })
})

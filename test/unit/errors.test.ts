import {readFile} from 'node:fs/promises'
import {join} from 'node:path'

import {Errors} from '@oclif/core'
import {describe, expect, it} from 'vitest'

import {describeError} from '../../src/cli/base-command.js'

import {debugEnabled, ExitCode, InternalError, InvalidDataError, RemoteError, UsageError} from '../../src/errors.js'
import {REPO_ROOT} from '../support/cli.js'

describe('exit-code table', () => {
  it('has the documented codes', () => {
    expect(ExitCode).toEqual({
      Ok: 0,
      DifferencesFound: 1,
      Usage: 2,
      InvalidData: 3,
      Remote: 4,
      Partial: 5,
      Internal: 70,
    })
  })

  it.each([
    {error: new UsageError('x'), exitCode: 2, code: 'usage'},
    {error: new InvalidDataError('x'), exitCode: 3, code: 'invalid-data'},
    {error: new RemoteError('x'), exitCode: 4, code: 'remote'},
    {error: new InternalError('x'), exitCode: 70, code: 'internal'},
  ])('$error.name exits $exitCode', ({error, exitCode, code}) => {
    expect(error.exitCode).toBe(exitCode)
    expect(error.code).toBe(code)
    expect(error.name).toBe(error.constructor.name)
  })

  it('carries next steps', () => {
    expect(new UsageError('x', {actions: ['Do y.']}).actions).toEqual(['Do y.'])
  })
})

describe('debugEnabled', () => {
  it.each([
    {DEBUG: undefined, expected: false},
    {DEBUG: '', expected: false},
    {DEBUG: 'ss12000*', expected: true},
    {DEBUG: 'ss12000:validate', expected: true},
    {DEBUG: 'express,ss12000*', expected: true},
    {DEBUG: '*', expected: true},
    {DEBUG: 'express', expected: false},
  ])('DEBUG=$DEBUG → $expected', ({DEBUG, expected}) => {
    expect(debugEnabled(DEBUG === undefined ? {} : {DEBUG})).toBe(expected)
  })
})

describe('describeError (the base command’s mapping)', () => {
  it.each([
    {
      name: 'a usage error',
      error: new UsageError('No such file', {actions: ['Check it.']}),
      exitCode: 2,
      internal: false,
    },
    {name: 'invalid data', error: new InvalidDataError('x'), exitCode: 3, internal: false},
    {name: 'a remote error', error: new RemoteError('503 from https://api.example'), exitCode: 4, internal: false},
    {name: 'an unexpected error', error: new TypeError('x is undefined'), exitCode: 70, internal: true},
    {
      name: "oclif's parse error",
      error: new Errors.CLIError('Nonexistent flag: --nope\nSee more help with --help', {exit: 2}),
      exitCode: 2,
      internal: false,
    },
  ])('$name → exit $exitCode', ({error, exitCode, internal}) => {
    const described = describeError(error)
    expect(described.exitCode).toBe(exitCode)
    expect(described.internal).toBe(internal)
    expect(described.message).not.toContain('See more help')
  })

  it('keeps next steps', () => {
    expect(describeError(new UsageError('x', {actions: ['Check it.']})).actions).toEqual(['Check it.'])
  })
})

describe('README', () => {
  it('documents exactly the exit-code table', async () => {
    const readme = await readFile(join(REPO_ROOT, 'README.md'), 'utf8')
    const section = readme.slice(
      readme.indexOf('## Exit codes'),
      readme.indexOf('##', readme.indexOf('## Exit codes') + 3),
    )
    const documented = [...section.matchAll(/^\| (\d+) +\|/gm)].map((match) => Number(match[1]))
    expect(documented).toEqual(Object.values(ExitCode))
  })
})

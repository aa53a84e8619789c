import {describe, expect, it} from 'vitest'

import {debugEnabled, ExitCode, InternalError, InvalidDataError, RemoteError, UsageError} from '../../src/errors.js'

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

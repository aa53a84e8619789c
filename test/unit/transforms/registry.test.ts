import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'

import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import {DATE_FORMATS} from '../../../src/transforms/dates.js'
import {describeTransforms, getTransform, resolveTransformParams, TRANSFORMS} from '../../../src/transforms/registry.js'
import type {TransformResult} from '../../../src/transforms/types.js'
import {CATALOG, type IssueCode} from '../../../src/validation/catalog.js'
import {type Case} from '../../support/cases.js'

const ctx = {referenceDate: '2026-08-17'}

/** Resolves parameters (failing the test on errors) and applies the transform. */
function run(name: string, params: unknown, value: string | undefined): TransformResult<unknown> {
  const resolved = resolveTransformParams(name, params)
  if (!resolved.ok) throw new Error(resolved.errors.join('\n'))
  return resolved.transform.apply(value, resolved.params, ctx)
}

describe('TRANSFORMS', () => {
  it('has every transform the templates use', () => {
    expect(Object.keys(TRANSFORMS)).toEqual([
      'trim',
      'text',
      'split-name',
      'civic-number',
      'birth-date-from-civic-number',
      'sex-from-civic-number',
      'date',
      'date-time',
      'email',
      'phone',
      'boolean',
      'integer',
      'decimal',
      'percent',
      'list',
      'school-year',
      'school-type-from-class',
    ])
  })

  it.each(Object.entries(TRANSFORMS))('%s has a strict object schema and a summary', (_name, transform) => {
    expect(transform.params.type).toBe('object')
    expect(transform.params.additionalProperties).toBe(false)
    expect(transform.summary.length).toBeGreaterThan(10)
  })

  it('finds only its own names', () => {
    expect(getTransform('date')).toBe(TRANSFORMS.date)
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'Date']) {
      expect(getTransform(name)).toBeUndefined()
    }
  })
})

describe('resolveTransformParams', () => {
  const valid: Case<{name: string; params: unknown}, Record<string, unknown>>[] = [
    {name: 'no parameters: undefined', input: {name: 'email', params: undefined}, expected: {}},
    {name: 'no parameters: null', input: {name: 'trim', params: null}, expected: {}},
    {name: 'defaults are filled', input: {name: 'percent', params: {}}, expected: {scale: 'auto'}},
    {name: 'given values win', input: {name: 'percent', params: {scale: 'fraction'}}, expected: {scale: 'fraction'}},
    {name: 'civic-number default', input: {name: 'civic-number', params: {}}, expected: {allowTemporary: true}},
    {
      name: 'date-time default zone',
      input: {name: 'date-time', params: {format: 'auto-iso'}},
      expected: {format: 'auto-iso', timeZone: 'Europe/Stockholm'},
    },
    {name: 'list defaults', input: {name: 'list', params: {separator: '|'}}, expected: {separator: '|', unique: false}},
    {
      name: 'boolean lists',
      input: {name: 'boolean', params: {true: ['aktiv'], false: ['slutat'], empty: false}},
      expected: {true: ['aktiv'], false: ['slutat'], empty: false},
    },
    {name: 'integer range', input: {name: 'integer', params: {min: 0, max: 10}}, expected: {min: 0, max: 10}},
  ]
  it.each(valid)('$name', ({input, expected}) => {
    const resolved = resolveTransformParams(input.name, input.params)
    expect(resolved.ok && resolved.params).toEqual(expected)
  })

  it('does not change the template’s own object', () => {
    const params = {}
    resolveTransformParams('percent', params)
    expect(params).toEqual({})
  })

  const invalid: Case<{name: string; params: unknown}, string[]>[] = [
    {
      name: 'unknown transform',
      input: {name: 'personnummer', params: {}},
      expected: [
        expect.stringMatching(/^Unknown transform 'personnummer'\. Known transforms: trim, text, .*civic-number/),
      ],
    },
    {
      name: 'prototype name',
      input: {name: 'constructor', params: {}},
      expected: [expect.stringMatching(/^Unknown transform/)],
    },
    {
      name: 'unknown parameter',
      input: {name: 'date', params: {format: 'auto-iso', fmt: 'x'}},
      expected: ["Transform 'date' has no parameter 'fmt' (known: format)."],
    },
    {
      name: 'a parameter for a transform without any',
      input: {name: 'email', params: {lower: true}},
      expected: ["Transform 'email' has no parameter 'lower' (it takes none)."],
    },
    {
      name: 'missing required parameter',
      input: {name: 'date', params: {}},
      expected: [
        "Transform 'date' needs the parameter 'format' ('YYYY-MM-DD' | 'YYYYMMDD' | 'D/M/YYYY' | 'M/D/YYYY' | 'DD.MM.YYYY' | 'excel-serial' | 'auto-iso').",
      ],
    },
    {
      name: 'value not allowed',
      input: {name: 'percent', params: {scale: 'procent'}},
      expected: ["Parameter 'scale' of transform 'percent' must be 'auto' | 'fraction' | 'percent', not \"procent\"."],
    },
    {
      name: 'wrong type',
      input: {name: 'list', params: {unique: 'yes'}},
      expected: ["Parameter 'unique' of transform 'list' must be boolean, not \"yes\"."],
    },
    {
      name: 'empty separator',
      input: {name: 'list', params: {separator: ''}},
      expected: ["Parameter 'separator' of transform 'list' must be string, not \"\"."],
    },
    {
      name: 'array of the wrong items',
      input: {name: 'boolean', params: {true: [1]}},
      expected: ["Parameter 'true' of transform 'boolean' must be string[], not [1]."],
    },
    {
      name: 'parameters that are not a mapping',
      input: {name: 'date', params: ['auto-iso']},
      expected: ["The parameters of transform 'date' must be a mapping of names to values."],
    },
    {
      name: 'several errors at once',
      input: {name: 'split-name', params: {part: 'middleName', x: 1}},
      expected: [
        "Parameter 'part' of transform 'split-name' must be 'givenName' | 'familyName', not \"middleName\".",
        "Transform 'split-name' has no parameter 'x' (known: format, part, particles).",
        "Transform 'split-name' needs the parameter 'format' ('family, given' | 'given family' | 'family given').",
      ],
    },
  ]
  it.each(invalid)('$name', ({input, expected}) => {
    const resolved = resolveTransformParams(input.name, input.params)
    expect(resolved.ok ? [] : resolved.errors).toEqual(expected)
  })
})

describe('apply', () => {
  const cases: Case<{name: string; params?: unknown; value: string | undefined}, TransformResult<unknown>>[] = [
    {name: 'trim', input: {name: 'trim', value: '  7A '}, expected: {ok: true, value: '7A'}},
    {name: 'trim: blank', input: {name: 'trim', value: ' '}, expected: {ok: true, value: undefined}},
    {
      name: 'text: title',
      input: {name: 'text', params: {case: 'title', collapseSpaces: true}, value: 'ANNA-KARIN   ÅBERG'},
      expected: {ok: true, value: 'Anna-Karin Åberg'},
    },
    {
      name: 'split-name: whole',
      input: {name: 'split-name', params: {format: 'family, given'}, value: 'Ek, Alva'},
      expected: {ok: true, value: {givenName: 'Alva', familyName: 'Ek'}},
    },
    {
      name: 'split-name: part',
      input: {name: 'split-name', params: {format: 'family, given', part: 'givenName'}, value: 'Ek, Alva'},
      expected: {ok: true, value: 'Alva'},
    },
    {
      name: 'split-name: a missing part keeps the warning',
      input: {name: 'split-name', params: {format: 'family, given', part: 'givenName'}, value: 'Ek'},
      expected: {ok: true, value: undefined, warning: {code: 'transform.name.single', params: {part: 'familyName'}}},
    },
    {
      name: 'civic-number',
      input: {name: 'civic-number', value: '100203-7271'},
      expected: {ok: true, value: '201002037271'},
    },
    {
      name: 'civic-number: temporary not allowed',
      input: {name: 'civic-number', params: {allowTemporary: false}, value: '20130101TF01'},
      expected: {ok: false, problem: {code: 'transform.civic-no.temporary'}},
    },
    {
      name: 'birth-date-from-civic-number',
      input: {name: 'birth-date-from-civic-number', value: '011284-0129'},
      expected: {ok: true, value: '2001-12-24'},
    },
    {
      name: 'sex-from-civic-number',
      input: {name: 'sex-from-civic-number', value: '100203-7271'},
      expected: {ok: true, value: 'Man'},
    },
    {
      name: 'sex-from-civic-number: keeps the normalising warning',
      input: {name: 'sex-from-civic-number', value: '101011237'},
      expected: {ok: true, value: 'Man', warning: {code: 'transform.civic-no.leading-zeros'}},
    },
    {
      name: 'sex-from-civic-number: temporary',
      input: {name: 'sex-from-civic-number', value: '20130101-TF01'},
      expected: {ok: false, problem: {code: 'transform.sex.temporary'}},
    },
    {
      name: 'date',
      input: {name: 'date', params: {format: 'D/M/YYYY'}, value: '3/2/2024'},
      expected: {ok: true, value: '2024-02-03'},
    },
    {
      name: 'date: format in the problem',
      input: {name: 'date', params: {format: 'D/M/YYYY'}, value: '2024-02-03'},
      expected: {ok: false, problem: {code: 'transform.date.format', params: {format: 'D/M/YYYY'}}},
    },
    {
      name: 'date-time',
      input: {name: 'date-time', params: {format: 'auto-iso'}, value: '2026-06-15 08:30'},
      expected: {ok: true, value: '2026-06-15T08:30:00+02:00'},
    },
    {
      name: 'email',
      input: {name: 'email', value: 'Alva@Skola.Example'},
      expected: {ok: true, value: 'alva@skola.example'},
    },
    {name: 'phone', input: {name: 'phone', value: '070-123 45 67'}, expected: {ok: true, value: '+46701234567'}},
    {name: 'boolean', input: {name: 'boolean', value: 'Ja'}, expected: {ok: true, value: true}},
    {
      name: 'boolean: checkbox',
      input: {name: 'boolean', params: {empty: false}, value: undefined},
      expected: {ok: true, value: false},
    },
    {name: 'integer', input: {name: 'integer', value: '1 234'}, expected: {ok: true, value: 1234}},
    {name: 'decimal', input: {name: 'decimal', value: '3,5'}, expected: {ok: true, value: 3.5}},
    {name: 'percent', input: {name: 'percent', value: '0,5'}, expected: {ok: true, value: 50}},
    {
      name: 'list',
      input: {name: 'list', params: {unique: true}, value: 'ek, lind, ek'},
      expected: {ok: true, value: ['ek', 'lind']},
    },
    {name: 'school-year', input: {name: 'school-year', value: 'NA24'}, expected: {ok: true, value: 3}},
    {
      name: 'school-type-from-class',
      input: {name: 'school-type-from-class', value: 'FA'},
      expected: {ok: true, value: 'FKLASS'},
    },
    {
      name: 'school-type-from-class: year 10 has none',
      input: {name: 'school-type-from-class', value: '10A'},
      expected: {ok: false, problem: {code: 'transform.school-type.unknown'}},
    },
    {
      name: 'school-type-from-class: absent',
      input: {name: 'school-type-from-class', value: undefined},
      expected: {ok: true, value: undefined},
    },
  ]
  it.each(cases)('$name', ({input, expected}) => {
    expect(run(input.name, input.params, input.value)).toEqual(expected)
  })
})

describe('describeTransforms', () => {
  it('describes every transform and parameter', () => {
    const described = describeTransforms()
    expect(described.map((transform) => transform.name)).toEqual(Object.keys(TRANSFORMS))
    for (const transform of described) {
      expect(transform.summary).toBe(TRANSFORMS[transform.name]?.summary)
      for (const param of transform.params) {
        expect(param.type).not.toBe('any value')
        expect(param.description, `${transform.name}.${param.name}`).toBeTruthy()
      }
    }
  })

  it('gives types, defaults and whether a parameter is required', () => {
    const dateTime = describeTransforms().find((transform) => transform.name === 'date-time')
    expect(dateTime?.params).toEqual([
      {
        name: 'format',
        type: DATE_FORMATS.map((format) => `'${format}'`).join(' | '),
        required: true,
        description: 'How the column writes dates; declared, never guessed.',
      },
      {
        name: 'timeZone',
        type: "'Europe/Stockholm'",
        required: false,
        default: 'Europe/Stockholm',
        description: 'The zone of times written without an offset.',
      },
    ])
  })
})

describe('every transform, any input', () => {
  // Every parameter variant that changes the code path, so each branch sees arbitrary text.
  const variants: Array<[string, Record<string, unknown>]> = [
    ['trim', {}],
    ['text', {case: 'title', collapseSpaces: true}],
    ['text', {case: 'upper'}],
    ['split-name', {format: 'family, given'}],
    ['split-name', {format: 'given family', part: 'familyName'}],
    ['split-name', {format: 'family given'}],
    ['civic-number', {}],
    ['civic-number', {allowTemporary: false}],
    ['birth-date-from-civic-number', {}],
    ['sex-from-civic-number', {}],
    ...DATE_FORMATS.map((format): [string, Record<string, unknown>] => ['date', {format}]),
    ...DATE_FORMATS.map((format): [string, Record<string, unknown>] => ['date-time', {format}]),
    ['email', {}],
    ['phone', {}],
    ['boolean', {}],
    ['boolean', {true: ['aktiv'], false: ['slutat'], empty: false}],
    ['integer', {min: 0}],
    ['decimal', {}],
    ['percent', {scale: 'auto'}],
    ['percent', {scale: 'fraction'}],
    ['percent', {scale: 'percent'}],
    ['list', {}],
    ['list', {separator: '|', unique: true}],
    ['school-year', {}],
    ['school-type-from-class', {}],
  ]
  const codes = new Set(Object.keys(CATALOG))
  // Text that looks like what the transforms parse, as well as anything at all.
  const text = fc.oneof(
    fc.string(),
    fc.string({unit: 'binary', maxLength: 30}),
    fc.stringMatching(/^[0-9A-Za-z+\-:., /()%TZ]{0,16}$/),
    fc.constantFrom('60', '2026-03-29 02:30', '2026-10-25T02:30:00', '260817-1234', '20130101tf01', '0,5 %', 'NA24'),
  )

  it.each(variants)('%s %j never throws and returns a well-formed result', (name, params) => {
    fc.assert(
      fc.property(fc.option(text, {nil: undefined}), (value) => {
        const result = run(name, params, value)
        if (result.ok) {
          expect(Object.keys(result).sort()).toEqual(
            result.warning === undefined ? ['ok', 'value'] : ['ok', 'value', 'warning'],
          )
          if (result.warning !== undefined) {
            expect(codes.has(result.warning.code)).toBe(true)
            expect(CATALOG[result.warning.code].severity).toBe('warning')
          }
        } else {
          expect(Object.keys(result).sort()).toEqual(['ok', 'problem'])
          expect(codes.has(result.problem.code)).toBe(true)
          expect(CATALOG[result.problem.code].severity).toBe('error')
        }
      }),
      {numRuns: 300},
    )
  })
})

describe('very long cells', () => {
  // Shapes that make careless regular expressions backtrack for ever; a hang here would time the test out.
  const long = [
    `a@${'a'.repeat(50_000)}!`,
    `x@${'a.'.repeat(40_000)}`,
    `1${' '.repeat(50_000)}x`,
    '9'.repeat(100_000),
    `${'A'.repeat(50_000)}1`,
    `${'a-'.repeat(30_000)}!`,
    `2026-01-01${' '.repeat(50_000)}x`,
  ]
  it.each(Object.keys(TRANSFORMS))('%s', (name) => {
    const params =
      name === 'date' || name === 'date-time'
        ? {format: 'auto-iso'}
        : name === 'split-name'
          ? {format: 'given family'}
          : {}
    for (const value of long) expect(typeof run(name, params, value).ok).toBe('boolean')
  })
})

describe('catalog', () => {
  const directory = join(import.meta.dirname, '../../../src/transforms')
  const source = readdirSync(directory)
    .filter((file) => file.endsWith('.ts'))
    .map((file) => readFileSync(join(directory, file), 'utf8'))
    .join('\n')
  const transformCodes = (Object.keys(CATALOG) as IssueCode[]).filter((code) => code.startsWith('transform.'))

  it.each(transformCodes)('%s is used by a transform', (code) => {
    expect(source).toContain(`'${code}'`)
  })

  it('every transform.* code the transforms use is in the catalog', () => {
    const used = new Set(source.match(/'transform\.[a-z0-9.-]+'/g)?.map((quoted) => quoted.slice(1, -1)))
    expect([...used].filter((code) => !(code in CATALOG))).toEqual([])
  })
})

import {describe, expect, it} from 'vitest'

import {type AllowedDifference, allowedByProfileRule, judge, staleEntries} from './allowed-differences.js'
import {compareSchemas, type CompareOptions, type Difference} from './compare.js'
import {type JsonSchema, type OpenApiDocument, resolveComponent} from './oracle.js'

/** The comparison machinery itself, on small hand-made schemas: each kind of difference must be seen. */

const options = (extra: Partial<CompareOptions> = {}): CompareOptions => ({
  schema: 'X',
  oracle: 'tk450',
  ourEmbedded: (name) => ({type: 'object', properties: name === 'Y' ? {a: {}, b: {}} : {}}),
  expandTheirs: () => ({}),
  ...extra,
})

const kinds = (differences: Difference[]) => differences.map((d) => `${d.path} ${d.kind}`).sort()

describe('compareSchemas', () => {
  it('finds no difference between equal schemas, and ignores titles, descriptions, readOnly and annotations', () => {
    const ours = {
      type: 'object',
      title: 'X',
      additionalProperties: false,
      properties: {id: {type: 'string', format: 'uuid', readOnly: true, 'x-ss12000-ref': 'Person'}},
      required: ['id'],
      allOf: [{if: {}, then: {}}],
    }
    const theirs = {
      type: 'object',
      description: 'x',
      properties: {id: {type: 'string', format: 'uuid'}},
      required: ['id'],
    }
    const comparison = compareSchemas(ours, theirs, options())
    expect(comparison.differences).toEqual([])
    expect(comparison.comparedFields).toBe(1)
  })

  it('reports every kind, recursing into properties and array items', () => {
    const ours: JsonSchema = {
      type: 'object',
      properties: {
        a: {type: 'string', format: 'date', pattern: '^x$'},
        b: {type: 'array', items: {type: 'string', enum: ['p', 'q']}, minItems: 1, uniqueItems: true},
        c: {type: 'integer', minimum: 0, maximum: 10, default: 1},
        d: {type: 'string'},
        e: {$ref: 'Y.json'},
        mine: {type: 'string'},
      },
      required: ['a', 'mine'],
    }
    const theirs: JsonSchema = {
      type: 'object',
      properties: {
        a: {type: ['string', 'null'], format: 'date-time'},
        b: {type: 'array', items: {type: 'string', enum: ['q', 'r']}, maxItems: 3, uniqueItems: false},
        c: {type: 'integer', minimum: 1},
        d: {type: 'string', unknownKeyword: true},
        e: {type: 'object', properties: {a: {}, c: {}}},
        theirsOnly: {type: 'string'},
      },
      required: ['ghost'],
    }
    const {differences} = compareSchemas(ours, theirs, options())
    expect(kinds(differences)).toEqual(
      [
        'a type',
        'a format',
        'a pattern',
        'a required',
        'b minItems',
        'b maxItems',
        'b uniqueItems',
        'b[] enum',
        'c minimum',
        'c maximum',
        'c default',
        'd unsupported-keyword',
        'e embedded-shape',
        'ghost required',
        'mine extra-property',
        'mine required',
        'theirsOnly missing-property',
      ].sort(),
    )
    expect(differences.find((d) => d.kind === 'enum')).toMatchObject({ours: ['p'], theirs: ['r']})
    expect(differences.find((d) => d.kind === 'embedded-shape')).toMatchObject({ours: ['b'], theirs: ['c']})
    expect(differences.find((d) => d.path === 'ghost')).toMatchObject({ours: false, theirs: true})
  })

  it('checks fields a profile keeps from TK450 against TK450 and marks them', () => {
    const ours = {
      type: 'object',
      properties: {id: {type: 'string'}, kept: {type: 'string', enum: ['a', 'b']}, invented: {type: 'string'}},
      required: ['id'],
    }
    const profile = {type: 'object', properties: {id: {type: 'string'}}, required: ['id']}
    const tk450 = {
      type: 'object',
      properties: {id: {type: 'string'}, kept: {type: 'string', enum: ['a']}},
      required: ['id', 'kept'],
    }
    const {differences} = compareSchemas(
      ours,
      profile,
      options({oracle: 'skolverket', tk450: {root: tk450, expand: () => ({})}}),
    )
    expect(differences.map((d) => `${d.path} ${d.kind} ${d.oracle} ${d.inTk450 ?? ''}`).sort()).toEqual([
      'invented extra-property skolverket false',
      'kept enum tk450 ',
      'kept extra-property skolverket true',
      'kept required tk450 ',
    ])
    expect(differences.filter((d) => allowedByProfileRule('skolverket', d)).map((d) => d.path)).toEqual(['kept'])
    expect(differences.filter((d) => allowedByProfileRule('ss12000-2020', d))).toEqual([])
  })
})

describe('allowed differences', () => {
  const difference: Difference = {schema: 'X', path: 'a', kind: 'enum', ours: ['p'], theirs: [], oracle: 'tk450'}
  const entry = (extra: Partial<AllowedDifference> = {}): AllowedDifference => ({
    profiles: ['ss12000-2020'],
    schema: 'X',
    path: 'a',
    kind: 'enum',
    reason: 'SPEC-NOTES §1',
    line: 1,
    ...extra,
  })

  it('match on profile, schema, path and kind, and on pinned values', () => {
    expect(judge('ss12000-2020', [difference], [entry()])[0]?.allowedBy).toBeDefined()
    expect(judge('skolverket', [difference], [entry()])[0]?.allowedBy).toBeUndefined()
    expect(judge('ss12000-2020', [difference], [entry({ours: ['p'], theirs: []})])[0]?.allowedBy).toBeDefined()
    expect(judge('ss12000-2020', [difference], [entry({ours: ['p', 'q']})])[0]?.allowedBy).toBeUndefined()
  })

  it('report stale entries, per profile they name', () => {
    const both = entry({profiles: ['ss12000-2020', 'skolverket'], line: 7})
    const verdicts = judge('ss12000-2020', [difference], [both])
    expect(staleEntries([both], verdicts)).toEqual([
      'allowed-differences.yaml:7 [skolverket] X.a enum matches no actual difference',
    ])
  })
})

describe('resolveComponent', () => {
  it('flattens nested allOf, keeps $ref siblings and turns nullable into a null type', () => {
    const document: OpenApiDocument = {
      components: {
        schemas: {
          Base: {type: 'object', properties: {id: {type: 'string'}}, required: ['id']},
          Named: {allOf: [{$ref: '#/components/schemas/Base'}, {properties: {name: {type: 'string', nullable: true}}}]},
          Top: {
            allOf: [
              {$ref: '#/components/schemas/Named'},
              {
                type: 'object',
                properties: {extra: {$ref: '#/components/schemas/Base', readOnly: true}},
                required: ['extra'],
              },
            ],
          },
        },
      },
    }
    expect(resolveComponent(document, 'Top')).toEqual({
      type: 'object',
      properties: {
        id: {type: 'string'},
        name: {type: ['string', 'null']},
        extra: {
          type: 'object',
          properties: {id: {type: 'string'}},
          required: ['id'],
          readOnly: true,
          'x-oracle-ref': 'Base',
        },
      },
      required: ['id', 'extra'],
      'x-oracle-ref': 'Top',
    })
  })
})

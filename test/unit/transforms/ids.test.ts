import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import {deriveId, type DeriveIdOptions, generateSecret, isValidNamespace, uuidV5} from '../../../src/transforms/ids.js'
import {type Case} from '../../support/cases.js'

// Expected ids were computed independently with Python's uuid.uuid5 and hmac modules.

const DNS = '6ba7b810-9dad-11d1-80b4-00c04fd430c8'
const URL = '6ba7b811-9dad-11d1-80b4-00c04fd430c8'
const NAMESPACE = '3f0e5a7c-2b1d-4e8f-9a6b-5c4d3e2f1a0b'
const SECRET = '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff'
const CANONICAL_V5 = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

describe('uuidV5', () => {
  const cases: Case<{namespace: string; name: string}, string>[] = [
    {
      name: 'RFC DNS example',
      input: {namespace: DNS, name: 'www.example.com'},
      expected: '2ed6657d-e927-568b-95e1-2665a8aea6a2',
    },
    {
      name: 'DNS python.org',
      input: {namespace: DNS, name: 'python.org'},
      expected: '886313e1-3b8a-5372-9b90-0c9aee199e5d',
    },
    {
      name: 'URL namespace',
      input: {namespace: URL, name: 'https://www.example.org/'},
      expected: '84f5ec25-93a7-5271-bfbb-77d0e0a15d7b',
    },
    {
      name: 'upper-case namespace',
      input: {namespace: DNS.toUpperCase(), name: 'www.example.com'},
      expected: '2ed6657d-e927-568b-95e1-2665a8aea6a2',
    },
    {
      name: 'UTF-8 name',
      input: {namespace: NAMESPACE, name: 'Grupp:Åk 7'},
      expected: '616fb2a2-6e72-594e-a0af-d4770fcd170a',
    },
  ]
  it.each(cases)('$name', ({input, expected}) => {
    expect(uuidV5(input.namespace, input.name)).toBe(expected)
  })

  it('throws for a namespace that is not a UUID', () => {
    expect(() => uuidV5('not-a-uuid', 'x')).toThrow(RangeError)
  })
})

describe('isValidNamespace', () => {
  const cases: Case<string, boolean>[] = [
    {name: 'lower case', input: NAMESPACE, expected: true},
    {name: 'upper case', input: NAMESPACE.toUpperCase(), expected: true},
    {name: 'nil UUID: the config was never filled in', input: '00000000-0000-0000-0000-000000000000', expected: false},
    {name: 'no hyphens', input: NAMESPACE.replaceAll('-', ''), expected: false},
    {name: 'braces', input: `{${NAMESPACE}}`, expected: false},
    {name: 'too short', input: NAMESPACE.slice(1), expected: false},
    {name: 'empty', input: '', expected: false},
  ]
  it.each(cases)('$name', ({input, expected}) => {
    expect(isValidNamespace(input)).toBe(expected)
  })
})

describe('deriveId', () => {
  const base: DeriveIdOptions = {namespace: NAMESPACE, entity: 'Group', key: ['7A'], sensitive: false}

  const cases: Case<DeriveIdOptions, {value: string} | {problem: string}>[] = [
    {name: 'one key part', input: base, expected: {value: '567bff46-5025-53d1-b1e3-1570741127df'}},
    {
      name: 'parts joined by U+001F',
      input: {...base, key: ['Skola', '7A']},
      expected: {value: '818d1f6e-f201-5b5c-9007-648b58716c3e'},
    },
    {
      name: 'not sensitive: the secret is not used',
      input: {...base, secret: SECRET},
      expected: {value: '567bff46-5025-53d1-b1e3-1570741127df'},
    },
    {
      name: 'sensitive: HMAC-SHA256 under the secret',
      input: {namespace: NAMESPACE, entity: 'Person', key: ['201002037271'], secret: SECRET, sensitive: true},
      expected: {value: '660bcdc9-722d-59c1-bdf5-44a2da25a411'},
    },
    {
      name: 'sensitive: an upper-case secret is the same secret',
      input: {
        namespace: NAMESPACE,
        entity: 'Person',
        key: ['201002037271'],
        secret: SECRET.toUpperCase(),
        sensitive: true,
      },
      expected: {value: '660bcdc9-722d-59c1-bdf5-44a2da25a411'},
    },
    {
      name: 'sensitive without a secret',
      input: {...base, sensitive: true},
      expected: {problem: 'transform.id.secret-missing'},
    },
    {
      name: 'sensitive with an empty secret',
      input: {...base, sensitive: true, secret: ''},
      expected: {problem: 'transform.id.secret-missing'},
    },
    {
      name: 'a secret that is too short',
      input: {...base, sensitive: true, secret: SECRET.slice(0, 30)},
      expected: {problem: 'transform.id.secret-invalid'},
    },
    {
      name: 'a secret that is not hex',
      input: {...base, sensitive: true, secret: `${SECRET.slice(0, -1)}g`},
      expected: {problem: 'transform.id.secret-invalid'},
    },
    {
      name: 'a secret of an odd length',
      input: {...base, sensitive: true, secret: `${SECRET}0`},
      expected: {problem: 'transform.id.secret-invalid'},
    },
    {name: 'no key parts', input: {...base, key: []}, expected: {problem: 'transform.id.key-empty'}},
    {name: 'an empty key part', input: {...base, key: ['Skola', '']}, expected: {problem: 'transform.id.key-empty'}},
    {
      name: 'a part with the separator',
      input: {...base, key: ['a\u001fb']},
      expected: {problem: 'transform.id.key-separator'},
    },
    {name: 'a bad namespace', input: {...base, namespace: 'skola'}, expected: {problem: 'transform.id.namespace'}},
    {name: 'an entity with a colon', input: {...base, entity: 'Group:x'}, expected: {problem: 'transform.id.entity'}},
    {name: 'an empty entity', input: {...base, entity: ''}, expected: {problem: 'transform.id.entity'}},
  ]
  it.each(cases)('$name', ({input, expected}) => {
    const result = deriveId(input)
    expect(result.ok ? {value: result.value} : {problem: result.problem.code}).toEqual(expected)
  })

  const keyPart = fc.string({minLength: 1, maxLength: 20}).filter((part) => !part.includes('\u001f'))
  const secret = fc.uint8Array({minLength: 16, maxLength: 32}).map(generateSecret)
  const options = fc.record({
    entity: fc.constantFrom('Person', 'Group', 'Duty', 'Organisation'),
    key: fc.array(keyPart, {minLength: 1, maxLength: 3}),
    secret,
    sensitive: fc.boolean(),
  })
  const idOf = (input: Omit<DeriveIdOptions, 'namespace'>) => {
    const result = deriveId({namespace: NAMESPACE, ...input})
    if (!result.ok) throw new Error(`unexpected problem ${result.problem.code}`)
    return result.value
  }

  it('is a canonical lower-case v5 UUID and the same on every run', () => {
    fc.assert(
      fc.property(options, (input) => {
        const id = idOf(input)
        expect(id).toMatch(CANONICAL_V5)
        expect(idOf(structuredClone(input))).toBe(id)
      }),
    )
  })

  it('changes with any key part', () => {
    fc.assert(
      fc.property(options, fc.nat(), keyPart, (input, index, replacement) => {
        const at = index % input.key.length
        fc.pre(input.key[at] !== replacement)
        const key = input.key.map((part, i) => (i === at ? replacement : part))
        expect(idOf({...input, key})).not.toBe(idOf(input))
      }),
    )
  })

  it('changes with the entity and with the number of key parts', () => {
    fc.assert(
      fc.property(options, (input) => {
        expect(idOf({...input, entity: `${input.entity}X`})).not.toBe(idOf(input))
        expect(idOf({...input, key: [...input.key, 'x']})).not.toBe(idOf(input))
      }),
    )
  })

  it('keeps key parts apart: [a b, c] and [a, b c] differ', () => {
    expect(idOf({entity: 'Group', key: ['a b', 'c'], sensitive: false})).not.toBe(
      idOf({entity: 'Group', key: ['a', 'b c'], sensitive: false}),
    )
  })

  it('sensitive ids change with the secret and differ from plain ids', () => {
    fc.assert(
      fc.property(options, secret, (input, other) => {
        fc.pre(other.toLowerCase() !== input.secret.toLowerCase())
        const sensitive = {...input, sensitive: true}
        expect(idOf({...sensitive, secret: other})).not.toBe(idOf(sensitive))
        expect(idOf(sensitive)).not.toBe(idOf({...input, sensitive: false}))
      }),
    )
  })

  it('a sensitive id is not the plain UUIDv5 of any personnummer candidate', () => {
    // What an attacker with the namespace would try: every serial of a birth date, hashed without the secret.
    const secretId = idOf({entity: 'Person', key: ['201002037271'], secret: SECRET, sensitive: true})
    for (let serial = 0; serial < 10_000; serial++) {
      const candidate = `20100203${String(serial).padStart(4, '0')}`
      expect(uuidV5(NAMESPACE, `Person:${candidate}`)).not.toBe(secretId)
    }
  })
})

describe('generateSecret', () => {
  it('is the hex of the bytes it is given', () => {
    expect(generateSecret(Uint8Array.from({length: 16}, (_, i) => i * 17))).toBe('00112233445566778899aabbccddeeff')
  })

  it('is accepted by deriveId', () => {
    const secret = generateSecret(new Uint8Array(32).fill(7))
    expect(secret).toHaveLength(64)
    expect(deriveId({namespace: NAMESPACE, entity: 'Person', key: ['x'], secret, sensitive: true}).ok).toBe(true)
  })

  it('needs at least 16 bytes', () => {
    expect(() => generateSecret(new Uint8Array(15))).toThrow(RangeError)
  })
})

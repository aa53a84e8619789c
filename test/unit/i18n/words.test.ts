import {afterEach, describe, expect, it} from 'vitest'

import {setLanguage} from '../../../src/i18n/language.js'
import {word, WORDS} from '../../../src/i18n/words.js'
import {getEntityValidator} from '../../../src/schema/validators.js'
import {issuesFromSchemaErrors} from '../../../src/validation/schema-errors.js'
import {findSyntaxError} from '../../../src/sources/json/syntax-check.js'

afterEach(() => setLanguage('en'))

/** The schema issues of a person with a wrong type, format, enum value, field name and missing required field. */
function schemaIssues(): Array<{message: string; hint?: string}> {
  const validate = getEntityValidator('Person', {profile: 'ss12000-2020', mode: 'payload'})
  const person = {
    id: 'not-a-uuid',
    givenName: 'Alva',
    emails: [{value: 'x', type: 'Privat'}],
    sex: 'kvinna',
    enrolments: [{enroledAt: '0b8a2f4e-1c3d-4e5f-8a9b-0c1d2e3f4a50', schoolType: 'GR', schoolYear: 'sju'}],
    givenname: 'typo',
  }
  expect(validate(person)).toBe(false)
  const record = {
    entity: 'Person' as const,
    profile: 'ss12000-2020' as const,
    reveal: false,
    locate: () => ({file: 'persons.json'}),
  }
  return issuesFromSchemaErrors(validate.errors ?? [], record)
}

describe('the word list', () => {
  it('has every phrase in both languages, with the same placeholders', () => {
    const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()
    for (const key of Object.keys(WORDS.en) as Array<keyof typeof WORDS.en>) {
      expect(WORDS.sv[key], key).toBeTruthy()
      expect(placeholders(WORDS.sv[key]), key).toEqual(placeholders(WORDS.en[key]))
    }
    expect(Object.keys(WORDS.sv).sort()).toEqual(Object.keys(WORDS.en).sort())
    expect(word('hint.did-you-mean-field', {suggestion: 'givenName'}, 'sv')).toBe('Menade du givenName?')
  })

  it('makes schema messages with no English in them in Swedish', () => {
    const english = schemaIssues()
    setLanguage('sv')
    const swedish = schemaIssues()
    expect(swedish).toHaveLength(english.length)
    const text = swedish.map((issue) => `${issue.message} ${issue.hint ?? ''}`).join('\n')
    expect(text).toContain('måste vara ett heltal')
    expect(text).toContain('en e-postadress')
    expect(text).toContain('Menade du "Kvinna"?')
    expect(text).toContain('Menade du givenName?')
    expect(text).toContain('Referenser är objekt')
    for (const phrase of ['a whole number', 'an email address', 'Did you mean', 'References are', 'a UUID']) {
      expect(text).not.toContain(phrase)
    }
    const englishText = english.map((issue) => `${issue.message} ${issue.hint ?? ''}`).join('\n')
    expect(englishText).toContain('Did you mean "Kvinna"?')
  })
})

describe('JSON syntax errors in Swedish', () => {
  /** Broken JSON of every kind the checker names. */
  const broken = [
    '[1,]',
    '{"a": 1,}',
    '{"a": 1 "b": 2}',
    '[1 2]',
    '{"a" 1}',
    '{a: 1}',
    "{'a': 1}",
    "['a']",
    '[tru]',
    '[True]',
    '[NaN]',
    '[xyz]',
    '[01]',
    '[-x]',
    '[1.x]',
    '[1ex]',
    '["\\q"]',
    '["\\u12"]',
    '["a\nb"]',
    '["a\u0001"]',
    '["abc',
    '[1',
    '{"a": 1',
    '[// comment\n1]',
    '[1] 2',
    '',
  ]

  it('says every one of them in Swedish, with the same English as before by default', () => {
    const english = broken.map((text) => findSyntaxError(text, 'end of file')?.message)
    expect(english).not.toContain(undefined)
    expect(english).toContain("Trailing comma before ']'")
    expect(english).toContain("Unexpected word 'tru' — did you mean true?")
    setLanguage('sv')
    const swedish = broken.map((text) => findSyntaxError(text, word('json.end-of-file'))?.message)
    for (const [index, message] of swedish.entries()) {
      expect(message, broken[index]).toBeDefined()
      expect(message, broken[index]).not.toMatch(
        /\b(Unexpected|Expected|Invalid|must|allowed|found|nothing|character)\b/,
      )
    }
    expect(swedish).toContain("Överblivet kommatecken före ']'")
    expect(swedish).toContain("Oväntat ord 'tru' — menade du true?")
  })
})

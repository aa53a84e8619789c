import {afterEach, describe, expect, it} from 'vitest'

import {currentLanguage, setLanguage} from '../../../src/i18n/language.js'
import {CATALOG_SV} from '../../../src/validation/catalog-sv.js'
import {CATALOG, ISSUE_CODES, type IssueCode, renderIssueText} from '../../../src/validation/catalog.js'
import {ValidationEngine} from '../../../src/validation/engine.js'
import {makeCivicNumber} from '../../../src/validation/identity.js'
import {makeIssue} from '../../../src/validation/issue.js'

/**
 * Texts whose Swedish is the English by nature: nothing but placeholders, whose values (a detail, a suggestion) are
 * made by the code that raises the issue.
 */
const SAME_IN_BOTH: ReadonlyArray<{code: IssueCode; part: 'message' | 'hint'; reason: string}> = [
  {code: 'schema.enum', part: 'hint', reason: 'only {suggestion}'},
  {code: 'schema.unknown-field', part: 'hint', reason: 'only {suggestion}'},
  {code: 'schema.other', part: 'message', reason: '{field}: {detail}, with ajv’s own message as the detail'},
]

const placeholders = (text: string | undefined) => [...(text ?? '').matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()

afterEach(() => setLanguage('en'))

describe('the Swedish catalog', () => {
  const english = (code: IssueCode): {message: string; hint?: string} => CATALOG[code]

  it('has exactly the codes of the English catalog', () => {
    expect(Object.keys(CATALOG_SV).sort()).toEqual([...ISSUE_CODES].sort())
    expect(ISSUE_CODES.length).toBeGreaterThan(100)
  })

  describe.each(ISSUE_CODES)('%s', (code) => {
    const sv = CATALOG_SV[code]
    const en = english(code)

    it('has a Swedish message, and a hint exactly when the English has one', () => {
      expect(sv.message.trim()).not.toBe('')
      expect(sv.hint === undefined).toBe(en.hint === undefined)
      if (sv.hint !== undefined) expect(sv.hint.trim()).not.toBe('')
    })

    it('uses the same placeholders as the English', () => {
      expect(placeholders(sv.message)).toEqual(placeholders(en.message))
      expect(placeholders(sv.hint)).toEqual(placeholders(en.hint))
    })

    it('differs from the English, unless the text is the same by nature', () => {
      for (const part of ['message', 'hint'] as const) {
        if (en[part] === undefined) continue
        const same = SAME_IN_BOTH.some((entry) => entry.code === code && entry.part === part)
        if (same) expect(sv[part]).toBe(en[part])
        else expect(sv[part]).not.toBe(en[part])
      }
    })
  })
})

describe('renderIssueText', () => {
  it('renders English by default, and Swedish once the language is set', () => {
    const params = {field: 'Group.organisation', target: 'Organisation'}
    expect(currentLanguage()).toBe('en')
    expect(renderIssueText('ref.unresolved', params).message).toBe(
      'Group.organisation points to a Organisation that is not in the input',
    )
    setLanguage('sv')
    expect(renderIssueText('ref.unresolved', params)).toEqual({
      message: 'Group.organisation pekar på en Organisation som inte finns i indata',
      hint: 'Lägg till Organisation, eller ange --allow-external-refs om den bara finns i målsystemet.',
    })
  })

  it('takes an explicit language over the process’s', () => {
    setLanguage('sv')
    expect(renderIssueText('transform.date.invalid', {}, 'en').message).toBe('Not a real calendar date')
    setLanguage('en')
    expect(renderIssueText('transform.date.invalid', {}, 'sv').message).toBe('Inte ett verkligt kalenderdatum')
  })

  it('drops a Swedish hint that ends up empty, as the English', () => {
    expect(renderIssueText('schema.enum', {field: 'x', profile: 'p', allowed: 'a, b'}, 'sv')).toEqual({
      message: 'x måste ha ett av värdena i profilen p: a, b',
    })
  })
})

describe('masking in Swedish', () => {
  const civic = makeCivicNumber('2011-04-07', 123)
  const masked = `${civic.slice(0, 8)}-****`

  it('masks a personnummer that a parameter puts into a Swedish hint', () => {
    setLanguage('sv')
    const issue = makeIssue('identity.civic-no.separator', {suggestion: civic}, {value: `"${civic}"`}, false)
    expect(issue.message).toBe('Person.civicNo.value måste vara 12 tecken utan skiljetecken (ÅÅÅÅMMDDNNNN)')
    expect(issue.hint).toBe(`Skriv det som ${masked}.`)
    expect(JSON.stringify(issue)).not.toContain(civic)
  })

  it('masks personnummer in Swedish issues from the validation engine', () => {
    setLanguage('sv')
    const engine = new ValidationEngine({
      profile: 'ss12000-2020',
      mode: 'payload',
      reveal: false,
      allowExternalRefs: false,
    })
    const source = {file: 'persons.json', line: 1, column: 1}
    const value = {
      id: '1c9b3a5f-2d4e-4f60-9bac-1d2e3f4a5b60',
      givenName: 'Alva',
      familyName: 'Ek',
      civicNo: {value: `${civic.slice(0, 8)}-${civic.slice(8)}`},
    }
    const {issues} = engine.validateRecord({entity: 'Person', value, source, locate: () => source})
    const issue = issues.find((candidate) => candidate.code === 'identity.civic-no.separator')
    expect(issue?.message).toContain('måste vara 12 tecken')
    expect(issue?.hint).toBe(`Skriv det som ${masked}.`)
    expect(JSON.stringify(issues)).not.toContain(value.civicNo.value)
    expect(JSON.stringify(issues)).not.toContain(civic)
  })
})

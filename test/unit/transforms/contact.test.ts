import {describe, expect, it} from 'vitest'

import {normalizeEmail, normalizePhone} from '../../../src/transforms/contact.js'
import {type Case, type Outcome, outcome} from '../../support/cases.js'

// Addresses use the reserved .example domain or the fictional skola.se; numbers are made up.

const invalidEmail = {problem: 'transform.email.invalid'}

describe('normalizeEmail', () => {
  const cases: Case<string | undefined, Outcome<string | undefined>>[] = [
    {name: 'lower-cased', input: 'Alva.Ek@Skola.Example', expected: {value: 'alva.ek@skola.example'}},
    {
      name: 'plus and subdomain',
      input: 'alva+elev@mail.skola.example',
      expected: {value: 'alva+elev@mail.skola.example'},
    },
    {name: 'hyphens and digits', input: 'a-1@skol-a2.example', expected: {value: 'a-1@skol-a2.example'}},
    {name: 'no @', input: 'alva.ek.skola.example', expected: invalidEmail},
    {name: 'two @', input: 'alva@ek@skola.example', expected: invalidEmail},
    {name: 'no dot in the domain', input: 'alva@localhost', expected: invalidEmail},
    {name: 'a space', input: 'alva ek@skola.example', expected: invalidEmail},
    {name: 'non-ASCII local part', input: 'åsa@skola.example', expected: invalidEmail},
    {name: 'non-ASCII domain', input: 'asa@skolå.example', expected: invalidEmail},
    {name: 'leading dot', input: '.alva@skola.example', expected: invalidEmail},
    {name: 'double dot', input: 'alva..ek@skola.example', expected: invalidEmail},
    {name: 'domain label starts with a hyphen', input: 'alva@-skola.example', expected: invalidEmail},
    {name: 'one-letter top-level domain', input: 'alva@skola.e', expected: invalidEmail},
    {name: 'numeric top-level domain', input: 'alva@10.0.0.1', expected: invalidEmail},
    {name: 'trailing dot', input: 'alva@skola.example.', expected: invalidEmail},
    {name: 'a display name', input: 'Alva Ek <alva@skola.example>', expected: invalidEmail},
    {name: 'local part of 65 characters', input: `${'a'.repeat(65)}@skola.example`, expected: invalidEmail},
    {
      name: 'local part of 64 characters',
      input: `${'a'.repeat(64)}@skola.example`,
      expected: {value: `${'a'.repeat(64)}@skola.example`},
    },
    {name: 'longer than 254', input: `alva@${'a'.repeat(250)}.example`, expected: invalidEmail},
    {name: 'absent', input: undefined, expected: {value: undefined}},
    {name: 'blank', input: ' ', expected: {value: undefined}},
  ]
  it.each(cases)('$name', ({input, expected}) => {
    expect(outcome(normalizeEmail(input))).toEqual(expected)
  })
})

describe('normalizePhone', () => {
  const cases: Case<string | undefined, Outcome<string | undefined>>[] = [
    {name: 'Swedish mobile', input: '070-123 45 67', expected: {value: '+46701234567'}},
    {name: 'Stockholm landline', input: '08-123 456 78', expected: {value: '+46812345678'}},
    {name: 'area code in parentheses', input: '(08) 123 456 78', expected: {value: '+46812345678'}},
    {name: 'slash and dots', input: '08/123.456.78', expected: {value: '+46812345678'}},
    {name: 'Unicode hyphen and no-break space', input: '070\u2010123\u00a045 67', expected: {value: '+46701234567'}},
    {name: 'short landline: 7 digits after the 0', input: '0980-123 45', expected: {value: '+4698012345'}},
    {name: 'smallest: 7 digits', input: '0123-4567', expected: {value: '+461234567'}},
    {name: '+46 with (0)', input: '+46 (0)70-123 45 67', expected: {value: '+46701234567'}},
    {name: '+46(0)8', input: '+46(0)8-123 456 78', expected: {value: '+46812345678'}},
    {name: '+46 with spaces', input: '+46 70 123 45 67', expected: {value: '+46701234567'}},
    {name: '0046', input: '0046 70 123 45 67', expected: {value: '+46701234567'}},
    {
      name: '+46 070: the stray 0 is dropped',
      input: '+46 070-123 45 67',
      expected: {value: '+46701234567', warning: 'transform.phone.trunk-zero'},
    },
    {
      name: 'Excel dropped the 0',
      input: '701234567',
      expected: {value: '+46701234567', warning: 'transform.phone.leading-zero'},
    },
    {name: 'Norway kept', input: '+47 22 12 34 56', expected: {value: '+4722123456'}},
    {name: 'USA kept', input: '+1 (212) 555-0123', expected: {value: '+12125550123'}},
    {name: '00 prefix abroad', input: '0047 22 12 34 56', expected: {value: '+4722123456'}},
    {name: 'too short', input: '070-123', expected: {problem: 'transform.phone.length'}},
    {name: 'too long', input: '070-123 45 67 8', expected: {problem: 'transform.phone.length'}},
    {name: '+46 too short', input: '+46 70 12', expected: {problem: 'transform.phone.length'}},
    {name: '+46 too long', input: '+46 70 123 45 67 89', expected: {problem: 'transform.phone.length'}},
    {name: 'double trunk zero', input: '00-123 456', expected: {problem: 'transform.phone.international-length'}},
    {name: 'no 0 and too short', input: '12345', expected: {problem: 'transform.phone.length'}},
    {name: 'no 0 and too long', input: '4670123456789', expected: {problem: 'transform.phone.length'}},
    {name: 'foreign too long', input: '+1234567890123456', expected: {problem: 'transform.phone.international-length'}},
    {name: 'foreign too short', input: '+47 123', expected: {problem: 'transform.phone.international-length'}},
    {name: 'country code 0', input: '+0 123 456 789', expected: {problem: 'transform.phone.international-length'}},
    {name: 'an extension', input: '08-123 456 78 ankn. 12', expected: {problem: 'transform.phone.invalid'}},
    {name: 'two numbers', input: '070-123 45 67, 08-123 456 78', expected: {problem: 'transform.phone.invalid'}},
    {name: 'a + inside', input: '070+1234567', expected: {problem: 'transform.phone.invalid'}},
    {name: 'only separators', input: '--', expected: {problem: 'transform.phone.invalid'}},
    {name: 'absent', input: undefined, expected: {value: undefined}},
  ]
  it.each(cases)('$name', ({input, expected}) => {
    expect(outcome(normalizePhone(input, {defaultCountry: 'SE'}))).toEqual(expected)
  })

  it('defaults to Sweden', () => {
    expect(normalizePhone('070-123 45 67')).toEqual({ok: true, value: '+46701234567'})
  })
})
